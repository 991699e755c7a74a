//! The view model: a form schema, its values and the errors turned into the tree of sections,
//! repeating groups and fields that the templates walk. Every decision (labels, widgets,
//! ids, `aria-describedby`, which errors go where) is made here; the templates only print.

use super::schema;
use super::strings::{self, Strings};
use super::{FieldError, RenderOptions};
use crate::text::Lang;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

#[derive(Debug, Serialize)]
pub(crate) struct FormView {
    pub form_id: String,
    /// The `id` of the `<form>` element.
    pub dom_id: String,
    pub lang: &'static str,
    pub action: String,
    pub read_only: bool,
    pub title: String,
    pub description: Option<String>,
    pub hidden: Vec<Hidden>,
    pub summary: Vec<SummaryItem>,
    pub nodes: Vec<Node>,
    pub t: &'static Strings,
}

#[derive(Debug, Serialize)]
pub(crate) struct Hidden {
    pub name: String,
    pub value: String,
}

/// One line of the error summary; `href` is `#<element id>` when the error names a field.
#[derive(Debug, Serialize)]
pub(crate) struct SummaryItem {
    pub message: String,
    pub href: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Node {
    Section(Section),
    Group(Group),
    Field(Field),
}

/// An object: a fieldset whose legend is a heading.
#[derive(Debug, Serialize)]
pub(crate) struct Section {
    pub id: String,
    pub legend: String,
    pub hint: Option<String>,
    pub level: usize,
    pub errors: Vec<String>,
    pub describedby: String,
    pub children: Vec<Node>,
}

/// A repeating group (an array): one item fieldset per item, then "Add another".
#[derive(Debug, Serialize)]
pub(crate) struct Group {
    pub id: String,
    pub legend: String,
    pub hint: Option<String>,
    pub required: bool,
    pub level: usize,
    pub errors: Vec<String>,
    pub describedby: String,
    pub items: Vec<Item>,
    pub add: Option<Button>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Item {
    pub id: String,
    pub heading: String,
    /// An item that is a single field (an array of strings, ...), shown without a fieldset.
    pub single: bool,
    pub level: usize,
    pub errors: Vec<String>,
    pub describedby: String,
    pub children: Vec<Node>,
    pub remove: Option<Button>,
}

/// A submit button `name="_action" value="{value}"`; `context` is read by screen readers
/// after the label ("Remove <Address 2>").
#[derive(Debug, Serialize)]
pub(crate) struct Button {
    pub value: String,
    pub label: String,
    pub context: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Field {
    pub id: String,
    /// `None` for read-only fields: they are never posted.
    pub name: Option<String>,
    pub label: String,
    pub hint: Option<String>,
    /// Filled from the profile (shows the "From the profile" hint).
    pub profile: bool,
    pub required: bool,
    pub errors: Vec<String>,
    pub describedby: String,
    /// `input`, `textarea`, `select`, `radios`, `checkbox`, `checkboxes` or `readonly`.
    pub widget: &'static str,
    /// The `type` of an `input` widget.
    pub input_type: &'static str,
    pub value: String,
    pub checked: bool,
    pub options: Vec<Opt>,
    pub maxlength: Option<u64>,
    pub step: Option<&'static str>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub autocomplete: Option<String>,
    /// A read-only value shown in a textarea.
    pub multiline: bool,
}

/// A choice of a select, radio or checkbox group.
#[derive(Debug, Serialize)]
pub(crate) struct Opt {
    pub id: String,
    pub value: String,
    pub label: String,
    pub selected: bool,
}

struct PendingError<'a> {
    raw: &'a str,
    normalised: String,
    message: &'a str,
    /// Where it attached: (position in the form, element id).
    at: Option<(usize, String)>,
}

pub(super) struct Builder<'a> {
    pub(super) lang: Lang,
    pub(super) read_only: bool,
    pub(super) t: &'static Strings,
    errors: Vec<PendingError<'a>>,
    ids: HashSet<String>,
    seq: usize,
}

/// Builds the view of a form.
pub(crate) fn build(
    schema: &Value,
    values: &Value,
    errors: &[FieldError],
    opts: &RenderOptions,
) -> FormView {
    let schema = schema::inline_refs(schema);
    let mut b = Builder {
        lang: opts.lang,
        read_only: opts.read_only,
        t: strings::strings(opts.lang),
        errors: errors
            .iter()
            .map(|e| PendingError {
                raw: &e.path,
                normalised: schema::normalise_error_path(&e.path, opts.form_id),
                message: &e.message,
                at: None,
            })
            .collect(),
        ids: HashSet::new(),
        seq: 0,
    };
    let nodes = b.children(&schema, Some(values), "", 0);
    let mut pending: Vec<_> = b.errors.into_iter().enumerate().collect();
    // The summary follows the order of the form; errors that name no field come last.
    pending.sort_by_key(|(i, e)| (e.at.as_ref().map_or(usize::MAX, |a| a.0), *i));
    let summary = pending
        .into_iter()
        .map(|(_, e)| SummaryItem {
            message: e.message.to_string(),
            href: e.at.map(|(_, id)| format!("#{id}")),
        })
        .collect();
    FormView {
        form_id: opts.form_id.to_string(),
        dom_id: format!("form-{}", schema::slug(opts.form_id)),
        lang: opts.lang.code(),
        action: opts.action.to_string(),
        read_only: opts.read_only,
        title: schema::title(&schema, opts.lang).unwrap_or_else(|| opts.form_id.to_string()),
        description: schema::description(&schema, opts.lang),
        hidden: opts
            .hidden
            .iter()
            .map(|(name, value)| Hidden {
                name: name.clone(),
                value: value.clone(),
            })
            .collect(),
        summary,
        nodes,
        t: b.t,
    }
}

/// "family_name" → "Family name", the label of last resort.
fn humanise(name: &str) -> String {
    let s = name.replace(['_', '-'], " ");
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

fn heading_level(depth: usize) -> usize {
    (depth + 2).min(6)
}

pub(super) fn describedby(id: &str, hint: bool, profile: bool, errors: bool) -> String {
    let parts = [(hint, "hint"), (profile, "profile"), (errors, "error")];
    let ids: Vec<String> = parts
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, suffix)| format!("{id}-{suffix}"))
        .collect();
    ids.join(" ")
}

