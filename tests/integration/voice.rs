//! The live voice path on real synthesised speech: espeak-ng speaks, sox
//! converts to 16 kHz mono PCM16 and trims the edges (so the speech
//! boundaries are known to the sample), and the audio goes through what the
//! server does with a client's binary frames: parse, sequence check, budget,
//! voice activity detection, utterance assembly.
//!
//! espeak-ng and sox are required (`apt-get install espeak-ng sox`); without
//! them these tests fail, they do not skip.

use std::path::Path;
use std::process::Command;

use mockloop::config::{Bounded, Limits, VoiceConfig};
use mockloop::speech::frame::{AudioBudget, AudioFrame, Sequence, SequenceTracker};
use mockloop::speech::utterance::{
    Assembler, EndReason, SamplePos, Utterance, UtteranceConfig, UtteranceEvent,
};

const RATE: usize = 16_000;

fn ms(n: usize) -> usize {
    n * RATE / 1_000
}

/// One sentence as 16 kHz mono PCM16 with leading and trailing silence cut.
fn speak(dir: &Path, name: &str, text: &str) -> Vec<i16> {
    let wav = dir.join(format!("{name}.wav"));
    let raw = dir.join(format!("{name}.raw"));
    let status = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "-w"])
        .arg(&wav)
        .arg(text)
        .status()
        .expect("espeak-ng is required for the voice tests: apt-get install espeak-ng sox");
    assert!(status.success(), "espeak-ng failed: {status}");
    // `silence 1 0.01 0.5%` drops audio before the first 10 ms above 0.5% of
    // full scale; reversing twice does the same at the end.
    let status = Command::new("sox")
        .arg(&wav)
        .args(["-t", "raw", "-r", "16000", "-c", "1", "-b", "16"])
        .args(["-e", "signed-integer", "-L"])
        .arg(&raw)
        .args(["silence", "1", "0.01", "0.5%", "reverse"])
        .args(["silence", "1", "0.01", "0.5%", "reverse"])
        .status()
        .expect("sox is required for the voice tests: apt-get install espeak-ng sox");
    assert!(status.success(), "sox failed: {status}");
    let bytes = std::fs::read(&raw).unwrap();
    let pcm: Vec<i16> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert!(pcm.len() > ms(500), "{name}: only {} samples", pcm.len());
    pcm
}

/// A recording laid out on a timeline, with where each sentence lies.
struct Recording {
    pcm: Vec<i16>,
    sentences: Vec<(usize, usize)>,
}

impl Recording {
    fn new() -> Recording {
        Recording {
            pcm: Vec::new(),
            sentences: Vec::new(),
        }
    }

    fn silence(mut self, millis: usize) -> Recording {
        self.pcm.resize(self.pcm.len() + ms(millis), 0);
        self
    }

    fn speech(mut self, pcm: &[i16]) -> Recording {
        let start = self.pcm.len();
        self.pcm.extend_from_slice(pcm);
        self.sentences.push((start, self.pcm.len()));
        self
    }

    /// A quiet noise floor (about -60 dB) as a real microphone has, so the
    /// detector never sees digital zeros.
    fn with_noise_floor(mut self) -> Recording {
        let mut state: u32 = 0x1234_5678;
        for sample in &mut self.pcm {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = ((state >> 16) % 61) as i16 - 30;
            *sample = sample.saturating_add(noise);
        }
        self
    }
}

/// What came out, with the stream position each event was emitted at.
struct Run {
    events: Vec<(SamplePos, UtteranceEvent)>,
}

impl Run {
    fn utterances(&self) -> Vec<(SamplePos, &Utterance)> {
        self.events
            .iter()
            .filter_map(|(at, e)| match e {
                UtteranceEvent::Ended(u) => Some((*at, u)),
                _ => None,
            })
            .collect()
    }
}

/// Streams the recording as a client would: frames of 20 to 100 ms, each
/// encoded, parsed and checked as the server does. Frame 5 is sent twice, as
/// after a reconnect, and must be dropped as a duplicate.
fn stream(recording: &Recording, voice: &VoiceConfig, limits: &Limits) -> Run {
    let mut assembler = Assembler::new(UtteranceConfig::new(voice, limits));
    let mut tracker = SequenceTracker::default();
    let mut budget = AudioBudget::new(limits.max_session_audio_seconds.get());
    let sizes = [ms(20), ms(50), ms(100), ms(30), ms(40)];
    let mut events = Vec::new();
    let (mut offset, mut seq, mut duplicates) = (0, 0u32, 0);
    while offset < recording.pcm.len() {
        let size = sizes[seq as usize % sizes.len()].min(recording.pcm.len() - offset);
        let bytes = AudioFrame {
            seq,
            samples: recording.pcm[offset..offset + size].to_vec(),
        }
        .encode();
        let sends = if seq == 5 { 2 } else { 1 };
        for _ in 0..sends {
            let frame = AudioFrame::parse(&bytes, limits.max_audio_frame_bytes.get()).unwrap();
            match tracker.check(frame.seq) {
                Sequence::InOrder => {}
                Sequence::Duplicate => {
                    duplicates += 1;
                    continue;
                }
                gap => panic!("unexpected {gap:?} at frame {seq}"),
            }
            budget.charge(frame.samples.len()).unwrap();
            for event in assembler.push(&frame.samples) {
                events.push((assembler.position(), event));
            }
        }
        offset += size;
        seq += 1;
    }
    assert_eq!(duplicates, 1);
    assert!((budget.used_seconds() - recording.pcm.len() as f64 / RATE as f64).abs() < 1e-9);
    if let Some(event) = assembler.finish() {
        events.push((assembler.position(), event));
    }
    Run { events }
}

