//! What stands between an application and its submit: the engine's decision on the document
//! as it would be submitted today, and the items of it that block the submit.
//!
//! Blocking: every `missing` item whose origin is a form schema (a field) or the manifest (a
//! form, a document, a signature), and the representative's two declarations (made on the
//! current content: `for_decision` drops the stale ones). Items a rule reported do not block:
//! they are the decision's business (the application may be returned for them).
//!
//! The cap's period is the calendar year of the decision date (`2026`): the store counts the
//! places taken per program and year.

use crate::error::ApiError;
use crate::portal::decide_as_of;
use crate::store::Application;
use crate::AppState;
use engine::decision::{Missing, Origin};
use engine::{Date, Decision, Lang, Program, Text};
use serde::Serialize;
use serde_json::Value;

/// One thing to do before the application can be submitted, with where it is done.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Blocker {
    /// The engine's stable key (`people[0].imm5257.visit.purpose`, `documents.photo`,
    /// `declarations.representative`).
    pub key: String,
    /// The person it is about (0: principal applicant), when it is about one.
    pub person: Option<usize>,
    /// What is missing, in English and French.
    pub message: Words,
    /// The page (and anchor) where it is fixed.
    pub link: String,
}

/// A text in both languages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Words {
    pub en: String,
    pub fr: String,
}

impl Words {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }
}

impl From<&Text> for Words {
    fn from(t: &Text) -> Words {
        Words {
            en: t.en.clone(),
            fr: t.fr.clone(),
        }
    }
}

/// The decision on the document as it stands, and what blocks the submit.
pub struct Readiness {
    pub decision: Decision,
    /// The document the engine decided on (profile filled, uploads, valid signatures).
    pub doc: Value,
    pub blockers: Vec<Blocker>,
}

/// Decides the stored document as of `day`, with the cap's places taken so far.
pub fn readiness(
    state: &AppState,
    app: &Application,
    stored: &Value,
    program: &Program,
    day: Date,
) -> Result<Readiness, ApiError> {
    let (decision, doc) = decide_as_of(state, app, stored, program, day)?;
    let blockers = blockers(app.id, program, &doc, &decision);
    Ok(Readiness {
        decision,
        doc,
        blockers,
    })
}

/// What blocks the submit, from the decision on `doc` (the document it was made on).
pub(crate) fn blockers(id: u64, program: &Program, doc: &Value, d: &Decision) -> Vec<Blocker> {
    let mut out: Vec<Blocker> = d
        .missing
        .iter()
        .filter(|m| !matches!(m.by, Origin::Rule(_)))
        .map(|m| blocker(id, program, m))
        .collect();
    let declarations = doc.get("declarations");
    let declared = |what: &str| {
        declarations
            .and_then(|d| d.get(what))
            .is_some_and(Value::is_object)
    };
    if !declared("representative") {
        out.push(Blocker {
            key: "declarations.representative".into(),
            person: None,
            message: Words {
                en: "The representative’s declaration is not made, or the application changed \
                     after it was made: make it in the signatures and declarations section."
                    .into(),
                fr: "La déclaration du représentant n’est pas faite, ou la demande a changé \
                     depuis : faites-la dans la section des signatures et déclarations."
                    .into(),
            },
            link: format!("/applications/{id}#signing"),
        });
    }
    if !declared("no_paper_application") {
        out.push(Blocker {
            key: "declarations.no_paper_application".into(),
            person: None,
            message: Words {
                en: "Declare that no paper application was already sent for this client \
                     (signatures and declarations section)."
                    .into(),
                fr: "Déclarez qu’aucune demande sur papier n’a déjà été envoyée pour ce client \
                     (section des signatures et déclarations)."
                    .into(),
            },
            link: format!("/applications/{id}#signing"),
        });
    }
    out
}

/// The form a `people[i].<form>…` key is about.
fn form_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("people[")?;
    let (_, rest) = rest.split_once("].")?;
    Some(rest.split(['.', '[']).next().unwrap_or(rest))
}

fn blocker(id: u64, program: &Program, m: &Missing) -> Blocker {
    let mut message = Words::from(&m.message);
    let link = if m.key.starts_with("documents.") {
        format!("/applications/{id}/documents")
    } else if m.key.starts_with("signatures.") {
        format!("/applications/{id}#signing")
    } else if let (Some(n), Some(form)) = (m.person, form_of(&m.key)) {
        // A field's message names the field; say which form it is on.
        if let Origin::Schema { .. } = m.by {
            let title = if form == "profile" {
                Text::new("Basic information", "Renseignements de base")
            } else {
                program
                    .form_uses()
                    .find(|(f, _, _)| f.id == form)
                    .map(|(f, _, _)| f.title.clone())
                    .unwrap_or_else(|| Text::new(form, form))
            };
            message = Words {
                en: format!("{}: {}", title.en, message.en),
                fr: format!("{} : {}", title.fr, message.fr),
            };
        }
        format!("/applications/{id}/people/{n}/{form}")
    } else {
        format!("/applications/{id}")
    };
    Blocker {
        key: m.key.clone(),
        person: m.person,
        message,
        link,
    }
}

#[cfg(test)]
mod tests {
    use super::form_of;

    #[test]
    fn the_form_of_a_key() {
        assert_eq!(form_of("people[0].imm5257.visit.purpose"), Some("imm5257"));
        assert_eq!(form_of("people[2].profile"), Some("profile"));
        assert_eq!(
            form_of("people[1].imm5257.contacts[0].name"),
            Some("imm5257")
        );
        assert_eq!(form_of("documents.photo"), None);
    }
}
