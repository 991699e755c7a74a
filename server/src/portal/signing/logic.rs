//! What signing is, apart from HTTP: who must sign what (from the manifest and the people's
//! ages), where each signature stands (signed, to sign again, waiting), signing by typing a
//! full name, the representative's declarations and resending the client's temporary
//! password (the last two in `declarations` and `temporary_password`). The pages and the
//! JSON API are thin layers over these functions.
//!
//! Decisions made here:
//! - A signature can be made only while the application can change (draft or returned), and
//!   only once every form of the person it is made for validates (profile and required forms,
//!   and any optional form that was started): a person signs what they can read in full.
//! - The client signs for every person who must sign (the family shares the client's
//!   account, as in the seed portal); each signature needs that person's own full name.
//! - A principal applicant under 18 on the signing date is signed for by a parent or legal
//!   guardian, whose name cannot be checked against the application: it is recorded as typed.
//! - The representative's declaration needs every signature current; the "no paper
//!   application" declaration can be made at any time. Both record the content digest, so a
//!   later change of an answer voids them like a signature.

use super::names::fold_name;
use crate::api::Text as ApiText;
use crate::error::ApiError;
use crate::pages::applications::fills;
use crate::portal::{content_digest, wording_digest};
use crate::store::{now, Account, Application, Audit};
use crate::AppState;
use engine::application::{fill_from_profile, Application as Doc};
use engine::manifest::{FilledBy, SignedBy};
use engine::validate::validate_form;
use engine::{Date, Lang, Paragraphs, Program, Text};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One signature the application needs, and where it stands.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignatureState {
    /// The manifest's signature code (`consent-declaration`, `imm5669-declaration`, …).
    pub what: String,
    pub title: ApiText,
    /// What the signer agrees to (the program's declaration text, `programs/declarations/`).
    pub text: DeclarationText,
    /// The person it is made for (0: the principal applicant).
    pub person: usize,
    /// That person's name, from their profile.
    pub person_name: String,
    /// The person is under 18 today: a parent or legal guardian signs for them.
    pub by_parent_or_guardian: bool,
    /// `signed`, `stale` (an answer changed since: needs to be signed again) or `waiting`.
    pub state: &'static str,
    /// Who signed (`self`, `parent`, `guardian`), when signed.
    pub signer: Option<String>,
    /// The name typed, when signed.
    pub name: Option<String>,
    /// The signing date (YYYY-MM-DD), when signed.
    pub date: Option<String>,
}

/// One of the representative's declarations.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeclarationState {
    /// `representative` or `no_paper_application`.
    pub kind: &'static str,
    pub text: DeclarationText,
    /// `made`, `stale` (an answer changed since: make it again) or `waiting`.
    pub state: &'static str,
    pub by: Option<String>,
    /// Unix seconds.
    pub at: Option<u64>,
}

/// A declaration's text in English and French, paragraph for paragraph.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeclarationText {
    pub en: Vec<String>,
    pub fr: Vec<String>,
}

impl From<&Paragraphs> for DeclarationText {
    fn from(p: &Paragraphs) -> DeclarationText {
        DeclarationText {
            en: p.en.clone(),
            fr: p.fr.clone(),
        }
    }
}

/// Everything about signing one application.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SigningStatus {
    pub signatures: Vec<SignatureState>,
    /// Every signature is made and current.
    pub all_signed: bool,
    pub declarations: Vec<DeclarationState>,
    /// The client has chosen their own password (a temporary one can no longer be resent).
    pub client_has_own_password: bool,
}

/// A signature as typed.
#[derive(Deserialize, Serialize, Default, Clone, utoipa::ToSchema)]
pub struct SignRequest {
    /// The manifest's signature code.
    #[serde(default)]
    pub what: String,
    /// The person signed for (0: the principal applicant).
    #[serde(default)]
    pub person: usize,
    /// The signer's full name: the person's own, or the parent's or guardian's for a minor.
    #[serde(default)]
    pub name: String,
    /// For a principal applicant under 18: `parent` or `guardian`.
    #[serde(default)]
    pub signer: Option<String>,
}

/// A signature the manifest asks of a person.
struct Needed<'p> {
    what: &'p str,
    title: &'p Text,
    text: &'p Paragraphs,
    person: usize,
    minor: bool,
}

