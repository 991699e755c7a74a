//! Who may use the JSON API of an application: the signed-in representative whose application
//! it is. Anyone else (another representative, a client, a number that does not exist) gets
//! the same 404, so that the API never tells whether someone else's application exists.

use crate::auth::CurrentAccount;
use crate::error::ApiError;
use crate::portal::load_application;
use crate::store::{Account, Application, Role};
use crate::AppState;
use engine::{Lang, Program};
use serde_json::Value;
use std::sync::Arc;

/// The representative's own application, its stored document and its program.
pub(crate) struct ApiOwn {
    pub me: Account,
    pub app: Application,
    pub doc: Value,
    pub program: Arc<Program>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "There is no application {id} among yours. Check the application number (A000000001, \
         as the dashboard shows it)."
    ))
}

pub(crate) fn api_own(
    state: &AppState,
    who: &CurrentAccount,
    id: &str,
) -> Result<ApiOwn, ApiError> {
    if who.account.role != Role::Representative {
        return Err(not_found(id));
    }
    let (app, doc, program) = load_application(state, id, |a| a.representative == who.account.id)?
        .ok_or_else(|| not_found(id))?;
    Ok(ApiOwn {
        me: who.account.clone(),
        app,
        doc,
        program,
    })
}

/// The refusal for a change to an application that can no longer change.
pub(crate) fn check_can_change(app: &Application, lang: Lang) -> Result<(), ApiError> {
    if app.status.can_submit() {
        return Ok(());
    }
    let status = crate::pages::applications::status_text(app.status, lang);
    Err(ApiError::Conflict(match lang {
        Lang::En => format!(
            "Application {} is {}: it can no longer be changed. Only a draft or a returned \
             application can.",
            app.number(),
            status.to_lowercase()
        ),
        Lang::Fr => format!(
            "La demande {} est à l’état « {} » : elle ne peut plus être modifiée. Seule une \
             demande en brouillon ou retournée peut l’être.",
            app.number(),
            status
        ),
    }))
}
