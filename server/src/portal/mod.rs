//! The portal's features past sign-in, one module per concern, each with its HTTP-free logic,
//! its HTML pages and its JSON API under `/api/v1` (described in the OpenAPI document):
//!
//! - `people`: the principal applicant's and the dependants' profiles and forms.
//! - `documents`: uploads per checklist item (size limit, type from the content), fees.
//! - `signing`: the client's pages, e-signatures, the representative's declarations,
//!   resending the temporary password.
//! - `submit`: what is missing, submitting, the decision, linked applications.
//! - `search`: the dashboard by status and the search.
//! - `problems`: "Report a problem".
//! - `history`: an application's audit log, read.
//!
//! Each module offers `routes()`, `TEMPLATES` (its minijinja templates, added to the pages'
//! one environment) and `openapi()` (merged into the served OpenAPI document). The
//! application page (`pages::applications::show`) shows one section per module through
//! `section()`.

pub mod documents;
pub mod history;
pub mod people;
pub mod problems;
pub mod search;
pub mod signing;
pub mod submit;

use crate::pages::Page;
use crate::store::Application;
use crate::AppState;
use axum::Router;
use engine::Program;
use serde_json::Value;
use std::sync::Arc;

/// The routes of every concern.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .merge(people::routes())
        .merge(documents::routes())
        .merge(signing::routes())
        .merge(submit::routes())
        .merge(search::routes())
        .merge(problems::routes())
        .merge(history::routes())
}

/// The templates of every concern, `(name, source)`.
pub fn templates() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    people::TEMPLATES
        .iter()
        .chain(documents::TEMPLATES)
        .chain(signing::TEMPLATES)
        .chain(submit::TEMPLATES)
        .chain(search::TEMPLATES)
        .chain(problems::TEMPLATES)
        .chain(history::TEMPLATES)
}

/// The OpenAPI documents of every concern, to merge into the served one.
pub fn openapi() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        people::openapi(),
        documents::openapi(),
        signing::openapi(),
        submit::openapi(),
        search::openapi(),
        problems::openapi(),
        history::openapi(),
    ]
}

/// What the application page's sections are drawn from: the signed-in representative's own
/// application, its document with the profile filled into the forms, and its program.
pub(crate) struct AppView<'a> {
    pub state: &'a AppState,
    pub page: &'a Page,
    pub app: &'a Application,
    /// The application document, `fill_from_profile` applied.
    pub doc: &'a Value,
    /// The engine's decision as of today with the document it decided on
    /// ([`decide_as_of`]), made once for every section; or why it could not be made.
    pub decided: &'a Decided,
    pub program: &'a Program,
}

/// The SHA-256 (hex) of what a signature or a declaration vouches for: the people, their
/// profiles and forms, as stored. Signatures, declarations and documents are left out, so
/// that signing or uploading does not void what was signed before; changing any answer does.
pub fn content_digest(doc: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    canonical(doc.get("people").unwrap_or(&Value::Null), &mut hasher);
    crate::auth::token::hex(&hasher.finalize())
}

/// The SHA-256 (hex) of a declaration's wording, both languages: stored with each signature
/// and declaration, so that which text was agreed to stays provable after policy staff change
/// the declaration files (they are not part of a program's version).
pub fn wording_digest(text: &engine::Paragraphs) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let value = serde_json::to_value(text).expect("paragraphs serialise to JSON");
    canonical(&value, &mut hasher);
    crate::auth::token::hex(&hasher.finalize())
}

/// Feeds the hasher JSON text with every object's keys sorted (the workspace's serde_json
/// keeps insertion order), so that the same content always gives the same digest. The text
/// goes straight into the hasher: a submit computes this on every application it checks.
fn canonical(value: &Value, out: &mut sha2::Sha256) {
    use sha2::Digest;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.update(b"{");
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.update(b",");
                }
                json_text(key, out);
                out.update(b":");
                canonical(value, out);
            }
            out.update(b"}");
        }
        Value::Array(items) => {
            out.update(b"[");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.update(b",");
                }
                canonical(v, out);
            }
            out.update(b"]");
        }
        scalar => json_text(scalar, out),
    }
}

/// A string or scalar as serde_json writes it (escapes included), into the hasher.
fn json_text(value: &impl serde::Serialize, out: &mut sha2::Sha256) {
    struct Hashing<'h>(&'h mut sha2::Sha256);
    impl std::io::Write for Hashing<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            sha2::Digest::update(self.0, bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // Writing into a hasher cannot fail, and strings and scalars always serialize.
    let _ = serde_json::to_writer(Hashing(out), value);
}

