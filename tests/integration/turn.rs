//! The end-of-turn model on real (synthesised) speech: espeak-ng speaks, and
//! the model, run by ONNX Runtime on the features computed here, judges
//! the pause after it.
//!
//! What espeak-ng can show: a finished sentence scores as a finished turn,
//! and a thought left hanging on a filler ("so the next thing I'd, um")
//! as unfinished. A phrase cut off mid-way with no filler ("I would start
//! by looking at the") it cannot: espeak-ng gives the last word of any
//! input a sentence's falling pitch, and the model, which listens to
//! intonation more than to words, then hears a finished sentence
//! (benches/README.md has the figures). No test pretends otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use mockloop::config::{Limits, VoiceConfig};
use mockloop::speech::turn::SmartTurn;
use mockloop::speech::turn::install::test_files;
use mockloop::speech::utterance::{Assembler, UtteranceConfig, UtteranceEvent};
use mockloop::speech::wav;

fn model() -> &'static SmartTurn {
    static MODEL: OnceLock<SmartTurn> = OnceLock::new();
    MODEL.get_or_init(|| {
        let (model, runtime) = test_files();
        SmartTurn::load(&model, &runtime).expect("the model loads")
    })
}

/// `text` in `voice`, as 16 kHz PCM16 followed by `pause_ms` of silence.
fn spoken(dir: &Path, voice: &str, text: &str, pause_ms: u32) -> Vec<f32> {
    let raw = dir.join("raw.wav");
    let out: PathBuf = dir.join("speech.wav");
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .expect("espeak-ng is required: apt-get install espeak-ng sox");
    assert!(status.success());
    let pad = format!("{}", f64::from(pause_ms) / 1_000.0);
    let status = Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&out)
        .args(["pad", "0", &pad])
        .status()
        .expect("sox is required");
    assert!(status.success());
    wav::read(&out).expect("a wav").to_vec()
}

const FINISHED: [&str; 2] = [
    "That is the whole design.",
    "The cache cut our read latency in half.",
];
const HANGING: [&str; 2] = ["So the next thing I'd, um", "We could also, uh"];
const VOICES: [&str; 2] = ["en-gb", "en-us"];

/// Each text in each voice, a short pause after it, and the model's score.
fn scores(texts: &[&str]) -> Vec<(String, f32)> {
    let dir = tempfile::tempdir().unwrap();
    let mut scores = Vec::new();
    for voice in VOICES {
        for text in texts {
            let audio = spoken(dir.path(), voice, text, 300);
            scores.push((
                format!("{voice} {text:?}"),
                model().probability(&audio).unwrap(),
            ));
        }
    }
    scores
}

#[test]
fn turn_a_finished_sentence_scores_as_a_finished_turn_after_a_short_pause() {
    for (said, p) in scores(&FINISHED) {
        assert!(p >= 0.5, "{said}: {p}");
    }
}

#[test]
fn turn_a_thought_left_hanging_on_a_filler_scores_as_unfinished() {
    for (said, p) in scores(&HANGING) {
        assert!(p < 0.5, "{said}: {p}");
    }
}

/// The assembler's question, answered by the model: a finished sentence
/// ends the turn about `turn_pause_ms` after the last word; a hanging one
/// waits past the fixed hold. Time is the audio pushed, not a clock.
#[test]
fn turn_the_assembler_ends_a_finished_answer_early_and_waits_for_a_hanging_one() {
    let dir = tempfile::tempdir().unwrap();
    let voice = VoiceConfig::default();
    let config = UtteranceConfig::new(&voice, &Limits::default()).with_end_of_turn(&voice);
    let threshold = voice.turn_threshold.get();
    let hold_ms = u64::from(voice.silence_hold_ms.get());
    for (text, finished) in [(FINISHED[0], true), (HANGING[0], false)] {
        let audio = spoken(dir.path(), "en-gb", text, 4_000);
        let pcm: Vec<i16> = audio.iter().map(|&s| (s * 32_768.0) as i16).collect();
        let speech_end = pcm.iter().rposition(|s| s.unsigned_abs() > 300).unwrap() as u64;
        let mut assembler = Assembler::new(config.clone());
        let (mut verdicts, mut ended) = (Vec::new(), None);
        for chunk in pcm.chunks(256) {
            let mut events = assembler.push(chunk);
            let queries: Vec<(u64, Vec<f32>)> = events
                .iter()
                .filter_map(|e| match e {
                    UtteranceEvent::TurnQuery { pause, audio } => Some((*pause, audio.to_vec())),
                    _ => None,
                })
                .collect();
            for (pause, audio) in queries {
                let p = model().probability(&audio).unwrap();
                verdicts.push(p);
                events.extend(assembler.turn_verdict(pause, p >= threshold));
            }
            // With segments (the default) the speech was settled before
            // the end, and the turn ends with nothing more: `Dropped`.
            if events
                .iter()
                .any(|e| matches!(e, UtteranceEvent::Ended(_) | UtteranceEvent::Dropped { .. }))
            {
                ended = Some((assembler.position() - speech_end) / 16);
                break;
            }
        }
        let waited_ms = ended.unwrap_or_else(|| panic!("{text:?} never ended"));
        if finished {
            assert!(
                waited_ms < hold_ms,
                "{text:?} waited {waited_ms} ms; verdicts {verdicts:?}"
            );
        } else {
            assert!(
                waited_ms > hold_ms,
                "{text:?} ended after {waited_ms} ms; verdicts {verdicts:?}"
            );
        }
    }
}
