//! The HTTP edge: REST for loops and sessions, the WebSocket upgrade, the
//! browser app. Everything from outside is parsed into typed values here.

mod assets;
mod catalog;
pub mod edge;
mod error;
pub mod headers;
pub mod observe;
pub mod operator;
pub mod operator_content;
pub mod operator_grading;
mod pages;
mod profiles;
mod session_request;
pub mod sessions;
mod speech;

use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use tokio::sync::Semaphore;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::config::Config;
use crate::content::{Catalog, ContentSource, edit};
use crate::grading::Grader;
use crate::metrics::Rejection;
use crate::rate::KeyedLimiter;
use crate::speech::Transcriber;
use crate::speech::analytics::AnalyticsConfig;
use crate::speech::tts::RemoteSpeaker;
use crate::speech::turn::EndOfTurn;
use crate::speech::utterance::UtteranceConfig;
use crate::store::Store;
use crate::ws::protocol::MessageLimits;
use crate::ws::{Hub, SocketLimits, SocketSlot, VoiceSetup, VoiceTuning, run_connection};

/// The largest message the server writes to a socket, with room to spare:
/// the debrief of an eight-round loop is about 72 KB.
const MAX_SERVER_MESSAGE_BYTES: usize = 1024 * 1024;

pub use error::AppError;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Replaced whole on reload; sessions keep the plan they started with.
    catalog: Arc<RwLock<Arc<Catalog>>>,
    pub store: Arc<dyn Store>,
    pub hub: Hub,
    pub config: Arc<Config>,
    /// Session creations per client address.
    create_limiter: Arc<KeyedLimiter<IpAddr>>,
    /// One permit per open WebSocket, `[server] max_connections` in all.
    sockets: Arc<Semaphore>,
    /// The operator's tries grading at once (see `operator_grading`).
    tries: Arc<Semaphore>,
    /// `Some` when `[tts] backend = "remote"`: prompts are spoken by the server.
    speaker: Option<Arc<RemoteSpeaker>>,
    /// Where the content lives and the lock the operator's saves take.
    pub content: Arc<operator_content::LiveContent>,
    /// Session time: the system's clock, or a test's.
    pub clock: Clock,
}

impl AppState {
    /// Opens the store, loads the content and starts the session hub;
    /// `speech` (the shared recogniser) turns on spoken answers.
    pub async fn open(
        mut config: Config,
        speech: Option<Arc<dyn Transcriber>>,
    ) -> anyhow::Result<AppState> {
        // The LLM grader reads its templates from the same content the
        // catalog is built from, including a copy the console saved.
        config.content.dir =
            edit::effective_dir(config.content.dir.as_deref(), &config.storage.data_dir);
        let catalog = load_catalog(&config)?;
        let store = crate::store::open(&config.storage).await.with_context(|| {
            format!(
                "opening the database {}",
                crate::store::describe(&config.storage)
            )
        })?;
        let grader = crate::grading::build(&config, None)?;
        let questions = crate::content::RoundKind::ALL
            .iter()
            .flat_map(|&kind| catalog.questions(kind).iter().cloned())
            .collect();
        // Runs in the background; answers that come first embed on demand.
        drop(grader.prepare(questions));
        // Like the grader's, a broken interviewer template stops start-up.
        let interviewer = crate::interviewer::build(&config)?;
        Ok(AppState::assemble(
            config,
            catalog,
            store,
            grader,
            speech,
            interviewer,
        ))
    }

    /// A text-only server.
    pub fn new(
        config: Config,
        catalog: Catalog,
        store: Arc<dyn Store>,
        grader: Arc<dyn Grader>,
    ) -> AppState {
        AppState::with_voice(config, catalog, store, grader, None)
    }

