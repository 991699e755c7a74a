//! The JSON API of signing: the client's applications (list, read, sign) under
//! `/api/v1/my/applications`, and the representative's signature status, declarations and
//! "resend temporary password" under `/api/v1/applications/{id}`. Thin handlers over
//! `logic`; messages in English, or in French with `?lang=fr`.

use super::access::{api_client, api_client_application, api_representative_application};
use super::declarations::{self, Declaration};
use super::logic::{self, SignRequest, SigningStatus};
use crate::api::Text as ApiText;
use crate::auth::{parse_body, CurrentAccount, Message};
use crate::error::{ApiError, ErrorBody};
use crate::pages::applications::fills;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use engine::application::{fill_from_profile, Application as Doc};
use engine::{Date, Lang};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// The language of the messages.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct LangQuery {
    /// `en` (default) or `fr`.
    pub lang: Option<String>,
}

impl LangQuery {
    fn lang(&self) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or(Lang::En)
    }
}

/// One of the client's applications, as listed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MyApplication {
    pub id: u64,
    /// The application number (`A000001`).
    pub number: String,
    /// The program id.
    pub program: String,
    pub program_title: Option<ApiText>,
    /// `draft`, `submitted`, `returned`, `accepted`, `paper_only`.
    pub status: String,
    /// The representative's name.
    pub representative: String,
}

/// A person of the application, read only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonData {
    pub index: usize,
    pub name: String,
    /// The profile and each form the person fills, by form id, as filled in (the profile's
    /// values included); a form not started is absent.
    pub forms: Map<String, Value>,
}

/// An uploaded document, by name only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentName {
    /// The checklist code.
    pub code: String,
    /// The file's original name.
    pub name: String,
}

/// The client's application, read only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MyApplicationView {
    #[serde(flatten)]
    pub summary: MyApplication,
    pub people: Vec<PersonData>,
    pub documents: Vec<DocumentName>,
    /// The fees as the rules compute them today (`items`, `total`), when they can.
    pub fees: Option<Value>,
    /// The latest decision (without its trace), if the application was submitted.
    pub decision: Option<Value>,
    pub signing: SigningStatus,
}

fn summary(state: &AppState, app: &crate::store::Application) -> Result<MyApplication, ApiError> {
    Ok(MyApplication {
        id: app.id,
        number: app.number(),
        program: app.program.clone(),
        program_title: state
            .rules
            .current()
            .program(&app.program)
            .map(|p| (&p.manifest.title).into()),
        status: app.status.as_str().to_string(),
        representative: state
            .store
            .account(app.representative)?
            .map(|r| r.name)
            .unwrap_or_default(),
    })
}

/// The signed-in client's applications, newest first.
#[utoipa::path(get, path = "/api/v1/my/applications", tag = "client",
    responses((status = 200, body = [MyApplication]), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, description = "Not a client", body = ErrorBody)))]
pub async fn list_mine(
    State(state): Shared,
    who: CurrentAccount,
) -> Result<Json<Vec<MyApplication>>, ApiError> {
    let me = api_client(&who)?;
    let apps = state.store.applications_of_client(me.id)?;
    let list = apps
        .iter()
        .rev()
        .map(|a| summary(&state, a))
        .collect::<Result<_, _>>()?;
    Ok(Json(list))
}

