//! The document checklist and the fees of an application, apart from HTTP: the engine decides
//! on the application as of today (the uploads the store holds count as provided) and each
//! item of the program's manifest is shown with what the decision says of it; uploading,
//! replacing and removing a file go through the store, which writes the audit entry.

use crate::error::ApiError;
use crate::portal::people::access::check_can_change;
use crate::store::{Account, Application, Audit, DocumentMeta};
use crate::AppState;
use engine::application::Application as Doc;
use engine::manifest::Requirement;
use engine::text::Text;
use engine::{Date, Decision, Lang, Program};
use serde::Serialize;
use serde_json::Value;

/// An uploaded file as the checklist shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FileView {
    /// The uploaded name, cleaned: for display only.
    pub name: String,
    /// The type found from the content.
    pub content_type: String,
    pub size: u64,
    /// Unix seconds.
    pub uploaded: u64,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub uploaded_text: String,
}

/// One checklist item.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Item {
    pub code: String,
    #[schema(value_type = Object)]
    pub title: Text,
    #[schema(value_type = Option<Object>)]
    pub help: Option<Text>,
    /// `required` (always), `rule` (required by a rule for this application), `optional`, or
    /// `not_needed` (required only in cases a rule names, and not this one for now).
    pub requirement: &'static str,
    /// Mandatory for this application now.
    pub required: bool,
    pub provided: bool,
    pub file: Option<FileView>,
}

/// One fee line.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Fee {
    pub code: String,
    #[schema(value_type = Object)]
    pub title: Text,
    /// The person the fee is for, when it is per person.
    pub person: Option<usize>,
    pub person_name: Option<String>,
    /// Dollars, `229.77`.
    pub amount: String,
    /// Why it is waived, when it is: `amount` is then 0.00.
    #[schema(value_type = Option<Object>)]
    pub waived: Option<Text>,
    /// What it would be without the waiver.
    pub charged: String,
}

/// The checklist and the fees.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Checklist {
    pub items: Vec<Item>,
    pub mandatory: usize,
    pub mandatory_provided: usize,
    pub fees: Vec<Fee>,
    /// Dollars, `1085.00`.
    pub fee_total: String,
    /// Whether files can be uploaded or removed (a draft or returned application).
    pub can_change: bool,
}

/// The engine's decision on the application as of today.
pub fn decision(
    state: &AppState,
    app: &Application,
    stored: &Value,
    program: &Program,
) -> Result<(Decision, Value), ApiError> {
    crate::portal::decide_as_of(state, app, stored, program, Date::today())
}

pub fn checklist(
    state: &AppState,
    app: &Application,
    stored: &Value,
    program: &Program,
) -> Result<Checklist, ApiError> {
    checklist_of(state, app, program, &decision(state, app, stored, program)?)
}

/// The checklist from a decision already made (the application page makes one for all of
/// its sections) and the document it was made on.
pub fn checklist_of(
    state: &AppState,
    app: &Application,
    program: &Program,
    (decision, doc): &(Decision, Value),
) -> Result<Checklist, ApiError> {
    let uploads = state.store.documents(app.id)?;
    let items: Vec<Item> = program
        .manifest
        .documents
        .iter()
        .map(|d| {
            let line = decision.documents.iter().find(|l| l.code == d.code);
            let required = line.is_some_and(|l| l.required);
            let requirement = match (d.required, required) {
                (Requirement::Always, _) => "required",
                (Requirement::WhenRulesSay, true) => "rule",
                (Requirement::WhenRulesSay, false) => "not_needed",
                (Requirement::Optional, _) => "optional",
                // The fee receipt: mandatory while a fee is charged, not when all are waived.
                (Requirement::WhenFeesCharged, true) => "required",
                (Requirement::WhenFeesCharged, false) => "not_needed",
            };
            let file = uploads.iter().find(|u| u.code == d.code).map(file_view);
            Item {
                code: d.code.clone(),
                title: d.title.clone(),
                help: d.help.clone(),
                requirement,
                required,
                provided: file.is_some(),
                file,
            }
        })
        .collect();
    let names = Doc::new(doc);
    let fees = decision
        .fees
        .items
        .iter()
        .map(|f| Fee {
            code: f.code.clone(),
            title: f.title.clone(),
            person: f.person,
            person_name: f.person.map(|p| names.name(p)),
            amount: f.amount.to_string(),
            waived: f.waived.clone(),
            charged: f.charged.to_string(),
        })
        .collect();
    Ok(Checklist {
        mandatory: items.iter().filter(|i| i.required).count(),
        mandatory_provided: items.iter().filter(|i| i.required && i.provided).count(),
        items,
        fees,
        fee_total: decision.fees.total.to_string(),
        can_change: app.status.can_submit(),
    })
}

