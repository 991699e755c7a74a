//! Demo data (`--demo`): a representative with a few clients and visitor-visa applications in
//! different states, so that a fresh portal is worth clicking at once: a draft with the
//! principal's profile filled, a complete one ready to submit (from
//! `tests/applications/visitor-visa.json`, with its documents uploaded and signed), one
//! submitted and accepted and one returned, both decided by the engine and stored with
//! `Store::submit`. Seeding is idempotent: what exists already (by email, by client) is left
//! alone, so a restart adds nothing twice.

use crate::auth::password;
use crate::error::ApiError;
use crate::portal::{content_digest, decide_as_of};
use crate::store::{
    now, Account, Audit, NewAccount, NewApplication, NewDocument, Role, Status, Submission,
};
use crate::AppState;
use engine::decision::Outcome;
use engine::Date;
use serde_json::{json, Value};

/// The demo representative's email.
pub const EMAIL: &str = "demo@intake.example";
/// The password of every demo account (representative and clients).
pub const PASSWORD: &str = "intake-demo-password";
/// The program the demo applications are for.
const PROGRAM: &str = "apr.visitor-visa";
/// The complete visitor-visa application the demo starts from.
const SAMPLE: &str = include_str!("../../tests/applications/visitor-visa.json");

/// What a demo application becomes.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    /// A draft with only the principal's profile.
    Profile,
    /// Every form, document, signature and declaration: ready to submit.
    Complete,
    /// Complete and submitted: accepted.
    Accepted,
    /// Complete, but the stay typed ends before it starts (a slip the rules catch, not the
    /// form): submitted and returned incomplete, with the reason in plain words.
    Returned,
}

/// One demo client: (given names, family name, date of birth, passport, stage).
const CLIENTS: [(&str, &str, &str, &str, Stage); 4] = [
    (
        "Daniel",
        "Okafor",
        "1979-11-03",
        "NG4471203",
        Stage::Profile,
    ),
    (
        "Olena",
        "Kovalenko",
        "1988-04-12",
        "FA123456",
        Stage::Complete,
    ),
    (
        "Mariia",
        "Shevchenko",
        "1992-02-17",
        "FB908172",
        Stage::Accepted,
    ),
    (
        "Tomás",
        "Rivera",
        "1985-07-29",
        "PA5521987",
        Stage::Returned,
    ),
];

/// What seeding did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub accounts: usize,
    pub applications: usize,
}

/// Seeds the demo data that is not there yet.
pub async fn seed(state: &AppState) -> Result<Seeded, ApiError> {
    let mut seeded = Seeded::default();
    // One hash for every demo account: hashing is slow on purpose.
    let hash = password::hash(PASSWORD).await?;
    let rep = match state.store.account_by_email(EMAIL)? {
        Some(a) => a,
        None => {
            seeded.accounts += 1;
            state.store.create_account(&NewAccount {
                role: Role::Representative,
                email: EMAIL.into(),
                name: "Demo Representative".into(),
                password_hash: Some(hash.clone()),
            })?
        }
    };
    let existing = state.store.applications_of(rep.id)?;
    for (given, family, born, passport, stage) in CLIENTS {
        let email = format!(
            "{}.{}@clients.intake.example",
            ascii(given).to_lowercase(),
            ascii(family).to_lowercase()
        );
        let client = match state.store.account_by_email(&email)? {
            Some(a) => a,
            None => {
                seeded.accounts += 1;
                state.store.create_account(&NewAccount {
                    role: Role::Client,
                    email: email.clone(),
                    name: format!("{given} {family}"),
                    password_hash: Some(hash.clone()),
                })?
            }
        };
        if existing.iter().any(|a| a.client == client.id) {
            continue;
        }
        let person = Person {
            given,
            family,
            born,
            passport,
            email: &email,
        };
        application(state, &rep, &client, &person, stage).await?;
        seeded.applications += 1;
    }
    state.store.flush()?;
    Ok(seeded)
}

struct Person<'a> {
    given: &'a str,
    family: &'a str,
    born: &'a str,
    passport: &'a str,
    email: &'a str,
}

/// `Tomás` → `Tomas`, for email addresses.
fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' => 'a',
            'é' | 'è' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'ô' => 'o',
            'ú' => 'u',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The sample application made this person's, with the visit moved to the coming months
