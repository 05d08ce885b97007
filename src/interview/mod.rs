//! The interview engine: pure, deterministic, no I/O and no clock.
//!
//! ```text
//!            Begin                 answers, follow-ups, skips
//!   Lobby ─────────▶ Active ◀──────────────────────────────┐
//!                    │  │ └────────────────────────────────┘
//!              Pause │  │ last round over (answered or time up)
//!                    ▼  ▼
//!                Paused  Grading ──(every closed question scored)──▶ Finished
//!                  │ ▲
//!                  └─┘ Resume
//! ```
//!
//! [`Session::handle`] decides: given the time and an input, it returns the
//! events that follow, or a typed error for a move the phase does not allow.
//! [`Session::apply`] records an event and holds no rules. A session is
//! rebuilt by applying its stored events, which is how a dropped socket or a
//! restarted server resumes it.
//!
//! Why events and not a separate effect list: everything the driver does
//! follows from the events (what to send is derived from each stored event,
//! what to grade from `QuestionClosed`, when to wake from [`Session::poll_timeout`]),
//! so a reconnecting client is re-sent exactly what a live one saw.

mod compose;
mod event;
mod plan;
mod shared;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use compose::{MAX_HINTS, is_hint_request};

/// Repeats of one question's prompts (question, follow-ups and hints).
pub const MAX_REPEATS: u32 = 5;
pub use event::{
    Author, CloseReason, Event, Fallback, Millis, PauseReason, PromptKind, RoundEndReason,
    StoredEvent, TurnSource,
};
pub use plan::{Plan, PlanError, PlannedRound};

use crate::grading::{AnswerScore, signals};
use crate::sandbox::TestRun;
use crate::speech::analytics::SpeechAnalytics;

/// What the outside world tells a session.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Start the first round.
    Begin,
    Answer(String),
    /// An answer given by voice: the transcript and how it was spoken.
    SpokenAnswer {
        text: String,
        speech: Box<SpeechAnalytics>,
    },
    Skip,
    Repeat,
    Pause(PauseReason),
    Resume,
    /// Time passed; fires warnings and time-outs that are due.
    Tick,
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
    TestsRan {
        round: usize,
        question: usize,
        run: Box<TestRun>,
    },
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
pub struct Active {
    pub round: usize,
    pub question: usize,
    pub deadline: Millis,
    pub warned: bool,
    pub follow_ups_asked: u32,
    /// Signals already probed for this question, so none is asked twice.
    pub probed: Vec<String>,
    pub current: Option<CurrentPrompt>,
    /// A follow-up or hint an LLM is wording; answers wait for it.
    pub composing: Option<Pending>,
    /// Hints given for this question.
    pub hints: u32,
    /// Times this question's prompts were repeated.
    pub repeats: u32,
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
pub enum Phase {
    Lobby,
    Active(Active),
    Paused {
        active: Active,
        remaining_ms: Millis,
        reason: PauseReason,
    },
    Grading,
    Finished,
}

impl Phase {
    pub fn name(&self) -> &'static str {
        match self {
            Phase::Lobby => "lobby",
            Phase::Active(_) => "active",
            Phase::Paused { .. } => "paused",
            Phase::Grading => "grading",
            Phase::Finished => "finished",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    plan: Arc<Plan>,
    created_at: Millis,
    /// When the last applied event happened: a session found active after a
    /// crash is treated as paused since then.
    last_at: Millis,
    seq: u64,
    phase: Phase,
    records: Vec<QuestionRecord>,
}

impl Session {
    /// The first event of a new session.
    pub fn create(now: Millis, plan: Plan) -> Event {
        Event::Created {
            at: now,
            plan: Box::new(plan),
        }
    }

    /// Rebuilds a session from its stored events, in order.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a StoredEvent>,
    ) -> Result<Session, InterviewError> {
        let mut events = events.into_iter();
        let mut session = match events.next() {
            Some(StoredEvent {
                seq,
                event: Event::Created { at, plan },
            }) => Session {
                plan: Arc::new((**plan).clone().share()),
                created_at: *at,
                last_at: *at,
                seq: *seq,
                phase: Phase::Lobby,
                records: Vec::new(),
            },
            _ => return Err(InterviewError::NotCreated),
        };
        for stored in events {
            session.apply(&stored.event)?;
        }
        Ok(session)
    }

    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    pub fn created_at(&self) -> Millis {
        self.created_at
    }

    /// When the last applied event happened.
    pub fn last_event_at(&self) -> Millis {
        self.last_at
    }

    /// The sequence number of the last applied event.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The follow-up or hint an LLM is wording, if any (active or paused).
    pub fn composing(&self) -> Option<&Pending> {
        match &self.phase {
            Phase::Active(a) | Phase::Paused { active: a, .. } => a.composing.as_ref(),
            _ => None,
        }
    }