    /// A server that also takes spoken answers when `transcriber` is given.
    pub fn with_voice(
        config: Config,
        catalog: Catalog,
        store: Arc<dyn Store>,
        grader: Arc<dyn Grader>,
        transcriber: Option<Arc<dyn Transcriber>>,
    ) -> AppState {
        // Config was checked at load; what can still fail here is a broken
        // template in a content directory, and then the scripted
        // interviewer asks (the interview works, the log says why).
        let interviewer = crate::interviewer::build(&config).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the LLM interviewer is off");
            None
        });
        AppState::assemble(config, catalog, store, grader, transcriber, interviewer)
    }

    fn assemble(
        config: Config,
        catalog: Catalog,
        store: Arc<dyn Store>,
        grader: Arc<dyn Grader>,
        transcriber: Option<Arc<dyn Transcriber>>,
        interviewer: Option<Arc<crate::interviewer::Interviewer>>,
    ) -> AppState {
        let idle = Duration::from_secs(config.sessions.idle_unload_seconds);
        // The end-of-turn model, if any, comes in by `with_end_of_turn`.
        let voice = transcriber.map(|transcriber| VoiceSetup {
            transcriber,
            turn: None,
            tuning: VoiceTuning {
                utterance: UtteranceConfig::new(&config.voice, &config.limits),
                max_frame_bytes: config.limits.max_audio_frame_bytes.get(),
                max_session_audio_seconds: config.limits.max_session_audio_seconds.get(),
                analytics: AnalyticsConfig::default(),
                min_assess_confidence: config.voice.min_assess_confidence.get(),
                turn_threshold: config.voice.turn_threshold.get(),
            },
        });
        let speaker = speech::speaker(&config);
        let data_dir = config.storage.data_dir.clone();
        let content_dir = edit::effective_dir(config.content.dir.as_deref(), &data_dir);
        AppState {
            content: Arc::new(operator_content::LiveContent::new(content_dir, data_dir)),
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            hub: Hub::new(Arc::clone(&store), grader, idle, voice, speaker.is_some())
                .with_reading_wait(config.grader.reading_wait())
                .with_interviewer(interviewer)
                .with_sandbox(Arc::new(crate::sandbox::Sandbox::new(
                    config.sandbox.clone(),
                ))),
            speaker,
            store,
            create_limiter: Arc::new(KeyedLimiter::per_minute(
                config.server.session_creates_per_minute.get(),
            )),
            sockets: Arc::new(Semaphore::new(config.server.max_connections.get())),
            tries: Arc::new(Semaphore::new(operator_grading::TRIES_AT_ONCE)),
            config: Arc::new(config),
            clock: Clock::System,
        }
    }

    /// Spoken answers' turns end as `turn` judges (see `speech::turn`);
    /// `None` keeps the fixed silence hold. Called while building the
    /// server, before any session runs.
    pub fn with_end_of_turn(mut self, turn: Option<Arc<dyn EndOfTurn>>) -> AppState {
        self.hub = self.hub.with_end_of_turn(turn, &self.config.voice);
        self
    }

    /// Sessions created and driven by this server read their time from
    /// `clock` (a test's manual clock moves a round to its end).
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.hub = self.hub.with_clock(clock.clone());
        self.clock = clock;
        self
    }

    /// Swaps in a rebuilt catalog for sessions created from now on;
    /// returns the hash of the one it replaced.
    pub fn replace_catalog(&self, catalog: Catalog) -> String {
        let mut slot = self
            .catalog
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::replace(&mut *slot, Arc::new(catalog))
            .hash()
            .to_owned()
    }

    /// Deletes the profiles not used for `[profiles] unused_days`, with
    /// their documents and links; how many.
    pub async fn forget_unused_profiles(&self) -> Result<u64, crate::store::StoreError> {
        let days = self.config.profiles.unused_days.get() as i64;
        let cutoff = self.clock.now_ms() - days * 24 * 60 * 60 * 1000;
        self.store.delete_profiles_unused_since(cutoff).await
    }

    /// Takes one of the client's new-session permits (a profile counts as
    /// one too), or says when to try again.
    pub fn take_create_permit(&self, peer: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(peer) = peer
            && let Err(wait) = self.create_limiter.take(&peer, std::time::Instant::now())
        {
            self.hub.metrics().reject(Rejection::RateLimited);
            return Err(AppError::RateLimited(
                wait.as_secs_f64().ceil().max(1.0) as u64
            ));
        }
        Ok(())
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(
            &self
                .catalog
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

/// The configured content directory, else the copy the operator console
/// saved in the data directory, else the content built into the binary.
pub fn load_catalog(config: &Config) -> anyhow::Result<Catalog> {
    let dir = edit::effective_dir(config.content.dir.as_deref(), &config.storage.data_dir);
    let source = match &dir {
        Some(dir) => ContentSource::from_dir(dir).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => ContentSource::embedded(),
    };
    Catalog::build(&source).map_err(|e| anyhow::anyhow!("the content has errors:\n{e}"))
}

/// The routes, with the browser policy headers on every response.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/api/loops", get(catalog::loops))
        .route("/api/topics", get(catalog::topics))
        .route("/api/sessions", post(sessions::create))
        .route(
            "/api/sessions/{id}",
            get(sessions::exists).delete(sessions::delete),
        )
        .route("/api/sessions/{id}/ws", get(websocket))
        .route("/api/sessions/{id}/{file}", get(sessions::export))
        .route("/api/sessions/{id}/speech/{seq}", get(speech::prompt_audio))
        .merge(profile_routes(state.config.profiles.max_upload_bytes.get()))
        .route("/api/operator/sessions", get(operator::sessions))
        .route("/api/operator/sessions/{id}", delete(operator::delete))
        .route("/api/operator/content", get(operator::content))
        .merge(operator_console())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(observe::readyz))
        .route("/metrics", get(observe::metrics))
        .fallback(assets::serve_asset);
    headers::with_browser_policy(routes)
        // The span names the path only: the query string can carry a
        // session token, which must not reach the logs.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            tracing::debug_span!("request", method = %request.method(), path = request.uri().path())
        }))
        .with_state(state)
}

