//! The people pages: adding a dependant (role and name, then on to their profile form) and
//! removing one, after a confirmation page. Both only while the application can change.

use super::logic::{self, NewPerson};
use crate::pages::applications::{own, Own, Shared};
use crate::pages::{see_other, status_and_message, Page};
use crate::store::Application;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use engine::application::Application as Doc;
use minijinja::context;
use minijinja::value::Value as JinjaValue;

fn new_view(
    page: &Page,
    app: &Application,
    status: StatusCode,
    form: &NewPerson,
    error: Option<String>,
) -> Response {
    let roles: Vec<_> = logic::ROLES
        .iter()
        .map(|r| context! { value => *r, title => logic::role_title(r).get(page.lang).to_string() })
        .collect();
    page.render(
        status,
        "person_new.html",
        page.tr("Add a family member", "Ajouter un membre de la famille"),
        context! {
            id => app.id,
            number => app.number(),
            form => JinjaValue::from(minijinja::value::Serde(form)),
            roles => roles,
            error => error,
        },
    )
}

/// The page to send when the application can no longer change.
fn frozen(page: &Page, app: &Application) -> Option<Response> {
    let e = super::access::check_can_change(app, page.lang).err()?;
    let (status, message) = status_and_message(e);
    Some(page.message(
        status,
        page.tr(
            "This application cannot be changed",
            "Cette demande ne peut pas être modifiée",
        ),
        &message,
        &format!("/applications/{}", app.id),
    ))
}

pub async fn new_page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Own { page, app, .. } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Some(r) = frozen(&page, &app) {
        return r;
    }
    new_view(&page, &app, StatusCode::OK, &NewPerson::default(), None)
}

pub async fn add(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<NewPerson>,
) -> Response {
    let Own {
        page, me, app, doc, ..
    } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if let Some(r) = frozen(&page, &app) {
        return r;
    }
    match logic::add(&state, &me, &app, doc, &form, page.lang) {
        Ok(n) => see_other(&format!("/applications/{}/people/{n}/profile", app.id), &[]),
        Err(e) => {
            let (status, message) = status_and_message(e);
            new_view(&page, &app, status, &form, Some(message))
        }
    }
}

pub async fn remove_page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    let Own { page, app, doc, .. } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let view = Doc::new(&doc);
    if n == 0 || n >= view.people().len() {
        return page.not_found();
    }
    if let Some(r) = frozen(&page, &app) {
        return r;
    }
    page.render(
        StatusCode::OK,
        "person_remove.html",
        page.tr("Remove a family member", "Retirer un membre de la famille"),
        context! {
            id => app.id,
            number => app.number(),
            n => n,
            name => logic::person_label(&doc, n, page.lang),
            role => logic::role_title(view.role(n).as_str()).get(page.lang).to_string(),
        },
    )
}

pub async fn remove(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    let Own {
        page, me, app, doc, ..
    } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if n == 0 || n >= Doc::new(&doc).people().len() {
        return page.not_found();
    }
    match logic::remove(&state, &me, &app, doc, n, page.lang) {
        Ok(()) => see_other(&format!("/applications/{}", app.id), &[]),
        Err(e) => {
            let (status, message) = status_and_message(e);
            page.message(
                status,
                page.tr(
                    "The person was not removed",
                    "La personne n’a pas été retirée",
                ),
                &message,
                &format!("/applications/{}", app.id),
            )
        }
    }
}
