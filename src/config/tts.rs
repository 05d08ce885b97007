//! `[tts]`: who speaks the interviewer's prompts. The browser does by
//! default (no server cost); `remote` asks an OpenAI-compatible
//! `/audio/speech` endpoint and the browser plays the audio.

use serde::{Deserialize, Serialize};

use super::{ApiKey, Bounded, NonBlank, missing};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TtsBackend {
    #[default]
    Browser,
    Remote,
}

/// The audio formats a browser can play from an `<audio>` element.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TtsFormat {
    #[default]
    Mp3,
    Wav,
    Opus,
}

impl TtsFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            TtsFormat::Mp3 => "audio/mpeg",
            TtsFormat::Wav => "audio/wav",
            TtsFormat::Opus => "audio/ogg",
        }
    }
}

/// Keys are flat for the same reason as `[llm]`'s (environment overrides
/// name two levels only).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TtsConfig {
    pub backend: TtsBackend,
    /// Base URL including `/v1`, e.g. `http://tts-box:8000/v1`.
    pub base_url: Option<String>,
    /// e.g. `tts-1`; compatible servers name their own.
    pub model: Option<String>,
    /// Sent as given, so a compatible server's own voice names work.
    pub voice: NonBlank,
    pub format: TtsFormat,
    /// Environment variable read for the API key; a local server may need none.
    pub api_key_env: String,
    /// Read from `api_key_env` at load; never from the file, never written
    /// out, redacted in `Debug`.
    #[serde(skip)]
    pub api_key: Option<ApiKey>,
    /// One request, connect to last byte. The browser falls back to its own
    /// voice on failure, so a short bound keeps a slow server from leaving
    /// the candidate in silence.
    pub timeout_seconds: Bounded<u64, 1, 600>,
    /// Syntheses in flight at once across all sessions.
    pub max_concurrency: Bounded<usize, 1, 1_024>,
    /// Audio kept in memory for prompts asked again (a reconnect, "repeat").
    pub cache_bytes: Bounded<usize, 0, { 1 << 30 }>,
}

impl Default for TtsConfig {
    fn default() -> Self {
        TtsConfig {
            backend: TtsBackend::Browser,
            base_url: None,
            model: None,
            voice: NonBlank::default_of("alloy"),
            format: TtsFormat::Mp3,
            api_key_env: "MOCKLOOP_TTS_API_KEY".into(),
            api_key: None,
            timeout_seconds: Bounded::default_of(10),
            max_concurrency: Bounded::default_of(4),
            cache_bytes: Bounded::default_of(16 * 1024 * 1024),
        }
    }
}

impl TtsConfig {
    /// The endpoint `backend = "remote"` needs, checked at load.
    pub fn check_endpoint(&self) -> Result<(), String> {
        missing(
            "tts",
            [("base_url", &self.base_url), ("model", &self.model)],
        )
    }
}
