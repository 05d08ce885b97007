//! One error type for every HTTP handler: it logs the cause and shows the
//! client a clear message without internals.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
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
    /// A level the loop does not offer; `allowed` lists those it does.
    #[error("{message}")]
    UnknownLevel {
        message: String,
        allowed: Vec<String>,
    },
    #[error("a valid token for this session is required")]
    Unauthorized,
    #[error("a valid token for this profile is required (it may have been deleted)")]
    ProfileUnauthorized,
    #[error("a valid operator token is required (Authorization: Bearer TOKEN)")]
    OperatorUnauthorized,
    #[error("the server is shutting down")]
    Unavailable,
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The request is fine but what it needs is not there yet (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A part of the server this request needs is not installed (503).
    #[error("{message}")]
    NotInstalled { code: &'static str, message: String },
    /// The speech server failed or timed out; the message names neither
    /// the prompt nor the server's response body.
    #[error("the server's voice is unavailable ({0}); use the browser's speech synthesis")]
    SpeechUnavailable(String),
    /// A request body over its route's size limit.
    #[error("{0}")]
    TooLarge(String),
    #[error("too many new sessions from this address; try again in {0} s")]
    RateLimited(u64),
    #[error("the server has too many open interviews; try again shortly")]
    TooManyConnections,
    /// Work refused because as much is already running (429).
    #[error("{message}")]
    Busy {
        code: &'static str,
        message: String,
        retry_after: u64,
    },
    /// Work stopped waiting at its time limit (503).
    #[error("{message}")]
    TimedOut { code: &'static str, message: String },
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

    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::UnknownLoop(_) => (StatusCode::NOT_FOUND, "unknown_loop"),
            AppError::UnknownLevel { .. } => (StatusCode::BAD_REQUEST, "unknown_level"),
            AppError::Unauthorized
            | AppError::OperatorUnauthorized
            | AppError::ProfileUnauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            AppError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            AppError::NotInstalled { code, .. } => (StatusCode::SERVICE_UNAVAILABLE, code),
            AppError::SpeechUnavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "speech_unavailable")
            }
            AppError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            AppError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            AppError::TooManyConnections => {
                (StatusCode::SERVICE_UNAVAILABLE, "too_many_connections")
            }
            AppError::Busy { code, .. } => (StatusCode::TOO_MANY_REQUESTS, code),
            AppError::TimedOut { code, .. } => (StatusCode::SERVICE_UNAVAILABLE, code),
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
        let mut error = json!({ "code": code, "message": message });
        if let AppError::UnknownLevel { allowed, .. } = &self {
            error["allowed"] = json!(allowed);
        }
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        let retry_after = match &self {
            AppError::RateLimited(seconds) => Some(*seconds),
            AppError::TooManyConnections => Some(5),
            AppError::Busy { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
