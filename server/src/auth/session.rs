//! Sessions: the `intake_session` cookie (HttpOnly, SameSite=Lax, Path=/, Secure when
//! configured) holds a random token; the store keeps only the token's SHA-256 digest, with
//! the account, the expiry and the session's CSRF token. The extractors [`SignedIn`] (any
//! live session) and [`CurrentAccount`] (a live session whose account has its own password)
//! are what handlers and pages take to know who is asking.

use super::token;
use crate::error::ApiError;
use crate::store::{now, Account, Session};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use std::ops::Deref;
use std::sync::Arc;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "intake_session";
/// How long a session lasts after sign-in, in seconds (12 hours).
pub const SESSION_SECONDS: u64 = 12 * 3600;

/// The session token in the request's `Cookie` headers, if any.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that stores a session token (or, with `None`, removes it).
pub fn set_cookie(state: &AppState, token: Option<&str>) -> HeaderValue {
    let (value, max_age) = match token {
        Some(t) => (t, SESSION_SECONDS),
        None => ("", 0),
    };
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{COOKIE_NAME}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&cookie).expect("a cookie of hex digits is a valid header")
}

/// A session just started: the cookie to send and the stored session.
pub struct Started {
    pub set_cookie: HeaderValue,
    pub session: Session,
}

/// Starts a session for the account: a new random token (its digest stored) and a new CSRF
/// token. `temporary` marks a sign-in with a temporary password.
pub fn start(state: &AppState, account: &Account, temporary: bool) -> Result<Started, ApiError> {
    let secret = token::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let csrf = token::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let created = now();
    let session = Session {
        account: account.id,
        created,
        expires: created + SESSION_SECONDS,
        csrf,
        temporary,
    };
    state
        .store
        .create_session(&token::digest(&secret), &session)?;
    Ok(Started {
        set_cookie: set_cookie(state, Some(&secret)),
        session,
    })
}

/// The live session of the request, with the store key (the token's digest), if any.
pub fn lookup(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, Session)>, ApiError> {
    let Some(secret) = cookie_token(headers) else {
        return Ok(None);
    };
    let key = token::digest(&secret);
    Ok(state.store.session(&key)?.map(|s| (key, s)))
}

/// The session [`lookup`] found for this request, left in its extensions by the CSRF check
/// (which reads it first) for the extractors below.
#[derive(Clone)]
pub struct Found(pub String, pub Session);

/// Whoever a live session belongs to, even one signed in with a temporary password. Only
/// `/me`, the password change and sign-out take this; everything else takes
/// [`CurrentAccount`]. Absent or expired: 401.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub session: Session,
    /// The session's key in the store (the digest of the cookie's token).
    pub key: String,
}

impl SignedIn {
    /// Signed in with a temporary password, or with no password of its own yet.
    pub fn must_change_password(&self) -> bool {
        self.session.temporary || self.account.password_hash.is_none()
    }
}

fn not_signed_in() -> ApiError {
    ApiError::Unauthorized(
        "You are not signed in, or your session has expired. Sign in again \
         (POST /api/v1/auth/sign-in)."
            .into(),
    )
}

impl FromRequestParts<Arc<AppState>> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        if let Some(found) = parts.extensions.get::<SignedIn>() {
            return Ok(found.clone());
        }
        let found = match parts.extensions.remove::<Found>() {
            Some(Found(key, session)) => Some((key, session)),
            None => lookup(state, &parts.headers)?,
        };
        let Some((key, session)) = found else {
            return Err(not_signed_in());
        };
        let Some(account) = state.store.account(session.account)? else {
            // The account is gone: so is the session.
            state.store.delete_session(&key)?;
            return Err(not_signed_in());
        };
        let signed_in = SignedIn {
            account,
            session,
            key,
        };
        parts.extensions.insert(signed_in.clone());
        Ok(signed_in)
    }
}

/// The signed-in account, once it has a password of its own: 401 when not signed in, 403
/// (`password_change_required`) after a sign-in with a temporary password.
#[derive(Debug, Clone)]
pub struct CurrentAccount(pub SignedIn);

impl Deref for CurrentAccount {
    type Target = SignedIn;

    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequestParts<Arc<AppState>> for CurrentAccount {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        if signed_in.must_change_password() {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(CurrentAccount(signed_in))
    }
}

/// A `Set-Cookie` header map, for handlers' responses.
pub fn cookie_headers(value: HeaderValue) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, value);
    headers
}
