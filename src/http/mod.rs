//! The HTTP edge: REST for loops and sessions, the WebSocket upgrade, the
//! browser app. Everything from outside is parsed into typed values here.

mod assets;
mod edge;
mod error;
pub mod observe;
pub mod operator;
pub mod sessions;
mod speech;

use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use axum::Json;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Serialize;
use tokio::sync::Semaphore;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::content::{Catalog, ContentSource, RoundKind};
use crate::grading::Grader;
use crate::metrics::Rejection;
use crate::rate::KeyedLimiter;
use crate::speech::Transcriber;
use crate::speech::analytics::AnalyticsConfig;
use crate::speech::tts::RemoteSpeaker;
use crate::speech::utterance::UtteranceConfig;
use crate::store::{SqliteStore, Store};
use crate::ws::protocol::MessageLimits;
use crate::ws::{Hub, SocketLimits, SocketSlot, VoiceSetup, VoiceTuning, run_connection};

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
    /// `Some` when `[tts] backend = "remote"`: prompts are spoken by the server.
    speaker: Option<Arc<RemoteSpeaker>>,
}

impl AppState {
    /// Opens the store, loads the content and starts the session hub;
    /// `speech` (the shared recogniser) turns on spoken answers.
    pub async fn open(
        config: Config,
        speech: Option<Arc<dyn Transcriber>>,
    ) -> anyhow::Result<AppState> {
        let catalog = load_catalog(&config)?;
        let store = SqliteStore::open_in(&config.storage.data_dir)
            .await
            .with_context(|| {
                format!(
                    "opening the database in {}",
                    config.storage.data_dir.display()
                )
            })?;
        let grader = crate::grading::build(&config, None)?;
        Ok(AppState::with_voice(
            config,
            catalog,
            Arc::new(store),
            grader,
            speech,
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
        let idle = Duration::from_secs(config.sessions.idle_unload_seconds);
        let voice = transcriber.map(|transcriber| VoiceSetup {
            transcriber,
            tuning: VoiceTuning {
                utterance: UtteranceConfig::new(&config.voice, &config.limits),
                max_frame_bytes: config.limits.max_audio_frame_bytes,
                max_session_audio_seconds: config.limits.max_session_audio_seconds,
                analytics: AnalyticsConfig::default(),
            },
        });
        let speaker = speech::speaker(&config);
        AppState {
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            hub: Hub::new(
                Arc::clone(&store),
                grader,
                idle,
                voice,
                speaker.is_some(),
                Arc::new(crate::sandbox::Sandbox::new(config.sandbox.clone())),
            ),
            speaker,
            store,
            create_limiter: Arc::new(KeyedLimiter::per_minute(
                config.server.session_creates_per_minute,
            )),
            sockets: Arc::new(Semaphore::new(config.server.max_connections)),
            config: Arc::new(config),
        }
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

/// The configured content directory, else the content built into the binary.
pub fn load_catalog(config: &Config) -> anyhow::Result<Catalog> {
    let source = match &config.content.dir {
        Some(dir) => ContentSource::from_dir(dir).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => ContentSource::embedded(),
    };
    Catalog::build(&source).map_err(|e| anyhow::anyhow!("the content has errors:\n{e}"))
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/loops", get(loops))
        .route("/api/sessions", post(sessions::create))
        .route("/api/sessions/{id}", delete(sessions::delete))
        .route("/api/sessions/{id}/ws", get(websocket))
        .route("/api/sessions/{id}/{file}", get(sessions::export))
        .route("/api/sessions/{id}/speech/{seq}", get(speech::prompt_audio))
        .route("/api/operator/sessions", get(operator::sessions))
        .route("/api/operator/sessions/{id}", delete(operator::delete))
        .route("/api/operator/content", get(operator::content))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(observe::readyz))
        .route("/metrics", get(observe::metrics))
        .fallback(assets::serve_asset)
        // The span names the path only: the query string can carry a
        // session token, which must not reach the logs.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            tracing::debug_span!("request", method = %request.method(), path = request.uri().path())
        }))
        .with_state(state)
}

#[derive(Serialize)]
struct LoopSummary {
    id: String,
    title: String,
    company: String,
    role: String,
    level: String,
    description: String,
    rounds: Vec<RoundSummary>,
}

#[derive(Serialize)]
struct RoundSummary {
    index: usize,
    kind: RoundKind,
    title: String,
    minutes: u32,
    questions: u32,
}

async fn loops(State(state): State<AppState>) -> Json<Vec<LoopSummary>> {
    let catalog = state.catalog();
    Json(
        catalog
            .loops()
            .iter()
            .map(|l| LoopSummary {
                id: l.id.clone(),
                title: l.title.clone(),
                company: l.company.clone(),
                role: l.role.clone(),
                level: l.level.clone(),
                description: l.description.clone(),
                rounds: l
                    .rounds
                    .iter()
                    .enumerate()
                    .map(|(index, r)| RoundSummary {
                        index,
                        kind: r.kind,
                        title: r.title.clone(),
                        minutes: r.minutes,
                        questions: r.questions,
                    })
                    .collect(),
            })
            .collect(),
    )
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
            max_frame_bytes: config.max_text_frame_bytes,
            max_answer_chars: config.max_answer_chars,
        },
        audio_frames_per_second: config.max_audio_frames_per_second,
        idle_timeout: Duration::from_secs(config.idle_timeout_seconds),
        write_timeout: Duration::from_secs(config.write_timeout_seconds),
    };
    // The largest message either kind of frame may be.
    let max_message = config
        .max_text_frame_bytes
        .max(config.max_audio_frame_bytes);
    let slot = SocketSlot::new(permit, Arc::clone(state.hub.metrics()));
    let hub = state.hub.clone();
    Ok(upgrade
        // Explicit bounds instead of tungstenite's 64 MiB messages and 128 KiB
        // buffers: a larger frame is refused by the WebSocket layer itself
        // (close 1009), and an idle socket holds two small buffers.
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .read_buffer_size(config.ws_buffer_bytes)
        .write_buffer_size(config.ws_buffer_bytes)
        // Frames queued beyond the write buffer before writes fail: a little
        // over one message, so a stalled client cannot grow it further.
        .max_write_buffer_size(max_message + config.ws_buffer_bytes)
        .on_upgrade(move |socket| {
            let tracked = hub.clone();
            tracked.track(run_connection(socket, hub, id, limits, slot))
        })
        .into_response())
}
