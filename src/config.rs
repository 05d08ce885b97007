//! Configuration, layered: built-in defaults, then a TOML file, then
//! environment variables named `MOCKLOOP__SECTION__KEY` (for example
//! `MOCKLOOP__SERVER__ADDR=0.0.0.0:8080`). Command-line flags override last.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

mod interviewer;
mod sandbox;
mod server;
mod storage;
mod tts;
pub use interviewer::{InterviewerConfig, InterviewerMode};
pub use sandbox::SandboxConfig;
pub use server::{OPERATOR_TOKEN_ENV, ServerConfig};
pub use storage::{DATABASE_URL_ENV, DatabaseUrl, StorageConfig};
pub use tts::{TtsBackend, TtsConfig, TtsFormat};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub content: ContentConfig,
    pub limits: Limits,
    pub sessions: SessionConfig,
    pub grader: GraderConfig,
    pub llm: LlmConfig,
    pub interviewer: InterviewerConfig,
    pub voice: VoiceConfig,
    pub speech: SpeechConfig,
    pub speech_remote: SpeechRemoteConfig,
    pub tts: TtsConfig,
    pub sandbox: SandboxConfig,
}

/// Local speech recognition (whisper.cpp). Voice is optional: without a
/// model the server runs text-only.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechConfig {
    /// `local` runs whisper.cpp here; `remote` sends each clip to the
    /// OpenAI-compatible endpoint in `[speech_remote]` (a GPU worker).
    pub backend: SpeechBackend,
    /// A ggml Whisper model. Unset: `<data_dir>/models/ggml-tiny.en.bin`,
    /// which the first `serve` installs when it is missing.
    pub model: Option<PathBuf>,
    /// Threads a partial pass uses. whisper.cpp scales to about 4 on
    /// tiny; more only steals cores from the other workers. Default: half
    /// the cores there are, from 1 to 4.
    pub threads: usize,
    /// Transcriptions in flight at once, each on its own worker thread
    /// with its own decoder state (the model itself is shared). The
    /// workers share `workers × threads` cores: a final pass takes every
    /// one free, and a partial pass running when it arrives gives way.
    /// Default 2.
    pub workers: usize,
    /// Clips waiting beyond the busy workers before callers are told the
    /// recogniser is busy: a bound on memory and on latency under load.
    pub queue: usize,
    /// Try to install a model at `serve` start-up when none is present.
    pub auto_install: bool,
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig {
            backend: SpeechBackend::Local,
            model: None,
            threads: default_threads(),
            workers: 2,
            queue: 8,
            auto_install: true,
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
        self.model.clone().unwrap_or_else(|| {
            data_dir
                .join("models")
                .join(crate::speech::model::DEFAULT_FILE)
        })
    }

    /// Bounds that keep thread counts and the queue sane.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (name, value, max) in [
            ("threads", self.threads, 64),
            ("workers", self.workers, 16),
            ("queue", self.queue, 1_024),
        ] {
            if !(1..=max).contains(&value) {
                problems.push(format!("{name} must be from 1 to {max}"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("[speech]: {}", problems.join("; ")))
        }
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
    pub timeout_seconds: u64,
    /// Clips in flight at once across all sessions, so a burst queues here
    /// instead of overloading the worker.
    pub max_concurrency: usize,
}

impl Default for SpeechRemoteConfig {
    fn default() -> Self {
        SpeechRemoteConfig {
            base_url: None,
            model: None,
            api_key_env: "MOCKLOOP_SPEECH_API_KEY".into(),
            api_key: None,
            timeout_seconds: 30,
            max_concurrency: 4,
        }
    }
}

impl SpeechRemoteConfig {
    /// Checked at load when `[speech] backend = "remote"`.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (name, value) in [("base_url", &self.base_url), ("model", &self.model)] {
            if value.as_deref().is_none_or(|s| s.trim().is_empty()) {
                problems.push(format!("{name} is missing"));
            }
        }
        for (name, value, max) in [
            ("timeout_seconds", self.timeout_seconds, 3_600),
            ("max_concurrency", self.max_concurrency as u64, 1_024),
        ] {
            if !(1..=max).contains(&value) {
                problems.push(format!("{name} must be from 1 to {max}"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("[speech_remote]: {}", problems.join("; ")))
        }
    }
}

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
}

