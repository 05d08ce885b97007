//! What `/metrics` reports, in the Prometheus (OpenMetrics) text format.
//!
//! prometheus-client keeps every metric in a registry we own rather than in
//! process-global state, so each server (and each of the many servers a test
//! run starts in one process) counts only its own traffic.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::engine::{Author, TurnSource};

type Labels = Vec<(&'static str, String)>;

/// Why the edge refused something; the `reason` label of `rejected`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    Unauthorized,
    Origin,
    RateLimited,
    TooManyConnections,
    FrameTooLarge,
    BadUtf8,
    BadMessage,
    AudioRate,
    IdleTimeout,
    SlowReader,
    OperatorDisabled,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::Unauthorized => "unauthorized",
            Rejection::Origin => "origin",
            Rejection::RateLimited => "rate_limited",
            Rejection::TooManyConnections => "too_many_connections",
            Rejection::FrameTooLarge => "frame_too_large",
            Rejection::BadUtf8 => "bad_utf8",
            Rejection::BadMessage => "bad_message",
            Rejection::AudioRate => "audio_rate",
            Rejection::IdleTimeout => "idle_timeout",
            Rejection::SlowReader => "slow_reader",
            Rejection::OperatorDisabled => "operator_disabled",
        }
    }
}

/// The server's metrics; cheap to share behind an `Arc`.
pub struct Metrics {
    registry: Registry,
    pub sessions_active: Gauge,
    pub sockets_active: Gauge,
    pub prompts_sent: Counter,
    answers_graded: Family<Labels, Counter>,
    grading_seconds: Family<Labels, Histogram>,
    pub transcription_queue_depth: Gauge,
    pub code_runs_waiting: Gauge,
    transcription_rtf: Histogram,
    turn_seconds: Histogram,
    rejected: Family<Labels, Counter>,
    interviewer_turns: Family<Labels, Counter>,
    interviewer_first_token_seconds: Histogram,
    interviewer_prompt_seconds: Histogram,
}

