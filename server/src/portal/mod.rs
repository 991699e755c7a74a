//! The portal's features past sign-in, one module per concern, each with its HTTP-free logic,
//! its HTML pages and its JSON API under `/api/v1` (described in the OpenAPI document):
//!
//! - `people`: the principal applicant's and the dependants' profiles and forms.
//! - `documents`: uploads per checklist item (size limit, type from the content), fees.
//! - `signing`: the client's pages, e-signatures, the representative's declarations,
//!   resending the temporary password.
//! - `submit`: what is missing, submitting, the decision, linked applications.
//! - `search`: the dashboard by status and the search.
//! - `problems`: "Report a problem".
//!
//! Each module offers `routes()`, `TEMPLATES` (its minijinja templates, added to the pages'
//! one environment) and `openapi()` (merged into the served OpenAPI document). The
//! application page (`pages::applications::show`) shows one section per module through
//! `section()`.

pub mod documents;
pub mod people;
pub mod problems;
pub mod search;
pub mod signing;
pub mod submit;

use crate::pages::Page;
use crate::store::{Account, Application};
use crate::AppState;
use axum::Router;
use engine::Program;
use serde_json::Value;
use std::sync::Arc;

/// The routes of every concern.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .merge(people::routes())
        .merge(documents::routes())
        .merge(signing::routes())
        .merge(submit::routes())
        .merge(search::routes())
        .merge(problems::routes())
}

/// The templates of every concern, `(name, source)`.
pub fn templates() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    people::TEMPLATES
        .iter()
        .chain(documents::TEMPLATES)
        .chain(signing::TEMPLATES)
        .chain(submit::TEMPLATES)
        .chain(search::TEMPLATES)
        .chain(problems::TEMPLATES)
}

/// The OpenAPI documents of every concern, to merge into the served one.
pub fn openapi() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        people::openapi(),
        documents::openapi(),
        signing::openapi(),
        submit::openapi(),
        search::openapi(),
        problems::openapi(),
    ]
}

/// What the application page's sections are drawn from: the signed-in representative's own
/// application, its document with the profile filled into the forms, and its program.
pub(crate) struct AppView<'a> {
    pub state: &'a AppState,
    pub page: &'a Page,
    pub me: &'a Account,
    pub app: &'a Application,
    /// The application document, `fill_from_profile` applied.
    pub doc: &'a Value,
    pub program: &'a Program,
}
