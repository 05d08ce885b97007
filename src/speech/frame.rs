//! The WebSocket binary frame that carries the candidate's voice, parsed at
//! the edge into an [`AudioFrame`].
//!
//! ```text
//!  byte 0     1  2  3    4 ........ 7    8 ..................... end
//! ┌────────┬──────────┬──────────────┬──────────────────────────────┐
//! │ kind=1 │ reserved │ sequence u32 │ PCM16 LE samples, 16 kHz mono │
//! │        │ (zeros)  │ little-endian│ (even byte count, may be 0)   │
//! └────────┴──────────┴──────────────┴──────────────────────────────┘
//! ```
//!
//! Why a header at all: audio is sent while the socket may drop and
//! reconnect. The sequence number lets the server see a frame it already has
//! (a client re-sending its unacknowledged tail) and a hole (frames lost with
//! the old socket) instead of silently splicing audio. The kind byte versions
//! the format, so a later sample format is a new kind, not a guess.
//! Why eight bytes: the samples start 8-byte aligned, so a client can fill a
//! typed-array view on the same buffer; the three reserved bytes must be
//! zero so they can carry flags later without ambiguity.

use super::SAMPLE_RATE;

/// Kind byte of a 16 kHz mono PCM16 little-endian audio frame.
pub const KIND_PCM16: u8 = 1;
/// Bytes before the first sample.
pub const HEADER_BYTES: usize = 8;

/// One parsed audio frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioFrame {
    /// Position of this frame in the session's audio stream: the client
    /// counts frames from 0 and keeps counting across reconnects.
    pub seq: u32,
    pub samples: Vec<i16>,
}

/// Why a binary frame was refused. Each maps to a protocol error `code`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("the audio frame is {size} bytes; the header alone is {HEADER_BYTES}")]
    Truncated { size: usize },
    #[error("the audio frame is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("unknown audio frame kind {0}; this server accepts kind 1 (16 kHz mono PCM16 LE)")]
    UnknownKind(u8),
    #[error("the audio frame's reserved header bytes are not zero")]
    ReservedBits,
    #[error("the audio payload is {0} bytes, not a whole number of 16-bit samples")]
    OddLength(usize),
    #[error("this session has used its {limit_seconds} s of audio")]
    BudgetExhausted { limit_seconds: u32 },
}

impl FrameError {
    /// The error `code` sent to the client (see docs/protocol.md).
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::TooLarge { .. } => "too_large",
            FrameError::BudgetExhausted { .. } => "audio_budget_exhausted",
            FrameError::Truncated { .. }
            | FrameError::UnknownKind(_)
            | FrameError::ReservedBits
            | FrameError::OddLength(_) => "bad_audio",
        }
    }
}

impl AudioFrame {
    /// Parses one binary WebSocket message. The size is checked before
    /// anything else is read, so an oversized frame costs nothing.
    pub fn parse(bytes: &[u8], max_frame_bytes: usize) -> Result<AudioFrame, FrameError> {
        if bytes.len() > max_frame_bytes {
            return Err(FrameError::TooLarge {
                size: bytes.len(),
                limit: max_frame_bytes,
            });
        }
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_BYTES>() else {
            return Err(FrameError::Truncated { size: bytes.len() });
        };
        if header[0] != KIND_PCM16 {
            return Err(FrameError::UnknownKind(header[0]));
        }
        if header[1..4] != [0, 0, 0] {
            return Err(FrameError::ReservedBits);
        }
        if payload.len() % 2 != 0 {
            return Err(FrameError::OddLength(payload.len()));
        }
        let seq = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let samples = payload
            .chunks_exact(2)
            .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        Ok(AudioFrame { seq, samples })
    }

    /// The bytes a client sends for this frame (the inverse of [`parse`](Self::parse)).
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEADER_BYTES + 2 * self.samples.len());
        bytes.extend_from_slice(&[KIND_PCM16, 0, 0, 0]);
        bytes.extend_from_slice(&self.seq.to_le_bytes());
        for sample in &self.samples {
            bytes.extend_from_slice(&sample.to_le_bytes());
        }
        bytes
    }
}

/// Where a frame's sequence number puts it relative to what was received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sequence {
    /// The next frame expected (or the first frame of the stream).
    InOrder,
    /// Already received, e.g. re-sent after a reconnect: drop it.
    Duplicate,
    /// `missing` frames never arrived; this one follows the hole.
    Gap { missing: u32 },
}

/// Tracks sequence numbers of one session's audio stream.
///
/// A stream may start at any number (a client that reloads the page resumes
/// from its stored count); sequence numbers wrap at `u32::MAX`, which at 20 ms
/// per frame is two and a half years of audio.
#[derive(Clone, Debug, Default)]
pub struct SequenceTracker {
    next: Option<u32>,
}

impl SequenceTracker {
    pub fn check(&mut self, seq: u32) -> Sequence {
        let Some(next) = self.next else {
            self.next = Some(seq.wrapping_add(1));
            return Sequence::InOrder;
        };
        // Distance forward from the expected number, modulo 2^32: anything in
        // the back half of the circle is in the past.
        let ahead = seq.wrapping_sub(next);
        if ahead >= 1 << 31 {
            return Sequence::Duplicate;
        }
        self.next = Some(seq.wrapping_add(1));
        if ahead == 0 {
            Sequence::InOrder
        } else {
            Sequence::Gap { missing: ahead }
        }
    }

    /// Forgets the stream, e.g. when the client starts a fresh capture.
    pub fn reset(&mut self) {
        self.next = None;
    }
}

/// The audio one session may still send, counted in samples.
#[derive(Clone, Debug)]
pub struct AudioBudget {
    used: u64,
    limit: u64,
    limit_seconds: u32,
}