fn seconds(samples: u64) -> f64 {
    samples as f64 / RATE as f64
}

/// Segments off, so these tests stay about how utterances are cut
/// (segments, the default, have their own test).
fn whole_utterances() -> VoiceConfig {
    VoiceConfig {
        segment_pause_ms: Bounded::new(0).unwrap(),
        ..VoiceConfig::default()
    }
}

/// Segments on, stated rather than taken from the default: a 200 ms pause
/// after a second of speech settles a piece.
pub fn with_segments() -> VoiceConfig {
    VoiceConfig {
        segment_pause_ms: Bounded::new(200).unwrap(),
        min_segment_ms: Bounded::new(1_000).unwrap(),
        ..VoiceConfig::default()
    }
}

const FIRST: &str = "I would start by clarifying the requirements and the expected load.";
const SECOND: &str = "Then I would put a cache in front of the database.";

/// FIRST after `lead_ms` of silence, SECOND `gap_ms` later, then 2 s of
/// silence, over a microphone's noise floor.
fn two_sentences(dir: &Path, lead_ms: usize, gap_ms: usize) -> Recording {
    Recording::new()
        .silence(lead_ms)
        .speech(&speak(dir, "first", FIRST))
        .silence(gap_ms)
        .speech(&speak(dir, "second", SECOND))
        .silence(2_000)
        .with_noise_floor()
}

/// How far a detected speech end may sit from the true end of the sentence.
/// The detector decides per 16 ms frame with 48 ms of spectral context, and
/// a sentence's last sound fades (sox's trim and earshot disagree on where a
/// fading vowel stops); 250 ms covers that, and is far below the 2 s gap, so
/// a cut this close cannot belong to the other sentence.
const END_TOLERANCE: usize = 250 * RATE / 1_000;

#[test]
fn two_sentences_two_seconds_apart_are_two_utterances_cut_in_the_silence() {
    let dir = tempfile::tempdir().unwrap();
    let recording = two_sentences(dir.path(), 800, 2_000);
    let run = stream(&recording, &whole_utterances(), &Limits::default());
    let utterances = run.utterances();
    assert_eq!(utterances.len(), 2, "{:?}", summary(&run));

    let hold = ms(VoiceConfig::default().silence_hold_ms.get() as usize) as u64;
    for ((decided_at, u), &(start, end)) in utterances.iter().zip(&recording.sentences) {
        let (start, end) = (start as u64, end as u64);
        assert_eq!(u.reason, EndReason::Silence);
        // The pre-roll means the utterance holds the very first sound…
        assert!(
            u.start <= start,
            "starts {} s after the speech",
            seconds(u.start - start)
        );
        // …but not much more than the pre-roll (300 ms) and onset (64 ms).
        assert!(
            start - u.start <= ms(500) as u64,
            "starts {} s early",
            seconds(start - u.start)
        );
        assert!(
            u.speech_end.abs_diff(end) <= END_TOLERANCE as u64,
            "speech ends at {} s, the sentence at {} s",
            seconds(u.speech_end),
            seconds(end)
        );
        assert!(u.end >= end, "the last sound of the sentence was cut off");
        // The cut is made by the silence hold, after the sentence ends.
        assert!(decided_at.abs_diff(u.speech_end + hold) <= ms(20) as u64);
        assert_eq!(u.audio.len() as u64, u.end - u.start);
    }
    // Partials: the first sentence (about 4 s) is re-transcribed every
    // 700 ms of new speech, each pass on a longer clip.
    let partials: Vec<usize> = run
        .events
        .iter()
        .take_while(|(_, e)| !matches!(e, UtteranceEvent::Ended(_)))
        .filter_map(|(_, e)| match e {
            UtteranceEvent::Partial { audio, .. } => Some(audio.len()),
            _ => None,
        })
        .collect();
    assert!((3..=7).contains(&partials.len()), "{partials:?}");
    assert!(partials.windows(2).all(|p| p[0] < p[1]), "{partials:?}");
}

#[test]
fn a_thinking_pause_shorter_than_the_hold_does_not_end_the_utterance() {
    let dir = tempfile::tempdir().unwrap();
    let recording = two_sentences(dir.path(), 500, 1_000);
    let run = stream(&recording, &whole_utterances(), &Limits::default());
    let utterances = run.utterances();
    assert_eq!(utterances.len(), 1, "{:?}", summary(&run));
    let u = utterances[0].1;
    assert_eq!(u.reason, EndReason::Silence);
    assert!(u.start <= recording.sentences[0].0 as u64);
    assert!(u.end >= recording.sentences[1].1 as u64);
}

