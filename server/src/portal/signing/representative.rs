//! The representative's side of signing, on the application page: resending the client's
//! temporary password and making or withdrawing the two declarations. Each post answers
//! with a redirect back to the application page, or a page that says why it was refused.

use super::access::refused;
use super::declarations::{self, Declaration};
use crate::pages::applications::{own, Own, Shared};
use crate::pages::see_other;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

/// `POST /applications/{id}/temporary-password`.
pub async fn resend(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Own { page, me, app, .. } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let back = format!("/applications/{}", app.id);
    match super::temporary_password::resend_temporary_password(&state, &me, &app, page.lang).await {
        Ok(email) => {
            let message = match page.lang {
                engine::Lang::En => format!(
                    "A new temporary password was emailed to {email}. The one sent before no \
                     longer works."
                ),
                engine::Lang::Fr => format!(
                    "Un nouveau mot de passe temporaire a été envoyé à {email}. L’ancien ne \
                     fonctionne plus."
                ),
            };
            page.message(
                StatusCode::OK,
                page.tr("Temporary password sent", "Mot de passe temporaire envoyé"),
                &message,
                &back,
            )
        }
        Err(e) => refused(&page, e, &back),
    }
}

#[derive(Deserialize)]
pub struct DeclarePost {
    /// `true` to declare, `false` to withdraw; absent: the box was not ticked.
    #[serde(default)]
    made: Option<String>,
}

/// `POST /applications/{id}/declarations/{kind}`.
pub async fn declare(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, kind)): Path<(String, String)>,
    Form(post): Form<DeclarePost>,
) -> Response {
    let Own {
        page,
        me,
        app,
        program,
        ..
    } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some(which) = Declaration::parse(&kind) else {
        return page.not_found();
    };
    let back = format!("/applications/{}", app.id);
    let made =
        match post.made.as_deref() {
            Some("true") => true,
            Some("false") => false,
            _ => return page.message(
                StatusCode::BAD_REQUEST,
                page.tr(
                    "This could not be done",
                    "Cette action n’a pas pu être faite",
                ),
                page.tr(
                    "Tick the box “I make this declaration”, then choose “I declare”.",
                    "Cochez la case « Je fais cette déclaration », puis choisissez « Je déclare ».",
                ),
                &back,
            ),
        };
    match declarations::declare(&state, &me, &app, &program, which, made, page.lang) {
        Ok(()) => see_other(&format!("{back}#signing"), &[]),
        Err(e) => refused(&page, e, &back),
    }
}
