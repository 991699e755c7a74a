//! Form schemas: JSON Schema 2020-12 with bilingual annotations, compiled once, plus an
//! index of every field (its label, and the profile field that fills it).

use crate::diagnostics::{pointer_segment, LoadError};
use crate::text::Text;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Widgets a schema may ask for with `x-widget`.
pub const WIDGETS: &[&str] = &[
    "text", "textarea", "number", "date", "email", "select", "radio", "checkbox",
];

/// What the index knows about one field or group.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub label: Text,
    /// Title of one item when this is a repeating group.
    pub item_label: Option<Text>,
    /// The profile path that fills this field (`x-profile`).
    pub profile: Option<String>,
}

/// A loaded and compiled form schema.
#[derive(Debug)]
pub struct Form {
    pub id: String,
    pub file: PathBuf,
    pub title: Text,
    /// The schema with `x-codes` expanded into `oneOf` lists.
    pub schema: Value,
    pub(crate) validator: jsonschema::Validator,
    /// Field patterns (`visit.contacts[].name`) to what they are.
    fields: HashMap<String, FieldInfo>,
    /// (path in the form, path in the profile) for every `x-profile` field.
    pub profile_fields: Vec<(String, String)>,
}

impl Form {
    /// Builds a form from its parsed schema. `codes` are the code tables by name.
    pub fn build(
        id: &str,
        file: &Path,
        mut schema: Value,
        codes: &BTreeMap<String, Value>,
        errors: &mut Vec<LoadError>,
    ) -> Option<Form> {
        let before = errors.len();
        expand_codes(&mut schema, "", file, codes, errors);
        let title = text_of(&schema, "title").unwrap_or_default();
        if schema.get("type").and_then(Value::as_str) != Some("object") {
            errors.push(LoadError::at_pointer(
                file,
                "",
                "a form schema's root must have \"type\": \"object\"",
            ));
        }
        let mut index = Indexer {
            file,
            root: &schema,
            fields: HashMap::new(),
            errors,
        };
        index.root_labels();
        index.walk_object(&schema, "", "", 0);
        let fields = index.fields;
        let validator = match jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&choices_as_enums(schema.clone()))
        {
            Ok(v) => v,
            Err(e) => {
                errors.push(LoadError::at_pointer(
                    file,
                    e.schema_path().as_str().to_string(),
                    format!("not a valid JSON Schema 2020-12: {e}"),
                ));
                return None;
            }
        };
        if errors.len() > before {
            return None;
        }
        let mut profile_fields: Vec<(String, String)> = fields
            .iter()
            .filter_map(|(k, f)| f.profile.clone().map(|p| (k.clone(), p)))
            .collect();
        profile_fields.sort();
        Some(Form {
            id: id.to_string(),
            file: file.to_path_buf(),
            title,
            schema,
            validator,
            fields,
            profile_fields,
        })
    }

    /// What the index knows of a path such as `contacts[1].name` (indices are ignored).
    pub fn field(&self, path: &str) -> Option<&FieldInfo> {
        if path.contains('[') {
            self.fields.get(&pattern_of(path))
        } else {
            self.fields.get(path)
        }
    }

    /// Every field pattern, sorted (for listings and tests).
    pub fn field_patterns(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.fields.keys().map(String::as_str).collect();
        v.sort();
        v
    }

    /// The label of a concrete path, with the item number for fields inside a repeating group:
    /// `City (Address 2)`.
    pub fn label_of(&self, path: &str) -> Text {
        let Some(info) = self.field(path) else {
            return Text::new(path, path);
        };
        let mut label = info.label.clone();
        // The innermost `[n]` in the path names which item.
        if let Some(open) = path.rfind('[') {
            let close = path[open..].find(']').map(|c| open + c);
            if let (Some(close), true) = (close, !path.ends_with(']')) {
                if let Ok(n) = path[open + 1..close].parse::<usize>() {
                    if let Some(group) = self.field(&path[..open]) {
                        let item = group
                            .item_label
                            .clone()
                            .unwrap_or_else(|| group.label.clone());
                        label = Text::new(
                            format!("{} ({} {})", label.en, item.en, n + 1),
                            format!("{} ({} {})", label.fr, item.fr, n + 1),
                        );
                    }
                }
            }
        }
        label
    }
}

/// The properties of an object schema: its own `properties`, then those of the schema its
/// `$ref` points to (local refs, followed in a chain), in that order.
pub fn properties_of<'v>(root: &'v Value, node: &'v Value) -> Vec<(&'v str, &'v Value)> {
    let mut out: Vec<(&str, &Value)> = Vec::new();
    let mut node = node;
    for _ in 0..8 {
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                if !out.iter().any(|(n, _)| *n == k.as_str()) {
                    out.push((k.as_str(), v));
                }
            }
        }
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(target) => node = target,
            None => break,
        }
    }
    out
}

