//! The LLM grader: asks any OpenAI-compatible chat-completions endpoint to
//! score an answer against the rubric, then checks the reply in code.
//!
//! ```text
//! render prompts (nonce-tagged answer) ─▶ ask ─▶ parse ─┬─ ok ─────────────▶ verify
//!                                                       └─ bad ─▶ repair ─▶ parse ─▶ verify | Err
//! verify ─▶ [sceptical pass if overall ≥ threshold: lower level wins]
//!        ─▶ offline injection check (lower level wins) ─▶ AnswerScore
//! ```
//!
//! Any error (timeout, HTTP failure, a reply that fails the schema twice)
//! is returned as `GradeError`; `grade_or_fallback` then scores with the
//! offline grader and marks the score as a fallback with the reason.

pub mod prompt;
pub mod schema;
pub mod verify;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
};
use async_trait::async_trait;

use crate::config::LlmConfig;
use crate::content::{ContentErrors, ContentSource, Question};
use crate::grading::{
    AnswerScore, GradeError, GradeRequest, Grader, OfflineGrader, Provenance, TokenUsage,
    rubric_hash,
};

use crate::openai::clip;
use crate::openai::lanes::Lane;
use crate::openai::provider::{self, Provider};
use prompt::Templates;
use schema::ModelGrade;
use verify::{Verified, apply_injection_check, lower_of, verify};

/// Longest bad reply sent back on the repair try, in characters: enough for
/// the model to see its mistake, bounded so a rambling reply cannot double
/// the cost of the next request.
const MAX_REPAIR_ECHO_CHARS: usize = 8_000;
/// Slack on top of the derived time limit for rendering and parsing.
const TIME_LIMIT_SLACK: Duration = Duration::from_secs(5);

pub struct LlmGrader {
    provider: Provider,
    templates: Templates,
    /// `Some(threshold)` when the sceptical second pass is on.
    sceptical: Option<f64>,
    time_limit: Duration,
    /// Grades in the model's place when it fails (see [`Grader::stand_in`]).
    stand_in: Option<Arc<dyn Grader>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LlmSetupError {
    #[error("{0}")]
    Config(String),
    #[error("the grader's prompt templates have errors:\n{0}")]
    Templates(ContentErrors),
}

/// What one grading spent, across passes, and the model the server said
/// answered.
#[derive(Default)]
struct Run {
    usage: Option<TokenUsage>,
    passes: Vec<String>,
    model: Option<String>,
}

impl LlmGrader {
    pub const ID: &'static str = "llm";

    pub fn new(config: &LlmConfig, content: &ContentSource) -> Result<LlmGrader, LlmSetupError> {
        let provider = Provider::new(config, Lane::Background).map_err(LlmSetupError::Config)?;
        let templates = Templates::load(content).map_err(LlmSetupError::Templates)?;
        // Each pass is at most two requests (the ask and one repair); each
        // request at most its timeout plus the retry budget.
        let passes = if config.sceptical_pass { 2 } else { 1 };
        let per_request =
            Duration::from_secs(config.timeout_seconds.get() + config.max_retry_seconds.get());
        let time_limit = match config.grade_timeout_seconds {
            Some(seconds) => Duration::from_secs(seconds.get()),
            None => per_request * (2 * passes) + TIME_LIMIT_SLACK,
        };
        Ok(LlmGrader {
            provider,
            templates,
            sceptical: config
                .sceptical_pass
                .then_some(config.sceptical_threshold.get()),
            time_limit,
            stand_in: None,
        })
    }

    /// Lets `grader` score an answer the model could not: the offline
    /// grader the server would otherwise use, so a fallback is v3's score
    /// where its model is installed, not the vocabulary grader's.
    pub fn with_stand_in(mut self, grader: Arc<dyn Grader>) -> LlmGrader {
        self.stand_in = Some(grader);
        self
    }

    pub fn prompt_hash(&self) -> &str {
        self.templates.hash()
    }

    /// Asks for a grade; on a reply that fails the schema, asks once more
    /// with the reply and the error, then gives up.
    async fn ask(
        &self,
        request: &GradeRequest<'_>,
        nonce: &str,
        mut messages: Vec<ChatCompletionRequestMessage>,
        run: &mut Run,
        repair_pass: &str,
    ) -> Result<ModelGrade, GradeError> {
        let format = schema::response_format(request.rubric);
        let max_tokens = schema::reply_tokens(request.rubric);
        let reply = self
            .call(messages.clone(), format.clone(), max_tokens, run)
            .await?;
        let error = match schema::parse(&reply.content, request.rubric) {
            Ok(grade) => return Ok(grade),
            Err(error) => error,
        };
        tracing::warn!(%error, "the LLM reply failed the schema; asking once more");
        run.passes.push(repair_pass.to_owned());
        let repair = self
            .templates
            .repair(request, nonce, &error.detail())
            .map_err(template_failure)?;
        messages.push(assistant(clip(&reply.content, MAX_REPAIR_ECHO_CHARS)));
        messages.push(user(repair));
        let reply = self.call(messages, format, max_tokens, run).await?;
        schema::parse(&reply.content, request.rubric).map_err(|e| {
            GradeError::Unavailable(format!(
                "the model's reply failed the schema after a repair retry: {e}"
            ))
        })
    }

