//! One error type for every HTTP handler: it logs the cause and shows the
//! client a clear message without internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    UnknownLoop(String),
    #[error("a valid token for this session is required")]
    Unauthorized,
    #[error("the server is shutting down")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::UnknownLoop(_) => (StatusCode::NOT_FOUND, "unknown_loop"),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        AppError::Internal(error.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed");
                "Something went wrong on the server; nothing you sent was lost. Try again."
                    .to_owned()
            }
            other => other.to_string(),
        };
        (
            status,
            Json(json!({ "error": { "code": code, "message": message } })),
        )
            .into_response()
    }
}