fn latency_buckets() -> Histogram {
    // 5 ms to about 80 s: an offline grade is microseconds, an LLM one seconds.
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("mockloop");
        let sessions_active = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
        let sockets_active = Gauge::default();
        let prompts_sent = Counter::<u64, AtomicU64>::default();
        let answers_graded = Family::<Labels, Counter>::default();
        let grading_seconds =
            Family::<Labels, Histogram>::new_with_constructor(latency_buckets as fn() -> Histogram);
        let transcription_queue_depth = Gauge::default();
        let code_runs_waiting = Gauge::default();
        // Processing time over audio time: below 1 keeps up with speech.
        let transcription_rtf = Histogram::new(exponential_buckets(0.05, 2.0, 10));
        let turn_seconds = latency_buckets();
        let rejected = Family::<Labels, Counter>::default();
        let interviewer_turns = Family::<Labels, Counter>::default();
        let interviewer_first_token_seconds = latency_buckets();
        let interviewer_prompt_seconds = latency_buckets();
        registry.register(
            "interviewer_turns",
            "Follow-ups and hints an LLM was asked to word, by who worded them (llm, scripted) and why the scripted words stood in",
            interviewer_turns.clone(),
        );
        registry.register(
            "interviewer_first_token_seconds",
            "From the candidate's end of answer to the LLM interviewer's first token",
            interviewer_first_token_seconds.clone(),
        );
        registry.register(
            "interviewer_prompt_seconds",
            "From the candidate's end of answer to the LLM interviewer's whole prompt (the scripted one on a fallback)",
            interviewer_prompt_seconds.clone(),
        );
        registry.register(
            "sessions_active",
            "Sessions with a running task",
            sessions_active.clone(),
        );
        registry.register(
            "sockets_active",
            "Open interview WebSocket connections",
            sockets_active.clone(),
        );
        registry.register(
            "prompts_sent",
            "Prompts sent to candidates (questions, follow-ups, repeats)",
            prompts_sent.clone(),
        );
        registry.register(
            "answers_graded",
            "Answers scored, by grader and outcome (ok, or fallback when the offline grader stood in)",
            answers_graded.clone(),
        );
        registry.register(
            "grading_seconds",
            "Time to score one answer, by configured grader",
            grading_seconds.clone(),
        );
        registry.register(
            "transcription_queue_depth",
            "Speech clips waiting for a recogniser worker",
            transcription_queue_depth.clone(),
        );
        registry.register(
            "code_runs_waiting",
            "Code runs waiting for a free sandbox slot",
            code_runs_waiting.clone(),
        );
        registry.register(
            "transcription_real_time_factor",
            "Transcription time divided by the length of the audio",
            transcription_rtf.clone(),
        );
        registry.register(
            "turn_seconds",
            "From an answer received to the next prompt sent",
            turn_seconds.clone(),
        );
        registry.register(
            "rejected_requests",
            "Requests, sockets and frames refused at the edge (audio_rate: frames delayed), by reason",
            rejected.clone(),
        );
        Metrics {
            registry,
            sessions_active,
            sockets_active,
            prompts_sent,
            answers_graded,
            grading_seconds,
            transcription_queue_depth,
            code_runs_waiting,
            transcription_rtf,
            turn_seconds,
            rejected,
            interviewer_turns,
            interviewer_first_token_seconds,
            interviewer_prompt_seconds,
        }
    }

    pub fn graded(&self, grader: &str, fallback: bool, took: Duration) {
        let outcome = if fallback { "fallback" } else { "ok" };
        self.answers_graded
            .get_or_create(&vec![
                ("grader", grader.to_owned()),
                ("outcome", outcome.to_owned()),
            ])
            .inc();
        self.grading_seconds
            .get_or_create(&vec![("grader", grader.to_owned())])
            .observe(took.as_secs_f64());
    }

    pub fn transcribed(&self, took: Duration, audio_ms: u64) {
        if audio_ms > 0 {
            self.transcription_rtf
                .observe(took.as_secs_f64() * 1000.0 / audio_ms as f64);
        }
    }

    pub fn turn(&self, took: Duration) {
        self.turn_seconds.observe(took.as_secs_f64());
    }

    /// One LLM interviewer turn, as recorded on its event.
    pub fn composed(&self, source: &TurnSource) {
        let by = match source.by {
            Author::Llm => "llm",
            Author::Scripted => "scripted",
        };
        let reason = source.fallback.map_or("none", |f| f.as_str());
        self.interviewer_turns
            .get_or_create(&vec![
                ("by", by.to_owned()),
                ("fallback", reason.to_owned()),
            ])
            .inc();
        if let Some(ms) = source.first_token_ms {
            self.interviewer_first_token_seconds
                .observe(ms as f64 / 1000.0);
        }
        self.interviewer_prompt_seconds
            .observe(source.full_ms as f64 / 1000.0);
    }

    pub fn reject(&self, why: Rejection) {
        self.rejected
            .get_or_create(&vec![("reason", why.as_str().to_owned())])
            .inc();
    }

    /// The text exposition; gauges sampled at scrape time are set by the caller first.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

/// Shared handle.
pub type SharedMetrics = Arc<Metrics>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_appear_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.graded("offline-v2", false, Duration::from_millis(1));
        metrics.graded("offline-v2", true, Duration::from_millis(1));
        metrics.reject(Rejection::Origin);
        metrics.prompts_sent.inc();
        let text = metrics.render();
        assert!(
            text.contains(
                r#"mockloop_answers_graded_total{grader="offline-v2",outcome="fallback"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains("mockloop_prompts_sent_total 1"), "{text}");
        assert!(
            text.contains(r#"mockloop_rejected_requests_total{reason="origin"} 1"#),
            "{text}"
        );
        assert!(text.contains("mockloop_grading_seconds_bucket"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