    async fn call(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        format: async_openai::types::chat::ResponseFormat,
        max_tokens: u32,
        run: &mut Run,
    ) -> Result<provider::Reply, GradeError> {
        let reply = self
            .provider
            .complete(messages, format, max_tokens)
            .await
            .map_err(|e| GradeError::Unavailable(e.to_string()))?;
        if run.model.is_none() {
            run.model = reply.model.clone();
        }
        if let Some(usage) = reply.usage {
            let total = run.usage.get_or_insert_with(TokenUsage::default);
            total.prompt_tokens = total.prompt_tokens.saturating_add(usage.prompt_tokens);
            total.completion_tokens = total
                .completion_tokens
                .saturating_add(usage.completion_tokens);
        }
        Ok(reply)
    }

    /// A second, sceptical look at a high first grade; per dimension the
    /// lower level stands.
    async fn sceptical_pass(
        &self,
        request: &GradeRequest<'_>,
        nonce: &str,
        system_prompt: String,
        verified: &mut Verified,
        run: &mut Run,
    ) -> Result<(), GradeError> {
        let first = serde_json::to_string_pretty(&verified.dimensions)
            .map_err(|e| GradeError::Unavailable(format!("serializing the first pass: {e}")))?;
        let ask = self
            .templates
            .sceptic(request, nonce, &first)
            .map_err(template_failure)?;
        let messages = vec![system(system_prompt), user(ask)];
        let second = self
            .ask(request, nonce, messages, run, "sceptical-repair")
            .await?;
        run.passes.push("sceptical".to_owned());
        let second = verify(request.rubric, request.answers, &second);
        lower_of(
            &mut verified.dimensions,
            &second.dimensions,
            "lowered by a sceptical second look",
        );
        verified.injection_suspected |= second.injection_suspected;
        Ok(())
    }
}

#[async_trait]
impl Grader for LlmGrader {
    fn id(&self) -> &str {
        Self::ID
    }

    fn time_limit(&self) -> Duration {
        self.time_limit
    }

    fn stand_in(&self) -> Option<&dyn Grader> {
        self.stand_in.as_deref()
    }

    /// Prepares the stand-in, as the server would prepare it were it the
    /// grader: its first score for a question the model failed then does
    /// not wait to embed that question's references first.
    fn prepare(&self, questions: Vec<Question>) -> Option<tokio::task::JoinHandle<()>> {
        self.stand_in.as_ref()?.prepare(questions)
    }

    async fn grade(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
        let started = Instant::now();
        let nonce = prompt::nonce();
        let mut run = Run::default();
        let prompt = self
            .templates
            .grade(&request, &nonce)
            .map_err(template_failure)?;
        let messages = vec![system(prompt.system.clone()), user(prompt.user)];
        let grade = self
            .ask(&request, &nonce, messages, &mut run, "repair")
            .await?;
        let mut verified = verify(request.rubric, request.answers, &grade);
        if let Some(threshold) = self.sceptical
            && AnswerScore::weighted_overall(request.rubric, &verified.dimensions) >= threshold
        {
            self.sceptical_pass(&request, &nonce, prompt.system, &mut verified, &mut run)
                .await?;
        }
        // The offline grader's injection detector has the last word: a
        // model talked into high levels does not keep them.
        let offline = OfflineGrader.score(request);
        let (injection_suspected, suspect_quotes) = apply_injection_check(&mut verified, &offline);
        if injection_suspected {
            // Praise from a model that may have been steered is not kept.
            verified.strengths = offline.strengths;
        }
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(
            rubric = %request.rubric.id,
            latency_ms,
            passes = ?run.passes,
            injection_suspected,
            "LLM grade"
        );
        Ok(AnswerScore {
            grader: Self::ID.to_owned(),
            rubric_id: request.rubric.id.clone(),
            rubric_version: request.rubric.version.clone(),
            overall: AnswerScore::weighted_overall(request.rubric, &verified.dimensions),
            dimensions: verified.dimensions,
            fallback: false,
            fallback_reason: None,
            injection_suspected,
            suspect_quotes,
            strengths: verified.strengths,
            improvements: verified.improvements,
            key_points: Vec::new(),
            estimate: false,
            provenance: Provenance {
                model: run
                    .model
                    .take()
                    .or_else(|| Some(self.provider.model().to_owned())),
                prompt_hash: Some(self.templates.hash().to_owned()),
                rubric_hash: rubric_hash(request.rubric),
                latency_ms,
                usage: run.usage,
                passes: run.passes,
            },
            not_assessed: None,
        })
    }
}

fn template_failure(error: minijinja::Error) -> GradeError {
    GradeError::Unavailable(format!("rendering the grader prompt: {error}"))
}

fn system(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestSystemMessage::from(text).into()
}

fn user(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestUserMessage::from(text).into()
}

fn assistant(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestAssistantMessage::from(text).into()
}
