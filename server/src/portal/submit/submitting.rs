//! Submitting: refuse unless nothing blocks, decide, store the decision with its status in
//! one durable transaction (`Store::submit`), and create the linked applications the
//! decision asks for.
//!
//! The cap is never exceeded: the store reserves the place in the submit's transaction and
//! refuses it once the cap is full (another submit took the last place between our decision
//! and our write). The decision is then made again with the cap full, which returns the
//! application `cap_reached`, and that is what is stored.

use super::check::{readiness, Blocker};
use super::linked::create_linked;
use crate::error::ApiError;
use crate::portal::{cap_period, decide_on};
use crate::store::{
    Account, Application, Audit, CapClaim, PersonKey, Status, StoreError, Submission,
};
use crate::AppState;
use engine::{Date, Decision, Lang, Outcome, Program};
use serde_json::{json, Value};
use std::sync::Arc;

/// Why a submit did not happen.
pub enum Refused {
    /// Something blocks it: what, in the order to fix it.
    Incomplete(Vec<Blocker>),
    Error(ApiError),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Refused {
        Refused::Error(e)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Refused {
        Refused::Error(e.into())
    }
}

/// A stored submit.
pub struct Submitted {
    pub app: Application,
    /// The decision as stored with it (the answer shows it without reading it back).
    pub decision: Value,
    /// The applications created with it (linked both ways).
    pub created: Vec<Application>,
}

/// The status a decision gives.
fn status_of(d: &Decision) -> Status {
    match d.outcome {
        Outcome::Accepted => Status::Accepted,
        Outcome::Returned => Status::Returned,
        Outcome::PaperOnly => Status::PaperOnly,
    }
}

/// Each person as the duplicates check knows them (people with no name yet are left out:
/// the forms would not have validated).
fn persons(doc: &Value) -> Vec<PersonKey> {
    let people = doc.get("people").and_then(Value::as_array);
    people
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let text = |path: &str| p.pointer(path).and_then(Value::as_str).unwrap_or("").trim();
            let name = format!(
                "{} {}",
                text("/profile/identity/given_names"),
                text("/profile/identity/family_name")
            );
            (!name.trim().is_empty()).then(|| {
                PersonKey::new(
                    &name,
                    text("/profile/identity/date_of_birth"),
                    text("/profile/passport/number"),
                )
            })
        })
        .collect()
}

/// Submits the representative's application `app` (already checked to be theirs).
pub async fn submit(
    state: &Arc<AppState>,
    me: &Account,
    app: &Application,
    program: &Program,
    lang: Lang,
) -> Result<Submitted, Refused> {
    if !app.status.can_submit() {
        return Err(ApiError::Conflict(match lang {
            Lang::En => format!(
                "Application {} has already been submitted: it can be submitted again only \
                 when it is returned.",
                app.number()
            ),
            Lang::Fr => format!(
                "La demande {} a déjà été soumise : elle ne peut l’être de nouveau que si elle \
                 est retournée.",
                app.number()
            ),
        })
        .into());
    }
    let stored = state
        .store
        .application_data(app.id)?
        .unwrap_or_else(|| json!({}));
    let day = Date::today();
    let ready = readiness(state, app, &stored, program, day)?;
    if !ready.blockers.is_empty() {
        return Err(Refused::Incomplete(ready.blockers));
    }
    let mut decision = ready.decision;
    let cap = program.manifest.cap.as_ref().map(|c| CapClaim {
        period: cap_period(day),
        limit: c.limit,
    });
    let who = me.email.clone();
    let submission = Submission {
        application: app.id,
        status: status_of(&decision),
        program_version: decision.program_version.clone(),
        decision: decision_json(&decision)?,
        audit: Audit::new(
            who.clone(),
            format!("submitted: {}", outcome_words(&decision)),
        ),
        cap: cap.clone(),
        persons: Some(persons(&ready.doc)),
    };
    let (mut submission, stored_app) = store_submit(state, submission)
        .await
        .map_err(|e| refusal(e, lang))?;
    let stored_app = match stored_app {
        Err(StoreError::CapReached { limit, .. }) => {
            // Another submit took the last place: decide again with the cap full.
            decision = decide_on(program, &ready.doc, day, limit)?;
            submission.status = status_of(&decision);
            submission.decision = decision_json(&decision)?;
            submission.audit = Audit::new(who, format!("submitted: {}", outcome_words(&decision)));
            let stored;
            (submission, stored) = store_submit(state, submission)
                .await
                .map_err(|e| refusal(e, lang))?;
            stored
        }
        other => other,
    };
    let stored_app = stored_app.map_err(|e| refusal(e, lang))?;
    // The submit is stored and durable: from here on the answer is a success. A linked
    // application that cannot be created is logged and written in the audit log, and the
    // application page offers to create it again (`linked`), rather than answered as a
    // failed submit.
    let created = if stored_app.status == Status::Accepted && stored_app.linked.is_none() {
        let programs: Vec<String> = decision.create.iter().map(|c| c.program.clone()).collect();
        create_linked(state, me, &stored_app, &stored, &programs).unwrap_or_else(|e| {
            let (_, message) = crate::pages::status_and_message(e);
            tracing::error!("linked applications of {}: {message}", stored_app.number());
            let note = Audit::new(
                "system",
                format!("linked application not created: {message}"),
            );
            if let Err(e) = state.store.append_audit(stored_app.id, &note) {
                tracing::error!("audit of {}: {e}", stored_app.number());
            }
            Vec::new()
        })
    } else {
        Vec::new()
    };
    let app = match created.first() {
        Some(_) => state.store.application(app.id)?.unwrap_or(stored_app),
        None => stored_app,
    };
    Ok(Submitted {
        app,
        decision: submission.decision,
        created,
    })
}

fn decision_json(d: &Decision) -> Result<Value, ApiError> {
    serde_json::to_value(d).map_err(|e| ApiError::Internal(format!("decision as JSON: {e}")))
}

fn outcome_words(d: &Decision) -> String {
    match d.reason {
        Some(r) => format!("{} ({})", d.outcome.as_str(), r.as_str()),
        None => d.outcome.as_str().to_string(),
    }
}

/// Stores the submission through the store's writer (acknowledged once durable) and hands
/// it back with the result: a refused one may be submitted again, changed.
async fn store_submit(
    state: &AppState,
    submission: Submission,
) -> Result<(Submission, Result<Application, StoreError>), StoreError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    state.store.submit_then(
        submission,
        Box::new(move |submission, result| {
            let _ = tx.send((submission, result));
        }),
    );
    // The store calls `done` once, even when its writer has stopped; only a writer that died
    // with the submission still queued drops it unanswered.
    rx.await
        .map_err(|_| StoreError::Backend("the store stopped before the submit was written".into()))
}

/// A store refusal in words the representative can act on.
fn refusal(e: StoreError, lang: Lang) -> Refused {
    let message = match (&e, lang) {
        (StoreError::Duplicate { existing, .. }, Lang::En) => format!(
            "One of the people on this application already has an open application in this \
             program ({}). The same person (name, date of birth and passport) cannot apply \
             twice: continue with that application instead.",
            crate::store::application_number(*existing)
        ),
        (StoreError::Duplicate { existing, .. }, Lang::Fr) => format!(
            "Une des personnes de cette demande a déjà une demande ouverte dans ce programme \
             ({}). La même personne (nom, date de naissance et passeport) ne peut pas présenter \
             deux demandes : poursuivez plutôt celle-là.",
            crate::store::application_number(*existing)
        ),
        _ => return Refused::Error(e.into()),
    };
    Refused::Error(ApiError::Conflict(message))
}
