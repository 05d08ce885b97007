//! One model in one weight type, against faster-whisper on the same
//! CTranslate2 model: load time, each clip's final pass (warm), the whole
//! `mockloop transcribe` process on each clip (start, model load and pass:
//! what a one-off transcription costs), and the word error over the
//! accuracy set.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use mockloop::speech::model::{Source, Weights, import};
use mockloop::speech::whisper::{WhisperOptions, WhisperTranscriber};
use mockloop::speech::{Request, Samples, Transcriber};

use crate::accuracy::{self, Accuracy, Answer};
use crate::{RUNS, median, speech_support};

/// A timed clip: its name, file, the words said, and the audio.
pub struct Clip {
    pub name: String,
    pub file: PathBuf,
    pub text: String,
    pub audio: Samples,
}

/// A model to measure: a name for the tables, where the CTranslate2 files
/// are (the source of our conversion and what faster-whisper loads).
pub struct Model {
    pub name: String,
    pub source: Source,
    pub ct2: PathBuf,
}

pub struct Ours {
    pub weights: Weights,
    pub megabytes: f64,
    pub load: Duration,
    /// Median final pass on each clip, and its word error.
    pub passes: Vec<(Duration, f64)>,
    /// Median whole process on each clip.
    pub process: Vec<Duration>,
    pub accuracy: Option<Accuracy>,
}

/// Converts `model` to `weights` under target/ and returns the file.
pub fn convert(model: &Model, weights: Weights) -> PathBuf {
    let weights_name = match weights {
        Weights::F16 => "f16",
        Weights::Q8_0 => "q8_0",
        Weights::Q5_1 => "q5_1",
    };
    let out = speech_support::models_dir()
        .join("bench")
        .join(format!("ggml-{}-{weights_name}.bin", model.name));
    import(&model.source, &out, weights, &ProgressBar::hidden())
        .unwrap_or_else(|e| panic!("converting {} to {weights_name}: {e}", model.name));
    out
}

pub fn measure(
    runtime: &tokio::runtime::Runtime,
    file: &Path,
    weights: Weights,
    options: WhisperOptions,
    clips: &[Clip],
    answers: &[Answer],
) -> Ours {
    let loads: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            drop(WhisperTranscriber::load(file, options).expect("load"));
            t.elapsed()
        })
        .collect();
    let transcriber = Arc::new(WhisperTranscriber::load(file, options).expect("load"));
    let passes = clips
        .iter()
        .map(|clip| {
            let once = || {
                let t = Instant::now();
                let out = runtime
                    .block_on(transcriber.transcribe(Request {
                        audio: clip.audio.clone(),
                        initial_prompt: None,
                        partial: false,
                        owner: None,
                    }))
                    .expect("transcribe");
                (t.elapsed(), out)
            };
            let (_, first) = once(); // warm-up
            let latency = median((0..RUNS).map(|_| once().0).collect());
            (latency, speech_support::wer(&clip.text, &first.text))
        })
        .collect();
    let accuracy = (!answers.is_empty())
        .then(|| accuracy::measure(runtime, &transcriber, answers).expect("the accuracy set"));
    drop(transcriber);
    let process = clips
        .iter()
        .map(|clip| {
            median(
                (0..RUNS)
                    .map(|_| process(file, &clip.file, options))
                    .collect(),
            )
        })
        .collect();
    Ours {
        weights,
        megabytes: std::fs::metadata(file).map_or(0.0, |m| m.len() as f64 / 1e6),
        load: median(loads),
        passes,
        process,
        accuracy,
    }
}

/// `mockloop transcribe` on `clip`, start to exit, on as many threads as
/// a final pass gets in the server.
fn process(model: &Path, clip: &Path, options: WhisperOptions) -> Duration {
    let data = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_mockloop"))
        .arg("transcribe")
        .arg("--model")
        .arg(model)
        .arg(clip)
        .env("MOCKLOOP__STORAGE__DATA_DIR", data.path())
        .env(
            "MOCKLOOP__SPEECH__THREADS",
            (options.threads * options.workers).to_string(),
        )
        .output()
        .expect("mockloop transcribe runs");
    let elapsed = t.elapsed();
    assert!(
        out.status.success(),
        "mockloop transcribe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}
