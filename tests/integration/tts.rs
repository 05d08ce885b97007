//! The interviewer's voice from the server: `GET /api/sessions/{id}/speech/{seq}`
//! against a local server speaking OpenAI's `/v1/audio/speech`.

use mockloop::config::{Bounded, Config, NonBlank, TtsBackend, TtsFormat};
use serde_json::Value;

use crate::app::{Candidate, TestApp, spawn_app};
use crate::fake_openai::{FakeOpenAi, Step};

const AUDIO: &[u8] = b"ID3\x04fake-mp3-frames";

fn remote(server: &FakeOpenAi, timeout_seconds: u64) -> Config {
    let mut config = Config::default();
    config.tts.backend = TtsBackend::Remote;
    config.tts.base_url = Some(server.base_url());
    config.tts.model = Some("tts-1".into());
    config.tts.voice = NonBlank::new("af_heart").unwrap();
    config.tts.format = TtsFormat::Mp3;
    config.tts.timeout_seconds = Bounded::new(timeout_seconds).unwrap();
    config
}

/// Starts a session and returns its first prompt's seq and the text the
/// browser would speak for it.
async fn first_prompt(app: &TestApp) -> (String, String, Candidate, Value, u64, String) {
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let welcome = candidate.welcome.clone();
    let prompt = candidate.recv_until("prompt").await;
    let seq = prompt["seq"].as_u64().unwrap();
    let spoken = [
        prompt["intro"].as_str().unwrap_or(""),
        prompt["text"].as_str().unwrap(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    (id, token, candidate, welcome, seq, spoken)
}

async fn speech(app: &TestApp, id: &str, token: &str, seq: &str) -> reqwest::Response {
    app.get(&format!("/api/sessions/{id}/speech/{seq}?token={token}"))
        .await
}

#[tokio::test]
async fn the_server_speaks_a_prompt_once_and_serves_a_repeat_from_its_cache() {
    let server = FakeOpenAi::start(vec![Step::Audio(AUDIO)]).await;
    let app = TestApp::builder().config(remote(&server, 10)).spawn().await;
    let (id, token, _candidate, welcome, seq, spoken) = first_prompt(&app).await;
    assert_eq!(welcome["tts"], "server", "{welcome}");

    for _ in 0..2 {
        let response = speech(&app, &id, &token, &seq.to_string()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "audio/mpeg");
        let cache = response.headers()["cache-control"].to_str().unwrap();
        assert!(cache.starts_with("private"), "{cache}");
        assert_eq!(&response.bytes().await.unwrap()[..], AUDIO);
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "the repeat came from the cache");
    assert_eq!(requests[0].path, "/v1/audio/speech");
    let body = &requests[0].body;
    assert_eq!(body["model"], "tts-1");
    assert_eq!(body["voice"], "af_heart");
    assert_eq!(body["response_format"], "mp3");
    assert_eq!(body["input"], spoken.as_str());
}

#[tokio::test]
async fn speech_needs_the_session_token_and_a_prompt_of_that_session() {
    let server = FakeOpenAi::start(vec![]).await;
    let app = TestApp::builder().config(remote(&server, 10)).spawn().await;
    let (id, token, _candidate, _, seq, _) = first_prompt(&app).await;
    let (other, other_token) = app.create_session("quick-practice").await;

    let wrong = speech(&app, &id, &other_token, &seq.to_string()).await;
    assert_eq!(wrong.status(), 401);
    let none = app.get(&format!("/api/sessions/{id}/speech/{seq}")).await;
    assert_eq!(none.status(), 401);
    for unknown in ["1", "9999", "x"] {
        let response = speech(&app, &id, &token, unknown).await;
        assert_eq!(
            response.status(),
            404,
            "seq {unknown}: the first event is no prompt"
        );
    }
    // The other session has asked nothing yet: this seq is not its prompt.
    let response = speech(&app, &other, &other_token, &seq.to_string()).await;
    assert_eq!(response.status(), 404);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn with_the_browser_backend_welcome_says_browser_and_speech_is_not_found() {
    let app = spawn_app().await;
    let (id, token, _candidate, welcome, seq, _) = first_prompt(&app).await;
    assert_eq!(welcome["tts"], "browser", "{welcome}");
    let response = speech(&app, &id, &token, &seq.to_string()).await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("browser"), "{message}");
}

#[tokio::test]
async fn a_hung_speech_server_gives_503_and_the_interview_goes_on() {
    let server = FakeOpenAi::start(vec![Step::Hang]).await;
    let app = TestApp::builder().config(remote(&server, 1)).spawn().await;
    let (id, token, mut candidate, _, seq, _) = first_prompt(&app).await;

    let response = speech(&app, &id, &token, &seq.to_string()).await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "speech_unavailable");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{body}"
    );

    let prompt = &candidate.prompts[0].1;
    let text = crate::app::answer_for(
        prompt["round"]["kind"].as_str().unwrap(),
        prompt["kind"].as_str().unwrap(),
    );
    candidate.answer(text).await;
    let next = candidate.recv_until("prompt").await;
    assert!(next["seq"].as_u64().unwrap() > seq);
}

#[tokio::test]
async fn a_failing_speech_server_gives_503_without_its_body_or_the_prompt() {
    let server = FakeOpenAi::start(vec![Step::Status(
        500,
        vec![("content-type", "application/json")],
        r#"{"error":{"message":"secret-internal-detail","type":"server_error"}}"#,
    )])
    .await;
    let app = TestApp::builder().config(remote(&server, 10)).spawn().await;
    let (id, token, _candidate, _, seq, spoken) = first_prompt(&app).await;

    let response = speech(&app, &id, &token, &seq.to_string()).await;
    assert_eq!(response.status(), 503);
    let text = response.text().await.unwrap();
    assert_eq!(server.requests().len(), 1, "a failure is not retried");
    assert!(text.contains("HTTP 500"), "{text}");
    assert!(!text.contains("secret-internal-detail"), "{text}");
    assert!(!text.contains(&spoken), "{text}");
}