/// (a stay that starts before the decision date is refused).
fn document(person: &Person, stage: Stage) -> Value {
    let mut doc: Value = serde_json::from_str(SAMPLE).expect("the sample application is JSON");
    let principal = &mut doc["people"][0];
    principal["profile"]["identity"]["given_names"] = json!(person.given);
    principal["profile"]["identity"]["family_name"] = json!(person.family);
    principal["profile"]["identity"]["date_of_birth"] = json!(person.born);
    principal["profile"]["passport"]["number"] = json!(person.passport);
    principal["profile"]["contact"]["email"] = json!(person.email);
    let today = Date::today().days_since_epoch();
    let visit = &mut principal["imm5257"]["visit"];
    visit["from_date"] = json!(Date::from_days_since_epoch(today + 60).to_string());
    visit["to_date"] = json!(Date::from_days_since_epoch(today + 120).to_string());
    if stage == Stage::Returned {
        visit["to_date"] = json!(Date::from_days_since_epoch(today + 50).to_string());
    }
    let obj = doc.as_object_mut().expect("an object");
    obj.remove("documents");
    let signatures = obj.remove("signatures");
    match stage {
        Stage::Profile => {
            let profile = doc["people"][0]["profile"].clone();
            json!({"people": [{"role": "principal", "profile": profile}]})
        }
        Stage::Complete | Stage::Accepted | Stage::Returned => {
            let digest = content_digest(&doc);
            let at = now();
            let mut signatures = signatures.unwrap_or(json!([]));
            for s in signatures.as_array_mut().into_iter().flatten() {
                s["name"] = json!(format!("{} {}", person.given, person.family));
                s["date"] = json!(Date::today().to_string());
                s["signed_at"] = json!(at);
                s["digest"] = json!(digest);
            }
            let declaration = json!({"by": EMAIL, "at": at, "digest": digest});
            doc["signatures"] = signatures;
            doc["declarations"] = json!({
                "representative": declaration.clone(),
                "no_paper_application": declaration,
            });
            doc
        }
    }
}

/// A small file standing for each document of the sample.
fn upload(code: &str) -> NewDocument {
    if code == "photo" {
        // The smallest JPEG header and end: enough for a content sniffer.
        NewDocument {
            file_name: "photo.jpg".into(),
            content_type: "image/jpeg".into(),
            bytes: vec![
                0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 0xFF, 0xD9,
            ],
        }
    } else {
        NewDocument {
            file_name: format!("{code}.pdf"),
            content_type: "application/pdf".into(),
            bytes: format!("%PDF-1.4\n% Intake demo: {code}\n%%EOF\n").into_bytes(),
        }
    }
}

async fn application(
    state: &AppState,
    rep: &Account,
    client: &Account,
    person: &Person<'_>,
    stage: Stage,
) -> Result<(), ApiError> {
    let catalogue = state.rules.current();
    let program = catalogue.program(PROGRAM).ok_or_else(|| {
        ApiError::Internal(format!(
            "the demo needs the program {PROGRAM}: start from the repository's programs/ folder"
        ))
    })?;
    let audit = |what: &str| Audit::new(rep.email.clone(), format!("demo data: {what}"));
    let data = document(person, stage);
    let app = state.store.create_application(
        &NewApplication {
            representative: rep.id,
            client: client.id,
            program: PROGRAM.into(),
            status: Status::Draft,
            data: data.clone(),
        },
        &audit("created the application"),
    )?;
    if matches!(stage, Stage::Complete | Stage::Accepted | Stage::Returned) {
        let sample: Value = serde_json::from_str(SAMPLE).expect("the sample application is JSON");
        for code in sample["documents"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(c, _)| c)
        {
            state.store.put_document(
                app.id,
                code,
                &upload(code),
                &audit(&format!("uploaded {code}")),
            )?;
        }
    }
    if matches!(stage, Stage::Accepted | Stage::Returned) {
        let (decision, _) = decide_as_of(state, &app, &data, program, Date::today())?;
        let status = match decision.outcome {
            Outcome::Accepted => Status::Accepted,
            Outcome::Returned => Status::Returned,
            Outcome::PaperOnly => Status::PaperOnly,
        };
        if (stage == Stage::Accepted) != (status == Status::Accepted) {
            tracing::warn!(
                "the demo application {} was decided {} (expected otherwise): {:?}",
                app.number(),
                decision.outcome.as_str(),
                decision.missing
            );
        }
        state.store.submit(&Submission {
            application: app.id,
            status,
            program_version: decision.program_version.clone(),
            decision: serde_json::to_value(&decision)
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            audit: audit(&format!("submitted: {}", decision.outcome.as_str())),
            cap: None,
            persons: None,
        })?;
    }
    Ok(())
}
