//! The JSON API under `/api/v1`, described by the OpenAPI document it serves (which also
//! lists the accounts and sign-in endpoints of `crate::auth`).

use crate::auth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use engine::render::FieldError;
use engine::validate::validate_form;
use engine::{decide_owned, CapState, Catalogue, Date, Decision, Lang, Program};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::OpenApi;

type Shared = State<Arc<AppState>>;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/healthz", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/programs", get(list_programs))
        .route("/api/v1/programs/{id}", get(program))
        .route("/api/v1/programs/{id}/decide", post(decide_application))
        .route(
            "/api/v1/programs/{id}/forms/{form}/validate",
            post(validate),
        )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Intake API",
        description = "Programs as data: validate and decide applications."
    ),
    paths(
        health,
        list_programs,
        program,
        decide_application,
        validate,
        openapi,
        auth::handlers::sign_up,
        auth::handlers::sign_in,
        auth::handlers::sign_out,
        auth::handlers::me,
        auth::handlers::change_password,
        auth::reset::request_reset,
        auth::reset::reset_password,
        auth::reset::outbox
    ),
    components(schemas(
        ErrorBody,
        ProgramSummary,
        Text,
        FieldMessage,
        auth::Message,
        auth::handlers::Me,
        auth::handlers::AccountView
    ))
)]
pub struct ApiDoc;

/// A text in English and French.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Text {
    pub en: String,
    pub fr: String,
}

impl From<&engine::Text> for Text {
    fn from(t: &engine::Text) -> Text {
        Text {
            en: t.en.clone(),
            fr: t.fr.clone(),
        }
    }
}

/// A program, as listed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramSummary {
    /// `pr.spouse-partner-children`, `apr.visitor-visa`, …
    pub id: String,
    pub title: Text,
    /// `pr`, `apr` or `paper`.
    pub portal: String,
    /// Instruction guide code.
    pub guide: Option<String>,
    /// First day applications are accepted.
    pub from: String,
    /// Last day applications are accepted, if any.
    pub to: Option<String>,
    /// Hash of every file the program loaded.
    pub version: String,
}

fn summary(p: &Program) -> ProgramSummary {
    let m = &p.manifest;
    ProgramSummary {
        id: m.id.clone(),
        title: (&m.title).into(),
        portal: serde_json::to_value(m.portal)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        guide: m.guide.clone(),
        from: m.effective.from.to_string(),
        to: m.effective.to.map(|d| d.to_string()),
        version: p.version.clone(),
    }
}

fn find(catalogue: &Catalogue, id: &str) -> Result<Arc<Program>, ApiError> {
    catalogue.program(id).cloned().ok_or_else(|| {
        ApiError::NotFound(format!(
            "there is no program `{id}`: GET /api/v1/programs lists them"
        ))
    })
}

fn parse_json(body: &Bytes) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body is not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })
}

/// The service is up and its rules are loaded.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Up", body = String)))]
pub async fn health(State(state): Shared) -> String {
    format!("ok: {} programs", state.rules.current().programs().count())
}

/// This OpenAPI document.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "OpenAPI 3.1", body = serde_json::Value)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    for part in crate::portal::openapi() {
        doc.merge(part);
    }
    Json(doc)
}

/// Every program.
#[utoipa::path(get, path = "/api/v1/programs", responses((status = 200, body = [ProgramSummary])))]
pub async fn list_programs(State(state): Shared) -> Json<Vec<ProgramSummary>> {
    Json(
        state
            .rules
            .current()
            .programs()
            .map(|p| summary(p))
            .collect(),
    )
}

/// One program's manifest: forms and who fills them, documents, signatures, fees, cap, dates.
#[utoipa::path(get, path = "/api/v1/programs/{id}",
    params(("id" = String, Path, description = "Program id")),
    responses((status = 200, description = "The manifest", body = serde_json::Value),
              (status = 404, body = ErrorBody)))]
pub async fn program(
    State(state): Shared,
    Path(id): Path<String>,
) -> Result<Json<engine::manifest::Manifest>, ApiError> {
    let p = find(&state.rules.current(), &id)?;
    Ok(Json(p.manifest.clone()))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DecideQuery {
    /// The as-of date, YYYY-MM-DD (default: today).
    pub on: Option<String>,
    /// Applications already counted under the program's cap.
    pub cap_used: Option<u64>,
}

/// Validate and decide an application document for a program as of a date: the engine's
/// decision with fees, documents, warnings and the trace of every rule. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/programs/{id}/decide",
    params(("id" = String, Path, description = "Program id"), DecideQuery),
    request_body(content = serde_json::Value, description = "The application document (docs/authoring.md)"),
    responses((status = 200, description = "The decision", body = serde_json::Value),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn decide_application(
    State(state): Shared,
    Path(id): Path<String>,
    Query(q): Query<DecideQuery>,
    body: Bytes,
) -> Result<Json<Decision>, ApiError> {
    let catalogue = state.rules.current();
    let p = find(&catalogue, &id)?;
    let as_of = match q.on.as_deref() {
        Some(s) => s
            .parse::<Date>()
            .map_err(|e| ApiError::BadRequest(format!("on: {e}")))?,
        None => Date::today(),
    };
    let application = parse_json(&body)?;
    let cap = CapState {
        used: q.cap_used.unwrap_or(0),
    };
    // The parsed body is ours: the engine fills its forms in place rather than in a copy.
    match decide_owned(&p, application, as_of, cap) {
        Ok(d) => Ok(Json(d)),
        Err(engine::DecideError::BadApplication(m)) => {
            Err(ApiError::BadRequest(format!("not an application: {m}")))
        }
        Err(engine::DecideError::Script(e)) => Err(ApiError::RuleFailed(e.to_string())),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ValidateQuery {
    /// Language of the messages: en (default) or fr.
    pub lang: Option<String>,
}

/// One field's problem, in the asked language.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldMessage {
    /// Path within the form: `visit.purpose_other`, `contacts[1].name`.
    pub path: String,
    pub message: String,
}

/// Validate one form's values (the form object) against its schema: each problem on its
/// field, named by its label, in English or French. An empty list means the form is valid.
#[utoipa::path(post, path = "/api/v1/programs/{id}/forms/{form}/validate",
    params(("id" = String, Path, description = "Program id"), ("form" = String, Path, description = "Form id, or `profile`"), ValidateQuery),
    request_body(content = serde_json::Value, description = "The form's values"),
    responses((status = 200, body = [FieldMessage]), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn validate(
    State(state): Shared,
    Path((id, form)): Path<(String, String)>,
    Query(q): Query<ValidateQuery>,
    body: Bytes,
) -> Result<Json<Vec<FieldMessage>>, ApiError> {
    let catalogue = state.rules.current();
    let p = find(&catalogue, &id)?;
    let lang = match q.lang.as_deref() {
        None => Lang::En,
        Some(l) => Lang::parse(l)
            .ok_or_else(|| ApiError::BadRequest(format!("lang must be en or fr, not `{l}`")))?,
    };
    let f = if form == "profile" {
        p.profile()
    } else {
        p.form(&form)
            .map(|f| f.as_ref())
            .ok_or_else(|| ApiError::NotFound(format!("program {id} has no form `{form}`")))?
    };
    let values = parse_json(&body)?;
    let messages = validate_form(f, &values)
        .into_iter()
        .map(|i| {
            let e = FieldError {
                path: i.path,
                message: i.message.get(lang).to_string(),
            };
            FieldMessage {
                path: e.path,
                message: e.message,
            }
        })
        .collect();
    Ok(Json(messages))
}
