//! The LLM grader's transport against a local OpenAI-compatible server
//! (see `fake_openai`): retries after errors and rate limits, time-outs,
//! concurrency limits and lanes, and the overall time limit, each ending in
//! a score or a fallback, never a stall.

use std::time::{Duration, Instant};

use async_openai::types::chat::ChatCompletionRequestUserMessage;
use mockloop::config::Bounded;
use mockloop::grading::OfflineGrader;
use mockloop::openai::lanes::Lane;
use mockloop::openai::provider::Provider;

use crate::fake_openai::{FakeOpenAi, Step};
use crate::llm::{ANSWER, QUOTE, grade, grader, levels, llm_config, offline, reply};

#[tokio::test]
async fn a_server_error_is_retried_and_the_retry_scores() {
    let server = FakeOpenAi::start(vec![Step::Status(500, vec![], "boom"), reply(3, QUOTE)]).await;
    let score = grade(&grader(&llm_config(server.base_url())), &[ANSWER]).await;
    assert!(!score.fallback, "{:?}", score.fallback_reason);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(score.overall, 3.0);
}

#[tokio::test]
async fn a_rate_limit_is_retried_after_the_time_it_asks_for() {
    let rate_limited =
        r#"{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":null}}"#;
    let server = FakeOpenAi::start(vec![
        Step::Status(429, vec![("retry-after", "1")], rate_limited),
        reply(3, QUOTE),
    ])
    .await;
    let score = grade(&grader(&llm_config(server.base_url())), &[ANSWER]).await;
    assert!(!score.fallback, "{:?}", score.fallback_reason);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
}

#[tokio::test]
async fn a_rate_limit_asking_for_longer_than_the_retry_budget_falls_back_at_once() {
    let rate_limited =
        r#"{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":null}}"#;
    let server = FakeOpenAi::start(vec![Step::Status(
        429,
        vec![("retry-after", "3600")],
        rate_limited,
    )])
    .await;
    // A retry budget far above the bound below: waiting out any of the
    // hour asked for would fail the bound, a loaded machine would not.
    let mut config = llm_config(server.base_url());
    config.max_retry_seconds = Bounded::new(600).unwrap();
    let started = Instant::now();
    let score = grade(&grader(&config), &[ANSWER]).await;
    assert!(score.fallback);
    assert!(
        score.fallback_reason.as_deref().unwrap().contains("429"),
        "{:?}",
        score.fallback_reason
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_hung_endpoint_times_out_promptly_is_not_retried_and_falls_back() {
    let server = FakeOpenAi::start(vec![Step::Hang, reply(3, QUOTE)]).await;
    let mut config = llm_config(server.base_url());
    config.timeout_seconds = Bounded::new(1).unwrap();
    let started = Instant::now();
    let score = grade(&grader(&config), &[ANSWER]).await;
    let took = started.elapsed();
    // The reason names the timeout; this bound (far under the hang, far
    // over a second) only leaves room for a loaded machine.
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(score.fallback);
    assert_eq!(score.grader, OfflineGrader::ID);
    let reason = score.fallback_reason.clone().unwrap();
    assert!(reason.contains("timed out"), "{reason}");
    assert_eq!(server.requests().len(), 1, "a timeout is not retried");
    assert_eq!(levels(&score), levels(&offline(&[ANSWER])));
}

#[tokio::test]
async fn requests_beyond_max_concurrency_wait_for_a_free_slot() {
    let server = FakeOpenAi::start(vec![Step::Hang, reply(3, QUOTE)]).await;
    let mut config = llm_config(server.base_url());
    config.timeout_seconds = Bounded::new(1).unwrap();
    config.max_concurrency = Bounded::new(1).unwrap();
    let grader = grader(&config);
    let (first, second) = tokio::join!(grade(&grader, &[ANSWER]), grade(&grader, &[ANSWER]));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    // Unlimited, both arrive together; limited, the second waits out the
    // first's one-second timeout. The bound leaves room for the first
    // request reaching the server late on a loaded machine (882 ms seen).
    assert!(
        gap >= Duration::from_millis(500),
        "the second request went out {gap:?} after the first, while it still held the only slot"
    );
    assert_eq!(
        [first.fallback, second.fallback]
            .iter()
            .filter(|f| **f)
            .count(),
        1,
        "the hung one falls back, the other is scored"
    );
}

#[tokio::test]
async fn a_candidates_turn_never_waits_behind_background_grading() {
    // Two lanes to the endpoint, shared by the grader and the interviewer.
    let server = FakeOpenAi::start(vec![Step::Hang, Step::Reply("Why a map?".into())]).await;
    let mut config = llm_config(server.base_url());
    config.max_concurrency = Bounded::new(2).unwrap();
    let grader = std::sync::Arc::new(grader(&config));
    let interviewer = Provider::new(&config, Lane::Interactive).unwrap();

    // One grading hangs at the server; a second would take the last lane.
    let hung = tokio::spawn({
        let grader = grader.clone();
        async move { grade(&grader, &[ANSWER]).await }
    });
    server.arrived(1).await;
    let waiting = tokio::spawn({
        let grader = grader.clone();
        async move { grade(&grader, &[ANSWER]).await }
    });
    tokio::task::yield_now().await;

    // The candidate's turn goes straight through, while the second grading
    // still waits for a lane: it has not reached the server.
    let messages = vec![ChatCompletionRequestUserMessage::from("Ask a follow-up.").into()];
    let turn = interviewer.complete_text(messages, 50).await.unwrap();
    assert_eq!(turn.content, "Why a map?");
    assert_eq!(server.requests().len(), 2, "the waiting grading went out");
    let (hung, waiting) = (hung.await.unwrap(), waiting.await.unwrap());
    assert!(
        hung.fallback && waiting.fallback,
        "both graded by nothing left"
    );
}

#[tokio::test]
async fn the_overall_time_limit_yields_a_fallback_even_when_requests_may_take_longer() {
    let server = FakeOpenAi::start(vec![Step::Hang]).await;
    let mut config = llm_config(server.base_url());
    config.timeout_seconds = Bounded::new(120).unwrap();
    config.grade_timeout_seconds = Some(Bounded::new(1).unwrap());
    let started = Instant::now();
    let score = grade(&grader(&config), &[ANSWER]).await;
    // Well before the request's own 120 s timeout.
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(score.fallback);
    assert_eq!(
        score.fallback_reason.as_deref(),
        Some("grader unavailable: no score within 1s")
    );
}
