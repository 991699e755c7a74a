//! "Report a problem": every page's footer links to a form carrying the page's path and the
//! application number the page shows (if any); the description is required; the report is
//! stored with the time and the signed-in account (if any), and the confirmation gives its
//! reference number. Signed in or not. The same through `POST /api/v1/problems`, and the
//! development page `/dev/problems` (with `--dev-pages`) lists every report.

use crate::error::{ApiError, ErrorBody};
use crate::pages::applications::when;
use crate::pages::{status_and_message, Page};
use crate::store::{application_number, parse_application_number, NewProblem, ProblemReport};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use engine::Lang;
use minijinja::context;
use minijinja::value::Value;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::OpenApi;

type Shared = State<Arc<AppState>>;

/// The longest description kept.
const DESCRIPTION_MAX: usize = 5000;
/// The longest page path kept.
const PAGE_MAX: usize = 500;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/problems/new", get(form_page))
        .route("/problems", post(report_page))
        .route("/api/v1/problems", post(report_api))
        .route("/dev/problems", get(dev_page))
}

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "problems_form.html",
        include_str!("templates/problems_form.html"),
    ),
    (
        "problems_done.html",
        include_str!("templates/problems_done.html"),
    ),
    (
        "problems_dev.html",
        include_str!("templates/problems_dev.html"),
    ),
];

#[derive(OpenApi)]
#[openapi(
    paths(report_api),
    components(schemas(ProblemPost, ProblemAnswer)),
    tags((name = "problems", description = "Report a problem"))
)]
struct ProblemsDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    ProblemsDoc::openapi()
}

/// The footer's link for a page: the report form with the page's path and, on an
/// application's pages (`…/applications/{id}/…`, the representative's and the client's), its
/// number.
pub(crate) fn report_link(path: &str) -> String {
    let mut link = format!("/problems/new?page={}", encode(path));
    let number = path
        .split_once("/applications/")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(parse_application_number);
    if let Some(id) = number {
        link.push_str("&application=");
        link.push_str(&application_number(id));
    }
    link
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A problem report, as posted by the page or the API.
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema, utoipa::IntoParams)]
pub struct ProblemPost {
    /// The path of the page the problem is about (e.g. `/applications/12`).
    #[serde(default)]
    pub page: String,
    /// The application number the page showed (`A000000012`), if any.
    #[serde(default)]
    pub application: String,
    /// What happened (required, at most 5000 characters).
    #[serde(default)]
    pub description: String,
}

/// A stored report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemAnswer {
    /// The reference number to quote (`P000012`).
    pub reference: String,
    /// When it was recorded, Unix seconds.
    pub at: u64,
    pub page: String,
    pub application: Option<String>,
    pub message: String,
}

/// The page's path if it is one of this site's (`/…`, not `//host/…`), else `/`: the
/// confirmation links back to it.
fn local_path(page: &str) -> String {
    let p = page.trim();
    if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') {
        p.chars().take(PAGE_MAX).collect()
    } else {
        "/".into()
    }
}

/// `P` and six digits.
pub fn reference(id: u64) -> String {
    format!("P{id:06}")
}

/// Checks a report and stores it; the error message is in `lang`.
fn report(
    state: &AppState,
    post: &ProblemPost,
    account: Option<u64>,
    lang: Lang,
) -> Result<ProblemReport, ApiError> {
    let tr = |en: &str, fr: &str| match lang {
        Lang::En => en.to_string(),
        Lang::Fr => fr.to_string(),
    };
    let description = post.description.trim();
    if description.is_empty() {
        return Err(ApiError::BadRequest(tr(
            "Describe the problem: what you were doing, what you expected and what you saw.",
            "Décrivez le problème : ce que vous faisiez, ce que vous attendiez et ce qui s’est \
             passé.",
        )));
    }
    if description.chars().count() > DESCRIPTION_MAX {
        return Err(ApiError::BadRequest(tr(
            "The description is too long: shorten it to at most 5000 characters.",
            "La description est trop longue : réduisez-la à 5000 caractères au plus.",
        )));
    }
    let application =
        match post.application.trim() {
            "" => None,
            text => match parse_application_number(text) {
                Some(id) => Some(application_number(id)),
                None => return Err(ApiError::BadRequest(tr(
                    "The application number is written like A000001234. Correct it or leave it \
                     empty.",
                    "Le numéro de demande s’écrit comme A000001234. Corrigez-le ou laissez-le \
                     vide.",
                ))),
            },
        };
    let page = local_path(&post.page);
    Ok(state.store.report_problem(&NewProblem {
        page,
        application,
        description: description.to_string(),
        account,
    })?)
}

