//! The JSON endpoints of accounts and sessions under `/api/v1/auth`: sign-up, sign-in,
//! sign-out, who am I, change password. Each parses, calls `flows`, and answers; the session
//! cookie is set or cleared here.

use super::flows::{self, SignUpForm};
use super::session::{self, cookie_headers, SignedIn};
use super::{parse_body, Message};
use crate::error::{ApiError, ErrorBody};
use crate::store::{Account, Session};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// A representative's sign-up.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignUpRequest {
    pub name: String,
    pub email: String,
    /// The email address typed a second time; must match `email`.
    pub email_confirmation: String,
    /// At least 12 characters, not the email address.
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignInRequest {
    pub email: String,
    /// The account's password, or a client's temporary password.
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangePasswordRequest {
    /// The current password (or the temporary password signed in with).
    pub current_password: String,
    /// At least 12 characters, not the email address, not the current password.
    pub new_password: String,
}

/// An account as its owner sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: u64,
    /// `representative` or `client`.
    pub role: String,
    pub email: String,
    pub name: String,
}

/// The signed-in account and what the session needs.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub account: AccountView,
    /// Send it in an `x-csrf-token` header (or a `_csrf` form field) with every POST, PUT,
    /// PATCH and DELETE of this session.
    pub csrf_token: String,
    /// Signed in with a temporary password: every other endpoint answers 403 until the
    /// password is changed (POST /api/v1/auth/password).
    pub must_change_password: bool,
    /// When the session ends (seconds since the Unix epoch).
    pub session_expires: u64,
}

impl Me {
    pub fn new(account: &Account, session: &Session) -> Me {
        Me {
            account: AccountView {
                id: account.id,
                role: account.role.to_string(),
                email: account.email.clone(),
                name: account.name.clone(),
            },
            csrf_token: session.csrf.clone(),
            must_change_password: session.temporary || account.password_hash.is_none(),
            session_expires: session.expires,
        }
    }
}

/// Ends the request's current session, if any (before a new sign-in).
fn end_current(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some((key, _)) = session::lookup(state, headers)? {
        state.store.delete_session(&key)?;
    }
    Ok(())
}

/// Create a representative's account and sign in. One email address is one role: an email
/// used by a client account cannot sign up (409).
#[utoipa::path(post, path = "/api/v1/auth/sign-up", tag = "auth",
    request_body = SignUpRequest,
    responses((status = 201, description = "Signed up and signed in; sets the `intake_session` cookie", body = Me),
              (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn sign_up(
    State(state): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, HeaderMap, Json<Me>), ApiError> {
    super::require_json(&headers)?;
    let r: SignUpRequest = parse_body(&body)?;
    let account = flows::sign_up(
        &state,
        &SignUpForm {
            name: &r.name,
            email: &r.email,
            email_confirmation: &r.email_confirmation,
            password: &r.password,
        },
    )
    .await?;
    end_current(&state, &headers)?;
    let started = session::start(&state, &account, false)?;
    Ok((
        StatusCode::CREATED,
        cookie_headers(started.set_cookie),
        Json(Me::new(&account, &started.session)),
    ))
}

/// Sign in with an email address and a password (a client: with the temporary password
/// first). After 5 failures in a row the account is locked (423) until its password is reset.
#[utoipa::path(post, path = "/api/v1/auth/sign-in", tag = "auth",
    request_body = SignInRequest,
    responses((status = 200, description = "Signed in; sets the `intake_session` cookie", body = Me),
              (status = 400, body = ErrorBody), (status = 401, description = "Wrong email or password", body = ErrorBody),
              (status = 423, description = "Locked: reset the password", body = ErrorBody)))]
pub async fn sign_in(
    State(state): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(HeaderMap, Json<Me>), ApiError> {
    super::require_json(&headers)?;
    let r: SignInRequest = parse_body(&body)?;
    let (account, temporary) = flows::sign_in(&state, &r.email, &r.password).await?;
    end_current(&state, &headers)?;
    let started = session::start(&state, &account, temporary)?;
    Ok((
        cookie_headers(started.set_cookie),
        Json(Me::new(&account, &started.session)),
    ))
}

/// Sign out: ends this session and clears the cookie. Signing out twice is not an error.
#[utoipa::path(post, path = "/api/v1/auth/sign-out", tag = "auth",
    responses((status = 200, description = "Signed out; clears the cookie", body = Message),
              (status = 403, description = "No CSRF token", body = ErrorBody)))]
pub async fn sign_out(
    State(state): Shared,
    headers: HeaderMap,
) -> Result<(HeaderMap, Json<Message>), ApiError> {
    end_current(&state, &headers)?;
    Ok((
        cookie_headers(session::set_cookie(&state, None)),
        Json(Message::new("You are signed out.")),
    ))
}

/// The signed-in account, the session's CSRF token, and whether the password must be changed.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(signed_in: SignedIn) -> Json<Me> {
    Json(Me::new(&signed_in.account, &signed_in.session))
}

/// Set a new password (also how a client replaces the temporary one). Every session of the
/// account ends; this browser gets a fresh one (new cookie, new CSRF token).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth",
    request_body = ChangePasswordRequest,
    responses((status = 200, description = "Password set; sets a new `intake_session` cookie", body = Me),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "Wrong current password, or no CSRF token", body = ErrorBody),
              (status = 423, body = ErrorBody)))]
pub async fn change_password(
    State(state): Shared,
    signed_in: SignedIn,
    body: Bytes,
) -> Result<(HeaderMap, Json<Me>), ApiError> {
    let r: ChangePasswordRequest = parse_body(&body)?;
    let account = flows::change_password(
        &state,
        &signed_in.account,
        &r.current_password,
        &r.new_password,
    )
    .await?;
    let started = session::start(&state, &account, false)?;
    Ok((
        cookie_headers(started.set_cookie),
        Json(Me::new(&account, &started.session)),
    ))
}
