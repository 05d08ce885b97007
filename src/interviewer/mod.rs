//! The LLM interviewer: words the follow-ups and hints the engine chose
//! (see `engine::compose`), streaming them as they are written.
//!
//! ```text
//! Composing event ─▶ render prompts ─▶ stream ─┬─ each piece: guard (leak, length) ─▶ on_delta
//!                                              ├─ done: guard (empty too) ─▶ the model's words
//!                                              └─ error / first-token or total timeout / guard
//!                                                   ─▶ the scripted words, with the reason
//! ```
//!
//! Whatever happens, `compose` returns words within the total timeout, so
//! the interview never waits on a model for longer than that.

pub mod guard;
pub mod prompt;

use std::sync::Arc;
use std::time::Duration;

use async_openai::types::chat::{
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestUserMessage,
};
use futures_util::StreamExt;
use tokio::time::{Instant, timeout_at};

use crate::config::{Config, InterviewerConfig};
use crate::content::ContentSource;
use crate::engine::{Author, Fallback, Pending, Plan, PromptKind, Turn, TurnSource};
use crate::grading::TokenUsage;
use crate::grading::llm::LlmSetupError;
use crate::openai::lanes::Lane;
use crate::openai::provider::{Provider, reported, usage_of};
use crate::text::signals;

use guard::Guard;
use prompt::{Line, Templates, TurnContext, escape_candidate};

/// Tokens asked for per character allowed: English runs about four
/// characters a token, so this leaves room to finish a sentence and still
/// stops a runaway reply early.
const CHARS_PER_TOKEN: usize = 3;

pub struct Interviewer {
    provider: Provider,
    templates: Templates,
    config: InterviewerConfig,
}

/// The turn to word, as the session stood when the engine chose it.
pub struct TurnRequest {
    pub plan: Arc<Plan>,
    pub round: usize,
    pub question: usize,
    /// This question's turns so far.
    pub turns: Vec<Turn>,
    pub pending: Pending,
    pub remaining_seconds: i64,
}

/// The words to ask and who wrote them.
pub struct Composed {
    pub text: String,
    pub source: TurnSource,
    /// Some of the model's text reached `on_delta` (so a fallback must
    /// withdraw it on the client).
    pub streamed: bool,
}

impl Interviewer {
    pub fn new(config: &Config, content: &ContentSource) -> Result<Interviewer, LlmSetupError> {
        let provider = Provider::new(&config.interviewer.llm(&config.llm), Lane::Interactive)
            .map_err(LlmSetupError::Config)?;
        let templates = Templates::load(content).map_err(LlmSetupError::Templates)?;
        Ok(Interviewer {
            provider,
            templates,
            config: config.interviewer.clone(),
        })
    }

    pub fn model(&self) -> &str {
        self.provider.model()
    }

    /// Words the pending turn. `since` is the candidate's end of answer (or
    /// hint request): both timeouts and the telemetry count from it.
    /// `on_delta` receives each piece of the model's text that passed the
    /// guard so far.
    pub async fn compose(
        &self,
        request: &TurnRequest,
        since: Instant,
        mut on_delta: impl FnMut(&str) + Send,
    ) -> Composed {
        let mut run = Run {
            since,
            first_token: None,
            streamed: false,
            model: None,
            usage: None,
        };
        let result = self.ask(request, &mut run, &mut on_delta).await;
        let full_ms = millis(since.elapsed());
        let (text, by, fallback) = match result {
            Ok(text) => (text, Author::Llm, None),
            Err(reason) => {
                tracing::warn!(
                    reason = reason.as_str(),
                    streamed = run.streamed,
                    "the interviewer's LLM turn was not used; the scripted turn stands in"
                );
                (
                    request.pending.scripted.clone(),
                    Author::Scripted,
                    Some(reason),
                )
            }
        };
        Composed {
            text,
            streamed: run.streamed,
            source: TurnSource {
                by,
                fallback,
                model: run.model.or_else(|| Some(self.model().to_owned())),
                usage: run.usage,
                first_token_ms: run.first_token.map(millis),
                full_ms,
            },
        }
    }

