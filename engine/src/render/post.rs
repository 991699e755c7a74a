//! Decoding a browser form post back into the form's JSON object, and the "Add another" /
//! "Remove" actions of repeating groups.
//!
//! Input names are field paths (`visit.contacts[1].name`); the schema gives each its type.
//! Empty inputs are left out, numbers that do not parse are kept as typed (the validator
//! reports them and the user's input is not lost), names that are not fields of the form,
//! read-only (`x-profile`) fields and names starting with `_` are ignored, and `_action` is
//! the button that was pressed.

use super::schema::{self, Seg};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// A decoded post: the form's values and the button that was pressed.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPost {
    /// Always a JSON object (empty when nothing was filled).
    pub values: serde_json::Value,
    pub action: Option<FormAction>,
}

/// The button that was pressed (the `_action` input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormAction {
    /// "Add another": append an empty item to the array at this path (`visit.contacts`).
    Add(String),
    /// "Remove": remove this item (`visit.contacts[1]`).
    Remove(String),
    /// "Save draft".
    Save,
    /// "Check and continue".
    Submit,
}

impl FormAction {
    /// Parses an `_action` value: `save`, `submit`, `add:PATH` or `remove:PATH`.
    pub fn parse(s: &str) -> Option<FormAction> {
        match s.trim() {
            "save" => Some(FormAction::Save),
            "submit" => Some(FormAction::Submit),
            s => match s.split_once(':') {
                Some(("add", p)) if !p.is_empty() => Some(FormAction::Add(p.to_string())),
                Some(("remove", p)) if !p.is_empty() => Some(FormAction::Remove(p.to_string())),
                _ => None,
            },
        }
    }

    /// The `_action` value of the button.
    pub fn value(&self) -> String {
        match self {
            FormAction::Add(p) => format!("add:{p}"),
            FormAction::Remove(p) => format!("remove:{p}"),
            FormAction::Save => "save".into(),
            FormAction::Submit => "submit".into(),
        }
    }
}

/// What was posted, before it becomes JSON.
enum Tree {
    Obj(Vec<(String, Tree)>),
    Arr(BTreeMap<usize, Tree>),
    /// A scalar field (`None` when posted empty), or a placeholder not yet descended into.
    Leaf(Option<Value>),
    /// The checked boxes of a checkbox group.
    Multi(Vec<Value>),
}

impl Tree {
    fn child(&mut self, seg: &Seg) -> Option<&mut Tree> {
        if matches!(self, Tree::Leaf(None)) {
            *self = match seg {
                Seg::Key(_) => Tree::Obj(Vec::new()),
                Seg::Index(_) => Tree::Arr(BTreeMap::new()),
            };
        }
        match (self, seg) {
            (Tree::Obj(list), Seg::Key(k)) => {
                let pos = match list.iter().position(|(name, _)| name == k) {
                    Some(pos) => pos,
                    None => {
                        list.push((k.clone(), Tree::Leaf(None)));
                        list.len() - 1
                    }
                };
                Some(&mut list[pos].1)
            }
            (Tree::Arr(items), Seg::Index(i)) => Some(items.entry(*i).or_insert(Tree::Leaf(None))),
            _ => None,
        }
    }

    /// The node at a path, created as needed; `None` when the path crosses a field.
    fn at_path(&mut self, segs: &[Seg]) -> Option<&mut Tree> {
        match segs.split_first() {
            None => Some(self),
            Some((seg, rest)) => self.child(seg)?.at_path(rest),
        }
    }

    /// The JSON value; empty objects, arrays and fields are `None`. With `keep_blank`, array
    /// items left empty stay (as `{}`) so that item indices still match the form shown.
    fn into_json(self, keep_blank: bool) -> Option<Value> {
        match self {
            Tree::Leaf(v) => v,
            Tree::Multi(list) => (!list.is_empty()).then_some(Value::Array(list)),
            Tree::Obj(list) => {
                let map: Map<String, Value> = list
                    .into_iter()
                    .filter_map(|(k, t)| t.into_json(keep_blank).map(|v| (k, v)))
                    .collect();
                (!map.is_empty()).then_some(Value::Object(map))
            }
            Tree::Arr(items) => {
                let list: Vec<Value> = items
                    .into_values()
                    .filter_map(|t| {
                        let blank = match t {
                            Tree::Obj(_) => Value::Object(Map::new()),
                            Tree::Arr(_) | Tree::Multi(_) => Value::Array(Vec::new()),
                            Tree::Leaf(_) => Value::Null,
                        };
                        t.into_json(keep_blank).or(keep_blank.then_some(blank))
                    })
                    .collect();
                (!list.is_empty()).then_some(Value::Array(list))
            }
        }
    }
}

