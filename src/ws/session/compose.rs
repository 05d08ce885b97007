//! Driving the LLM interviewer for a session: when the engine stores a
//! `composing` event, a task beside the session asks the model, streams its
//! pieces to the socket as `prompt_delta`s and hands back the words, which
//! go into the engine as `Input::Composed` and are stored as the prompt.
//! Nothing here decides what is asked; the engine did.

use std::sync::Arc;

use tokio::time::Instant;
use tracing::{Instrument, warn};

use super::{Actor, Command};
use crate::engine::{Author, Fallback, Input, TurnSource};
use crate::interviewer::{Composed, TurnRequest};
use crate::ws::protocol::ServerMsg;

impl Actor {
    /// Starts wording the turn the `composing` event `id` asked for.
    pub(super) fn start_composing(&mut self, id: u64) {
        let Some(pending) = self.session.composing().cloned() else {
            return;
        };
        let since = self.answered_at.unwrap_or_else(Instant::now);
        let Some(interviewer) = self.shared.interviewer.clone() else {
            // The session began under an LLM interviewer this server no
            // longer has: the scripted words, at once.
            let tx = self.tx.clone();
            let composed = scripted(pending.scripted, Fallback::Unavailable, since);
            self.composing = true;
            self.shared.tracker.spawn(async move {
                let _ = tx
                    .send(Command::Composed {
                        id,
                        composed: Box::new(composed),
                    })
                    .await;
            });
            return;
        };
        let Some((round, question)) = self.session.position() else {
            return;
        };
        let remaining_ms = self
            .session
            .remaining_ms(self.shared.clock.now_ms())
            .unwrap_or(0);
        let request = TurnRequest {
            plan: Arc::clone(self.session.plan()),
            round,
            question,
            turns: self
                .session
                .record(round, question)
                .map(|r| r.turns.clone())
                .unwrap_or_default(),
            pending,
            remaining_seconds: remaining_ms / 1000,
        };
        let tx = self.tx.clone();
        let cancel = self.shared.cancel.clone();
        self.composing = true;
        let span = tracing::Span::current();
        self.shared.tracker.spawn(
            async move {
                let deltas = tx.clone();
                // A delta that finds the command queue full is dropped: the
                // stored prompt that follows carries the whole text, so a
                // gap costs the client a moment's preview, never the words.
                let compose = interviewer.compose(&request, since, |piece| {
                    let _ = deltas.try_send(Command::PromptDelta {
                        id,
                        text: piece.to_owned(),
                    });
                });
                // On shutdown the session is paused and stored; the turn is
                // settled with the scripted words when it loads again.
                let composed = tokio::select! {
                    composed = compose => composed,
                    _ = cancel.cancelled() => return,
                };
                let _ = tx
                    .send(Command::Composed {
                        id,
                        composed: Box::new(composed),
                    })
                    .await;
            }
            .instrument(span),
        );
    }

    pub(super) fn prompt_delta(&mut self, id: u64, text: String) {
        if self.conn.as_ref().is_some_and(|c| c.resumed) {
            self.send(ServerMsg::PromptDelta { id, text });
        }
    }

    /// The words are ready: withdraw streamed text that was not kept, then
    /// store the prompt (which the client receives as usual).
    pub(super) async fn composed(&mut self, id: u64, composed: Composed) {
        self.composing = false;
        self.shared.metrics.composed(&composed.source);
        if composed.streamed
            && let Some(reason) = composed.source.fallback
        {
            self.send(ServerMsg::PromptDiscarded {
                id,
                reason: reason.as_str(),
            });
        }
        // The question may have closed meanwhile (skipped, or time ran
        // out): then the turn is no longer wanted.
        if self.session.composing().is_none() {
            return;
        }
        self.input(Input::Composed {
            text: composed.text,
            source: Box::new(composed.source),
        })
        .await;
    }

    /// A session loaded with a turn still being worded lost its task (the
    /// server stopped): the scripted words are stored, so it never waits.
    pub(super) async fn settle_interrupted_turn(&mut self) {
        let Some(pending) = self.session.composing().cloned() else {
            return;
        };
        warn!("a turn was being worded when the server stopped; asking the scripted one");
        let composed = scripted(pending.scripted, Fallback::Interrupted, Instant::now());
        self.input(Input::Composed {
            text: composed.text,
            source: Box::new(composed.source),
        })
        .await;
    }
}

fn scripted(text: String, reason: Fallback, since: Instant) -> Composed {
    Composed {
        text,
        streamed: false,
        source: TurnSource {
            by: Author::Scripted,
            fallback: Some(reason),
            model: None,
            usage: None,
            first_token_ms: None,
            full_ms: u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX),
        },
    }
}
