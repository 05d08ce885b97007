//! Speech analytics for one spoken answer, computed from the recogniser's
//! word timings (not guessed by a model): pace, filler words, long pauses,
//! speaking time, and whether the transcript itself is trustworthy.
//!
//! Filler heuristics (Whisper writes punctuation, and these lean on it):
//! - `um`, `uh`, `er`, `erm`, `hmm`, `ah`, `mm` (letters may repeat: "ummm")
//!   always count. Whisper drops them unless its initial prompt contains
//!   disfluencies; the recogniser is primed with some.
//! - `basically` and `actually` always count: in interview answers they are
//!   almost always padding.
//! - `like` counts only when punctuation sets it off ("it was, like, slow",
//!   "like, the cache"), and not after a verb that takes it ("looks like,").
//!   "I like Rust" and "a queue like Kafka" do not count.
//! - `you know` counts when punctuation or the end follows it ("you know,");
//!   "do you know what" does not.
//! - `so` counts at the start of a sentence ("So, the design…", "So the
//!   design…"), except "so that" / "so far"; mid-sentence "so" does not.

pub use crate::outcome::speech::SpeechAnalytics;

use super::{Transcript, Word};

/// Thresholds, with the reasons for their defaults.
#[derive(Clone, Debug)]
pub struct AnalyticsConfig {
    /// A gap between words at least this long is a long pause. 2 s is past a
    /// breath or a comma and into "lost the thread" territory.
    pub long_pause_ms: u64,
    /// A transcript whose mean token probability is below this is flagged.
    /// Whisper tiny.en scores clean speech around 0.8 to 0.95; garbled or
    /// noisy audio falls to 0.4 to 0.6.
    pub min_confidence: f32,
    /// A word below this probability is a low-confidence word…
    pub low_word_probability: f32,
    /// …and more than this share of such words flags the transcript even
    /// when the mean looks fine (a few confident words can hide a bad patch).
    pub max_low_word_share: f32,
    /// Below this much speaking time, words per minute is not reported: two
    /// words in half a second is not a pace.
    pub min_speaking_ms_for_pace: u64,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        AnalyticsConfig {
            long_pause_ms: 2_000,
            min_confidence: 0.6,
            low_word_probability: 0.4,
            max_low_word_share: 0.2,
            min_speaking_ms_for_pace: 1_000,
        }
    }
}

/// One utterance's transcript and where it began within the answer (word
/// timings are relative to their own clip).
#[derive(Clone, Copy, Debug)]
pub struct TimedTranscript<'a> {
    pub offset_ms: u64,
    pub transcript: &'a Transcript,
}

pub fn analyse(segments: &[TimedTranscript<'_>], config: &AnalyticsConfig) -> SpeechAnalytics {
    let mut out = SpeechAnalytics::default();
    // Word timings across the whole answer, for pauses and speaking time.
    let mut timed: Vec<(u64, u64)> = Vec::new();
    let mut untimed_ms = 0;
    let (mut confidence_sum, mut audio_total) = (0.0f64, 0u64);
    for segment in segments {
        let transcript = segment.transcript;
        let tokens: Vec<&str> = if transcript.words.is_empty() {
            untimed_ms += transcript.audio_ms;
            transcript.text.split_whitespace().collect()
        } else {
            for Word {
                start_ms, end_ms, ..
            } in &transcript.words
            {
                let start = segment.offset_ms.saturating_add(*start_ms);
                timed.push((start, segment.offset_ms.saturating_add(*end_ms).max(start)));
            }
            transcript.words.iter().map(|w| w.text.as_str()).collect()
        };
        out.words += tokens.iter().filter(|t| !normal(t).is_empty()).count();
        for filler in fillers(&tokens) {
            *out.filler_counts.entry(filler.to_owned()).or_default() += 1;
            out.fillers += 1;
        }
        out.low_confidence_words += transcript
            .words
            .iter()
            .filter(|w| w.probability < config.low_word_probability)
            .count();
        confidence_sum += f64::from(transcript.confidence) * transcript.audio_ms as f64;
        audio_total += transcript.audio_ms;
    }

    timed.sort_unstable();
    let mut long_pause_total = 0;
    for pair in timed.windows(2) {
        let gap = pair[1].0.saturating_sub(pair[0].1);
        if gap >= config.long_pause_ms {
            out.long_pauses += 1;
            out.longest_pause_ms = out.longest_pause_ms.max(gap);
            long_pause_total += gap;
        }
    }
    let span = match (timed.first(), timed.iter().map(|w| w.1).max()) {
        (Some(first), Some(last)) => last - first.0,
        _ => 0,
    };
    out.speaking_ms = span.saturating_sub(long_pause_total) + untimed_ms;
    if out.speaking_ms >= config.min_speaking_ms_for_pace.max(1) {
        out.words_per_minute = Some(out.words as f64 * 60_000.0 / out.speaking_ms as f64);
    }

    out.confidence = (audio_total > 0).then(|| (confidence_sum / audio_total as f64) as f32);
    let timed_words = timed.len();
    let low_share = timed_words > 0
        && out.low_confidence_words as f32 / timed_words as f32 > config.max_low_word_share;
    out.low_confidence = low_share || out.confidence.is_some_and(|c| c < config.min_confidence);
    out
}

/// The fillers in one utterance's words, in order (see the module doc).
fn fillers(tokens: &[&str]) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let word = normal(tokens[i]);
        let next = tokens.get(i + 1).map(|t| normal(t));
        let set_off_after = ends_clause(tokens[i]);
        let set_off_before = i > 0 && ends_clause(tokens[i - 1]);
        let sentence_start = i == 0 || ends_sentence(tokens[i - 1]);
        let filler: Option<&'static str> = match collapse(&word).as_str() {
            "um" => Some("um"),
            "uh" => Some("uh"),
            "er" => Some("er"),
            "erm" => Some("erm"),
            "hm" => Some("hmm"),
            "ah" => Some("ah"),
            "m" if word.len() >= 2 => Some("mm"),
            _ => match word.as_str() {
                "basically" => Some("basically"),
                "actually" => Some("actually"),
                "like"
                    if (set_off_after || set_off_before)
                        && !(i > 0 && TAKES_LIKE.contains(&normal(tokens[i - 1]).as_str())) =>
                {
                    Some("like")
                }
                "you"
                    if next.as_deref() == Some("know")
                        && (ends_clause(tokens[i + 1]) || i + 2 == tokens.len()) =>
                {
                    i += 1;
                    Some("you know")
                }
                "so" if sentence_start && !matches!(next.as_deref(), Some("that" | "far")) => {
                    Some("so")
                }
                _ => None,
            },
        };
        found.extend(filler);
        i += 1;
    }
    found
}

/// Verbs (and forms) after which "like" is a preposition, not a filler.
const TAKES_LIKE: [&str; 12] = [
    "would", "i'd", "we'd", "you'd", "look", "looks", "sound", "sounds", "feel", "feels", "seem",
    "seems",
];

/// Lowercase letters, digits and apostrophes: "Like," → "like".
fn normal(token: &str) -> String {
    token
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == '’')
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' { '\'' } else { c })
        .collect()
}

/// Runs of one letter collapsed: "ummm" → "um", "hmmm" → "hm".
pub(crate) fn collapse(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

fn ends_clause(token: &str) -> bool {
    token.ends_with([',', ';', ':', '.', '?', '!', '—', '…'])
}

fn ends_sentence(token: &str) -> bool {
    token.ends_with(['.', '?', '!', '…'])
}

#[cfg(test)]
mod tests;
