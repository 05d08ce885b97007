//! REST for sessions: create one, and read its report and transcript.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::AppState;
use super::edge::{PeerAddr, bearer, constant_time_eq, is_operator_token, operator};
use super::error::AppError;
use super::session_request::CreateSession;
use crate::engine::{PlanError, Session, StoredEvent};
use crate::metrics::Rejection;
use crate::report::Report;
use crate::report::export::{
    dimension_chart_svg, report_html, report_markdown, transcript, transcript_markdown,
    transcript_vtt,
};
use crate::store::SessionRow;

#[derive(Serialize)]
pub struct Created {
    session_id: String,
    token: String,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn create(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    body: Result<Json<CreateSession>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    if let Some(peer) = peer
        && let Err(wait) = state.create_limiter.take(&peer, std::time::Instant::now())
    {
        state.hub.metrics().reject(Rejection::RateLimited);
        return Err(AppError::RateLimited(
            wait.as_secs_f64().ceil().max(1.0) as u64
        ));
    }
    let Json(body) = body.map_err(|e| AppError::bad_request("bad_request", e.body_text()))?;
    let catalog = state.catalog();
    let plan = body.parse()?.plan(&catalog, rand::rng().next_u64());
    let mut plan = plan.map_err(|e| match e {
        PlanError::UnknownLoop(id) => {
            AppError::UnknownLoop(format!("no loop with id {id:?}; GET /api/loops lists them"))
        }
        unknown @ PlanError::UnknownQuestion(..) => {
            AppError::bad_request("unknown_question", unknown.to_string())
        }
        PlanError::NothingToAsk(why) => AppError::bad_request("no_questions", why),
        PlanError::UnknownLevel {
            loop_id,
            level,
            allowed,
        } => AppError::UnknownLevel {
            message: format!(
                "loop {loop_id:?} has no level {level:?}; it can be run at: {}",
                allowed.join(", ")
            ),
            allowed,
        },
        other => AppError::Internal(other.into()),
    })?;
    plan.llm_turns = state.hub.llm_turns();
    let session_id = uuid::Uuid::new_v4().simple().to_string();
    // 256 random bits: unguessable, and only its hash is stored.
    let token = random_hex(32);
    let now = state.clock.now_ms();
    let row = SessionRow {
        id: session_id.clone(),
        token_hash: hash_token(&token),
        loop_id: plan.loop_id.clone(),
        content_hash: plan.content_hash.clone(),
        created_at: now,
    };
    state
        .store
        .create_session(&row, &Session::create(now, plan))
        .await?;
    tracing::info!(session_id, loop_id = row.loop_id, "session created");
    Ok((StatusCode::CREATED, Json(Created { session_id, token })))
}

/// The token from `?token=` or `Authorization: Bearer`.
pub fn presented_token(query: &TokenQuery, headers: &HeaderMap) -> Option<String> {
    query
        .token
        .clone()
        .or_else(|| bearer(headers).map(str::to_owned))
}

/// Checks the token; an unknown session and a wrong token look the same, so
/// the API does not reveal which session ids exist.
pub async fn authorize(
    state: &AppState,
    id: &str,
    token: Option<String>,
) -> Result<SessionRow, AppError> {
    let refused = || {
        state.hub.metrics().reject(Rejection::Unauthorized);
        AppError::Unauthorized
    };
    let token = token.ok_or_else(refused)?;
    let row = state.store.session(id).await?;
    // Hash and compare even for an unknown id, so timing does not tell
    // which ids exist.
    let stored = row.as_ref().map_or("", |r| r.token_hash.as_str());
    let matches = constant_time_eq(hash_token(&token).as_bytes(), stored.as_bytes());
    match row {
        Some(row) if matches => Ok(row),
        _ => Err(refused()),
    }
}

/// `GET /api/sessions/{id}`, with the candidate's token: that the session
/// is there, and which loop it is. One row read, no events: a client
/// reconnecting asks this on every attempt, and a 401 means the session is
/// gone (deleted, or the server's data reset) rather than the server down.
pub async fn exists(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let row = authorize(&state, &id, presented_token(&query, &headers)).await?;
    Ok(axum::Json(serde_json::json!({
        "session_id": row.id,
        "loop_id": row.loop_id,
        "created_at": row.created_at,
    })))
}

/// `DELETE /api/sessions/{id}`, with the candidate's token or the operator's:
/// removes the session, its answers, transcripts and scores. Audio is never
/// stored, only its transcript, so nothing else remains.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    // The operator token, when configured and presented either way a
    // candidate's may be (Bearer header or `?token=`), is enough.
    let presented = presented_token(&query, &headers);
    let by_operator = matches!(operator(&state, &headers), Ok(true))
        || presented
            .as_deref()
            .is_some_and(|t| is_operator_token(&state, t));
    if !by_operator {
        authorize(&state, &id, presented).await?;
    }
    delete_session(&state, &id).await
}

