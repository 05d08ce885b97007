//! `[voice]`: how live audio is cut into utterances.

use serde::{Deserialize, Serialize};

use super::{Bounded, OpenFraction};

/// How live audio is cut into utterances (see `speech::utterance`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceConfig {
    /// Silence that ends an utterance. Long enough for a thinking pause
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
        }
    }
}
