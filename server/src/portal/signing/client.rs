//! The client's pages: their applications (`/my/applications`) and each one read only
//! (`/my/applications/{id}`: status, people and every form, documents by name, fees, the
//! latest decision), with the signatures they make there by typing a full name
//! (`POST /my/applications/{id}/sign`). Nothing else on these pages changes anything.

use super::access::{client_application, client_page, Loaded};
use super::logic::{self, SignRequest};
use crate::pages::applications::{fills, program_title, status_text, when, Shared};
use crate::pages::{see_other, status_and_message, Page};
use crate::store::Account;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use engine::application::{fill_from_profile, Application as Doc};
use engine::render::{render_form, RenderOptions};
use engine::{Date, Lang};
use minijinja::context;
use minijinja::value::Value as JinjaValue;
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct Row {
    id: u64,
    number: String,
    program: String,
    status: &'static str,
    representative: String,
    updated: String,
    /// Signatures still to make (or to make again), while the application can change.
    to_sign: usize,
}

/// `GET /my/applications`: the client's applications, newest first.
pub async fn list(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    let (page, me) = match client_page(&state, &uri, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let apps = match state.store.applications_of_client(me.id) {
        Ok(a) => a,
        Err(e) => return page.error(e.into()),
    };
    let mut rows = Vec::with_capacity(apps.len());
    for a in apps.iter().rev() {
        let representative = match state.store.account(a.representative) {
            Ok(r) => r.map(|r| r.name).unwrap_or_default(),
            Err(e) => return page.error(e.into()),
        };
        let to_sign = match to_sign(&state, a) {
            Ok(n) => n,
            Err(e) => return page.error(e),
        };
        rows.push(Row {
            to_sign,
            id: a.id,
            number: a.number(),
            program: program_title(&state, &a.program, page.lang),
            status: status_text(a.status, page.lang),
            representative,
            updated: when(a.updated),
        });
    }
    page.render(
        StatusCode::OK,
        "signing_client_list.html",
        page.tr("Your applications", "Vos demandes"),
        context! { applications => serde_value(&rows) },
    )
}

/// How many signatures of the application wait for the client.
fn to_sign(
    state: &AppState,
    app: &crate::store::Application,
) -> Result<usize, crate::error::ApiError> {
    if !app.status.can_submit() {
        return Ok(0);
    }
    let Some(program) = state.rules.current().program(&app.program).cloned() else {
        return Ok(0);
    };
    let stored = state.store.application_data(app.id)?.unwrap_or_default();
    Ok(logic::status(&stored, &program, None)
        .signatures
        .iter()
        .filter(|s| s.state != "signed")
        .count())
}

/// `GET /my/applications/{id}`: one application, read only, with its signatures.
pub async fn show(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (page, me, loaded) = match client_application(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    render(&state, &page, &me, &loaded, StatusCode::OK, None)
}

/// `POST /my/applications/{id}/sign`: one signature; refused, the page again with the
/// message next to the signature and what was typed kept.
pub async fn sign(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(req): Form<SignRequest>,
) -> Response {
    let (page, me, loaded) = match client_application(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let (app, _, program) = &loaded;
    match logic::sign(&state, &me, app, program, &req, page.lang) {
        Ok(()) => see_other(&format!("/my/applications/{}#signatures", app.id), &[]),
        Err(e) => {
            let (status, message) = status_and_message(e);
            render(&state, &page, &me, &loaded, status, Some((req, message)))
        }
    }
}

#[derive(Serialize)]
struct SignatureView {
    what: String,
    title: String,
    person: usize,
    person_name: String,
    minor: bool,
    state: &'static str,
    signer: Option<String>,
    name: Option<String>,
    date: Option<String>,
    texts: Vec<String>,
    /// The forms of the person not complete yet (signing waits for them).
    incomplete: Vec<String>,
    /// What was typed in a refused post, and the message.
    typed: Option<SignRequest>,
    error: Option<String>,
}

#[derive(Serialize)]
struct FormView {
    title: String,
    html: Option<String>,
}

#[derive(Serialize)]
struct PersonView {
    name: String,
    principal: bool,
    forms: Vec<FormView>,
}

#[derive(Serialize)]
struct FeeView {
    title: String,
    amount: String,
    waived: Option<String>,
}

fn people(doc: &Value, program: &engine::Program, lang: Lang) -> Vec<PersonView> {
    let view = Doc::new(doc);
    let render = |schema: &Value, form_id: &str, values: Option<&Value>| {
        let values = values.filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))?;
        let opts = RenderOptions {
            form_id,
            lang,
            action: "",
            read_only: true,
            hidden: &[],
        };
        render_form(schema, values, &[], &opts).ok()
    };
    (0..view.people().len())
        .map(|i| {
            let person = view.person(i);
            let mut forms = vec![FormView {
                title: match lang {
                    Lang::En => "Basic information (profile)".into(),
                    Lang::Fr => "Renseignements de base (profil)".into(),
                },
                html: render(
                    &program.profile().schema,
                    "profile",
                    person.and_then(|p| p.get("profile")),
                ),
            }];
            for (form, by, _) in program.form_uses() {
                if fills(doc, i, by) {
                    forms.push(FormView {
                        title: form.title.get(lang).to_string(),
                        html: render(&form.schema, &form.id, person.and_then(|p| p.get(&form.id))),
                    });
                }
            }
            PersonView {
                name: view.name(i),
                principal: i == 0,
                forms,
            }
        })
        .collect()
}

/// The fees as the rules compute them today (none shown when the rules cannot decide yet).
fn fees(state: &AppState, loaded: &Loaded, lang: Lang) -> (Vec<FeeView>, Option<String>) {
    let (app, stored, program) = loaded;
    match crate::portal::decide_as_of(state, app, stored, program, Date::today()) {
        Ok((d, _)) => (
            d.fees
                .items
                .iter()
                .map(|f| FeeView {
                    title: f.title.get(lang).to_string(),
                    amount: f.charged.to_string(),
                    waived: f.waived.as_ref().map(|w| w.get(lang).to_string()),
                })
                .collect(),
            Some(d.fees.total.to_string()),
        ),
        Err(_) => (Vec::new(), None),
    }
}

fn serde_value<T: Serialize>(value: &T) -> JinjaValue {
    JinjaValue::from(minijinja::value::Serde(value))
}

fn render(
    state: &AppState,
    page: &Page,
    me: &Account,
    loaded: &Loaded,
    status: StatusCode,
    refused: Option<(SignRequest, String)>,
) -> Response {
    let (app, stored, program) = loaded;
    let lang = page.lang;
    let mut filled = stored.clone();
    fill_from_profile(&mut filled, program);
    let signing = logic::status(stored, program, Some(me));
    let signatures: Vec<SignatureView> = signing
        .signatures
        .into_iter()
        .map(|s| {
            let mine = refused
                .as_ref()
                .filter(|(r, _)| r.what == s.what && r.person == s.person);
            SignatureView {
                texts: match lang {
                    Lang::En => s.text.en.clone(),
                    Lang::Fr => s.text.fr.clone(),
                },
                incomplete: logic::incomplete_forms(stored, program, s.person, lang),
                title: match lang {
                    Lang::En => s.title.en,
                    Lang::Fr => s.title.fr,
                },
                what: s.what,
                person: s.person,
                person_name: s.person_name,
                minor: s.by_parent_or_guardian,
                state: s.state,
                signer: s.signer,
                name: s.name,
                date: s.date,
                typed: mine.map(|(r, _)| r.clone()),
                error: mine.map(|(_, m)| m.clone()),
            }
        })
        .collect();
    let documents: Vec<(String, String)> = match state.store.documents(app.id) {
        Ok(list) => list
            .into_iter()
            .map(|d| {
                let title = program
                    .manifest
                    .documents
                    .iter()
                    .find(|i| i.code == d.code)
                    .map(|i| i.title.get(lang).to_string())
                    .unwrap_or(d.code);
                (title, d.file_name)
            })
            .collect(),
        Err(e) => return page.error(e.into()),
    };
    let decision = match state.store.decision(app.id) {
        Ok(d) => d.map(|d| {
            context! {
                decided => when(d.decided),
                explanation => serde_value(&d.decision.pointer(&format!("/explanation/{}", lang.code()))),
                missing => serde_value(&d.decision.get("missing").and_then(Value::as_array).map(|m| m
                    .iter()
                    .filter_map(|i| i.pointer(&format!("/message/{}", lang.code())))
                    .collect::<Vec<_>>())),
            }
        }),
        Err(e) => return page.error(e.into()),
    };
    let (fee_lines, fee_total) = fees(state, loaded, lang);
    let representative = state
        .store
        .account(app.representative)
        .ok()
        .flatten()
        .map(|r| r.name)
        .unwrap_or_default();
    let title = format!("{} {}", page.tr("Application", "Demande"), app.number());
    page.render(
        status,
        "signing_client_application.html",
        &title,
        context! {
            id => app.id,
            number => app.number(),
            program => program.manifest.title.get(lang),
            status => status_text(app.status, lang),
            can_change => app.status.can_submit(),
            representative => representative,
            error => refused.as_ref().map(|(_, m)| m.clone()),
            signatures => serde_value(&signatures),
            people => serde_value(&people(&filled, program, lang)),
            documents => serde_value(&documents),
            fees => serde_value(&fee_lines),
            fee_total => fee_total,
            decision => decision,
        },
    )
}
