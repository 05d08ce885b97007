//! `spawn_app()` and a small WebSocket candidate client.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mockloop::clock::Clock;
use mockloop::config::{Config, DatabaseUrl};
use mockloop::grading::Grader;
use mockloop::http::{AppState, load_catalog};
use mockloop::server::serve;
use mockloop::speech::Transcriber;
use mockloop::speech::turn::EndOfTurn;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// How long a test waits for any one server message before failing.
const RECV_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client waits for a score or the debrief: a hang detector, not
/// a speed target (grading several servers' answers on two cores at once).
const GRADING_WAIT: Duration = Duration::from_secs(60);

pub struct TestApp {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Set when the server stores in PostgreSQL rather than in `data_dir`.
    pub database_url: Option<String>,
    pub http: reqwest::Client,
    // Kept so the directory outlives every server started in it.
    _dir: Option<Arc<tempfile::TempDir>>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

/// A server with every default, over a temporary SQLite database.
pub async fn spawn_app() -> TestApp {
    TestApp::builder().spawn().await
}

/// Where a test server stores sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A fresh database on the test PostgreSQL server (`postgres.rs`).
    Postgres,
}

/// How a test server is made: `TestApp::builder()`, then what differs from
/// the defaults, then `spawn()`.
#[derive(Default)]
pub struct AppBuilder {
    config: Config,
    data_dir: Option<PathBuf>,
    backend: Option<Backend>,
    grader: Option<Arc<dyn Grader>>,
    speech: Option<Arc<dyn Transcriber>>,
    turn: Option<Arc<dyn EndOfTurn>>,
    clock: Clock,
}

impl AppBuilder {
    /// Sessions read their time from `clock` (a manual one moves a round
    /// to its end without waiting for it).
    pub fn clock(mut self, clock: Clock) -> AppBuilder {
        self.clock = clock;
        self
    }

    /// The server's configuration (its data directory is replaced).
    pub fn config(mut self, config: Config) -> AppBuilder {
        self.config = config;
        self
    }

    /// Over the data in `dir` (a restart keeps its sessions) instead of a
    /// temporary directory.
    pub fn in_dir(mut self, dir: &Path) -> AppBuilder {
        self.data_dir = Some(dir.to_owned());
        self
    }

    /// Storing in `backend`: a fresh PostgreSQL database, or SQLite.
    pub fn on(mut self, backend: Backend) -> AppBuilder {
        self.backend = Some(backend);
        self
    }

    /// Over the PostgreSQL database at `url` when given (a second node, or
    /// a restart); over SQLite otherwise.
    pub fn database_url(mut self, url: Option<&str>) -> AppBuilder {
        self.config.storage.database_url =
            url.map(|url| DatabaseUrl::new(url).expect("a postgres URL"));
        self
    }

    /// Answers scored by `grader` instead of the one the config asks for.
    pub fn grader(mut self, grader: Arc<dyn Grader>) -> AppBuilder {
        self.grader = Some(grader);
        self
    }

    /// Spoken answers, transcribed by `speech`.
    pub fn speech(mut self, speech: Arc<dyn Transcriber>) -> AppBuilder {
        self.speech = Some(speech);
        self
    }

    /// Spoken turns end as `turn` judges (else after the fixed hold).
    pub fn end_of_turn(mut self, turn: Arc<dyn EndOfTurn>) -> AppBuilder {
        self.turn = Some(turn);
        self
    }

    pub async fn spawn(mut self) -> TestApp {
        if self.backend == Some(Backend::Postgres) {
            let url = crate::postgres::fresh_database().await;
            self = self.database_url(Some(&url));
        }
        match self.data_dir.take() {
            Some(dir) => {
                start_server(
                    &dir,
                    self.config,
                    self.grader,
                    (self.speech, self.turn),
                    self.clock,
                )
                .await
            }
            None => {
                let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
                let mut app = start_server(
                    dir.path(),
                    self.config,
                    self.grader,
                    (self.speech, self.turn),
                    self.clock,
                )
                .await;
                app._dir = Some(dir);
                app
            }
        }
    }
}

/// A transcriber, which turns voice on, and an end-of-turn model for it.
type Voice = (Option<Arc<dyn Transcriber>>, Option<Arc<dyn EndOfTurn>>);

/// `grader` replaces the one `config` asks for; a transcriber turns voice
/// on, and an end-of-turn model ends its turns.
async fn start_server(
    data_dir: &Path,
    mut config: Config,
    grader: Option<Arc<dyn Grader>>,
    (speech, turn): Voice,
    clock: Clock,
) -> TestApp {
    config.storage.data_dir = data_dir.to_owned();
    let catalog = load_catalog(&config).expect("shipped content is valid");
    let database_url = config
        .storage
        .database_url
        .as_ref()
        .map(|url| url.expose().to_owned());
    let store = mockloop::store::open(&config.storage)
        .await
        .expect("open store");
    let grader = grader
        .unwrap_or_else(|| mockloop::grading::build(&config, None).expect("the grader builds"));
    let state = AppState::with_voice(config, catalog, store, grader, speech)
        .with_end_of_turn(turn)
        .with_clock(clock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel();
    let handle = tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        data_dir: data_dir.to_owned(),
        database_url,
        http: reqwest::Client::new(),
        _dir: None,
        shutdown: Some(tx),
        handle: Some(handle),
    }
}

