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
mod decision;
mod event;
mod input;
mod pacing;
mod plan;
mod shared;
mod state;
#[cfg(test)]
mod tests;
mod topics;

use std::sync::Arc;

pub use compose::{MAX_HINTS, is_hint_request};

/// Repeats of one question's prompts (question, follow-ups and hints).
pub const MAX_REPEATS: u32 = 5;
use decision::Decision;
pub use event::{
    Author, CloseReason, EpochMs, Event, Fallback, PauseReason, PromptKind, RoundEndReason,
    StoredEvent, TurnSource,
};
use input::input_name;
pub use input::{Answer, Input, InterviewError};
pub use plan::{Ask, Plan, PlanError, PlannedRound, level_of};
use state::{Active, Phase};
pub use state::{CurrentPrompt, ForGrading, Pending, QuestionRecord, Turn};
pub use topics::TopicDrill;

#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    plan: Arc<Plan>,
    created_at: EpochMs,
    /// When the last applied event happened: a session found active after a
    /// crash is treated as paused since then.
    last_at: EpochMs,
    seq: u64,
    phase: Phase,
    /// Shared, not copied, with the scratch session a decision works on
    /// (see `decision.rs`): a clone of the session copies a pointer per
    /// question, and only a record an event changes is copied, on write.
    records: Vec<Arc<QuestionRecord>>,
}

impl Session {
    /// The first event of a new session.
    pub fn create(now: EpochMs, plan: Plan) -> Event {
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

    pub fn created_at(&self) -> EpochMs {
        self.created_at
    }

    /// When the last applied event happened.
    pub fn last_event_at(&self) -> EpochMs {
        self.last_at
    }

    /// The sequence number of the last applied event.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The engine's own tests look at the phase itself; everyone else asks
    /// the questions below.
    #[cfg(test)]
    fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The phase by name: `lobby`, `active`, `paused`, `grading` or
    /// `finished` (what the protocol and the report call the state).
    pub fn state(&self) -> &'static str {
        self.phase.name()
    }

    /// A question is being asked and the round's clock runs.
    pub fn is_active(&self) -> bool {
        matches!(self.phase, Phase::Active(_))
    }

    /// Every round is over and every answer graded.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// The round and question being asked while the clock runs (not while
    /// paused): where a test run or a spoken answer belongs.
    pub fn asking(&self) -> Option<(usize, usize)> {
        match &self.phase {
            Phase::Active(a) => Some((a.round, a.question)),
            _ => None,
        }
    }

    /// The prompt on screen while the clock runs.
    pub fn current_prompt(&self) -> Option<&CurrentPrompt> {
        match &self.phase {
            Phase::Active(a) => a.current.as_ref(),
            _ => None,
        }
    }

    /// The follow-up or hint an LLM is wording, if any (active or paused).
    pub fn composing(&self) -> Option<&Pending> {
        match &self.phase {
            Phase::Active(a) | Phase::Paused { active: a, .. } => a.composing.as_ref(),
            _ => None,
        }
    }

    pub fn records(&self) -> &[Arc<QuestionRecord>] {
        &self.records
    }

    pub fn record(&self, round: usize, question: usize) -> Option<&QuestionRecord> {
        self.records
            .iter()
            .map(Arc::as_ref)
            .find(|r| r.round == round && r.question == question)
    }

    /// Closed questions still waiting for their first score.
    pub fn ungraded(&self) -> impl Iterator<Item = &QuestionRecord> {
        self.records
            .iter()
            .map(Arc::as_ref)
            .filter(|r| r.closed.is_some() && r.scores.is_empty())
    }

    /// When the session next needs a [`Input::Tick`]: the time warning, else
    /// the end of the round. Only an active round has a clock.
    pub fn poll_timeout(&self) -> Option<EpochMs> {
        match &self.phase {
            Phase::Active(a) if !a.warned => {
                Some(a.deadline - self.plan.rounds[a.round].warn_before_ms())
            }
            Phase::Active(a) => Some(a.deadline),
            _ => None,
        }
    }

    /// Time left in the round at `now`: the running clock while active,
    /// what was left when it paused while paused; `None` between rounds.
    pub fn remaining_ms(&self, now: EpochMs) -> Option<i64> {
        match &self.phase {
            Phase::Active(a) => Some((a.deadline - now).max(0)),
            Phase::Paused { remaining_ms, .. } => Some(*remaining_ms),
            _ => None,
        }
    }

    /// The round and question on screen, active or paused.
    pub fn position(&self) -> Option<(usize, usize)> {
        match &self.phase {
            Phase::Active(a) | Phase::Paused { active: a, .. } => Some((a.round, a.question)),
            _ => None,
        }
    }

