//! Client messages: each text frame is parsed here, at the edge, into a
//! [`ClientMsg`] within [`MessageLimits`], or refused with the
//! [`ProtocolError`] the client is told.

use std::borrow::Cow;

use serde::Deserialize;

use crate::content::CodeLanguage;
use crate::grading::normalize::normalize;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Answer {
        text: String,
    },
    Skip,
    Repeat,
    Pause,
    Resume {
        last_seq: u64,
    },
    /// The candidate finished a spoken answer: the server sends what it
    /// heard for review once it is all transcribed.
    Done,
    /// The reviewed spoken answer, as the candidate corrected it (or not).
    /// Normalised and bounded as a typed answer is: a correction may say
    /// more than was heard, as typing could anyway.
    SubmitSpoken {
        text: String,
    },
    /// The candidate will say the answer again, or type it: what was heard
    /// is dropped.
    DiscardReview,
    /// The candidate asks for a hint (recorded, and the grader is told).
    Hint,
    /// What the candidate has typed and not sent, as it changes: it becomes
    /// the answer if the round's time runs out first. Normalised and
    /// bounded as an answer is.
    Draft {
        text: String,
    },
    /// Run `code` against the current coding question's tests. The code is
    /// kept verbatim (no normalisation); the frame limit bounds it.
    RunTests {
        language: CodeLanguage,
        code: String,
    },
    /// Run `code`'s function once on arguments the candidate chose, to see
    /// what it returns and prints. Not a test run: nothing is recorded or
    /// graded. `input` is the arguments as JSON values separated by commas
    /// (`[1, 2, 3], 4`), the way the visible cases show them.
    RunInput {
        language: CodeLanguage,
        code: String,
        #[serde(rename = "input", deserialize_with = "arguments")]
        args: Vec<serde_json::Value>,
    },
}

/// Characters of a custom run's input: a few cases' worth.
pub const MAX_INPUT_CHARS: usize = 4_000;

/// `input` of `run_input`: "[1, 2], 3" is the two arguments `[1, 2]` and `3`.
fn arguments<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<serde_json::Value>, D::Error> {
    use serde::de::Error;
    let text = String::deserialize(de)?;
    let chars = text.chars().count();
    if chars > MAX_INPUT_CHARS {
        return Err(D::Error::custom(format!(
            "the input is {chars} characters; the limit is {MAX_INPUT_CHARS}"
        )));
    }
    serde_json::from_str(&format!("[{text}]")).map_err(|e| {
        D::Error::custom(format!(
            "the input must be the arguments as JSON values separated by commas, like [1, 2, 3], 4 ({e})"
        ))
    })
}

const CLIENT_TYPES: [&str; 12] = [
    "answer",
    "draft",
    "skip",
    "repeat",
    "pause",
    "resume",
    "done",
    "submit_spoken",
    "discard_review",
    "hint",
    "run_tests",
    "run_input",
];

/// Why a client frame was refused. Each maps to an error `code`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("the message is {size} bytes; the limit is {limit}")]
    FrameTooLarge { size: usize, limit: usize },
    #[error("the answer is {chars} characters; the limit is {limit}")]
    AnswerTooLong { chars: usize, limit: usize },
    #[error("the message is not valid JSON: {0}")]
    BadJson(String),
    #[error(
        "unknown message type {0:?}; expected one of answer, draft, skip, repeat, pause, resume, done, submit_spoken, discard_review, hint, run_tests, run_input"
    )]
    UnknownType(String),
    #[error("the message has no string field \"type\"")]
    MissingType,
    #[error("malformed {kind} message: {detail}")]
    BadMessage { kind: String, detail: String },
}

impl ProtocolError {
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::FrameTooLarge { .. } | ProtocolError::AnswerTooLong { .. } => {
                "too_large"
            }
            ProtocolError::BadJson(_) => "bad_json",
            ProtocolError::UnknownType(_) | ProtocolError::MissingType => "unknown_type",
            ProtocolError::BadMessage { .. } => "bad_message",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct MessageLimits {
    pub max_frame_bytes: usize,
    pub max_answer_chars: usize,
}

impl ClientMsg {
    pub fn parse(frame: &str, limits: MessageLimits) -> Result<ClientMsg, ProtocolError> {
        if frame.len() > limits.max_frame_bytes {
            return Err(ProtocolError::FrameTooLarge {
                size: frame.len(),
                limit: limits.max_frame_bytes,
            });
        }
        let value: serde_json::Value =
            serde_json::from_str(frame).map_err(|e| ProtocolError::BadJson(e.to_string()))?;
        let kind = value
            .get("type")
            .and_then(|t| t.as_str())
            .ok_or(ProtocolError::MissingType)?;
        if !CLIENT_TYPES.contains(&kind) {
            return Err(ProtocolError::UnknownType(kind.chars().take(40).collect()));
        }
        let kind = kind.to_owned();
        let mut msg: ClientMsg =
            serde_json::from_value(value).map_err(|e| ProtocolError::BadMessage {
                kind,
                detail: e.to_string(),
            })?;
        if let ClientMsg::Answer { text }
        | ClientMsg::Draft { text }
        | ClientMsg::SubmitSpoken { text } = &mut msg
        {
            // Stored, graded and quoted as one text: see grading::normalize.
            // The limit applies to what is stored: NFKC can expand a
            // character up to 18 times ("\u{fdfa}"), and the frame limit
            // already bounds the work of normalising.
            if let Cow::Owned(normal) = normalize(text) {
                *text = normal;
            }
            let chars = text.chars().count();
            if chars > limits.max_answer_chars {
                return Err(ProtocolError::AnswerTooLong {
                    chars,
                    limit: limits.max_answer_chars,
                });
            }
        }
        Ok(msg)
    }
}
