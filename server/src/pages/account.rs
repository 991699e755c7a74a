//! Sign-in, sign-up, sign-out and the password change, as pages over `auth::flows`.

use super::{see_other, status_and_message, Page};
use crate::auth::flows::{self, SignUpForm};
use crate::auth::session;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use minijinja::context;
use serde::Deserialize;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

#[derive(Deserialize, Default, serde::Serialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct SignUpPost {
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
    status: StatusCode,
    form: &SignInForm,
    error: Option<String>,
) -> Response {
    page.render(
        status,
        "sign_in.html",
        page.tr("Sign in", "Se connecter"),
        context! { form => minijinja::Value::from(minijinja::value::Serde(form)), error => error },
    )
}

pub async fn sign_in_page(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    match Page::new(&state, &uri, &headers) {
        Ok(page) => sign_in_view(&page, StatusCode::OK, &SignInForm::default(), None),
        Err(e) => super::failed_page(e),
    }
}

pub async fn sign_in(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let page = match Page::new(&state, &uri, &headers) {
        Ok(p) => p,
        Err(e) => return super::failed_page(e),
    };
    match flows::sign_in(&state, form.email.trim(), &form.password).await {
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
            sign_in_view(&page, status, &form, Some(message))
        }
    }
}

fn sign_up_view(
    page: &Page,
    status: StatusCode,
    form: &SignUpPost,
    error: Option<String>,
) -> Response {
    page.render(
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
        Ok(page) => sign_up_view(&page, StatusCode::OK, &SignUpPost::default(), None),
        Err(e) => super::failed_page(e),
    }
}

pub async fn sign_up(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignUpPost>,
) -> Response {
    let page = match Page::new(&state, &uri, &headers) {
        Ok(p) => p,
        Err(e) => return super::failed_page(e),
    };
    let created = flows::sign_up(
        &state,
        &SignUpForm {
            name: &form.name,
            email: &form.email,
            email_confirmation: &form.email_confirmation,
            password: &form.password,
        },
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
            sign_up_view(&page, status, &form, Some(message))
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
    let changed = flows::change_password(
        &state,
        &who.account,
        &form.current_password,
        &form.new_password,
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