/// Who must sign what today: the manifest's signatures, for the principal applicant or for
/// every adult (family members under 18 sign nothing; the principal applicant always signs,
/// through a parent or guardian when under 18).
fn needed<'p>(program: &'p Program, doc: &Value, today: Date) -> Vec<Needed<'p>> {
    let people = Doc::new(doc).people().len().max(1);
    let mut out = Vec::new();
    for s in &program.manifest.signatures {
        for i in 0..people {
            let asked = match s.by {
                SignedBy::Principal => i == 0,
                SignedBy::Adults => fills(doc, i, FilledBy::Adults),
            };
            if asked {
                out.push(Needed {
                    what: &s.what,
                    title: &s.title,
                    text: &s.text,
                    person: i,
                    minor: i == 0 && Doc::new(doc).age(0, today).is_some_and(|a| a < 18),
                });
            }
        }
    }
    out
}

/// The stored signature of `what` for `person`, if any.
fn stored_signature<'d>(doc: &'d Value, what: &str, person: usize) -> Option<&'d Value> {
    doc.get("signatures")?.as_array()?.iter().rev().find(|s| {
        s.get("what").and_then(Value::as_str) == Some(what)
            && s.get("person").and_then(Value::as_u64).unwrap_or(0) == person as u64
    })
}

fn text_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Where every signature and declaration of the stored document stands.
pub fn status(stored: &Value, program: &Program, client: Option<&Account>) -> SigningStatus {
    let digest = content_digest(stored);
    let doc = Doc::new(stored);
    let signatures: Vec<SignatureState> = needed(program, stored, Date::today())
        .into_iter()
        .map(|n| {
            let found = stored_signature(stored, n.what, n.person);
            let state = match found {
                None => "waiting",
                Some(s) if text_of(s, "digest").as_deref() == Some(digest.as_str()) => "signed",
                Some(_) => "stale",
            };
            SignatureState {
                what: n.what.to_string(),
                title: n.title.into(),
                text: n.text.into(),
                person: n.person,
                person_name: doc.name(n.person),
                by_parent_or_guardian: n.minor,
                state,
                signer: found.and_then(|s| text_of(s, "signer")),
                name: found.and_then(|s| text_of(s, "name")),
                date: found.and_then(|s| text_of(s, "date")),
            }
        })
        .collect();
    let all_signed = signatures.iter().all(|s| s.state == "signed");
    let portal = program.portal_declarations();
    let declarations = [
        ("representative", &portal.representative),
        ("no_paper_application", &portal.no_paper_application),
    ]
    .into_iter()
    .map(|(kind, text)| {
        let made = stored.pointer(&format!("/declarations/{kind}"));
        DeclarationState {
            kind,
            text: text.into(),
            state: match made {
                None | Some(Value::Null) => "waiting",
                Some(d) if text_of(d, "digest").as_deref() == Some(digest.as_str()) => "made",
                Some(_) => "stale",
            },
            by: made.and_then(|d| text_of(d, "by")),
            at: made.and_then(|d| d.get("at")).and_then(Value::as_u64),
        }
    })
    .collect();
    SigningStatus {
        signatures,
        all_signed,
        declarations,
        client_has_own_password: client.is_some_and(|c| c.password_hash.is_some()),
    }
}

/// The titles of the forms of `person` that do not validate yet (the profile filled in).
pub fn incomplete_forms(
    stored: &Value,
    program: &Program,
    person: usize,
    lang: Lang,
) -> Vec<String> {
    let mut doc = stored.clone();
    fill_from_profile(&mut doc, program);
    let values = |key: &str| doc.pointer(&format!("/people/{person}/{key}")).cloned();
    let mut out = Vec::new();
    let profile = values("profile").unwrap_or(Value::Null);
    if profile.is_null() || !validate_form(program.profile(), &profile).is_empty() {
        out.push(
            match lang {
                Lang::En => "Basic information (profile)",
                Lang::Fr => "Renseignements de base (profil)",
            }
            .to_string(),
        );
    }
    for (form, by, required) in program.form_uses() {
        if !fills(&doc, person, by) {
            continue;
        }
        let complete = match values(&form.id) {
            None | Some(Value::Null) => !required,
            Some(v) => validate_form(form, &v).is_empty(),
        };
        if !complete {
            out.push(form.title.get(lang).to_string());
        }
    }
    out
}

