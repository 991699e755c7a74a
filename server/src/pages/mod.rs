//! The portal's HTML pages: sign-in, sign-up, password change, the representative's
//! dashboard, new applications, the application page and its forms. Server-rendered with
//! minijinja (autoescape on; templates embedded, one environment built once), no JavaScript.
//! Every page has `<html lang>`, a skip link and the English/French switch (`?lang=fr` sets the
//! `lang` cookie). Every form carries the session's `_csrf` field; errors are shown on the
//! page, with what was typed kept.
//!
//! - `account`: sign-in, sign-up, sign-out, password change (over `auth::flows`).
//! - `applications`: dashboard, new application, application page, form pages.

mod account;
pub(crate) mod applications;
mod forms;
mod password_reset;

use crate::auth::session::{self, SignedIn};
use crate::error::ApiError;
use crate::AppState;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use engine::Lang;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, State};
use std::sync::{Arc, OnceLock};

/// The routes of the pages and the style sheet.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/static/site.css", get(site_css))
        .route(
            "/sign-in",
            get(account::sign_in_page).post(account::sign_in),
        )
        .route(
            "/sign-up",
            get(account::sign_up_page).post(account::sign_up),
        )
        .route("/sign-out", post(account::sign_out))
        .route(
            "/password-reset",
            get(password_reset::forgot_page).post(password_reset::forgot),
        )
        .route(
            "/reset-password",
            get(password_reset::reset_page).post(password_reset::reset),
        )
        .route(
            "/password",
            get(account::password_page).post(account::change_password),
        )
        .route("/", get(applications::dashboard))
        .route(
            "/applications/new",
            get(applications::new_page).post(applications::create),
        )
        .route("/applications/{id}", get(applications::show))
        .route(
            "/applications/{id}/people/{n}/{form}",
            get(forms::form_page).post(forms::save_form),
        )
}

const SITE_CSS: &str = include_str!("site.css");

async fn site_css() -> Response {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        SITE_CSS,
    )
        .into_response()
}

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("message.html", include_str!("templates/message.html")),
    ("sign_in.html", include_str!("templates/sign_in.html")),
    ("sign_up.html", include_str!("templates/sign_up.html")),
    ("password.html", include_str!("templates/password.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    (
        "new_application.html",
        include_str!("templates/new_application.html"),
    ),
    (
        "application.html",
        include_str!("templates/application.html"),
    ),
    ("form_page.html", include_str!("templates/form_page.html")),
    (
        "password_forgot.html",
        include_str!("templates/password_forgot.html"),
    ),
    (
        "password_reset.html",
        include_str!("templates/password_reset.html"),
    ),
    (
        "maintenance.html",
        include_str!("templates/maintenance.html"),
    ),
];

/// `t("English", "Français")`: the text in the page's language (the `lang` variable).
fn translate(state: &State, en: String, fr: String) -> String {
    match state.lookup("lang").as_ref().and_then(Value::as_str) {
        Some("fr") => fr,
        _ => en,
    }
}

/// The template environment, built once. A template that does not compile is a bug caught
/// by the tests.
fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        for (name, source) in TEMPLATES.iter().chain(crate::portal::templates()) {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e:#}"));
        }
        env.add_function("t", translate);
        env
    })
}

/// What every page knows about the request: its language, path, who is signed in.
pub(crate) struct Page {
    pub lang: Lang,
    /// Set when `?lang=` chose the language: the `lang` cookie to send.
    set_lang: Option<HeaderValue>,
    pub path: String,
    pub who: Option<SignedIn>,
    /// The maintenance banner in the page's language, before or during a window.
    pub banner: Option<String>,
}

