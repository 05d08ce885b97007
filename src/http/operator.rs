//! `/api/operator/...`: what an operator may see and do across sessions,
//! behind `Authorization: Bearer <operator token>`. Without a configured
//! token every route here answers 403 `operator_disabled`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;

use super::AppState;
use super::edge::require_operator;
use super::error::AppError;
use super::sessions::delete_session;
use crate::engine::{EpochMs, Session};
use crate::report::Report;

/// One stored session, as `GET /api/operator/sessions` lists it.
#[derive(Serialize)]
pub struct SessionSummary {
    pub id: String,
    #[serde(rename = "loop")]
    pub loop_id: String,
    /// `lobby`, `active`, `paused`, `grading` or `finished`; `unreadable`
    /// when the stored log does not replay.
    pub state: String,
    pub created_at: EpochMs,
    /// Weighted mean of the scored answers (1 to 4), once any is scored.
    pub overall: Option<f64>,
    pub complete: bool,
}

/// `GET /api/operator/sessions`, newest first.
pub async fn sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<SessionSummary>>, AppError> {
    require_operator(&state, &headers)?;
    let rows = state.store.sessions().await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let events = state.store.events(&row.id, 0).await?;
        let report = Session::replay(&events)
            .ok()
            .map(|session| Report::build(&row.id, &session));
        out.push(SessionSummary {
            state: report.as_ref().map_or("unreadable", |r| r.state).to_owned(),
            overall: report
                .as_ref()
                .filter(|r| r.answers.iter().any(|a| a.overall.is_some()))
                .map(|r| r.overall),
            complete: report.as_ref().is_some_and(|r| r.complete),
            id: row.id,
            loop_id: row.loop_id,
            created_at: row.created_at,
        });
    }
    Ok(Json(out))
}

/// `DELETE /api/operator/sessions/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    require_operator(&state, &headers)?;
    delete_session(&state, &id).await
}

#[derive(Serialize)]
pub struct ContentFile {
    /// Relative to the content root, e.g. `prompts/loops/backend.toml`.
    pub path: String,
    pub text: String,
}

/// The content the server runs on, grouped as an operator edits it.
#[derive(Serialize)]
pub struct Content {
    /// The hash new sessions pin.
    pub hash: String,
    pub loops: Vec<ContentFile>,
    pub questions: Vec<ContentFile>,
    pub rubrics: Vec<ContentFile>,
    /// Interviewer and grader prompt templates.
    pub templates: Vec<ContentFile>,
}

/// `GET /api/operator/content`.
pub async fn content(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Content>, AppError> {
    require_operator(&state, &headers)?;
    let source = super::operator_content::current_source(&state).await?;
    let mut content = Content {
        hash: state.catalog().hash().to_owned(),
        loops: Vec::new(),
        questions: Vec::new(),
        rubrics: Vec::new(),
        templates: Vec::new(),
    };
    for file in source.files() {
        let group = if file.path.starts_with("prompts/loops/") {
            &mut content.loops
        } else if file.path.starts_with("prompts/questions/") {
            &mut content.questions
        } else if file.path.starts_with("rubrics/") {
            &mut content.rubrics
        } else {
            &mut content.templates
        };
        group.push(ContentFile {
            path: file.path.clone(),
            text: file.text.clone(),
        });
    }
    Ok(Json(content))
}