    pub fn records(&self) -> &[QuestionRecord] {
        &self.records
    }

    pub fn record(&self, round: usize, question: usize) -> Option<&QuestionRecord> {
        self.records
            .iter()
            .find(|r| r.round == round && r.question == question)
    }

    /// Closed questions still waiting for their first score.
    pub fn ungraded(&self) -> impl Iterator<Item = &QuestionRecord> {
        self.records
            .iter()
            .filter(|r| r.closed.is_some() && r.scores.is_empty())
    }

    /// When the session next needs a [`Input::Tick`]: the time warning, else
    /// the end of the round. Only an active round has a clock.
    pub fn poll_timeout(&self) -> Option<Millis> {
        match &self.phase {
            Phase::Active(a) if !a.warned => {
                Some(a.deadline - self.plan.rounds[a.round].warn_before_ms())
            }
            Phase::Active(a) => Some(a.deadline),
            _ => None,
        }
    }

    /// Decides what follows from `input` at time `now`.
    pub fn handle(&self, now: Millis, input: Input) -> Result<Vec<Event>, InterviewError> {
        let mut d = Decision {
            session: self.clone(),
            events: Vec::new(),
            now,
        };
        match (&self.phase, input) {
            (Phase::Lobby, Input::Begin) => d.start_round(0)?,
            (Phase::Active(_), input @ (Input::Answer(_) | Input::SpokenAnswer { .. })) => {
                let (text, speech) = match input {
                    Input::SpokenAnswer { text, speech } => (text, Some(speech)),
                    Input::Answer(text) => (text, None),
                    _ => unreachable!("matched above"),
                };
                let text = text.trim();
                if text.is_empty() {
                    return Err(InterviewError::EmptyAnswer);
                }
                if self.composing().is_some() {
                    return Err(InterviewError::Composing);
                }
                if is_hint_request(text) {
                    d.give_hint()?;
                    return Ok(d.events);
                }
                d.emit(Event::Answered {
                    at: now,
                    text: text.to_owned(),
                    speech,
                })?;
                d.follow_up_or_move_on()?;
            }
            (Phase::Active(a), Input::Hint) => {
                if a.composing.is_some() {
                    return Err(InterviewError::Composing);
                }
                d.give_hint()?;
            }
            (Phase::Active(_) | Phase::Paused { .. }, Input::Composed { text, source })
                if self.composing().is_some() =>
            {
                d.composed(text, source)?;
            }
            (Phase::Active(_), Input::Skip) => d.close_question(CloseReason::Skipped)?,
            (Phase::Active(a), Input::Repeat) => {
                // Each repeat is stored (the transcript shows it); the
                // prompt stays on screen, so a few are plenty.
                if a.repeats >= MAX_REPEATS {
                    return Err(InterviewError::NoMoreRepeats);
                }
                let current = a
                    .current
                    .clone()
                    .ok_or(InterviewError::Inconsistent("repeat"))?;
                d.emit(Event::Prompted {
                    at: now,
                    round: a.round,
                    question: a.question,
                    kind: current.kind,
                    text: current.text,
                    signal: current.signal,
                    repeat: true,
                    source: None,
                })?;
            }
            (Phase::Active(a), Input::Pause(reason)) => {
                let remaining_ms = (a.deadline - now).max(0);
                d.emit(Event::Paused {
                    at: now,
                    reason,
                    remaining_ms,
                })?;
            }
            (Phase::Paused { remaining_ms, .. }, Input::Resume) => {
                d.emit(Event::Resumed {
                    at: now,
                    deadline: now + remaining_ms,
                })?;
            }
            (Phase::Active(a), Input::Tick) => {
                let round = &self.plan.rounds[a.round];
                if now >= a.deadline {
                    d.emit(Event::QuestionClosed {
                        at: now,
                        round: a.round,
                        question: a.question,
                        reason: CloseReason::TimeUp,
                    })?;
                    d.end_round(RoundEndReason::TimeUp)?;
                } else if !a.warned && now >= a.deadline - round.warn_before_ms() {
                    d.emit(Event::TimeWarning {
                        at: now,
                        round: a.round,
                        remaining_ms: a.deadline - now,
                    })?;
                }
            }
            (_, Input::Tick) => {}
            (
                Phase::Active(_) | Phase::Paused { .. },
                Input::TestsRan {
                    round,
                    question,
                    run,
                },
            ) => {
                let open = self
                    .record(round, question)
                    .is_some_and(|r| r.closed.is_none());
                if !open {
                    return Err(InterviewError::QuestionClosed { round, question });
                }
                d.emit(Event::TestsRun {
                    at: now,
                    round,
                    question,
                    run,
                })?;
            }
            (
                _,
                Input::Graded {
                    round,
                    question,
                    score,
                },
            ) => {
                let closed = self
                    .record(round, question)
                    .is_some_and(|r| r.closed.is_some());
                if !closed {
                    return Err(InterviewError::NotGradable { round, question });
                }
                d.emit(Event::Scored {
                    at: now,
                    round,
                    question,
                    score,
                })?;
                d.complete_if_graded()?;
            }
            (phase, input) => {
                return Err(InterviewError::NotAllowed {
                    input: input_name(&input),
                    phase: phase.name(),
                });
            }
        }
        Ok(d.events)
    }

