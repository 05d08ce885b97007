//! End of turn: the fixed 1.5 s silence hold against the end-of-turn model,
//! on spoken answers with thinking pauses, through the same assembler the
//! server runs (offline: audio pushed frame by frame, each verdict given
//! back as many frames later as the decision took).
//!
//! Each answer has one long pause and ends with a finished sentence. The
//! pause comes after a finished sentence (more follows), mid-thought after
//! a filler ("so the next thing I'd, um, … check"), or mid-phrase with no
//! filler ("looking at the … slow query log"). A turn that ends in a
//! mid-thought pause is a false cut-off; the wait is from the end of the
//! final sentence to the end of the turn.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use mockloop::config::{Limits, VoiceConfig};
use mockloop::speech::turn::SmartTurn;
use mockloop::speech::turn::features::log_mel;
use mockloop::speech::utterance::{Assembler, UtteranceConfig, UtteranceEvent, ms_for_samples};
use mockloop::speech::vad::FRAME_SAMPLES;
use mockloop::speech::wav;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pause {
    AfterSentence,
    Filler,
    MidPhrase,
}

/// `{p}` is where the pause goes, with its length in ms.
const ANSWERS: [(Pause, &str, u32); 12] = [
    (
        Pause::AfterSentence,
        "I would put the writes on a queue. {p} A worker then drains it in batches.",
        1_600,
    ),
    (
        Pause::AfterSentence,
        "The first thing is to measure. {p} Then I would look at the slowest queries first.",
        2_000,
    ),
    (
        Pause::AfterSentence,
        "We chose Postgres for the ledger. {p} It gave us transactions we could trust.",
        1_000,
    ),
    (
        Pause::AfterSentence,
        "I would shard by customer. {p} That keeps each tenant's data together.",
        2_500,
    ),
    (
        Pause::Filler,
        "So the next thing I'd, um, {p} check is whether the index is used.",
        1_600,
    ),
    (
        Pause::Filler,
        "And then we could, uh, {p} cache the results for a minute.",
        2_000,
    ),
    (
        Pause::Filler,
        "The tricky part is, um, {p} keeping the two copies in sync.",
        2_500,
    ),
    (
        Pause::Filler,
        "I would probably, uh, {p} start with a simple design.",
        1_000,
    ),
    (
        Pause::MidPhrase,
        "The reason we moved was because the {p} old system could not scale.",
        1_600,
    ),
    (
        Pause::MidPhrase,
        "I would start by looking at the {p} slow query log.",
        2_000,
    ),
    (
        Pause::MidPhrase,
        "And the second part of the problem is {p} ordering the events.",
        2_500,
    ),
    (
        Pause::MidPhrase,
        "We could also split the {p} service in two.",
        1_000,
    ),
];

const VOICES: [&str; 2] = ["en-gb", "en-us"];

/// Silence after the answer: longer than any hold, so every turn ends.
const TRAILING_MS: u32 = 4_000;

pub struct Policy {
    pub name: String,
    /// Mid-thought pauses that ended the turn: after a filler, mid-phrase.
    pub cut_filler: usize,
    pub cut_mid_phrase: usize,
    /// Pauses after a finished sentence that ended the turn (more followed).
    pub ended_between_sentences: usize,
    /// End of the final sentence to the end of the turn, per answer.
    pub waits: Vec<u64>,
}

pub struct Figures {
    pub answers: usize,
    /// Pauses of each kind across all answers.
    pub filler: usize,
    pub mid_phrase: usize,
    pub after_sentence: usize,
    pub policies: Vec<Policy>,
    /// Whole decisions (features and model), and the features alone.
    pub decisions: Vec<Duration>,
    pub features: Vec<Duration>,
}

struct Spoken {
    pause: Pause,
    audio: Vec<i16>,
    /// Sample ranges of the long pause and of the final speech's end.
    gap: (usize, usize),
    speech_end: usize,
}

pub fn measure(model: &Path, runtime: &Path, dir: &Path) -> Result<Figures, String> {
    let model = SmartTurn::load(model, runtime).map_err(|e| e.to_string())?;
    let mut spoken = Vec::new();
    for (i, (pause, text, ms)) in ANSWERS.iter().enumerate() {
        for voice in VOICES {
            let ssml = format!(
                "<speak>{}</speak>",
                text.replace("{p}", &format!("<break time=\"{ms}ms\"/>"))
            );
            let audio = speak_ssml(&ssml, voice, dir, &format!("turn-{i}-{voice}"))?;
            let (gap, speech_end) = landmarks(&audio, *ms)?;
            spoken.push(Spoken {
                pause: *pause,
                audio,
                gap,
                speech_end,
            });
        }
    }
    let voice = VoiceConfig::default();
    let fixed = UtteranceConfig::new(&voice, &Limits::default());
    let semantic = fixed.clone().with_end_of_turn(&voice);
    let threshold = voice.turn_threshold.get();
    let mut decisions = Vec::new();
    let mut features = Vec::new();
    let mut policies = Vec::new();
    for (name, config) in [
        (
            format!("fixed {} ms hold", voice.silence_hold_ms.get()),
            fixed,
        ),
        (
            format!(
                "Smart Turn ({} ms pause, max {} ms)",
                voice.turn_pause_ms.get(),
                voice.turn_max_hold_ms.get()
            ),
            semantic,
        ),
    ] {
        let mut policy = Policy {
            name,
            cut_filler: 0,
            cut_mid_phrase: 0,
            ended_between_sentences: 0,
            waits: Vec::new(),
        };
        for answer in &spoken {
            let ends = replay(&config, &answer.audio, |audio| {
                let started = Instant::now();
                let input = log_mel(audio);
                let computed = started.elapsed();
                let p = model.probability_of_features(input).expect("a decision");
                let took = started.elapsed();
                features.push(computed);
                decisions.push(took);
                (p >= threshold, took)
            });
            let in_gap = ends.iter().any(|&e| e > answer.gap.0 && e < answer.gap.1);
            if in_gap {
                match answer.pause {
                    Pause::Filler => policy.cut_filler += 1,
                    Pause::MidPhrase => policy.cut_mid_phrase += 1,
                    Pause::AfterSentence => policy.ended_between_sentences += 1,
                }
            }
            let last = ends
                .iter()
                .copied()
                .filter(|&e| e >= answer.speech_end)
                .min()
                .ok_or("the turn never ended")?;
            policy
                .waits
                .push(ms_for_samples((last - answer.speech_end) as u64));
        }
        policies.push(policy);
    }
    let count = |p: Pause| spoken.iter().filter(|s| s.pause == p).count();
    Ok(Figures {
        answers: spoken.len(),
        filler: count(Pause::Filler),
        mid_phrase: count(Pause::MidPhrase),
        after_sentence: count(Pause::AfterSentence),
        policies,
        decisions,
        features,
    })
}