impl Default for GraderConfig {
    fn default() -> Self {
        GraderConfig {
            kind: GraderKind::default(),
            embedding_model: None,
            auto_install: true,
        }
    }
}

impl GraderConfig {
    pub fn embedding_model_path(&self, data_dir: &Path) -> PathBuf {
        self.embedding_model
            .clone()
            .unwrap_or_else(|| crate::embed::install::default_dir(data_dir))
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum GraderKind {
    #[default]
    Offline,
    Llm,
}

/// The LLM grader's endpoint: OpenAI, Azure OpenAI, or any server that speaks
/// the OpenAI chat-completions protocol. Keys are flat because environment
/// overrides name two levels only (`MOCKLOOP__LLM__MODEL=...`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    pub provider: LlmProvider,
    /// OpenAI-compatible base URL including `/v1`, e.g.
    /// `http://localhost:11434/v1` for Ollama. Unset for `openai` means the
    /// official endpoint.
    pub base_url: Option<String>,
    /// The model to ask. For Azure the deployment decides, and this is only
    /// recorded in each score's provenance (default: the deployment name).
    pub model: Option<String>,
    /// The API key. Prefer `api_key_env`: a key in a file is easy to leak.
    pub api_key: Option<ApiKey>,
    /// Environment variable read for the key when `api_key` is unset.
    pub api_key_env: String,
    /// Azure OpenAI: `https://RESOURCE.openai.azure.com`.
    pub api_base: Option<String>,
    /// Azure OpenAI deployment name.
    pub deployment: Option<String>,
    /// Azure OpenAI API version, e.g. `2024-10-21`.
    pub api_version: Option<String>,
    /// One HTTP request, connect to last byte. A hung endpoint is cut off here
    /// and not retried.
    pub timeout_seconds: u64,
    /// Requests in flight at once across all sessions, so a busy server
    /// cannot flood a rate-limited endpoint (or a laptop running Ollama).
    pub max_concurrency: usize,
    /// Sent with every request so reruns are as repeatable as the provider allows.
    pub seed: i64,
    /// Retries of one request after 429, 5xx or a refused connection.
    pub max_retries: u32,
    /// Total time one request may spend waiting between retries; a
    /// Retry-After beyond what is left ends the retries (the offline grader
    /// stands in), so a 429 storm cannot hold a score for long.
    pub max_retry_seconds: u64,
    /// Bound on one whole grading (all passes and retries). Unset: derived
    /// from the request timeout and retry budget.
    pub grade_timeout_seconds: Option<u64>,
    /// Ask a second, sceptical question when the first overall score is at
    /// least `sceptical_threshold`; each dimension keeps the lower level.
    pub sceptical_pass: bool,
    pub sceptical_threshold: f64,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            provider: LlmProvider::OpenAi,
            base_url: None,
            model: None,
            api_key: None,
            api_key_env: "OPENAI_API_KEY".into(),
            api_base: None,
            deployment: None,
            api_version: None,
            timeout_seconds: 60,
            max_concurrency: 4,
            seed: 7,
            max_retries: 3,
            max_retry_seconds: 30,
            grade_timeout_seconds: None,
            sceptical_pass: false,
            sceptical_threshold: 3.5,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmProvider {
    #[default]
    #[serde(rename = "openai")]
    OpenAi,
    Azure,
    /// Any OpenAI-compatible server: Ollama, vLLM, llama.cpp server, LM Studio.
    Compatible,
}

impl LlmConfig {
    /// Every setting the configured provider needs but lacks, so a
    /// misconfigured `kind = "llm"` fails at start-up, not at the first answer.
    pub fn check(&self) -> Result<(), String> {
        let mut missing = Vec::new();
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        let key_missing = self.api_key.is_none();
        match self.provider {
            LlmProvider::OpenAi => {
                if blank(&self.model) {
                    missing.push("model".to_owned());
                }
            }
            LlmProvider::Azure => {
                for (name, value) in [
                    ("api_base", &self.api_base),
                    ("deployment", &self.deployment),
                    ("api_version", &self.api_version),
                ] {
                    if blank(value) {
                        missing.push(name.to_owned());
                    }
                }
            }
            LlmProvider::Compatible => {
                for (name, value) in [("base_url", &self.base_url), ("model", &self.model)] {
                    if blank(value) {
                        missing.push(name.to_owned());
                    }
                }
            }
        }
        if key_missing && self.provider != LlmProvider::Compatible {
            missing.push(format!("api_key (or set {})", self.api_key_env));
        }
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing {}", missing.join(", ")));
        }
        // Upper bounds keep the derived time limits far from overflow and
        // the semaphore within what tokio allows.
        for (name, value, min, max) in [
            ("timeout_seconds", self.timeout_seconds, 1, 3_600),
            ("max_retry_seconds", self.max_retry_seconds, 0, 3_600),
            ("max_concurrency", self.max_concurrency as u64, 1, 1_024),
        ] {
            if !(min..=max).contains(&value) {
                problems.push(format!("{name} must be from {min} to {max}"));
            }
        }
        if self.max_retries > 100 {
            problems.push("max_retries must be at most 100".to_owned());
        }
        if self
            .grade_timeout_seconds
            .is_some_and(|s| !(1..=86_400).contains(&s))
        {
            problems.push("grade_timeout_seconds must be from 1 to 86400".to_owned());
        }
        if !(1.0..=4.0).contains(&self.sceptical_threshold) {
            problems.push("sceptical_threshold must be from 1 to 4".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "[llm] (provider = \"{}\"): {}",
                self.provider.as_str(),
                problems.join("; ")
            ))
        }
    }
}

