//! The people of an application apart from HTTP: who they are, which forms each must fill
//! (the program manifest's `filled_by`) and how far each form is, adding and removing
//! dependants, saving a person's form, and claiming the people for the duplicates check.
//! The pages and the JSON API are thin layers over these functions.

use super::access::check_can_change;
use crate::error::ApiError;
use crate::pages::applications::{fills, problems};
use crate::store::{Account, Application, Audit, PersonKey, StoreError};
use crate::AppState;
use engine::application::{fill_from_profile, Application as Doc};
use engine::schema::Form as EngineForm;
use engine::text::Text;
use engine::validate::{validate_form, FieldIssue};
use engine::{Lang, Program};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The roles a dependant profile can have (the principal applicant is always person 0).
pub const ROLES: [&str; 3] = ["spouse", "dependant", "other"];

pub fn role_title(role: &str) -> Text {
    match role {
        "principal" => Text::new("Principal applicant", "Demandeur principal"),
        "spouse" => Text::new("Spouse or partner", "Époux ou conjoint"),
        "dependant" => Text::new("Dependent child", "Enfant à charge"),
        _ => Text::new("Other family member", "Autre membre de la famille"),
    }
}

/// One form of one person and how far it is.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FormProgress {
    /// `profile` or the form's id.
    pub form: String,
    #[schema(value_type = Object)]
    pub title: Text,
    /// `not_started`, `problems` or `valid`.
    pub state: &'static str,
    pub problems: usize,
    /// The form's page.
    pub href: String,
}

/// One person of the application.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonView {
    /// The person's index (0: the principal applicant).
    pub index: usize,
    /// `principal`, `spouse`, `dependant` or `other`.
    pub role: &'static str,
    #[schema(value_type = Object)]
    pub role_title: Text,
    pub name: String,
    /// The forms this person must fill: the profile, then the program's forms per `filled_by`.
    pub forms: Vec<FormProgress>,
}

/// A person's name from their profile or, before it has one, who they are ("Principal
/// applicant", "Family member 2") in the page's language.
pub fn person_label(doc: &Value, n: usize, lang: Lang) -> String {
    let view = Doc::new(doc);
    let named = ["given_names", "family_name"].iter().any(|k| {
        view.value(n, &format!("profile.identity.{k}"))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    });
    match (named, n, lang) {
        (true, _, _) => view.name(n),
        (false, 0, Lang::En) => "Principal applicant".into(),
        (false, 0, Lang::Fr) => "Demandeur principal".into(),
        (false, _, Lang::En) => format!("Family member {n}"),
        (false, _, Lang::Fr) => format!("Membre de la famille {n}"),
    }
}

/// The people of an application. `doc` is the stored document with the profile filled in.
pub fn people(app: &Application, doc: &Value, program: &Program, lang: Lang) -> Vec<PersonView> {
    let view = Doc::new(doc);
    (0..view.people().len())
        .map(|n| {
            let mut forms = Vec::new();
            let profile = doc.pointer(&format!("/people/{n}/profile"));
            let started = profile.is_some_and(|p| p.as_object().is_some_and(|o| !o.is_empty()));
            let count = profile
                .filter(|_| started)
                .map(|p| validate_form(program.profile(), p).len());
            forms.push(progress(
                app,
                n,
                "profile",
                Text::new(
                    "Basic information (profile)",
                    "Renseignements de base (profil)",
                ),
                count,
            ));
            for (form, by, _) in program.form_uses() {
                if fills(doc, n, by) {
                    forms.push(progress(
                        app,
                        n,
                        &form.id,
                        form.title.clone(),
                        problems(doc, n, &form.id, form),
                    ));
                }
            }
            PersonView {
                index: n,
                role: view.role(n).as_str(),
                role_title: role_title(view.role(n).as_str()),
                name: person_label(doc, n, lang),
                forms,
            }
        })
        .collect()
}

fn progress(
    app: &Application,
    n: usize,
    form: &str,
    title: Text,
    count: Option<usize>,
) -> FormProgress {
    FormProgress {
        form: form.to_string(),
        title,
        state: match count {
            None => "not_started",
            Some(0) => "valid",
            Some(_) => "problems",
        },
        problems: count.unwrap_or(0),
        href: format!("/applications/{}/people/{n}/{form}", app.id),
    }
}