fn form_view(
    page: &Page,
    status: StatusCode,
    form: &ProblemPost,
    error: Option<String>,
) -> Response {
    page.render(
        status,
        "problems_form.html",
        page.tr("Report a problem", "Signaler un problème"),
        context! { form => Value::from(minijinja::value::Serde(form)), error => error },
    )
}

/// The form, for the page in `?page=` (and the application in `?application=`).
pub async fn form_page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Query(mut form): Query<ProblemPost>,
) -> Response {
    let page = match Page::new(&state, &uri, &headers) {
        Ok(p) => p,
        Err(e) => return crate::pages::failed_page(e),
    };
    form.page = local_path(&form.page);
    form.description.clear();
    form_view(&page, StatusCode::OK, &form, None)
}

/// Stores the report and confirms it with its reference; a refused report comes back with
/// what was typed.
pub async fn report_page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ProblemPost>,
) -> Response {
    let page = match Page::new(&state, &uri, &headers) {
        Ok(p) => p,
        Err(e) => return crate::pages::failed_page(e),
    };
    let account = page.who.as_ref().map(|w| w.account.id);
    match report(&state, &form, account, page.lang) {
        Ok(stored) => page.render(
            StatusCode::OK,
            "problems_done.html",
            page.tr("Problem reported", "Problème signalé"),
            context! { reference => reference(stored.id), back => stored.page },
        ),
        Err(e) => {
            let (status, message) = status_and_message(e);
            form_view(&page, status, &form, Some(message))
        }
    }
}

/// Report a problem with a page of the portal; signed in or not. Answers the reference to
/// quote.
#[utoipa::path(post, path = "/api/v1/problems", tag = "problems",
    request_body = ProblemPost,
    responses((status = 201, body = ProblemAnswer), (status = 400, body = ErrorBody)))]
pub async fn report_api(
    State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ProblemAnswer>), ApiError> {
    let post: ProblemPost = crate::auth::parse_body(&body)?;
    let account = crate::pages::signed_in(&state, &headers)?.map(|w| w.account.id);
    let stored = report(&state, &post, account, Lang::En)?;
    Ok((
        StatusCode::CREATED,
        Json(ProblemAnswer {
            reference: reference(stored.id),
            at: stored.at,
            page: stored.page,
            application: stored.application,
            message: format!(
                "Thank you: the report is recorded as {}. Quote this reference if you contact \
                 us about it.",
                reference(stored.id)
            ),
        }),
    ))
}

/// Development only: every report, oldest first.
pub async fn dev_page(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    let page = match Page::new(&state, &uri, &headers) {
        Ok(p) => p,
        Err(e) => return crate::pages::failed_page(e),
    };
    if !state.config.dev_pages {
        return page.not_found();
    }
    let reports = match state.store.problem_reports() {
        Ok(r) => r,
        Err(e) => return page.error(e.into()),
    };
    let email = |id: Option<u64>| {
        id.and_then(|id| state.store.account(id).ok().flatten())
            .map(|a| a.email)
    };
    let reports: Vec<Value> = reports
        .into_iter()
        .map(|r| {
            context! {
                reference => reference(r.id),
                at => when(r.at),
                page => r.page,
                application => r.application,
                account => email(r.account),
                description => r.description,
            }
        })
        .collect();
    page.render(
        StatusCode::OK,
        "problems_dev.html",
        page.tr("Problem reports", "Problèmes signalés"),
        context! { reports => reports },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_link_carries_the_page_and_the_application() {
        assert_eq!(
            super::report_link("/applications/12/people/0/imm5257"),
            "/problems/new?page=/applications/12/people/0/imm5257&application=A000000012"
        );
        assert_eq!(
            super::report_link("/sign in"),
            "/problems/new?page=/sign%20in"
        );
        assert!(super::report_link("/client/applications/7").ends_with("&application=A000000007"));
        assert!(!super::report_link("/applications/new").contains("application="));
        assert_eq!(super::local_path("//evil.example/x"), "/");
        assert_eq!(super::local_path("https://evil.example"), "/");
        assert_eq!(super::local_path("/applications/2"), "/applications/2");
    }
}