    /// Records an event. No rules live here beyond refusing an event that
    /// cannot apply to the current phase (a corrupt log, not a user error).
    pub fn apply(&mut self, event: &Event) -> Result<(), InterviewError> {
        match event {
            Event::Created { .. } => return Err(InterviewError::Inconsistent("created")),
            Event::RoundStarted {
                round, deadline, ..
            } => {
                self.phase = Phase::Active(Active {
                    round: *round,
                    question: 0,
                    deadline: *deadline,
                    warned: false,
                    follow_ups_asked: 0,
                    probed: Vec::new(),
                    current: None,
                    composing: None,
                    hints: 0,
                    repeats: 0,
                });
            }
            Event::Prompted {
                round,
                question,
                kind,
                text,
                signal,
                repeat,
                ..
            } => {
                // A worded turn can land while paused (the model finished
                // after the candidate pressed pause).
                let active = match &mut self.phase {
                    Phase::Active(active) | Phase::Paused { active, .. } => active,
                    _ => return Err(InterviewError::Inconsistent("prompted")),
                };
                active.composing = None;
                active.current = Some(CurrentPrompt {
                    kind: *kind,
                    text: text.clone(),
                    signal: signal.clone(),
                });
                if *repeat {
                    active.repeats += 1;
                } else {
                    let turn = Turn {
                        kind: *kind,
                        prompt: text.clone(),
                        answer: None,
                        speech: None,
                    };
                    match kind {
                        PromptKind::Question => {
                            active.question = *question;
                            active.follow_ups_asked = 0;
                            active.hints = 0;
                            active.repeats = 0;
                            active.probed.clear();
                            self.records.push(QuestionRecord {
                                round: *round,
                                question: *question,
                                turns: vec![turn],
                                closed: None,
                                scores: Vec::new(),
                                test_runs: Vec::new(),
                            });
                        }
                        PromptKind::FollowUp | PromptKind::Hint => {
                            if *kind == PromptKind::FollowUp {
                                active.follow_ups_asked += 1;
                            } else {
                                active.hints += 1;
                            }
                            active.probed.extend(signal.clone());
                            let record = self
                                .records
                                .last_mut()
                                .ok_or(InterviewError::Inconsistent("prompted"))?;
                            record.turns.push(turn);
                        }
                    }
                }
            }
            Event::Composing {
                kind,
                signal,
                scripted,
                ..
            } => {
                let Phase::Active(active) = &mut self.phase else {
                    return Err(InterviewError::Inconsistent("composing"));
                };
                active.composing = Some(Pending {
                    kind: *kind,
                    signal: signal.clone(),
                    scripted: scripted.clone(),
                });
            }
            Event::Answered { text, speech, .. } => {
                let turn = self
                    .records
                    .last_mut()
                    .and_then(|r| r.turns.last_mut())
                    .ok_or(InterviewError::Inconsistent("answered"))?;
                turn.answer = Some(text.clone());
                turn.speech = speech.as_deref().cloned();
            }
            Event::TimeWarning { .. } => {
                if let Phase::Active(active) = &mut self.phase {
                    active.warned = true;
                }
            }
            Event::QuestionClosed {
                round,
                question,
                reason,
                ..
            } => {
                let record = self
                    .records
                    .iter_mut()
                    .find(|r| r.round == *round && r.question == *question)
                    .ok_or(InterviewError::Inconsistent("question_closed"))?;
                record.closed = Some(*reason);
                if let Phase::Active(active) = &mut self.phase {
                    active.current = None;
                    active.composing = None;
                }
            }
            Event::RoundEnded { .. } => {}
            Event::Paused {
                reason,
                remaining_ms,
                ..
            } => {
                let Phase::Active(active) = std::mem::replace(&mut self.phase, Phase::Lobby) else {
                    return Err(InterviewError::Inconsistent("paused"));
                };
                self.phase = Phase::Paused {
                    active,
                    remaining_ms: *remaining_ms,
                    reason: *reason,
                };
            }
            Event::Resumed { deadline, .. } => {
                let Phase::Paused { mut active, .. } =
                    std::mem::replace(&mut self.phase, Phase::Lobby)
                else {
                    return Err(InterviewError::Inconsistent("resumed"));
                };
                active.deadline = *deadline;
                self.phase = Phase::Active(active);
            }
            Event::InterviewEnded { .. } => self.phase = Phase::Grading,
            Event::Scored {
                round,
                question,
                score,
                ..
            } => {
                let record = self
                    .records
                    .iter_mut()
                    .find(|r| r.round == *round && r.question == *question)
                    .ok_or(InterviewError::Inconsistent("scored"))?;
                record.scores.push((**score).clone());
            }
            Event::Completed { .. } => self.phase = Phase::Finished,
            Event::TestsRun {
                round,
                question,
                run,
                ..
            } => {
                let record = self
                    .records
                    .iter_mut()
                    .find(|r| r.round == *round && r.question == *question)
                    .ok_or(InterviewError::Inconsistent("tests_run"))?;
                record.test_runs.push((**run).clone());
            }
        }
        self.last_at = event.at();
        self.seq += 1;
        Ok(())
    }
}

fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Begin => "begin",
        Input::Answer(_) => "answer",
        Input::SpokenAnswer { .. } => "spoken answer",
        Input::Skip => "skip",
        Input::Repeat => "repeat",
        Input::Pause(_) => "pause",
        Input::Resume => "resume",
        Input::Tick => "tick",
        Input::Hint => "hint",
        Input::Composed { .. } => "composed",
        Input::Graded { .. } => "graded",
        Input::TestsRan { .. } => "tests ran",
    }
}