/// The schema and document key of person `n`'s form (`profile`, or a form the program has
/// this person fill); `None` when there is no such person or the person does not fill it.
pub fn resolve_form<'p>(
    program: &'p Program,
    doc: &Value,
    n: usize,
    form: &str,
) -> Option<(&'p EngineForm, String)> {
    if n >= Doc::new(doc).people().len() {
        return None;
    }
    if form == "profile" {
        return Some((program.profile(), "profile".into()));
    }
    program
        .form_uses()
        .find(|(f, by, _)| f.id == form && fills(doc, n, *by))
        .map(|(f, _, _)| (f.as_ref(), f.id.clone()))
}

/// A new dependant: the role and the name; the rest goes in their profile form.
#[derive(Deserialize, Serialize, Default, utoipa::ToSchema)]
pub struct NewPerson {
    /// `spouse`, `dependant` or `other`.
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub family_name: String,
}

fn bad(lang: Lang, en: &str, fr: &str) -> ApiError {
    ApiError::BadRequest(match lang {
        Lang::En => en.to_string(),
        Lang::Fr => fr.to_string(),
    })
}

/// Adds a dependant; returns their index.
pub fn add(
    state: &AppState,
    me: &Account,
    app: &Application,
    mut doc: Value,
    new: &NewPerson,
    lang: Lang,
) -> Result<usize, ApiError> {
    check_can_change(app, lang)?;
    let read = doc.clone();
    let role = new.role.trim();
    if !ROLES.contains(&role) {
        return Err(bad(
            lang,
            "Choose who the person is: spouse or partner, dependent child, or other family member.",
            "Choisissez qui est la personne : époux ou conjoint, enfant à charge, ou autre membre de la famille.",
        ));
    }
    let family = new.family_name.trim();
    let given = new.given_names.trim();
    if family.is_empty() || family.chars().count() > 100 {
        return Err(bad(
            lang,
            "Enter the person’s family name as shown on their passport (at most 100 characters).",
            "Entrez le nom de famille de la personne tel qu’il figure sur son passeport (au plus 100 caractères).",
        ));
    }
    if given.chars().count() > 100 {
        return Err(bad(
            lang,
            "Enter at most 100 characters of given names.",
            "Entrez au plus 100 caractères de prénoms.",
        ));
    }
    let mut identity = json!({ "family_name": family });
    if !given.is_empty() {
        identity["given_names"] = json!(given);
    }
    let people = doc
        .get_mut("people")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| ApiError::Internal(format!("application {} has no people", app.id)))?;
    people.push(json!({ "role": role, "profile": { "identity": identity } }));
    let index = people.len() - 1;
    let audit = Audit::new(
        me.email.clone(),
        format!("added person {index} ({role}): {given} {family}"),
    );
    state
        .store
        .update_application_data(app.id, &read, &doc, &audit)?;
    Ok(index)
}

/// Removes dependant `n`. The people after it move up one place, so the signatures made for
/// them or for `n` no longer point at the right person: they are dropped (and must be made
/// again), which the audit entry says.
pub fn remove(
    state: &AppState,
    me: &Account,
    app: &Application,
    mut doc: Value,
    n: usize,
    lang: Lang,
) -> Result<(), ApiError> {
    check_can_change(app, lang)?;
    let read = doc.clone();
    let count = Doc::new(&doc).people().len();
    if n == 0 {
        return Err(bad(
            lang,
            "The principal applicant cannot be removed; only family members can.",
            "Le demandeur principal ne peut pas être retiré ; seuls les membres de la famille peuvent l’être.",
        ));
    }
    if n >= count {
        return Err(ApiError::NotFound(format!(
            "Application {} has no person {n}: it has {count} (0 is the principal applicant).",
            app.number()
        )));
    }
    let name = person_label(&doc, n, Lang::En);
    if let Some(people) = doc.get_mut("people").and_then(Value::as_array_mut) {
        people.remove(n);
    }
    let mut dropped = 0;
    if let Some(signatures) = doc.get_mut("signatures").and_then(Value::as_array_mut) {
        let before = signatures.len();
        signatures.retain(|s| s.get("person").and_then(Value::as_u64).unwrap_or(0) < n as u64);
        dropped = before - signatures.len();
    }
    let what = if dropped > 0 {
        format!("removed person {n} ({name}); dropped {dropped} signature(s) of the people after them, to be signed again")
    } else {
        format!("removed person {n} ({name})")
    };
    state.store.update_application_data(
        app.id,
        &read,
        &doc,
        &Audit::new(me.email.clone(), what),
    )?;
    let app = state
        .store
        .application(app.id)?
        .unwrap_or_else(|| app.clone());
    claim(state, me, &app, &doc, lang)
}

