//! `[voice]`: how live audio is cut into utterances.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Bounded, OpenFraction};

/// How live audio is cut into utterances (see `speech::utterance`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceConfig {
    /// Silence that ends an utterance when the end-of-turn model is off,
    /// missing, busy or failed. Long enough for a thinking pause
    /// mid-sentence; the answer itself ends when the candidate says so.
    pub silence_hold_ms: Bounded<u32, 100, 60_000>,
    /// Re-transcribe the growing utterance after this much new speech, for
    /// partial transcripts. Shorter is livelier and costs more recogniser time.
    pub partial_every_ms: Bounded<u32, 100, 60_000>,
    /// Audio kept from before the detected onset, so a soft first consonant
    /// is not clipped.
    pub pre_roll_ms: Bounded<u32, 0, 2_000>,
    /// Voice activity score (0 to 1) at or above which a 16 ms frame is speech.
    pub vad_threshold: OpenFraction,
    /// An utterance with less speech than this (a cough, a click, a chair)
    /// is dropped instead of transcribed: Whisper tends to invent words for
    /// such clips.
    pub min_speech_ms: Bounded<u32, 0, 10_000>,
    /// A pause this long, after `min_segment_ms` of speech (or twice as
    /// long after less), settles the speech before it: that piece is
    /// transcribed (final) at once while the utterance goes on, so the final
    /// transcript follows the end of speech by a pause and one short pass,
    /// whatever the answer's length. 0 transcribes whole utterances, which
    /// waits for the silence hold and a pass over all of it (benches/README.md's
    /// speech section has the figures).
    pub segment_pause_ms: Bounded<u32, 0, 60_000>,
    pub min_segment_ms: Bounded<u32, 0, 60_000>,
    /// After this much silence the speech so far is transcribed at once,
    /// in case the pause goes on to settle a segment or end the answer
    /// (or the candidate presses done): with no speech since, that pass is
    /// the final and it is ready about a pause sooner. A pause that ends
    /// too soon wastes the pass. 0 turns it off.
    pub early_pass_ms: Bounded<u32, 0, 60_000>,
    /// A spoken answer whose recogniser confidence (mean token probability,
    /// weighted by audio) is below this cannot be judged: the review says
    /// so, and if the candidate submits it uncorrected the question is
    /// "could not assess" rather than scored low. 0.5 from tiny.en on
    /// espeak-ng answers (docs/speech.md has the table): every clip under
    /// it (noise, reversed speech, speech under loud noise) was heard as
    /// words unrelated to what was said; clean speech scored 0.70 to 0.86,
    /// and the garbled-to-partly-right clips between 0.5 and 0.6 are left
    /// to the candidate's review and the low-confidence warning.
    pub min_assess_confidence: OpenFraction,
    /// How an utterance (the candidate's turn) ends: `model` asks the
    /// end-of-turn model at each pause of `turn_pause_ms` whether the
    /// thought is finished, `hold` waits `silence_hold_ms` at every pause.
    /// Without the model file `model` works as `hold`, and says so at
    /// start-up.
    pub end_of_turn: EndOfTurnMode,
    /// The end-of-turn model (Smart Turn v3.2, ONNX). Unset:
    /// `<data_dir>/models/smart-turn-v3.2-cpu.onnx`, which the first `serve`
    /// installs when it is missing (`[speech] auto_install`).
    pub turn_model: Option<PathBuf>,
    /// ONNX Runtime's shared library, which runs the model. Unset:
    /// `<data_dir>/models/libonnxruntime.so.1.24.4`, installed with the
    /// model (from the onnxruntime PyPI wheel).
    pub turn_runtime: Option<PathBuf>,
    /// Silence after which the model is asked: the pause it was trained to
    /// judge is 200 ms or so, and its verdicts on espeak-ng speech were
    /// steadier at 300 ms than at 200 (benches/README.md).
    pub turn_pause_ms: Bounded<u32, 100, 10_000>,
    /// Probability at or above which the model's "finished" ends the turn
    /// at once (Pipecat's own cut-off is 0.5).
    pub turn_threshold: OpenFraction,
    /// Silence after which a turn the model judged unfinished ends anyway:
    /// room for a thinking pause, longer than `silence_hold_ms`.
    pub turn_max_hold_ms: Bounded<u32, 100, 60_000>,
    /// Decisions waiting for the model beyond the running one (each takes
    /// tens of milliseconds); a pause that finds the queue full is judged
    /// by `silence_hold_ms`.
    pub turn_queue: Bounded<usize, 1, 1_024>,
}

/// See [`VoiceConfig::end_of_turn`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndOfTurnMode {
    #[default]
    Model,
    Hold,
}

/// File name of the end-of-turn model in `<data_dir>/models/`.
pub const DEFAULT_TURN_MODEL_FILE: &str = "smart-turn-v3.2-cpu.onnx";
/// File name of ONNX Runtime's library in `<data_dir>/models/`.
pub const DEFAULT_TURN_RUNTIME_FILE: &str = "libonnxruntime.so.1.24.4";

impl VoiceConfig {
    /// The end-of-turn model to load: the configured one or the default
    /// location.
    pub fn turn_model_path(&self, data_dir: &Path) -> PathBuf {
        self.turn_model
            .clone()
            .unwrap_or_else(|| data_dir.join("models").join(DEFAULT_TURN_MODEL_FILE))
    }

    /// ONNX Runtime's library to load: the configured one or the default
    /// location.
    pub fn turn_runtime_path(&self, data_dir: &Path) -> PathBuf {
        self.turn_runtime
            .clone()
            .unwrap_or_else(|| data_dir.join("models").join(DEFAULT_TURN_RUNTIME_FILE))
    }
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            silence_hold_ms: Bounded::default_of(1_500),
            partial_every_ms: Bounded::default_of(700),
            pre_roll_ms: Bounded::default_of(300),
            vad_threshold: OpenFraction::default_of(0.5),
            min_speech_ms: Bounded::default_of(200),
            segment_pause_ms: Bounded::default_of(200),
            min_segment_ms: Bounded::default_of(1_000),
            early_pass_ms: Bounded::default_of(64),
            min_assess_confidence: OpenFraction::default_of(0.5),
            end_of_turn: EndOfTurnMode::Model,
            turn_model: None,
            turn_runtime: None,
            turn_pause_ms: Bounded::default_of(300),
            turn_threshold: OpenFraction::default_of(0.5),
            turn_max_hold_ms: Bounded::default_of(3_000),
            turn_queue: Bounded::default_of(16),
        }
    }
}