pub(super) fn say(lang: Lang, en: String, fr: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// Refuses any change once the application is no longer a draft or returned.
pub fn check_can_change(app: &Application, lang: Lang) -> Result<(), ApiError> {
    if app.status.can_submit() {
        return Ok(());
    }
    Err(ApiError::Conflict(say(
        lang,
        "This application has been submitted: its signatures and declarations can no longer \
         change."
            .into(),
        "Cette demande a été soumise : ses signatures et déclarations ne peuvent plus changer."
            .into(),
    )))
}

/// The stored document of an application whose signatures and declarations may still change
/// (refused once it is no longer a draft or returned).
pub(super) fn changeable_document(
    state: &AppState,
    app: &Application,
    lang: Lang,
) -> Result<Value, ApiError> {
    check_can_change(app, lang)?;
    Ok(state
        .store
        .application_data(app.id)?
        .unwrap_or_else(|| json!({})))
}

/// Signs `req.what` for `req.person` by the signed-in client: checks, then records the
/// signature with the digest of what was signed, replacing an earlier one, with an audit
/// entry.
pub fn sign(
    state: &AppState,
    client: &Account,
    app: &Application,
    program: &Program,
    req: &SignRequest,
    lang: Lang,
) -> Result<(), ApiError> {
    let mut stored = changeable_document(state, app, lang)?;
    let today = Date::today();
    let list = needed(program, &stored, today);
    let Some(n) = list
        .iter()
        .find(|n| n.what == req.what && n.person == req.person)
    else {
        return Err(ApiError::BadRequest(say(
            lang,
            "This application asks for no such signature. Choose one of the signatures listed \
             on the application page."
                .into(),
            "Cette demande ne prévoit pas cette signature. Choisissez une des signatures \
             indiquées sur la page de la demande."
                .into(),
        )));
    };
    let who = Doc::new(&stored).name(n.person);
    let incomplete = incomplete_forms(&stored, program, n.person, lang);
    if !incomplete.is_empty() {
        return Err(ApiError::Conflict(say(
            lang,
            format!(
                "{who} cannot sign yet: these forms are not complete: {}. Your representative \
                 must finish them first.",
                incomplete.join(", ")
            ),
            format!(
                "{who} ne peut pas encore signer : ces formulaires ne sont pas complets : {}. \
                 Votre représentant doit d’abord les terminer.",
                incomplete.join(", ")
            ),
        )));
    }
    let typed = req.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let signer = if n.minor {
        let signer = req.signer.as_deref().map(str::trim).unwrap_or("");
        if signer != "parent" && signer != "guardian" {
            return Err(ApiError::BadRequest(say(
                lang,
                format!(
                    "{who} is under 18: a parent or legal guardian signs on their behalf. \
                     Choose whether you are their parent or their legal guardian."
                ),
                format!(
                    "{who} a moins de 18 ans : un parent ou un tuteur légal signe en son nom. \
                     Indiquez si vous êtes son parent ou son tuteur légal."
                ),
            )));
        }
        if typed.chars().filter(|c| c.is_alphabetic()).count() < 2 || typed.chars().count() > 200 {
            return Err(ApiError::BadRequest(say(
                lang,
                "Type your own full name, as the parent or legal guardian who signs (given \
                 names then family name)."
                    .into(),
                "Tapez votre propre nom complet, en tant que parent ou tuteur légal qui signe \
                 (prénoms puis nom de famille)."
                    .into(),
            )));
        }
        signer
    } else {
        if req
            .signer
            .as_deref()
            .is_some_and(|s| !s.is_empty() && s != "self")
        {
            return Err(ApiError::BadRequest(say(
                lang,
                format!("{who} is 18 or older and signs personally: type their own full name."),
                format!(
                    "{who} a 18 ans ou plus et signe personnellement : tapez son propre nom \
                     complet."
                ),
            )));
        }
        if fold_name(&typed) != fold_name(&who) || typed.is_empty() {
            return Err(ApiError::BadRequest(say(
                lang,
                format!(
                    "The name typed is not the name of the person who signs. Type the full name \
                     of {who}: given names then family name, as in the application."
                ),
                format!(
                    "Le nom tapé n’est pas celui de la personne qui signe. Tapez le nom complet \
                     de {who} : prénoms puis nom de famille, comme dans la demande."
                ),
            )));
        }
        "self"
    };
    let read = stored.clone();
    let wording = wording_digest(n.text);
    let signature = json!({
        "what": n.what,
        "person": n.person,
        "name": typed,
        "signer": signer,
        "date": today.to_string(),
        "signed_at": now(),
        "digest": content_digest(&stored),
        "wording": wording,
    });
    let what = n.what.to_string();
    let person = n.person;
    let obj = stored
        .as_object_mut()
        .ok_or_else(|| ApiError::Internal("the application document is not an object".into()))?;
    let list = obj.entry("signatures").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let list = list.as_array_mut().expect("made an array above");
    list.retain(|s| {
        !(s.get("what").and_then(Value::as_str) == Some(what.as_str())
            && s.get("person").and_then(Value::as_u64).unwrap_or(0) == person as u64)
    });
    list.push(signature);
    let audit = Audit::new(
        client.email.clone(),
        format!(
            "signed {what} for person {person} ({signer}), wording {}",
            &wording[..12]
        ),
    );
    state
        .store
        .update_application_data(app.id, &read, &stored, &audit)?;
    Ok(())
}
