//! The mel filterbank whisper.cpp reads from the model file.
//!
//! Whisper was trained on librosa's filters (`librosa.filters.mel(sr=16000,
//! n_fft=400, n_mels=80)`: Slaney's mel scale, not HTK, and Slaney area
//! normalisation), and whisper.cpp uses whatever the file holds, so these
//! must match librosa to float precision or recognition quietly degrades.
//! Computed in f64 and rounded once, as librosa does.

/// Hz per mel below 1 kHz on Slaney's scale (linear part).
const F_SP: f64 = 200.0 / 3.0;
/// Where the scale turns logarithmic.
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// `n_mels` rows of `n_fft / 2 + 1` weights, row-major, from 0 Hz to Nyquist.
pub fn filterbank(sample_rate: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let bins = n_fft / 2 + 1;
    let sr = f64::from(sample_rate);
    let fft_freqs: Vec<f64> = (0..bins).map(|k| k as f64 * sr / n_fft as f64).collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let points = n_mels + 2;
    let mel_f: Vec<f64> = (0..points)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (points - 1) as f64))
        .collect();
    let mut weights = Vec::with_capacity(n_mels * bins);
    for i in 0..n_mels {
        let (left, centre, right) = (mel_f[i], mel_f[i + 1], mel_f[i + 2]);
        // Slaney normalisation: each triangle has unit area in Hz.
        let norm = 2.0 / (right - left);
        for &f in &fft_freqs {
            let rising = (f - left) / (centre - left);
            let falling = (right - f) / (right - centre);
            weights.push((rising.min(falling).max(0.0) * norm) as f32);
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values printed by librosa 0.11 for `librosa.filters.mel(sr=16000,
    /// n_fft=400, n_mels=80)`: (mel row, fft bin, weight).
    const LIBROSA: &[(usize, usize, f32)] = &LIBROSA_POINTS;
    include!("mel_reference.rs");

    #[test]
    fn the_filterbank_matches_librosa() {
        let w = filterbank(16_000, 400, 80);
        assert_eq!(w.len(), 80 * 201);
        for &(row, bin, expected) in LIBROSA {
            let got = w[row * 201 + bin];
            assert!(
                (got - expected).abs() <= 1e-6 * expected.abs().max(1e-3),
                "row {row} bin {bin}: {got} vs librosa {expected}"
            );
        }
        // Whole-matrix checks librosa also satisfies.
        let sum: f64 = w.iter().map(|&x| f64::from(x)).sum();
        assert!(
            (sum - LIBROSA_SUM).abs() < 1e-4,
            "sum {sum} vs {LIBROSA_SUM}"
        );
        assert!(w.iter().all(|&x| x >= 0.0));
    }
}
