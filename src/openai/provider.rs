//! The chat-completions endpoint: OpenAI, Azure OpenAI or any compatible
//! server, through async-openai, with the bounds async-openai leaves to us:
//! a per-request timeout (it has none), bounded retries (see `retry`), and a
//! limit on requests in flight.

use std::sync::Arc;
use std::time::Duration;

use async_openai::Client;
use async_openai::config::{AzureConfig, Config as ProviderConfig, OPENAI_API_BASE};
use async_openai::error::OpenAIError;
use async_openai::middleware::ReqwestService;
use async_openai::types::chat::{
    ChatChoice, ChatCompletionRequestMessage, ChatCompletionResponseStream,
    ChatCompletionStreamOptions, CompletionUsage, CreateChatCompletionRequest, FinishReason,
    ResponseFormat,
};

use crate::config::{LlmConfig, LlmProvider};
use crate::outcome::score::TokenUsage;

use super::lanes::{self, Lane, Lanes, Permit};
use super::retry::BoundedRetry;
use super::{clip, http_client, openai_endpoint};

pub struct Provider {
    client: Client<Box<dyn ProviderConfig>>,
    model: String,
    seed: i64,
    timeout: Duration,
    /// The endpoint's lanes, shared by every provider that asks it (the
    /// grader's and the interviewer's): at most `max_concurrency` requests
    /// in flight, so a busy server queues here instead of in its own queue,
    /// and the candidate's turns go first (see `lanes`).
    lanes: Arc<Lanes>,
    lane: Lane,
}

/// The model's reply text, what it cost, and the model the server says
/// answered (a dated snapshot, a deployment's model, a local file's name).
#[derive(Clone, Debug)]
pub struct Reply {
    pub content: String,
    pub usage: Option<TokenUsage>,
    pub model: Option<String>,
}

/// Why no reply came back. Messages carry no response body: bodies can
/// quote the candidate, and these messages are logged and stored.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the LLM request timed out after {0:?}")]
    Timeout(Duration),
    #[error("the LLM endpoint could not be reached: {0}")]
    Connect(String),
    #[error("the LLM endpoint answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the LLM endpoint's response is not a chat completion: {0}")]
    Envelope(String),
    /// An error object in a shape async-openai does not read (llama.cpp
    /// sends `"code": 400`, a number, where OpenAI sends a string): its
    /// message is the real cause ("request exceeds the available context
    /// size"), so it is kept, as a 4xx's message is.
    #[error("the LLM endpoint refused the request: {0}")]
    Refused(String),
    #[error("the model's reply was cut off at the {0}-token limit before it was complete")]
    CutOff(u32),
    #[error("the LLM endpoint returned no choice")]
    NoChoice,
    #[error("LLM request failed: {0}")]
    Other(String),
}

