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
    /// What the recogniser heard, as the candidate was shown it to review
    /// before submitting; the answer's own text is what they submitted,
    /// corrected or not. Absent in answers stored before reviews were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heard: Option<String>,
    /// The recogniser's confidence was too low to judge the words, and the
    /// candidate submitted them as heard: the answer is not graded (the
    /// question "could not assess", see `grading::unclear`). Text the
    /// candidate corrected is their own and never unclear.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unclear: bool,
}

#[cfg(test)]
mod tests {
    use super::SpeechAnalytics;

    #[test]
    fn answers_stored_before_reviews_load_as_heard_and_clear() {
        let old = r#"{"words":3,"speaking_ms":900,"words_per_minute":null,"fillers":0,
            "filler_counts":{},"long_pauses":0,"longest_pause_ms":0,"confidence":0.8,
            "low_confidence_words":0,"low_confidence":false}"#;
        let speech: SpeechAnalytics = serde_json::from_str(old).unwrap();
        assert_eq!((speech.heard, speech.unclear), (None, false));
        // And a clear, unreviewed one is stored as it was.
        let again = serde_json::to_value(SpeechAnalytics::default()).unwrap();
        assert!(again.get("heard").is_none() && again.get("unclear").is_none());
    }
}
