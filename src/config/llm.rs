//! `[llm]`: the endpoint the LLM grader and interviewer call.

use serde::{Deserialize, Serialize};

use super::{ApiKey, Bounded, ScoreLevel, blank};

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
    /// Upper bounds on the times and counts below keep the derived time
    /// limits far from overflow and the semaphore within what tokio allows.
    ///
    /// One HTTP request, connect to last byte. A hung endpoint is cut off here
    /// and not retried.
    pub timeout_seconds: Bounded<u64, 1, 3_600>,
    /// Requests in flight at once across all sessions, so a busy server
    /// cannot flood a rate-limited endpoint (or a laptop running Ollama).
    pub max_concurrency: Bounded<usize, 1, 1_024>,
    /// Sent with every request so reruns are as repeatable as the provider allows.
    pub seed: i64,
    /// Retries of one request after 429, 5xx or a refused connection.
    pub max_retries: Bounded<u32, 0, 100>,
    /// Total time one request may spend waiting between retries; a
    /// Retry-After beyond what is left ends the retries (the offline grader
    /// stands in), so a 429 storm cannot hold a score for long.
    pub max_retry_seconds: Bounded<u64, 0, 3_600>,
    /// Bound on one whole grading (all passes and retries). Unset: derived
    /// from the request timeout and retry budget.
    pub grade_timeout_seconds: Option<Bounded<u64, 1, 86_400>>,
    /// Ask a second, sceptical question when the first overall score is at
    /// least `sceptical_threshold`; each dimension keeps the lower level.
    pub sceptical_pass: bool,
    pub sceptical_threshold: ScoreLevel,
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
            timeout_seconds: Bounded::default_of(60),
            max_concurrency: Bounded::default_of(4),
            seed: 7,
            max_retries: Bounded::default_of(3),
            max_retry_seconds: Bounded::default_of(30),
            grade_timeout_seconds: None,
            sceptical_pass: false,
            sceptical_threshold: ScoreLevel::default_of(3.5),
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
    pub fn check_endpoint(&self) -> Result<(), String> {
        let mut missing = Vec::new();
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
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "[llm] (provider = \"{}\"): missing {}",
                self.provider.as_str(),
                missing.join(", ")
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
