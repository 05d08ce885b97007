//! Speech: turning a candidate's voice into text.
//!
//! A [`Transcriber`] takes 16 kHz mono audio and returns the words with their
//! timings. The local one runs whisper.cpp on its own worker threads behind a
//! bounded queue; a remote one may call an OpenAI-compatible endpoint. The
//! session code only sees this trait, held in state as `Arc<dyn Transcriber>`.

pub mod analytics;
pub mod backchannel;
pub mod frame;
pub mod partial;
pub mod turn;
pub mod utterance;
pub mod vad;

use std::sync::Arc;

mod coverage;
mod decode;
mod loop_guard;
pub mod model;
pub mod provision;
mod queue;
pub mod remote;
pub mod tts;
pub mod wav;
pub mod whisper;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Samples per second of all audio handled here.
pub const SAMPLE_RATE: u32 = 16_000;

/// Disfluencies in the decoder prompt keep Whisper from dropping the
/// candidate's own "um"s and "uh"s, which the analytics count.
pub const FILLER_PRIMER: &str = "Um, uh, so, like, you know, I mean, let me think.";

/// The decoder prompt for a spoken answer to `question`.
pub fn answer_prompt(question: &str) -> String {
    format!("{question} {FILLER_PRIMER}")
}

/// Mono samples in [-1, 1] at [`SAMPLE_RATE`].
pub type Samples = Arc<[f32]>;

/// What the recogniser heard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub text: String,
    pub words: Vec<Word>,
    /// Mean token probability, 0 to 1: low values mark a transcript a reviewer
    /// should not trust blindly.
    pub confidence: f32,
    /// Length of the audio transcribed, in milliseconds.
    pub audio_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start_ms: u64,
    pub end_ms: u64,
    pub probability: f32,
}

/// How to transcribe one clip.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub audio: Samples,
    /// Text that primes the decoder: the question, and disfluencies ("um,
    /// uh") so Whisper keeps the candidate's fillers instead of dropping them.
    pub initial_prompt: Option<String>,
    /// A partial pass on a growing utterance: the queue may drop it under
    /// load, never a final one.
    pub partial: bool,
    /// Who the clip is for (a session id): the local recogniser's queue
    /// shares itself fairly between owners. `None` for one-off callers.
    pub owner: Option<std::sync::Arc<str>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The queue is full; the caller should tell the client to slow down.
    #[error("the speech recogniser is busy ({0} clips waiting)")]
    Busy(usize),
    #[error("the speech recogniser failed: {0}")]
    Failed(String),
    #[error("no speech model is loaded: {0}")]
    NoModel(String),
    /// The caller stopped waiting (the clip was no longer wanted).
    #[error("the clip was withdrawn")]
    Withdrawn,
}

#[async_trait]
pub trait Transcriber: Send + Sync {
    /// A short name for logs and reports, e.g. `whisper tiny.en`.
    fn name(&self) -> &str;
    async fn transcribe(&self, request: Request) -> Result<Transcript, SpeechError>;
    /// Clips waiting for a worker (for back-pressure and metrics).
    fn queue_depth(&self) -> usize;
}
