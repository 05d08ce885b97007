//! A local HTTP server that speaks the OpenAI chat-completions and
//! `/audio/speech` protocols, scripted per test: each request takes the next step of the script and is
//! recorded, so a test can check what the grader sent.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures_util::StreamExt;
use mockloop::content::Rubric;
use serde_json::{Value, json};

/// The model the server says answered: a dated snapshot of the one asked
/// for, as OpenAI reports it.
pub const REPORTED_MODEL: &str = "fake-model-2026-01-01";

/// What the server does with one request.
pub enum Step {
    /// 200 with a chat completion whose message content is this text.
    Reply(String),
    /// 200 with a chat completion whose `finish_reason` is this string.
    ReplyFinishing(String, &'static str),
    /// This status, these headers and this body.
    Status(u16, Vec<(&'static str, &'static str)>, &'static str),
    /// 200 with these bytes as audio (for `/audio/speech`).
    Audio(&'static [u8]),
    /// Never answers.
    Hang,
    /// 200 with a server-sent-events stream of chat-completion chunks, one
    /// per piece, then `[DONE]`.
    Stream(Vec<String>),
    /// Streams these pieces, then stalls with the connection open.
    StreamThenHang(Vec<String>),
    /// Streams these pieces with this pause before each, then `[DONE]`:
    /// slow enough for a browser to show (and speak) the first sentence
    /// before the rest is written.
    StreamSlowly(Vec<String>, std::time::Duration),
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub raw: String,
    pub body: Value,
    pub at: Instant,
}

#[derive(Clone, Default)]
struct Shared {
    script: Arc<Mutex<VecDeque<Step>>>,
    seen: Arc<Mutex<Vec<Recorded>>>,
    /// Woken on every request, for tests that wait for one to arrive.
    arrived: Arc<tokio::sync::Notify>,
}

pub struct FakeOpenAi {
    pub addr: SocketAddr,
    shared: Shared,
}

impl FakeOpenAi {
    pub async fn start(script: Vec<Step>) -> FakeOpenAi {
        let shared = Shared {
            script: Arc::new(Mutex::new(script.into())),
            ..Shared::default()
        };
        let app = Router::new()
            .route("/v1/chat/completions", post(complete))
            .route(
                "/openai/deployments/{deployment}/chat/completions",
                post(complete),
            )
            .route("/v1/audio/speech", post(complete))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Ends with the test's runtime.
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeOpenAi { addr, shared }
    }

    /// The OpenAI-compatible base URL, as `[llm] base_url` takes it.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Adds a step to the end of the script.
    pub fn push(&self, step: Step) {
        self.shared.script.lock().unwrap().push_back(step);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Returns once `n` requests have arrived.
    pub async fn arrived(&self, n: usize) {
        loop {
            let next = self.shared.arrived.notified();
            if self.shared.seen.lock().unwrap().len() >= n {
                return;
            }
            next.await;
        }
    }
}

async fn complete(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    raw: String,
) -> Response {
    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
    shared.seen.lock().unwrap().push(Recorded {
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        raw,
        body,
        at: Instant::now(),
    });
    let step = shared.script.lock().unwrap().pop_front();
    shared.arrived.notify_waiters();
    match step {
        Some(Step::Reply(content)) => axum::Json(completion(&content, "stop")).into_response(),
        Some(Step::ReplyFinishing(content, reason)) => {
            axum::Json(completion(&content, reason)).into_response()
        }
        Some(Step::Status(status, headers, body)) => {
            let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
            for (name, value) in headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
        Some(Step::Audio(bytes)) => ([("content-type", "audio/mpeg")], bytes).into_response(),
        Some(Step::Hang) => std::future::pending().await,
        Some(Step::Stream(pieces)) => sse(pieces, true, Duration::ZERO),
        Some(Step::StreamThenHang(pieces)) => sse(pieces, false, Duration::ZERO),
        Some(Step::StreamSlowly(pieces, pause)) => sse(pieces, true, pause),
        // Not retried by the client, so a test that under-scripts fails clearly.
        None => (StatusCode::BAD_REQUEST, "the test script ran out").into_response(),
    }
}

/// A streamed chat completion: each piece as a chunk, then (when `finish`)
/// a closing chunk and `[DONE]`; otherwise the stream stays open, silent.
fn sse(pieces: Vec<String>, finish: bool, pause: Duration) -> Response {
    let chunk = |delta: Value, finish_reason: Value| {
        let body = json!({
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": REPORTED_MODEL,
            "choices": [{ "index": 0, "delta": delta, "finish_reason": finish_reason }]
        });
        Ok::<_, std::convert::Infallible>(format!("data: {body}\n\n"))
    };
    let mut events = vec![chunk(
        json!({ "role": "assistant", "content": "" }),
        Value::Null,
    )];
    events.extend(
        pieces
            .into_iter()
            .map(|piece| chunk(json!({ "content": piece }), Value::Null)),
    );
    let head = futures_util::stream::iter(events).then(move |event| async move {
        tokio::time::sleep(pause).await;
        event
    });
    let body = if finish {
        // The usage chunk a client asks for with `stream_options`.
        let usage = json!({
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": REPORTED_MODEL,
            "choices": [],
            "usage": { "prompt_tokens": 210, "completion_tokens": 12, "total_tokens": 222 }
        });
        let tail = vec![
            chunk(json!({}), json!("stop")),
            Ok(format!("data: {usage}\n\n")),
            Ok("data: [DONE]\n\n".to_owned()),
        ];
        axum::body::Body::from_stream(head.chain(futures_util::stream::iter(tail)))
    } else {
        axum::body::Body::from_stream(head.chain(futures_util::stream::pending()))
    };
    ([("content-type", "text/event-stream")], body).into_response()
}

/// A chat-completions response body as OpenAI sends it.
pub fn completion(content: &str, finish_reason: &str) -> Value {
    json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": REPORTED_MODEL,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content, "refusal": null },
            "logprobs": null,
            "finish_reason": finish_reason
        }],
        "usage": { "prompt_tokens": 321, "completion_tokens": 54, "total_tokens": 375 }
    })
}

/// The model's JSON for `rubric`, in the schema's shape (dimensions keyed by
/// id): every dimension at `level`, quoting `quote`.
pub fn grade_json(rubric: &Rubric, level: u8, quote: &str, injection_suspected: bool) -> String {
    let dimensions: serde_json::Map<String, Value> = rubric
        .dimensions
        .iter()
        .map(|d| {
            let entry = json!({
                "evidence": [quote],
                "rationale": format!("The answer shows {}.", d.name),
                "level": level
            });
            (d.id.clone(), entry)
        })
        .collect();
    json!({
        "dimensions": dimensions,
        "injection_suspected": injection_suspected,
        "strengths": ["Clear ownership of the fix."],
        "improvements": ["Say what you would do differently."]
    })
    .to_string()
}