impl LlmProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            LlmProvider::OpenAi => "openai",
            LlmProvider::Azure => "azure",
            LlmProvider::Compatible => "compatible",
        }
    }
}

/// An API key. Its `Debug` and `Serialize` print `[redacted]`, so a logged or
/// dumped configuration never carries it. Only header-safe characters are
/// accepted: the HTTP client would otherwise fail on the first request.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: &str) -> Result<ApiKey, String> {
        let key = key.trim();
        if key.is_empty() {
            return Err("the API key is empty".into());
        }
        if !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err("the API key holds characters not allowed in an HTTP header".into());
        }
        Ok(ApiKey(key.to_owned()))
    }

    /// The key itself, for the HTTP client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for ApiKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        ApiKey::new(&raw).map_err(serde::de::Error::custom)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentConfig {
    /// A directory holding `prompts/` and `rubrics/`; unset means the content
    /// built into the binary.
    pub dir: Option<PathBuf>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest WebSocket text message accepted, in bytes.
    pub max_text_frame_bytes: usize,
    /// Longest answer accepted, in characters (about 3,000 words).
    pub max_answer_chars: usize,
    /// Largest WebSocket binary (audio) frame accepted, header included.
    /// Clients send 20 to 100 ms (640 to 3,200 bytes of PCM); 32 KiB is about
    /// one second, room for a client that batches after a stall.
    pub max_audio_frame_bytes: usize,
    /// Hard cap on one utterance: the voice path ends it here even while the
    /// candidate is still speaking. 30 s is Whisper's whole window, so one
    /// utterance is always one recogniser pass.
    pub max_utterance_seconds: u32,
    /// All the audio one session may send, silence included, so a client left
    /// streaming (or a hostile one) cannot hold the recogniser forever. Two
    /// hours is longer than any loop.
    pub max_session_audio_seconds: u32,
    /// Audio frames one socket may send per second (a token bucket holding
    /// one second's worth). Clients send a frame every 20 to 100 ms; a flood
    /// of tiny frames would cost a session task wake-up each.
    pub max_audio_frames_per_second: u32,
    /// A socket that sends nothing (not even a pong) for this long is closed.
    /// The server pings every third of it, so a live browser always answers.
    pub idle_timeout_seconds: u64,
    /// One write to a socket may wait this long for the client to read;
    /// a client that stops reading is disconnected here, its task freed.
    pub write_timeout_seconds: u64,
    /// Per-socket read and write buffers. tungstenite's 128 KiB default costs
    /// 256 KiB per idle session. The read buffer is held for the socket's
    /// life, so it is much of an idle socket's cost. It bounds one read, not
    /// a frame: a longer frame (an audio frame is about 3 KiB, an answer up
    /// to 64 KiB) grows it as far as that frame needs.
    pub ws_buffer_bytes: usize,
    /// The operator console's "try" answers 503 after grading this long.
    /// The offline graders finish well inside it on any rubric the
    /// validator accepts; a slow LLM endpoint may not.
    pub try_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_frame_bytes: 64 * 1024,
            max_answer_chars: 20_000,
            max_audio_frame_bytes: 32 * 1024,
            max_utterance_seconds: 30,
            max_session_audio_seconds: 2 * 60 * 60,
            max_audio_frames_per_second: 100,
            idle_timeout_seconds: 60,
            write_timeout_seconds: 10,
            ws_buffer_bytes: 1024,
            try_seconds: 30,
        }
    }
}

