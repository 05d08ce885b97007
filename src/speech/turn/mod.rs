//! End of turn: has the candidate finished their thought, or only paused?
//!
//! A fixed silence either cuts a thinking candidate off or makes everyone
//! wait. Pipecat's Smart Turn v3.2 judges the *audio* of the pause's end
//! (intonation, a trailing "um", a clause left open) and says how likely
//! the turn is complete. [`TurnDetector`] runs it for the whole server on
//! one worker thread behind a small bounded queue: a decision is tens of
//! milliseconds of one core, and a busy or failed decision is an error
//! the caller answers by falling back to the fixed silence hold for that
//! pause (the utterance assembler's `turn_unavailable`). The policy that
//! uses the verdicts lives in `speech::utterance`.
//!
//! The model comes from the PyPI wheel `pipecat-ai`, which ships it, and
//! runs in ONNX Runtime, whose library comes from the `onnxruntime` wheel
//! ([`install`]).

pub mod features;
pub mod install;
mod model;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use async_trait::async_trait;
use tokio::sync::oneshot;

pub use model::SmartTurn;

use super::Samples;

#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error("could not load the end-of-turn model: {0}")]
    Load(String),
    /// Every place in the queue is taken: judge this pause by the hold.
    #[error("the end-of-turn model is busy ({0} decisions waiting)")]
    Busy(usize),
    #[error("the end-of-turn model failed: {0}")]
    Failed(String),
}

/// Judges whether a turn is complete; held in state so that tests can
/// stand in a fixed answer.
#[async_trait]
pub trait EndOfTurn: Send + Sync {
    /// The probability that the speaker is done, for 16 kHz audio that
    /// ends in the pause being judged (only its last 8 s are looked at).
    async fn probability(&self, audio: Samples) -> Result<f32, TurnError>;
}

struct Job {
    audio: Samples,
    span: tracing::Span,
    reply: oneshot::Sender<Result<f32, TurnError>>,
}

/// The model on its own thread, shared by every session.
pub struct TurnDetector {
    /// `None` only while dropping.
    jobs: Option<mpsc::SyncSender<Job>>,
    /// Joined on drop, so the model is unloaded before the detector is
    /// gone, not while the process exits around a thread still using it.
    worker: Option<std::thread::JoinHandle<()>>,
    /// Decisions queued or running, for the busy answer.
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

impl TurnDetector {
    /// Loads the model with ONNX Runtime's library (blocking: a fraction of
    /// a second) and starts its worker.
    /// `queue` decisions may wait beyond the running one: each session has
    /// at most one in flight (a newer pause withdraws the older), so the
    /// queue bounds how long one session's decision waits behind others'.
    pub fn load(model: &Path, runtime: &Path, queue: usize) -> Result<TurnDetector, TurnError> {
        let model = SmartTurn::load(model, runtime)?;
        Ok(TurnDetector::start(model, queue))
    }

    pub fn start(model: SmartTurn, queue: usize) -> TurnDetector {
        let (jobs, rx) = mpsc::sync_channel::<Job>(queue);
        let waiting = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&waiting);
        // One thread: decisions are short, and more would take cores from
        // the recogniser's workers, whose threads spin while they wait for
        // each other. The thread ends when the detector is dropped.
        let worker = std::thread::Builder::new()
            .name("end-of-turn".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    // A decision nobody waits for any more (the candidate
                    // spoke on, or the session went) costs nothing.
                    if !job.reply.is_closed() {
                        let _entered = job.span.enter();
                        let started = std::time::Instant::now();
                        let result = model.probability(&job.audio);
                        tracing::debug!(
                            elapsed_ms = started.elapsed().as_millis() as u64,
                            ok = result.is_ok(),
                            "end-of-turn decision"
                        );
                        let _ = job.reply.send(result);
                    }
                    count.fetch_sub(1, Ordering::Relaxed);
                }
            })
            .expect("spawning the end-of-turn thread");
        TurnDetector {
            jobs: Some(jobs),
            worker: Some(worker),
            waiting,
            queue,
        }
    }

    /// Decisions waiting or running.
    pub fn queue_depth(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }
}

impl Drop for TurnDetector {
    /// Closes the queue and waits for the worker to finish its decision
    /// (tens of milliseconds) and unload the model.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

#[async_trait]
impl EndOfTurn for TurnDetector {
    async fn probability(&self, audio: Samples) -> Result<f32, TurnError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            audio,
            span: tracing::Span::current(),
            reply,
        };
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let sent = match &self.jobs {
            Some(jobs) => jobs.try_send(job),
            None => Err(mpsc::TrySendError::Disconnected(job)),
        };
        if let Err(e) = sent {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            return Err(match e {
                mpsc::TrySendError::Full(_) => TurnError::Busy(self.queue),
                mpsc::TrySendError::Disconnected(_) => {
                    TurnError::Failed("the end-of-turn worker stopped".into())
                }
            });
        }
        answer
            .await
            .unwrap_or_else(|_| Err(TurnError::Failed("the end-of-turn worker stopped".into())))
    }
}
