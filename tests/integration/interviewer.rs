//! The LLM interviewer against a local OpenAI-protocol server: follow-ups
//! and hints stream to the candidate, every failure ends in the scripted
//! turn within the timeout, and a replay never asks the model again.

use std::sync::Arc;

use mockloop::config::{ApiKey, Bounded, Config, InterviewerMode, LlmConfig, LlmProvider};
use mockloop::content::{Catalog, Question, RoundKind};
use mockloop::engine::{Author, Event, Fallback, TurnSource};
use mockloop::grading::TokenUsage;
use mockloop::store::{SqliteStore, Store};
use serde_json::{Value, json};

use crate::app::{Candidate, TestApp};
use crate::fake_openai::{FakeOpenAi, REPORTED_MODEL, Step};

/// An answer that shows none of the screen rubric's signals, so the
/// engine asks a follow-up.
pub const THIN_ANSWER: &str = "I would just do it.";

/// A server config whose follow-ups and hints `fake` words.
pub fn config(fake: &FakeOpenAi) -> Config {
    let mut config = Config {
        llm: LlmConfig {
            provider: LlmProvider::Compatible,
            base_url: Some(fake.base_url()),
            model: Some("fake-model".into()),
            api_key: Some(ApiKey::new("sk-test-key").unwrap()),
            timeout_seconds: Bounded::new(10).unwrap(),
            // A failure falls back at once rather than after retries.
            max_retries: Bounded::new(0).unwrap(),
            ..LlmConfig::default()
        },
        ..Config::default()
    };
    config.interviewer.mode = InterviewerMode::Llm;
    config.interviewer.first_token_timeout_ms = Bounded::new(1_500).unwrap();
    config.interviewer.total_timeout_ms = Bounded::new(2_500).unwrap();
    config
}

async fn llm_app(script: Vec<Step>, tweak: impl FnOnce(&mut Config)) -> (TestApp, FakeOpenAi) {
    let fake = FakeOpenAi::start(script).await;
    let mut config = config(&fake);
    tweak(&mut config);
    (TestApp::builder().config(config).spawn().await, fake)
}

/// Starts quick practice and returns the first (screen) question as asked.
pub async fn first_question(app: &TestApp) -> (String, String, Candidate, Question) {
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    let text = prompt["text"].as_str().unwrap();
    let question = Catalog::embedded()
        .unwrap()
        .questions(RoundKind::Screen)
        .iter()
        .find(|q| q.text == text)
        .expect("the prompt is a screen question")
        .clone();
    (id, token, candidate, question)
}

/// What the client saw of one composed turn.
struct Seen {
    composing: Value,
    streamed: String,
    discarded: Option<Value>,
    prompt: Value,
}

async fn next_turn(candidate: &mut Candidate) -> Seen {
    let composing = candidate.recv_until("composing").await;
    let mut streamed = String::new();
    let mut discarded = None;
    loop {
        let msg = candidate.recv().await;
        match msg["type"].as_str().unwrap() {
            "prompt_delta" => {
                assert_eq!(msg["id"], composing["seq"], "{msg}");
                streamed.push_str(msg["text"].as_str().unwrap());
            }
            "prompt_discarded" => {
                assert_eq!(msg["id"], composing["seq"], "{msg}");
                discarded = Some(msg);
            }
            "prompt" => {
                return Seen {
                    composing,
                    streamed,
                    discarded,
                    prompt: msg,
                };
            }
            other => panic!("unexpected {other} while a turn was composed: {msg}"),
        }
    }
}

/// The `source` recorded on the stored prompt with sequence number `seq`.
pub async fn source_of(app: &TestApp, id: &str, seq: u64) -> TurnSource {
    let store = SqliteStore::open_in(&app.data_dir).await.unwrap();
    let events = store.events(id, 0).await.unwrap();
    let stored = events
        .iter()
        .find(|e| e.seq == seq)
        .expect("the prompt is stored");
    match &stored.event {
        Event::Prompted {
            source: Some(source),
            ..
        } => (**source).clone(),
        other => panic!("expected a composed prompt, found {other:?}"),
    }
}

fn is_probe(question: &Question, text: &str) -> bool {
    question.probes.iter().any(|p| p.text == text)
}

