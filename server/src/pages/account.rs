//! Sign-in, sign-up, sign-out and the password change, as pages over `auth::flows`, their
//! messages in the page's language (the password reset's pages are in `password_reset`).
//!
//! Login CSRF: before there is a session, the forms of these pages carry a pre-session token
//! that must equal the `intake_login_csrf` cookie set with the page (double submit): another
//! site cannot sign a browser in to an account of its choosing. (With a session, the CSRF
//! middleware checks the session's token instead.) The JSON API is not concerned: it takes
//! JSON bodies, which a cross-site form cannot send.

use super::{see_other, status_and_message, Page};
use crate::auth::flows::{self, SignUpForm};
use crate::auth::{session, token};
use crate::AppState;
use axum::extract::State;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use minijinja::context;
use serde::Deserialize;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// The pre-session CSRF cookie of the sign-in, sign-up and reset pages.
pub(super) const LOGIN_COOKIE: &str = "intake_login_csrf";

/// The pre-session token of a page without a session: the browser's, or a new one with the
/// cookie that sets it.
pub(super) struct Login {
    token: String,
    set_cookie: Option<HeaderValue>,
}

impl Login {
    pub(super) fn of(state: &AppState, headers: &HeaderMap) -> Login {
        if let Some(token) = login_cookie(headers) {
            return Login {
                token,
                set_cookie: None,
            };
        }
        // Without randomness there is no token to check; the post is then refused with a page
        // that says to try again.
        let token = token::random_token().unwrap_or_default();
        let secure = if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let set_cookie = HeaderValue::from_str(&format!(
            "{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{secure}"
        ))
        .ok();
        Login { token, set_cookie }
    }

    /// Renders the page with this token as the form's `_csrf` and sets its cookie if new.
    pub(super) fn render(
        &self,
        page: &Page,
        status: StatusCode,
        template: &str,
        title: &str,
        extra: minijinja::Value,
    ) -> Response {
        let csrf = if page.who.is_some() {
            page.csrf().to_string()
        } else {
            self.token.clone()
        };
        let mut response = page.render(status, template, title, context! { csrf => csrf, ..extra });
        if let Some(cookie) = &self.set_cookie {
            response.headers_mut().append(SET_COOKIE, cookie.clone());
        }
        response
    }
}

pub(super) fn login_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == LOGIN_COOKIE)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The start of a form post made before signing in: the page, its pre-session token, and the
/// message to show (the form again, with what was typed) when the post's token is refused.
pub(super) fn login_post(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    sent: &str,
) -> Result<(Page, Login, Option<String>), Box<Response>> {
    let page = Page::new(state, uri, headers).map_err(|e| Box::new(super::failed_page(e)))?;
    let login = Login::of(state, headers);
    let refused = (!login_csrf_ok(&page, headers, sent)).then(|| login_csrf_message(&page));
    Ok((page, login, refused))
}

/// Whether a form post without a session carries the pre-session token of its cookie. (With
/// a session, the CSRF middleware has checked the session's token already.)
fn login_csrf_ok(page: &Page, headers: &HeaderMap, sent: &str) -> bool {
    page.who.is_some()
        || login_cookie(headers).is_some_and(|cookie| token::same(sent.trim(), &cookie))
}

/// The message of a form refused for its pre-session token.
fn login_csrf_message(page: &Page) -> String {
    page.tr(
        "This form was out of date (or your browser does not keep cookies for this site). It is \
         shown again: check what you typed and send it once more.",
        "Ce formulaire n’était plus à jour (ou votre navigateur ne garde pas les témoins de ce \
         site). Il est affiché de nouveau : vérifiez votre saisie et envoyez-la encore une fois.",
    )
    .to_string()
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default, rename = "_csrf", skip_serializing)]
    csrf: String,
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct SignUpPost {
    #[serde(default, rename = "_csrf", skip_serializing)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    email_confirmation: String,
    #[serde(default, skip_serializing)]
    password: String,
}