impl Builder<'_> {
    /// A fresh element id for a path (made unique if two paths clash).
    pub(super) fn unique_id(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{base}-x{n}");
            n += 1;
        }
        self.ids.insert(id.clone());
        id
    }

    /// The messages of the errors that name `path`, now attached to element `id`.
    pub(super) fn take_errors(&mut self, path: &str, id: &str) -> Vec<String> {
        self.seq += 1;
        let mut out = Vec::new();
        for e in &mut self.errors {
            if e.at.is_none() && (e.raw == path || e.normalised == path) {
                e.at = Some((self.seq, id.to_string()));
                out.push(e.message.to_string());
            }
        }
        out
    }

    pub(super) fn label(&self, schema: &Value, name: &str) -> String {
        schema::title(schema, self.lang).unwrap_or_else(|| humanise(name))
    }

    /// The nodes of an object's properties.
    fn children(
        &mut self,
        schema: &Value,
        value: Option<&Value>,
        path: &str,
        depth: usize,
    ) -> Vec<Node> {
        let mut nodes = Vec::new();
        for (name, prop) in schema::ordered_properties(schema) {
            let child_path = schema::join(path, name);
            let child_value = value.and_then(|v| v.get(name));
            let required = schema::is_required(schema, name);
            if let Some(node) = self.node(prop, child_value, &child_path, name, required, depth) {
                nodes.push(node);
            }
        }
        nodes
    }

    fn node(
        &mut self,
        schema: &Value,
        value: Option<&Value>,
        path: &str,
        name: &str,
        required: bool,
        depth: usize,
    ) -> Option<Node> {
        match schema::ty(schema) {
            Some("object") => {
                schema.get("properties")?;
                let id = self.unique_id(schema::path_id(path));
                let errors = self.take_errors(path, &id);
                let hint = schema::description(schema, self.lang);
                Some(Node::Section(Section {
                    describedby: describedby(&id, hint.is_some(), false, !errors.is_empty()),
                    legend: self.label(schema, name),
                    level: heading_level(depth),
                    children: self.children(schema, value, path, depth + 1),
                    id,
                    hint,
                    errors,
                }))
            }
            Some("array") => {
                let items = schema.get("items").filter(|i| i.is_object())?;
                if schema::choices(items).is_empty() {
                    Some(Node::Group(
                        self.group(schema, value, path, name, required, depth),
                    ))
                } else {
                    Some(Node::Field(self.field(schema, value, path, name, required)))
                }
            }
            _ => Some(Node::Field(self.field(schema, value, path, name, required))),
        }
    }

    fn group(
        &mut self,
        schema: &Value,
        value: Option<&Value>,
        path: &str,
        name: &str,
        required: bool,
        depth: usize,
    ) -> Group {
        let id = self.unique_id(schema::path_id(path));
        let errors = self.take_errors(path, &id);
        let hint = schema::description(schema, self.lang);
        let items_schema = &schema["items"];
        let list: &[Value] = value.and_then(Value::as_array).map_or(&[], Vec::as_slice);
        let min = schema::uint_kw(schema, "minItems").unwrap_or(0) as usize;
        let max = schema::uint_kw(schema, "maxItems");
        let count = list.len().max(min).max(1);
        let legend = self.label(schema, name);
        let scalar_items = schema::ty(items_schema) != Some("object");
        let item_name = schema::text(schema, "x-item-title", "x-item-title-fr", self.lang)
            .or_else(|| {
                scalar_items
                    .then(|| schema::title(items_schema, self.lang))
                    .flatten()
            })
            .unwrap_or_else(|| legend.clone());
        let mut items = Vec::with_capacity(count);
        for i in 0..count {
            let item_path = format!("{path}[{i}]");
            let heading = format!("{item_name} {}", i + 1);
            let remove = (!self.read_only && count > min).then(|| Button {
                value: format!("remove:{item_path}"),
                label: self.t.remove.to_string(),
                context: Some(heading.clone()),
            });
            if scalar_items {
                // One field per item, labelled with the item's name; no fieldset of its own.
                let mut field = self.field(items_schema, list.get(i), &item_path, name, false);
                field.label = heading.clone();
                items.push(Item {
                    id: field.id.clone(),
                    heading,
                    single: true,
                    level: heading_level(depth + 1),
                    errors: Vec::new(),
                    describedby: String::new(),
                    children: vec![Node::Field(field)],
                    remove,
                });
                continue;
            }
            let item_id = self.unique_id(schema::path_id(&item_path));
            let item_errors = self.take_errors(&item_path, &item_id);
            items.push(Item {
                describedby: describedby(&item_id, false, false, !item_errors.is_empty()),
                level: heading_level(depth + 1),
                single: false,
                children: self.children(items_schema, list.get(i), &item_path, depth + 2),
                id: item_id,
                heading,
                errors: item_errors,
                remove,
            });
        }
        let add = (!self.read_only && max.is_none_or(|m| (count as u64) < m)).then(|| Button {
            value: format!("add:{path}"),
            label: schema::text(schema, "x-add-title", "x-add-title-fr", self.lang)
                .unwrap_or_else(|| strings::add_label(self.lang, &item_name)),
            context: None,
        });
        Group {
            describedby: describedby(&id, hint.is_some(), false, !errors.is_empty()),
            required: required && !self.read_only,
            level: heading_level(depth),
            id,
            legend,
            hint,
            errors,
            items,
            add,
        }
    }
}