/// Deletes through the hub (which stops a live session first).
pub async fn delete_session(state: &AppState, id: &str) -> Result<StatusCode, AppError> {
    let existed = state
        .hub
        .delete(id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if existed {
        tracing::info!(session_id = id, "session deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound(format!("no session {id:?}")))
    }
}

fn report_of(id: &str, events: &[StoredEvent]) -> Result<Report, AppError> {
    let session = Session::replay(events).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Report::build(id, &session))
}

/// The exports `GET /api/sessions/{id}/{file}` serves, with their media types.
const EXPORTS: [(&str, &str); 7] = [
    ("report.json", "application/json"),
    ("report.md", "text/markdown; charset=utf-8"),
    ("report.html", "text/html; charset=utf-8"),
    ("chart.svg", "image/svg+xml"),
    ("transcript.json", "application/json"),
    ("transcript.md", "text/markdown; charset=utf-8"),
    ("transcript.vtt", "text/vtt; charset=utf-8"),
];

/// `GET /api/sessions/{id}/{file}`: the report (JSON, Markdown, HTML), its
/// chart (SVG) and the transcript (JSON, Markdown, WebVTT).
/// A refusal is a page where a person opened the link (the HTML report,
/// or a browser's navigation), JSON otherwise.
pub async fn export(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    Query(query): Query<TokenQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let page = file == "report.html" || super::pages::wants_html(&headers);
    match export_file(&state, &id, &file, presented_token(&query, &headers)).await {
        Err(error) if page => Ok(super::pages::error_page(&error, uri.path())),
        result => result,
    }
}

async fn export_file(
    state: &AppState,
    id: &str,
    file: &str,
    token: Option<String>,
) -> Result<Response, AppError> {
    authorize(state, id, token).await?;
    let Some(&(_, media_type)) = EXPORTS.iter().find(|(name, _)| *name == file) else {
        let names: Vec<&str> = EXPORTS.iter().map(|(name, _)| *name).collect();
        return Err(AppError::NotFound(format!(
            "no export {file:?}; try {}",
            names.join(", ")
        )));
    };
    let events = state.store.events(id, 0).await?;
    let transcript =
        || transcript(id, &events).ok_or_else(|| AppError::NotFound("no transcript".into()));
    let body = match file {
        "report.json" => json(&report_of(id, &events)?)?,
        "report.md" => report_markdown(&report_of(id, &events)?),
        "report.html" => report_html(&report_of(id, &events)?),
        "chart.svg" => dimension_chart_svg(&report_of(id, &events)?),
        "transcript.json" => json(&transcript()?)?,
        "transcript.md" => transcript_markdown(&transcript()?),
        _ => transcript_vtt(&transcript()?),
    };
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_SECURITY_POLICY, super::headers::EXPORT_CSP),
        ],
        body,
    )
        .into_response())
}

fn json(value: &impl Serialize) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.into()))
}
