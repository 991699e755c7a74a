//! Maintenance windows (from the configuration): a banner on every page in the days before a
//! window, and during it every state-changing request (POST, PUT, PATCH, DELETE) refused with
//! 503 and `Retry-After` (the seconds to the window's end). The API answers JSON; a page's
//! form post gets a page that explains the window and carries what was typed, as hidden
//! fields of a form with a "Try again" button posting to the same address, so nothing typed
//! is lost. Reading keeps working, and so do the requests that change nothing stored for an
//! application: signing in and out, and the stateless validate and decide API.
//!
//! The clock is the configuration's ([`crate::config::Config::now`]), so tests can set it.

use crate::config::{format_utc, Window};
use crate::error::ErrorBody;
use crate::pages::Page;
use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use engine::Lang;
use std::sync::Arc;

/// How long before a window the banner shows (72 hours).
pub const BANNER_AHEAD: u64 = 72 * 3600;
/// The largest form body echoed back (bigger posts are file uploads).
const ECHO_LIMIT: usize = 2 * 1024 * 1024;

/// Where the clock stands against the windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase<'w> {
    /// No window now or within [`BANNER_AHEAD`].
    Normal,
    /// A window starts within [`BANNER_AHEAD`].
    Upcoming(&'w Window),
    /// A window is on.
    During(&'w Window),
}

/// The phase at `now` (a window that is on wins over one to come).
pub fn phase(windows: &[Window], now: u64) -> Phase<'_> {
    if let Some(w) = windows.iter().find(|w| w.from <= now && now < w.to) {
        return Phase::During(w);
    }
    windows
        .iter()
        .filter(|w| w.from > now && w.from - now <= BANNER_AHEAD)
        .min_by_key(|w| w.from)
        .map_or(Phase::Normal, Phase::Upcoming)
}

/// The text of the banner every page shows before or during a window, in the page's language.
pub fn banner(state: &AppState, lang: Lang) -> Option<String> {
    let (w, during) = match phase(&state.config.maintenance, state.config.now()) {
        Phase::Normal => return None,
        Phase::Upcoming(w) => (w, false),
        Phase::During(w) => (w, true),
    };
    let (from, to) = (format_utc(w.from), format_utc(w.to));
    let mut text = match (lang, during) {
        (Lang::En, false) => format!(
            "Planned maintenance from {from} to {to}. During it you can read your applications \
             but not change them: save your work before it starts."
        ),
        (Lang::Fr, false) => format!(
            "Maintenance prévue du {from} au {to}. Pendant ce temps, vous pourrez consulter vos \
             demandes mais pas les modifier : enregistrez votre travail avant le début."
        ),
        (Lang::En, true) => format!(
            "Maintenance until {to}: you can read your applications, but changes are refused \
             until then."
        ),
        (Lang::Fr, true) => format!(
            "Maintenance jusqu’au {to} : vous pouvez consulter vos demandes, mais les \
             modifications sont refusées jusque-là."
        ),
    };
    let extra = match lang {
        Lang::En => &w.message_en,
        Lang::Fr => &w.message_fr,
    };
    if let Some(extra) = extra.as_deref().filter(|m| !m.trim().is_empty()) {
        text.push(' ');
        text.push_str(extra.trim());
    }
    Some(text)
}

/// Whether a state-changing request may go through even during a window: it changes nothing
/// the maintenance protects.
fn allowed_during(method: &Method, path: &str) -> bool {
    if !matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return true;
    }
    matches!(
        path,
        "/sign-in" | "/sign-out" | "/api/v1/auth/sign-in" | "/api/v1/auth/sign-out"
    ) || (path.starts_with("/api/v1/programs/")
        && (path.ends_with("/decide") || path.ends_with("/validate")))
}

/// The middleware (layered over the whole router in `crate::router`).
pub async fn refuse_during(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if allowed_during(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let now = state.config.now();
    let Phase::During(window) = phase(&state.config.maintenance, now) else {
        return next.run(request).await;
    };
    let retry_after = window.to - now;
    let mut response = if request.uri().path().starts_with("/api/") {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(ErrorBody {
                error: "maintenance",
                message: format!(
                    "The portal is under maintenance until {}: nothing can be changed until \
                     then. Send the same request again after the time in Retry-After \
                     (seconds).",
                    format_utc(window.to)
                ),
            }),
        )
            .into_response()
    } else {
        refused_page(&state, window, request).await
    };
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, v);
    }
    response
}