pub fn file_view(meta: &DocumentMeta) -> FileView {
    FileView {
        name: meta.file_name.clone(),
        content_type: meta.content_type.clone(),
        size: meta.size,
        uploaded: meta.uploaded,
        uploaded_text: crate::pages::applications::when(meta.uploaded),
    }
}

/// The manifest's item `code`, or a 404 that says so.
fn item<'p>(
    program: &'p Program,
    code: &str,
) -> Result<&'p engine::manifest::DocumentItem, ApiError> {
    program
        .manifest
        .documents
        .iter()
        .find(|d| d.code == code)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "This program's checklist has no item {code}. GET the application's documents \
                 to see the items."
            ))
        })
}

/// Checks and stores a file for a checklist item (replacing the one there, if any).
pub async fn upload(
    state: &std::sync::Arc<AppState>,
    me: &Account,
    app: &Application,
    program: &Program,
    code: &str,
    file: super::files::Upload,
    lang: Lang,
) -> Result<DocumentMeta, ApiError> {
    check_can_change(app, lang)?;
    let title = item(program, code)?.title.en.clone();
    let document =
        super::files::check(&file.name, file.bytes, lang).map_err(ApiError::BadRequest)?;
    let state = std::sync::Arc::clone(state);
    let (id, code, who) = (app.id, code.to_string(), me.email.clone());
    tokio::task::spawn_blocking(move || {
        let replaced = state.store.documents(id)?.iter().any(|d| d.code == code);
        let what = format!(
            "{} document {code} ({title}): {} ({}, {} bytes)",
            if replaced { "replaced" } else { "uploaded" },
            document.file_name,
            document.content_type,
            document.bytes.len()
        );
        Ok::<_, ApiError>(
            state
                .store
                .put_document(id, &code, &document, &Audit::new(who, what))?,
        )
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// Removes the file of a checklist item.
pub async fn remove(
    state: &std::sync::Arc<AppState>,
    me: &Account,
    app: &Application,
    program: &Program,
    code: &str,
    lang: Lang,
) -> Result<(), ApiError> {
    check_can_change(app, lang)?;
    let title = item(program, code)?.title.en.clone();
    let state = std::sync::Arc::clone(state);
    let (id, code, who, number) = (app.id, code.to_string(), me.email.clone(), app.number());
    tokio::task::spawn_blocking(move || {
        let what = format!("removed document {code} ({title})");
        if state
            .store
            .remove_document(id, &code, &Audit::new(who, what))?
        {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!(
                "Application {number} has no file for {code}: there is nothing to remove."
            )))
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// A stored file: its description and bytes.
pub async fn download(
    state: &std::sync::Arc<AppState>,
    app: &Application,
    code: &str,
) -> Result<(DocumentMeta, Vec<u8>), ApiError> {
    let state = std::sync::Arc::clone(state);
    let (id, code, number) = (app.id, code.to_string(), app.number());
    tokio::task::spawn_blocking(move || {
        state.store.document(id, &code)?.ok_or_else(|| {
            ApiError::NotFound(format!(
                "Application {number} has no file for {code}. Upload one first."
            ))
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}
