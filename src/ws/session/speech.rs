//! The session's side of spoken answers: its voice pipeline, what the
//! pipeline asks for, and transcription run beside the session.

use std::sync::Arc;

use tokio::time::Instant;
use tracing::Instrument;

use super::super::voice::{Action, Job, Voice};
use super::{Actor, Command};
use crate::engine::Input;

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

    pub(super) async fn perform(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Send(msg) => self.send(msg),
                Action::Transcribe(job) => self.spawn_transcription(job),
                Action::Submit { text, speech } => {
                    self.answered_at = Some(Instant::now());
                    self.input(Input::SpokenAnswer { text, speech }).await
                }
            }
        }
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
                let result = transcriber.transcribe(request).await;
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