/// The people of the document the duplicates check knows: those whose profile has a full
/// name, a date of birth and a passport number.
pub fn person_keys(doc: &Value) -> Vec<PersonKey> {
    let mut keys: Vec<PersonKey> = Doc::new(doc)
        .people()
        .iter()
        .filter_map(|p| {
            let text = |path: &str| {
                p.pointer(path)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let family = text("/profile/identity/family_name")?;
            let given = text("/profile/identity/given_names").unwrap_or("");
            let dob = text("/profile/identity/date_of_birth")?;
            let passport = text("/profile/passport/number")?;
            Some(PersonKey::new(&format!("{given} {family}"), dob, passport))
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Claims the document's people for the duplicates check (when they changed). Refused when
/// another open application of the same program has one of them: the message names that
/// application only when it is the same representative's.
pub fn claim(
    state: &AppState,
    me: &Account,
    app: &Application,
    doc: &Value,
    lang: Lang,
) -> Result<(), ApiError> {
    let keys = person_keys(doc);
    let mut before = app.persons.clone();
    before.sort();
    if keys == before {
        return Ok(());
    }
    let audit = Audit::new(
        me.email.clone(),
        format!("recorded {} person(s) for the duplicates check", keys.len()),
    );
    match state.store.set_persons(app.id, &keys, &audit) {
        Ok(()) => Ok(()),
        Err(StoreError::Duplicate { existing, .. }) => {
            let mine = state
                .store
                .application(existing)?
                .filter(|other| other.representative == me.id);
            Err(ApiError::Conflict(match (mine, lang) {
                (Some(other), Lang::En) => format!(
                    "This person (same name, date of birth and passport number) already has an \
                     open application in this program: your application {}. Continue that \
                     application instead, or check the name, date of birth and passport number.",
                    other.number()
                ),
                (Some(other), Lang::Fr) => format!(
                    "Cette personne (même nom, date de naissance et numéro de passeport) a déjà \
                     une demande ouverte dans ce programme : votre demande {}. Poursuivez cette \
                     demande, ou vérifiez le nom, la date de naissance et le numéro de passeport.",
                    other.number()
                ),
                (None, Lang::En) => "This person (same name, date of birth and passport number) \
                    already has another open application in this program, so a second one \
                    cannot be made. Check the name, date of birth and passport number."
                    .to_string(),
                (None, Lang::Fr) => "Cette personne (même nom, date de naissance et numéro de \
                    passeport) a déjà une autre demande ouverte dans ce programme : une seconde \
                    n’est pas possible. Vérifiez le nom, la date de naissance et le numéro de \
                    passeport."
                    .to_string(),
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// Person `n`'s form values (the profile filled in) and the engine's messages on them.
pub fn form_values(
    doc: &Value,
    program: &Program,
    n: usize,
    form: &str,
) -> Option<(Value, Vec<FieldIssue>)> {
    let (schema, key) = resolve_form(program, doc, n, form)?;
    let mut doc = doc.clone();
    let stored = doc.pointer(&format!("/people/{n}/{key}")).cloned();
    if stored.as_ref().is_none_or(Value::is_null) {
        return Some((json!({}), Vec::new()));
    }
    fill_from_profile(&mut doc, program);
    let values = doc["people"][n][&key].clone();
    let issues = validate_form(schema, &values);
    Some((values, issues))
}

/// Saves person `n`'s form (a draft: it is kept even with problems) and returns the engine's
/// messages on it. A profile is first claimed for the duplicates check; a duplicate refuses
/// the save and nothing changes.
#[allow(clippy::too_many_arguments)]
pub fn save_form(
    state: &AppState,
    me: &Account,
    app: &Application,
    mut doc: Value,
    program: &Program,
    n: usize,
    form: &str,
    values: Value,
    lang: Lang,
) -> Result<Vec<FieldIssue>, ApiError> {
    check_can_change(app, lang)?;
    let Some((schema, key)) = resolve_form(program, &doc, n, form) else {
        return Err(ApiError::NotFound(format!(
            "Person {n} of application {} has no form {form}. GET the application's people to \
             see each person's forms.",
            app.number()
        )));
    };
    if !values.is_object() {
        return Err(ApiError::BadRequest(
            "Send the form's values as a JSON object, as GET on this form returns them.".into(),
        ));
    }
    let read = doc.clone();
    doc["people"][n][&key] = values;
    if key == "profile" {
        claim(state, me, app, &doc, lang)?;
    }
    let audit = Audit::new(
        me.email.clone(),
        format!("saved {} of person {n}", schema.title.en),
    );
    state
        .store
        .update_application_data(app.id, &read, &doc, &audit)?;
    fill_from_profile(&mut doc, program);
    Ok(validate_form(schema, &doc["people"][n][&key]))
}