    /// Decides what follows from `input` at time `now`.
    pub fn handle(&self, now: EpochMs, input: Input) -> Result<Vec<Event>, InterviewError> {
        // What a lost or returning connection means depends on the phase:
        // the engine's rule, not the driver's.
        let input = match (&self.phase, input) {
            (Phase::Active(_), Input::Disconnected) => Input::Pause(PauseReason::Disconnected),
            (Phase::Lobby, Input::Ready) => Input::Begin,
            (Phase::Paused { .. }, Input::Ready) => Input::Resume,
            (_, Input::Disconnected | Input::Ready) => return Ok(Vec::new()),
            (_, input) => input,
        };
        let mut d = Decision {
            session: self.clone(),
            events: Vec::new(),
            now,
            lead: None,
        };
        match (&self.phase, input) {
            (Phase::Lobby, Input::Begin) => d.start_round(0)?,
            (
                Phase::Active(_),
                Input::Answer(Answer {
                    text,
                    speech,
                    coverage,
                }),
            ) => {
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
                    timed_out: false,
                })?;
                d.follow_up_or_move_on(coverage.as_deref())?;
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
                // prompt stays on screen, so a few are plenty. After a hint
                // it is the question that is said again, not the hint.
                if a.repeats >= MAX_REPEATS {
                    return Err(InterviewError::NoMoreRepeats);
                }
                let current = a
                    .asked
                    .as_ref()
                    .or(a.current.as_ref())
                    .cloned()
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
                    lead: None,
                })?;
            }
            (Phase::Active(_), Input::Pause(reason)) => {
                d.emit(Event::Paused {
                    at: now,
                    reason,
                    remaining_ms: self.remaining_ms(now).unwrap_or(0),
                })?;
            }
            (Phase::Paused { remaining_ms, .. }, Input::Resume) => {
                d.emit(Event::Resumed {
                    at: now,
                    deadline: now + remaining_ms,
                })?;
            }
            (Phase::Active(a), input @ (Input::Tick | Input::TickWithDraft(_))) => {
                let round = &self.plan.rounds[a.round];
                if now >= a.deadline {
                    let draft = match input {
                        Input::TickWithDraft(draft) => Some(draft),
                        _ => None,
                    };
                    let draft = draft.filter(|d| !d.text.trim().is_empty());
                    // Not while an LLM words a follow-up: the question on
                    // screen is then not the one the draft answers.
                    if let Some(draft) = draft.filter(|_| a.composing.is_none()) {
                        d.emit(Event::Answered {
                            at: now,
                            text: draft.text.trim().to_owned(),
                            speech: draft.speech,
                            timed_out: true,
                        })?;
                    }
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
            (_, Input::Tick | Input::TickWithDraft(_)) => {}
            (
                Phase::Active(_) | Phase::Paused { .. },
                Input::TestsRun {
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
                    asked: None,
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
                let prompt = CurrentPrompt {
                    kind: *kind,
                    text: text.clone(),
                    signal: signal.clone(),
                };
                if *kind != PromptKind::Hint {
                    active.asked = Some(prompt.clone());
                }
                active.current = Some(prompt);
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
                            self.records.push(Arc::new(QuestionRecord {
                                round: *round,
                                question: *question,
                                turns: vec![turn],
                                closed: None,
                                scores: Vec::new(),
                                test_runs: Vec::new(),
                            }));
                        }
                        PromptKind::FollowUp | PromptKind::Hint => {
                            if *kind == PromptKind::FollowUp {
                                active.follow_ups_asked += 1;
                            } else {
                                active.hints += 1;
                            }
                            active.probed.extend(signal.clone());
                            last_mut(&mut self.records, "prompted")?.turns.push(turn);
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
                let turn = last_mut(&mut self.records, "answered")?
                    .turns
                    .last_mut()
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
                let record = find_mut(&mut self.records, *round, *question, "question_closed")?;
                record.closed = Some(*reason);
                if let Phase::Active(active) = &mut self.phase {
                    active.current = None;
                    active.asked = None;
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
                let record = find_mut(&mut self.records, *round, *question, "scored")?;
                record.scores.push((**score).clone());
            }
            Event::Completed { .. } => self.phase = Phase::Finished,
            Event::TestsRun {
                round,
                question,
                run,
                ..
            } => {
                let record = find_mut(&mut self.records, *round, *question, "tests_run")?;
                record.test_runs.push((**run).clone());
            }
        }
        self.last_at = event.at();
        self.seq += 1;
        Ok(())
    }
}

/// The last question's record, to change: copied first if a decision's
/// scratch session still shares it.
fn last_mut<'a>(
    records: &'a mut [Arc<QuestionRecord>],
    event: &'static str,
) -> Result<&'a mut QuestionRecord, InterviewError> {
    records
        .last_mut()
        .map(Arc::make_mut)
        .ok_or(InterviewError::Inconsistent(event))
}

/// A question's record, to change (copied on write, as [`last_mut`]).
fn find_mut<'a>(
    records: &'a mut [Arc<QuestionRecord>],
    round: usize,
    question: usize,
    event: &'static str,
) -> Result<&'a mut QuestionRecord, InterviewError> {
    records
        .iter_mut()
        .find(|r| r.round == round && r.question == question)
        .map(Arc::make_mut)
        .ok_or(InterviewError::Inconsistent(event))
}
