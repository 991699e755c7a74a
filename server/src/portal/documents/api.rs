//! The documents' JSON API, under `/api/v1/applications/{id}/documents`: the checklist and
//! fees, upload (multipart, the file in a part named `file`), download and remove, for the
//! representative's own application (anything else: 404).

use super::checklist::{self, Checklist, FileView};
use super::pages::{file_response, read_upload};
use crate::auth::{CurrentAccount, Message};
use crate::error::{ApiError, ErrorBody};
use crate::portal::people::access::api_own;
use crate::AppState;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use engine::Lang;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// The checklist (each item required, required by a rule, optional or not needed, and
/// whether a file is there) and the fees (per person, waivers with their reason, the total),
/// from the engine's decision as of today.
#[utoipa::path(get, path = "/api/v1/applications/{id}/documents", tag = "documents",
    params(("id" = String, Path, description = "Application number (A000000001) or id")),
    responses((status = 200, body = Checklist), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Json<Checklist>, ApiError> {
    let own = api_own(&state, &who, &id)?;
    Ok(Json(checklist::checklist(
        &state,
        &own.app,
        &own.doc,
        &own.program,
    )?))
}

/// Uploads (or replaces) the file of a checklist item: multipart/form-data with the file in a
/// part named `file`; at most 10 MiB; PDF, JPEG or PNG judged by the content.
#[utoipa::path(post, path = "/api/v1/applications/{id}/documents/{code}", tag = "documents",
    params(("id" = String, Path, description = "Application number or id"),
           ("code" = String, Path, description = "The checklist item's code")),
    request_body(content_type = "multipart/form-data", content = Object, description = "A part named `file`"),
    responses((status = 201, body = FileView),
              (status = 400, description = "Too large, not a PDF/JPEG/PNG, or no file", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn upload(
    State(state): Shared,
    who: CurrentAccount,
    Path((id, code)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<FileView>), ApiError> {
    let own = api_own(&state, &who, &id)?;
    let file = read_upload(multipart, Lang::En).await?;
    let meta = checklist::upload(
        &state,
        &own.me,
        &own.app,
        &own.program,
        &code,
        file,
        Lang::En,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(checklist::file_view(&meta))))
}

/// Downloads the file of a checklist item (as an attachment, with its sniffed type).
#[utoipa::path(get, path = "/api/v1/applications/{id}/documents/{code}", tag = "documents",
    params(("id" = String, Path, description = "Application number or id"),
           ("code" = String, Path, description = "The checklist item's code")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): Shared,
    who: CurrentAccount,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let own = api_own(&state, &who, &id)?;
    let (meta, bytes) = checklist::download(&state, &own.app, &code).await?;
    Ok(file_response(&meta, bytes))
}

/// Removes the file of a checklist item.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/documents/{code}", tag = "documents",
    params(("id" = String, Path, description = "Application number or id"),
           ("code" = String, Path, description = "The checklist item's code")),
    responses((status = 200, body = Message), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): Shared,
    who: CurrentAccount,
    Path((id, code)): Path<(String, String)>,
) -> Result<Json<Message>, ApiError> {
    let own = api_own(&state, &who, &id)?;
    checklist::remove(&state, &own.me, &own.app, &own.program, &code, Lang::En).await?;
    Ok(Json(Message::new(&format!(
        "The file for {code} was removed from application {}.",
        own.app.number()
    ))))
}
