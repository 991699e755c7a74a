//! Who may reach the signing routes: a client reaches only their own applications, a
//! representative only theirs; anything else is "not found" (never 403), so that nobody
//! learns which applications exist.

use crate::auth::CurrentAccount;
use crate::error::ApiError;
use crate::pages::applications::signed_in;
use crate::pages::Page;
use crate::portal::load_application;
use crate::store::{Account, Application, Role};
use crate::AppState;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use engine::Program;
use serde_json::Value;
use std::sync::Arc;

/// An application with its stored document and its program.
pub(crate) type Loaded = (Application, Value, Arc<Program>);

/// The page and its signed-in client, or the response to send instead.
pub(crate) fn client_page(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(Page, Account), Box<Response>> {
    signed_in(state, uri, headers, Role::Client)
}

/// The page, its signed-in client and their own application `id`, or the page to send (404
/// for anyone else's).
pub(crate) fn client_application(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    id: &str,
) -> Result<(Page, Account, Loaded), Box<Response>> {
    let (page, me) = client_page(state, uri, headers)?;
    match load_application(state, id, |a| a.client == me.id) {
        Ok(Some(x)) => Ok((page, me, x)),
        Ok(None) => Err(Box::new(page.not_found())),
        Err(e) => Err(Box::new(page.error(e))),
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound(
        "There is no such application, or it is not yours. GET /api/v1/my/applications (clients) \
         or your dashboard (representatives) lists yours."
            .into(),
    )
}

/// The API's signed-in client (404 for a representative: these routes are not theirs).
pub(crate) fn api_client(who: &CurrentAccount) -> Result<Account, ApiError> {
    if who.account.role != Role::Client {
        return Err(not_found());
    }
    Ok(who.account.clone())
}

/// The API client and their own application (404 for a representative or another client).
pub(crate) fn api_client_application(
    state: &AppState,
    who: &CurrentAccount,
    id: &str,
) -> Result<(Account, Loaded), ApiError> {
    let me = api_client(who)?;
    let loaded = load_application(state, id, |a| a.client == me.id)?.ok_or_else(not_found)?;
    Ok((me, loaded))
}

/// The API representative's own application (404 for a client or another representative).
pub(crate) fn api_representative_application(
    state: &AppState,
    who: &CurrentAccount,
    id: &str,
) -> Result<(Account, Loaded), ApiError> {
    if who.account.role != Role::Representative {
        return Err(not_found());
    }
    let me = who.account.clone();
    let loaded =
        load_application(state, id, |a| a.representative == me.id)?.ok_or_else(not_found)?;
    Ok((me, loaded))
}

/// The status of a refused page action, with its message.
pub(crate) fn refused(page: &Page, e: ApiError, back: &str) -> Response {
    let (status, message) = crate::pages::status_and_message(e);
    let title = if status == StatusCode::INTERNAL_SERVER_ERROR {
        page.tr("Something went wrong", "Un problème est survenu")
    } else {
        page.tr(
            "This could not be done",
            "Cette action n’a pas pu être faite",
        )
    };
    page.message(status, title, &message, back)
}