#[tokio::test]
async fn a_follow_up_streams_token_by_token_and_is_stored_whole_with_its_timings() {
    let pieces = [
        "Interesting. ",
        "What made you ",
        "choose that over ",
        "the alternatives?",
    ];
    let (app, fake) = llm_app(
        vec![Step::Stream(pieces.iter().map(|p| p.to_string()).collect())],
        |_| {},
    )
    .await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    let whole = pieces.concat();
    assert_eq!(seen.composing["kind"], "follow_up");
    assert_eq!(seen.streamed, whole);
    assert!(seen.discarded.is_none());
    assert_eq!(seen.prompt["text"], whole);
    assert_eq!(seen.prompt["kind"], "follow_up");

    let request = &fake.requests()[0].body;
    assert_eq!(request["stream"], true);
    assert_eq!(request["stream_options"]["include_usage"], true);
    let said = request.to_string();
    assert!(
        said.contains(THIN_ANSWER),
        "the conversation is in the prompt"
    );
    assert!(
        said.contains(&question.key_points[0].text.replace('"', "\\\"")),
        "key points are given to the model"
    );

    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.by, Author::Llm);
    assert_eq!(source.fallback, None);
    // What the server said: the model that answered and what it cost.
    assert_eq!(source.model.as_deref(), Some(REPORTED_MODEL));
    assert_eq!(
        source.usage,
        Some(TokenUsage {
            prompt_tokens: 210,
            completion_tokens: 12
        })
    );
    let first = source.first_token_ms.expect("a first token was timed");
    assert!(first <= source.full_ms);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"mockloop_interviewer_turns_total{by="llm",fallback="none"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("mockloop_interviewer_first_token_seconds_count 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("mockloop_interviewer_prompt_seconds_count 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_provider_that_cannot_stream_is_asked_once_for_the_whole_turn() {
    let (app, fake) = llm_app(vec![Step::Reply("Why that approach?".into())], |c| {
        c.interviewer.stream = false;
    })
    .await;
    let (id, _, mut candidate, _) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert_eq!(seen.streamed, "");
    assert_eq!(seen.prompt["text"], "Why that approach?");
    assert_ne!(fake.requests()[0].body["stream"], true);
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.by, Author::Llm);
    assert!(source.first_token_ms.is_some());
}

#[tokio::test]
async fn a_provider_stalling_mid_stream_is_replaced_and_the_interview_goes_on() {
    let (app, _fake) = llm_app(
        vec![Step::StreamThenHang(vec![
            "So tell me, ".into(),
            "why".into(),
        ])],
        |_| {},
    )
    .await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert_eq!(seen.streamed, "So tell me, why");
    assert_eq!(seen.discarded.as_ref().unwrap()["reason"], "timeout");
    let text = seen.prompt["text"].as_str().unwrap();
    assert!(is_probe(&question, text), "{text}");
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(
        (source.by, source.fallback),
        (Author::Scripted, Some(Fallback::Timeout))
    );
    // The scripted turn came when the total timeout ran out, not earlier
    // (a recorded duration, not the test's clock).
    assert!(source.full_ms >= 2_500, "{source:?}");

    // The follow-up is answered and the next round's question arrives.
    candidate.answer(THIN_ANSWER).await;
    let next = candidate.recv_until("prompt").await;
    assert_eq!(next["kind"], "question");
    assert_eq!(next["round"]["index"], 1);
}

#[tokio::test]
async fn a_provider_that_never_starts_is_cut_off_at_the_first_token_timeout() {
    let (app, _fake) = llm_app(vec![Step::Hang], |_| {}).await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert!(seen.discarded.is_none());
    assert!(is_probe(&question, seen.prompt["text"].as_str().unwrap()));
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.fallback, Some(Fallback::FirstTokenTimeout));
    assert_eq!(source.first_token_ms, None);
}

#[tokio::test]
async fn a_provider_error_falls_back_to_the_scripted_follow_up() {
    let (app, _fake) = llm_app(vec![Step::Status(500, vec![], "boom")], |_| {}).await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert!(seen.discarded.is_none(), "nothing was streamed to withdraw");
    assert!(is_probe(&question, seen.prompt["text"].as_str().unwrap()));
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.fallback, Some(Fallback::ProviderError));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(
            r#"mockloop_interviewer_turns_total{by="scripted",fallback="provider_error"} 1"#
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_reply_quoting_a_key_point_is_withdrawn_and_replaced() {
    // The key point is only known once the question is chosen, so the
    // script is filled in after the first prompt.
    let fake = FakeOpenAi::start(vec![]).await;
    let app = TestApp::builder().config(config(&fake)).spawn().await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    fake.push(Step::Stream(vec![
        "Good start. ".into(),
        "A strong answer says: ".into(),
        question.key_points[0].text.clone(),
    ]));
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert_eq!(seen.discarded.as_ref().unwrap()["reason"], "leak");
    // The leaking piece itself never reached the client.
    assert!(
        !seen.streamed.contains(&question.key_points[0].text),
        "{}",
        seen.streamed
    );
    assert!(is_probe(&question, seen.prompt["text"].as_str().unwrap()));
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.fallback, Some(Fallback::Leak));
}

