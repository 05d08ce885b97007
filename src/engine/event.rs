//! What happened in a session. Events are the only record: the session's
//! state, what the client is sent, and what gets graded all derive from them.

use serde::{Deserialize, Serialize};

use crate::outcome::AnswerScore;
use crate::outcome::SpeechAnalytics;
use crate::outcome::TestRun;

use super::plan::Plan;

pub use crate::clock::EpochMs;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Created {
        at: EpochMs,
        plan: Box<Plan>,
    },
    RoundStarted {
        at: EpochMs,
        round: usize,
        deadline: EpochMs,
    },
    Prompted {
        at: EpochMs,
        round: usize,
        question: usize,
        kind: PromptKind,
        text: String,
        /// The rubric signal a follow-up probes for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<String>,
        #[serde(default)]
        repeat: bool,
        /// Set for a turn an LLM was asked to word: who worded it, and how long it took.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Box<TurnSource>>,
        /// What the interviewer says first: a word on the last answer, or
        /// why it is moving on (see `pacing`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lead: Option<String>,
    },
    /// The engine chose a follow-up or hint and an LLM is wording it; the
    /// `Prompted` that follows carries the words. `scripted` is what the
    /// scripted interviewer would say, asked if the model fails.
    Composing {
        at: EpochMs,
        round: usize,
        question: usize,
        kind: PromptKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<String>,
        scripted: String,
    },
    Answered {
        at: EpochMs,
        text: String,
        /// Set when the answer was spoken: pace, fillers, pauses, confidence.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speech: Option<Box<SpeechAnalytics>>,
        /// Sent by the server when the round's time ran out: what the
        /// candidate had typed and not sent, or a spoken answer still in
        /// review (see [`Input::TickWithDraft`]).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        timed_out: bool,
    },
    TimeWarning {
        at: EpochMs,
        round: usize,
        remaining_ms: i64,
    },
    QuestionClosed {
        at: EpochMs,
        round: usize,
        question: usize,
        reason: CloseReason,
    },
    RoundEnded {
        at: EpochMs,
        round: usize,
        reason: RoundEndReason,
    },
    Paused {
        at: EpochMs,
        reason: PauseReason,
        remaining_ms: i64,
    },
    Resumed {
        at: EpochMs,
        deadline: EpochMs,
    },
    InterviewEnded {
        at: EpochMs,
    },
    Scored {
        at: EpochMs,
        round: usize,
        question: usize,
        score: Box<AnswerScore>,
    },
    Completed {
        at: EpochMs,
    },
    /// The candidate ran their code against the question's tests.
    TestsRun {
        at: EpochMs,
        round: usize,
        question: usize,
        run: Box<TestRun>,
    },
}

impl Event {
    pub fn at(&self) -> EpochMs {
        match self {
            Event::Created { at, .. }
            | Event::RoundStarted { at, .. }
            | Event::Prompted { at, .. }
            | Event::Composing { at, .. }
            | Event::Answered { at, .. }
            | Event::TimeWarning { at, .. }
            | Event::QuestionClosed { at, .. }
            | Event::RoundEnded { at, .. }
            | Event::Paused { at, .. }
            | Event::Resumed { at, .. }
            | Event::InterviewEnded { at }
            | Event::Scored { at, .. }
            | Event::Completed { at }
            | Event::TestsRun { at, .. } => *at,
        }
    }

    /// The `type` tag, stored beside the body so the log can be queried.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Created { .. } => "created",
            Event::RoundStarted { .. } => "round_started",
            Event::Prompted { .. } => "prompted",
            Event::Composing { .. } => "composing",
            Event::Answered { .. } => "answered",
            Event::TimeWarning { .. } => "time_warning",
            Event::QuestionClosed { .. } => "question_closed",
            Event::RoundEnded { .. } => "round_ended",
            Event::Paused { .. } => "paused",
            Event::Resumed { .. } => "resumed",
            Event::InterviewEnded { .. } => "interview_ended",
            Event::Scored { .. } => "scored",
            Event::Completed { .. } => "completed",
            Event::TestsRun { .. } => "tests_run",
        }
    }
}

/// An event with its place in the session's log (1-based, gapless).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub seq: u64,
    pub event: Event,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptKind {
    Question,
    FollowUp,
    /// A nudge the candidate asked for; the grader is told of it.
    Hint,
}

/// Who worded a turn an LLM was asked for, and how long it took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TurnSource {
    pub by: Author,
    /// Why the scripted words stood in for the model's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// The model asked, when one was: the one the server said answered,
    /// else the one configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Tokens the turn cost, when the server said (a streamed reply's last
    /// chunk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::outcome::score::TokenUsage>,
    /// From the candidate's end of answer (or hint request) to the model's
    /// first token; unset when none came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_token_ms: Option<u64>,
    /// From the same moment to the whole prompt being ready.
    pub full_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Llm,
    Scripted,
}

/// Why a model's turn was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The reply quoted a key point of the answer.
    Leak,
    /// Not words for the candidate: markup, a role tag, the prompt's own
    /// scaffolding, a note the model wrote to itself, or garble.
    Unsayable,
    TooLong,
    Empty,
    FirstTokenTimeout,
    Timeout,
    ProviderError,
    /// The server stopped while the model was writing.
    Interrupted,
    /// The session began with an LLM interviewer and the server no longer
    /// has one configured.
    Unavailable,
}

impl Fallback {
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Leak => "leak",
            Fallback::Unsayable => "unsayable",
            Fallback::TooLong => "too_long",
            Fallback::Empty => "empty",
            Fallback::FirstTokenTimeout => "first_token_timeout",
            Fallback::Timeout => "timeout",
            Fallback::ProviderError => "provider_error",
            Fallback::Interrupted => "interrupted",
            Fallback::Unavailable => "unavailable",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    Answered,
    Skipped,
    TimeUp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundEndReason {
    Completed,
    TimeUp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    Candidate,
    Disconnected,
}
