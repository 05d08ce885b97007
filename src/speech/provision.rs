//! Getting the server a recogniser at start-up. Voice is an extra: when no
//! model can be found or installed, the server says so and runs text-only.

use std::path::Path;
use std::sync::Arc;

use super::Transcriber;
use super::model::install::{InstallOptions, install};
use super::remote::RemoteTranscriber;
use super::whisper::WhisperTranscriber;
use crate::config::{SpeechBackend, SpeechConfig, SpeechRemoteConfig};

/// With `backend = "remote"`, the remote transcriber (nothing is loaded
/// here). Otherwise loads the configured model, installing the default one
/// first when it is missing (unless a path was configured, or `auto_install`
/// is off). `None` means text-only; the reason has been logged at warn level.
pub async fn provision(
    config: &SpeechConfig,
    remote: &SpeechRemoteConfig,
    data_dir: &Path,
) -> Option<Arc<dyn Transcriber>> {
    if config.backend == SpeechBackend::Remote {
        return match RemoteTranscriber::new(remote) {
            Ok(transcriber) => {
                tracing::info!(
                    transcriber = transcriber.name(),
                    "remote speech recognition configured"
                );
                Some(Arc::new(transcriber))
            }
            Err(e) => {
                tracing::warn!("voice is off, candidates can still type: {e}");
                None
            }
        };
    }
    let path = config.model_path(data_dir);
    if !path.exists() {
        if config.model.is_some() || !config.auto_install {
            tracing::warn!(
                model = %path.display(),
                "no speech model there: voice is off, candidates can still type \
                 (run `mockloop models install` or set [speech] model)"
            );
            return None;
        }
        tracing::warn!(
            model = %path.display(),
            "no speech model yet: installing one (first start only; this can take a minute)"
        );
        if let Err(e) = install(&path, &InstallOptions::for_size(config.model_size)).await {
            tracing::warn!("voice is off, candidates can still type: {e}");
            return None;
        }
    }
    let options = config.into();
    let load_path = path.clone();
    let loaded =
        tokio::task::spawn_blocking(move || WhisperTranscriber::load(&load_path, options)).await;
    match loaded {
        Ok(Ok(transcriber)) => {
            tracing::info!(model = %path.display(), "speech recognition ready");
            Some(Arc::new(transcriber))
        }
        Ok(Err(e)) => {
            tracing::warn!("voice is off, candidates can still type: {e}");
            None
        }
        Err(e) => {
            tracing::warn!("voice is off, candidates can still type: loading failed: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_configured_model_means_text_only_without_installing() {
        let dir = tempfile::tempdir().unwrap();
        let config = SpeechConfig {
            model: Some(dir.path().join("absent.bin")),
            ..SpeechConfig::default()
        };
        assert!(
            provision(&config, &SpeechRemoteConfig::default(), dir.path())
                .await
                .is_none()
        );
        assert!(!dir.path().join("models").exists());
    }

    #[tokio::test]
    async fn the_remote_backend_loads_no_model() {
        let dir = tempfile::tempdir().unwrap();
        let config = SpeechConfig {
            backend: SpeechBackend::Remote,
            auto_install: true,
            ..SpeechConfig::default()
        };
        let remote = SpeechRemoteConfig {
            base_url: Some("http://127.0.0.1:9/v1".into()),
            model: Some("whisper-small".into()),
            ..SpeechRemoteConfig::default()
        };
        let transcriber = provision(&config, &remote, dir.path()).await.unwrap();
        assert_eq!(transcriber.name(), "remote whisper-small");
        assert!(!dir.path().join("models").exists());
    }

    #[tokio::test]
    async fn a_corrupt_model_file_means_text_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.bin");
        std::fs::write(&path, b"lmgg\x00\x01 definitely not a model").unwrap();
        let config = SpeechConfig {
            model: Some(path),
            ..SpeechConfig::default()
        };
        assert!(
            provision(&config, &SpeechRemoteConfig::default(), dir.path())
                .await
                .is_none()
        );
    }
}
