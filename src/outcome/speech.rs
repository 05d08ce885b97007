//! The speech analytics of one spoken answer, as the recogniser's word
//! timings give them and the session records them. Defined here, below
//! speech, so the interview engine can hold them without depending on the
//! recogniser; `crate::speech::analytics` re-exports them and computes them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The analytics of one answer, as stored in the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpeechAnalytics {
    pub words: usize,
    /// From the first word to the last, less the long pauses. Segments without
    /// word timings count their whole audio length.
    pub speaking_ms: u64,
    /// `None` when there is too little speech for a pace to mean anything.
    pub words_per_minute: Option<f64>,
    pub fillers: usize,
    /// Filler → count, e.g. `{"um": 3, "you know": 1}`.
    pub filler_counts: BTreeMap<String, usize>,
    pub long_pauses: usize,
    pub longest_pause_ms: u64,
    /// Mean recogniser confidence weighted by audio length; `None` with no audio.
    pub confidence: Option<f32>,
    pub low_confidence_words: usize,
    /// The transcript may be the recogniser's fault, not the candidate's.
    pub low_confidence: bool,
}
