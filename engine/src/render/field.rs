//! The fields of the view model: the widget of each field, its value, its choices, and its
//! read-only form.

use super::schema::{self, Choice};
use super::view::{describedby, Builder, Field, Opt};
use serde_json::Value;

#[derive(Clone, Copy, PartialEq)]
enum Widget {
    Input(&'static str),
    Textarea,
    Select,
    Radios,
    Checkbox,
    Checkboxes,
}

impl Builder<'_> {
    /// A field: one input, or a choice group (a checkbox group for an array of choices).
    pub(super) fn field(
        &mut self,
        schema: &Value,
        value: Option<&Value>,
        path: &str,
        name: &str,
        required: bool,
    ) -> Field {
        let id = self.unique_id(schema::path_id(path));
        let errors = self.take_errors(path, &id);
        let ty = schema::ty(schema);
        let is_array = ty == Some("array");
        let choices = if is_array {
            schema::choices(&schema["items"])
        } else {
            schema::choices(schema)
        };
        let widget = widget(schema, ty, &choices);
        let profile = schema.get("x-profile").is_some();
        let read_only = self.read_only || profile;
        let hint = schema::description(schema, self.lang);
        let value = value.filter(|v| !v.is_null());
        let raw = value.map(schema::scalar_string).unwrap_or_default();
        let mut options = match widget {
            Widget::Select | Widget::Radios | Widget::Checkboxes => {
                self.options(&id, widget, ty, &choices, value)
            }
            _ => Vec::new(),
        };
        if read_only {
            // Shown as the text the user would have chosen, in a read-only input.
            let shown = match widget {
                Widget::Checkbox => match value {
                    Some(Value::Bool(true)) => self.t.yes.to_string(),
                    Some(Value::Bool(false)) => self.t.no.to_string(),
                    _ => raw.clone(),
                },
                _ if !options.is_empty() => options
                    .iter()
                    .filter(|o| o.selected)
                    .map(|o| o.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => raw.clone(),
            };
            options.clear();
            return Field {
                describedby: describedby(&id, hint.is_some(), profile, !errors.is_empty()),
                name: None,
                label: self.label(schema, name),
                required: false,
                widget: "readonly",
                input_type: "text",
                value: shown,
                checked: false,
                options,
                maxlength: None,
                step: None,
                min: None,
                max: None,
                autocomplete: None,
                multiline: widget == Widget::Textarea,
                id,
                hint,
                profile,
                errors,
            };
        }
        let (widget_name, input_type) = match widget {
            // Browsers empty a number or date input whose value does not parse: a value typed
            // wrong (kept as typed by `decode_post`) is shown in a text input instead.
            Widget::Input(t @ ("number" | "date")) if !fits(t, &raw) => ("input", "text"),
            Widget::Input(t) => ("input", t),
            Widget::Textarea => ("textarea", ""),
            Widget::Select => ("select", ""),
            Widget::Radios => ("radios", ""),
            Widget::Checkbox => ("checkbox", "checkbox"),
            Widget::Checkboxes => ("checkboxes", "checkbox"),
        };
        let number = input_type == "number";
        let bound = |key: &str| {
            number
                .then(|| schema.get(key).filter(|v| v.is_number()))
                .flatten()
                .map(schema::scalar_string)
        };
        Field {
            describedby: describedby(&id, hint.is_some(), false, !errors.is_empty()),
            name: Some(path.to_string()),
            label: self.label(schema, name),
            required,
            widget: widget_name,
            input_type,
            checked: widget == Widget::Checkbox && value == Some(&Value::Bool(true)),
            value: raw,
            options,
            maxlength: matches!(widget, Widget::Input("text" | "email") | Widget::Textarea)
                .then(|| schema::uint_kw(schema, "maxLength"))
                .flatten(),
            step: number.then_some(if ty == Some("integer") { "1" } else { "any" }),
            min: bound("minimum"),
            max: bound("maximum"),
            autocomplete: schema::str_kw(schema, "x-autocomplete").map(str::to_string),
            multiline: false,
            id,
            hint,
            profile,
            errors,
        }
    }

    /// The options of a choice widget; a current value that is not one of the choices is
    /// kept as an extra option so that posting the form does not lose it.
    fn options(
        &mut self,
        id: &str,
        widget: Widget,
        ty: Option<&str>,
        choices: &[Choice],
        value: Option<&Value>,
    ) -> Vec<Opt> {
        let mut list: Vec<(String, String)> = if ty == Some("boolean") && choices.is_empty() {
            vec![
                ("true".into(), self.t.yes.into()),
                ("false".into(), self.t.no.into()),
            ]
        } else {
            choices
                .iter()
                .map(|c| {
                    let label = match (&c.value, &c.en) {
                        (Value::Bool(b), None) => (if *b { self.t.yes } else { self.t.no }).into(),
                        _ => c.label(self.lang),
                    };
                    (schema::scalar_string(&c.value), label)
                })
                .collect()
        };
        let current: Vec<String> = match value {
            Some(Value::Array(vs)) => vs.iter().map(schema::scalar_string).collect(),
            Some(v) => vec![schema::scalar_string(v)],
            None => Vec::new(),
        };
        for c in &current {
            if !c.is_empty() && !list.iter().any(|(v, _)| v == c) {
                list.push((c.clone(), c.clone()));
            }
        }
        let with_ids = widget != Widget::Select;
        list.into_iter()
            .enumerate()
            .map(|(i, (value, label))| Opt {
                id: match (with_ids, i) {
                    (false, _) => String::new(),
                    (true, 0) => id.to_string(),
                    (true, n) => self.unique_id(format!("{id}-{}", n + 1)),
                },
                selected: current.contains(&value),
                value,
                label,
            })
            .collect()
    }
}

/// The widget of a field: `x-widget` when it fits the field, else chosen from the schema.
fn widget(schema: &Value, ty: Option<&str>, choices: &[Choice]) -> Widget {
    let boolean = ty == Some("boolean");
    let array = ty == Some("array");
    let has_choices = !choices.is_empty() || boolean;
    match schema::str_kw(schema, "x-widget") {
        _ if array => return Widget::Checkboxes,
        Some("text") => return Widget::Input("text"),
        Some("textarea") => return Widget::Textarea,
        Some("number") => return Widget::Input("number"),
        Some("date") => return Widget::Input("date"),
        Some("email") => return Widget::Input("email"),
        Some("select") if has_choices => return Widget::Select,
        Some("radio") if has_choices => return Widget::Radios,
        Some("checkbox") if boolean => return Widget::Checkbox,
        _ => {}
    }
    if !choices.is_empty() {
        // Labelled choices, booleans included ("Yes, I have" / "No").
        if choices.len() <= 4 {
            Widget::Radios
        } else {
            Widget::Select
        }
    } else if boolean {
        Widget::Checkbox
    } else {
        match (schema::str_kw(schema, "format"), ty) {
            (Some("date"), _) => Widget::Input("date"),
            (_, Some("integer" | "number")) => Widget::Input("number"),
            (Some("email"), _) => Widget::Input("email"),
            _ => Widget::Input("text"),
        }
    }
}

/// Whether a browser keeps `value` in an input of this type.
fn fits(input_type: &str, value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match input_type {
        _ if value.is_empty() => true,
        "number" => value.parse::<f64>().is_ok_and(f64::is_finite),
        "date" => {
            let parts: Vec<&str> = value.split('-').collect();
            parts.len() == 3
                && parts[0].len() >= 4
                && parts[1].len() == 2
                && parts[2].len() == 2
                && parts.iter().all(|p| digits(p))
        }
        _ => true,
    }
}