/// Pushes the answer and its trailing silence frame by frame; each turn
/// query is judged by `judge` and its verdict given back as many frames
/// later as the decision took (at least one). Returns where turns ended.
fn replay(
    config: &UtteranceConfig,
    audio: &[i16],
    mut judge: impl FnMut(&[f32]) -> (bool, Duration),
) -> Vec<usize> {
    let mut assembler = Assembler::new(config.clone());
    let mut ends = Vec::new();
    let mut pending: Option<(u64, bool, usize)> = None;
    let silence = vec![0i16; FRAME_SAMPLES];
    let frames = audio.chunks(FRAME_SAMPLES).chain(std::iter::repeat_n(
        silence.as_slice(),
        (TRAILING_MS as usize * 16).div_ceil(FRAME_SAMPLES),
    ));
    for frame in frames {
        let mut events = assembler.push(frame);
        if let Some((pause, finished, left)) = pending.take() {
            if left <= 1 {
                events.extend(assembler.turn_verdict(pause, finished));
            } else {
                pending = Some((pause, finished, left - 1));
            }
        }
        for event in events {
            match event {
                UtteranceEvent::Ended(_) | UtteranceEvent::Dropped { .. } => {
                    ends.push(assembler.position() as usize)
                }
                UtteranceEvent::TurnQuery { pause, audio } => {
                    let (finished, took) = judge(&audio);
                    let frames = (took.as_micros() as usize).div_ceil(1_000).div_ceil(16);
                    pending = Some((pause, finished, frames.max(1)));
                }
                _ => {}
            }
        }
    }
    ends
}

/// The long pause (`ms` of silence, give or take espeak-ng's own) and
/// where the last speech ends, found in the samples.
fn landmarks(audio: &[i16], ms: u32) -> Result<((usize, usize), usize), String> {
    let loud = |s: &i16| s.unsigned_abs() > 300;
    let speech_end = audio.iter().rposition(loud).ok_or("no speech")? + 1;
    let min_gap = (ms as usize * 16) * 3 / 4;
    let mut start = None;
    for (i, s) in audio[..speech_end].iter().enumerate() {
        match (loud(s), start) {
            (false, None) => start = Some(i),
            (true, Some(s0)) if i - s0 >= min_gap => return Ok(((s0, i), speech_end)),
            (true, Some(_)) => start = None,
            _ => {}
        }
    }
    Err(format!("no pause of {ms} ms found"))
}

fn speak_ssml(ssml: &str, voice: &str, dir: &Path, name: &str) -> Result<Vec<i16>, String> {
    let raw = dir.join(format!("{name}-raw.wav"));
    let out = dir.join(format!("{name}.wav"));
    run(Command::new("espeak-ng")
        .args(["-m", "-v", voice, "-w"])
        .arg(&raw)
        .arg(ssml))?;
    run(Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&out))?;
    let samples = wav::read(&out).map_err(|e| e.to_string())?;
    Ok(samples
        .iter()
        .map(|&s| (s * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16)
        .collect())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

pub fn print(f: &Figures) {
    println!(
        "end of turn: {} spoken answers (12 texts, espeak-ng en-gb and en-us), each with one \
         pause of 1.0-2.5 s: {} after a filler, {} mid-phrase, {} after a finished sentence",
        f.answers, f.filler, f.mid_phrase, f.after_sentence
    );
    println!(
        "  policy                                   false cut-offs (filler, mid-phrase)  \
         ended between sentences  wait after the last word: median, max"
    );
    for p in &f.policies {
        let mut waits = p.waits.clone();
        waits.sort_unstable();
        println!(
            "  {:40} {:2}/{} ({}/{}, {}/{}) {:>22}/{} {:>18} ms, {} ms",
            p.name,
            p.cut_filler + p.cut_mid_phrase,
            f.filler + f.mid_phrase,
            p.cut_filler,
            f.filler,
            p.cut_mid_phrase,
            f.mid_phrase,
            p.ended_between_sentences,
            f.after_sentence,
            waits[waits.len() / 2],
            waits[waits.len() - 1],
        );
    }
    let ms = |mut v: Vec<Duration>| {
        v.sort_unstable();
        (
            v[v.len() / 2].as_secs_f64() * 1e3,
            v[v.len() - 1].as_secs_f64() * 1e3,
        )
    };
    let (decision, max) = ms(f.decisions.clone());
    let (features, _) = ms(f.features.clone());
    println!(
        "  one decision: {decision:.1} ms, of which features {features:.1} ms (median of {}; \
         max {max:.1} ms), one thread",
        f.decisions.len()
    );
}
