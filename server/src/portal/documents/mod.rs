//! Documents and fees: the checklist from the engine's decision (required, required by a
//! rule, optional; provided or not), one upload per item (at most 10 MiB, PDF, JPEG or PNG by
//! content, the original name kept for display only), replace, remove, download; and the fee
//! lines with their total (waivers with the reason, the open work permit holder fee).
//!
//! - `files`: what a file must be (size, type by magic bytes, name), the download header;
//! - `checklist`: HTTP-free checklist, fees, upload, remove, download over the store;
//! - `pages`: `/applications/{id}/documents...`; `api`: `/api/v1/applications/{id}/documents...`.

mod api;
mod checklist;
pub mod files;
mod pages;

pub(crate) use pages::too_large_page;

use super::AppView;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use files::MAX_DRAINED_BODY;
use minijinja::value::Value;
use std::sync::Arc;
use utoipa::OpenApi;

pub fn routes() -> Router<Arc<AppState>> {
    // Uploads get a body limit well past one file at the limit: the handler reads an
    // oversized file to its end (keeping only the allowed size) and answers with the message
    // that names the file and the limit, rather than a bare 413 or a cut connection.
    let limit = || DefaultBodyLimit::max(MAX_DRAINED_BODY);
    Router::new()
        .route("/applications/{id}/documents", get(pages::page))
        .route(
            "/applications/{id}/documents/{code}",
            post(pages::upload).layer(limit()),
        )
        .route(
            "/applications/{id}/documents/{code}/remove",
            post(pages::remove),
        )
        .route(
            "/applications/{id}/documents/{code}/file",
            get(pages::download),
        )
        .route("/api/v1/applications/{id}/documents", get(api::list))
        .route(
            "/api/v1/applications/{id}/documents/{code}",
            get(api::download)
                .delete(api::remove)
                .post(api::upload)
                .layer(limit()),
        )
}

pub const TEMPLATES: &[(&str, &str)] = &[
    ("documents.html", include_str!("templates/documents.html")),
    (
        "documents_section.html",
        include_str!("templates/documents_section.html"),
    ),
];

#[derive(OpenApi)]
#[openapi(
    paths(api::list, api::upload, api::download, api::remove),
    components(schemas(checklist::Checklist, checklist::Item, checklist::Fee, checklist::FileView)),
    tags((name = "documents", description = "The document checklist, uploads and fees"))
)]
struct DocumentsDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    DocumentsDoc::openapi()
}

/// The application page's documents section: how many mandatory documents are there, the fee
/// total, and the link to the documents page.
pub(crate) fn section(view: &AppView) -> Option<Value> {
    let list = match view.decided {
        Ok(decided) => checklist::checklist_of(view.state, view.app, view.program, decided)
            .map_err(|e| format!("{e:?}")),
        Err(message) => Err(message.clone()),
    };
    let list = match list {
        Ok(list) => list,
        Err(e) => {
            tracing::error!("documents section of {}: {e}", view.app.number());
            return None;
        }
    };
    Some(minijinja::context! {
        id => view.app.id,
        mandatory => list.mandatory,
        provided => list.mandatory_provided,
        fee_total => list.fee_total,
        fees => list.fees.len(),
    })
}
