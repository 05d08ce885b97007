//! Voice activity detection: earshot's small neural network scores each
//! 16 ms frame. Audio arrives in chunks of any size; this module re-blocks it
//! into the 256-sample frames earshot needs and keeps the remainder for the
//! next chunk, so the result does not depend on how the client cut its frames.

use earshot::Detector;

/// Samples per VAD frame: earshot works on exactly 16 ms at 16 kHz.
pub const FRAME_SAMPLES: usize = 256;

/// One scored 16 ms frame.
#[derive(Clone, Copy, Debug)]
pub struct VadFrame<'a> {
    pub samples: &'a [i16; FRAME_SAMPLES],
    /// earshot's score, 0 (no voice) to 1 (voice).
    pub score: f32,
    pub voiced: bool,
}

pub struct Vad {
    // Boxed: the detector holds about 8 KiB of state inline.
    detector: Box<Detector>,
    threshold: f32,
    pending: [i16; FRAME_SAMPLES],
    pending_len: usize,
}

impl std::fmt::Debug for Vad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vad")
            .field("threshold", &self.threshold)
            .field("pending_len", &self.pending_len)
            .finish_non_exhaustive()
    }
}

impl Vad {
    /// `threshold`: the score at or above which a frame counts as speech.
    pub fn new(threshold: f32) -> Vad {
        Vad {
            detector: Detector::default_boxed(),
            threshold,
            pending: [0; FRAME_SAMPLES],
            pending_len: 0,
        }
    }

    /// Scores every whole frame completed by `samples`, in order.
    pub fn push(&mut self, mut samples: &[i16], mut on_frame: impl FnMut(VadFrame<'_>)) {
        while !samples.is_empty() {
            let take = (FRAME_SAMPLES - self.pending_len).min(samples.len());
            self.pending[self.pending_len..self.pending_len + take]
                .copy_from_slice(&samples[..take]);
            self.pending_len += take;
            samples = &samples[take..];
            if self.pending_len == FRAME_SAMPLES {
                self.pending_len = 0;
                let score = self.detector.predict_i16(&self.pending);
                on_frame(VadFrame {
                    samples: &self.pending,
                    score,
                    voiced: score >= self.threshold,
                });
            }
        }
    }

    /// Samples waiting for the rest of their frame.
    pub fn pending(&self) -> &[i16] {
        &self.pending[..self.pending_len]
    }

    /// Forgets all history, for a new, unrelated stream.
    pub fn reset(&mut self) {
        self.detector.reset();
        self.pending_len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(vad: &mut Vad, audio: &[i16], chunk: usize) -> Vec<f32> {
        let mut out = Vec::new();
        for piece in audio.chunks(chunk) {
            vad.push(piece, |frame| out.push(frame.score));
        }
        out
    }

    /// A vowel-like tone with harmonics: not speech, but a realistic load.
    fn tone(samples: usize) -> Vec<i16> {
        (0..samples)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                let v = (0..5)
                    .map(|h| (2.0 * std::f32::consts::PI * 150.0 * (h + 1) as f32 * t).sin())
                    .sum::<f32>();
                (v * 3_000.0) as i16
            })
            .collect()
    }

    #[test]
    fn chunk_size_does_not_change_the_scores() {
        let audio = tone(16_000);
        let whole = scores(&mut Vad::new(0.5), &audio, audio.len());
        assert_eq!(whole.len(), 16_000 / FRAME_SAMPLES);
        for chunk in [1, 7, 320, 1_600] {
            assert_eq!(scores(&mut Vad::new(0.5), &audio, chunk), whole, "{chunk}");
        }
    }

    #[test]
    fn leftover_samples_wait_for_the_next_chunk() {
        let mut vad = Vad::new(0.5);
        let mut frames = 0;
        vad.push(&[0; 300], |_| frames += 1);
        assert_eq!(frames, 1);
        assert_eq!(vad.pending().len(), 44);
        vad.reset();
        assert!(vad.pending().is_empty());
    }

    #[test]
    fn digital_silence_is_not_speech() {
        let mut vad = Vad::new(0.5);
        let mut voiced = 0;
        vad.push(&[0; 16_000], |frame| voiced += usize::from(frame.voiced));
        assert_eq!(voiced, 0);
    }
}