impl Provider {
    /// A provider for `config`'s endpoint, asking in `lane`.
    pub fn new(config: &LlmConfig, lane: Lane) -> Result<Provider, String> {
        config.check_endpoint()?;
        let key = config
            .api_key
            .as_ref()
            .map(|k| k.expose().to_owned())
            .unwrap_or_default();
        let endpoint: Box<dyn ProviderConfig> = match config.provider {
            LlmProvider::Azure => Box::new(
                AzureConfig::new()
                    .with_api_base(trimmed(&config.api_base))
                    .with_deployment_id(trimmed(&config.deployment))
                    .with_api_version(trimmed(&config.api_version))
                    .with_api_key(key),
            ),
            LlmProvider::OpenAi | LlmProvider::Compatible => Box::new(openai_endpoint(
                config
                    .base_url
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or(OPENAI_API_BASE),
                key,
            )),
        };
        let timeout = Duration::from_secs(config.timeout_seconds.get());
        let endpoint_key = match config.provider {
            LlmProvider::Azure => format!(
                "{}/{}",
                trimmed(&config.api_base),
                trimmed(&config.deployment)
            ),
            _ => trimmed(&config.base_url),
        };
        let http = http_client(timeout)?;
        let service = tower::ServiceBuilder::new()
            .retry(BoundedRetry::new(
                config.max_retries.get(),
                Duration::from_secs(config.max_retry_seconds.get()),
            ))
            .service(ReqwestService::new(http));
        let client = Client::with_config(endpoint).with_http_service(service);
        let model = match config.provider {
            LlmProvider::Azure => config.model.clone().or_else(|| config.deployment.clone()),
            _ => config.model.clone(),
        }
        .unwrap_or_default()
        .trim()
        .to_owned();
        Ok(Provider {
            client,
            model,
            seed: config.seed,
            timeout,
            lanes: lanes::for_endpoint(&endpoint_key, config.max_concurrency.get()),
            lane,
        })
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// One chat completion at temperature 0 with the fixed seed, at most
    /// `max_tokens` long: a reply cut off at that limit is an error, not a
    /// reply (half a JSON object would only fail to parse, for a reason
    /// nobody could act on).
    pub async fn complete(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        format: ResponseFormat,
        max_tokens: u32,
    ) -> Result<Reply, ProviderError> {
        #[allow(deprecated)] // `seed` is deprecated upstream but still honoured where supported.
        let request = CreateChatCompletionRequest {
            model: self.model.clone(),
            messages,
            temperature: Some(0.0),
            seed: Some(self.seed),
            response_format: Some(format),
            max_completion_tokens: Some(max_tokens),
            ..Default::default()
        };
        let (choice, usage, model) = self.create(request).await?;
        if choice.finish_reason == Some(FinishReason::Length) {
            return Err(ProviderError::CutOff(max_tokens));
        }
        let content = choice
            .message
            .content
            .or(choice.message.refusal)
            .unwrap_or_default();
        Ok(Reply {
            content,
            usage,
            model,
        })
    }

    /// Sends one request, holding a permit while it is in flight: the first
    /// choice, the tokens used and the model the server says answered.
    async fn create(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<(ChatChoice, Option<TokenUsage>, Option<String>), ProviderError> {
        let _permit = self.lanes.acquire(self.lane).await;
        let response = self
            .client
            .chat()
            .create(request)
            .await
            .map_err(|e| self.classify(e))?;
        let usage = response.usage.as_ref().map(usage_of);
        let model = reported(&response.model);
        let choice = response
            .choices
            .into_iter()
            .next()
            .ok_or(ProviderError::NoChoice)?;
        Ok((choice, usage, model))
    }

    /// Free text for a conversation (the interviewer's turns): a little
    /// variety, bounded length, no schema.
    #[allow(deprecated)] // `seed`: see `complete`.
    fn text_request(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        max_tokens: u32,
    ) -> CreateChatCompletionRequest {
        CreateChatCompletionRequest {
            model: self.model.clone(),
            messages,
            temperature: Some(0.3),
            seed: Some(self.seed),
            max_completion_tokens: Some(max_tokens),
            ..Default::default()
        }
    }

    /// One free-text completion, whole.
    pub async fn complete_text(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        max_tokens: u32,
    ) -> Result<Reply, ProviderError> {
        let request = self.text_request(messages, max_tokens);
        let (choice, usage, model) = self.create(request).await?;
        Ok(Reply {
            content: choice.message.content.unwrap_or_default(),
            usage,
            model,
        })
    }

    /// One free-text completion, streamed, with its token usage in a last
    /// chunk. The permit travels with the stream: a request in flight holds
    /// its place until the reply ends.
    pub async fn open_stream(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        max_tokens: u32,
    ) -> Result<(Permit<'_>, ChatCompletionResponseStream), ProviderError> {
        let request = CreateChatCompletionRequest {
            stream_options: Some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                include_obfuscation: None,
            }),
            ..self.text_request(messages, max_tokens)
        };
        let permit = self.lanes.acquire(self.lane).await;
        let stream = self.client.chat().create_stream(request).await;
        Ok((permit, stream.map_err(|e| self.classify(e))?))
    }

    pub fn classify(&self, error: OpenAIError) -> ProviderError {
        match error {
            OpenAIError::Reqwest(e) if e.is_timeout() => ProviderError::Timeout(self.timeout),
            OpenAIError::Reqwest(e) if e.is_connect() => ProviderError::Connect(root_cause(&e)),
            OpenAIError::Reqwest(e) => ProviderError::Other(root_cause(&e)),
            // A 5xx body is whatever the server or a proxy printed, so only
            // a 4xx's structured error message is kept.
            OpenAIError::ApiError(e) => ProviderError::Status {
                status: e.status_code.as_u16(),
                message: if e.status_code.is_server_error() {
                    "server error".into()
                } else {
                    clip(&e.api_error.message, 200)
                },
            },
            // An error object async-openai could not read: its message is
            // kept. Any other body is left out (it may quote the answer);
            // serde's message names the field and position.
            OpenAIError::JSONDeserialize(e, body) => match error_message(&body) {
                Some(message) => ProviderError::Refused(clip(&message, 200)),
                None => ProviderError::Envelope(e.to_string()),
            },
            other => ProviderError::Other(clip(&other.to_string(), 200)),
        }
    }
}

/// Tokens used, as the server counted them.
pub fn usage_of(usage: &CompletionUsage) -> TokenUsage {
    TokenUsage {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
    }
}

/// The model a reply names, if it names one.
pub fn reported(model: &str) -> Option<String> {
    let model = model.trim();
    (!model.is_empty()).then(|| clip(model, 200))
}

/// The message of an `{"error": {"message": …}}` body, whatever else the
/// error object holds.
fn error_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let message = value.get("error")?.get("message")?.as_str()?.trim();
    (!message.is_empty()).then(|| message.to_owned())
}

fn trimmed(value: &Option<String>) -> String {
    value
        .as_deref()
        .unwrap_or_default()
        .trim()
        .trim_end_matches('/')
        .to_owned()
}

/// The innermost error's message ("Connection refused"), not reqwest's
/// chain with the URL in front.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    clip(&cause.to_string(), 200)
}

#[cfg(test)]
mod tests {
    use super::error_message;

    #[test]
    fn an_error_object_in_llama_cpps_shape_gives_its_message() {
        let llama = r#"{"error":{"code":400,"message":"request (13072 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error"}}"#;
        assert_eq!(
            error_message(llama).as_deref(),
            Some(
                "request (13072 tokens) exceeds the available context size (8192 tokens), try increasing it"
            )
        );
        assert_eq!(error_message(r#"{"choices": []}"#), None);
        assert_eq!(error_message("not json"), None);
        assert_eq!(error_message(r#"{"error":{"message":"  "}}"#), None);
    }
}