/// The document the engine decides on, from the stored one: the profile filled into the
/// forms, `documents` rebuilt from the uploads the store holds (the one source of truth for
/// files), and the signatures and declarations whose digest no longer matches the content
/// left out (they were made on an earlier version: they must be made again).
pub(crate) fn for_decision(
    state: &AppState,
    app: &Application,
    stored: &Value,
    program: &Program,
) -> Result<Value, crate::error::ApiError> {
    let mut doc = stored.clone();
    let digest = content_digest(stored);
    let mut documents = serde_json::Map::new();
    for meta in state.store.documents(app.id)? {
        documents.insert(
            meta.code.clone(),
            serde_json::json!({
                "name": meta.file_name,
                "content_type": meta.content_type,
                "size": meta.size,
                "uploaded": meta.uploaded,
            }),
        );
    }
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("documents".into(), Value::Object(documents));
        if let Some(Value::Array(signatures)) = obj.get_mut("signatures") {
            signatures.retain(|s| s.get("digest").and_then(Value::as_str) == Some(&digest));
        }
        if let Some(Value::Object(declarations)) = obj.get_mut("declarations") {
            declarations.retain(|_, d| d.get("digest").and_then(Value::as_str) == Some(&digest));
        }
    }
    engine::application::fill_from_profile(&mut doc, program);
    Ok(doc)
}

/// A decision with the document it was made on, or why none could be made (in words).
pub(crate) type Decided = Result<(engine::Decision, Value), String>;

/// The period an intake cap counts places in: the calendar year of the decision date.
pub(crate) fn cap_period(day: engine::Date) -> String {
    day.year.to_string()
}

/// The engine's decision on the application as of `day`, on [`for_decision`]'s document
/// (returned with it), with the cap's places taken so far in the period: what the application
/// page, the checklist, the client's fees and the submit all decide on.
pub(crate) fn decide_as_of(
    state: &AppState,
    app: &Application,
    stored: &Value,
    program: &Program,
    day: engine::Date,
) -> Result<(engine::Decision, Value), crate::error::ApiError> {
    let doc = for_decision(state, app, stored, program)?;
    let used = match &program.manifest.cap {
        Some(_) => state.store.cap_used(program.id(), &cap_period(day))?,
        None => 0,
    };
    let decision = decide_on(program, &doc, day, used)?;
    Ok((decision, doc))
}

/// The engine's decision, its errors as the API's.
pub(crate) fn decide_on(
    program: &Program,
    doc: &Value,
    day: engine::Date,
    used: u64,
) -> Result<engine::Decision, crate::error::ApiError> {
    use crate::error::ApiError;
    // No language here (pages and the API share it): both, as the CSRF page does. Either
    // failure is rare: people[0] always exists, and rules are tested.
    engine::decide(program, doc, day, engine::CapState { used }).map_err(|e| match e {
        engine::DecideError::BadApplication(m) => ApiError::BadRequest(format!(
            "The application cannot be decided on ({m}): fill in the principal applicant's \
             basic information first. / La demande ne peut pas être décidée ({m}) : remplissez \
             d’abord les renseignements de base du demandeur principal."
        )),
        engine::DecideError::Script(e) => ApiError::RuleFailed(format!(
            "A rule of this program failed ({e}). Report the problem: the rules must be fixed \
             before this application can be submitted. / Une règle de ce programme a échoué \
             ({e}). Signalez le problème : les règles doivent être corrigées avant que cette \
             demande puisse être soumise."
        )),
    })
}

/// An application by its number, with its stored document and its program, when `mine`
/// says the asker may reach it (`None` otherwise, as for a number that does not exist).
pub(crate) fn load_application(
    state: &AppState,
    id: &str,
    mine: impl Fn(&Application) -> bool,
) -> Result<Option<(Application, Value, Arc<Program>)>, crate::error::ApiError> {
    let Some(id) = crate::store::parse_application_number(id) else {
        return Ok(None);
    };
    let Some(app) = state.store.application(id)?.filter(|a| mine(a)) else {
        return Ok(None);
    };
    let doc = state
        .store
        .application_data(id)?
        .unwrap_or_else(|| serde_json::json!({}));
    let program = state
        .rules
        .current()
        .program(&app.program)
        .cloned()
        .ok_or_else(|| {
            crate::error::ApiError::Internal(format!(
                "program {} of {} is not loaded",
                app.program, app.id
            ))
        })?;
    Ok(Some((app, doc, program)))
}

#[cfg(test)]
mod tests {
    use super::content_digest;
    use serde_json::json;

    #[test]
    fn the_digest_ignores_key_order_and_signatures_but_not_answers() {
        let a = json!({"people": [{"role": "principal", "profile": {"a": 1, "b": "x"}}]});
        let b = json!({"signatures": [{"what": "x"}],
                       "people": [{"profile": {"b": "x", "a": 1}, "role": "principal"}]});
        let c = json!({"people": [{"role": "principal", "profile": {"a": 2, "b": "x"}}]});
        assert_eq!(content_digest(&a), content_digest(&b));
        assert_ne!(content_digest(&a), content_digest(&c));
    }

    /// Signatures and declarations store the digest: it must never change for the same
    /// content, whatever the implementation (this value is the first implementation's).
    #[test]
    fn the_digest_of_a_document_stays_the_same_across_versions() {
        let doc = json!({"people": [{
            "role": "principal",
            "profile": {"identity": {"family_name": "Ø'Brien \"Jr\"\n", "given_names": "Zoë"},
                        "passport": {"number": "FA123456"}, "n": 12, "x": -3.5, "ok": true,
                        "none": null, "list": [1, "a/b", {"z": 1, "a": [true]}]}
        }]});
        assert_eq!(
            content_digest(&doc),
            "17e21ec65615834214b09f22771427975028da223f9914ccaeedad3467cf4721"
        );
    }
}
