//! The representative's dashboard and search: every application by status (returned ones
//! first, flagged with their reasons in plain words), filtered by client name, application
//! number, program, status and dates; and the API over the same logic:
//! `GET /api/v1/applications?…` and `POST /api/v1/applications` (a new client application,
//! through the new-application page's own logic).
//!
//! Everything is read from the store at each request: a submitted application shows at once.

pub(crate) mod filter;

use crate::auth::session::CurrentAccount;
use crate::error::{ApiError, ErrorBody};
use crate::pages::applications::{
    check_new, paper_instructions, program_title, representative, start_application, status_text,
    when, NewPost, Shared,
};
use crate::pages::Page;
use crate::portal::submit::{api_lang, detail, view, ApplicationDetail};
use crate::store::{Account, Application, Role, Status};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use engine::manifest::Portal;
use engine::Lang;
use filter::{Filter, Search};
use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;
use std::sync::Arc;
use utoipa::OpenApi;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/applications", get(api_search).post(api_create))
}

pub const TEMPLATES: &[(&str, &str)] = &[];

#[derive(OpenApi)]
#[openapi(
    paths(api_search, api_create),
    components(schemas(Row, NewApplicationBody))
)]
struct SearchDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    SearchDoc::openapi()
}

/// One application in a listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Row {
    pub id: u64,
    pub number: String,
    pub client: String,
    /// The program's id.
    pub program: String,
    pub program_title: String,
    pub status: String,
    pub status_text: String,
    /// Returned: needs the representative's attention.
    pub returned: bool,
    /// Why it was returned, in plain words (empty unless returned).
    pub reasons: Vec<String>,
    pub created: u64,
    pub updated: u64,
    pub decided: Option<u64>,
}

/// The representative's applications that match, newest first.
pub(crate) fn search(
    state: &AppState,
    me: &Account,
    filter: &Filter,
    lang: Lang,
) -> Result<Vec<Row>, ApiError> {
    let apps = match filter.status {
        Some(status) => state.store.applications_with_status(me.id, status)?,
        None => state.store.applications_of(me.id)?,
    };
    let catalogue = state.rules.current();
    let mut rows = Vec::new();
    for app in apps.iter().rev() {
        let client = state
            .store
            .account(app.client)?
            .map(|c| c.name)
            .unwrap_or_default();
        let program = catalogue.program(&app.program);
        let titles: Vec<&str> = program
            .iter()
            .flat_map(|p| [p.manifest.title.en.as_str(), p.manifest.title.fr.as_str()])
            .collect();
        if !filter.matches(app, &client, &titles) {
            continue;
        }
        rows.push(row(state, app, client, lang)?);
    }
    Ok(rows)
}

fn row(state: &AppState, app: &Application, client: String, lang: Lang) -> Result<Row, ApiError> {
    let returned = app.status == Status::Returned;
    let reasons = match returned {
        true => state
            .store
            .decision(app.id)?
            .map(|d| view::reasons(&d.decision, lang))
            .unwrap_or_default(),
        false => Vec::new(),
    };
    Ok(Row {
        id: app.id,
        number: app.number(),
        client,
        program: app.program.clone(),
        program_title: program_title(state, &app.program, lang),
        status: app.status.as_str().into(),
        status_text: status_text(app.status, lang).into(),
        returned,
        reasons,
        created: app.created,
        updated: app.updated,
        decided: app.decided,
    })
}

/// The order of the dashboard's groups: what needs attention first.
const ORDER: [Status; 5] = [
    Status::Returned,
    Status::Draft,
    Status::Submitted,
    Status::Accepted,
    Status::PaperOnly,
];

#[derive(Serialize)]
struct Group<'a> {
    status: &'static str,
    title: &'static str,
    rows: Vec<&'a Row>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    title: String,
}

