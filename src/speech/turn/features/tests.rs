//! The features against Pipecat's own code on a signal both can make
//! exactly (tools/turn_reference.py prints the reference).

use super::*;
use crate::speech::turn::reference::{POINTS, SUM};

/// The test signal of tools/turn_reference.py, sample for sample: a
/// quarter second of silence, a buzzing vowel whose pitch rises, a burst
/// of noise, silence; 2 s, as PCM16 read into floats.
pub(crate) fn signal() -> Vec<f32> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    (0..32_000)
        .map(|i| {
            let t = f64::from(i) / 16_000.0;
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let noise = (state >> 33) as f64 / f64::from(1u32 << 31) * 2.0 - 1.0;
            let x = if (0.25..1.5).contains(&t) {
                let phase = 120.0 * t + 15.0 * t * t;
                0.2 * (1..=10)
                    .map(|k| {
                        (2.0 * std::f64::consts::PI * f64::from(k) * phase).sin() / f64::from(k)
                    })
                    .sum::<f64>()
            } else if (1.5..1.75).contains(&t) {
                0.05 * noise
            } else {
                0.0
            };
            f32::from((x * 32_767.0 + 0.5).floor() as i16) / 32_768.0
        })
        .collect()
}

#[test]
fn the_features_match_pipecats_on_the_reference_signal() {
    let features = log_mel(&signal());
    assert_eq!(features.len(), N_MELS * N_FRAMES);
    for &(row, frame, expected) in &POINTS {
        let got = features[row * N_FRAMES + frame];
        assert!(
            (got - expected).abs() < 1e-4,
            "mel {row} frame {frame}: {got} vs Pipecat's {expected}"
        );
    }
    let sum: f64 = features.iter().map(|&x| f64::from(x)).sum();
    assert!((sum - SUM).abs() < 0.05, "sum {sum} vs Pipecat's {SUM}");
}

#[test]
fn only_the_last_eight_seconds_count_and_shorter_audio_is_padded_at_the_start() {
    let clip = signal();
    let mut long = vec![0.3f32; 5 * 16_000];
    long.extend(std::iter::repeat_n(0.0, WINDOW_SAMPLES - clip.len()));
    long.extend(&clip);
    assert_eq!(log_mel(&long), log_mel(&clip));
}

#[test]
fn silence_gives_finite_features() {
    let features = log_mel(&[]);
    assert!(features.iter().all(|x| x.is_finite()));
}
