//! The applications a decision creates (the open work permit of a Ukraine 2022 OWP): made
//! right after the submit, each created and linked both ways in one store transaction; and
//! made on request when the submit could not make them (the server stopped between the two,
//! or the program was not loaded), from the decision as stored. Never twice: the store
//! refuses to link an application that is linked already.

use super::{api_lang, Linked};
use crate::auth::session::CurrentAccount;
use crate::error::ApiError;
use crate::pages::applications::{own, Own, Shared};
use crate::pages::{see_other, status_and_message};
use crate::store::{Account, Application, Audit, NewApplication, Status};
use crate::AppState;
use axum::extract::Path;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

/// The programs the decision on `app` (as stored, JSON) asks to create that are not created
/// yet: none unless it was accepted and is not linked.
pub(crate) fn awaiting(app: &Application, decision: &Value) -> Vec<String> {
    if app.status != Status::Accepted || app.linked.is_some() {
        return Vec::new();
    }
    programs_to_create(decision)
}

/// The `create` list of a decision (as stored, JSON): the program of each.
fn programs_to_create(decision: &Value) -> Vec<String> {
    let create = decision.get("create").and_then(Value::as_array);
    create
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("program").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// Creates the applications of `programs` for the accepted application `app` (whose document
/// is `stored`): same client and representative, the people's profiles and the forms both
/// programs use, linked both ways.
pub(crate) fn create_linked(
    state: &AppState,
    me: &Account,
    app: &Application,
    stored: &Value,
    programs: &[String],
) -> Result<Vec<Application>, ApiError> {
    let catalogue = state.rules.current();
    let mut created = Vec::new();
    for id in programs {
        let target = catalogue.program(id).ok_or_else(|| {
            ApiError::Conflict(format!(
                "The program {id} is not loaded on the server right now, so its application \
                 cannot be created. Try again later."
            ))
        })?;
        let shared: Vec<String> = target.form_uses().map(|(f, _, _)| f.id.clone()).collect();
        let people: Vec<Value> = stored
            .get("people")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                let mut copy = serde_json::Map::new();
                for (k, v) in p.as_object().into_iter().flatten() {
                    if k == "role" || k == "profile" || shared.contains(k) {
                        copy.insert(k.clone(), v.clone());
                    }
                }
                Value::Object(copy)
            })
            .collect();
        let new = state.store.create_linked_application(
            app.id,
            &NewApplication {
                representative: app.representative,
                client: app.client,
                program: target.id().to_string(),
                status: Status::Draft,
                data: json!({ "people": people }),
            },
            &Audit::new(
                me.email.clone(),
                format!(
                    "created the application ({}) that the decision on {} asks for",
                    target.id(),
                    app.number()
                ),
            ),
            &Audit::new(
                me.email.clone(),
                format!("linked {} with the application it created", app.number()),
            ),
        )?;
        created.push(new);
    }
    Ok(created)
}

/// Creates what the decision on `app` asked for and the submit did not create.
fn create_pending(
    state: &AppState,
    me: &Account,
    app: &Application,
) -> Result<Vec<Application>, ApiError> {
    if let Some(other) = app.linked {
        return Err(ApiError::Conflict(format!(
            "Application {} is already linked with {}: nothing was created.",
            app.number(),
            crate::store::application_number(other)
        )));
    }
    let programs = match state.store.decision(app.id)? {
        Some(d) => awaiting(app, &d.decision),
        None => Vec::new(),
    };
    if programs.is_empty() {
        return Err(ApiError::Conflict(format!(
            "The decision on application {} does not ask for a linked application.",
            app.number()
        )));
    }
    let stored = state.store.application_data(app.id)?.unwrap_or(json!({}));
    create_linked(state, me, app, &stored, &programs)
}

/// `POST /applications/{id}/linked`: creates the linked application the submit could not
/// create, then shows the application.
pub(super) async fn linked_page(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Own { page, me, app, .. } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let back = format!("/applications/{}", app.id);
    match create_pending(&state, &me, &app) {
        Ok(_) => see_other(&format!("{back}#submit"), &[]),
        Err(e) => {
            let (status, message) = status_and_message(e);
            page.message(
                status,
                page.tr(
                    "The linked application was not created",
                    "La demande liée n’a pas été créée",
                ),
                &message,
                &back,
            )
        }
    }
}

/// What the API answers: the applications created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedAnswer {
    pub created: Vec<Linked>,
}

/// Create the linked application an accepted application's decision asks for (the open work
/// permit of a Ukraine 2022 OWP) when the submit could not create it. 409 when it is linked
/// already or its decision asks for none.
#[utoipa::path(post, path = "/api/v1/applications/{id}/linked",
    params(("id" = String, Path, description = "Application number or id")),
    responses((status = 200, body = CreatedAnswer),
              (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody),
              (status = 409, description = "Linked already, or the decision asks for none", body = crate::error::ErrorBody)))]
pub(super) async fn api_linked(
    state: Shared,
    me: CurrentAccount,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let lang = api_lang(&uri, &headers);
    let app = match super::visible(&state, &me.account, &id, false) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    match create_pending(&state, &me.account, &app) {
        Ok(created) => Json(CreatedAnswer {
            created: created
                .iter()
                .map(|a| Linked::of(&state, a, lang))
                .collect(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::programs_to_create;
    use serde_json::json;

    #[test]
    fn the_programs_a_stored_decision_creates() {
        let d = json!({"create": [{"program": "apr.open-work-permit-outside-canada", "by": {}}]});
        assert_eq!(
            programs_to_create(&d),
            ["apr.open-work-permit-outside-canada"]
        );
        assert!(programs_to_create(&json!({"create": []})).is_empty());
        assert!(programs_to_create(&json!({})).is_empty());
    }
}
