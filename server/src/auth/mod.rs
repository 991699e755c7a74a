//! Accounts and sign-in: representatives sign up, everyone signs in with an email and a
//! password (clients first with a temporary one, then must set their own), sessions in an
//! HttpOnly cookie, CSRF protection on every state-changing request, lockout after repeated
//! failures, and reset by an emailed single-use link (which also unlocks).
//!
//! - `password`: the password policy and argon2 hashing (on blocking threads).
//! - `token`: random tokens and their SHA-256 digests (the store keeps digests only).
//! - `session`: the session cookie, starting a session, and the [`SignedIn`] and
//!   [`CurrentAccount`] extractors.
//! - `csrf`: the middleware that checks the session's CSRF token.
//! - `flows`: sign-up, sign-in, password change and reset, apart from HTTP (pages reuse them).
//! - `handlers`: the JSON endpoints of accounts and sessions; `reset`: the reset endpoints and
//!   the development outbox page.

pub mod csrf;
pub mod flows;
pub mod handlers;
pub mod password;
pub mod reset;
pub mod reset_limit;
pub mod session;
pub mod token;

pub use session::{CurrentAccount, SignedIn};

use crate::error::ApiError;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

/// Failed sign-ins in a row that lock an account.
pub const LOCK_AFTER: u32 = 5;
/// How long a password-reset link works, in seconds (1 hour).
pub const RESET_SECONDS: u64 = 3600;

/// The routes of accounts and sign-in, and the development outbox.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/auth/sign-up", post(handlers::sign_up))
        .route("/api/v1/auth/sign-in", post(handlers::sign_in))
        .route("/api/v1/auth/sign-out", post(handlers::sign_out))
        .route("/api/v1/auth/me", get(handlers::me))
        .route("/api/v1/auth/password", post(handlers::change_password))
        .route(
            "/api/v1/auth/password-reset/request",
            post(reset::request_reset),
        )
        .route("/api/v1/auth/password-reset", post(reset::reset_password))
        .route("/dev/outbox", get(reset::outbox))
}

/// A plain answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Message {
    pub message: String,
}

impl Message {
    pub fn new(message: &str) -> Message {
        Message {
            message: message.to_string(),
        }
    }
}

/// A JSON body, or a 400 that says what is wrong with it.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!(
            "The body is not what this endpoint takes ({e}). See /api/v1/openapi.json."
        ))
    })
}

/// Refuses a body not declared as JSON. Sign-in and sign-up call it: a cross-site HTML form
/// can post JSON-looking text as `text/plain`, but never with `Content-Type:
/// application/json` (that needs a CORS preflight this server never grants), so another site
/// cannot sign a browser in to an account of its choosing (login CSRF).
pub(crate) fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(ApiError::BadRequest(
            "Send the body as JSON, with the header Content-Type: application/json.".into(),
        ))
    }
}
