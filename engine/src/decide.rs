//! `decide`: a pure function of (program version, application, as-of date, cap state).

use crate::application::{fill_from_profile, get_path, is_empty, Application};
use crate::date::Date;
use crate::decision::*;
use crate::manifest::{FilledBy, Portal, Requirement, SignedBy};
use crate::program::Program;
use crate::rules::{self, Reports, Run, ScriptError};
use crate::schema::Form;
use crate::text::Text;
use crate::validate::validate_form;
use serde_json::Value;
use std::cell::RefCell;

/// How many applications the program's cap has already counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapState {
    pub used: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecideError {
    /// The document is not an application at all (no people, wrong shape).
    BadApplication(String),
    /// A rule script failed; the message names the script and line.
    Script(ScriptError),
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecideError::BadApplication(m) => write!(f, "not an application: {m}"),
            DecideError::Script(e) => write!(f, "a rule failed: {e}"),
        }
    }
}

impl std::error::Error for DecideError {}

/// Decides one application.
pub fn decide(
    program: &Program,
    application: &Value,
    as_of: Date,
    cap: CapState,
) -> Result<Decision, DecideError> {
    check_shape(application)?;
    if needs_fill(program, application) {
        let mut copy = application.clone();
        fill_from_profile(&mut copy, program);
        decide_filled(program, &copy, as_of, cap)
    } else {
        decide_filled(program, application, as_of, cap)
    }
}

/// [`decide`] on a document the caller no longer needs: the forms are filled from the
/// profile in place instead of in a copy (the HTTP API parses a fresh document per request,
/// and copying it was a measurable part of a decision there).
pub fn decide_owned(
    program: &Program,
    mut application: Value,
    as_of: Date,
    cap: CapState,
) -> Result<Decision, DecideError> {
    check_shape(&application)?;
    if needs_fill(program, &application) {
        fill_from_profile(&mut application, program);
    }
    decide_filled(program, &application, as_of, cap)
}

