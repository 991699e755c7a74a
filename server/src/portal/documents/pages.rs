//! The documents page (`/applications/{id}/documents`): the checklist with an upload form per
//! item (multipart, no JavaScript), replace, remove and download, and the fees. Also the
//! reading of an upload's `file` part, shared with the JSON API.

use super::checklist::{self, Checklist};
use super::files::{self, Upload, MAX_FILE_BYTES};
use crate::error::ApiError;
use crate::pages::applications::{own, Own, Shared};
use crate::pages::{see_other, status_and_message, Page};
use crate::store::{Application, DocumentMeta};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use engine::Lang;
use minijinja::context;
use minijinja::value::Value as JinjaValue;

/// Reads the `file` part of an upload. Past [`MAX_FILE_BYTES`] the bytes are counted, not
/// kept, so the check can name the file and the limit; a body over the route's limit ends
/// the same way.
pub async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    lang: Lang,
) -> Result<Upload, ApiError> {
    let unreadable = || {
        ApiError::BadRequest(match lang {
            Lang::En => "The upload could not be read. Send a multipart/form-data body with the \
                         file in a part named `file`."
                .into(),
            Lang::Fr => {
                "Le téléversement n’a pas pu être lu. Envoyez un corps multipart/form-data \
                         avec le fichier dans une partie nommée « file »."
                    .into()
            }
        })
    };
    let mut multipart = multipart.map_err(|_| unreadable())?;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::BadRequest(files::too_large(None, lang)))
            }
            Err(_) => return Err(unreadable()),
        };
        if field.name() != Some("file") {
            continue;
        }
        let raw = field.file_name().unwrap_or("").to_string();
        let name = files::display_name(&raw);
        let mut bytes = Vec::new();
        let mut size = 0usize;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len();
                    if size <= MAX_FILE_BYTES {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(ApiError::BadRequest(files::too_large(Some(&name), lang)))
                }
                Err(_) => return Err(unreadable()),
            }
        }
        if size > MAX_FILE_BYTES {
            return Err(ApiError::BadRequest(files::too_large(Some(&name), lang)));
        }
        // A browser sends an empty part with no file name when no file was chosen.
        if size == 0 && raw.is_empty() {
            break;
        }
        return Ok(Upload { name: raw, bytes });
    }
    Err(ApiError::BadRequest(match lang {
        Lang::En => "No file was chosen. Choose the file to upload, then press Upload.".into(),
        Lang::Fr => "Aucun fichier n’a été choisi. Choisissez le fichier à téléverser, puis \
                     appuyez sur Téléverser."
            .into(),
    }))
}

/// A stored file as a download: the sniffed type, never rendered inline, never sniffed again.
pub fn file_response(meta: &DocumentMeta, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&meta.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&files::content_disposition(&meta.file_name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    r
}

fn render(
    page: &Page,
    app: &Application,
    status: StatusCode,
    list: &Checklist,
    error: Option<(String, String)>,
) -> Response {
    let (code, message) = error.unzip();
    page.render(
        status,
        "documents.html",
        &format!(
            "{} {}",
            page.tr(
                "Documents and fees of application",
                "Documents et frais de la demande"
            ),
            app.number()
        ),
        context! {
            id => app.id,
            number => app.number(),
            list => JinjaValue::from(minijinja::value::Serde(list)),
            error => message,
            error_code => code,
            max_mib => MAX_FILE_BYTES / (1024 * 1024),
        },
    )
}

/// The documents page, with an error on one item (`(code, message)`) when a post failed.
fn show(
    state: &crate::AppState,
    own: &Own,
    status: StatusCode,
    error: Option<(String, String)>,
) -> Response {
    match checklist::checklist(state, &own.app, &own.doc, &own.program) {
        Ok(list) => render(&own.page, &own.app, status, &list, error),
        Err(e) => own.page.error(e),
    }
}

pub async fn page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match own(&state, &uri, &headers, &id) {
        Ok(o) => show(&state, &o, StatusCode::OK, None),
        Err(r) => *r,
    }
}

pub async fn upload(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, code)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let o = match own(&state, &uri, &headers, &id) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    let result = match read_upload(multipart, o.page.lang).await {
        Ok(file) => {
            checklist::upload(&state, &o.me, &o.app, &o.program, &code, file, o.page.lang).await
        }
        Err(e) => Err(e),
    };
    changed(&state, &o, code, result.map(|_| ()))
}

/// The answer to a change of checklist item `code`: back to the item when it was made, the
/// page again with the message next to the item when it was refused.
fn changed(
    state: &crate::AppState,
    o: &Own,
    code: String,
    result: Result<(), ApiError>,
) -> Response {
    match result {
        Ok(()) => see_other(
            &format!("/applications/{}/documents#item-{code}", o.app.id),
            &[],
        ),
        Err(ApiError::NotFound(_)) => o.page.not_found(),
        Err(e) => {
            let (status, message) = status_and_message(e);
            show(state, o, status, Some((code, message)))
        }
    }
}

pub async fn remove(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, code)): Path<(String, String)>,
) -> Response {
    let o = match own(&state, &uri, &headers, &id) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    let result = checklist::remove(&state, &o.me, &o.app, &o.program, &code, o.page.lang).await;
    changed(&state, &o, code, result)
}

pub async fn download(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, code)): Path<(String, String)>,
) -> Response {
    let o = match own(&state, &uri, &headers, &id) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    match checklist::download(&state, &o.app, &code).await {
        Ok((meta, bytes)) => file_response(&meta, bytes),
        Err(ApiError::NotFound(_)) => o.page.not_found(),
        Err(e) => o.page.error(e),
    }
}

/// The page the CSRF check answers an upload over the body limit with (before any handler
/// could read the file's name).
pub fn too_large_page(state: &crate::AppState, uri: &Uri, headers: &HeaderMap) -> Response {
    let path = uri.path();
    let back = match path.find("/documents") {
        Some(at) => format!("{}/documents", &path[..at]),
        None => "/".to_string(),
    };
    match Page::new(state, uri, headers) {
        Ok(page) => page.message(
            StatusCode::PAYLOAD_TOO_LARGE,
            page.tr("The file is too large", "Le fichier est trop volumineux"),
            &files::too_large(None, page.lang),
            &back,
        ),
        Err(e) => crate::pages::failed_page(e),
    }
}
