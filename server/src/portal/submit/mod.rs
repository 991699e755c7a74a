//! Submitting an application: what is missing (the application page's submit section), the
//! submit itself (page and API), the decision shown in plain words, and the linked
//! applications a decision creates (the two of a Ukraine 2022 OWP).
//!
//! - `check`: the decision on the document as it stands and what blocks the submit.
//! - `submitting`: the submit (durable, capped, duplicates refused).
//! - `linked`: the applications a decision creates, and creating them again when the submit
//!   could not.
//! - `view`: blockers and stored decisions in the page's language.

pub(crate) mod check;
pub(crate) mod linked;
pub(crate) mod submitting;
pub(crate) mod view;

use super::AppView;
use crate::auth::session::CurrentAccount;
use crate::error::{ApiError, ErrorBody};
use crate::pages::applications::{own, program_title, status_text, when, Own, Shared};
use crate::pages::{see_other, status_and_message, Page};
use crate::store::{parse_application_number, Account, Application, Role};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use check::{readiness, Blocker};
use engine::{Date, Lang};
use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use submitting::{submit, Refused};
use utoipa::OpenApi;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/applications/{id}/submit", post(submit_page))
        .route("/api/v1/applications/{id}", get(api_application))
        .route("/api/v1/applications/{id}/submit", post(api_submit))
        .route("/applications/{id}/linked", post(linked::linked_page))
        .route("/api/v1/applications/{id}/linked", post(linked::api_linked))
}

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "submit_section.html",
        include_str!("templates/submit_section.html"),
    ),
    ("decision.html", include_str!("templates/decision.html")),
    (
        "submit_refused.html",
        include_str!("templates/submit_refused.html"),
    ),
];

#[derive(OpenApi)]
#[openapi(
    paths(api_application, api_submit, linked::api_linked),
    components(schemas(
        ApplicationDetail,
        SubmitAnswer,
        Blocker,
        check::Words,
        Linked,
        linked::CreatedAnswer
    ))
)]
struct SubmitDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    SubmitDoc::openapi()
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Linked {
    pub id: u64,
    pub number: String,
    pub program: String,
}

impl Linked {
    /// How a linked application is named: its number and its program's title.
    pub(crate) fn of(state: &AppState, app: &Application, lang: Lang) -> Linked {
        Linked {
            id: app.id,
            number: app.number(),
            program: program_title(state, &app.program, lang),
        }
    }
}

fn linked(state: &AppState, app: &Application, lang: Lang) -> Option<Linked> {
    let other = state.store.application(app.linked?).ok()??;
    Some(Linked::of(state, &other, lang))
}

/// This concern's section of the application page: the decision if there is one, links to
/// the linked application, and what is missing before a submit (or the submit button).
pub(crate) fn section(v: &AppView) -> Option<Value> {
    let lang = v.page.lang;
    let stored = v.state.store.decision(v.app.id).unwrap_or_else(|e| {
        tracing::error!("decision of {}: {e}", v.app.number());
        None
    });
    let decision = stored
        .as_ref()
        .map(|d| view::decision(&d.decision, lang, &view::names(v.doc)));
    // A linked application the submit could not create: offered again.
    let to_create: Vec<String> = stored
        .as_ref()
        .map(|d| linked::awaiting(v.app, &d.decision))
        .unwrap_or_default()
        .iter()
        .map(|p| program_title(v.state, p, lang))
        .collect();
    let mut groups = Vec::new();
    let mut problem = None;
    if v.app.status.can_submit() {
        match v.decided {
            Ok((decision, doc)) => {
                let blockers = check::blockers(v.app.id, v.program, doc, decision);
                groups = view::groups(&blockers, doc, lang);
            }
            Err(message) => problem = Some(message.clone()),
        }
    }
    Some(context! {
        id => v.app.id,
        can_submit => v.app.status.can_submit(),
        groups => Value::from(Serde(&groups)),
        problem => problem,
        decision => decision.map(|d| Value::from(Serde(&d))),
        decided => v.app.decided.map(when),
        linked => linked(v.state, v.app, lang).map(|l| Value::from(Serde(&l))),
        to_create => to_create,
    })
}

/// `POST /applications/{id}/submit`: submits, then shows the application with its decision;
/// refused with 409 and the list of what is missing when something blocks it.
async fn submit_page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Own {
        page,
        me,
        app,
        program,
        ..
    } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let back = format!("/applications/{}", app.id);
    match submit(&state, &me, &app, &program, page.lang).await {
        Ok(_) => see_other(&format!("{back}#submit"), &[]),
        Err(Refused::Incomplete(blockers)) => refused_page(&state, &page, &app, &blockers),
        Err(Refused::Error(e)) => {
            let (status, message) = status_and_message(e);
            page.message(
                status,
                page.tr(
                    "The application was not submitted",
                    "La demande n’a pas été soumise",
                ),
                &message,
                &back,
            )
        }
    }
}

fn refused_page(
    state: &AppState,
    page: &Page,
    app: &Application,
    blockers: &[Blocker],
) -> Response {
    let doc = state
        .store
        .application_data(app.id)
        .ok()
        .flatten()
        .unwrap_or_else(|| json!({}));
    let groups = view::groups(blockers, &doc, page.lang);
    page.render(
        StatusCode::CONFLICT,
        "submit_refused.html",
        page.tr(
            "The application cannot be submitted yet",
            "La demande ne peut pas encore être soumise",
        ),
        context! { id => app.id, number => app.number(), groups => Value::from(Serde(&groups)) },
    )
}

