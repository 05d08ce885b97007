//! `[speech]` and `[speech_remote]`: how spoken answers are recognised.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ApiKey, Bounded, missing};

/// Local speech recognition (whisper.cpp). Voice is optional: without a
/// model the server runs text-only.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechConfig {
    /// `local` runs whisper.cpp here; `remote` sends each clip to the
    /// OpenAI-compatible endpoint in `[speech_remote]` (a GPU worker).
    pub backend: SpeechBackend,
    /// Which Whisper the default model file is, and which one `models
    /// install` and the first `serve` install: `tiny.en` (the default) or
    /// `base.en` (about twice the time a pass, for fewer word errors).
    pub model_size: ModelSize,
    /// A ggml Whisper model. Unset: `<data_dir>/models/ggml-<model_size>.bin`
    /// (ggml-tiny.en.bin), which the first `serve` installs when missing.
    pub model: Option<PathBuf>,
    /// Threads a partial pass uses. whisper.cpp scales to about 4 on
    /// tiny; more only steals cores from the other workers. Default: half
    /// the cores there are, from 1 to 4.
    pub threads: Bounded<usize, 1, 64>,
    /// Transcriptions in flight at once, each on its own worker thread
    /// with its own decoder state (the model itself is shared). The
    /// workers share `workers × threads` cores: a final pass takes every
    /// one free, and a partial pass running when it arrives gives way.
    /// Default 2.
    pub workers: Bounded<usize, 1, 16>,
    /// Clips waiting beyond the busy workers before callers are told the
    /// recogniser is busy: a bound on memory and on latency under load.
    pub queue: Bounded<usize, 1, 1_024>,
    /// Try to install a model at `serve` start-up when none is present.
    pub auto_install: bool,
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig {
            backend: SpeechBackend::Local,
            model_size: ModelSize::default(),
            model: None,
            threads: Bounded::default_of(default_threads()),
            workers: Bounded::default_of(2),
            queue: Bounded::default_of(8),
            auto_install: true,
        }
    }
}

/// The Whisper models mockloop installs by name. Both are English-only:
/// interviews here are in English, and the `.en` models are the more
/// accurate at each size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum ModelSize {
    #[default]
    #[serde(rename = "tiny.en")]
    #[value(name = "tiny.en")]
    TinyEn,
    #[serde(rename = "base.en")]
    #[value(name = "base.en")]
    BaseEn,
}

impl ModelSize {
    /// `tiny.en`, as whisper.cpp and OpenAI name it.
    pub fn name(self) -> &'static str {
        match self {
            ModelSize::TinyEn => "tiny.en",
            ModelSize::BaseEn => "base.en",
        }
    }

    /// `ggml-tiny.en.bin`: whisper.cpp's own file name for the model.
    pub fn file_name(self) -> String {
        format!("ggml-{}.bin", self.name())
    }

    /// The size a model of this shape is (layers and vocabulary), if it is
    /// one of these; multilingual models (one more token) are not.
    pub fn of_shape(layers: i32, vocab: i32) -> Option<ModelSize> {
        match (layers, vocab) {
            (4, 51_864) => Some(ModelSize::TinyEn),
            (6, 51_864) => Some(ModelSize::BaseEn),
            _ => None,
        }
    }
}

/// Half the cores (two workers share them), from 1 to 4. whisper.cpp's
/// threads wait for each other by spinning, so a pass whose threads don't
/// all have a core stalls at every step: measured on 2 cores busy with other
/// work, a 10 s clip took 5.2 s with 2 threads and 0.83 s with 1 (and a
/// 2.4 s clip over two minutes with 4).
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).clamp(1, 4))
}

impl SpeechConfig {
    /// The model file to load: the configured one or the default location.
    pub fn model_path(&self, data_dir: &Path) -> PathBuf {
        self.model
            .clone()
            .unwrap_or_else(|| default_model_path(data_dir, self.model_size))
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeechBackend {
    #[default]
    Local,
    Remote,
}

/// Remote speech recognition: any server that speaks OpenAI's
/// `/audio/transcriptions` (faster-whisper servers, vLLM, OpenAI itself).
/// Keys are flat for the same reason as `[llm]`'s.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechRemoteConfig {
    /// Base URL including `/v1`, e.g. `http://gpu-box:8000/v1`.
    pub base_url: Option<String>,
    /// The model the server should use, e.g. `Systran/faster-whisper-small.en`.
    pub model: Option<String>,
    /// Environment variable read for the API key; a local worker may need none.
    pub api_key_env: String,
    /// The key, read from `api_key_env` at load: never from the file, never
    /// written out (and its `Debug` is redacted).
    #[serde(skip)]
    pub api_key: Option<ApiKey>,
    /// One request, connect to last byte: a hung worker fails the clip here.
    pub timeout_seconds: Bounded<u64, 1, 3_600>,
    /// Clips in flight at once across all sessions, so a burst queues here
    /// instead of overloading the worker.
    pub max_concurrency: Bounded<usize, 1, 1_024>,
}

impl Default for SpeechRemoteConfig {
    fn default() -> Self {
        SpeechRemoteConfig {
            base_url: None,
            model: None,
            api_key_env: "MOCKLOOP_SPEECH_API_KEY".into(),
            api_key: None,
            timeout_seconds: Bounded::default_of(30),
            max_concurrency: Bounded::default_of(4),
        }
    }
}

impl SpeechRemoteConfig {
    /// The endpoint `[speech] backend = "remote"` needs, checked at load.
    pub fn check_endpoint(&self) -> Result<(), String> {
        missing(
            "speech_remote",
            [("base_url", &self.base_url), ("model", &self.model)],
        )
    }
}

/// Where `models install` puts a model of `size`, and `serve` looks for it.
pub fn default_model_path(data_dir: &Path, size: ModelSize) -> PathBuf {
    data_dir.join("models").join(size.file_name())
}