/// The schema the validator runs: each list of labelled choices (`oneOf` of `const`s) becomes
/// an `enum` of the values. Same meaning, but one lookup instead of trying every choice (a
/// country field has 250); the labels stay in `Form::schema` for rendering.
fn choices_as_enums(mut node: Value) -> Value {
    if let Value::Object(map) = &mut node {
        let consts: Option<Vec<Value>> =
            map.get("oneOf")
                .and_then(Value::as_array)
                .and_then(|choices| {
                    choices
                        .iter()
                        .map(|c| {
                            let c = c.as_object()?;
                            let only_labels = c.keys().all(|k| {
                                k == "const"
                                    || k == "title"
                                    || k == "description"
                                    || k.starts_with("x-")
                            });
                            only_labels.then(|| c.get("const").cloned()).flatten()
                        })
                        .collect()
                });
        if let Some(values) = consts {
            map.remove("oneOf");
            map.insert("enum".into(), Value::Array(values));
        }
        for v in map.values_mut() {
            *v = choices_as_enums(std::mem::take(v));
        }
    } else if let Value::Array(items) = &mut node {
        for v in items.iter_mut() {
            *v = choices_as_enums(std::mem::take(v));
        }
    }
    node
}

/// Follows a chain of local `$ref`s to the schema that has no `$ref`.
pub fn resolve_ref<'v>(root: &'v Value, node: &'v Value) -> &'v Value {
    let mut node = node;
    for _ in 0..8 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// `a[3].b[0].c` → `a[].b[].c`.
pub fn pattern_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// Reads `title`/`x-title-fr` (or another key and its `-fr` twin) as a bilingual text.
pub fn text_of(node: &Value, key: &str) -> Option<Text> {
    let en = node.get(key)?.as_str()?;
    let fr_key = if key.starts_with("x-") {
        format!("{key}-fr")
    } else {
        format!("x-{key}-fr")
    };
    let fr = node.get(fr_key).and_then(Value::as_str).unwrap_or("");
    Some(Text::new(en, fr))
}

fn expand_codes(
    node: &mut Value,
    pointer: &str,
    file: &Path,
    codes: &BTreeMap<String, Value>,
    errors: &mut Vec<LoadError>,
) {
    match node {
        Value::Object(map) => {
            if let Some(name) = map
                .get("x-codes")
                .and_then(Value::as_str)
                .map(str::to_string)
            {
                match codes.get(&name) {
                    Some(table) => {
                        map.insert("oneOf".into(), table.clone());
                    }
                    None => errors.push(LoadError::at_pointer(
                        file,
                        format!("{pointer}/x-codes"),
                        format!(
                            "unknown code table `{name}`: there is no programs/codes/{name}.json"
                        ),
                    )),
                }
            }
            for (k, v) in map.iter_mut() {
                if k != "oneOf" {
                    expand_codes(
                        v,
                        &format!("{pointer}/{}", pointer_segment(k)),
                        file,
                        codes,
                        errors,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                expand_codes(v, &format!("{pointer}/{i}"), file, codes, errors);
            }
        }
        _ => {}
    }
}

struct Indexer<'a> {
    file: &'a Path,
    root: &'a Value,
    fields: HashMap<String, FieldInfo>,
    errors: &'a mut Vec<LoadError>,
}

impl<'a> Indexer<'a> {
    fn err(&mut self, pointer: &str, message: String) {
        self.errors
            .push(LoadError::at_pointer(self.file, pointer, message));
    }

    fn root_labels(&mut self) {
        let root = self.root;
        self.check_labels(root, "", true);
    }

    /// Follows a local `$ref` (`#/$defs/member`); returns the node and its pointer.
    fn resolve<'v>(&mut self, node: &'v Value, pointer: &str) -> (&'v Value, String)
    where
        'a: 'v,
    {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            if let Some(target) = r.strip_prefix('#').and_then(|p| self.root.pointer(p)) {
                return (target, r.trim_start_matches('#').to_string());
            }
            self.err(
                &format!("{pointer}/$ref"),
                format!("`{r}` does not point inside this schema"),
            );
        }
        (node, pointer.to_string())
    }

    fn check_labels(&mut self, node: &Value, pointer: &str, needs_title: bool) {
        match (node.get("title"), node.get("x-title-fr")) {
            (Some(_), None) => self.err(
                pointer,
                "missing French label: add \"x-title-fr\" next to \"title\"".into(),
            ),
            (None, _) if needs_title => self.err(
                pointer,
                "missing label: add \"title\" and \"x-title-fr\"".into(),
            ),
            _ => {}
        }
        if node.get("description").is_some() && node.get("x-description-fr").is_none() {
            self.err(
                pointer,
                "missing French help text: add \"x-description-fr\" next to \"description\"".into(),
            );
        }
        if let Some(w) = node.get("x-widget") {
            if !w.as_str().is_some_and(|w| WIDGETS.contains(&w)) {
                self.err(
                    &format!("{pointer}/x-widget"),
                    format!("unknown widget {w}: use one of {}", WIDGETS.join(", ")),
                );
            }
        }
        if let Some(choices) = node.get("oneOf").and_then(Value::as_array) {
            for (i, c) in choices.iter().enumerate() {
                if c.get("const").is_some() {
                    let p = format!("{pointer}/oneOf/{i}");
                    self.check_labels(c, &p, true);
                }
            }
        }
    }

    fn walk_object(&mut self, node: &Value, path: &str, pointer: &str, depth: usize) {
        if depth > 16 {
            self.err(
                pointer,
                "schema nests more than 16 levels (a $ref cycle?)".into(),
            );
            return;
        }
        let props = properties_of(self.root, node);
        if props.is_empty() {
            return;
        }
        for (name, child) in &props {
            let child_pointer = format!("{pointer}/properties/{}", pointer_segment(name));
            let child_path = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            self.walk_field(child, &child_path, &child_pointer, depth + 1);
        }
        let names: Vec<&str> = props.iter().map(|(n, _)| *n).collect();
        self.check_conditions(node, &names, pointer);
        // A $ref target's own conditions are checked against the same merged properties.
        let mut target = node;
        for _ in 0..8 {
            match target
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| self.root.pointer(p))
            {
                Some(t) => {
                    self.check_conditions(t, &names, pointer);
                    target = t;
                }
                None => break,
            }
        }
    }

    fn walk_field(&mut self, node: &Value, path: &str, pointer: &str, depth: usize) {
        let (outer, outer_ptr) = (node, pointer.to_string());
        let (node, pointer) = self.resolve(node, pointer);
        // Labels may sit next to the $ref or in the target.
        let labelled = if outer.get("title").is_some() {
            outer
        } else {
            node
        };
        let label_ptr = if outer.get("title").is_some() {
            outer_ptr.as_str()
        } else {
            pointer.as_str()
        };
        self.check_labels(labelled, label_ptr, true);
        if outer.get("title").is_none() {
            self.check_labels(outer, &outer_ptr, false);
        }
        let label = text_of(labelled, "title").unwrap_or_else(|| Text::new(path, path));
        let profile = outer
            .get("x-profile")
            .or_else(|| node.get("x-profile"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let is_array = node.get("type").and_then(Value::as_str) == Some("array");
        let item_label = if is_array {
            let items = node.get("items").unwrap_or(&Value::Null);
            text_of(node, "x-item-title").or_else(|| text_of(items, "title"))
        } else {
            None
        };
        self.fields.insert(
            pattern_of(path),
            FieldInfo {
                label,
                item_label,
                profile,
            },
        );
        if !properties_of(self.root, outer).is_empty() {
            self.walk_object(outer, path, &outer_ptr, depth);
        }
        if is_array {
            if let Some(items) = node.get("items") {
                self.walk_object(
                    items,
                    &format!("{path}[]"),
                    &format!("{pointer}/items"),
                    depth + 1,
                );
            }
        }
    }

    /// `required` lists (plain and in if/then/else) must name declared properties.
    fn check_conditions(&mut self, node: &Value, props: &[&str], pointer: &str) {
        let mut lists: Vec<(String, &Value)> = Vec::new();
        if let Some(r) = node.get("required") {
            lists.push((format!("{pointer}/required"), r));
        }
        let mut branches: Vec<(String, &Value)> = vec![(pointer.to_string(), node)];
        if let Some(all) = node.get("allOf").and_then(Value::as_array) {
            for (i, b) in all.iter().enumerate() {
                branches.push((format!("{pointer}/allOf/{i}"), b));
            }
        }
        for (p, b) in branches {
            for key in ["then", "else"] {
                if let Some(r) = b.get(key).and_then(|t| t.get("required")) {
                    lists.push((format!("{p}/{key}/required"), r));
                }
            }
        }
        for (p, list) in lists {
            for (i, name) in list.as_array().into_iter().flatten().enumerate() {
                if let Some(name) = name.as_str() {
                    if !props.contains(&name) {
                        self.err(
                            &format!("{p}/{i}"),
                            format!("`{name}` is required but is not among the properties"),
                        );
                    }
                }
            }
        }
    }
}
