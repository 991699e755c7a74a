//! CSRF protection (synchronizer token): every session has its own random CSRF token, and
//! every state-changing request (POST, PUT, PATCH, DELETE) that comes with a live session
//! cookie must carry it, in an `x-csrf-token` header (API clients, scripts) or in a `_csrf`
//! field of a URL-encoded or multipart form (the pages' forms, uploads included). Otherwise:
//! 403 `csrf`.
//!
//! [`require_csrf`] is a middleware over the whole router (see `crate::router`), so the pages
//! get it by being merged into that router. Requests without a session (sign-in, sign-up,
//! the stateless API) are not its business: the handlers decide who may call them.

use super::session;
use super::token;
use crate::error::ApiError;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The header API clients send the token in.
pub const HEADER: &str = "x-csrf-token";
/// The form field pages send the token in.
pub const FORM_FIELD: &str = "_csrf";
/// The largest form body read to find the field (forms with files are not URL-encoded).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Refuses a state-changing request of a signed-in session that lacks the session's token.
pub async fn require_csrf(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if !matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(request).await;
    }
    let mut request = request;
    let session = match session::lookup(&state, request.headers()) {
        Ok(Some((key, s))) => {
            // The handler's extractor finds it here instead of reading the store again.
            request
                .extensions_mut()
                .insert(session::Found(key, s.clone()));
            s
        }
        Ok(None) => return next.run(request).await,
        Err(e) => return e.into_response(),
    };
    if let Some(sent) = request.headers().get(HEADER) {
        return match sent.to_str() {
            Ok(sent) if token::same(sent.trim(), &session.csrf) => next.run(request).await,
            _ => ApiError::CsrfRejected.into_response(),
        };
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        return multipart_form(&state, request, next, &content_type, &session.csrf).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return ApiError::CsrfRejected.into_response();
    }
    // Read the form to find the field, then hand the same bytes on to the handler.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::BadRequest(format!(
                "The form is too large: at most {} MiB.",
                FORM_LIMIT / (1024 * 1024)
            ))
            .into_response()
        }
    };
    if form_field(&bytes, FORM_FIELD).is_some_and(|sent| token::same(sent, &session.csrf)) {
        next.run(Request::from_parts(parts, Body::from(bytes)))
            .await
    } else {
        // A browser's form: a page, not a JSON body.
        crate::pages::csrf_rejected_page()
    }
}

/// A browser's upload form (no JavaScript, so no header): the body is read up to the upload
/// limit and its `_csrf` part looked for with multer, then the same bytes go on to the
/// handler. A body over the limit is refused here with the limit named, as the handler would.
async fn multipart_form(
    state: &AppState,
    request: Request,
    next: Next,
    content_type: &str,
    csrf: &str,
) -> Response {
    use crate::portal::documents::files::{MAX_DRAINED_BODY, MAX_UPLOAD_BODY};
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return crate::pages::csrf_rejected_page();
    };
    let (parts, body) = request.into_parts();
    let Some(bytes) = read_upload_body(body, MAX_UPLOAD_BODY, MAX_DRAINED_BODY).await else {
        return crate::portal::documents::too_large_page(state, &parts.uri, &parts.headers);
    };
    let mut fields = multer::Multipart::new(Body::from(bytes.clone()).into_data_stream(), boundary);
    let mut sent = None;
    while let Ok(Some(field)) = fields.next_field().await {
        if field.name() == Some(FORM_FIELD) {
            sent = field.text().await.ok();
            break;
        }
    }
    if sent.is_some_and(|sent| token::same(sent.trim(), csrf)) {
        next.run(Request::from_parts(parts, Body::from(bytes)))
            .await
    } else {
        crate::pages::csrf_rejected_page()
    }
}

/// The body when it is at most `keep` bytes. A larger one is read on to its end (up to
/// `drain`, counted and dropped) so that the sender, still uploading, gets the answer rather
/// than a cut connection; then `None`.
async fn read_upload_body(mut body: Body, keep: usize, drain: usize) -> Option<axum::body::Bytes> {
    use http_body_util::BodyExt;
    let mut kept = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.ok()?.into_data() else {
            continue;
        };
        total += data.len();
        if total > drain {
            return None;
        }
        if total <= keep {
            kept.extend_from_slice(&data);
        }
    }
    (total <= keep).then(|| kept.into())
}

/// The raw value of a field of a URL-encoded form. CSRF tokens are hex digits, which forms
/// never encode, so no decoding is needed to compare them.
fn form_field<'a>(body: &'a [u8], name: &str) -> Option<&'a str> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_form_field() {
        let body = b"name=Ana&_csrf=abc123&x=";
        assert_eq!(super::form_field(body, "_csrf"), Some("abc123"));
        assert_eq!(super::form_field(b"a=b", "_csrf"), None);
    }
}
