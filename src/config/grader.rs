//! `[grader]`: which grader scores answers.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Bounded;

/// Which grader scores answers. The offline grader needs its sentence-
/// embedding model (installed on first `serve`); the LLM grader is
/// configured in its own section.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraderConfig {
    pub kind: GraderKind,
    /// The offline grader's embedding model directory. Unset:
    /// `<data_dir>/models/all-minilm-l6-v2`.
    pub embedding_model: Option<PathBuf>,
    /// Install the embedding model at `serve` start-up when it is missing.
    /// Without it the offline grader falls back to v2 (vocabulary only), and
    /// every score says so.
    pub auto_install: bool,
    /// The longest the interviewer waits for the grader's reading of an
    /// answer before choosing a follow-up without it (by the rubric's
    /// signal phrases). A reading takes tens of milliseconds; the wait is
    /// for a grader that stalls, so the interview never does.
    pub reading_wait_ms: Bounded<u32, 10, 60_000>,
}

impl Default for GraderConfig {
    fn default() -> Self {
        GraderConfig {
            kind: GraderKind::default(),
            embedding_model: None,
            auto_install: true,
            reading_wait_ms: Bounded::default_of(3_000),
        }
    }
}

/// The default embedding model directory's name under `<data_dir>/models/`
/// (where `crate::embed::install` puts the model).
pub const DEFAULT_EMBEDDING_DIR: &str = "all-minilm-l6-v2";

/// `<data_dir>/models/all-minilm-l6-v2`.
pub fn default_embedding_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models").join(DEFAULT_EMBEDDING_DIR)
}

impl GraderConfig {
    /// `reading_wait_ms` as a duration.
    pub fn reading_wait(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.reading_wait_ms.get().into())
    }

    pub fn embedding_model_path(&self, data_dir: &Path) -> PathBuf {
        self.embedding_model
            .clone()
            .unwrap_or_else(|| default_embedding_dir(data_dir))
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum GraderKind {
    #[default]
    Offline,
    Llm,
}