/// `GET /`: the dashboard, with the search form (a GET form: the search is in the address).
pub async fn dashboard(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    let (page, me) = match representative(&state, &uri, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let typed = Query::<Search>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let (filter, problems) = match typed.check(page.lang) {
        Ok(f) => (f, Vec::new()),
        Err(p) => (Filter::default(), p),
    };
    let rows = match search(&state, &me, &filter, page.lang) {
        Ok(r) => r,
        Err(e) => return page.error(e),
    };
    let searching = uri.query().is_some_and(|q| {
        q.split('&').any(|p| {
            p.split_once('=')
                .is_some_and(|(k, v)| k != "lang" && !v.is_empty())
        })
    });
    let groups: Vec<Group> = ORDER
        .iter()
        .map(|&s| Group {
            status: s.as_str(),
            title: status_text(s, page.lang),
            rows: rows.iter().filter(|r| r.status == s.as_str()).collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let view: Vec<_> = groups
        .iter()
        .map(|g| {
            let rows: Vec<_> = g
                .rows
                .iter()
                .map(|r| {
                    context! {
                        id => r.id, number => r.number.clone(), client => r.client.clone(),
                        program => r.program_title.clone(), returned => r.returned,
                        reasons => r.reasons.clone(), updated => when(r.updated),
                        decided => r.decided.map(when),
                    }
                })
                .collect();
            context! { status => g.status, title => g.title, count => rows.len(), rows => rows }
        })
        .collect();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.render(
        status,
        "dashboard.html",
        page.tr("Your applications", "Vos demandes"),
        context! {
            groups => view,
            total => rows.len(),
            searching => searching,
            search => Value::from(Serde(&typed)),
            error => (!problems.is_empty()).then(|| problems.join(" ")),
            statuses => Value::from(Serde(&statuses(page.lang))),
            programs => Value::from(Serde(&programs(&state, &me, page.lang))),
        },
    )
}

/// The statuses the search offers: every one an application can be in. `Submitted` is left
/// out: the decision is made in the submit itself, so no application rests in it, and a
/// search for it could only ever find nothing.
fn statuses(lang: Lang) -> Vec<Choice> {
    ORDER
        .iter()
        .filter(|s| **s != Status::Submitted)
        .map(|s| Choice {
            value: s.as_str().into(),
            title: status_text(*s, lang).into(),
        })
        .collect()
}

/// The programs the representative has applications in, by title.
fn programs(state: &AppState, me: &Account, lang: Lang) -> Vec<Choice> {
    let mut ids: Vec<String> = state
        .store
        .applications_of(me.id)
        .unwrap_or_default()
        .into_iter()
        .map(|a| a.program)
        .collect();
    ids.sort();
    ids.dedup();
    let mut list: Vec<Choice> = ids
        .into_iter()
        .map(|id| Choice {
            title: program_title(state, &id, lang),
            value: id,
        })
        .collect();
    list.sort_by(|a, b| a.title.cmp(&b.title));
    list
}

fn only_representatives(me: &Account) -> Result<(), ApiError> {
    match me.role {
        Role::Representative => Ok(()),
        Role::Client => Err(ApiError::Forbidden(
            "Only representatives list and create applications. Read your own application \
             at GET /api/v1/applications/{id}."
                .into(),
        )),
    }
}

/// The signed-in representative's applications that match every filter given, newest
/// first; returned ones carry their reasons in plain words.
#[utoipa::path(get, path = "/api/v1/applications", params(Search),
    responses((status = 200, body = [Row]), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn api_search(
    State(state): Shared,
    me: CurrentAccount,
    uri: Uri,
    headers: HeaderMap,
    Query(typed): Query<Search>,
) -> Result<Json<Vec<Row>>, ApiError> {
    only_representatives(&me.account)?;
    let lang = api_lang(&uri, &headers);
    let filter = typed
        .check(lang)
        .map_err(|p| ApiError::BadRequest(p.join(" ")))?;
    Ok(Json(search(&state, &me.account, &filter, lang)?))
}

/// A new client application, as the new-application page makes it.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewApplicationBody {
    pub client_name: String,
    pub client_email: String,
    /// The same email address again.
    pub client_email_confirmation: String,
    /// A program open today (`GET /api/v1/programs`).
    pub program: String,
}

/// Start a client application: the client's account is created (or found), emailed a
/// temporary password, and the application is created as a draft. A paper-only program is
/// refused with its instructions.
#[utoipa::path(post, path = "/api/v1/applications", request_body = NewApplicationBody,
    responses((status = 201, body = ApplicationDetail), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn api_create(
    State(state): Shared,
    me: CurrentAccount,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<NewApplicationBody>,
) -> Response {
    match create(&state, &me.account, &uri, &headers, body).await {
        Ok(detail) => (StatusCode::CREATED, Json(detail)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn create(
    state: &AppState,
    me: &Account,
    uri: &Uri,
    headers: &HeaderMap,
    body: NewApplicationBody,
) -> Result<ApplicationDetail, ApiError> {
    only_representatives(me)?;
    let page = Page::new(state, uri, headers)?;
    let form = NewPost {
        client_name: body.client_name,
        client_email: body.client_email,
        client_email_confirmation: body.client_email_confirmation,
        program: body.program,
    };
    let catalogue = state.rules.current();
    let program = check_new(&page, &form, &catalogue).map_err(ApiError::BadRequest)?;
    if program.manifest.portal == Portal::Paper {
        let instructions = paper_instructions(program, page.lang);
        return Err(ApiError::Conflict(format!(
            "{}: {} {instructions}",
            program.manifest.title.get(page.lang),
            page.tr(
                "this program takes paper applications only.",
                "ce programme n’accepte que les demandes sur papier."
            ),
        )));
    }
    let app = start_application(state, me, &form, program, page.lang).await?;
    detail(state, &app, page.lang)
}
