//! The end-of-turn model's input: Whisper log-mel features of the last 8 s
//! of audio, computed exactly as Pipecat's `_whisper_features.py` (itself
//! Hugging Face's `WhisperFeatureExtractor` with `chunk_length=8`), which
//! the model was trained on. It differs from what whisper.cpp computes for
//! recognition: the waveform is first normalised to zero mean and unit
//! variance (over the whole zero-padded window), the window is 8 s, not
//! 30 s, and short audio is padded with silence at the *start*, so the
//! pause being judged always sits at the end.

use std::sync::{Arc, OnceLock};

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use crate::speech::SAMPLE_RATE;
use crate::speech::model::mel::filterbank;

/// The window the model judges: the last 8 s.
pub const WINDOW_SAMPLES: usize = 8 * SAMPLE_RATE as usize;
pub const N_MELS: usize = 80;
/// Feature frames: one per 10 ms hop, less the trailing one Whisper drops.
pub const N_FRAMES: usize = WINDOW_SAMPLES / HOP;
const N_FFT: usize = 400;
const HOP: usize = 160;
const BINS: usize = N_FFT / 2 + 1;
const MEL_FLOOR: f64 = 1e-10;
/// Added to the variance before the square root, as the reference does.
const VARIANCE_EPS: f64 = 1e-7;

/// The FFT plan, window and filterbank, built once per process.
struct Tables {
    fft: Arc<dyn Fft<f64>>,
    /// Periodic Hann (`torch.hann_window`, `np.hanning(401)[:-1]`).
    hann: Vec<f64>,
    /// Each mel row's weights, kept only over its non-zero bins (a
    /// triangle spans a few bins): `(first bin, weights)`.
    mel: Vec<(usize, Vec<f64>)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let dense = filterbank(SAMPLE_RATE, N_FFT, N_MELS);
        let mel = dense
            .chunks(BINS)
            .map(|row| {
                let first = row.iter().position(|&w| w > 0.0).unwrap_or(0);
                let last = row.iter().rposition(|&w| w > 0.0).map_or(first, |i| i + 1);
                (
                    first,
                    row[first..last].iter().map(|&w| f64::from(w)).collect(),
                )
            })
            .collect();
        let hann = (0..N_FFT)
            .map(|n| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64).cos())
            .collect();
        Tables {
            fft: FftPlanner::new().plan_fft_forward(N_FFT),
            hann,
            mel,
        }
    })
}

/// Log-mel features of the last [`WINDOW_SAMPLES`] of `audio` (16 kHz,
/// [-1, 1]): `N_MELS` rows of `N_FRAMES` values, row-major, roughly in
/// [-1, 1]: the model's `input_features` for a batch of one.
pub fn log_mel(audio: &[f32]) -> Vec<f32> {
    let window = normalised_window(audio);
    let Tables { fft, hann, mel } = tables();
    // Centred frames: the window reflected by half a frame at each end
    // (numpy's "reflect": the edge sample itself is not repeated).
    let pad = N_FFT / 2;
    let n = window.len();
    let padded: Vec<f64> = (0..n + 2 * pad)
        .map(|i| {
            let j = i as isize - pad as isize;
            let j = if j < 0 {
                -j
            } else if j >= n as isize {
                2 * (n as isize - 1) - j
            } else {
                j
            };
            window[j as usize]
        })
        .collect();
    let mut out = vec![0.0f64; N_MELS * N_FRAMES];
    let mut buffer = vec![Complex::new(0.0, 0.0); N_FFT];
    let mut scratch = vec![Complex::new(0.0, 0.0); fft.get_inplace_scratch_len()];
    let mut power = [0.0f64; BINS];
    for frame in 0..N_FRAMES {
        let samples = &padded[frame * HOP..frame * HOP + N_FFT];
        for ((b, &s), &w) in buffer.iter_mut().zip(samples).zip(hann) {
            *b = Complex::new(s * w, 0.0);
        }
        fft.process_with_scratch(&mut buffer, &mut scratch);
        for (p, c) in power.iter_mut().zip(&buffer) {
            *p = c.norm_sqr();
        }
        for (row, (first, weights)) in mel.iter().enumerate() {
            let energy: f64 = weights
                .iter()
                .zip(&power[*first..])
                .map(|(w, p)| w * p)
                .sum();
            out[row * N_FRAMES + frame] = energy.max(MEL_FLOOR).log10();
        }
    }
    // Whisper's dynamic range: 80 dB below the loudest value, then scaled.
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    out.iter()
        .map(|&x| ((x.max(max - 8.0) + 4.0) / 4.0) as f32)
        .collect()
}

/// The last 8 s, silence-padded at the start, normalised to zero mean and
/// unit variance over the whole window (padding included, as the
/// reference does).
fn normalised_window(audio: &[f32]) -> Vec<f64> {
    let tail = &audio[audio.len().saturating_sub(WINDOW_SAMPLES)..];
    let mut window = vec![0.0f64; WINDOW_SAMPLES - tail.len()];
    window.extend(tail.iter().map(|&s| f64::from(s)));
    let n = window.len() as f64;
    let mean = window.iter().sum::<f64>() / n;
    let variance = window.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let scale = 1.0 / (variance + VARIANCE_EPS).sqrt();
    window.iter_mut().for_each(|x| *x = (*x - mean) * scale);
    window
}

#[cfg(test)]
pub(crate) mod tests;
