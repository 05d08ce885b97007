//! REST for profiles (docs/profiles.md): create one, give it a résumé and a
//! posting, read its fit map and prep plan, delete it. Documents are parsed
//! into text here, at the edge; a refused one stores nothing.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::edge::{PeerAddr, constant_time_eq};
use super::error::AppError;
use super::sessions::{TokenQuery, hash_token, presented_token, random_hex};
use crate::embed::Embedder;
use crate::engine::Session;
use crate::profiles::documents::{DocumentError, MediaType, extract};
use crate::profiles::fit::{FitMap, Reading, fit_map};
use crate::profiles::prep::{self, Debriefed, PrepPlan};
use crate::report::Report;
use crate::store::{DocumentKind, DocumentRow, ProfileRow};

/// Whether a profile's texts are sent to the configured LLM: not by this
/// version, whose matching is all offline (the page tells the candidate
/// from this field, so it must change with the code that sends them).
const SENT_TO_LLM: bool = false;

#[derive(Serialize)]
pub struct Created {
    profile_id: String,
    token: String,
}

/// `POST /api/profiles`: counted against the same per-address limit as
/// new sessions.
pub async fn create(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
) -> Result<(StatusCode, Json<Created>), AppError> {
    state.take_create_permit(peer)?;
    let profile_id = uuid::Uuid::new_v4().simple().to_string();
    let token = random_hex(32);
    let now = state.clock.now_ms();
    state
        .store
        .create_profile(&ProfileRow {
            id: profile_id.clone(),
            token_hash: hash_token(&token),
            created_at: now,
            used_at: now,
        })
        .await?;
    tracing::info!(profile_id, "profile created");
    Ok((StatusCode::CREATED, Json(Created { profile_id, token })))
}

/// Checks the profile's token (an unknown profile and a wrong token look
/// the same) and marks the profile used.
pub async fn authorize(
    state: &AppState,
    id: &str,
    token: Option<&str>,
) -> Result<ProfileRow, AppError> {
    let token = token.ok_or(AppError::ProfileUnauthorized)?;
    let row = state.store.profile(id).await?;
    let stored = row.as_ref().map_or("", |r| r.token_hash.as_str());
    let matches = constant_time_eq(hash_token(token).as_bytes(), stored.as_bytes());
    let now = state.clock.now_ms();
    let lives_ms = state.config.profiles.unused_days.get() as i64 * 24 * 60 * 60 * 1000;
    match row {
        // Past its days a profile is gone, whether or not the hourly sweep
        // has reached it yet.
        Some(row) if matches && now - row.used_at > lives_ms => {
            state.store.delete_profile(id).await?;
            Err(AppError::ProfileUnauthorized)
        }
        Some(row) if matches => {
            state.store.touch_profile(id, now).await?;
            Ok(row)
        }
        _ => Err(AppError::ProfileUnauthorized),
    }
}

async fn authorized(
    state: &AppState,
    id: &str,
    query: &TokenQuery,
    headers: &HeaderMap,
) -> Result<ProfileRow, AppError> {
    authorize(state, id, presented_token(query, headers).as_deref()).await
}

#[derive(Serialize)]
pub struct DocumentSummary {
    media_type: String,
    chars: usize,
    lines: usize,
    updated_at: i64,
}

impl DocumentSummary {
    fn of(document: &DocumentRow) -> DocumentSummary {
        DocumentSummary {
            media_type: document.media_type.clone(),
            chars: document.text.chars().count(),
            lines: document
                .text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count(),
            updated_at: document.updated_at,
        }
    }
}

/// `GET /api/profiles/{id}`: what the profile holds, never the text itself
/// (the page that pasted it has it; another device only needs to know).
pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, AppError> {
    let row = authorized(&state, &id, &query, &headers).await?;
    let documents = state.store.documents(&id).await?;
    let summary = |kind| {
        documents
            .iter()
            .find(|d| d.kind == kind)
            .map(DocumentSummary::of)
    };
    let sessions = state.store.profile_sessions(&id).await?.len();
    Ok(Json(serde_json::json!({
        "profile_id": row.id,
        "created_at": row.created_at,
        "used_at": state.clock.now_ms(),
        "resume": summary(DocumentKind::Resume),
        "job": summary(DocumentKind::Job),
        "sessions": sessions,
        "unused_days": state.config.profiles.unused_days.get(),
        "llm": SENT_TO_LLM,
    })))
}

