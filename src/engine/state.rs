//! What a session holds: each question as asked and answered, and the phase
//! it is in.

use crate::outcome::AnswerScore;
use crate::outcome::SpeechAnalytics;
use crate::outcome::TestRun;

use super::{CloseReason, EpochMs, PauseReason, PromptKind};

/// One question as it was asked and answered, with its scores (a regrade
/// appends; the last is current).
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionRecord {
    pub round: usize,
    pub question: usize,
    pub turns: Vec<Turn>,
    pub closed: Option<CloseReason>,
    pub scores: Vec<AnswerScore>,
    /// The candidate's code runs, in order; the last one before the
    /// question closed is what grading sees.
    pub test_runs: Vec<TestRun>,
}

impl QuestionRecord {
    pub fn answers(&self) -> Vec<String> {
        self.turns.iter().filter_map(|t| t.answer.clone()).collect()
    }

    /// How each spoken answer was delivered, in order; typed answers have
    /// none.
    pub fn speech(&self) -> Vec<SpeechAnalytics> {
        self.turns.iter().filter_map(|t| t.speech.clone()).collect()
    }

    /// What grading judges: the answers and the delivery of the spoken
    /// ones, less the spoken answers the recogniser could not make out and
    /// the candidate submitted as heard ([`SpeechAnalytics::unclear`]),
    /// which come apart: no grader reads words nobody said.
    pub fn for_grading(&self) -> ForGrading {
        let mut out = ForGrading::default();
        for turn in &self.turns {
            let Some(answer) = &turn.answer else {
                continue;
            };
            match &turn.speech {
                Some(speech) if speech.unclear => out.unclear.push(speech.clone()),
                speech => {
                    out.answers.push(answer.clone());
                    out.speech.extend(speech.clone());
                }
            }
        }
        out
    }

    /// The hints the candidate asked for on this question.
    pub fn hints(&self) -> Vec<String> {
        self.turns
            .iter()
            .filter(|t| t.kind == PromptKind::Hint)
            .map(|t| t.prompt.clone())
            .collect()
    }

    pub fn score(&self) -> Option<&AnswerScore> {
        self.scores.last()
    }
}

/// A question's answers as grading sees them (see
/// [`QuestionRecord::for_grading`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ForGrading {
    pub answers: Vec<String>,
    /// How each spoken answer among `answers` was delivered.
    pub speech: Vec<SpeechAnalytics>,
    /// The spoken answers left out as unclear.
    pub unclear: Vec<SpeechAnalytics>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    pub kind: PromptKind,
    pub prompt: String,
    pub answer: Option<String>,
    /// How the answer was spoken, when it was.
    pub speech: Option<SpeechAnalytics>,
}

/// Where an active round stands.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Active {
    pub(super) round: usize,
    pub(super) question: usize,
    pub(super) deadline: EpochMs,
    pub(super) warned: bool,
    pub(super) follow_ups_asked: u32,
    /// Signals already probed for this question, so none is asked twice.
    pub(super) probed: Vec<String>,
    pub(super) current: Option<CurrentPrompt>,
    /// The question or follow-up being answered: what a repeat says again.
    /// A hint is help with it, not the question, so it does not replace it.
    pub(super) asked: Option<CurrentPrompt>,
    /// A follow-up or hint an LLM is wording; answers wait for it.
    pub(super) composing: Option<Pending>,
    /// Hints given for this question.
    pub(super) hints: u32,
    /// Times this question's prompts were repeated.
    pub(super) repeats: u32,
}

/// A turn the engine has chosen and an LLM is wording.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub kind: PromptKind,
    pub signal: Option<String>,
    pub scripted: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CurrentPrompt {
    pub kind: PromptKind,
    pub text: String,
    pub signal: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Phase {
    Lobby,
    Active(Active),
    Paused {
        active: Active,
        remaining_ms: i64,
        reason: PauseReason,
    },
    Grading,
    Finished,
}

impl Phase {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Phase::Lobby => "lobby",
            Phase::Active(_) => "active",
            Phase::Paused { .. } => "paused",
            Phase::Grading => "grading",
            Phase::Finished => "finished",
        }
    }
}
