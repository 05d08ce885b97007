//! The remote transcriber against a local server that speaks OpenAI's
//! `/v1/audio/transcriptions`: the multipart request it sends, and what it
//! makes of good, partial, failing, hanging and malformed answers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use mockloop::config::{ApiKey, Bounded, SpeechRemoteConfig};
use mockloop::speech::remote::RemoteTranscriber;
use mockloop::speech::{Request, SpeechError, Transcriber};

/// What the server answers to every request.
#[derive(Clone)]
enum Answer {
    Json(&'static str),
    Status(u16, &'static str),
    Hang,
}

/// One multipart field as the server received it.
#[derive(Clone, Debug)]
struct Part {
    name: String,
    filename: Option<String>,
    data: Vec<u8>,
}

/// Each request's headers and multipart fields.
type Seen = Vec<(HeaderMap, Vec<Part>)>;

#[derive(Clone)]
struct Server {
    answer: Answer,
    seen: Arc<Mutex<Seen>>,
}

async fn start(answer: Answer) -> (SocketAddr, Server) {
    let server = Server {
        answer,
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/v1/audio/transcriptions", post(transcribe))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, server)
}

async fn transcribe(State(server): State<Server>, headers: HeaderMap, body: Bytes) -> Response {
    let parts = multipart(&headers, &body);
    server.seen.lock().unwrap().push((headers, parts));
    match server.answer {
        Answer::Json(json) => ([("content-type", "application/json")], json).into_response(),
        Answer::Status(code, body) => (StatusCode::from_u16(code).unwrap(), body).into_response(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(3_600)).await;
            StatusCode::OK.into_response()
        }
    }
}

/// Just enough of RFC 7578 to read what reqwest sends: the boundary from
/// the content type, then each part's disposition header and bytes.
fn multipart(headers: &HeaderMap, body: &[u8]) -> Vec<Part> {
    let content_type = headers["content-type"].to_str().unwrap();
    let boundary = content_type.split("boundary=").nth(1).unwrap();
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    for chunk in split(body, &delimiter).into_iter().skip(1) {
        if chunk.starts_with(b"--") {
            break;
        }
        let chunk = chunk.strip_prefix(b"\r\n").unwrap();
        let end = chunk.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&chunk[..end]).to_string();
        let data = chunk[end + 4..].strip_suffix(b"\r\n").unwrap().to_vec();
        let field = |key: &str| {
            head.split(';')
                .find_map(|p| p.trim().strip_prefix(&format!("{key}=\"")))
                .map(|v| v.split('"').next().unwrap().to_owned())
        };
        parts.push(Part {
            name: field("name").unwrap(),
            filename: field("filename"),
            data,
        });
    }
    parts
}

fn split<'a>(body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.windows(delimiter.len()).position(|w| w == delimiter) {
        pieces.push(&rest[..i]);
        rest = &rest[i + delimiter.len()..];
    }
    pieces.push(rest);
    pieces
}

fn text(parts: &[Part], name: &str) -> Vec<String> {
    parts
        .iter()
        .filter(|p| p.name == name)
        .map(|p| String::from_utf8(p.data.clone()).unwrap())
        .collect()
}

fn transcriber(addr: SocketAddr, timeout_seconds: u64) -> RemoteTranscriber {
    with_concurrency(addr, timeout_seconds, 2)
}

fn with_concurrency(addr: SocketAddr, timeout_seconds: u64, max: usize) -> RemoteTranscriber {
    RemoteTranscriber::new(&SpeechRemoteConfig {
        base_url: Some(format!("http://{addr}/v1/")),
        api_key: Some(ApiKey::new("sk-worker-key").unwrap()),
        model: Some("whisper-small".into()),
        timeout_seconds: Bounded::new(timeout_seconds).unwrap(),
        max_concurrency: Bounded::new(max).unwrap(),
        ..SpeechRemoteConfig::default()
    })
    .unwrap()
}

/// 1.5 s of a quiet tone.
fn request(prompt: Option<&str>) -> Request {
    let samples: Vec<f32> = (0..24_000).map(|i| (i as f32 * 0.05).sin() * 0.1).collect();
    Request {
        audio: samples.into(),
        initial_prompt: prompt.map(str::to_owned),
        partial: false,
        owner: None,
    }
}

const VERBOSE: &str = r#"{
    "task": "transcribe", "language": "en", "duration": 1.5,
    "text": " I would use a hash map.",
    "words": [
        {"word": "I", "start": 0.1, "end": 0.2},
        {"word": "would", "start": 0.2, "end": 0.45},
        {"word": "use", "start": 0.45, "end": 0.6},
        {"word": "a", "start": 0.6, "end": 0.65},
        {"word": "hash", "start": 0.65, "end": 0.9},
        {"word": "map.", "start": 0.9, "end": 1.25}
    ],
    "segments": [{"id": 0, "start": 0.0, "end": 1.5, "text": "I would use a hash map.",
                  "avg_logprob": -0.25}],
    "usage": {"type": "duration", "seconds": 2}
}"#;

