//! Speech a pass left out. tiny.en now and then ends its output while the
//! clip goes on talking: the speech bench's 36 answers came back with
//! "… because one celebrity account can receive million" in two of four
//! release runs, with three seconds of speech left. Those words are lost to
//! the transcript, the grader and the analytics, so a final pass that
//! stops short is continued.

use super::{SAMPLE_RATE, Word};

/// Loudness is weighed over frames this long.
const FRAME_MS: u64 = 20;
/// Time given to the last word heard before what follows counts as left
/// out: a long word, and the alignment's error in placing its start.
const LAST_WORD_MS: u64 = 1_000;
/// Left-out audio at least this loud for this long is speech left out.
const MIN_LEFT_OUT_MS: u64 = 400;
/// A frame this loud, against the typical loud frame before the last word,
/// is speech rather than breath or room noise.
const SPEECH_SHARE: f32 = 0.3;
/// Never below this loudness (about -40 dBFS), however quiet the speech.
const MIN_SPEECH_RMS: f32 = 0.01;

/// The sample to transcribe again from when speech goes on after the last
/// word heard: that word's start, as it may be cut short too. `None` when
/// the words reach the end of the speech, or there are none.
pub(crate) fn resume_at(audio: &[f32], words: &[Word]) -> Option<usize> {
    let last = words.last()?;
    let frame = (u64::from(SAMPLE_RATE) * FRAME_MS / 1000) as usize;
    let rms: Vec<f32> = audio
        .chunks(frame)
        .map(|f| (f.iter().map(|x| x * x).sum::<f32>() / f.len() as f32).sqrt())
        .collect();
    let frame_at = |ms: u64| ((ms / FRAME_MS) as usize).min(rms.len());
    // The typical loud frame of the speech heard: the upper quartile, as
    // pauses between words fill the lower half.
    let mut heard = rms[..frame_at(last.start_ms)].to_vec();
    heard.sort_by(f32::total_cmp);
    let typical = heard.get(heard.len() * 3 / 4).copied().unwrap_or(0.0);
    let floor = (typical * SPEECH_SHARE).max(MIN_SPEECH_RMS);
    let left_out = rms[frame_at(last.start_ms + LAST_WORD_MS)..]
        .iter()
        .filter(|&&r| r >= floor)
        .count() as u64
        * FRAME_MS;
    let start = (last.start_ms * u64::from(SAMPLE_RATE) / 1000) as usize;
    (left_out >= MIN_LEFT_OUT_MS && start < audio.len()).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts of a 200 Hz tone: (milliseconds, level); level 0 is silence.
    fn clip(parts: &[(u64, f32)]) -> Vec<f32> {
        parts
            .iter()
            .flat_map(|&(ms, level)| (0..ms * 16).map(move |i| level * (i as f32 * 0.0785).sin()))
            .collect()
    }

    fn word(start_ms: u64) -> Word {
        Word {
            text: "word".into(),
            start_ms,
            end_ms: start_ms + 300,
            probability: 0.9,
        }
    }

    #[test]
    fn speech_after_the_last_word_resumes_at_that_word() {
        // 3 s of speech heard, then 2 s more that no word covers.
        let audio = clip(&[(3_000, 0.2), (2_000, 0.2)]);
        let words = [word(0), word(1_000), word(2_600)];
        assert_eq!(resume_at(&audio, &words), Some(2_600 * 16));
    }

    #[test]
    fn silence_noise_or_a_last_word_at_the_end_needs_nothing() {
        let words = [word(0), word(1_000), word(2_600)];
        // Trailing silence, and trailing room noise far below the speech.
        for tail in [0.0, 0.004] {
            let audio = clip(&[(3_000, 0.2), (2_000, tail)]);
            assert_eq!(resume_at(&audio, &words), None, "tail {tail}");
        }
        // The last word is the last thing said.
        let audio = clip(&[(3_500, 0.2), (500, 0.0)]);
        assert_eq!(resume_at(&audio, &words), None);
        // Nothing heard: nothing to continue from.
        assert_eq!(resume_at(&audio, &[]), None);
    }

    #[test]
    fn a_short_sound_after_the_last_word_is_not_speech_left_out() {
        // A click or a breath of 200 ms after the answer.
        let audio = clip(&[(3_000, 0.2), (1_000, 0.0), (200, 0.2), (800, 0.0)]);
        let words = [word(0), word(1_000), word(2_600)];
        assert_eq!(resume_at(&audio, &words), None);
    }
}
