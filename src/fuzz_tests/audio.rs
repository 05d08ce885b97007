//! Audio from outside: WAV files given to `transcribe`, and the binary PCM
//! frames a browser streams (with their sequence numbers).

use proptest::prelude::*;

use super::{apply, damages};
use crate::speech::frame::{AudioFrame, FrameError, Sequence, SequenceTracker};
use crate::speech::wav;

/// A well-formed WAV file of the given shape, for damaging.
fn wav_bytes(channels: u16, rate: u32, bits: u16, float: bool, samples: &[i16]) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("a valid spec");
    for &s in samples {
        let written = match (float, bits) {
            (true, _) => writer.write_sample(f32::from(s) / 32768.0),
            (false, 8) => writer.write_sample((s >> 8) as i8),
            (false, 16) => writer.write_sample(s),
            (false, _) => writer.write_sample(i32::from(s) << (bits - 16)),
        };
        written.expect("a sample of the spec's type");
    }
    writer.finalize().expect("the header is written");
    cursor.into_inner()
}

fn wav_file() -> impl Strategy<Value = Vec<u8>> {
    (
        1u16..=3,
        prop::sample::select(vec![16_000u32, 8_000, 44_100]),
        prop::sample::select(vec![
            (8u16, false),
            (16, false),
            (24, false),
            (32, false),
            (32, true),
        ]),
        prop::collection::vec(any::<i16>(), 0..64),
    )
        .prop_map(|(channels, rate, (bits, float), samples)| {
            // Whole frames only, as a writer finalises them.
            let whole = samples.len() - samples.len() % usize::from(channels);
            wav_bytes(channels, rate, bits, float, &samples[..whole])
        })
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn a_damaged_wav_file_reads_as_bounded_samples_or_an_error(
        file in wav_file(),
        damage in prop::option::of(damages()),
    ) {
        let bytes = match &damage {
            Some(d) => apply(&file, d),
            None => file.clone(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.wav");
        std::fs::write(&path, &bytes).unwrap();
        match wav::read(&path) {
            Ok(samples) => {
                // Never more samples than the bytes could hold.
                prop_assert!(samples.len() <= bytes.len());
                prop_assert!(samples.iter().all(|s| (-1.0..=1.0).contains(s)));
            }
            Err(error) => prop_assert!(error.to_string().contains("in.wav")),
        }
        if damage.is_none() {
            // An undamaged 16 kHz file always reads.
            let rate = u32::from_le_bytes([file[24], file[25], file[26], file[27]]);
            prop_assert_eq!(wav::read(&path).is_ok(), rate == 16_000);
        }
    }

    #[test]
    fn any_binary_frame_parses_to_its_samples_or_a_bad_audio_error(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            (any::<u32>(), prop::collection::vec(any::<i16>(), 0..40))
                .prop_map(|(seq, samples)| AudioFrame { seq, samples }.encode()),
        ],
        limit in 0usize..80,
    ) {
        match AudioFrame::parse(&bytes, limit) {
            Ok(frame) => {
                prop_assert!(bytes.len() <= limit);
                prop_assert_eq!(frame.encode(), bytes);
            }
            Err(FrameError::TooLarge { size, .. }) => prop_assert!(size > limit),
            Err(error) => prop_assert_eq!(error.code(), "bad_audio"),
        }
    }

    #[test]
    fn the_sequence_tracker_counts_every_frame_once_whatever_order_they_come(
        start in any::<u32>(),
        steps in prop::collection::vec(-3i64..5, 0..200),
    ) {
        let mut tracker = SequenceTracker::default();
        prop_assert_eq!(tracker.check(start), Sequence::InOrder);
        let mut newest = start;
        let mut seq = start;
        for step in steps {
            seq = seq.wrapping_add(step as u32);
            let ahead = seq.wrapping_sub(newest.wrapping_add(1));
            let expected = match ahead {
                0 => Sequence::InOrder,
                a if a >= 1 << 31 => Sequence::Duplicate,
                missing => Sequence::Gap { missing },
            };
            prop_assert_eq!(tracker.check(seq), expected);
            if expected != Sequence::Duplicate {
                newest = seq;
            }
        }
    }
}
