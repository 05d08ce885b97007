//! What the outside world tells a session, and the moves it refuses.

use crate::outcome::SpeechAnalytics;
use crate::outcome::TestRun;
use crate::outcome::{AnswerScore, KeyPointResult};

use super::{MAX_HINTS, MAX_REPEATS, PauseReason, TurnSource};

/// What the outside world tells a session.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Start the first round.
    Begin,
    Answer(Answer),
    Skip,
    Repeat,
    Pause(PauseReason),
    Resume,
    /// The candidate's connection went away (socket closed, server
    /// stopping, session handed to another node): an active round pauses
    /// so its clock stops; in any other phase nothing happens.
    Disconnected,
    /// The candidate's client is attached and caught up (it sent `resume`):
    /// the interview starts from the lobby, carries on from a pause, and
    /// otherwise nothing happens.
    Ready,
    /// Time passed; fires warnings and time-outs that are due.
    Tick,
    /// A tick from a driver that holds the candidate's unsent answer to the
    /// open question: typed text, or a spoken answer still in review (its
    /// text as the candidate last left it, and how it was spoken). If the
    /// round's time is up, that is the question's answer (an interviewer
    /// hears what you were saying when time ran out); otherwise it is a
    /// plain tick.
    TickWithDraft(Answer),
    /// The candidate asked for a hint.
    Hint,
    /// The words of the follow-up or hint the engine asked an LLM for
    /// (see [`Event::Composing`]): the model's, or the scripted ones.
    Composed {
        text: String,
        source: Box<TurnSource>,
    },
    /// A grader finished with a closed question.
    Graded {
        round: usize,
        question: usize,
        score: Box<AnswerScore>,
    },
    /// The sandbox finished running the candidate's code for a question.
    TestsRun {
        round: usize,
        question: usize,
        run: Box<TestRun>,
    },
}

/// An answer to the open question, typed or spoken.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answer {
    pub text: String,
    /// How it was spoken; `None` when it was typed.
    pub speech: Option<Box<SpeechAnalytics>>,
    /// The grader's reading of every answer to the question so far, this
    /// one included: each key point covered, mentioned or missed. The
    /// interviewer follows up on what is still missing; `None` (no grader
    /// reading in time, or one without key points) falls back to the
    /// rubric's signal phrases.
    pub coverage: Option<Vec<KeyPointResult>>,
}

impl Answer {
    /// A typed answer, with no grader reading.
    pub fn typed(text: impl Into<String>) -> Answer {
        Answer {
            text: text.into(),
            ..Answer::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InterviewError {
    #[error("{input} is not possible while the interview is {phase}")]
    NotAllowed {
        input: &'static str,
        phase: &'static str,
    },
    #[error("an answer cannot be empty")]
    EmptyAnswer,
    #[error("round {round} question {question} has not been closed, so it cannot be scored")]
    NotGradable { round: usize, question: usize },
    #[error("the interviewer is still speaking; answer once the follow-up has arrived")]
    Composing,
    #[error("no more hints for this question ({MAX_HINTS} at most)")]
    NoMoreHints,
    #[error("this question has been repeated {MAX_REPEATS} times; it stays on screen")]
    NoMoreRepeats,
    #[error("round {round} question {question} is closed, so a test run cannot be recorded for it")]
    QuestionClosed { round: usize, question: usize },
    #[error("the first event of a session must be `created`")]
    NotCreated,
    #[error("event {0} does not follow from the session's state")]
    Inconsistent(&'static str),
}

pub(super) fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Begin => "begin",
        Input::Answer(Answer { speech: None, .. }) => "answer",
        Input::Answer(_) => "spoken answer",
        Input::Skip => "skip",
        Input::Repeat => "repeat",
        Input::Pause(_) => "pause",
        Input::Resume => "resume",
        Input::Disconnected => "disconnected",
        Input::Ready => "ready",
        Input::Tick | Input::TickWithDraft(_) => "tick",
        Input::Hint => "hint",
        Input::Composed { .. } => "composed",
        Input::Graded { .. } => "graded",
        Input::TestsRun { .. } => "tests run",
    }
}