/// A decision in progress: events emitted so far, applied to a scratch copy
/// so later rules see the state they produce.
struct Decision {
    session: Session,
    events: Vec<Event>,
    now: Millis,
}

impl Decision {
    fn emit(&mut self, event: Event) -> Result<(), InterviewError> {
        self.session.apply(&event)?;
        self.events.push(event);
        Ok(())
    }

    fn active(&self) -> Result<&Active, InterviewError> {
        match &self.session.phase {
            Phase::Active(a) => Ok(a),
            _ => Err(InterviewError::Inconsistent("not active")),
        }
    }

    /// The candidate's answers to the open question so far.
    fn current_answers(&self) -> Vec<String> {
        self.session
            .records
            .last()
            .map(QuestionRecord::answers)
            .unwrap_or_default()
    }

    fn start_round(&mut self, round: usize) -> Result<(), InterviewError> {
        let plan = Arc::clone(&self.session.plan);
        let Some(planned) = plan.rounds.get(round) else {
            self.emit(Event::InterviewEnded { at: self.now })?;
            return self.complete_if_graded();
        };
        self.emit(Event::RoundStarted {
            at: self.now,
            round,
            deadline: self.now + planned.budget_ms(),
        })?;
        self.ask_question(round, 0)
    }

    fn ask_question(&mut self, round: usize, question: usize) -> Result<(), InterviewError> {
        let text = self.session.plan.rounds[round].questions[question]
            .text
            .clone();
        self.emit(Event::Prompted {
            at: self.now,
            round,
            question,
            kind: PromptKind::Question,
            text,
            signal: None,
            repeat: false,
            source: None,
        })
    }

    /// After an answer: probe for the first missing signal the question has a
    /// probe for, unless the follow-up budget is spent; otherwise move on.
    fn follow_up_or_move_on(&mut self) -> Result<(), InterviewError> {
        let active = self.active()?.clone();
        let plan = Arc::clone(&self.session.plan);
        let round = &plan.rounds[active.round];
        if active.follow_ups_asked < round.max_follow_ups {
            let answers = self.current_answers();
            let shown = signals::detect(&round.rubric, &answers);
            let probe = round.questions[active.question]
                .probes
                .iter()
                .find(|p| !shown.contains(p.signal.as_str()) && !active.probed.contains(&p.signal));
            if let Some(probe) = probe {
                return self.ask(
                    PromptKind::FollowUp,
                    Some(probe.signal.clone()),
                    probe.text.clone(),
                );
            }
        }
        self.close_question(CloseReason::Answered)
    }

    fn close_question(&mut self, reason: CloseReason) -> Result<(), InterviewError> {
        let active = self.active()?.clone();
        self.emit(Event::QuestionClosed {
            at: self.now,
            round: active.round,
            question: active.question,
            reason,
        })?;
        let next = active.question + 1;
        if next < self.session.plan.rounds[active.round].questions.len() {
            self.ask_question(active.round, next)
        } else {
            self.end_round(RoundEndReason::Completed)
        }
    }

    fn end_round(&mut self, reason: RoundEndReason) -> Result<(), InterviewError> {
        let round = self.active()?.round;
        self.emit(Event::RoundEnded {
            at: self.now,
            round,
            reason,
        })?;
        self.start_round(round + 1)
    }

    fn complete_if_graded(&mut self) -> Result<(), InterviewError> {
        if self.session.phase == Phase::Grading && self.session.ungraded().next().is_none() {
            self.emit(Event::Completed { at: self.now })?;
        }
        Ok(())
    }
}
