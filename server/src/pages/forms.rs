//! The form pages: one person's profile or form, rendered by the engine (read-only profile
//! fields, error summary, repeating groups), posted back, checked and saved.

use super::applications::{own, Own, Shared};
use super::{see_other, Page};
use crate::error::ApiError;
use crate::portal::people::logic::resolve_form;
use crate::store::{Application, Audit};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;
use engine::application::fill_from_profile;
use engine::render::{
    apply_action, decode_post, render_form, FieldError, FormAction, RenderOptions,
};
use engine::schema::Form as EngineForm;
use engine::validate::validate_form;
use engine::{Lang, Program};
use minijinja::context;
use minijinja::value::Value as JinjaValue;
use serde_json::{json, Value};

struct FormView<'a> {
    app: &'a Application,
    /// Whose form it is (the page's title names the person).
    person: String,
    form: &'a EngineForm,
    values: &'a Value,
    errors: Vec<FieldError>,
    saved: bool,
}

fn render_form_page(page: &Page, status: StatusCode, v: FormView) -> Response {
    let action = page.path.clone();
    let hidden = [("_csrf".to_string(), page.csrf().to_string())];
    let opts = RenderOptions {
        form_id: &v.form.id,
        lang: page.lang,
        action: &action,
        read_only: false,
        hidden: &hidden,
    };
    let html = match render_form(&v.form.schema, v.values, &v.errors, &opts) {
        Ok(h) => h,
        Err(e) => return page.error(ApiError::Internal(e.to_string())),
    };
    let title = format!("{} – {}", v.form.title.get(page.lang), v.person);
    page.render(
        status,
        "form_page.html",
        &title,
        context! {
            id => v.app.id,
            number => v.app.number(),
            saved => v.saved,
            form => JinjaValue::from_safe_string(html),
        },
    )
}

/// A form post that was typed but not saved.
struct Typed<'a> {
    page: &'a Page,
    app: &'a Application,
    program: &'a Program,
    form: &'a EngineForm,
    n: usize,
    key: &'a str,
}

impl Typed<'_> {
    /// The form again with what was typed (`doc` holds it) and why it was not saved, on the
    /// field at `path` (or above the form when empty), with the form's own problems: a
    /// refusal never loses what was typed.
    fn refused(&self, mut doc: Value, path: &str, e: ApiError) -> Response {
        let (status, message) = super::status_and_message(e);
        fill_from_profile(&mut doc, self.program);
        let values = values_of(&doc, self.n, self.key);
        let mut errors = vec![FieldError {
            path: path.into(),
            message,
        }];
        errors.extend(field_errors(self.form, &values, self.page.lang));
        render_form_page(
            self.page,
            status,
            FormView {
                app: self.app,
                person: crate::portal::people::logic::person_label(&doc, self.n, self.page.lang),
                form: self.form,
                values: &values,
                errors,
                saved: false,
            },
        )
    }
}

fn field_errors(form: &EngineForm, values: &Value, lang: Lang) -> Vec<FieldError> {
    validate_form(form, values)
        .into_iter()
        .map(|i| FieldError {
            path: i.path,
            message: i.message.get(lang).to_string(),
        })
        .collect()
}

fn values_of(doc: &Value, n: usize, key: &str) -> Value {
    doc.get("people")
        .and_then(|p| p.get(n))
        .and_then(|p| p.get(key))
        .cloned()
        .unwrap_or(Value::Null)
}

pub async fn form_page(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, n, form)): Path<(String, usize, String)>,
) -> Response {
    let Own {
        page,
        app,
        mut doc,
        program,
        ..
    } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some((schema_form, key)) = resolve_form(&program, &doc, n, &form) else {
        return page.not_found();
    };
    // An unstarted form shows the profile's values too.
    if let Some(person) = doc.pointer_mut(&format!("/people/{n}")) {
        if person.get(&key).is_none_or(Value::is_null) {
            person[&key] = json!({});
        }
    }
    fill_from_profile(&mut doc, &program);
    let values = values_of(&doc, n, &key);
    let started = values.as_object().is_some_and(|o| !o.is_empty());
    let errors = if started {
        field_errors(schema_form, &values, page.lang)
    } else {
        Vec::new()
    };
    render_form_page(
        &page,
        StatusCode::OK,
        FormView {
            app: &app,
            person: crate::portal::people::logic::person_label(&doc, n, page.lang),
            form: schema_form,
            values: &values,
            errors,
            saved: false,
        },
    )
}

pub async fn save_form(
    State(state): Shared,
    uri: Uri,
    headers: HeaderMap,
    Path((id, n, form)): Path<(String, usize, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Own {
        page,
        me,
        app,
        mut doc,
        program,
    } = match own(&state, &uri, &headers, &id) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some((schema_form, key)) = resolve_form(&program, &doc, n, &form) else {
        return page.not_found();
    };
    if !app.status.can_submit() {
        return page.message(
            StatusCode::CONFLICT,
            page.tr(
                "This application cannot be changed",
                "Cette demande ne peut pas être modifiée",
            ),
            page.tr(
                "This application has been submitted: its forms can no longer be changed.",
                "Cette demande a été soumise : ses formulaires ne peuvent plus être modifiés.",
            ),
            &format!("/applications/{}", app.id),
        );
    }
    let post = decode_post(&schema_form.schema, &pairs);
    let mut values = post.values;
    if let Some(action @ (FormAction::Add(_) | FormAction::Remove(_))) = &post.action {
        apply_action(&schema_form.schema, &mut values, action);
        // Show the profile's values, without saving.
        let mut shown = doc.clone();
        shown["people"][n][&key] = values;
        fill_from_profile(&mut shown, &program);
        let values = values_of(&shown, n, &key);
        return render_form_page(
            &page,
            StatusCode::OK,
            FormView {
                app: &app,
                person: crate::portal::people::logic::person_label(&doc, n, page.lang),
                form: schema_form,
                values: &values,
                errors: Vec::new(),
                saved: false,
            },
        );
    }
    let read = doc.clone();
    doc["people"][n][&key] = values;
    // What a refused save shows again: this form with what was typed.
    let typed = Typed {
        page: &page,
        app: &app,
        program: &program,
        form: schema_form,
        n,
        key: &key,
    };
    if key == "profile" {
        // The duplicates check: a refusal saves nothing and shows what was typed again.
        if let Err(e) = crate::portal::people::claim(&state, &me, &app, &doc, page.lang) {
            return typed.refused(doc, "passport.number", e);
        }
    }
    let audit = Audit::new(
        me.email.clone(),
        format!("saved {} of person {n}", schema_form.title.en),
    );
    if let Err(e) = state
        .store
        .update_application_data(app.id, &read, &doc, &audit)
    {
        // Changed meanwhile, submitted meanwhile, or the storage failed.
        return typed.refused(doc, "", e.into());
    }
    fill_from_profile(&mut doc, &program);
    let values = values_of(&doc, n, &key);
    let errors = field_errors(schema_form, &values, page.lang);
    if post.action == Some(FormAction::Submit) && errors.is_empty() {
        return see_other(&format!("/applications/{}", app.id), &[]);
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_form_page(
        &page,
        status,
        FormView {
            app: &app,
            person: crate::portal::people::logic::person_label(&doc, n, page.lang),
            form: schema_form,
            values: &values,
            errors,
            saved: true,
        },
    )
}
