//! The client's side of the portal and e-signatures: the client's read-only pages, signing
//! by typing a full name (a parent or legal guardian for a principal applicant under 18),
//! and the representative's side (who has signed what, resending the temporary password,
//! the representative's declaration and the "no paper application" declaration).
//!
//! - `logic`: the rules of signing, HTTP-free (see its doc for the choices);
//!   `declarations` and `temporary_password`: the representative's actions, HTTP-free.
//! - `names`: how a typed name is compared with the name it must match. What a signer
//!   agrees to is program data (`programs/declarations/`, in each manifest signature's `text`).
//! - `access`: who reaches which application (anyone else's: 404).
//! - `client`: the client's pages; `representative`: the representative's posts.
//! - `api`: the JSON API of all of it.
//!
//! Signatures and declarations are stored in the application document (`signatures`,
//! `declarations`), each with the digest of the content it vouches for
//! (`portal::content_digest`): once an answer changes, they show as "to sign again" and
//! `portal::for_decision` leaves them out.

mod access;
pub(crate) mod api;
mod client;
mod declarations;
pub(crate) mod logic;
mod names;
mod representative;
mod temporary_password;

use super::AppView;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use minijinja::value::Value;
use std::sync::Arc;
use utoipa::OpenApi;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/my/applications", get(client::list))
        .route("/my/applications/{id}", get(client::show))
        .route("/my/applications/{id}/sign", post(client::sign))
        .route(
            "/applications/{id}/temporary-password",
            post(representative::resend),
        )
        .route(
            "/applications/{id}/declarations/{kind}",
            post(representative::declare),
        )
        .route("/api/v1/my/applications", get(api::list_mine))
        .route("/api/v1/my/applications/{id}", get(api::read_mine))
        .route(
            "/api/v1/my/applications/{id}/signatures",
            post(api::sign_mine),
        )
        .route(
            "/api/v1/applications/{id}/signing",
            get(api::signing_status),
        )
        .route(
            "/api/v1/applications/{id}/temporary-password",
            post(api::resend),
        )
        .route("/api/v1/applications/{id}/declarations", post(api::declare))
}

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "signing_client_list.html",
        include_str!("templates/client_list.html"),
    ),
    (
        "signing_client_application.html",
        include_str!("templates/client_application.html"),
    ),
    (
        "signing_section.html",
        include_str!("templates/section.html"),
    ),
];

#[derive(OpenApi)]
#[openapi(
    paths(
        api::list_mine,
        api::read_mine,
        api::sign_mine,
        api::signing_status,
        api::resend,
        api::declare
    ),
    components(schemas(
        api::MyApplication,
        api::MyApplicationView,
        api::PersonData,
        api::DocumentName,
        api::DeclareRequest,
        logic::SignRequest,
        logic::SigningStatus,
        logic::SignatureState,
        logic::DeclarationState
    ))
)]
struct SigningDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    SigningDoc::openapi()
}

/// The signing section of the representative's application page: the client, who has
/// signed what, and the declarations.
pub(crate) fn section(view: &AppView) -> Option<Value> {
    // The stored document, not `view.doc` (filled from the profile): digests are of what
    // is stored.
    let stored = view.state.store.application_data(view.app.id).ok()??;
    let client = view.state.store.account(view.app.client).ok()?;
    let status = logic::status(&stored, view.program, client.as_ref());
    Some(minijinja::context! {
        id => view.app.id,
        can_change => view.app.status.can_submit(),
        client_name => client.as_ref().map(|c| c.name.clone()),
        client_email => client.as_ref().map(|c| c.email.clone()),
        status => Value::from(minijinja::value::Serde(&status)),
    })
}
