//! One decision of [`Session::handle`]: the rules, emitting events onto a
//! scratch copy of the session so each rule sees what the ones before it did.
//! The copy is cheap: question records are shared with the session and only
//! the one an event changes is copied (see `Session::records`).

use std::sync::Arc;

use super::*;
use crate::outcome::KeyPointResult;

/// A decision in progress: events emitted so far, applied to a scratch copy
/// so later rules see the state they produce.
pub(super) struct Decision {
    pub(super) session: Session,
    pub(super) events: Vec<Event>,
    pub(super) now: EpochMs,
    /// What the interviewer says before the next prompt this decision
    /// emits (see [`pacing`]); taken by that prompt.
    pub(super) lead: Option<String>,
}

impl Decision {
    pub(super) fn emit(&mut self, event: Event) -> Result<(), InterviewError> {
        self.session.apply(&event)?;
        self.events.push(event);
        Ok(())
    }

    pub(super) fn active(&self) -> Result<&Active, InterviewError> {
        match &self.session.phase {
            Phase::Active(a) => Ok(a),
            _ => Err(InterviewError::Inconsistent("not active")),
        }
    }

    /// The candidate's answers to the open question so far.
    pub(super) fn current_answers(&self) -> Vec<String> {
        self.session
            .records
            .last()
            .map(|r| r.answers())
            .unwrap_or_default()
    }

    pub(super) fn start_round(&mut self, round: usize) -> Result<(), InterviewError> {
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

    pub(super) fn ask_question(
        &mut self,
        round: usize,
        question: usize,
    ) -> Result<(), InterviewError> {
        let text = self.session.plan.rounds[round].questions[question]
            .text
            .clone();
        let lead = self.lead.take();
        self.emit(Event::Prompted {
            at: self.now,
            round,
            question,
            kind: PromptKind::Question,
            text,
            signal: None,
            repeat: false,
            source: None,
            lead,
        })
    }

    /// After an answer: a follow-up on what is still missing, or move on
    /// (see [`pacing`]), with a word first either way.
    pub(super) fn follow_up_or_move_on(
        &mut self,
        coverage: Option<&[KeyPointResult]>,
    ) -> Result<(), InterviewError> {
        let active = self.active()?.clone();
        let plan = Arc::clone(&self.session.plan);
        let round = &plan.rounds[active.round];
        let (answers, prompts): (Vec<String>, Vec<String>) = self
            .session
            .records
            .last()
            .map(|r| {
                (
                    r.answers(),
                    r.turns.iter().map(|t| t.prompt.clone()).collect(),
                )
            })
            .unwrap_or_default();
        let heard = pacing::Heard {
            answers: &answers,
            prompts: &prompts,
            coverage,
        };
        match pacing::next(round, &active, &heard, self.now) {
            pacing::Next::Ask { signal, text, lead } => {
                // An LLM wording the turn acknowledges the answer itself.
                self.lead = (!plan.llm_turns).then_some(lead);
                self.ask(PromptKind::FollowUp, signal, text)
            }
            pacing::Next::MoveOn { lead } => {
                self.lead = Some(lead);
                self.close_question(CloseReason::Answered)
            }
        }
    }

    pub(super) fn close_question(&mut self, reason: CloseReason) -> Result<(), InterviewError> {
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

    pub(super) fn end_round(&mut self, reason: RoundEndReason) -> Result<(), InterviewError> {
        let round = self.active()?.round;
        self.emit(Event::RoundEnded {
            at: self.now,
            round,
            reason,
        })?;
        self.start_round(round + 1)
    }

    pub(super) fn complete_if_graded(&mut self) -> Result<(), InterviewError> {
        if self.session.phase == Phase::Grading && self.session.ungraded().next().is_none() {
            self.emit(Event::Completed { at: self.now })?;
        }
        Ok(())
    }
}