impl TestApp {
    pub fn builder() -> AppBuilder {
        AppBuilder::default()
    }

    /// A client of a server running elsewhere (a child process): it creates
    /// sessions and connects candidates; [`TestApp::stop`] does not apply.
    pub fn at(addr: SocketAddr, data_dir: &Path) -> TestApp {
        TestApp {
            addr,
            data_dir: data_dir.to_owned(),
            database_url: None,
            http: reqwest::Client::new(),
            _dir: None,
            shutdown: None,
            handle: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Graceful shutdown, as on SIGTERM; returns once the server has exited.
    pub async fn stop(mut self) -> Option<Arc<tempfile::TempDir>> {
        let _ = self.shutdown.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(15), self.handle.take().unwrap())
            .await
            .expect("server stops within its bound")
            .unwrap()
            .unwrap();
        self._dir.take()
    }

    pub async fn create_session(&self, loop_id: &str) -> (String, String) {
        let response = self
            .http
            .post(self.url("/api/sessions"))
            .json(&json!({ "loop_id": loop_id }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        (
            body["session_id"].as_str().unwrap().to_owned(),
            body["token"].as_str().unwrap().to_owned(),
        )
    }

    /// Creates the session `body` asks `POST /api/sessions` for, connects,
    /// and sends the opening resume.
    pub async fn start_with(&self, body: Value) -> Candidate {
        let response = self
            .http
            .post(self.url("/api/sessions"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{body}");
        let created: Value = response.json().await.unwrap();
        let mut candidate = self
            .connect(
                created["session_id"].as_str().unwrap(),
                created["token"].as_str().unwrap(),
            )
            .await;
        candidate.resume().await;
        candidate
    }

    /// Creates a session of `loop_id`, connects, and sends the opening resume:
    /// the start of most tests.
    pub async fn start(&self, loop_id: &str) -> (String, String, Candidate) {
        let (id, token) = self.create_session(loop_id).await;
        let mut candidate = self.connect(&id, &token).await;
        candidate.resume().await;
        (id, token, candidate)
    }

    /// The interview socket's URL for session `id`.
    pub fn ws_url(&self, id: &str, token: &str) -> String {
        format!("ws://{}/api/sessions/{id}/ws?token={token}", self.addr)
    }

    pub async fn connect(&self, id: &str, token: &str) -> Candidate {
        let (ws, _) = connect_async(self.ws_url(id, token))
            .await
            .expect("websocket connects");
        let mut candidate = Candidate {
            ws,
            last_seq: 0,
            prompts: Vec::new(),
            answers: Vec::new(),
            welcome: Value::Null,
        };
        let welcome = candidate.recv().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        candidate.welcome = welcome;
        candidate
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    /// A session export (`report.md`, `transcript.md`, ...) as text.
    pub async fn export_text(&self, id: &str, token: &str, file: &str) -> String {
        self.get(&format!("/api/sessions/{id}/{file}?token={token}"))
            .await
            .text()
            .await
            .unwrap()
    }

    /// A session's JSON export (`report.json`, `transcript.json`).
    pub async fn export_json(&self, id: &str, token: &str, file: &str) -> Value {
        serde_json::from_str(&self.export_text(id, token, file).await).unwrap()
    }

    /// The answer entries of a session's `transcript.json`.
    pub async fn transcript_answers(&self, id: &str, token: &str) -> Vec<Value> {
        let transcript = self.export_json(id, token, "transcript.json").await;
        transcript["entries"]
            .as_array()
            .expect("the transcript's entries")
            .iter()
            .filter(|e| e["kind"] == "answer")
            .cloned()
            .collect()
    }
}

/// A test candidate: remembers the last sequence number and every prompt and answer.
pub struct Candidate {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub last_seq: u64,
    /// (seq, prompt message) for every prompt received.
    pub prompts: Vec<(u64, Value)>,
    pub answers: Vec<String>,
    /// The `welcome` this socket opened with.
    pub welcome: Value,
}

impl Candidate {
    pub async fn send(&mut self, msg: Value) {
        self.ws
            .send(Message::Text(msg.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send binary");
    }

    pub async fn send_raw(&mut self, frame: &str) {
        self.ws
            .send(Message::Text(frame.to_owned().into()))
            .await
            .expect("send");
    }

    /// The next JSON message; records seq and prompts.
    pub async fn recv(&mut self) -> Value {
        self.recv_within(RECV_TIMEOUT).await
    }

    /// As [`Candidate::recv`], waiting up to `timeout` (speech recognition
    /// shares two cores with every other test, so it gets longer).
    pub async fn recv_within(&mut self, timeout: Duration) -> Value {
        loop {
            let frame = tokio::time::timeout(timeout, self.ws.next())
                .await
                .expect("a server message within the timeout")
                .expect("the socket is open")
                .expect("a valid frame");
            let Message::Text(text) = frame else { continue };
            let msg: Value = serde_json::from_str(text.as_str()).expect("server sends JSON");
            if let Some(seq) = msg["seq"].as_u64()
                && msg["type"] != "welcome"
            {
                assert!(
                    seq > self.last_seq,
                    "seq went from {} to {seq}: {msg}",
                    self.last_seq
                );
                self.last_seq = seq;
                if msg["type"] == "prompt" {
                    self.prompts.push((seq, msg.clone()));
                }
            }
            return msg;
        }
    }

    /// Reads until a message of type `kind`, returning it.
    pub async fn recv_until(&mut self, kind: &str) -> Value {
        loop {
            let msg = self.recv().await;
            assert_ne!(
                msg["type"], "error",
                "unexpected error while waiting for {kind}: {msg}"
            );
            if msg["type"] == kind {
                return msg;
            }
        }
    }

    pub async fn resume(&mut self) {
        let last_seq = self.last_seq;
        self.send(json!({ "type": "resume", "last_seq": last_seq }))
            .await;
    }

    pub async fn answer(&mut self, text: &str) -> Value {
        self.answers.push(text.to_owned());
        self.send(json!({ "type": "answer", "text": text })).await;
        self.recv_until("ack").await
    }

    /// Answers every prompt with a solid answer for its round until the debrief.
    pub async fn answer_until_debrief(&mut self) -> Value {
        loop {
            // Once the interview has ended, the next message waits on
            // grading, which shares two cores with every other test.
            let msg = self.recv_within(GRADING_WAIT).await;
            match msg["type"].as_str().unwrap() {
                "prompt" => {
                    let text = answer_for(
                        msg["round"]["kind"].as_str().unwrap(),
                        msg["kind"].as_str().unwrap(),
                    );
                    self.answer(text).await;
                }
                "debrief" => return msg,
                "error" => panic!("unexpected error: {msg}"),
                _ => {}
            }
        }
    }
}

/// Answers a well-prepared candidate might give, by round kind.
pub fn answer_for(kind: &str, prompt_kind: &str) -> &'static str {
    if prompt_kind == "follow_up" {
        return "Good question. I would handle the empty input and very large inputs as edge cases, and I would \
                test it by walking through a small example by hand. The trade-off is memory versus latency, and \
                I measured it: p99 latency went from 120 ms down to 40 ms, a 66 percent improvement.";
    }
    match kind {
        "values" => {
            "In my last role our checkout service kept timing out during a launch, and I owned the fix. \
             My task was to restore reliability before the holiday peak. I decided to add a circuit breaker \
             and I wrote the load tests myself, then I led the rollout with the on-call team. As a result, \
             errors fell by 80 percent and checkout latency went from 900 ms to 200 ms for our customers. \
             In hindsight I learned to involve support earlier, and next time I would share the plan sooner."
        }
        "design" | "ml-design" => {
            "First I would clarify the requirements: the functional requirements, and non-functional ones like \
             availability, latency and scale. Let me estimate: about 10 million users and 1,000 requests per second \
             at peak. The components are an API gateway, a stateless service, a cache and a database; the data \
             model is a table keyed by user id with an index on time. The trade-off is consistency versus \
             availability: I would choose eventual consistency for reads. For failure modes, if the cache goes \
             down we fall back to the database with a circuit breaker and retries with backoff. For security I \
             would use OAuth and encrypt data at rest; for observability, metrics, logs, traces and an SLO with \
             an error budget. For fairness I would monitor model metrics per group and watch for drift."
        }
        _ => {
            "Let me clarify the constraints first: can I assume the input fits in memory, and what about empty \
             input? A brute force approach compares every pair, which is O(n squared). To optimise, I would use a \
             hash map to get O(n) time and O(n) space. I'm thinking aloud here: the invariant is that the map \
             holds every value seen so far, so the result is correct. Edge cases are an empty array, duplicates \
             and negative numbers. Let me walk through an example: for 2, 7, 11 with target 9, we find 7 at step \
             two. I would test it with unit tests for each edge case."
        }
    }
}

/// Opens a WebSocket that the server must refuse before the upgrade; returns
/// its HTTP answer.
pub async fn refused_upgrade(
    request: impl tokio_tungstenite::tungstenite::client::IntoClientRequest + Unpin,
) -> tokio_tungstenite::tungstenite::handshake::client::Response {
    match connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.map(|_| None),
        Err(error) => panic!("expected an HTTP refusal: {error}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

/// The `mockloop` binary built for these tests.
pub fn mockloop() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_mockloop"))
}

/// Runs a command that must fail; returns its stderr.
pub fn fails(command: &mut std::process::Command) -> String {
    let out = command.output().expect("the command starts");
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command that must succeed; on failure the assertion shows its stderr.
pub fn succeed(command: &mut std::process::Command) -> std::process::Output {
    let out = command.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