impl Limits {
    /// The audio limits, checked at load so a bad value fails start-up.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        // Below a header plus one sample no audio frame could be accepted;
        // above 1 MiB a single frame would be minutes of audio.
        if !(16..=1024 * 1024).contains(&self.max_audio_frame_bytes) {
            problems.push("max_audio_frame_bytes must be from 16 to 1048576");
        }
        if !(1..=300).contains(&self.max_utterance_seconds) {
            problems.push("max_utterance_seconds must be from 1 to 300");
        }
        if !(1..=86_400).contains(&self.max_session_audio_seconds) {
            problems.push("max_session_audio_seconds must be from 1 to 86400");
        }
        if !(1..=10_000).contains(&self.max_audio_frames_per_second) {
            problems.push("max_audio_frames_per_second must be from 1 to 10000");
        }
        if !(1..=3_600).contains(&self.idle_timeout_seconds) {
            problems.push("idle_timeout_seconds must be from 1 to 3600");
        }
        if !(1..=600).contains(&self.write_timeout_seconds) {
            problems.push("write_timeout_seconds must be from 1 to 600");
        }
        if !(1..=600).contains(&self.try_seconds) {
            problems.push("try_seconds must be from 1 to 600");
        }
        if !(1024..=1024 * 1024).contains(&self.ws_buffer_bytes) {
            problems.push("ws_buffer_bytes must be from 1024 to 1048576");
        }
        // A text frame must fit in one WebSocket message, and the socket's
        // message bound is the larger of the two frame limits.
        if !(1024..=16 * 1024 * 1024).contains(&self.max_text_frame_bytes) {
            problems.push("max_text_frame_bytes must be from 1024 to 16777216");
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("[limits]: {}", problems.join("; ")))
        }
    }
}

/// How live audio is cut into utterances (see `speech::utterance`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceConfig {
    /// Silence that ends an utterance. Long enough for a thinking pause
    /// mid-sentence; the answer itself ends when the candidate says so.
    pub silence_hold_ms: u32,
    /// Re-transcribe the growing utterance after this much new speech, for
    /// partial transcripts. Shorter is livelier and costs more recogniser time.
    pub partial_every_ms: u32,
    /// Audio kept from before the detected onset, so a soft first consonant
    /// is not clipped.
    pub pre_roll_ms: u32,
    /// Voice activity score (0 to 1) at or above which a 16 ms frame is speech.
    pub vad_threshold: f32,
    /// An utterance with less speech than this (a cough, a click, a chair)
    /// is dropped instead of transcribed: Whisper tends to invent words for
    /// such clips.
    pub min_speech_ms: u32,
    /// A pause this long, after `min_segment_ms` of speech (or twice as
    /// long after less), settles the speech before it: that piece is
    /// transcribed (final) at once while the utterance goes on, so the final
    /// transcript follows the end of speech by a pause and one short pass,
    /// whatever the answer's length. 0 transcribes whole utterances, which
    /// waits for the silence hold and a pass over all of it (benches/README.md's
    /// speech section has the figures).
    pub segment_pause_ms: u32,
    pub min_segment_ms: u32,
    /// After this much silence the speech so far is transcribed at once,
    /// in case the pause goes on to settle a segment or end the answer
    /// (or the candidate presses done): with no speech since, that pass is
    /// the final and it is ready about a pause sooner. A pause that ends
    /// too soon wastes the pass. 0 turns it off.
    pub early_pass_ms: u32,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            silence_hold_ms: 1_500,
            partial_every_ms: 700,
            pre_roll_ms: 300,
            vad_threshold: 0.5,
            min_speech_ms: 200,
            segment_pause_ms: 200,
            min_segment_ms: 1_000,
            early_pass_ms: 64,
        }
    }
}

