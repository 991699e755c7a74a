//! One error type for every handler; each variant renders as a JSON body with a status code.
//! Every message says what is wrong and what to do about it.

use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    /// No such resource (program, …).
    NotFound(String),
    /// The request itself is wrong: bad JSON, bad date, bad parameter, a weak password.
    BadRequest(String),
    /// The rules could not decide this application (a rule script failed).
    RuleFailed(String),
    /// Not signed in, the session has expired, or the sign-in was refused.
    Unauthorized(String),
    /// Signed in, but this is not allowed.
    Forbidden(String),
    /// A state-changing request from a signed-in session without its CSRF token.
    CsrfRejected,
    /// Signed in with a temporary password: the account must set its own first.
    PasswordChangeRequired,
    /// The request clashes with what is stored (an email already in use, …).
    Conflict(String),
    /// The account is locked.
    Locked(String),
    /// Too many requests; try again later.
    TooManyRequests(String),
    /// The server failed (storage, hashing); the details are logged, not shown.
    Internal(String),
}

/// The body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `not_found`, `bad_request`, `rule_failed`, `unauthorized`, `forbidden`,
    /// `csrf`, `password_change_required`, `conflict`, `locked`, `too_many_requests`,
    /// `internal`.
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
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m),
            ApiError::CsrfRejected => (
                StatusCode::FORBIDDEN,
                "csrf",
                "This request did not carry the session's CSRF token. Reload the page and try \
                 again (API clients: send the `csrf_token` of GET /api/v1/auth/me in an \
                 `x-csrf-token` header)."
                    .to_string(),
            ),
            ApiError::PasswordChangeRequired => (
                StatusCode::FORBIDDEN,
                "password_change_required",
                "You signed in with a temporary password. Set your own password first \
                 (POST /api/v1/auth/password)."
                    .to_string(),
            ),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m),
            ApiError::Locked(m) => (StatusCode::LOCKED, "locked", m),
            ApiError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", m),
            ApiError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The server could not complete this request. Try again in a moment; if it \
                     keeps failing, report the problem."
                        .to_string(),
                )
            }
        };
        (status, Json(ErrorBody { error, message })).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::EmailTaken { email } => ApiError::Conflict(format!(
                "An account with the email address {email} already exists. Sign in, or reset \
                 its password if you forgot it."
            )),
            StoreError::EmailHasOtherRole { email, role } => ApiError::Conflict(format!(
                "The email address {email} is already used by a {role} account, and one email \
                 address can have only one role. Use another email address."
            )),
            StoreError::NotFound { .. } => ApiError::NotFound(format!("{e}.")),
            StoreError::NotSubmittable { .. }
            | StoreError::Changed { .. }
            | StoreError::NotChangeable { .. }
            | StoreError::CapReached { .. }
            | StoreError::Duplicate { .. }
            | StoreError::AlreadyLinked { .. } => ApiError::Conflict(format!("{e}.")),
            StoreError::Corrupt { .. } | StoreError::Backend(_) => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}
