//! Password reset by email (request a link, then use it once within the hour; requests are
//! rate limited per email and per client address) and the development outbox page that shows
//! the emails while there is no SMTP.

use super::{flows, parse_body, Message};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{Extensions, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use engine::Lang;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ResetRequest {
    pub email: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ResetPassword {
    /// The token of the emailed link.
    pub token: String,
    /// At least 12 characters.
    pub password: String,
}

/// The client's address, when the server was started with connection info (`main.rs`).
pub(crate) fn client_address(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
}

/// Ask for a password-reset link. Always 202, whether or not an account has the email; when
/// one has, it is emailed a link that works once, for 1 hour. At most 3 requests per email
/// address and 10 per client address an hour: past that, 429 with `Retry-After` (seconds).
#[utoipa::path(post, path = "/api/v1/auth/password-reset/request", tag = "auth",
    request_body = ResetRequest,
    responses((status = 202, body = Message), (status = 400, body = ErrorBody),
              (status = 429, description = "Too many requests; see Retry-After", body = ErrorBody)))]
pub async fn request_reset(
    State(state): Shared,
    extensions: Extensions,
    body: Bytes,
) -> Result<Response, ApiError> {
    let r: ResetRequest = parse_body(&body)?;
    let from = client_address(&extensions);
    if let Err(limited) = flows::request_reset_in(&state, &r.email, from, Lang::En)? {
        let mut response = ApiError::TooManyRequests(limited.message).into_response();
        if let Ok(v) = HeaderValue::from_str(&limited.retry_after.to_string()) {
            response.headers_mut().insert(RETRY_AFTER, v);
        }
        return Ok(response);
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(Message::new(
            "If an account has this email address, we sent it a link to reset the password. \
             The link works once, for 1 hour. Check your spam folder if it does not arrive.",
        )),
    )
        .into_response())
}

/// Set a new password with an emailed token: unlocks the account, voids any temporary
/// password and signs out every session. A used or expired token: 400.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth",
    request_body = ResetPassword,
    responses((status = 200, body = Message), (status = 400, body = ErrorBody)))]
pub async fn reset_password(State(state): Shared, body: Bytes) -> Result<Json<Message>, ApiError> {
    let r: ResetPassword = parse_body(&body)?;
    flows::reset_password(&state, &r.token, &r.password).await?;
    Ok(Json(Message::new(
        "Your password is set and your account is unlocked. Sign in with your new password.",
    )))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OutboxQuery {
    /// How many emails, newest first (default 50, at most 500).
    pub limit: Option<usize>,
}

/// An email of the outbox.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxEmail {
    pub id: u64,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Seconds since the Unix epoch.
    pub created: u64,
    /// When it was sent; `null` while it waits.
    pub sent: Option<u64>,
}

/// Development only (`--dev-pages`): the latest emails of the outbox, newest first, so that
/// emails (reset links, temporary passwords) can be read without SMTP.
#[utoipa::path(get, path = "/dev/outbox", tag = "dev", params(OutboxQuery),
    responses((status = 200, body = [OutboxEmail]),
              (status = 404, description = "The development pages are off", body = ErrorBody)))]
pub async fn outbox(
    State(state): Shared,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Vec<OutboxEmail>>, ApiError> {
    if !state.config.dev_pages {
        return Err(ApiError::NotFound(
            "The development pages are off. Start the server with --dev-pages \
             (INTAKE_DEV_PAGES=true) to read the outbox here; never on a public server."
                .into(),
        ));
    }
    let emails = state.store.recent_emails(q.limit.unwrap_or(50).min(500))?;
    Ok(Json(
        emails
            .into_iter()
            .map(|e| OutboxEmail {
                id: e.id,
                to: e.to,
                subject: e.subject,
                body: e.body,
                created: e.created,
                sent: e.sent,
            })
            .collect(),
    ))
}