/// `PUT /api/profiles/{id}/resume`.
pub async fn put_resume(
    state: State<AppState>,
    id: Path<String>,
    query: Query<TokenQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DocumentSummary>, AppError> {
    put_document(state, id, query, headers, body, DocumentKind::Resume).await
}

/// `PUT /api/profiles/{id}/job`: the posting's text.
pub async fn put_job(
    state: State<AppState>,
    id: Path<String>,
    query: Query<TokenQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DocumentSummary>, AppError> {
    put_document(state, id, query, headers, body, DocumentKind::Job).await
}

async fn put_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    kind: DocumentKind,
) -> Result<Json<DocumentSummary>, AppError> {
    authorized(&state, &id, &query, &headers).await?;
    let limit = state.config.profiles.max_upload_bytes.get();
    let body = body.map_err(|_| {
        AppError::TooLarge(format!(
            "the file is over the {} KiB limit; paste the text instead",
            limit / 1024
        ))
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let refused = |e: DocumentError| AppError::bad_request(e.code(), e.to_string());
    let media = MediaType::from_content_type(content_type).map_err(refused)?;
    if kind == DocumentKind::Job && media != MediaType::Text {
        return Err(AppError::bad_request(
            "unsupported_type",
            "send the job posting as text/plain",
        ));
    }
    let max_chars = state.config.profiles.max_document_chars.get();
    // Parsing a PDF or a DOCX is CPU work: off the async workers.
    let text = tokio::task::spawn_blocking(move || extract(media, &body, max_chars))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(refused)?;
    let document = DocumentRow {
        kind,
        media_type: media_name(media).to_owned(),
        text,
        updated_at: state.clock.now_ms(),
    };
    state.store.put_document(&id, &document).await?;
    tracing::info!(
        profile_id = id,
        kind = kind.as_str(),
        "profile document stored"
    );
    Ok(Json(DocumentSummary::of(&document)))
}

/// The media type a document was read as, as the API names it.
fn media_name(media: MediaType) -> &'static str {
    match media {
        MediaType::Pdf => "application/pdf",
        MediaType::Docx => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        MediaType::Text => "text/plain",
    }
}

/// `DELETE /api/profiles/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    authorized(&state, &id, &query, &headers).await?;
    state.store.delete_profile(&id).await?;
    tracing::info!(profile_id = id, "profile deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// The résumé and posting texts, or 409 until both are there.
pub async fn documents(state: &AppState, id: &str) -> Result<(String, String), AppError> {
    let documents = state.store.documents(id).await?;
    let text = |kind| {
        documents
            .iter()
            .find(|d| d.kind == kind)
            .map(|d| d.text.clone())
    };
    match (text(DocumentKind::Resume), text(DocumentKind::Job)) {
        (Some(resume), Some(job)) => Ok((resume, job)),
        _ => Err(AppError::Conflict {
            code: "missing_documents",
            message: "add both a résumé and a job posting first".into(),
        }),
    }
}

/// The embedding model the offline grader uses; matching needs it.
pub fn embedder(state: &AppState) -> Result<Arc<Embedder>, AppError> {
    let dir = state
        .config
        .grader
        .embedding_model_path(&state.config.storage.data_dir);
    crate::embed::shared(&dir).map_err(|_| AppError::NotInstalled {
        code: "model_missing",
        message: "the fit map needs the offline grader's embedding model; \
                  install it with `mockloop models install`"
            .into(),
    })
}

/// This calendar year, for "2019 – present" in a résumé.
pub fn this_year(state: &AppState) -> i32 {
    // 365.2425 days a year from 1970: exact enough for counting years of work.
    1970 + (state.clock.now_ms() as f64 / (365.2425 * 86_400_000.0)) as i32
}

#[derive(Deserialize)]
pub struct FitQuery {
    token: Option<String>,
    loop_id: String,
    level: Option<String>,
}

/// `GET /api/profiles/{id}/fit?loop_id=…&level=…`.
pub async fn fit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<FitQuery>,
    headers: HeaderMap,
) -> Result<Json<FitMap>, AppError> {
    let token = query
        .token
        .clone()
        .or_else(|| super::edge::bearer(&headers).map(str::to_owned));
    authorize(&state, &id, token.as_deref()).await?;
    let catalog = state.catalog();
    let chosen = catalog.find_loop(&query.loop_id).ok_or_else(|| {
        AppError::UnknownLoop(format!(
            "no loop with id {:?}; GET /api/loops lists them",
            query.loop_id
        ))
    })?;
    let level = crate::engine::level_of(chosen, query.level.as_deref())
        .map_err(super::sessions::plan_error)?
        .clone();
    let (resume, job) = documents(&state, &id).await?;
    let embedder = embedder(&state)?;
    let year = this_year(&state);
    let loop_id = chosen.id.clone();
    let map = tokio::task::spawn_blocking(move || {
        let chosen = catalog.find_loop(&loop_id).expect("found above");
        let reading = Reading::new(&embedder, &resume, &job, year)?;
        fit_map(&embedder, &catalog, chosen, &level, &reading)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Json(map))
}

/// The debriefs of the profile's sessions, oldest first.
pub async fn debriefed(state: &AppState, id: &str) -> Result<Vec<Debriefed>, AppError> {
    let mut sessions = Vec::new();
    for row in state.store.profile_sessions(id).await? {
        let events = state.store.events(&row.id, 0).await?;
        // A session that no longer replays is left out of the plan, not
        // allowed to break it.
        if let Ok(session) = Session::replay(&events) {
            sessions.push(Debriefed {
                at: row.created_at,
                report: Report::build(&row.id, &session),
            });
        }
    }
    Ok(sessions)
}

/// `GET /api/profiles/{id}/plan`.
pub async fn plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Json<PrepPlan>, AppError> {
    authorized(&state, &id, &query, &headers).await?;
    let sessions = debriefed(&state, &id).await?;
    let catalog = state.catalog();
    Ok(Json(prep::plan(&catalog, &sessions, state.clock.now_ms())))
}