#[tokio::test]
async fn sends_a_wav_with_model_and_prompt_and_reads_the_word_timings() {
    let (addr, server) = start(Answer::Json(VERBOSE)).await;
    let remote = transcriber(addr, 10);
    assert_eq!(remote.name(), "remote whisper-small");
    let transcript = remote
        .transcribe(request(Some("Design a cache. Um, uh.")))
        .await
        .unwrap();
    assert_eq!(transcript.text, "I would use a hash map.");
    assert_eq!(transcript.audio_ms, 1_500);
    assert!((transcript.confidence - (-0.25f32).exp()).abs() < 1e-6);
    assert_eq!(transcript.words.len(), 6);
    assert_eq!(transcript.words[4].text, "hash");
    assert_eq!(
        (transcript.words[4].start_ms, transcript.words[4].end_ms),
        (650, 900)
    );

    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (headers, parts) = &seen[0];
    assert_eq!(headers["authorization"], "Bearer sk-worker-key");
    assert_eq!(text(parts, "model"), ["whisper-small"]);
    assert_eq!(text(parts, "prompt"), ["Design a cache. Um, uh."]);
    assert_eq!(text(parts, "response_format"), ["verbose_json"]);
    assert!(text(parts, "timestamp_granularities[]").contains(&"word".to_owned()));
    let file = parts.iter().find(|p| p.name == "file").unwrap();
    assert!(file.filename.as_deref().unwrap().ends_with(".wav"));
    let wav = hound::WavReader::new(std::io::Cursor::new(file.data.clone())).unwrap();
    let spec = wav.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (16_000, 1, 16)
    );
    assert_eq!(wav.duration(), 24_000);
}

#[tokio::test]
async fn a_response_without_usage_or_segments_works() {
    let (addr, server) = start(Answer::Json(
        r#"{"text": "short answer", "words": [{"word": "short", "start": 0, "end": 0.4},
            {"word": "answer", "start": 0.4, "end": 0.9}]}"#,
    ))
    .await;
    let transcript = transcriber(addr, 10)
        .transcribe(request(None))
        .await
        .unwrap();
    assert_eq!(transcript.text, "short answer");
    assert_eq!(transcript.words[1].end_ms, 900);
    assert_eq!(transcript.confidence, 1.0);
    // No prompt was given, so none is sent.
    assert!(text(&server.seen.lock().unwrap()[0].1, "prompt").is_empty());
}

#[tokio::test]
async fn a_server_error_is_a_clear_failure_without_the_body() {
    let (addr, server) = start(Answer::Status(500, "traceback: the candidate said hunter2")).await;
    let error = transcriber(addr, 10)
        .transcribe(request(None))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, SpeechError::Failed(_)), "{message}");
    assert!(message.contains("HTTP 500"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
    // Not retried: a failing worker costs one request, and the session
    // tells the candidate at once.
    assert_eq!(server.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_hung_server_fails_at_the_timeout() {
    let (addr, _server) = start(Answer::Hang).await;
    let started = Instant::now();
    let error = transcriber(addr, 1)
        .transcribe(request(None))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(error.to_string().contains("timed out after 1s"), "{error}");
    // Not the server's hang (an hour): the message names the 1 s limit;
    // this bound only leaves room for a loaded machine.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[tokio::test]
async fn malformed_json_is_an_error() {
    let (addr, _server) = start(Answer::Json(r#"{"text": "I would use a hash"#)).await;
    let error = transcriber(addr, 10)
        .transcribe(request(None))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("not verbose_json"), "{message}");
    assert!(!message.contains("hash"), "{message}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_an_error() {
    // Bind then drop: nothing listens on this port any more.
    let addr = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let error = transcriber(addr, 5)
        .transcribe(request(None))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("could not be reached"),
        "{error}"
    );
}

#[tokio::test]
async fn with_every_slot_taken_a_partial_is_busy_and_a_final_clip_waits() {
    let (addr, server) = start(Answer::Hang).await;
    let remote = Arc::new(with_concurrency(addr, 2, 1));
    let first = tokio::spawn({
        let remote = remote.clone();
        async move { remote.transcribe(request(None)).await }
    });
    // Wait until the first clip holds the only slot and reached the server.
    while server.seen.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let partial = Request {
        partial: true,
        ..request(None)
    };
    assert!(matches!(
        remote.transcribe(partial).await,
        Err(SpeechError::Busy(0))
    ));
    let second = tokio::spawn({
        let remote = remote.clone();
        async move { remote.transcribe(request(None)).await }
    });
    // The second final waits for the slot (it is not refused).
    while remote.queue_depth() != 1 {
        assert!(!second.is_finished(), "the final clip waits for a slot");
        tokio::task::yield_now().await;
    }
    assert!(first.await.unwrap().is_err());
    assert!(second.await.unwrap().is_err());
    assert_eq!(remote.queue_depth(), 0);
    assert_eq!(server.seen.lock().unwrap().len(), 2);
}
