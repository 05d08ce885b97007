//! The HTTP edge: REST for loops and sessions, the WebSocket upgrade, the
//! browser app. Everything from outside is parsed into typed values here.

mod assets;
mod error;
pub mod sessions;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use axum::Json;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Serialize;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::content::{Catalog, ContentSource, RoundKind};
use crate::grading::Grader;
use crate::speech::Transcriber;
use crate::speech::analytics::AnalyticsConfig;
use crate::speech::utterance::UtteranceConfig;
use crate::store::{SqliteStore, Store};
use crate::ws::protocol::MessageLimits;
use crate::ws::{Hub, VoiceSetup, VoiceTuning, run_connection};

pub use error::AppError;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Replaced whole on reload; sessions keep the plan they started with.
    catalog: Arc<RwLock<Arc<Catalog>>>,
    pub store: Arc<dyn Store>,
    pub hub: Hub,
    pub config: Arc<Config>,
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
        AppState {
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            hub: Hub::new(Arc::clone(&store), grader, idle, voice),
            store,
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
        .route("/healthz", get(|| async { "ok" }))
        .fallback(assets::serve_asset)
        .layer(TraceLayer::new_for_http())
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
    // The token is checked before the upgrade: a wrong one gets a plain 401.
    sessions::authorize(&state, &id, sessions::presented_token(&query, &headers)).await?;
    if state.hub.is_shutting_down() {
        return Err(AppError::Unavailable);
    }
    let limits = MessageLimits {
        max_frame_bytes: state.config.limits.max_text_frame_bytes,
        max_answer_chars: state.config.limits.max_answer_chars,
    };
    let hub = state.hub.clone();
    Ok(upgrade
        // Explicit bounds instead of the 64 MiB defaults: a frame larger than
        // the text limit is refused by the WebSocket layer itself.
        .max_message_size(limits.max_frame_bytes)
        .max_frame_size(limits.max_frame_bytes)
        .on_upgrade(move |socket| run_connection(socket, hub, id, limits))
        .into_response())
}
