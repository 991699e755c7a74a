//! The people of an application: the principal applicant and any number of dependants
//! (spouse or partner, dependent child, other family member), each with the forms the program
//! manifest has them fill and the progress of each form; adding and removing dependants; the
//! duplicates check when a profile is saved (the same person in another open application of
//! the program is refused).
//!
//! - `logic`: HTTP-free; `pages`: add and remove pages (the form pages are `pages::forms`);
//! - `api`: `/api/v1/applications/{id}/people...`; `access`: the JSON API's ownership check.

pub(crate) mod access;
mod api;
pub(crate) mod logic;
mod pages;

pub(crate) use logic::claim;

use super::AppView;
use crate::AppState;
use axum::routing::{delete, get};
use axum::Router;
use minijinja::value::Value;
use std::sync::Arc;
use utoipa::OpenApi;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/applications/{id}/people/new",
            get(pages::new_page).post(pages::add),
        )
        .route(
            "/applications/{id}/people/{n}/remove",
            get(pages::remove_page).post(pages::remove),
        )
        .route(
            "/api/v1/applications/{id}/people",
            get(api::list).post(api::add),
        )
        .route("/api/v1/applications/{id}/people/{n}", delete(api::remove))
        .route(
            "/api/v1/applications/{id}/people/{n}/{form}",
            get(api::get_form).put(api::put_form),
        )
}

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "people_section.html",
        include_str!("templates/people_section.html"),
    ),
    ("person_new.html", include_str!("templates/person_new.html")),
    (
        "person_remove.html",
        include_str!("templates/person_remove.html"),
    ),
];

#[derive(OpenApi)]
#[openapi(
    paths(api::list, api::add, api::remove, api::get_form, api::put_form),
    components(schemas(api::People, api::Added, api::FormValues, logic::PersonView, logic::FormProgress, logic::NewPerson)),
    tags((name = "people", description = "The principal applicant and the dependants: profiles and forms"))
)]
struct PeopleDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    PeopleDoc::openapi()
}

/// The application page's people section: every person with their forms and progress, and
/// the links to add or remove a dependant while the application can change.
pub(crate) fn section(view: &AppView) -> Option<Value> {
    let people = logic::people(view.app, view.doc, view.program, view.page.lang);
    Some(minijinja::context! {
        id => view.app.id,
        can_change => view.app.status.can_submit(),
        people => Value::from(minijinja::value::Serde(&people)),
    })
}