impl AudioBudget {
    pub fn new(limit_seconds: u32) -> AudioBudget {
        AudioBudget {
            used: 0,
            limit: u64::from(limit_seconds) * u64::from(SAMPLE_RATE),
            limit_seconds,
        }
    }

    /// Counts `samples` against the budget; a frame that would overrun it is
    /// refused whole, so what was accepted never exceeds the limit.
    pub fn charge(&mut self, samples: usize) -> Result<(), FrameError> {
        let after = self.used.saturating_add(samples as u64);
        if after > self.limit {
            return Err(FrameError::BudgetExhausted {
                limit_seconds: self.limit_seconds,
            });
        }
        self.used = after;
        Ok(())
    }

    /// Seconds of audio accepted so far.
    pub fn used_seconds(&self) -> f64 {
        self.used as f64 / f64::from(SAMPLE_RATE)
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::*;

    const LIMIT: usize = 32 * 1024;

    #[test]
    fn a_frame_round_trips_through_its_bytes() {
        let frame = AudioFrame {
            seq: 0x0102_0304,
            samples: vec![0, 1, -1, i16::MAX, i16::MIN, 1234],
        };
        let bytes = frame.encode();
        assert_eq!(&bytes[..8], &[1, 0, 0, 0, 4, 3, 2, 1]);
        assert_eq!(&bytes[8..12], &[0, 0, 1, 0]);
        assert_eq!(AudioFrame::parse(&bytes, LIMIT), Ok(frame));
    }

    #[test]
    fn a_header_with_no_samples_is_a_valid_empty_frame() {
        let frame = AudioFrame::parse(&[1, 0, 0, 0, 9, 0, 0, 0], LIMIT).unwrap();
        assert_eq!(frame.seq, 9);
        assert!(frame.samples.is_empty());
    }

    #[test]
    fn malformed_frames_are_refused_with_the_reason() {
        let cases: [(&[u8], FrameError); 5] = [
            (&[], FrameError::Truncated { size: 0 }),
            (&[1, 0, 0, 0, 0], FrameError::Truncated { size: 5 }),
            (&[2, 0, 0, 0, 0, 0, 0, 0], FrameError::UnknownKind(2)),
            (&[1, 0, 1, 0, 0, 0, 0, 0], FrameError::ReservedBits),
            (&[1, 0, 0, 0, 0, 0, 0, 0, 7], FrameError::OddLength(1)),
        ];
        for (bytes, expected) in cases {
            assert_eq!(AudioFrame::parse(bytes, LIMIT), Err(expected), "{bytes:?}");
        }
        assert_eq!(expected_code(&[2, 0, 0, 0, 0, 0, 0, 0]), "bad_audio");
    }

    fn expected_code(bytes: &[u8]) -> &'static str {
        AudioFrame::parse(bytes, LIMIT).unwrap_err().code()
    }

    #[test]
    fn an_oversized_frame_is_refused_before_it_is_read() {
        let bytes = vec![0xff; 101];
        let error = AudioFrame::parse(&bytes, 100).unwrap_err();
        assert_eq!(
            error,
            FrameError::TooLarge {
                size: 101,
                limit: 100
            }
        );
        assert_eq!(error.code(), "too_large");
    }

    #[test]
    fn random_bytes_never_panic_and_accepted_ones_round_trip() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let mut accepted = 0;
        for _ in 0..20_000 {
            let len = rng.random_range(0..64);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            // Bias a share of the inputs towards a valid header so the
            // payload checks are exercised too, not only the kind byte.
            if len >= 4 && rng.random_bool(0.5) {
                bytes[..4].copy_from_slice(&[1, 0, 0, 0]);
            }
            match AudioFrame::parse(&bytes, 48) {
                Ok(frame) => {
                    accepted += 1;
                    assert_eq!(frame.encode(), bytes);
                }
                Err(error) => assert!(!error.code().is_empty()),
            }
        }
        assert!(accepted > 1_000, "only {accepted} random frames parsed");
    }

    #[test]
    fn the_sequence_tracker_tells_duplicates_and_gaps_from_the_next_frame() {
        let mut tracker = SequenceTracker::default();
        assert_eq!(tracker.check(10), Sequence::InOrder);
        assert_eq!(tracker.check(11), Sequence::InOrder);
        assert_eq!(tracker.check(11), Sequence::Duplicate);
        assert_eq!(tracker.check(3), Sequence::Duplicate);
        assert_eq!(tracker.check(15), Sequence::Gap { missing: 3 });
        assert_eq!(tracker.check(16), Sequence::InOrder);
        tracker.reset();
        assert_eq!(tracker.check(0), Sequence::InOrder);
    }

    #[test]
    fn sequence_numbers_wrap_around() {
        let mut tracker = SequenceTracker::default();
        assert_eq!(tracker.check(u32::MAX), Sequence::InOrder);
        assert_eq!(tracker.check(0), Sequence::InOrder);
        assert_eq!(tracker.check(u32::MAX), Sequence::Duplicate);
        assert_eq!(tracker.check(2), Sequence::Gap { missing: 1 });
    }

    #[test]
    fn the_budget_refuses_the_frame_that_would_overrun_it() {
        let mut budget = AudioBudget::new(1);
        budget.charge(10_000).unwrap();
        let error = budget.charge(6_001).unwrap_err();
        assert_eq!(error, FrameError::BudgetExhausted { limit_seconds: 1 });
        assert_eq!(error.code(), "audio_budget_exhausted");
        budget.charge(6_000).unwrap();
        assert_eq!(budget.used_seconds(), 1.0);
        assert!(budget.charge(1).is_err());
    }
}