    async fn ask(
        &self,
        request: &TurnRequest,
        run: &mut Run,
        on_delta: &mut (impl FnMut(&str) + Send),
    ) -> Result<String, Fallback> {
        let planned = &request.plan.rounds[request.round];
        let question = &planned.questions[request.question];
        let guard = Guard::new(
            question.key_point_texts(),
            &question.text,
            self.config.leak_ngram_words.get(),
            self.config.max_chars.get(),
        );
        let prompt = self
            .templates
            .render(&context(request, self.config.max_chars.get()))
            .map_err(|e| {
                tracing::warn!(error = %e, "rendering the interviewer prompt failed");
                Fallback::ProviderError
            })?;
        let messages: Vec<ChatCompletionRequestMessage> = vec![
            ChatCompletionRequestSystemMessage::from(prompt.system).into(),
            ChatCompletionRequestUserMessage::from(prompt.user).into(),
        ];
        let max_tokens =
            u32::try_from(self.config.max_chars.get() / CHARS_PER_TOKEN + 16).unwrap_or(u32::MAX);
        let total = run.since + Duration::from_millis(self.config.total_timeout_ms.get());
        let first =
            total.min(run.since + Duration::from_millis(self.config.first_token_timeout_ms.get()));
        let text = if self.config.stream {
            self.stream(messages, max_tokens, &guard, run, on_delta, first, total)
                .await?
        } else {
            let reply = timeout_at(total, self.provider.complete_text(messages, max_tokens))
                .await
                .map_err(|_| Fallback::Timeout)?
                .map_err(provider_error)?;
            run.first_token = Some(run.since.elapsed());
            run.model = reply.model;
            run.usage = reply.usage;
            reply.content
        };
        let text = text.trim().to_owned();
        guard.check(&text)?;
        Ok(text)
    }

    #[allow(clippy::too_many_arguments)]
    async fn stream(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        max_tokens: u32,
        guard: &Guard,
        run: &mut Run,
        on_delta: &mut (impl FnMut(&str) + Send),
        first: Instant,
        total: Instant,
    ) -> Result<String, Fallback> {
        let (_permit, mut stream) =
            timeout_at(first, self.provider.open_stream(messages, max_tokens))
                .await
                .map_err(|_| Fallback::FirstTokenTimeout)?
                .map_err(provider_error)?;
        let mut text = String::new();
        // How much of `text` the client has been sent.
        let mut sent = 0;
        loop {
            let (deadline, late) = match run.first_token {
                None => (first, Fallback::FirstTokenTimeout),
                Some(_) => (total, Fallback::Timeout),
            };
            let chunk = match timeout_at(deadline, stream.next()).await {
                Err(_) => return Err(late),
                Ok(None) => {
                    show(&text, &mut sent, text.len(), run, on_delta);
                    return Ok(text);
                }
                Ok(Some(Err(e))) => return Err(provider_error(self.provider.classify(e))),
                Ok(Some(Ok(chunk))) => chunk,
            };
            if run.model.is_none() {
                run.model = reported(&chunk.model);
            }
            // With `include_usage`, the last chunk carries the whole reply's.
            if let Some(usage) = chunk.usage.as_ref() {
                run.usage = Some(usage_of(usage));
            }
            let piece: String = chunk
                .choices
                .iter()
                .filter_map(|c| c.delta.content.as_deref())
                .collect();
            if piece.is_empty() {
                continue;
            }
            if run.first_token.is_none() {
                run.first_token = Some(run.since.elapsed());
            }
            // Pieces are judged with everything before them and held back
            // once the text fails: the client never sees the leaking words.
            text.push_str(&piece);
            guard.check_partial(&text)?;
            show(&text, &mut sent, settled(&text), run, on_delta);
        }
    }
}

