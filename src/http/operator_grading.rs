//! The operator console's grading routes: try a rubric (saved or still in
//! the editor) on a pasted answer, and regrade stored sessions against the
//! current rubrics or another grader, old versus new per answer.
//!
//! A regrade stores its scores as new `scored` events, exactly as
//! `mockloop regrade` does (see `crate::regrade`): the old scores stay in the
//! log and the newest is current.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::edge::require_operator;
use super::error::AppError;
use super::operator_content::{Edit, Invalid, blocking, body, current_source, parse_path};
use crate::config::GraderKind;
use crate::content::Catalog;
use crate::grading::{GradeRequest, Grader, grade_answer};
use crate::regrade::{RegradeReport, Regrader, RubricOverrides};
use crate::validate::check;

/// Tries that may grade at once; more answer 429 `try_busy`. The offline
/// graders take a blocking-pool thread each, and two keep a core free for
/// the interviews on a small machine.
pub const TRIES_AT_ONCE: usize = 2;

/// Sessions one regrade request may name: a page of the console's list.
/// More would hold the request (and an LLM provider) for minutes.
const MAX_REGRADE_SESSIONS: usize = 100;

/// The grader `kind` names: the offline one, or the configured LLM
/// endpoint (400 when it cannot be built, e.g. no key configured).
fn grader_for(
    state: &AppState,
    kind: GraderKind,
    content_dir: Option<std::path::PathBuf>,
) -> Result<Arc<dyn Grader>, AppError> {
    match kind {
        GraderKind::Offline => Ok(crate::grading::offline(&state.config)),
        GraderKind::Llm => {
            // The LLM grader reads its templates from the content in use.
            let mut config = (*state.config).clone();
            config.content.dir = content_dir;
            crate::grading::build(&config, Some(GraderKind::Llm)).map_err(|e| {
                AppError::bad_request("grader_unavailable", format!("the LLM grader: {e:#}"))
            })
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryRubric {
    pub question_id: String,
    pub answer: String,
    /// A rubric id; default: the rubric for the question's round kind.
    #[serde(default)]
    pub rubric: Option<String>,
    /// An unsaved edit to grade with, checked like a save.
    #[serde(default)]
    pub edit: Option<Edit>,
    #[serde(default)]
    pub grader: GraderKind,
}

/// `POST /api/operator/try`: the grader's `AnswerScore` for one answer.
pub async fn try_rubric(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<Json<TryRubric>, JsonRejection>,
) -> Result<Response, AppError> {
    require_operator(&state, &headers)?;
    let request = body(request)?;
    // Graded as a live answer is: normalised first (see grading::normalize),
    // so evidence quotes are substrings of what is shown, and the limit
    // applies to what is graded.
    let answer = crate::grading::normalize::normalize(&request.answer).into_owned();
    let limit = state.config.limits.max_answer_chars.get();
    if answer.chars().count() > limit {
        return Err(AppError::bad_request(
            "answer_too_long",
            format!("an answer may be at most {limit} characters"),
        ));
    }
    if answer.trim().is_empty() {
        return Err(AppError::bad_request(
            "empty_answer",
            "paste an answer to score",
        ));
    }
    let catalog = match request.edit {
        None => state.catalog(),
        Some(edit) => {
            let path = parse_path(&edit.path)?;
            let edited = current_source(&state).await?.with_file(&path, edit.text);
            match blocking(move || check(&edited)).await? {
                Ok(checked) => Arc::new(checked.catalog),
                Err(errors) => return Ok(Invalid(errors).into_response()),
            }
        }
    };
    let question = catalog.question(&request.question_id).ok_or_else(|| {
        AppError::NotFound(format!("no question with id {:?}", request.question_id))
    })?;
    let rubric = match &request.rubric {
        Some(id) => catalog
            .rubric(id)
            .ok_or_else(|| AppError::NotFound(format!("no rubric with id {id:?}")))?,
        None => catalog.rubric_for_kind(question.kind).ok_or_else(|| {
            AppError::NotFound(format!("no rubric scores {} rounds", question.kind))
        })?,
    };
    if rubric.kind != question.kind {
        return Err(AppError::bad_request(
            "kind_mismatch",
            format!(
                "rubric {:?} scores {} rounds; question {:?} is a {} question",
                rubric.id, rubric.kind, question.id, question.kind
            ),
        ));
    }
    let (question, rubric) = (question.clone(), rubric.clone());
    let grader = grader_for(&state, request.grader, state.content.dir().await)?;
    let Ok(permit) = Arc::clone(&state.tries).try_acquire_owned() else {
        return Err(AppError::Busy {
            code: "try_busy",
            message: format!(
                "{TRIES_AT_ONCE} tries are grading already; try again when one has finished"
            ),
            retry_after: 5,
        });
    };
    // The grade runs as its own task holding the permit, so a try that ran
    // out of time still counts against TRIES_AT_ONCE until its grade ends:
    // timed-out tries cannot pile work up behind the limit.
    let grading = tokio::spawn(async move {
        let _permit = permit;
        grade_answer(
            grader.as_ref(),
            GradeRequest {
                rubric: &rubric,
                question: &question,
                answers: &[answer],
                hints: &[],
            },
            crate::grading::Observed::default(),
        )
        .await
    });
    let seconds = state.config.limits.try_seconds.get();
    match tokio::time::timeout(Duration::from_secs(seconds), grading).await {
        Ok(Ok(score)) => Ok(Json(score).into_response()),
        Ok(Err(failed)) => Err(AppError::Internal(anyhow::anyhow!(
            "grading failed: {failed}"
        ))),
        Err(_) => Err(AppError::TimedOut {
            code: "try_timed_out",
            message: format!(
                "grading took longer than {seconds} s ([limits] try_seconds) and was abandoned; \
                 a rubric with very many patterns, or a slow LLM endpoint, can do this"
            ),
        }),
    }
}

/// Which rubrics a regrade scores against.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RubricChoice {
    /// The rubrics the server runs on now (after any saved edits).
    #[default]
    Current,
    /// The rubrics each session pinned when it started.
    Pinned,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegradeRequest {
    pub sessions: Vec<String>,
    #[serde(default)]
    pub grader: GraderKind,
    #[serde(default)]
    pub rubrics: RubricChoice,
}

/// `POST /api/operator/regrade`.
pub async fn regrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<Json<RegradeRequest>, JsonRejection>,
) -> Result<Json<RegradeReport>, AppError> {
    require_operator(&state, &headers)?;
    let request = body(request)?;
    if request.sessions.is_empty() || request.sessions.len() > MAX_REGRADE_SESSIONS {
        return Err(AppError::bad_request(
            "bad_sessions",
            format!("name from 1 to {MAX_REGRADE_SESSIONS} sessions"),
        ));
    }
    let grader = grader_for(&state, request.grader, state.content.dir().await)?;
    let overrides = match request.rubrics {
        RubricChoice::Pinned => None,
        RubricChoice::Current => Some(current_rubrics(&state.catalog())),
    };
    let regrader = Regrader {
        store: state.store.as_ref(),
        grader: grader.as_ref(),
        rubrics: overrides.as_ref(),
        finished_only: true,
    };
    let report = regrader
        .run(&request.sessions, crate::clock::now_ms, |_| {})
        .await;
    tracing::info!(
        sessions = report.summary.sessions,
        regraded = report.summary.regraded,
        changed = report.summary.changed,
        grader = %report.grader,
        rubrics = %report.rubrics,
        "operator regrade"
    );
    Ok(Json(report))
}

fn current_rubrics(catalog: &Catalog) -> RubricOverrides {
    RubricOverrides {
        source: format!("content {}", catalog.hash()),
        rubrics: catalog.rubrics().cloned().collect(),
    }
}