impl VoiceConfig {
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (name, value, min, max) in [
            ("silence_hold_ms", self.silence_hold_ms, 100, 60_000),
            ("partial_every_ms", self.partial_every_ms, 100, 60_000),
            ("pre_roll_ms", self.pre_roll_ms, 0, 2_000),
            ("min_speech_ms", self.min_speech_ms, 0, 10_000),
            ("segment_pause_ms", self.segment_pause_ms, 0, 60_000),
            ("min_segment_ms", self.min_segment_ms, 0, 60_000),
            ("early_pass_ms", self.early_pass_ms, 0, 60_000),
        ] {
            if !(min..=max).contains(&value) {
                problems.push(format!("{name} must be from {min} to {max}"));
            }
        }
        if !(self.vad_threshold > 0.0 && self.vad_threshold < 1.0) {
            problems.push("vad_threshold must be between 0 and 1".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("[voice]: {}", problems.join("; ")))
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Seconds a session with no socket stays loaded before it is unloaded
    /// (it reloads from the store on the next connection).
    pub idle_unload_seconds: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_unload_seconds: 300,
        }
    }
}

const ENV_PREFIX: &str = "MOCKLOOP__";

impl Config {
    /// Loads defaults, then `file` (or `./mockloop.toml` if it exists), then
    /// the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        Config::load_from(file, std::env::vars())
    }

    /// Also resolves the LLM API key from `[llm] api_key_env` and, when
    /// `[grader] kind = "llm"`, checks that `[llm]` is complete.
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut merged =
            toml::Table::try_from(Config::default()).context("serializing defaults")?;
        let default_file = Path::new("mockloop.toml");
        let file = file.or_else(|| default_file.exists().then_some(default_file));
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let table: toml::Table =
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
            merge(&mut merged, table);
        }
        for (name, raw) in &env {
            let Some(path) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let keys: Vec<String> = path.split("__").map(str::to_lowercase).collect();
            if keys.len() != 2 || keys.iter().any(String::is_empty) {
                bail!("{name}: expected {ENV_PREFIX}SECTION__KEY");
            }
            let value = parse_env_value(raw);
            let section = merged
                .entry(keys[0].clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(section) = section.as_table_mut() else {
                bail!("{name}: {} is not a section", keys[0]);
            };
            section.insert(keys[1].clone(), value);
        }
        let mut config: Config = toml::Value::Table(merged)
            .try_into()
            .context("invalid configuration (check the file and MOCKLOOP__* variables)")?;
        if let Some((_, raw)) = env
            .iter()
            .find(|(name, raw)| name == OPERATOR_TOKEN_ENV && !raw.trim().is_empty())
        {
            config.server.operator_token =
                Some(ApiKey::new(raw).map_err(|e| anyhow::anyhow!("{OPERATOR_TOKEN_ENV}: {e}"))?);
        }
        if let Some((_, raw)) = env
            .iter()
            .find(|(name, raw)| name == DATABASE_URL_ENV && !raw.trim().is_empty())
        {
            config.storage.database_url = Some(
                DatabaseUrl::new(raw).map_err(|e| anyhow::anyhow!("{DATABASE_URL_ENV}: {e}"))?,
            );
        }
        config.server.check().map_err(anyhow::Error::msg)?;
        config.storage.check().map_err(anyhow::Error::msg)?;
        config.limits.check().map_err(anyhow::Error::msg)?;
        config.voice.check().map_err(anyhow::Error::msg)?;
        config.interviewer.check().map_err(anyhow::Error::msg)?;
        let interviewer_llm = config.interviewer.mode == InterviewerMode::Llm;
        let llm = config.grader.kind == GraderKind::Llm || interviewer_llm;
        if config.llm.api_key.is_none()
            && let Some((name, raw)) = env
                .iter()
                .find(|(name, raw)| *name == config.llm.api_key_env && !raw.trim().is_empty())
        {
            // A malformed key only matters to the grader that would send it.
            match ApiKey::new(raw) {
                Ok(key) => config.llm.api_key = Some(key),
                Err(e) if llm => bail!("{name}: {e}"),
                Err(_) => {}
            }
        }
        config.speech.check().map_err(anyhow::Error::msg)?;
        config.sandbox.check().map_err(anyhow::Error::msg)?;
        if config.speech.backend == SpeechBackend::Remote {
            config.speech_remote.check().map_err(anyhow::Error::msg)?;
            let remote = &mut config.speech_remote;
            if let Some((name, raw)) = env
                .iter()
                .find(|(name, raw)| *name == remote.api_key_env && !raw.trim().is_empty())
            {
                remote.api_key =
                    Some(ApiKey::new(raw).map_err(|e| anyhow::anyhow!("{name}: {e}"))?);
            }
        }
        if config.tts.backend == TtsBackend::Remote {
            config.tts.check().map_err(anyhow::Error::msg)?;
            let tts = &mut config.tts;
            if let Some((name, raw)) = env
                .iter()
                .find(|(name, raw)| *name == tts.api_key_env && !raw.trim().is_empty())
            {
                tts.api_key = Some(ApiKey::new(raw).map_err(|e| anyhow::anyhow!("{name}: {e}"))?);
            }
        }
        if config.grader.kind == GraderKind::Llm {
            config
                .llm
                .check()
                .map_err(|e| anyhow::anyhow!("[grader] kind = \"llm\" needs a complete {e}"))?;
        }
        if interviewer_llm {
            config.interviewer.llm(&config.llm).check().map_err(|e| {
                anyhow::anyhow!("[interviewer] mode = \"llm\" needs a complete {e}")
            })?;
        }
        Ok(config)
    }
}