/// The application as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApplicationDetail {
    pub id: u64,
    /// `A000000042`.
    pub number: String,
    pub program: String,
    /// draft, submitted, returned, accepted or paper_only.
    pub status: String,
    pub status_text: String,
    pub client: String,
    pub created: u64,
    pub updated: u64,
    pub decided: Option<u64>,
    /// The version of the program that made the latest decision.
    pub program_version: Option<String>,
    /// The latest decision (the engine's, with its trace), if any.
    #[schema(value_type = Object)]
    pub decision: Option<serde_json::Value>,
    /// What blocks a submit (empty once submitted, or when ready).
    pub missing: Vec<Blocker>,
    pub linked: Option<Linked>,
}

/// What a submit answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SubmitAnswer {
    pub application: ApplicationDetail,
    /// The applications the decision created, linked with this one.
    pub created: Vec<Linked>,
}

/// The API's language: `?lang=fr`, else `Accept-Language` starting with `fr`, else English.
pub(crate) fn api_lang(uri: &Uri, headers: &HeaderMap) -> Lang {
    let asked = uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    });
    asked.unwrap_or_else(|| {
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.trim_start().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    })
}

fn not_found() -> ApiError {
    ApiError::NotFound(
        "There is no such application among yours. Check the application number \
         (GET /api/v1/applications lists yours)."
            .into(),
    )
}

/// The application `id` if `me` may see it: its representative, or (reading only) its client.
pub(crate) fn visible(
    state: &AppState,
    me: &Account,
    id: &str,
    reading: bool,
) -> Result<Application, ApiError> {
    let id = parse_application_number(id).ok_or_else(not_found)?;
    let app = state.store.application(id)?.ok_or_else(not_found)?;
    match me.role {
        Role::Representative if app.representative == me.id => Ok(app),
        Role::Client if app.client == me.id && reading => Ok(app),
        Role::Client if app.client == me.id => Err(ApiError::Forbidden(
            "A client can read their application but not change it. Ask your representative."
                .into(),
        )),
        _ => Err(not_found()),
    }
}

pub(crate) fn detail(
    state: &AppState,
    app: &Application,
    lang: Lang,
) -> Result<ApplicationDetail, ApiError> {
    let decision = state.store.decision(app.id)?.map(|d| d.decision);
    let missing = match (
        app.status.can_submit(),
        state.rules.current().program(&app.program),
    ) {
        (true, Some(program)) => {
            let stored = state
                .store
                .application_data(app.id)?
                .unwrap_or_else(|| json!({}));
            readiness(state, app, &stored, program, Date::today())?.blockers
        }
        _ => Vec::new(),
    };
    detail_with(state, app, lang, decision, missing)
}

/// [`detail`] from a decision and blockers already known (a submit has just made both).
fn detail_with(
    state: &AppState,
    app: &Application,
    lang: Lang,
    decision: Option<serde_json::Value>,
    missing: Vec<Blocker>,
) -> Result<ApplicationDetail, ApiError> {
    let client = state
        .store
        .account(app.client)?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(ApplicationDetail {
        id: app.id,
        number: app.number(),
        program: app.program.clone(),
        status: app.status.as_str().into(),
        status_text: status_text(app.status, lang).into(),
        client,
        created: app.created,
        updated: app.updated,
        decided: app.decided,
        program_version: app.program_version.clone(),
        decision,
        missing,
        linked: linked(state, app, lang),
    })
}

/// One application: its status, its latest decision with the trace, what blocks a submit.
/// A representative sees their own applications, a client theirs; any other is 404.
#[utoipa::path(get, path = "/api/v1/applications/{id}",
    params(("id" = String, Path, description = "Application number (A000000042 or 42)")),
    responses((status = 200, body = ApplicationDetail),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_application(
    State(state): Shared,
    me: CurrentAccount,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ApplicationDetail>, ApiError> {
    let app = visible(&state, &me.account, &id, true)?;
    Ok(Json(detail(&state, &app, api_lang(&uri, &headers))?))
}

/// Submit an application: refused with 409 and `missing` (what to complete, each with the
/// page that fixes it) unless every form validates, every mandatory document and signature
/// is there and both declarations are made; otherwise the engine decides, and the decision
/// (with the program version and trace) and its status are stored durably before the answer.
/// A capped program counts its places per calendar year of the decision date; when another
/// submit took the last place first, the answer is the decision returned `cap_reached`.
#[utoipa::path(post, path = "/api/v1/applications/{id}/submit",
    params(("id" = String, Path, description = "Application number")),
    responses((status = 200, description = "Submitted and decided", body = SubmitAnswer),
              (status = 409, description = "Something is missing, already submitted, or a duplicate", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn api_submit(
    State(state): Shared,
    me: CurrentAccount,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let lang = api_lang(&uri, &headers);
    let app = match visible(&state, &me.account, &id, false) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let Some(program) = state.rules.current().program(&app.program).cloned() else {
        return ApiError::Conflict(
            "This application's program is not loaded on the server right now. Try again later."
                .into(),
        )
        .into_response();
    };
    match submit(&state, &me.account, &app, &program, lang).await {
        Ok(done) => {
            let created = done
                .created
                .iter()
                .map(|a| Linked::of(&state, a, lang))
                .collect();
            // Nothing blocked the submit a moment ago: no need to check again.
            match detail_with(&state, &done.app, lang, Some(done.decision), Vec::new()) {
                Ok(application) => Json(SubmitAnswer {
                    application,
                    created,
                })
                .into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(Refused::Incomplete(missing)) => (
            StatusCode::CONFLICT,
            Json(json!({
                "error": "incomplete",
                "message": "The application cannot be submitted yet: complete every item of \
                            `missing` (each names the page where it is done), then submit again.",
                "missing": missing,
            })),
        )
            .into_response(),
        Err(Refused::Error(e)) => e.into_response(),
    }
}
