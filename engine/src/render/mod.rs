//! Form rendering: a form schema (JSON Schema 2020-12 with the bilingual annotations of
//! `docs/authoring.md`) and its values become an accessible HTML form, and the browser's
//! post comes back as the form's JSON object.
//!
//! - [`render_form`] gives the `<form>` element (a fragment for the portal's pages);
//!   [`render_page`] wraps it in a complete HTML5 page (for the command-line preview).
//! - [`decode_post`] turns the posted `(name, value)` pairs back into the form's values, and
//!   the button that was pressed into a [`FormAction`]; [`apply_action`] carries out "Add
//!   another" and "Remove" so that repeating groups work without JavaScript: the server
//!   decodes the post, applies the action, and renders the form again.
//!
//! The HTML follows the GOV.UK / WCAG patterns: a `<label for>` for every input, hints and
//! inline errors bound with `aria-describedby`, sections and choice groups as fieldsets with
//! legends, an error summary whose links lead to the fields, no JavaScript. Inputs are named
//! by their path in the form (`visit.purpose`, `visit.contacts[0].name`) and their ids are
//! derived from it (`f-visit-contacts-0-name`). Fields marked `x-profile` are read-only and
//! have no `name`, so they are never posted. The portal's style sheet should define the
//! `visually-hidden` class (the one embedded by [`render_page`] shows how).
//!
//! The templates are minijinja templates (`templates/*.html`, embedded in the binary) with
//! HTML auto-escaping on; all the logic lives in the view model (`view.rs`).

mod field;
mod post;
mod schema;
mod strings;
mod view;

#[cfg(test)]
mod tests;

pub use post::{apply_action, decode_post, FormAction, FormPost};

use crate::text::Lang;
use minijinja::value::{Serde, Value as JinjaValue};
use minijinja::{context, syntax::SyntaxConfig, AutoEscape, Environment};
use std::fmt;
use std::sync::OnceLock;

/// An error to show on a field. `path` is the path within the form (`visit.purpose_other`,
/// `visit.contacts[1].name`; a JSON pointer or a path prefixed with the form id is accepted
/// too); `message` is already in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

/// How to render a form.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// The form id (`imm5257`).
    pub form_id: &'a str,
    pub lang: Lang,
    /// The URL the form posts to.
    pub action: &'a str,
    /// Shows every field read-only, without buttons (the client's review).
    pub read_only: bool,
    /// Extra hidden inputs, e.g. a CSRF token.
    pub hidden: &'a [(String, String)],
}

/// A template failed to render (a bug in the templates, not in the schema).
#[derive(Debug)]
pub struct RenderError(pub String);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot render the form: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> RenderError {
        RenderError(format!("{e:#}"))
    }
}

const FORM_TEMPLATE: &str = include_str!("templates/form.html");
const PAGE_TEMPLATE: &str = include_str!("templates/page.html");

/// The template environment, built once.
fn environment() -> Result<&'static Environment<'static>, RenderError> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    let env = ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| e.to_string())?;
        env.set_syntax(syntax);
        env.add_template("form.html", FORM_TEMPLATE)
            .map_err(|e| format!("{e:#}"))?;
        env.add_template("page.html", PAGE_TEMPLATE)
            .map_err(|e| format!("{e:#}"))?;
        Ok(env)
    });
    env.as_ref().map_err(|e| RenderError(e.clone()))
}

/// Renders the `<form>` element of a form: the error summary (when `errors` is not empty),
/// every section and field with its value and errors, and the buttons.
///
/// `schema` is the form schema as loaded (`x-codes` already replaced by `oneOf`; local
/// `$ref`s are resolved here); `values` is the form's JSON object (null is an empty form).
pub fn render_form(
    schema: &serde_json::Value,
    values: &serde_json::Value,
    errors: &[FieldError],
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let view = view::build(schema, values, errors, opts);
    form_html(&view)
}

fn form_html(view: &view::FormView) -> Result<String, RenderError> {
    let tmpl = environment()?.get_template("form.html")?;
    Ok(tmpl.render(JinjaValue::from(Serde(view)))?)
}

/// Renders a complete HTML5 page (language, title, a minimal style sheet) around
/// [`render_form`]'s form, with the form's title as the page heading.
pub fn render_page(
    schema: &serde_json::Value,
    values: &serde_json::Value,
    errors: &[FieldError],
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let view = view::build(schema, values, errors, opts);
    let form = form_html(&view)?;
    let tmpl = environment()?.get_template("page.html")?;
    Ok(tmpl.render(context! {
        form => JinjaValue::from_safe_string(form),
        ..JinjaValue::from(Serde(&view))
    })?)
}