/// A variable's value as TOML when it parses as a scalar (numbers, booleans),
/// else as a plain string, so `MOCKLOOP__LIMITS__MAX_ANSWER_CHARS=5000` is a number.
fn parse_env_value(raw: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut table) => match table.remove("v") {
            Some(
                v @ (toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_)),
            ) => v,
            _ => toml::Value::String(raw.to_owned()),
        },
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(table)) => {
                merge(existing, table)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.toml");
        std::fs::write(
            &file,
            "[server]\naddr = \"0.0.0.0:9000\"\n[limits]\nmax_answer_chars = 100\n",
        )
        .unwrap();
        let config = Config::load_from(
            Some(&file),
            env(&[("MOCKLOOP__LIMITS__MAX_ANSWER_CHARS", "50")]),
        )
        .unwrap();
        assert_eq!(config.server.addr, "0.0.0.0:9000");
        assert_eq!(config.limits.max_answer_chars, 50);
        assert_eq!(config.limits.max_text_frame_bytes, 64 * 1024);
    }

    #[test]
    fn an_unknown_setting_is_an_error() {
        let error = Config::load_from(None, env(&[("MOCKLOOP__SERVER__ADRESS", "x")])).unwrap_err();
        assert!(format!("{error:#}").contains("adress"), "{error:#}");
    }

    #[test]
    fn the_llm_grader_without_its_settings_fails_to_load_naming_what_is_missing() {
        let error = Config::load_from(None, env(&[("MOCKLOOP__GRADER__KIND", "llm")])).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("missing model"), "{message}");
        assert!(message.contains("OPENAI_API_KEY"), "{message}");

        let error = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__GRADER__KIND", "llm"),
                ("MOCKLOOP__LLM__PROVIDER", "azure"),
                ("MOCKLOOP__LLM__API_BASE", "http://localhost:1"),
                ("OPENAI_API_KEY", "k"),
            ]),
        )
        .unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.contains("missing deployment, api_version"),
            "{message}"
        );
    }

    #[test]
    fn the_api_key_comes_from_the_named_variable_and_never_shows_in_debug_output() {
        let config = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__GRADER__KIND", "llm"),
                ("MOCKLOOP__LLM__MODEL", "gpt-4o-mini"),
                ("MOCKLOOP__LLM__API_KEY_ENV", "MY_KEY"),
                ("MY_KEY", "sk-secret-123"),
            ]),
        )
        .unwrap();
        let key = config.llm.api_key.as_ref().unwrap();
        assert_eq!(key.expose(), "sk-secret-123");
        let debug = format!("{config:?}");
        assert!(!debug.contains("sk-secret-123"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        let dumped = toml::to_string(&config).unwrap();
        assert!(!dumped.contains("sk-secret-123"), "{dumped}");
    }

    #[test]
    fn a_compatible_server_needs_a_url_and_a_model_but_no_key() {
        let config = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__GRADER__KIND", "llm"),
                ("MOCKLOOP__LLM__PROVIDER", "compatible"),
                ("MOCKLOOP__LLM__BASE_URL", "http://localhost:11434/v1"),
                ("MOCKLOOP__LLM__MODEL", "llama3.1"),
                ("MOCKLOOP__LLM__SEED", "42"),
            ]),
        )
        .unwrap();
        assert_eq!(config.llm.provider, LlmProvider::Compatible);
        assert_eq!(config.llm.seed, 42);
        assert!(config.llm.api_key.is_none());
    }

    #[test]
    fn out_of_range_llm_bounds_are_refused() {
        let error = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__GRADER__KIND", "llm"),
                ("MOCKLOOP__LLM__PROVIDER", "compatible"),
                ("MOCKLOOP__LLM__BASE_URL", "http://localhost:11434/v1"),
                ("MOCKLOOP__LLM__MODEL", "m"),
                ("MOCKLOOP__LLM__TIMEOUT_SECONDS", "0"),
                ("MOCKLOOP__LLM__MAX_CONCURRENCY", "100000000000"),
            ]),
        )
        .unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.contains("timeout_seconds must be from 1 to 3600"),
            "{message}"
        );
        assert!(
            message.contains("max_concurrency must be from 1 to 1024"),
            "{message}"
        );
    }

    #[test]
    fn an_api_key_with_a_line_break_inside_is_refused() {
        let error = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__GRADER__KIND", "llm"),
                ("MOCKLOOP__LLM__MODEL", "m"),
                ("OPENAI_API_KEY", "sk-a\nb"),
            ]),
        )
        .unwrap_err();
        assert!(format!("{error:#}").contains("OPENAI_API_KEY"), "{error:#}");
    }

    #[test]
    fn audio_limits_and_voice_settings_are_checked_at_load() {
        let config = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(config.voice.silence_hold_ms, 1_500);
        assert_eq!(config.limits.max_utterance_seconds, 30);

        let error = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__LIMITS__MAX_AUDIO_FRAME_BYTES", "4"),
                ("MOCKLOOP__VOICE__VAD_THRESHOLD", "1.5"),
            ]),
        )
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("max_audio_frame_bytes"),
            "{error:#}"
        );
        let error =
            Config::load_from(None, env(&[("MOCKLOOP__VOICE__VAD_THRESHOLD", "1.5")])).unwrap_err();
        assert!(format!("{error:#}").contains("vad_threshold"), "{error:#}");
    }

    #[test]
    fn speech_bounds_are_checked_and_the_model_defaults_into_the_data_dir() {
        let error =
            Config::load_from(None, env(&[("MOCKLOOP__SPEECH__WORKERS", "0")])).unwrap_err();
        assert!(
            format!("{error:#}").contains("workers must be from 1 to 16"),
            "{error:#}"
        );
        let config = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(
            config.speech.model_path(Path::new("/d")),
            PathBuf::from("/d/models/ggml-tiny.en.bin")
        );
    }

    #[test]
    fn remote_speech_needs_its_endpoint_and_keeps_its_key_out_of_debug() {
        let error =
            Config::load_from(None, env(&[("MOCKLOOP__SPEECH__BACKEND", "remote")])).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("base_url is missing"), "{message}");
        assert!(message.contains("model is missing"), "{message}");
        let config = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__SPEECH__BACKEND", "remote"),
                ("MOCKLOOP__SPEECH_REMOTE__BASE_URL", "http://gpu:8000/v1"),
                ("MOCKLOOP__SPEECH_REMOTE__MODEL", "whisper-small"),
                ("MOCKLOOP_SPEECH_API_KEY", "sk-remote-secret"),
            ]),
        )
        .unwrap();
        assert_eq!(config.speech.backend, SpeechBackend::Remote);
        let key = config.speech_remote.api_key.as_ref().unwrap();
        assert_eq!(key.expose(), "sk-remote-secret");
        assert!(!format!("{config:?}").contains("sk-remote-secret"));
    }

    #[test]
    fn server_voice_needs_its_endpoint_and_keeps_its_key_out_of_debug() {
        let config = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(config.tts.backend, TtsBackend::Browser);
        let error =
            Config::load_from(None, env(&[("MOCKLOOP__TTS__BACKEND", "remote")])).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("[tts]"), "{message}");
        assert!(message.contains("base_url is missing"), "{message}");
        assert!(message.contains("model is missing"), "{message}");
        let error = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__TTS__BACKEND", "remote"),
                ("MOCKLOOP__TTS__BASE_URL", "http://tts:8000/v1"),
                ("MOCKLOOP__TTS__MODEL", "tts-1"),
                ("MOCKLOOP__TTS__TIMEOUT_SECONDS", "0"),
            ]),
        )
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("timeout_seconds must be from 1"),
            "{error:#}"
        );
        let error = Config::load_from(None, env(&[("MOCKLOOP__TTS__FORMAT", "aiff")]));
        assert!(error.is_err(), "only formats a browser plays are taken");
        let config = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__TTS__BACKEND", "remote"),
                ("MOCKLOOP__TTS__BASE_URL", "http://tts:8000/v1"),
                ("MOCKLOOP__TTS__MODEL", "tts-1"),
                ("MOCKLOOP__TTS__VOICE", "af_heart"),
                ("MOCKLOOP__TTS__FORMAT", "wav"),
                ("MOCKLOOP_TTS_API_KEY", "sk-tts-secret-value"),
            ]),
        )
        .unwrap();
        assert_eq!(config.tts.format, TtsFormat::Wav);
        assert_eq!(config.tts.voice, "af_heart");
        let key = config.tts.api_key.as_ref().unwrap();
        assert_eq!(key.expose(), "sk-tts-secret-value");
        assert!(!format!("{config:?}").contains("sk-tts-secret"));
    }

    #[test]
    fn the_operator_token_comes_from_the_file_or_its_variable_and_never_shows_in_debug_output() {
        let config = Config::load_from(None, env(&[])).unwrap();
        assert!(
            config.server.operator_token.is_none(),
            "disabled by default"
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.toml");
        std::fs::write(
            &file,
            "[server]\noperator_token = \"file-token-0123456789\"\n",
        )
        .unwrap();
        let config = Config::load_from(Some(&file), env(&[])).unwrap();
        assert_eq!(
            config.server.operator_token.as_ref().unwrap().expose(),
            "file-token-0123456789"
        );
        let config = Config::load_from(
            Some(&file),
            env(&[("MOCKLOOP_OPERATOR_TOKEN", "env-token-secret-0123456789")]),
        )
        .unwrap();
        assert_eq!(
            config.server.operator_token.as_ref().unwrap().expose(),
            "env-token-secret-0123456789"
        );
        let debug = format!("{config:?}");
        assert!(!debug.contains("env-token-secret"), "{debug}");

        let error =
            Config::load_from(None, env(&[("MOCKLOOP_OPERATOR_TOKEN", "short")])).unwrap_err();
        assert!(format!("{error:#}").contains("at least 16"), "{error:#}");
    }

    #[test]
    fn edge_limits_are_checked_at_load() {
        let config = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(config.limits.ws_buffer_bytes, 1024);
        for (name, value) in [
            ("MOCKLOOP__LIMITS__MAX_AUDIO_FRAMES_PER_SECOND", "0"),
            ("MOCKLOOP__LIMITS__IDLE_TIMEOUT_SECONDS", "0"),
            ("MOCKLOOP__SERVER__MAX_CONNECTIONS", "0"),
            ("MOCKLOOP__SERVER__SESSION_CREATES_PER_MINUTE", "0"),
        ] {
            let error = Config::load_from(None, env(&[(name, value)])).unwrap_err();
            let key = name.rsplit("__").next().unwrap().to_lowercase();
            assert!(format!("{error:#}").contains(&key), "{name}: {error:#}");
        }
        let error = Config::load_from(
            None,
            env(&[("MOCKLOOP__SERVER__ALLOWED_ORIGINS", "example.com")]),
        );
        assert!(
            error.is_err(),
            "a list is needed, and a bare host is refused"
        );
    }

    #[test]
    fn a_string_setting_stays_a_string() {
        let config =
            Config::load_from(None, env(&[("MOCKLOOP__STORAGE__DATA_DIR", "/tmp/x y")])).unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("/tmp/x y"));
    }
}