#[test]
fn the_hard_cap_ends_an_utterance_that_runs_on() {
    let dir = tempfile::tempdir().unwrap();
    let first = speak(dir.path(), "first", FIRST);
    let second = speak(dir.path(), "second", SECOND);
    // About 12 s of speech with only breath-length gaps, against a 5 s cap.
    let recording = Recording::new()
        .silence(500)
        .speech(&first)
        .silence(200)
        .speech(&second)
        .silence(200)
        .speech(&first)
        .silence(2_000)
        .with_noise_floor();
    let limits = Limits {
        max_utterance_seconds: Bounded::new(5).unwrap(),
        ..Limits::default()
    };
    let run = stream(&recording, &whole_utterances(), &limits);
    let utterances = run.utterances();
    assert!(utterances.len() >= 3, "{:?}", summary(&run));
    let (capped, last) = utterances.split_at(utterances.len() - 1);
    for (_, u) in capped {
        assert_eq!(u.reason, EndReason::HardCap, "{:?}", summary(&run));
        assert!(u.audio.len() <= ms(5_000));
        assert!(u.audio.len() >= ms(4_900));
    }
    // Nothing is lost or doubled at a forced cut: the next utterance starts
    // where the capped one ended (later only if what followed the cut was a
    // pause longer than the pre-roll), and the last reaches the end of speech.
    for pair in utterances.windows(2) {
        let (end, next) = (pair[0].1.end, pair[1].1.start);
        assert!(
            next >= end && next - end <= ms(400) as u64,
            "{:?}",
            summary(&run)
        );
    }
    assert_eq!(last[0].1.reason, EndReason::Silence);
    let speech_end = recording.sentences.last().unwrap().1 as u64;
    assert!(last[0].1.end >= speech_end);
}

#[test]
fn a_sentence_is_settled_as_a_segment_a_short_pause_after_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let recording = two_sentences(dir.path(), 500, 1_000);
    let voice = with_segments();
    let run = stream(&recording, &voice, &Limits::default());
    let segments: Vec<(SamplePos, &Utterance)> = run
        .events
        .iter()
        .filter_map(|(at, e)| match e {
            UtteranceEvent::Segment(u) => Some((*at, u)),
            _ => None,
        })
        .collect();
    // One utterance (the 1 s gap is shorter than the hold), cut into pieces
    // at pauses: at least one per sentence, since each ends in silence.
    assert!(run.utterances().is_empty(), "{:?}", summary(&run));
    assert!(segments.len() >= 2, "{:?}", summary(&run));
    // Pieces follow each other with no overlap, and nothing is said twice.
    for pair in segments.windows(2) {
        assert!(pair[1].1.start >= pair[0].1.end, "{:?}", summary(&run));
    }
    // Each sentence's end is settled one segment pause after it, give or
    // take the detector's view of where a fading sound stops: this is what
    // puts the final transcript close to the end of speech.
    let pause = ms(voice.segment_pause_ms.get() as usize) as u64;
    for &(_, end) in &recording.sentences {
        let end = end as u64;
        let (decided_at, settling) = segments
            .iter()
            .find(|(_, u)| u.end >= end)
            .expect("a segment reaches the end of each sentence");
        assert!(
            settling.speech_end.abs_diff(end) <= END_TOLERANCE as u64,
            "{:?}",
            summary(&run)
        );
        // (An event is stamped with the position after the frame that
        // carried it, and the client's frames are up to 100 ms long.)
        assert!(
            decided_at.abs_diff(settling.speech_end + pause) <= ms(100) as u64,
            "{:?}",
            summary(&run)
        );
    }
    // The hold then ends the utterance with nothing left to transcribe.
    assert!(
        matches!(run.events.last(), Some((_, UtteranceEvent::Dropped { .. }))),
        "{:?}",
        summary(&run)
    );
}

/// Events as (kind, seconds) for assertion messages.
fn summary(run: &Run) -> Vec<String> {
    run.events
        .iter()
        .map(|(at, e)| match e {
            UtteranceEvent::Started { start } => format!("started {:.2}", seconds(*start)),
            UtteranceEvent::Partial { .. } => format!("partial @{:.2}", seconds(*at)),
            UtteranceEvent::Ended(u) => format!(
                "ended {:?} {:.2}..{:.2} (speech to {:.2}) @{:.2}",
                u.reason,
                seconds(u.start),
                seconds(u.end),
                seconds(u.speech_end),
                seconds(*at)
            ),
            UtteranceEvent::Segment(u) => format!(
                "segment {:.2}..{:.2} @{:.2}",
                seconds(u.start),
                seconds(u.end),
                seconds(*at)
            ),
            UtteranceEvent::Dropped { start, end } => {
                format!("dropped {:.2}..{:.2}", seconds(*start), seconds(*end))
            }
            UtteranceEvent::TurnQuery { pause, .. } => {
                format!("turn query on the pause at {:.2}", seconds(*pause))
            }
        })
        .collect()
}
