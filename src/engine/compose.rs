//! Turns an LLM may word: follow-ups and hints. The engine still decides
//! which turn comes (the probe for a missing signal, a hint when asked) and
//! what the scripted interviewer would say. With `Plan::llm_turns` it emits
//! [`Event::Composing`] instead of the prompt; the session task asks the
//! model and feeds the words back as [`Input::Composed`](super::Input), which
//! becomes an ordinary `Prompted` event. A replay reads the stored words and
//! never asks the model again.

use std::sync::Arc;

use crate::text::signals;

use super::{Decision, Event, InterviewError, PromptKind, TurnSource};

/// Hints per question: a third would be the interviewer answering for the candidate.
pub const MAX_HINTS: u32 = 2;

/// Longest typed or spoken text read as a request for a hint rather than an
/// answer: "could I get a hint?" is short; an answer that mentions hints is not.
const MAX_REQUEST_WORDS: usize = 10;

/// Whether `text` asks for a hint ("Can I get a hint?", "I'm stuck, any
/// nudge?") instead of answering.
pub fn is_hint_request(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > MAX_REQUEST_WORDS {
        return false;
    }
    let has = |w: &str| words.contains(&w);
    has("hint")
        || has("hints")
        || has("nudge")
        || (has("stuck") && (has("i'm") || has("im") || has("i")))
}

impl Decision {
    /// Asks a follow-up or hint: worded by the scripted interviewer now, or
    /// by an LLM when the plan says so.
    pub(super) fn ask(
        &mut self,
        kind: PromptKind,
        signal: Option<String>,
        scripted: String,
    ) -> Result<(), InterviewError> {
        let active = self.active()?.clone();
        let lead = self.lead.take();
        let event = if self.session.plan.llm_turns {
            Event::Composing {
                at: self.now,
                round: active.round,
                question: active.question,
                kind,
                signal,
                scripted,
            }
        } else {
            Event::Prompted {
                at: self.now,
                round: active.round,
                question: active.question,
                kind,
                text: scripted,
                signal,
                repeat: false,
                source: None,
                lead,
            }
        };
        self.emit(event)
    }

    /// A hint toward the first signal still missing from the answer: the
    /// question's own probe for it where there is one, else the rubric's
    /// description of it. Never a key point.
    pub(super) fn give_hint(&mut self) -> Result<(), InterviewError> {
        let active = self.active()?.clone();
        if active.hints >= MAX_HINTS {
            return Err(InterviewError::NoMoreHints);
        }
        let plan = Arc::clone(&self.session.plan);
        let round = &plan.rounds[active.round];
        let question = &round.questions[active.question];
        let answers = self.current_answers();
        let shown = signals::detect(&round.rubric, &answers);
        let missing = |id: &str| !shown.contains(id) && !active.probed.iter().any(|p| p == id);
        let (signal, text) = if let Some(probe) =
            question.probes.iter().find(|p| missing(&p.signal))
        {
            (
                Some(probe.signal.clone()),
                format!("Here's a nudge: {}", probe.text),
            )
        } else if let Some(signal) = round.rubric.signals().find(|s| missing(&s.id)) {
            (
                Some(signal.id.clone()),
                format!(
                    "Here's a nudge: a strong answer here also {}.",
                    lower_first(signal.description.trim_end_matches('.'))
                ),
            )
        } else {
            (
                None,
                "You're on the right track. Keep going: say more about the part you're least sure of.".to_owned(),
            )
        };
        self.ask(PromptKind::Hint, signal, text)
    }

    /// The words for the pending turn arrived.
    pub(super) fn composed(
        &mut self,
        text: String,
        source: Box<TurnSource>,
    ) -> Result<(), InterviewError> {
        let (round, question, pending) = match &self.session.phase {
            super::Phase::Active(a) | super::Phase::Paused { active: a, .. } => (
                a.round,
                a.question,
                a.composing
                    .clone()
                    .ok_or(InterviewError::Inconsistent("composed"))?,
            ),
            _ => return Err(InterviewError::Inconsistent("composed")),
        };
        let text = text.trim();
        // The session task validates the model's words; an empty text here
        // would be a bug there, and the scripted words are always fit.
        let text = if text.is_empty() {
            pending.scripted
        } else {
            text.to_owned()
        };
        self.emit(Event::Prompted {
            at: self.now,
            round,
            question,
            kind: pending.kind,
            text,
            signal: pending.signal,
            repeat: false,
            source: Some(source),
            lead: None,
        })
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_hint_request;

    #[test]
    fn short_requests_for_help_are_hint_requests() {
        for text in [
            "Can I get a hint?",
            "hint please",
            "I'm stuck",
            "Any nudge?",
            "im stuck here",
        ] {
            assert!(is_hint_request(text), "{text}");
        }
    }

    #[test]
    fn answers_that_mention_hints_are_answers() {
        for text in [
            "I would add a hint to the query planner so it uses the index on user id and time range.",
            "The thread got stuck on a lock",
            "Use a hash map",
        ] {
            assert!(!is_hint_request(text), "{text}");
        }
    }
}
