//! The people's JSON API, under `/api/v1/applications/{id}/people`: the same logic as the
//! pages, for the representative's own application (anything else: 404).

use super::access::api_own;
use super::logic::{self, NewPerson, PersonView};
use crate::auth::{parse_body, CurrentAccount, Message};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use engine::application::fill_from_profile;
use engine::validate::FieldIssue;
use engine::Lang;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// The people of an application, each with their forms and progress.
#[derive(Serialize, utoipa::ToSchema)]
pub struct People {
    pub people: Vec<PersonView>,
}

/// A dependant just added.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Added {
    /// The new person's index: their forms are under `people/{index}/`.
    pub index: usize,
    pub people: Vec<PersonView>,
}

/// A person's form: its values (the profile filled in) and the engine's messages on them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FormValues {
    #[schema(value_type = Object)]
    pub values: Value,
    /// One message per problem, on the field it concerns (`path`), in English and French.
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<FieldIssue>,
    /// Whether the form has no problem.
    pub valid: bool,
}

fn listing(
    app: &crate::store::Application,
    doc: &Value,
    program: &engine::Program,
) -> Vec<PersonView> {
    let mut filled = doc.clone();
    fill_from_profile(&mut filled, program);
    logic::people(app, &filled, program, Lang::En)
}

/// The application's people, each with the forms they must fill and how far each is.
#[utoipa::path(get, path = "/api/v1/applications/{id}/people", tag = "people",
    params(("id" = String, Path, description = "Application number (A000000001) or id")),
    responses((status = 200, body = People), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Json<People>, ApiError> {
    let own = api_own(&state, &who, &id)?;
    Ok(Json(People {
        people: listing(&own.app, &own.doc, &own.program),
    }))
}

/// Adds a dependant (spouse or partner, dependent child, other family member) by role and
/// name; their profile and forms are then filled through `people/{index}/{form}`.
#[utoipa::path(post, path = "/api/v1/applications/{id}/people", tag = "people",
    params(("id" = String, Path, description = "Application number or id")),
    request_body = NewPerson,
    responses((status = 201, body = Added), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "The application can no longer change", body = ErrorBody)))]
pub async fn add(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Added>), ApiError> {
    let new: NewPerson = parse_body(&body)?;
    let own = api_own(&state, &who, &id)?;
    let index = logic::add(&state, &own.me, &own.app, own.doc, &new, Lang::En)?;
    let doc = state
        .store
        .application_data(own.app.id)?
        .unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(Added {
            index,
            people: listing(&own.app, &doc, &own.program),
        }),
    ))
}

/// Removes a dependant. The people after them move up one place; signatures made for them
/// are dropped and must be made again.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/people/{n}", tag = "people",
    params(("id" = String, Path, description = "Application number or id"),
           ("n" = usize, Path, description = "The person's index (1 or more)")),
    responses((status = 200, body = Message), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): Shared,
    who: CurrentAccount,
    Path((id, n)): Path<(String, usize)>,
) -> Result<Json<Message>, ApiError> {
    let own = api_own(&state, &who, &id)?;
    logic::remove(&state, &own.me, &own.app, own.doc, n, Lang::En)?;
    Ok(Json(Message::new(&format!(
        "Person {n} was removed from application {}.",
        own.app.number()
    ))))
}

fn no_form(number: &str, n: usize, form: &str) -> ApiError {
    ApiError::NotFound(format!(
        "Person {n} of application {number} has no form {form}. GET the application's people \
         to see each person's forms."
    ))
}

/// A person's form (`profile` or a form of the program they fill): values and messages.
#[utoipa::path(get, path = "/api/v1/applications/{id}/people/{n}/{form}", tag = "people",
    params(("id" = String, Path, description = "Application number or id"),
           ("n" = usize, Path, description = "The person's index (0: the principal applicant)"),
           ("form" = String, Path, description = "`profile` or a form id")),
    responses((status = 200, body = FormValues), (status = 404, body = ErrorBody)))]
pub async fn get_form(
    State(state): Shared,
    who: CurrentAccount,
    Path((id, n, form)): Path<(String, usize, String)>,
) -> Result<Json<FormValues>, ApiError> {
    let own = api_own(&state, &who, &id)?;
    let (values, issues) = logic::form_values(&own.doc, &own.program, n, &form)
        .ok_or_else(|| no_form(&own.app.number(), n, &form))?;
    Ok(Json(FormValues {
        valid: issues.is_empty(),
        values,
        issues,
    }))
}

/// Saves a person's form as a draft (kept even with problems) and returns the engine's
/// messages. Saving a profile checks for duplicates: the same person (name, date of birth,
/// passport number) in another open application of the program is refused with 409.
#[utoipa::path(put, path = "/api/v1/applications/{id}/people/{n}/{form}", tag = "people",
    params(("id" = String, Path, description = "Application number or id"),
           ("n" = usize, Path, description = "The person's index (0: the principal applicant)"),
           ("form" = String, Path, description = "`profile` or a form id")),
    request_body(content = Object, description = "The form's values, as GET returns them"),
    responses((status = 200, body = FormValues), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "A duplicate, or the application can no longer change", body = ErrorBody)))]
pub async fn put_form(
    State(state): Shared,
    who: CurrentAccount,
    Path((id, n, form)): Path<(String, usize, String)>,
    body: Bytes,
) -> Result<Json<FormValues>, ApiError> {
    let values: Value = parse_body(&body)?;
    let own = api_own(&state, &who, &id)?;
    let issues = logic::save_form(
        &state,
        &own.me,
        &own.app,
        own.doc,
        &own.program,
        n,
        &form,
        values,
        Lang::En,
    )?;
    let doc = state
        .store
        .application_data(own.app.id)?
        .unwrap_or_default();
    let (values, _) = logic::form_values(&doc, &own.program, n, &form)
        .ok_or_else(|| no_form(&own.app.number(), n, &form))?;
    Ok(Json(FormValues {
        valid: issues.is_empty(),
        values,
        issues,
    }))
}