/// Profiles (docs/profiles.md); a document upload may be as large as the
/// operator allows.
fn profile_routes(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/api/profiles", post(profiles::create))
        .route(
            "/api/profiles/{id}",
            get(profiles::read).delete(profiles::delete),
        )
        .route("/api/profiles/{id}/resume", put(profiles::put_resume))
        .route("/api/profiles/{id}/job", put(profiles::put_job))
        .route("/api/profiles/{id}/fit", get(profiles::fit))
        .route("/api/profiles/{id}/plan", get(profiles::plan))
        .layer(axum::extract::DefaultBodyLimit::max(max_upload))
}

/// The operator console's edit, try and regrade routes. Bodies are one
/// content file (the largest shipped one is about 30 KiB) or a pasted
/// answer, so 512 KiB is ample and keeps a stray upload from being buffered.
fn operator_console() -> Router<AppState> {
    const MAX_BODY: usize = 512 * 1024;
    Router::new()
        .route("/api/operator/content/files", get(operator_content::files))
        .route(
            "/api/operator/content/file/{*path}",
            get(operator_content::read).put(operator_content::save),
        )
        .route(
            "/api/operator/content/check",
            post(operator_content::check_edit),
        )
        .route("/api/operator/try", post(operator_grading::try_rubric))
        .route("/api/operator/regrade", post(operator_grading::regrade))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

async fn websocket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<sessions::TokenQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    // A page from another site must not drive a candidate's session with
    // the candidate's own browser; checked before anything else.
    if !edge::origin_allowed(&state.config.server.allowed_origins, &headers) {
        state.hub.metrics().reject(Rejection::Origin);
        return Err(AppError::Forbidden {
            code: "origin_not_allowed",
            message: "this page's origin may not open interview sockets".into(),
        });
    }
    // The token is checked before the upgrade: a wrong one gets a plain 401.
    sessions::authorize(&state, &id, sessions::presented_token(&query, &headers)).await?;
    if state.hub.is_shutting_down() {
        return Err(AppError::Unavailable);
    }
    let Ok(permit) = Arc::clone(&state.sockets).try_acquire_owned() else {
        state.hub.metrics().reject(Rejection::TooManyConnections);
        return Err(AppError::TooManyConnections);
    };
    let config = &state.config.limits;
    let limits = SocketLimits {
        messages: MessageLimits {
            max_frame_bytes: config.max_text_frame_bytes.get(),
            max_answer_chars: config.max_answer_chars.get(),
        },
        audio_frames_per_second: config.max_audio_frames_per_second.get(),
        idle_timeout: Duration::from_secs(config.idle_timeout_seconds.get()),
        write_timeout: Duration::from_secs(config.write_timeout_seconds.get()),
    };
    // The largest message either kind of frame may be.
    let max_message = config
        .max_text_frame_bytes
        .get()
        .max(config.max_audio_frame_bytes.get());
    let slot = SocketSlot::new(permit, Arc::clone(state.hub.metrics()));
    let hub = state.hub.clone();
    Ok(upgrade
        // Explicit bounds instead of tungstenite's 64 MiB messages and 128 KiB
        // buffers: a larger frame is refused by the WebSocket layer itself
        // (close 1009), and an idle socket holds two small buffers.
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .read_buffer_size(config.ws_buffer_bytes.get())
        .write_buffer_size(config.ws_buffer_bytes.get())
        // Frames queued beyond the write buffer before writes fail: a little
        // over the largest message the server sends, so a stalled client
        // cannot grow it further. Not the client's limit: a debrief of a long
        // loop is larger than any frame a client may send.
        .max_write_buffer_size(MAX_SERVER_MESSAGE_BYTES + config.ws_buffer_bytes.get())
        .on_upgrade(move |socket| {
            let tracked = hub.clone();
            tracked.track(run_connection(socket, hub, id, limits, slot))
        })
        .into_response())
}
