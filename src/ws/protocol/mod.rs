//! The WebSocket protocol, version 1: JSON text frames tagged by `type`.
//! Client messages are parsed at the edge (`client`) into [`ClientMsg`]; server
//! messages are derived from stored events, so what a reconnecting client is
//! re-sent is exactly what a connected one saw.

use serde::Serialize;

use crate::content::{CodeLanguage, CodeTests, RoundKind};
use crate::engine::{EpochMs, Event, Plan, PromptKind, RoundEndReason, Session, StoredEvent};
use crate::report::Report;
use crate::sandbox::{SandboxStatus, TestRun};

pub const PROTOCOL_VERSION: u32 = 1;

mod client;
pub use client::{ClientMsg, MAX_INPUT_CHARS, MessageLimits, ProtocolError};

#[derive(Clone, Debug, Serialize)]
pub struct RoundRef {
    pub index: usize,
    pub kind: RoundKind,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuestionRef {
    pub index: usize,
    pub count: usize,
    /// The bank's id for it: the browser remembers which questions it has
    /// been asked, so later sessions can ask others first.
    pub id: String,
}

impl QuestionRef {
    fn of(plan: &Plan, round: usize, question: usize) -> QuestionRef {
        let asked = &plan.rounds[round].questions;
        QuestionRef {
            index: question,
            count: asked.len(),
            id: asked[question].id.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LoopInfo {
    pub id: String,
    pub title: String,
    pub company: String,
    pub role: String,
    pub level: String,
    pub rounds: Vec<RoundInfo>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoundInfo {
    pub index: usize,
    pub kind: RoundKind,
    pub title: String,
    pub minutes: u32,
    pub questions: usize,
}

/// What a client needs to offer "Run tests": the function to write per
/// language and the visible cases (hidden ones are only counted).
#[derive(Clone, Debug, Serialize)]
pub struct TestsInfo {
    pub functions: Vec<FunctionInfo>,
    pub examples: Vec<ExampleCase>,
    pub hidden: usize,
    /// How the tests call the code, when the question does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FunctionInfo {
    pub language: CodeLanguage,
    /// The language's name, for the picker.
    pub name: &'static str,
    pub function: String,
    pub signature: String,
    /// What the editor starts from.
    pub starter: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExampleCase {
    pub args: Vec<serde_json::Value>,
    pub expected: serde_json::Value,
}

impl TestsInfo {
    fn new(tests: &CodeTests) -> TestsInfo {
        TestsInfo {
            functions: tests
                .languages()
                .filter_map(|language| {
                    tests.signature(language).map(|s| FunctionInfo {
                        language,
                        name: language.name(),
                        function: s.function.clone(),
                        signature: s.signature.clone(),
                        starter: language.starter(&s.signature),
                    })
                })
                .collect(),
            examples: tests
                .cases
                .iter()
                .filter(|c| !c.hidden)
                .map(|c| ExampleCase {
                    args: c.args.clone(),
                    expected: c.expected.clone(),
                })
                .collect(),
            hidden: tests.cases.iter().filter(|c| c.hidden).count(),
            note: tests.note.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Welcome {
        protocol: u32,
        session_id: String,
        seq: u64,
        state: &'static str,
        #[serde(rename = "loop")]
        loop_info: LoopInfo,
        /// Who speaks prompts: `browser` (speech synthesis) or `server`
        /// (`GET /api/sessions/{id}/speech/{seq}`).
        tts: &'static str,
        /// Whether "Run tests" works here, in which languages, or why not.
        code_execution: SandboxStatus,
    },
    /// A run of the candidate's code against the question's tests: the
    /// session's `tests_run` event. Sent as `test_results`, the name the
    /// protocol has always used.
    #[serde(rename = "test_results")]
    TestsRun {
        seq: u64,
        round: RoundRef,
        question: QuestionRef,
        run: Box<TestRun>,
    },
    /// What the candidate's function returned and printed for their own
    /// input (`run_input`). Not stored: it is scratch work, like a REPL.
    RunOutput {
        run: Box<TestRun>,
    },
    Prompt {
        seq: u64,
        kind: PromptKind,
        round: RoundRef,
        question: QuestionRef,
        text: String,
        intro: Option<String>,
        /// What the interviewer says first: a word on the last answer, or
        /// why it moves on.
        #[serde(skip_serializing_if = "Option::is_none")]
        lead: Option<String>,
        repeat: bool,
        remaining_seconds: i64,
        /// Set when the question has tests: what "Run tests" calls.
        #[serde(skip_serializing_if = "Option::is_none")]
        tests: Option<TestsInfo>,
    },
    Ack {
        seq: u64,
    },
    /// Time ran out with this typed and not sent: it was taken as the
    /// question's answer.
    SentAtTimeUp {
        seq: u64,
        text: String,
    },
    /// An LLM is wording the next follow-up or hint; `prompt_delta`s with
    /// `id` = this `seq` carry its text as it streams, then the `prompt`.
    Composing {
        seq: u64,
        kind: PromptKind,
    },
    /// The next piece of the streaming prompt `id`. Not stored: the `prompt`
    /// that follows holds the whole text, and a resume sends only that.
    PromptDelta {
        id: u64,
        text: String,
    },
    /// The text streamed for `id` is withdrawn (it failed a guard rail or
    /// the model stalled); the `prompt` that follows replaces it.
    PromptDiscarded {
        id: u64,
        reason: &'static str,
    },
    TimeWarning {
        seq: u64,
        round: RoundRef,
        remaining_seconds: i64,
    },
    RoundEnded {
        seq: u64,
        round: RoundRef,
        reason: RoundEndReason,
    },
    Paused {
        seq: u64,
        remaining_seconds: i64,
    },
    Resumed {
        seq: u64,
        remaining_seconds: i64,
    },
    Scored {
        seq: u64,
        round: RoundRef,
        question: QuestionRef,
        /// `None` when the answer could not be assessed.
        overall: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        not_assessed: Option<String>,
    },
    InterviewEnded {
        seq: u64,
    },
    Debrief {
        seq: u64,
        report: Box<Report>,
    },
    Error {
        code: &'static str,
        message: String,
        fatal: bool,
        /// When trying again is likely to succeed (a busy code runner).
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    /// Speech started or stopped in the candidate's audio.
    Listening {
        speaking: bool,
    },
    /// What the recogniser heard: partial passes while the candidate speaks
    /// (`stable` words will not change, `tentative` ones may), then the final
    /// text of the utterance.
    Transcript {
        #[serde(rename = "final")]
        is_final: bool,
        stable: String,
        tentative: String,
        /// The recogniser was unsure: a low score may be its fault.
        low_confidence: bool,
        /// Every word so far is a backchannel ("mm-hm", "right"): not part
        /// of the answer, and no reason for the interviewer to stop.
        backchannel: bool,
    },
    /// The spoken answer as heard, for the candidate to correct and submit
    /// (`submit_spoken`), or say again (`discard_review`). Not stored: a
    /// client that reconnects while reviewing is sent it again.
    Review {
        text: String,
        /// Mean recogniser confidence, 0 to 1, two decimals.
        confidence: Option<f32>,
        /// The recogniser was unsure (the transcript's low-confidence flag).
        low_confidence: bool,
        /// Too unsure to judge: submitted as heard, the answer is not
        /// graded ("could not assess").
        unclear: bool,
    },
}

impl ServerMsg {
    pub fn error(code: &'static str, message: impl Into<String>) -> ServerMsg {
        ServerMsg::Error {
            code,
            message: message.into(),
            fatal: false,
            retry_after_ms: None,
        }
    }

    /// A refusal that says when to try again.
    pub fn busy(message: impl Into<String>, retry_after: std::time::Duration) -> ServerMsg {
        ServerMsg::Error {
            code: "busy",
            message: message.into(),
            fatal: false,
            retry_after_ms: Some(retry_after.as_millis() as u64),
        }
    }

    pub fn fatal(code: &'static str, message: impl Into<String>) -> ServerMsg {
        ServerMsg::Error {
            code,
            message: message.into(),
            fatal: true,
            retry_after_ms: None,
        }
    }

    /// A move the interview engine refused, as the client is told it.
    pub fn refused(error: &crate::engine::InterviewError) -> ServerMsg {
        use crate::engine::InterviewError;
        let code = match error {
            InterviewError::EmptyAnswer => "empty_answer",
            InterviewError::NotAllowed { .. } => "not_allowed",
            InterviewError::Composing => "composing",
            InterviewError::NoMoreHints => "no_more_hints",
            InterviewError::NoMoreRepeats => "no_more_repeats",
            InterviewError::QuestionClosed { .. } => "question_closed",
            _ => "internal",
        };
        ServerMsg::error(code, error.to_string())
    }

    pub fn is_fatal(&self) -> bool {
        matches!(self, ServerMsg::Error { fatal: true, .. })
    }

    pub fn welcome(
        session_id: &str,
        session: &Session,
        server_tts: bool,
        code_execution: SandboxStatus,
    ) -> ServerMsg {
        let plan = session.plan();
        ServerMsg::Welcome {
            code_execution,
            protocol: PROTOCOL_VERSION,
            session_id: session_id.to_owned(),
            seq: session.seq(),
            state: session.state(),
            tts: if server_tts { "server" } else { "browser" },
            loop_info: LoopInfo {
                id: plan.loop_id.clone(),
                title: plan.title.clone(),
                company: plan.company.clone(),
                role: plan.role.clone(),
                level: plan.level.clone(),
                rounds: plan
                    .rounds
                    .iter()
                    .enumerate()
                    .map(|(index, r)| RoundInfo {
                        index,
                        kind: r.kind,
                        title: r.title.clone(),
                        minutes: r.minutes,
                        questions: r.questions.len(),
                    })
                    .collect(),
            },
        }
    }

    /// The message a stored event shows the client, if any. Times are
    /// reported as they stand `now` (a replayed prompt shows the time left
    /// now, not when it was first asked); the debrief reflects the session's
    /// current scores.
    pub fn from_event(
        session_id: &str,
        stored: &StoredEvent,
        session: &Session,
        now: EpochMs,
    ) -> Option<ServerMsg> {
        let plan = session.plan();
        let round_ref = |index: usize| RoundRef {
            index,
            kind: plan.rounds[index].kind,
            title: plan.rounds[index].title.clone(),
        };
        let seq = stored.seq;
        Some(match &stored.event {
            Event::Prompted {
                round,
                question,
                kind,
                text,
                repeat,
                lead,
                ..
            } => ServerMsg::Prompt {
                seq,
                kind: *kind,
                round: round_ref(*round),
                question: QuestionRef::of(plan, *round, *question),
                text: text.clone(),
                intro: (*kind == PromptKind::Question && *question == 0 && !*repeat)
                    .then(|| plan.rounds[*round].intro.clone())
                    .filter(|intro| !intro.is_empty()),
                lead: lead.clone(),
                repeat: *repeat,
                remaining_seconds: remaining_seconds(session, now),
                tests: plan.rounds[*round].questions[*question]
                    .tests
                    .as_ref()
                    .filter(|_| plan.rounds[*round].kind.is_coding())
                    .map(TestsInfo::new),
            },
            Event::Answered {
                text,
                timed_out: true,
                ..
            } => ServerMsg::SentAtTimeUp {
                seq,
                text: text.clone(),
            },
            Event::Answered { .. } => ServerMsg::Ack { seq },
            Event::Composing { kind, .. } => ServerMsg::Composing { seq, kind: *kind },
            Event::TimeWarning {
                round,
                remaining_ms,
                ..
            } => ServerMsg::TimeWarning {
                seq,
                round: round_ref(*round),
                remaining_seconds: remaining_ms / 1000,
            },
            Event::RoundEnded { round, reason, .. } => ServerMsg::RoundEnded {
                seq,
                round: round_ref(*round),
                reason: *reason,
            },
            Event::Paused { remaining_ms, .. } => ServerMsg::Paused {
                seq,
                remaining_seconds: remaining_ms / 1000,
            },
            Event::Resumed { at, deadline } => ServerMsg::Resumed {
                seq,
                remaining_seconds: (deadline - at) / 1000,
            },
            Event::Scored {
                round,
                question,
                score,
                ..
            } => ServerMsg::Scored {
                seq,
                round: round_ref(*round),
                question: QuestionRef::of(plan, *round, *question),
                overall: score.not_assessed.is_none().then_some(score.overall),
                not_assessed: score.not_assessed.clone(),
            },
            Event::InterviewEnded { .. } => ServerMsg::InterviewEnded { seq },
            Event::TestsRun {
                round,
                question,
                run,
                ..
            } => ServerMsg::TestsRun {
                seq,
                round: round_ref(*round),
                question: QuestionRef::of(plan, *round, *question),
                run: run.clone(),
            },
            Event::Completed { .. } => ServerMsg::Debrief {
                seq,
                report: Box::new(Report::build(session_id, session)),
            },
            Event::Created { .. } | Event::RoundStarted { .. } | Event::QuestionClosed { .. } => {
                return None;
            }
        })
    }
}

/// Whole seconds left in the round, rounded up: a prompt shown with 0.4 s
/// left says 1, not 0.
fn remaining_seconds(session: &Session, now: EpochMs) -> i64 {
    session.remaining_ms(now).map_or(0, |ms| (ms + 999) / 1000)
}

#[cfg(test)]
mod tests;
