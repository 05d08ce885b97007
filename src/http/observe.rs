//! `/healthz`, `/readyz` and `/metrics`: what a load balancer and a
//! Prometheus server ask.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::edge::{PeerAddr, require_operator};
use super::error::AppError;

/// Ready when the store answers, content is loaded and the server is not
/// stopping: until then a load balancer should send no new candidates here.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.hub.is_shutting_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    if state.catalog().loops().is_empty() {
        return (StatusCode::SERVICE_UNAVAILABLE, "no content loaded");
    }
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness: the store does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable")
        }
    }
}

/// Metrics name sessions by count only, but traffic patterns are still
/// the operator's business: with an operator token configured it is
/// required; without one only loopback clients (a local Prometheus or
/// agent) may scrape.
pub async fn metrics(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if state.config.server.operator_token.is_some() {
        require_operator(&state, &headers)?;
    } else if !peer.is_some_and(|p| p.is_loopback()) {
        return Err(AppError::Forbidden {
            code: "metrics_loopback_only",
            message: "without an operator token, /metrics answers only loopback clients".into(),
        });
    }
    let metrics = state.hub.metrics();
    metrics
        .sessions_active
        .set(state.hub.live_sessions().await as i64);
    metrics
        .transcription_queue_depth
        .set(state.hub.speech_queue_depth().unwrap_or(0) as i64);
    metrics
        .code_runs_waiting
        .set(state.hub.code_runs_waiting() as i64);
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response())
}
