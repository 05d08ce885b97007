//! The session's side of spoken answers: its voice pipeline, what the
//! pipeline asks for, and transcription run beside the session.

use std::sync::Arc;

use tokio::time::Instant;
use tracing::Instrument;

use std::collections::HashMap;

use tokio_util::sync::CancellationToken;

use super::super::protocol::ServerMsg;
use super::super::voice::{Action, Job, TurnJob, Voice};
use super::{Actor, Command};
use crate::speech::SpeechError;
use crate::speech::turn::TurnError;

/// What lets the session withdraw transcriptions it no longer wants.
#[derive(Default)]
pub(super) struct SpeechPasses {
    /// Cancelled when a new prompt is asked: every pass in flight then
    /// answers an old one.
    prompt: CancellationToken,
    /// Early passes running, by number (see [`Action::Withdraw`]).
    early: HashMap<u64, CancellationToken>,
    /// The end-of-turn decision in flight: a newer pause withdraws it, so
    /// a session never holds more than one place in the model's queue.
    turn: Option<CancellationToken>,
}

impl SpeechPasses {
    /// A new prompt: withdraw every pass for the last one.
    pub(super) fn new_prompt(&mut self) {
        self.prompt.cancel();
        *self = SpeechPasses::default();
    }

    /// A pass came back (or was withdrawn).
    pub(super) fn returned(&mut self, job: &Job) {
        if let Some(early) = job.early {
            self.early.remove(&early);
        }
    }
}

impl Actor {
    /// The session's voice pipeline, made when first needed with the
    /// question being asked: most interviews are typed, and a held session
    /// should not carry a voice detector's state (about 9 KB) it never uses.
    /// `None` when the server takes no spoken answers.
    pub(super) fn voice(&mut self) -> Option<&mut Voice> {
        if self.voice.is_none() {
            let setup = self.shared.voice.as_ref()?;
            let mut voice = Box::new(Voice::new(setup.tuning.clone()));
            if let Some(current) = self.session.current_prompt() {
                voice.new_prompt(&current.text);
            }
            self.voice = Some(voice);
        }
        self.voice.as_deref_mut()
    }

    /// The candidate submitted the spoken answer they reviewed.
    pub(super) async fn submit_spoken(&mut self, text: String) {
        if !self.session.is_active() {
            self.send(ServerMsg::error(
                "not_allowed",
                "There is no question to answer right now.",
            ));
            return;
        }
        let Some(voice) = self.voice() else {
            self.send(ServerMsg::error(
                "unsupported",
                "Voice is not enabled on this server; send text answers.",
            ));
            return;
        };
        let actions = voice.submit_reviewed(text);
        self.perform(actions).await;
    }

    pub(super) async fn perform(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Send(msg) => self.send(msg),
                Action::Transcribe(job) => self.spawn_transcription(job),
                Action::JudgeTurn(job) => self.spawn_turn_decision(job),
                Action::Withdraw(early) => {
                    if let Some(pass) = self.speech_passes.early.remove(&early) {
                        pass.cancel();
                    }
                }
                Action::Submit { text, speech } => {
                    self.answered_at = Some(Instant::now());
                    self.answer(text, Some(speech)).await
                }
            }
        }
    }

    /// The end-of-turn model judges a pause beside the session (on its own
    /// thread); the answer comes back as a command. Without a model there
    /// is nothing to ask, and the pause is left to the fixed hold.
    fn spawn_turn_decision(&mut self, job: TurnJob) {
        let Some(turn) = self.shared.voice.as_ref().and_then(|v| v.turn.clone()) else {
            if let Some(voice) = &mut self.voice {
                voice.turn_judged(&job, Err(TurnError::Failed("no model".into())));
            }
            return;
        };
        let withdrawn = self.speech_passes.prompt.child_token();
        if let Some(older) = self.speech_passes.turn.replace(withdrawn.clone()) {
            older.cancel();
        }
        let tx = self.tx.clone();
        self.pending_speech += 1;
        let span = tracing::Span::current();
        self.shared.tracker.spawn(
            async move {
                let mut job = job;
                let audio = std::mem::take(&mut job.audio);
                // Dropping a withdrawn decision's future gives up its place
                // in the model's queue.
                let result = withdrawn
                    .run_until_cancelled(turn.probability(audio))
                    .await
                    .unwrap_or_else(|| Err(TurnError::Failed("withdrawn".into())));
                let _ = tx
                    .send(Command::TurnJudged {
                        job: Box::new(job),
                        result,
                    })
                    .await;
            }
            .instrument(span),
        );
    }

    /// Speech is transcribed beside the session, like grading: audio keeps
    /// flowing while the recogniser works.
    fn spawn_transcription(&mut self, job: Job) {
        let Some(setup) = &self.shared.voice else {
            return;
        };
        let transcriber = Arc::clone(&setup.transcriber);
        let metrics = Arc::clone(&self.shared.metrics);
        let tx = self.tx.clone();
        // The recogniser shares itself fairly between sessions by this.
        let owner: Arc<str> = Arc::from(self.id.as_str());
        let withdrawn = self.speech_passes.prompt.child_token();
        if let Some(early) = job.early {
            self.speech_passes.early.insert(early, withdrawn.clone());
        }
        self.pending_speech += 1;
        let span = tracing::Span::current();
        self.shared.tracker.spawn(
            async move {
                let mut job = job;
                let mut request = std::mem::take(&mut job.request);
                request.owner = Some(owner);
                let audio_ms =
                    request.audio.len() as u64 * 1000 / u64::from(crate::speech::SAMPLE_RATE);
                let started = Instant::now();
                // Dropping a withdrawn pass's future gives up its place in
                // the recogniser's queue; the voice pipeline ignores the
                // reply, which still comes so the session can count it.
                let result = withdrawn
                    .run_until_cancelled(transcriber.transcribe(request))
                    .await
                    .unwrap_or(Err(SpeechError::Withdrawn));
                if result.is_ok() {
                    metrics.transcribed(started.elapsed(), audio_ms);
                }
                let _ = tx
                    .send(Command::Transcribed {
                        job: Box::new(job),
                        result: Box::new(result),
                    })
                    .await;
            }
            .instrument(span),
        );
    }
}
