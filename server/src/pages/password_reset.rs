//! The password reset as pages: ask for a link (`/password-reset`, rate limited per email
//! and per client address), then choose a new password with it (`/reset-password?token=`).
//! Their forms carry the pre-session CSRF token of `account`.

use super::account::{login_post, Login};
use super::{status_and_message, Page};
use crate::auth::flows;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use minijinja::context;
use serde::Deserialize;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

#[derive(Deserialize, Default, serde::Serialize)]
pub struct ForgotPost {
    #[serde(default)]
    email: String,
    #[serde(default, rename = "_csrf", skip_serializing)]
    csrf: String,
}

fn forgot_view(
    page: &Page,
    login: &Login,
    status: StatusCode,
    form: &ForgotPost,
    error: Option<String>,
    sent: bool,
) -> Response {
    login.render(
        page,
        status,
        "password_forgot.html",
        page.tr("Forgot your password?", "Mot de passe oublié ?"),
        context! {
            form => minijinja::Value::from(minijinja::value::Serde(form)),
            error => error,
            sent => sent,
        },
    )
}

/// Ask for a reset link.
pub async fn forgot_page(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    match Page::new(&state, &uri, &headers) {
        Ok(page) => forgot_view(
            &page,
            &Login::of(&state, &headers),
            StatusCode::OK,
            &ForgotPost::default(),
            None,
            false,
        ),
        Err(e) => super::failed_page(e),
    }
}

/// Queues the reset link (when an account has the email; the answer is the same either
/// way), under the rate limits.
pub async fn forgot(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    extensions: Extensions,
    Form(form): Form<ForgotPost>,
) -> Response {
    let (page, login, refused) = match login_post(&state, &uri, &headers, &form.csrf) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Some(message) = refused {
        return forgot_view(
            &page,
            &login,
            StatusCode::FORBIDDEN,
            &form,
            Some(message),
            false,
        );
    }
    if !flows::plausible_email(form.email.trim()) {
        let message = page.tr(
            "Enter the email address of your account, as name@example.com.",
            "Entrez l’adresse courriel de votre compte, sous la forme nom@exemple.com.",
        );
        return forgot_view(
            &page,
            &login,
            StatusCode::BAD_REQUEST,
            &form,
            Some(message.into()),
            false,
        );
    }
    let from = crate::auth::reset::client_address(&extensions);
    match flows::request_reset_in(&state, form.email.trim(), from, page.lang) {
        Ok(Ok(())) => forgot_view(&page, &login, StatusCode::OK, &form, None, true),
        Ok(Err(limited)) => {
            let mut r = forgot_view(
                &page,
                &login,
                StatusCode::TOO_MANY_REQUESTS,
                &form,
                Some(limited.message),
                false,
            );
            if let Ok(v) = HeaderValue::from_str(&limited.retry_after.to_string()) {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            r
        }
        Err(e) => {
            let (status, message) = status_and_message(e);
            forgot_view(&page, &login, status, &form, Some(message), false)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ResetQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize, Default)]
pub struct ResetPost {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn reset_view(
    page: &Page,
    login: &Login,
    status: StatusCode,
    token: &str,
    error: Option<String>,
) -> Response {
    login.render(
        page,
        status,
        "password_reset.html",
        page.tr("Choose a new password", "Choisir un nouveau mot de passe"),
        context! { token => token, error => error },
    )
}

/// The emailed link's page: choose a new password.
pub async fn reset_page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<ResetQuery>,
) -> Response {
    match Page::new(&state, &uri, &headers) {
        Ok(page) => reset_view(
            &page,
            &Login::of(&state, &headers),
            StatusCode::OK,
            &q.token,
            None,
        ),
        Err(e) => super::failed_page(e),
    }
}

/// Sets the new password with the link's token; then the person signs in with it.
pub async fn reset(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ResetPost>,
) -> Response {
    let (page, login, refused) = match login_post(&state, &uri, &headers, &form.csrf) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Some(message) = refused {
        return reset_view(
            &page,
            &login,
            StatusCode::FORBIDDEN,
            &form.token,
            Some(message),
        );
    }
    match flows::reset_password_in(&state, &form.token, &form.new_password, page.lang).await {
        Ok(_) => page.message(
            StatusCode::OK,
            page.tr("Your password is set", "Votre mot de passe est enregistré"),
            page.tr(
                "Your password is set and your account is unlocked. Sign in with your new \
                 password.",
                "Votre mot de passe est enregistré et votre compte est déverrouillé. \
                 Connectez-vous avec votre nouveau mot de passe.",
            ),
            "/sign-in",
        ),
        Err(e) => {
            let (status, message) = status_and_message(e);
            reset_view(&page, &login, status, &form.token, Some(message))
        }
    }
}
