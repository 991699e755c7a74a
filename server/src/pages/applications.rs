//! The representative's pages: the dashboard, a new application, the application page and
//! the form pages of each person.

use super::{failed_page, see_other, status_and_message, Page};
use crate::auth::{password, token};
use crate::error::ApiError;
use crate::store::{
    email_key, now, Account, AccountId, Application, Audit, NewAccount, NewApplication, NewEmail,
    Role, Status, TemporaryPassword,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use engine::application::fill_from_profile;
use engine::manifest::{FilledBy, Portal};
use engine::schema::Form as EngineForm;
use engine::validate::validate_form;
use engine::{Catalogue, Date, Lang, Program};
use minijinja::context;
use minijinja::value::Value as JinjaValue;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

pub(crate) type Shared = State<Arc<AppState>>;

/// How long a client's temporary password works, in seconds (14 days).
const TEMPORARY_SECONDS: u64 = 14 * 24 * 3600;

/// The page and its signed-in representative, or the response to send instead (a redirect
/// to sign in or to set a password, or an error page).
pub(crate) fn representative(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(Page, Account), Box<Response>> {
    signed_in(state, uri, headers, Role::Representative)
}

/// The page and its signed-in account of `role`, or the response to send instead: a redirect
/// to sign in or to set a password, an error page, or "not found" for the other role (never
/// 403: nothing tells them what exists).
pub(crate) fn signed_in(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    role: Role,
) -> Result<(Page, Account), Box<Response>> {
    let page = Page::new(state, uri, headers).map_err(|e| Box::new(failed_page(e)))?;
    let Some(who) = &page.who else {
        return Err(Box::new(see_other("/sign-in", &[])));
    };
    if who.must_change_password() {
        return Err(Box::new(see_other("/password", &[])));
    }
    if who.account.role != role {
        // A client's home is their own applications.
        if role == Role::Representative && page.path == "/" {
            return Err(Box::new(see_other("/my/applications", &[])));
        }
        return Err(Box::new(page.not_found()));
    }
    let account = who.account.clone();
    Ok((page, account))
}

pub(crate) fn status_text(status: Status, lang: Lang) -> &'static str {
    match (status, lang) {
        (Status::Draft, Lang::En) => "Draft",
        (Status::Draft, Lang::Fr) => "Brouillon",
        (Status::Submitted, Lang::En) => "Submitted",
        (Status::Submitted, Lang::Fr) => "Soumise",
        (Status::Returned, Lang::En) => "Returned",
        (Status::Returned, Lang::Fr) => "Retournée",
        (Status::Accepted, Lang::En) => "Accepted",
        (Status::Accepted, Lang::Fr) => "Acceptée",
        (Status::PaperOnly, Lang::En) => "Paper only",
        (Status::PaperOnly, Lang::Fr) => "Sur papier seulement",
    }
}

/// `YYYY-MM-DD HH:MM UTC`.
pub(crate) fn when(t: u64) -> String {
    let day = Date::from_days_since_epoch((t / 86_400) as i64);
    let secs = t % 86_400;
    format!("{day} {:02}:{:02} UTC", secs / 3600, (secs / 60) % 60)
}

pub(crate) fn program_title(state: &AppState, id: &str, lang: Lang) -> String {
    state
        .rules
        .current()
        .program(id)
        .map(|p| p.manifest.title.get(lang).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// `GET /`: the dashboard and its search (`portal::search`).
pub async fn dashboard(state: Shared, uri: Uri, headers: HeaderMap) -> Response {
    crate::portal::search::dashboard(state, uri, headers).await
}

#[derive(Deserialize, Serialize, Default)]
pub struct NewPost {
    #[serde(default)]
    pub(crate) client_name: String,
    #[serde(default)]
    pub(crate) client_email: String,
    #[serde(default)]
    pub(crate) client_email_confirmation: String,
    #[serde(default)]
    pub(crate) program: String,
}

#[derive(Serialize)]
struct ProgramChoice {
    id: String,
    title: String,
}

/// The programs open today, by title in the page's language.
fn open_programs(state: &AppState, lang: Lang) -> Vec<ProgramChoice> {
    let today = Date::today();
    let catalogue = state.rules.current();
    let mut list: Vec<ProgramChoice> = catalogue
        .programs()
        .filter(|p| p.manifest.effective.contains(today))
        .map(|p| ProgramChoice {
            id: p.id().to_string(),
            title: p.manifest.title.get(lang).to_string(),
        })
        .collect();
    list.sort_by(|a, b| a.title.cmp(&b.title));
    list
}

fn new_view(
    page: &Page,
    state: &AppState,
    status: StatusCode,
    form: &NewPost,
    error: Option<String>,
) -> Response {
    page.render(
        status,
        "new_application.html",
        page.tr("Start a new application", "Commencer une nouvelle demande"),
        context! {
            form => JinjaValue::from(minijinja::value::Serde(form)),
            error => error,
            programs => JinjaValue::from(minijinja::value::Serde(open_programs(state, page.lang))),
        },
    )
}

pub async fn new_page(State(state): Shared, uri: Uri, headers: HeaderMap) -> Response {
    match representative(&state, &uri, &headers) {
        Ok((page, _)) => new_view(&page, &state, StatusCode::OK, &NewPost::default(), None),
        Err(r) => *r,
    }
}

pub async fn create(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<NewPost>,
) -> Response {
    let (page, me) = match representative(&state, &uri, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let catalogue = state.rules.current();
    let program = match check_new(&page, &form, &catalogue) {
        Ok(p) => p,
        Err(message) => {
            return new_view(&page, &state, StatusCode::BAD_REQUEST, &form, Some(message))
        }
    };
    if program.manifest.portal == Portal::Paper {
        return page.message(
            StatusCode::OK,
            program.manifest.title.get(page.lang),
            &paper_instructions(program, page.lang),
            "/",
        );
    }
    match start_application(&state, &me, &form, program, page.lang).await {
        Ok(app) => see_other(&format!("/applications/{}", app.id), &[]),
        Err(e) => {
            let (status, message) = status_and_message(e);
            new_view(&page, &state, status, &form, Some(message))
        }
    }
}

/// What a paper-only program tells to do instead of an online application.
pub(crate) fn paper_instructions(program: &Program, lang: Lang) -> String {
    program
        .manifest
        .paper_instructions
        .as_ref()
        .map(|t| t.get(lang).to_string())
        .unwrap_or_default()
}

/// The form's own checks; the program it chose (one open today) when they pass.
pub(crate) fn check_new<'c>(
    page: &Page,
    form: &NewPost,
    catalogue: &'c Catalogue,
) -> Result<&'c Program, String> {
    let program = catalogue
        .program(form.program.trim())
        .filter(|p| p.manifest.effective.contains(Date::today()));
    let name = form.client_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(page
            .tr(
                "Enter the client’s full name (at most 200 characters).",
                "Entrez le nom complet du client (au plus 200 caractères).",
            )
            .into());
    }
    if !crate::auth::flows::plausible_email(form.client_email.trim()) {
        return Err(page
            .tr(
                "Enter the client’s email address as name@example.com.",
                "Entrez l’adresse courriel du client sous la forme nom@exemple.com.",
            )
            .into());
    }
    if email_key(&form.client_email) != email_key(&form.client_email_confirmation) {
        return Err(page
            .tr(
                "The two email addresses are not the same. Type the client’s email address again in both fields.",
                "Les deux adresses courriel ne sont pas identiques. Tapez de nouveau l’adresse du client dans les deux champs.",
            )
            .into());
    }
    program.map(|p| p.as_ref()).ok_or_else(|| {
        page.tr(
            "Choose a program from the list (only programs open today are listed).",
            "Choisissez un programme dans la liste (seuls les programmes ouverts aujourd’hui y figurent).",
        )
        .into()
    })
}

/// Gives the client a new temporary password (the one issued before stops working) for
/// [`TEMPORARY_SECONDS`], and returns it to be emailed: the only way one is made.
pub(crate) async fn issue_temporary_password(
    state: &AppState,
    client: AccountId,
) -> Result<String, ApiError> {
    let secret = token::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let temporary = secret[..16].to_string();
    let hash = password::hash(&temporary).await?;
    let issued = now();
    state.store.issue_temporary_password(
        client,
        &TemporaryPassword {
            hash,
            issued,
            expires: issued + TEMPORARY_SECONDS,
        },
    )?;
    Ok(temporary)
}

/// Creates (or finds) the client, issues a temporary password, queues the email and creates
/// the application.
pub(crate) async fn start_application(
    state: &AppState,
    me: &Account,
    form: &NewPost,
    program: &Program,
    lang: Lang,
) -> Result<Application, ApiError> {
    let email = form.client_email.trim();
    let client = match state.store.account_by_email(email)? {
        Some(a) if a.role == Role::Representative => {
            return Err(ApiError::Conflict(match lang {
                Lang::En => format!(
                    "The email address {email} is used by a representative’s account, and one \
                     email address can have only one role. Use the client’s own email address."
                ),
                Lang::Fr => format!(
                    "L’adresse courriel {email} est celle d’un compte de représentant, et une \
                     adresse ne peut avoir qu’un rôle. Utilisez l’adresse du client."
                ),
            }))
        }
        Some(a) => a,
        None => state.store.create_account(&NewAccount {
            role: Role::Client,
            email: email.to_string(),
            name: form.client_name.trim().to_string(),
            password_hash: None,
        })?,
    };
    let temporary = issue_temporary_password(state, client.id).await?;
    let app = state.store.create_application(
        &NewApplication {
            representative: me.id,
            client: client.id,
            program: program.id().to_string(),
            status: Status::Draft,
            data: json!({"people": [{"role": "principal", "profile": {}}]}),
        },
        &Audit::new(
            me.email.clone(),
            format!("created the application ({})", program.id()),
        ),
    )?;
    state.store.queue_email(&NewEmail {
        to: client.email.clone(),
        subject:
            "Your representative started an application / Votre représentant a commencé une demande"
                .into(),
        body: format!(
            "Hello {client},\n\n{rep} started an application for you on Intake: {title} \
             ({number}).\n\nTo review and sign it when it is ready, sign in at {url}/sign-in \
             with this email address and this temporary password, then choose your own \
             password:\n\n{temporary}\n\nThe temporary password works for 14 days.\n\n\
             Bonjour {client},\n\n{rep} a commencé une demande pour vous sur Intake : \
             {title_fr} ({number}). Connectez-vous à {url}/sign-in avec cette adresse et ce mot \
             de passe temporaire : {temporary}\n",
            client = client.name,
            rep = me.name,
            title = program.manifest.title.en,
            title_fr = program.manifest.title.fr,
            number = app.number(),
            url = state.config.public_url(),
        ),
    })?;
    Ok(app)
}

/// The representative's own application with its document and program, or the page to send.
fn own_application(
    state: &AppState,
    page: &Page,
    me: &Account,
    id: &str,
) -> Result<(Application, Value, Arc<Program>), Box<Response>> {
    let Some(id) = crate::store::parse_application_number(id) else {
        return Err(Box::new(page.not_found()));
    };
    let app = match state.store.application(id) {
        Ok(Some(a)) if a.representative == me.id => a,
        Ok(_) => return Err(Box::new(page.not_found())),
        Err(e) => return Err(Box::new(page.error(e.into()))),
    };
    let data = match state.store.application_data(id) {
        Ok(d) => d.unwrap_or_else(|| json!({})),
        Err(e) => return Err(Box::new(page.error(e.into()))),
    };
    let Some(program) = state.rules.current().program(&app.program).cloned() else {
        return Err(Box::new(page.message(
            StatusCode::SERVICE_UNAVAILABLE,
            page.tr("Program not available", "Programme non disponible"),
            page.tr(
                "This application’s program is not loaded on the server right now. Try again later.",
                "Le programme de cette demande n’est pas chargé sur le serveur pour le moment. Réessayez plus tard.",
            ),
            "/",
        )));
    };
    Ok((app, data, program))
}

/// The signed-in representative's own application `id`, with its document and program: the
/// start of every application page.
pub(crate) struct Own {
    pub page: Page,
    pub me: Account,
    pub app: Application,
    pub doc: Value,
    pub program: Arc<Program>,
}

pub(crate) fn own(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    id: &str,
) -> Result<Own, Box<Response>> {
    let (page, me) = representative(state, uri, headers)?;
    let (app, doc, program) = own_application(state, &page, &me, id)?;
    Ok(Own {
        page,
        me,
        app,
        doc,
        program,
    })
}

/// Whether the person at `index` fills the form used this way (adults: 18 or older today).
pub(crate) fn fills(doc: &Value, index: usize, by: FilledBy) -> bool {
    let app = engine::application::Application::new(doc);
    match by {
        FilledBy::Everyone => true,
        FilledBy::Principal => index == 0,
        FilledBy::Dependants => index > 0,
        FilledBy::Adults => index == 0 || app.age(index, Date::today()).is_none_or(|a| a >= 18),
    }
}

/// The number of problems of a form of a person (after the profile fill), `None` when it
/// has not been started.
pub(crate) fn problems(doc: &Value, index: usize, key: &str, form: &EngineForm) -> Option<usize> {
    let values = doc.get("people")?.get(index)?.get(key)?;
    if values.is_null() {
        return None;
    }
    Some(validate_form(form, values).len())
}

#[derive(Serialize)]
struct FormLink {
    form: String,
    title: String,
    problems: Option<usize>,
}

pub async fn show(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Own {
        page,
        me: _,
        app,
        mut doc,
        program,
    } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    // One decision for the whole page, on the stored document (the sections read it).
    let decided = crate::portal::decide_as_of(&state, &app, &doc, &program, Date::today())
        .map_err(|e| status_and_message(e).1);
    fill_from_profile(&mut doc, &program);
    let view = crate::portal::AppView {
        state: &state,
        page: &page,
        app: &app,
        doc: &doc,
        decided: &decided,
        program: &program,
    };
    let sections = context! {
        people => crate::portal::people::section(&view),
        documents => crate::portal::documents::section(&view),
        signing => crate::portal::signing::section(&view),
        submit => crate::portal::submit::section(&view),
        history => crate::portal::history::section(&view),
    };
    let mut forms = vec![FormLink {
        form: "profile".into(),
        title: page
            .tr(
                "Basic information (profile)",
                "Renseignements de base (profil)",
            )
            .into(),
        problems: problems(&doc, 0, "profile", program.profile()).filter(|_| {
            doc.pointer("/people/0/profile")
                .is_some_and(|p| p.as_object().is_some_and(|o| !o.is_empty()))
        }),
    }];
    for (form, by, _) in program.form_uses() {
        if fills(&doc, 0, by) {
            forms.push(FormLink {
                form: form.id.clone(),
                title: form.title.get(page.lang).to_string(),
                problems: problems(&doc, 0, &form.id, form),
            });
        }
    }
    let client = state
        .store
        .account(app.client)
        .ok()
        .flatten()
        .map(|c| format!("{} ({})", c.name, c.email))
        .unwrap_or_default();
    let title = format!("{} {}", page.tr("Application", "Demande"), app.number());
    page.render(
        StatusCode::OK,
        "application.html",
        &title,
        context! {
            id => app.id,
            number => app.number(),
            client => client,
            program => program.manifest.title.get(page.lang),
            status => status_text(app.status, page.lang),
            forms => JinjaValue::from(minijinja::value::Serde(&forms)),
            sections => sections,
        },
    )
}