/// One of the signed-in client's applications, read only: people and forms, documents by
/// name, fees, the latest decision and the signatures.
#[utoipa::path(get, path = "/api/v1/my/applications/{id}", tag = "client",
    params(("id" = String, Path, description = "Application number or id")),
    responses((status = 200, body = MyApplicationView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn read_mine(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Json<MyApplicationView>, ApiError> {
    let (_, (app, stored, program)) = api_client_application(&state, &who, &id)?;
    let mut filled = stored.clone();
    fill_from_profile(&mut filled, &program);
    let doc = Doc::new(&filled);
    let people = (0..doc.people().len())
        .map(|i| {
            let mut forms = Map::new();
            let person = doc.person(i);
            let keys = std::iter::once("profile".to_string()).chain(
                program
                    .form_uses()
                    .filter(|(_, by, _)| fills(&filled, i, *by))
                    .map(|(f, _, _)| f.id.clone()),
            );
            for key in keys {
                if let Some(v) = person.and_then(|p| p.get(&key)).filter(|v| !v.is_null()) {
                    forms.insert(key, v.clone());
                }
            }
            PersonData {
                index: i,
                name: doc.name(i),
                forms,
            }
        })
        .collect();
    let documents = state
        .store
        .documents(app.id)?
        .into_iter()
        .map(|d| DocumentName {
            code: d.code,
            name: d.file_name,
        })
        .collect();
    let fees = crate::portal::decide_as_of(&state, &app, &stored, &program, Date::today())
        .ok()
        .and_then(|(d, _)| serde_json::to_value(&d.fees).ok());
    let decision = state.store.decision(app.id)?.map(|d| {
        let mut v = d.decision;
        if let Some(o) = v.as_object_mut() {
            o.remove("trace");
        }
        v
    });
    let client = state.store.account(app.client)?;
    Ok(Json(MyApplicationView {
        summary: summary(&state, &app)?,
        people,
        documents,
        fees,
        decision,
        signing: logic::status(&stored, &program, client.as_ref()),
    }))
}

/// Sign one of the application's signatures by typing the full name of the person it is
/// for (a parent or legal guardian types their own name for a principal applicant under 18,
/// with `signer`: `parent` or `guardian`).
#[utoipa::path(post, path = "/api/v1/my/applications/{id}/signatures", tag = "client",
    params(("id" = String, Path, description = "Application number or id"), LangQuery),
    request_body = SignRequest,
    responses((status = 200, description = "Signed: where every signature stands", body = SigningStatus),
              (status = 400, description = "The name or the signer is not right", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "Submitted, or the person's forms are not complete", body = ErrorBody)))]
pub async fn sign_mine(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    body: Bytes,
) -> Result<Json<SigningStatus>, ApiError> {
    let (me, (app, _, program)) = api_client_application(&state, &who, &id)?;
    let req: SignRequest = parse_body(&body)?;
    logic::sign(&state, &me, &app, &program, &req, q.lang())?;
    let stored = state.store.application_data(app.id)?.unwrap_or_default();
    Ok(Json(logic::status(&stored, &program, Some(&me))))
}

/// Where the client's signatures and the representative's declarations stand.
#[utoipa::path(get, path = "/api/v1/applications/{id}/signing", tag = "signing",
    params(("id" = String, Path, description = "Application number or id")),
    responses((status = 200, body = SigningStatus), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn signing_status(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Json<SigningStatus>, ApiError> {
    let (_, (app, stored, program)) = api_representative_application(&state, &who, &id)?;
    let client = state.store.account(app.client)?;
    Ok(Json(logic::status(&stored, &program, client.as_ref())))
}

/// Issue the client a new temporary password (the old one stops working) and email it.
/// Refused (409) when the client has already chosen their own password.
#[utoipa::path(post, path = "/api/v1/applications/{id}/temporary-password", tag = "signing",
    params(("id" = String, Path, description = "Application number or id"), LangQuery),
    responses((status = 200, body = Message), (status = 404, body = ErrorBody),
              (status = 409, description = "The client has their own password", body = ErrorBody)))]
pub async fn resend(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Json<Message>, ApiError> {
    let (me, (app, _, _)) = api_representative_application(&state, &who, &id)?;
    let email =
        super::temporary_password::resend_temporary_password(&state, &me, &app, q.lang()).await?;
    Ok(Json(Message::new(&match q.lang() {
        Lang::En => format!(
            "A new temporary password was emailed to {email}; the one sent before no longer \
             works."
        ),
        Lang::Fr => format!(
            "Un nouveau mot de passe temporaire a été envoyé à {email}; l’ancien ne fonctionne \
             plus."
        ),
    })))
}

/// The declarations to make (`true`) or withdraw (`false`); one left out is unchanged.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DeclareRequest {
    /// The representative's declaration (needs every client signature made and current).
    pub representative: Option<bool>,
    /// That no paper application was already sent for this client and program.
    pub no_paper_application: Option<bool>,
}

/// Make or withdraw the representative's declarations.
#[utoipa::path(post, path = "/api/v1/applications/{id}/declarations", tag = "signing",
    params(("id" = String, Path, description = "Application number or id"), LangQuery),
    request_body = DeclareRequest,
    responses((status = 200, body = SigningStatus), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "Signatures missing, or submitted", body = ErrorBody)))]
pub async fn declare(
    State(state): Shared,
    who: CurrentAccount,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    body: Bytes,
) -> Result<Json<SigningStatus>, ApiError> {
    let (me, (app, _, program)) = api_representative_application(&state, &who, &id)?;
    let req: DeclareRequest = parse_body(&body)?;
    // The "no paper" declaration first: the representative's may be refused, and this one
    // should not be lost with it.
    for (which, made) in [
        (Declaration::NoPaperApplication, req.no_paper_application),
        (Declaration::Representative, req.representative),
    ] {
        if let Some(made) = made {
            declarations::declare(&state, &me, &app, &program, which, made, q.lang())?;
        }
    }
    let stored = state.store.application_data(app.id)?.unwrap_or_default();
    let client = state.store.account(app.client)?;
    Ok(Json(logic::status(&stored, &program, client.as_ref())))
}