#[derive(Deserialize)]
pub struct PasswordPost {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

fn sign_in_view(
    page: &Page,
    login: &Login,
    status: StatusCode,
    form: &SignInForm,
    error: Option<String>,
) -> Response {
    login.render(
        page,
        status,
        "sign_in.html",
        page.tr("Sign in", "Se connecter"),
        context! { form => minijinja::Value::from(minijinja::value::Serde(form)), error => error },
    )
}

pub async fn sign_in_page(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    match Page::new(&state, &uri, &headers) {
        Ok(page) => sign_in_view(
            &page,
            &Login::of(&state, &headers),
            StatusCode::OK,
            &SignInForm::default(),
            None,
        ),
        Err(e) => super::failed_page(e),
    }
}

pub async fn sign_in(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let (page, login, refused) = match login_post(&state, &uri, &headers, &form.csrf) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Some(message) = refused {
        return sign_in_view(&page, &login, StatusCode::FORBIDDEN, &form, Some(message));
    }
    match flows::sign_in_in(&state, form.email.trim(), &form.password, page.lang).await {
        Ok((account, temporary)) => match session::start(&state, &account, temporary) {
            Ok(started) => {
                // The old session of this browser, if any, ends.
                if let Some(old) = &page.who {
                    let _ = state.store.delete_session(&old.key);
                }
                let to = if temporary || account.password_hash.is_none() {
                    "/password"
                } else {
                    "/"
                };
                see_other(to, &[started.set_cookie])
            }
            Err(e) => page.error(e),
        },
        Err(e) => {
            let (status, message) = status_and_message(e);
            sign_in_view(&page, &login, status, &form, Some(message))
        }
    }
}

fn sign_up_view(
    page: &Page,
    login: &Login,
    status: StatusCode,
    form: &SignUpPost,
    error: Option<String>,
) -> Response {
    login.render(
        page,
        status,
        "sign_up.html",
        page.tr(
            "Create a representative account",
            "Créer un compte de représentant",
        ),
        context! { form => minijinja::Value::from(minijinja::value::Serde(form)), error => error },
    )
}

pub async fn sign_up_page(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    match Page::new(&state, &uri, &headers) {
        Ok(page) => sign_up_view(
            &page,
            &Login::of(&state, &headers),
            StatusCode::OK,
            &SignUpPost::default(),
            None,
        ),
        Err(e) => super::failed_page(e),
    }
}

pub async fn sign_up(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignUpPost>,
) -> Response {
    let (page, login, refused) = match login_post(&state, &uri, &headers, &form.csrf) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Some(message) = refused {
        return sign_up_view(&page, &login, StatusCode::FORBIDDEN, &form, Some(message));
    }
    let created = flows::sign_up_in(
        &state,
        &SignUpForm {
            name: &form.name,
            email: &form.email,
            email_confirmation: &form.email_confirmation,
            password: &form.password,
        },
        page.lang,
    )
    .await;
    match created.and_then(|account| session::start(&state, &account, false)) {
        Ok(started) => {
            if let Some(old) = &page.who {
                let _ = state.store.delete_session(&old.key);
            }
            see_other("/", &[started.set_cookie])
        }
        Err(e) => {
            let (status, message) = status_and_message(e);
            sign_up_view(&page, &login, status, &form, Some(message))
        }
    }
}

pub async fn sign_out(State(state): Shared, headers: HeaderMap) -> Response {
    if let Ok(Some((key, _))) = session::lookup(&state, &headers) {
        if let Err(e) = state.store.delete_session(&key) {
            tracing::error!("sign-out: {e}");
        }
    }
    see_other("/sign-in", &[session::set_cookie(&state, None)])
}

fn password_view(page: &Page, status: StatusCode, error: Option<String>) -> Response {
    let temporary = page.who.as_ref().is_some_and(|w| w.must_change_password());
    page.render(
        status,
        "password.html",
        page.tr("Change your password", "Changer votre mot de passe"),
        context! { temporary => temporary, error => error },
    )
}

pub async fn password_page(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    match Page::new(&state, &uri, &headers) {
        Ok(page) if page.who.is_none() => see_other("/sign-in", &[]),
        Ok(page) => password_view(&page, StatusCode::OK, None),
        Err(e) => super::failed_page(e),
    }
}

pub async fn change_password(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<PasswordPost>,
) -> Response {
    let page = match Page::new(&state, &uri, &headers) {
        Ok(p) => p,
        Err(e) => return super::failed_page(e),
    };
    let Some(who) = &page.who else {
        return see_other("/sign-in", &[]);
    };
    let changed = flows::change_password_in(
        &state,
        &who.account,
        &form.current_password,
        &form.new_password,
        page.lang,
    )
    .await;
    match changed.and_then(|account| session::start(&state, &account, false)) {
        Ok(started) => see_other("/", &[started.set_cookie]),
        Err(e) => {
            let (status, message) = status_and_message(e);
            password_view(&page, status, Some(message))
        }
    }
}
