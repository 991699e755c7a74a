//! An application's history: its append-only audit log (who, when, what), oldest first, on
//! the representative's application page and through `GET /api/v1/applications/{id}/history`.
//! The log itself is written by the store in the same transaction as each change; this
//! module only reads it.

use super::AppView;
use crate::auth::session::CurrentAccount;
use crate::error::{ApiError, ErrorBody};
use crate::pages::applications::{when, Shared};
use crate::store::{AuditEntry, Role};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use minijinja::context;
use minijinja::value::Value;
use serde::Serialize;
use std::sync::Arc;
use utoipa::{OpenApi, ToSchema};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/applications/{id}/history", get(api_history))
}

pub const TEMPLATES: &[(&str, &str)] = &[(
    "history_section.html",
    include_str!("templates/history_section.html"),
)];

#[derive(OpenApi)]
#[openapi(paths(api_history), components(schemas(HistoryEntry)))]
struct HistoryApi;

pub fn openapi() -> utoipa::openapi::OpenApi {
    HistoryApi::openapi()
}

/// One change to the application.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    /// Seconds since the Unix epoch (UTC).
    pub at: u64,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub when: String,
    /// The email of the account that made the change, or `system`.
    pub who: String,
    /// What changed, in plain words.
    pub what: String,
}

fn entry(e: AuditEntry) -> HistoryEntry {
    HistoryEntry {
        at: e.at,
        when: when(e.at),
        who: e.who,
        what: e.what,
    }
}

/// The application page's history section: every change, newest first.
pub(crate) fn section(view: &AppView) -> Option<Value> {
    let log = match view.state.store.audit_of(view.app.id) {
        Ok(log) => log,
        Err(e) => {
            tracing::error!("the history of {}: {e}", view.app.number());
            return None;
        }
    };
    let entries: Vec<HistoryEntry> = log.into_iter().rev().map(entry).collect();
    Some(context! { entries => Value::from(minijinja::value::Serde(&entries)) })
}

/// The application's history, oldest first: who changed what, and when. Only the
/// application's representative sees it; any other is 404.
#[utoipa::path(get, path = "/api/v1/applications/{id}/history", tag = "applications",
    params(("id" = String, Path, description = "Application number (A000000042 or 42)")),
    responses((status = 200, body = [HistoryEntry]),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_history(
    State(state): Shared,
    me: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let not_found = || {
        ApiError::NotFound(format!(
            "There is no application {id} among yours. GET /api/v1/applications lists them."
        ))
    };
    let app = crate::store::parse_application_number(&id)
        .map(|n| state.store.application(n))
        .transpose()?
        .flatten()
        .filter(|a| me.account.role == Role::Representative && a.representative == me.account.id)
        .ok_or_else(not_found)?;
    let log = state.store.audit_of(app.id)?;
    Ok(Json(log.into_iter().map(entry).collect()))
}
