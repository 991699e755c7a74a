//! Turns JSON Schema errors into field-level messages in both languages that name the field
//! by its label. No raw validator text and no JSON pointer ever reaches a user.

use crate::schema::{properties_of, resolve_ref, text_of, Form};
use crate::text::Text;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::JsonType;
use serde::Serialize;
use serde_json::Value;

/// One problem with one field of a form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldIssue {
    /// Path within the form: `visit.purpose_other`, `contacts[1].name`; empty for the form.
    pub path: String,
    /// The schema keyword that failed (`required`, `format`, …): for testers and traces.
    pub keyword: String,
    pub message: Text,
}

/// Validates one form's values. Returns every problem, each on the field it concerns.
pub fn validate_form(form: &Form, values: &Value) -> Vec<FieldIssue> {
    let mut out: Vec<FieldIssue> = Vec::new();
    // Most forms are valid: checking is much cheaper than collecting errors.
    if form.validator.is_valid(values) {
        return out;
    }
    for error in form.validator.iter_errors(values) {
        let base = pointer_to_path(error.instance_path().as_str());
        let kind = error.kind();
        let (path, keyword) = match kind {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                (join(&base, name), "required")
            }
            _ => (base, kind.keyword()),
        };
        let label = form.label_of(&path);
        let message = message_for(kind, &label, form, &path, error.instance());
        let issue = FieldIssue {
            path,
            keyword: keyword.to_string(),
            message,
        };
        if !out
            .iter()
            .any(|o| o.path == issue.path && o.keyword == issue.keyword)
        {
            out.push(issue);
        }
    }
    out
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}

/// `/visit/contacts/1/name` → `visit.contacts[1].name`.
pub fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() {
            out.push('[');
            out.push_str(&seg);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

fn type_name(kind: &TypeKind) -> (&'static str, &'static str) {
    let t = match kind {
        TypeKind::Single(t) => *t,
        TypeKind::Multiple(set) => set.iter().next().unwrap_or(JsonType::String),
    };
    match t {
        JsonType::Integer => ("a whole number", "un nombre entier"),
        JsonType::Number => ("a number", "un nombre"),
        JsonType::Boolean => ("yes or no", "oui ou non"),
        JsonType::Array => ("a list", "une liste"),
        JsonType::Object => ("a group of fields", "un groupe de champs"),
        JsonType::Null => ("empty", "vide"),
        JsonType::String => ("text", "du texte"),
    }
}

fn message_for(
    kind: &ValidationErrorKind,
    label: &Text,
    form: &Form,
    path: &str,
    instance: &Value,
) -> Text {
    let (en, fr) = (&label.en, &label.fr);
    match kind {
        ValidationErrorKind::Required { .. } => Text::new(
            format!("{en} is required"),
            format!("« {fr} » est obligatoire"),
        ),
        ValidationErrorKind::MinLength { limit: 1 } => Text::new(
            format!("{en} is required"),
            format!("« {fr} » est obligatoire"),
        ),
        ValidationErrorKind::MinLength { limit } => Text::new(
            format!("{en} must be at least {limit} characters"),
            format!("« {fr} » doit compter au moins {limit} caractères"),
        ),
        ValidationErrorKind::MaxLength { limit } => Text::new(
            format!("{en} must be {limit} characters or fewer"),
            format!("« {fr} » doit compter au plus {limit} caractères"),
        ),
        ValidationErrorKind::Type { kind } => {
            let (ten, tfr) = type_name(kind);
            Text::new(
                format!("{en} must be {ten}"),
                format!("« {fr} » doit être {tfr}"),
            )
        }
        ValidationErrorKind::Format { format } => match format.as_str() {
            "date" => Text::new(
                format!("{en} must be a real date, written YYYY-MM-DD"),
                format!("« {fr} » doit être une date valide, écrite AAAA-MM-JJ"),
            ),
            "email" => Text::new(
                format!("{en} must be an email address, like name@example.com"),
                format!("« {fr} » doit être une adresse électronique, comme nom@exemple.ca"),
            ),
            _ => Text::new(
                format!("{en} is not in the right format"),
                format!("« {fr} » n'est pas dans le bon format"),
            ),
        },
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => Text::new(
            format!("{en} must be at least {limit}"),
            format!("« {fr} » doit être d'au moins {limit}"),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => Text::new(
            format!("{en} must be at most {limit}"),
            format!("« {fr} » doit être d'au plus {limit}"),
        ),
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
        | ValidationErrorKind::Enum { .. }
        | ValidationErrorKind::Constant { .. } => Text::new(
            format!("{en}: choose one of the options"),
            format!("« {fr} » : choisissez une des options"),
        ),
        ValidationErrorKind::Pattern { .. } => {
            let hint = form
                .field(path)
                .and(schema_node(form, path))
                .and_then(|n| text_of(n, "description"));
            match hint {
                Some(h) => Text::new(
                    format!("{en} is not in the expected format: {}", h.en),
                    format!("« {fr} » n'est pas dans le format attendu : {}", h.fr),
                ),
                None => Text::new(
                    format!("{en} is not in the expected format"),
                    format!("« {fr} » n'est pas dans le format attendu"),
                ),
            }
        }
        ValidationErrorKind::MinItems { limit } => Text::new(
            format!("{en}: add at least {limit}"),
            format!("« {fr} » : ajoutez-en au moins {limit}"),
        ),
        ValidationErrorKind::MaxItems { limit } => Text::new(
            format!("{en}: no more than {limit}"),
            format!("« {fr} » : pas plus de {limit}"),
        ),
        ValidationErrorKind::AdditionalProperties { unexpected } => Text::new(
            format!(
                "{en} has fields this form does not know: {}",
                unexpected.join(", ")
            ),
            format!(
                "« {fr} » contient des champs inconnus de ce formulaire : {}",
                unexpected.join(", ")
            ),
        ),
        _ => {
            let _ = instance;
            Text::new(
                format!("{en} is not valid"),
                format!("« {fr} » n'est pas valide"),
            )
        }
    }
}

/// The schema node of a concrete path (for help text); follows properties, items and $refs.
fn schema_node<'a>(form: &'a Form, path: &str) -> Option<&'a Value> {
    let root = &form.schema;
    let mut node = root;
    for seg in crate::schema::pattern_of(path).split('.') {
        let (name, arrays) = (seg.trim_end_matches("[]"), seg.matches("[]").count());
        let (_, child) = properties_of(root, node)
            .into_iter()
            .find(|(n, _)| *n == name)?;
        node = child;
        for _ in 0..arrays {
            node = resolve_ref(root, node).get("items")?;
        }
    }
    Some(node)
}