/// Decides a document whose forms already show the profile.
fn decide_filled(
    program: &Program,
    doc: &Value,
    as_of: Date,
    cap: CapState,
) -> Result<Decision, DecideError> {
    let app = Application::new(doc);
    let m = &program.manifest;
    let mut d = Decision {
        program: m.id.clone(),
        program_version: program.version.clone(),
        as_of,
        outcome: Outcome::Accepted,
        reason: None,
        explanation: None,
        missing: Vec::new(),
        ineligible: Vec::new(),
        paper_instructions: Vec::new(),
        fees: Fees {
            items: Vec::new(),
            total: Money(0),
        },
        documents: Vec::new(),
        create: Vec::new(),
        warnings: Vec::new(),
        trace: Vec::new(),
    };

    if !m.effective.contains(as_of) {
        d.outcome = Outcome::Returned;
        d.reason = Some(Reason::Closed);
        let to = m.effective.to.map(|t| t.to_string());
        d.explanation = Some(match to {
            Some(to) => Text::new(
                format!(
                    "{} accepts applications from {} to {to} only.",
                    m.title.en, m.effective.from
                ),
                format!(
                    "{} accepte les demandes du {} au {to} seulement.",
                    m.title.fr, m.effective.from
                ),
            ),
            None => Text::new(
                format!(
                    "{} accepts applications from {} only.",
                    m.title.en, m.effective.from
                ),
                format!(
                    "{} accepte les demandes à partir du {} seulement.",
                    m.title.fr, m.effective.from
                ),
            ),
        });
        return Ok(d);
    }

    let reports = run_rules(program, app, as_of).map_err(DecideError::Script)?;

    let paper = m.portal == Portal::Paper || !reports.paper_only.is_empty();
    // Fees first: whether the fee receipt is required depends on what is charged.
    d.fees = fees(program, &reports);
    if !paper {
        check_people(program, app, as_of, &reports, &mut d.missing);
        check_documents(program, app, &reports, &mut d);
        check_signatures(program, app, as_of, &mut d.missing);
    }
    for r in &reports.incomplete {
        let (person, path, message) = &r.item;
        let key = format!("people[{person}].{path}");
        if !d.missing.iter().any(|x| x.key == key) {
            d.missing.push(Missing {
                key,
                person: Some(*person),
                code: message.code.clone(),
                message: message.text.clone(),
                by: Origin::Rule(r.source.clone()),
            });
        }
    }
    let note = |r: &rules::Reported<rules::Message>| Note {
        code: r.item.code.clone(),
        message: r.item.text.clone(),
        by: Origin::Rule(r.source.clone()),
    };
    d.ineligible = reports.ineligible.iter().map(note).collect();
    d.warnings = reports.warnings.iter().map(note).collect();
    if let (Portal::Paper, Some(text)) = (m.portal, &m.paper_instructions) {
        d.paper_instructions.push(Note {
            code: None,
            message: text.clone(),
            by: Origin::Manifest {
                manifest: m.id.clone(),
                entry: "paper_instructions".into(),
            },
        });
    }
    d.paper_instructions
        .extend(reports.paper_only.iter().map(note));
    d.trace = reports
        .trace
        .iter()
        .map(|r| TraceStep {
            call: r.item.clone(),
            script: r.source.script.clone(),
            line: r.source.line,
        })
        .collect();

    if paper {
        d.outcome = Outcome::PaperOnly;
        d.explanation = Some(Text::new(
            "This application cannot be made online: apply on paper as instructed.",
            "Cette demande ne peut pas être présentée en ligne : présentez-la sur papier selon les instructions.",
        ));
        d.missing.clear();
    } else if !d.missing.is_empty() {
        d.outcome = Outcome::Returned;
        d.reason = Some(Reason::Incomplete);
        let n = d.missing.len();
        d.explanation = Some(Text::new(
            format!("The application is incomplete: {n} item(s) are missing or need correcting."),
            format!(
                "La demande est incomplète : {n} élément(s) manquent ou doivent être corrigés."
            ),
        ));
    } else if !d.ineligible.is_empty() {
        d.outcome = Outcome::Returned;
        d.reason = Some(Reason::Ineligible);
        let join = |lang| {
            d.ineligible
                .iter()
                .map(|n| n.message.get(lang).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        d.explanation = Some(Text::new(
            format!(
                "The client is not eligible: {}",
                join(crate::text::Lang::En)
            ),
            format!(
                "Le client n'est pas admissible : {}",
                join(crate::text::Lang::Fr)
            ),
        ));
    } else if let Some(c) = m.cap.as_ref().filter(|c| cap.used >= c.limit) {
        d.outcome = Outcome::Returned;
        d.reason = Some(Reason::CapReached);
        d.explanation = Some(Text::new(
            format!(
                "The number of applications accepted is limited and has been reached: {} ({}).",
                c.title.en, c.limit
            ),
            format!(
                "Le nombre de demandes acceptées est limité et a été atteint : {} ({}).",
                c.title.fr, c.limit
            ),
        ));
    }
    if d.outcome == Outcome::Accepted {
        d.create = reports
            .create
            .iter()
            .map(|r| Creation {
                program: r.item.clone(),
                by: Origin::Rule(r.source.clone()),
            })
            .collect();
    }
    Ok(d)
}

/// Runs the program's rule scripts on an application and returns what they reported.
pub fn run_rules(
    program: &Program,
    app: Application<'_>,
    as_of: Date,
) -> Result<Reports, ScriptError> {
    let run = Run {
        program,
        app,
        as_of,
        reports: RefCell::new(Reports::default()),
    };
    rules::run_scripts(&program.rhai, program.scripts(), &run)?;
    Ok(run.reports.into_inner())
}

fn check_shape(doc: &Value) -> Result<(), DecideError> {
    let people = doc.get("people").and_then(Value::as_array).ok_or_else(|| {
        DecideError::BadApplication(
            "it needs a `people` list; people[0] is the principal applicant".into(),
        )
    })?;
    if people.is_empty() {
        return Err(DecideError::BadApplication(
            "`people` is empty: people[0] is the principal applicant".into(),
        ));
    }
    for (i, p) in people.iter().enumerate() {
        if !p.is_object() {
            return Err(DecideError::BadApplication(format!(
                "people[{i}] is not an object"
            )));
        }
    }
    Ok(())
}

/// True when some form's `x-profile` field differs from the profile (then a filled copy is made).
fn needs_fill(program: &Program, doc: &Value) -> bool {
    let people = doc
        .get("people")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    people.iter().any(|person| {
        program.forms().any(|form| {
            let Some(values) = person.get(&form.id).filter(|v| !v.is_null()) else {
                return false;
            };
            form.profile_fields.iter().any(|(form_path, profile_path)| {
                let from = person
                    .get("profile")
                    .and_then(|p| get_path(p, profile_path))
                    .filter(|v| !is_empty(v));
                let at = get_path(values, form_path).filter(|v| !is_empty(v));
                from != at
            })
        })
    })
}

/// Does person `i` have to fill this form?
fn must_fill(app: Application<'_>, i: usize, as_of: Date, by: FilledBy) -> bool {
    match by {
        FilledBy::Principal => i == 0,
        FilledBy::Adults => i == 0 || app.age(i, as_of).is_some_and(|a| a >= 18),
        FilledBy::Dependants => i > 0,
        FilledBy::Everyone => true,
    }
}

fn check_people(
    program: &Program,
    app: Application<'_>,
    as_of: Date,
    reports: &Reports,
    missing: &mut Vec<Missing>,
) {
    for (i, person) in app.people().iter().enumerate() {
        let profile = person.get("profile").unwrap_or(&Value::Null);
        push_form_issues(program.profile(), profile, i, "profile", missing);
        for (form, by, required) in program.form_uses() {
            let asked = reports
                .forms
                .iter()
                .find(|r| r.item.0 == i && r.item.1 == form.id);
            let needed = must_fill(app, i, as_of, by) && (required || asked.is_some());
            if !needed {
                continue;
            }
            match person.get(&form.id) {
                Some(values) if !values.is_null() => {
                    push_form_issues(form, values, i, &form.id, missing)
                }
                _ => missing.push(Missing {
                    key: format!("people[{i}].{}", form.id),
                    person: Some(i),
                    code: None,
                    message: Text::new(
                        format!("{} must be filled in for {}", form.title.en, app.name(i)),
                        format!(
                            "Le formulaire {} doit être rempli pour {}",
                            form.title.fr,
                            app.name(i)
                        ),
                    ),
                    by: match asked {
                        Some(r) => Origin::Rule(r.source.clone()),
                        None => Origin::Manifest {
                            manifest: program.id().to_string(),
                            entry: format!("forms/{}", form.id),
                        },
                    },
                }),
            }
        }
    }
}

fn push_form_issues(
    form: &Form,
    values: &Value,
    person: usize,
    prefix: &str,
    missing: &mut Vec<Missing>,
) {
    for issue in validate_form(form, values) {
        let key = if issue.path.is_empty() {
            format!("people[{person}].{prefix}")
        } else {
            format!("people[{person}].{prefix}.{}", issue.path)
        };
        missing.push(Missing {
            key,
            person: Some(person),
            code: None,
            message: issue.message,
            by: Origin::Schema {
                form: form.id.clone(),
                keyword: issue.keyword,
            },
        });
    }
}

fn check_documents(program: &Program, app: Application<'_>, reports: &Reports, d: &mut Decision) {
    let m = &program.manifest;
    for item in &m.documents {
        let by_rule = reports.documents.iter().find(|r| r.item == item.code);
        // The manifest alone decides an `always` item and a fee receipt (once the fees are
        // known); a rule can still ask for any item.
        let by_manifest = match item.required {
            Requirement::Always => true,
            Requirement::WhenFeesCharged => d.fees.total.0 > 0,
            Requirement::Optional | Requirement::WhenRulesSay => false,
        };
        let required = by_manifest || by_rule.is_some();
        let provided = app.has_document(&item.code);
        if !required && !provided {
            continue;
        }
        let by = match by_rule {
            Some(r) if !by_manifest => Origin::Rule(r.source.clone()),
            _ => Origin::Manifest {
                manifest: m.id.clone(),
                entry: format!("documents/{}", item.code),
            },
        };
        if required && !provided {
            d.missing.push(Missing {
                key: format!("documents.{}", item.code),
                person: None,
                code: None,
                message: Text::new(
                    format!("Upload the document: {}", item.title.en),
                    format!("Téléversez le document : {}", item.title.fr),
                ),
                by: by.clone(),
            });
        }
        d.documents.push(DocumentLine {
            code: item.code.clone(),
            title: item.title.clone(),
            required,
            provided,
            by,
        });
    }
}

fn check_signatures(
    program: &Program,
    app: Application<'_>,
    as_of: Date,
    missing: &mut Vec<Missing>,
) {
    let m = &program.manifest;
    for s in &m.signatures {
        for i in 0..app.people().len() {
            let needed = match s.by {
                SignedBy::Principal => i == 0,
                SignedBy::Adults => must_fill(app, i, as_of, FilledBy::Adults),
            };
            if needed && app.signature(i, &s.what).is_none() {
                missing.push(Missing {
                    key: format!("signatures.{}.people[{i}]", s.what),
                    person: Some(i),
                    code: None,
                    message: Text::new(
                        format!("{} must sign: {}", app.name(i), s.title.en),
                        format!("{} doit signer : {}", app.name(i), s.title.fr),
                    ),
                    by: Origin::Manifest {
                        manifest: m.id.clone(),
                        entry: format!("signatures/{}", s.what),
                    },
                });
            }
        }
    }
}

fn fees(program: &Program, reports: &Reports) -> Fees {
    let m = &program.manifest;
    let items: Vec<FeeLine> = reports
        .fees
        .iter()
        .map(|r| {
            let (person, code, cents) = &r.item;
            let title = m
                .fees
                .iter()
                .find(|f| &f.code == code)
                .map(|f| f.title.clone())
                .unwrap_or_default();
            // A waiver for one person covers that person's lines; one without a person, every line.
            let waiver = reports
                .waivers
                .iter()
                .find(|w| &w.item.1 == code && (w.item.0.is_none() || w.item.0 == *person));
            FeeLine {
                code: code.clone(),
                title,
                person: *person,
                amount: Money(if waiver.is_some() { 0 } else { *cents }),
                waived: waiver.map(|w| w.item.2.text.clone()),
                waived_by: waiver.map(|w| Origin::Rule(w.source.clone())),
                charged: Money(*cents),
                by: Origin::Rule(r.source.clone()),
            }
        })
        .collect();
    let total = Money(items.iter().map(|l| l.amount.0).sum());
    Fees { items, total }
}
