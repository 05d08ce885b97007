//! OpenAI-compatible endpoints, shared by everything that talks to an
//! outside model: the LLM grader and interviewer (chat completions through
//! [`provider::Provider`]), remote speech recognition and text-to-speech
//! (the same HTTP client and endpoint settings). None of it is about
//! grading, so it lives beside `grading`, not inside it.

pub mod lanes;
pub mod provider;
pub mod retry;

use std::time::Duration;

use async_openai::config::OpenAIConfig;

/// Longest wait for a TCP/TLS connection: a dead host is known fast, while
/// `timeout_seconds` bounds the whole request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An OpenAI-compatible endpoint at `base_url` (no trailing slash needed).
/// Organisation and project are cleared: async-openai would otherwise pick
/// them up from the environment and send them to a third party.
pub(crate) fn openai_endpoint(base_url: &str, key: String) -> OpenAIConfig {
    OpenAIConfig::new()
        .with_api_base(base_url.trim_end_matches('/'))
        .with_api_key(key)
        .with_org_id("")
        .with_project_id("")
}

/// The HTTP client for an outside model: async-openai has no request timeout
/// of its own, so the client carries one (connecting gets at most 10 s).
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .build()
        .map_err(|e| format!("building the HTTP client: {e}"))
}

/// `text` cut to at most `max_chars` characters, marked with `…` when cut.
pub(crate) fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