/// Decodes a posted form. Array items are compacted in index order; items and objects left
/// entirely empty are dropped, except when the action is `Add` or `Remove`: then empty items
/// are kept (as `{}`) so that the form shown again keeps the items the user saw and the
/// index in a `Remove` still names the right item.
pub fn decode_post(schema: &serde_json::Value, pairs: &[(String, String)]) -> FormPost {
    let schema = schema::inline_refs(schema);
    let mut action = None;
    let mut root = Tree::Obj(Vec::new());
    for (name, value) in pairs {
        if name == "_action" {
            action = action.or_else(|| FormAction::parse(value));
            continue;
        }
        if name.starts_with('_') {
            continue;
        }
        let Some(segs) = schema::parse_path(name) else {
            continue;
        };
        let Some(field) = schema::schema_at(&schema, &segs) else {
            continue;
        };
        if field.get("x-profile").is_some() {
            continue;
        }
        let Some(node) = root.at_path(&segs) else {
            continue;
        };
        match schema::ty(field) {
            Some("object") => {}
            Some("array") => {
                let items = &field["items"];
                if schema::choices(items).is_empty() {
                    continue;
                }
                let Some(v) = scalar(items, value) else {
                    continue;
                };
                match node {
                    Tree::Multi(list) => list.push(v),
                    Tree::Leaf(None) => *node = Tree::Multi(vec![v]),
                    _ => {}
                }
            }
            _ => {
                if let (Tree::Leaf(_), Some(v)) = (&node, scalar(field, value)) {
                    *node = Tree::Leaf(Some(v));
                }
            }
        }
    }
    let keep_blank = matches!(action, Some(FormAction::Add(_) | FormAction::Remove(_)));
    FormPost {
        values: root
            .into_json(keep_blank)
            .unwrap_or_else(|| Value::Object(Map::new())),
        action,
    }
}

/// The JSON value of one posted input, by the field's schema; `None` when empty.
fn scalar(schema: &Value, posted: &str) -> Option<Value> {
    let s = posted.replace("\r\n", "\n");
    if s.trim().is_empty() {
        return None;
    }
    let choices = schema::choices(schema);
    if let Some(c) = choices
        .iter()
        .find(|c| schema::scalar_string(&c.value) == s)
    {
        return Some(c.value.clone());
    }
    let t = s.trim();
    let int = || t.parse::<i64>().ok().map(Value::from);
    let float = || {
        t.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
    };
    Some(match schema::ty(schema) {
        Some("integer") => int().unwrap_or(Value::String(s)),
        Some("number") => int().or_else(float).unwrap_or(Value::String(s)),
        Some("boolean") => match t {
            "true" | "on" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(s),
        },
        _ => Value::String(s),
    })
}

/// Carries out `Add` (appends an empty item to the array at the path, after the items the
/// form shows for an array that is still shorter than `minItems`, and never beyond
/// `maxItems`) and `Remove` (removes the item at the path). `Save` and `Submit` change nothing.
pub fn apply_action(
    schema: &serde_json::Value,
    values: &mut serde_json::Value,
    action: &FormAction,
) {
    let schema = schema::inline_refs(schema);
    match action {
        FormAction::Add(path) => add_item(&schema, values, path),
        FormAction::Remove(path) => remove_item(&schema, values, path),
        FormAction::Save | FormAction::Submit => {}
    }
}

fn add_item(schema: &Value, values: &mut Value, path: &str) {
    let Some(segs) = schema::parse_path(path) else {
        return;
    };
    let Some(array) = schema::schema_at(schema, &segs) else {
        return;
    };
    let items = &array["items"];
    if schema::ty(array) != Some("array") || !items.is_object() {
        return;
    }
    if !schema::choices(items).is_empty() {
        return; // a checkbox group, not a repeating group
    }
    let blank = match schema::ty(items) {
        Some("object") => Value::Object(Map::new()),
        _ => Value::Null,
    };
    let shown = schema::uint_kw(array, "minItems").unwrap_or(0).max(1) as usize;
    let max = schema::uint_kw(array, "maxItems");
    // Only objects are created on the way: every item named must already exist.
    let items_exist = segs.iter().enumerate().all(|(i, seg)| {
        !matches!(seg, Seg::Index(_)) || value_at(values, &segs[..=i], false).is_some()
    });
    if !items_exist {
        return;
    }
    let Some(target) = value_at(values, &segs, true) else {
        return;
    };
    if target.is_null() {
        *target = Value::Array(Vec::new());
    }
    let Value::Array(list) = target else {
        return;
    };
    while list.len() < shown {
        list.push(blank.clone());
    }
    if max.is_none_or(|m| (list.len() as u64) < m) {
        list.push(blank);
    }
}

fn remove_item(schema: &Value, values: &mut Value, path: &str) {
    let Some(segs) = schema::parse_path(path) else {
        return;
    };
    let Some((Seg::Index(i), parent)) = segs.split_last() else {
        return;
    };
    if schema::schema_at(schema, parent).and_then(schema::ty) != Some("array") {
        return;
    }
    if let Some(Value::Array(list)) = value_at(values, parent, false) {
        if *i < list.len() {
            list.remove(*i);
        }
    }
}

/// The value at a path; with `create`, missing objects on the way are created (and the last
/// step is created as null).
fn value_at<'v>(values: &'v mut Value, segs: &[Seg], create: bool) -> Option<&'v mut Value> {
    segs.iter().try_fold(values, |v, seg| match seg {
        Seg::Key(k) => {
            if create && v.is_null() {
                *v = Value::Object(Map::new());
            }
            let map = v.as_object_mut()?;
            if create {
                Some(map.entry(k.clone()).or_insert(Value::Null))
            } else {
                map.get_mut(k)
            }
        }
        Seg::Index(i) => v.as_array_mut()?.get_mut(*i),
    })
}
