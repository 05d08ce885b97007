//! REST for sessions: create one, and read its report and transcript.

use std::collections::HashMap;

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
use super::profiles;
use super::session_request::{CreateSession, SessionRequest};
use crate::engine::Plan;
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
    /// In a tailored loop or a drill from the plan: why each question was
    /// chosen, for the lobby to say.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tailored: Vec<Tailored>,
}

#[derive(Serialize)]
pub struct Tailored {
    /// The round's index in the plan.
    round: usize,
    question_id: String,
    title: String,
    why: String,
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

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn create(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    body: Result<Json<CreateSession>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    state.take_create_permit(peer)?;
    let Json(body) = body.map_err(|e| AppError::bad_request("bad_request", e.body_text()))?;
    let parsed = body.parse()?;
    let catalog = state.catalog();
    let profile = match &parsed.profile {
        Some(claim) => Some(profiles::authorize(&state, &claim.id, Some(&claim.token)).await?),
        None => None,
    };
    let now = state.clock.now_ms();
    // Why each question was chosen, by id, for a tailored loop or a drill.
    let mut reasons: HashMap<String, String> = HashMap::new();
    let plan = match (&parsed.request, &profile) {
        (SessionRequest::Plan, Some(profile)) => {
            let sessions = profiles::debriefed(&state, &profile.id).await?;
            let prep = crate::profiles::prep::plan(&catalog, &sessions, now);
            let (Some(loop_id), false) = (&prep.loop_id, prep.next_questions.is_empty()) else {
                return Err(AppError::bad_request(
                    "nothing_due",
                    "your prep plan has nothing due: run a loop, or come back when an area is due again",
                ));
            };
            for next in &prep.next_questions {
                reasons.insert(next.question_id.clone(), next.why.clone());
            }
            let ids: Vec<String> = prep
                .next_questions
                .iter()
                .map(|q| q.question_id.clone())
                .collect();
            let names: Vec<&str> = prep
                .due
                .iter()
                .filter(|d| d.due_now)
                .map(|d| d.name.as_str())
                .take(crate::profiles::prep::DRILL_AREAS)
                .collect();
            Plan::practice(
                &catalog,
                loop_id,
                prep.level_id.as_deref(),
                &ids,
                format!("Practise: {}", names.join(", ")),
            )
        }
        (SessionRequest::Loop { loop_id }, Some(profile)) => {
            let tailoring = tailoring(&state, &profile.id, loop_id, parsed.level()).await;
            let relevance = tailoring.as_ref().map(|t| &t.relevance);
            let plan = parsed.plan(&catalog, rand::rng().next_u64(), relevance);
            reasons = tailoring.map(|t| t.why).unwrap_or_default();
            plan
        }
        _ => parsed.plan(&catalog, rand::rng().next_u64(), None),
    };
    let mut plan = plan.map_err(plan_error)?;
    plan.llm_turns = state.hub.llm_turns();
    let mut tailored = Vec::new();
    for (round, planned) in plan.rounds.iter().enumerate() {
        for question in &planned.questions {
            if let Some(why) = reasons.remove(&question.id) {
                tailored.push(Tailored {
                    round,
                    question_id: question.id.clone(),
                    title: question.title.clone(),
                    why,
                });
            }
        }
    }
    let session_id = uuid::Uuid::new_v4().simple().to_string();
    // 256 random bits: unguessable, and only its hash is stored.
    let token = random_hex(32);
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
    if let Some(profile) = &profile {
        state
            .store
            .link_session(&profile.id, &session_id, now)
            .await?;
    }
    tracing::info!(session_id, loop_id = row.loop_id, "session created");
    Ok((
        StatusCode::CREATED,
        Json(Created {
            session_id,
            token,
            tailored,
        }),
    ))
}

/// A loop tailored to the profile's résumé and posting, when both are
/// there and the embedding model is installed; otherwise the loop is asked
/// as it is (the session is still linked, and its debrief feeds the plan).
async fn tailoring(
    state: &AppState,
    profile: &str,
    loop_id: &str,
    level: Option<&str>,
) -> Option<crate::profiles::tailor::Tailoring> {
    let (resume, job) = profiles::documents(state, profile).await.ok()?;
    let embedder = match profiles::embedder(state) {
        Ok(embedder) => embedder,
        Err(e) => {
            tracing::warn!(error = %e, "the loop is not tailored");
            return None;
        }
    };
    let catalog = state.catalog();
    let chosen = catalog.find_loop(loop_id)?;
    let level = crate::engine::level_of(chosen, level).ok()?.clone();
    let loop_id = chosen.id.clone();
    let year = profiles::this_year(state);
    let tailored = tokio::task::spawn_blocking(move || {
        let chosen = catalog.find_loop(&loop_id)?;
        let reading = crate::profiles::fit::Reading::new(&embedder, &resume, &job, year).ok()?;
        crate::profiles::tailor::tailor(&embedder, &catalog, chosen, &level, &reading).ok()
    })
    .await;
    tailored.ok().flatten()
}

/// A plan that could not be made, as the client is told.
pub fn plan_error(e: PlanError) -> AppError {
    match e {
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
    }
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