/// Sends the client `text` from `sent` up to `upto`. Leading whitespace is
/// trimmed from the final text; it is trimmed from the stream too so the two
/// read the same.
fn show(
    text: &str,
    sent: &mut usize,
    upto: usize,
    run: &mut Run,
    on_delta: &mut (impl FnMut(&str) + Send),
) {
    if upto <= *sent {
        return;
    }
    let piece = &text[*sent..upto];
    *sent = upto;
    let shown = if run.streamed {
        piece
    } else {
        piece.trim_start()
    };
    if !shown.is_empty() {
        run.streamed = true;
        on_delta(shown);
    }
}

/// How much of a streamed reply can be shown: all but a line's opening
/// words. A role label ("Interviewer:", "The interviewer:") is known for
/// what it is only at its colon, so a line is held back until it has more
/// words than a label; a label the guard then stops never reached the
/// screen. (A small model served by llama.cpp opened a turn with "The
/// interviewer:" and streamed it before the colon arrived.)
fn settled(text: &str) -> usize {
    let line = text.rfind('\n').map_or(0, |i| i + 1);
    if text[line..].split_whitespace().count() > 3 {
        text.len()
    } else {
        line
    }
}

struct Run {
    since: Instant,
    first_token: Option<Duration>,
    streamed: bool,
    /// The model the server said answered, and what the turn cost.
    model: Option<String>,
    usage: Option<TokenUsage>,
}

fn provider_error(error: crate::openai::provider::ProviderError) -> Fallback {
    tracing::warn!(%error, "the interviewer's LLM request failed");
    Fallback::ProviderError
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn context(request: &TurnRequest, max_chars: usize) -> TurnContext {
    let plan = &request.plan;
    let planned = &plan.rounds[request.round];
    let question = &planned.questions[request.question];
    let mut conversation = Vec::new();
    let mut answers = Vec::new();
    for turn in &request.turns {
        conversation.push(Line {
            speaker: "interviewer",
            text: turn.prompt.clone(),
        });
        if let Some(answer) = &turn.answer {
            conversation.push(Line {
                speaker: "candidate",
                text: escape_candidate(answer),
            });
            answers.push(answer.clone());
        }
    }
    let shown = signals::detect(&planned.rubric, &answers);
    let describe = |id: &str| {
        planned
            .rubric
            .signals()
            .find(|s| s.id == id)
            .map(|s| s.description.clone())
    };
    TurnContext {
        company: plan.company.clone(),
        role: plan.role.clone(),
        level: plan.level.clone(),
        round_kind: planned.kind.as_str().to_owned(),
        round_title: planned.title.clone(),
        persona: planned.persona.clone(),
        question: question.text.clone(),
        key_points: question.key_point_texts().map(str::to_owned).collect(),
        conversation,
        missing: planned
            .rubric
            .signals()
            .filter(|s| !shown.contains(s.id.as_str()))
            .map(|s| s.description.clone())
            .collect(),
        purpose: match request.pending.kind {
            PromptKind::Hint => "hint",
            _ => "follow_up",
        },
        target: request.pending.signal.as_deref().and_then(describe),
        scripted: request.pending.scripted.clone(),
        remaining_seconds: request.remaining_seconds,
        max_chars,
    }
}

/// The interviewer `config` asks for: `None` for the scripted one.
pub fn build(config: &Config) -> anyhow::Result<Option<Arc<Interviewer>>> {
    if config.interviewer.mode != crate::config::InterviewerMode::Llm {
        return Ok(None);
    }
    let content = ContentSource::configured(config.content.dir.as_deref())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let interviewer = Interviewer::new(config, &content)
        .map_err(|e| anyhow::anyhow!("cannot start the LLM interviewer: {e}"))?;
    tracing::info!(
        model = interviewer.model(),
        "follow-ups and hints worded by an LLM"
    );
    Ok(Some(Arc::new(interviewer)))
}

#[cfg(test)]
mod tests {
    use super::settled;

    #[test]
    fn a_lines_opening_words_are_held_back_until_they_cannot_be_a_role_label() {
        assert_eq!(settled("The interviewer"), 0);
        assert_eq!(settled("Interviewer:"), 0);
        assert_eq!(
            settled("What would you store"),
            "What would you store".len()
        );
        let text = "What would you store?\nCandidate";
        assert_eq!(settled(text), text.find("Candidate").unwrap());
    }
}