/// The page a form post gets during a window: what happened, when to try again, and a form
/// that posts the same fields again.
async fn refused_page(state: &AppState, window: &Window, request: Request) -> Response {
    let page = match Page::new(state, request.uri(), request.headers()) {
        Ok(p) => p,
        Err(e) => return crate::pages::failed_page(e),
    };
    let action = request.uri().to_string();
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    // A file upload (multipart) cannot be echoed: its file must be chosen again.
    let fields: Option<Vec<(String, String)>> = if is_form {
        let (parts, body) = request.into_parts();
        match axum::body::to_bytes(body, ECHO_LIMIT).await {
            Ok(bytes) => {
                let request = Request::from_parts(parts, Body::from(bytes));
                Form::<Vec<(String, String)>>::from_request(request, &())
                    .await
                    .ok()
                    .map(|Form(f)| f)
            }
            Err(_) => None,
        }
    } else {
        None
    };
    let until = format_utc(window.to);
    let explain = match page.lang {
        Lang::En => format!(
            "The portal is under maintenance until {until}, and nothing can be changed until \
             then. What you typed is kept on this page: leave it open and press “Try again” \
             after {until}."
        ),
        Lang::Fr => format!(
            "Le portail est en maintenance jusqu’au {until}, et rien ne peut être modifié d’ici \
             là. Ce que vous avez saisi est conservé sur cette page : laissez-la ouverte et \
             appuyez sur « Réessayer » après le {until}."
        ),
    };
    let mut lost = fields.is_none().then(|| {
        page.tr(
            "A file you were sending could not be kept: choose it again when you try again.",
            "Un fichier que vous envoyiez n’a pas pu être conservé : choisissez-le de nouveau \
             en réessayant.",
        )
    });
    // Passwords are never written back into a page (it may be cached or looked at).
    let mut fields = fields.unwrap_or_default();
    let before = fields.len();
    fields.retain(|(name, _)| !name.contains("password"));
    if fields.len() < before {
        lost = Some(page.tr(
            "For your security, passwords are not kept: type them again when you try again.",
            "Pour votre sécurité, les mots de passe ne sont pas conservés : tapez-les de nouveau \
             en réessayant.",
        ));
    }
    let fields: Vec<minijinja::Value> = fields
        .into_iter()
        .map(|(name, value)| minijinja::context! { name => name, value => value })
        .collect();
    page.render(
        StatusCode::SERVICE_UNAVAILABLE,
        "maintenance.html",
        page.tr("Under maintenance", "Maintenance en cours"),
        minijinja::context! {
            explain => explain,
            lost => lost,
            action => action,
            fields => fields,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from: u64, to: u64) -> Window {
        Window {
            from,
            to,
            message_en: None,
            message_fr: None,
        }
    }

    #[test]
    fn phases() {
        let windows = [window(1_000_000, 1_003_600)];
        assert_eq!(phase(&windows, 0), Phase::Normal);
        assert_eq!(
            phase(&windows, 1_000_000 - BANNER_AHEAD),
            Phase::Upcoming(&windows[0])
        );
        assert_eq!(phase(&windows, 1_000_000), Phase::During(&windows[0]));
        assert_eq!(phase(&windows, 1_003_599), Phase::During(&windows[0]));
        assert_eq!(phase(&windows, 1_003_600), Phase::Normal);
    }

    #[test]
    fn what_goes_through_during_a_window() {
        assert!(allowed_during(&Method::GET, "/applications/1"));
        assert!(allowed_during(&Method::POST, "/sign-out"));
        assert!(allowed_during(
            &Method::POST,
            "/api/v1/programs/visitor-visa/decide"
        ));
        assert!(!allowed_during(&Method::POST, "/applications/new"));
        assert!(!allowed_during(
            &Method::DELETE,
            "/api/v1/applications/1/documents/x"
        ));
    }
}