impl Page {
    pub fn new(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Result<Page, ApiError> {
        let from_query = uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
        let from_cookie = || {
            headers
                .get_all(axum::http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|p| p.trim().split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        };
        let lang = from_query.or_else(from_cookie).unwrap_or_default();
        let set_lang = from_query.map(|l| {
            HeaderValue::from_str(&format!(
                "lang={}; Path=/; SameSite=Lax; Max-Age=31536000",
                l.code()
            ))
            .expect("a language code is a valid header")
        });
        Ok(Page {
            lang,
            set_lang,
            path: uri.path().to_string(),
            who: signed_in(state, headers)?,
            banner: crate::maintenance::banner(state, lang),
        })
    }

    pub fn csrf(&self) -> &str {
        self.who
            .as_ref()
            .map(|w| w.session.csrf.as_str())
            .unwrap_or("")
    }

    /// Renders a template with the page's common variables and `extra`.
    pub fn render(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        extra: Value,
    ) -> Response {
        let base = minijinja::context! {
            lang => self.lang.code(),
            path => self.path.clone(),
            title => title,
            csrf => self.csrf(),
            user => self.who.as_ref().map(|w| w.account.name.clone()),
            banner => self.banner.clone(),
            report => crate::portal::problems::report_link(&self.path),
        };
        let ctx = minijinja::context! { ..extra, ..base };
        let html = environment()
            .get_template(template)
            .and_then(|t| t.render(ctx));
        let mut response = match html {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!("page {template}: {e:#}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!DOCTYPE html><html lang=\"en\"><title>Error</title><p>The page could not be shown. Try again in a moment.</p></html>".to_string()),
                )
                    .into_response()
            }
        };
        if let Some(cookie) = &self.set_lang {
            response.headers_mut().append(SET_COOKIE, cookie.clone());
        }
        response
    }

    /// A page with a title and one message (errors, not found, paper instructions).
    pub fn message(&self, status: StatusCode, title: &str, message: &str, back: &str) -> Response {
        self.render(
            status,
            "message.html",
            title,
            minijinja::context! { message => message, back => back },
        )
    }

    /// The page for an error that is not about a form field.
    pub fn error(&self, e: ApiError) -> Response {
        let (status, message) = status_and_message(e);
        let title = self.tr("Something went wrong", "Un problème est survenu");
        self.message(status, title, &message, "/")
    }

    pub fn not_found(&self) -> Response {
        self.message(
            StatusCode::NOT_FOUND,
            self.tr("Page not found", "Page introuvable"),
            self.tr(
                "There is no such page, or it is not yours to see. Check the address.",
                "Cette page n’existe pas, ou vous n’y avez pas accès. Vérifiez l’adresse.",
            ),
            "/",
        )
    }

    pub fn tr<'s>(&self, en: &'s str, fr: &'s str) -> &'s str {
        match self.lang {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }
}

/// The live session's account, if any (pages answer with a redirect, not a 401).
pub(crate) fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, ApiError> {
    let Some((key, session)) = session::lookup(state, headers)? else {
        return Ok(None);
    };
    Ok(state
        .store
        .account(session.account)?
        .map(|account| SignedIn {
            account,
            session,
            key,
        }))
}

/// A 303 to `to`, with extra headers (cookies).
pub(crate) fn see_other(to: &str, cookies: &[HeaderValue]) -> Response {
    let mut r = Redirect::to(to).into_response();
    for c in cookies {
        r.headers_mut().append(SET_COOKIE, c.clone());
    }
    r
}

/// The status and the message a user can act on, of an error.
pub(crate) fn status_and_message(e: ApiError) -> (StatusCode, String) {
    match e {
        ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m),
        ApiError::BadRequest(m) | ApiError::RuleFailed(m) => (StatusCode::BAD_REQUEST, m),
        ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
        ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
        ApiError::Conflict(m) => (StatusCode::CONFLICT, m),
        ApiError::Locked(m) => (StatusCode::LOCKED, m),
        ApiError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, m),
        ApiError::CsrfRejected => (
            StatusCode::FORBIDDEN,
            "This form was out of date. Reload the page and try again.".into(),
        ),
        ApiError::PasswordChangeRequired => {
            (StatusCode::FORBIDDEN, "Set your own password first.".into())
        }
        ApiError::Internal(detail) => {
            tracing::error!("internal error: {detail}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The server could not complete this request. Try again in a moment.".into(),
            )
        }
    }
}

/// The HTML page the CSRF middleware answers a browser's form post with.
pub(crate) fn csrf_rejected_page() -> Response {
    let page = Page {
        lang: Lang::En,
        set_lang: None,
        path: "/".into(),
        who: None,
        banner: None,
    };
    page.message(
        StatusCode::FORBIDDEN,
        "This form was out of date / Ce formulaire n’était plus à jour",
        "The form did not carry this session’s security token. Go back, reload the page and \
         try again. / Le formulaire ne portait pas le jeton de sécurité de cette session. \
         Revenez en arrière, rechargez la page et réessayez.",
        "/",
    )
}

/// The page for an error met before the page could be set up (a store failure).
pub(crate) fn failed_page(e: ApiError) -> Response {
    let page = Page {
        lang: Lang::En,
        set_lang: None,
        path: "/".into(),
        who: None,
        banner: None,
    };
    page.error(e)
}
