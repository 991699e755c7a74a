//! One error type for every handler; each variant renders as a JSON body with a status code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    /// No such resource (program, …).
    NotFound(String),
    /// The request itself is wrong: bad JSON, bad date, bad parameter.
    BadRequest(String),
    /// The rules could not decide this application (a rule script failed).
    RuleFailed(String),
}

/// The body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `not_found`, `bad_request`, `rule_failed`.
    pub error: &'static str,
    /// What is wrong and what to do, in plain words.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = match self {
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m),
            ApiError::RuleFailed(m) => (StatusCode::INTERNAL_SERVER_ERROR, "rule_failed", m),
        };
        (status, Json(ErrorBody { error, message })).into_response()
    }
}