#[tokio::test]
async fn a_reply_with_role_tags_and_markup_is_replaced_before_the_candidate_sees_it() {
    // What a small model wrote: the prompt's tags and HTML around a question.
    let (app, _fake) = llm_app(
        vec![Step::Stream(vec![
            "<candidate>So you would ".into(),
            "use a map.</candidate><br>".into(),
            "Why a map?</answer_1>".into(),
        ])],
        |_| {},
    )
    .await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    // Refused at its first piece: nothing reached the client to withdraw.
    assert!(seen.streamed.is_empty(), "{}", seen.streamed);
    assert!(seen.discarded.is_none(), "{:?}", seen.discarded);
    assert!(is_probe(&question, seen.prompt["text"].as_str().unwrap()));
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.fallback, Some(Fallback::Unsayable));
}

#[tokio::test]
async fn an_over_long_reply_is_replaced() {
    let long =
        "Tell me more about that, and also about everything else you considered. ".repeat(10);
    let (app, _fake) = llm_app(
        vec![Step::Stream(vec!["Okay, tell me more. ".into(), long])],
        |_| {},
    )
    .await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert_eq!(seen.discarded.as_ref().unwrap()["reason"], "too_long");
    assert!(is_probe(&question, seen.prompt["text"].as_str().unwrap()));
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.fallback, Some(Fallback::TooLong));
}

#[tokio::test]
async fn an_empty_reply_is_replaced() {
    let (app, _fake) = llm_app(vec![Step::Stream(vec!["  ".into(), "\n".into()])], |_| {}).await;
    let (id, _, mut candidate, question) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert!(seen.discarded.is_none());
    assert!(is_probe(&question, seen.prompt["text"].as_str().unwrap()));
    let source = source_of(&app, &id, seen.prompt["seq"].as_u64().unwrap()).await;
    assert_eq!(source.fallback, Some(Fallback::Empty));
}

#[tokio::test]
async fn a_hint_request_is_recorded_and_the_grader_and_report_see_it() {
    let (app, fake) = llm_app(
        vec![Step::Stream(vec![
            "Think about ".into(),
            "a concrete example.".into(),
        ])],
        |_| {},
    )
    .await;
    let (id, token, mut candidate, _) = first_question(&app).await;
    candidate.send(json!({ "type": "hint" })).await;
    let seen = next_turn(&mut candidate).await;
    assert_eq!(seen.composing["kind"], "hint");
    assert_eq!(seen.prompt["kind"], "hint");
    assert_eq!(seen.prompt["text"], "Think about a concrete example.");
    assert!(
        fake.requests()[0]
            .body
            .to_string()
            .contains("asked for a hint")
    );

    candidate.send(json!({ "type": "skip" })).await;
    candidate.recv_until("scored").await;
    let report: Value =
        serde_json::from_str(&app.export_text(&id, &token, "report.json").await).unwrap();
    let answer = &report["answers"][0];
    assert_eq!(answer["hints"], 1, "{answer}");
    assert_eq!(answer["turns"][1]["kind"], "hint", "{answer}");
    let improvements = answer["improvements"].to_string();
    assert!(
        improvements.contains("hint"),
        "the offline grader was told: {improvements}"
    );
    let markdown = app.export_text(&id, &token, "report.md").await;
    assert!(
        markdown.contains("**Hints:** the candidate asked for a hint"),
        "{markdown}"
    );
    let transcript = app.export_text(&id, &token, "transcript.md").await;
    assert!(
        transcript.contains("Interviewer (hint, asked for):** Think about a concrete example."),
        "{transcript}"
    );
}

#[tokio::test]
async fn a_resume_and_a_restart_replay_llm_turns_without_asking_the_model_again() {
    let fake = FakeOpenAi::start(vec![Step::Stream(vec!["Why that way?".into()])]).await;
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let app = TestApp::builder()
        .in_dir(dir.path())
        .config(config(&fake))
        .spawn()
        .await;
    let (id, token, mut candidate, _) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let seen = next_turn(&mut candidate).await;
    assert_eq!(fake.requests().len(), 1);
    drop(candidate);

    // A new socket replays the log.
    let mut again = app.connect(&id, &token).await;
    again.resume().await;
    let replayed = again.recv_until("prompt").await;
    let replayed = if replayed["kind"] == "question" {
        again.recv_until("prompt").await
    } else {
        replayed
    };
    assert_eq!(replayed["text"], seen.prompt["text"]);
    drop(again);

    // So does a restarted server.
    app.stop().await;
    let app = TestApp::builder()
        .in_dir(dir.path())
        .config(config(&fake))
        .spawn()
        .await;
    let mut restarted = app.connect(&id, &token).await;
    restarted.resume().await;
    let mut texts = Vec::new();
    while texts.len() < 2 {
        texts.push(restarted.recv_until("prompt").await["text"].clone());
    }
    assert_eq!(texts[1], seen.prompt["text"]);
    assert_eq!(fake.requests().len(), 1, "the model was asked only once");
}
