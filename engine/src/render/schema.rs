//! Reading form schemas: local `$ref` resolution, types, labels, choices, property order, and
//! field paths (`visit.contacts[1].name`) with the element ids derived from them.

use crate::text::Lang;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// How many `$ref`s may be expanded along one branch (stops recursive schemas).
const MAX_REF_DEPTH: usize = 16;

/// Keywords whose value is a schema or a list of schemas.
const SCHEMA_KEYWORDS: [&str; 13] = [
    "items",
    "prefixItems",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "additionalProperties",
    "contains",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Keywords whose value maps names to schemas.
const SCHEMA_MAP_KEYWORDS: [&str; 3] = ["properties", "patternProperties", "dependentSchemas"];

/// Returns a copy of `schema` where every local `$ref` ("#/$defs/address", any JSON pointer
/// fragment) is replaced by its target, merged with the keywords written next to the `$ref`
/// (those win). `$defs` themselves are dropped; non-local refs are left as they are.
pub(crate) fn inline_refs(schema: &Value) -> Cow<'_, Value> {
    if has_local_ref(schema) {
        Cow::Owned(inline(schema, schema, 0))
    } else {
        // Most forms have no `$ref`: no copy of a schema that can hold 250-country lists.
        Cow::Borrowed(schema)
    }
}

fn has_local_ref(node: &Value) -> bool {
    match node {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (k == "$ref" && v.as_str().is_some_and(|r| r.starts_with('#'))) || has_local_ref(v)
        }),
        Value::Array(items) => items.iter().any(has_local_ref),
        _ => false,
    }
}

fn inline(root: &Value, node: &Value, depth: usize) -> Value {
    let Value::Object(map) = node else {
        return node.clone();
    };
    let target = match map.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with('#') && depth < MAX_REF_DEPTH => {
            root.pointer(&r[1..]).map(|t| inline(root, t, depth + 1))
        }
        // A recursive schema cut at the depth limit becomes an empty schema.
        Some(r) if r.starts_with('#') => Some(Value::Object(Map::new())),
        _ => None,
    };
    let resolved = target.is_some();
    let mut out = match target {
        Some(Value::Object(t)) => t,
        _ => Map::new(),
    };
    for (k, v) in map {
        let v = match k.as_str() {
            "$defs" | "definitions" => continue,
            "$ref" if resolved => continue,
            k if SCHEMA_KEYWORDS.contains(&k) => match v {
                Value::Array(list) => {
                    Value::Array(list.iter().map(|s| inline(root, s, depth)).collect())
                }
                s => inline(root, s, depth),
            },
            k if SCHEMA_MAP_KEYWORDS.contains(&k) => match v {
                Value::Object(m) => Value::Object(
                    m.iter()
                        .map(|(name, s)| (name.clone(), inline(root, s, depth)))
                        .collect(),
                ),
                other => other.clone(),
            },
            _ => v.clone(),
        };
        merge_keyword(&mut out, k, v);
    }
    Value::Object(out)
}

/// Puts a keyword written next to a `$ref` into the referenced schema. Both apply (JSON Schema
/// 2020-12), so properties are merged (the ones next to the `$ref` first, so they show first),
/// `required` lists joined, `allOf` lists joined, and a second `if/then/else` moved into
/// `allOf`; any other keyword written next to the `$ref` wins (labels, help).
fn merge_keyword(out: &mut Map<String, Value>, key: &str, value: Value) {
    match (key, out.remove(key), value) {
        ("properties", Some(Value::Object(target)), Value::Object(mut props)) => {
            for (name, schema) in target {
                props.entry(name).or_insert(schema);
            }
            out.insert(key.to_string(), Value::Object(props));
        }
        ("required" | "allOf", Some(Value::Array(mut target)), Value::Array(list)) => {
            for item in list {
                if !target.contains(&item) {
                    target.push(item);
                }
            }
            out.insert(key.to_string(), Value::Array(target));
        }
        ("if", Some(target_if), value) => {
            let mut moved = Map::new();
            moved.insert("if".into(), target_if);
            for branch in ["then", "else"] {
                if let Some(b) = out.remove(branch) {
                    moved.insert(branch.into(), b);
                }
            }
            match out
                .entry("allOf")
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(all) => all.push(Value::Object(moved)),
                other => *other = Value::Array(vec![Value::Object(moved)]),
            }
            out.insert(key.to_string(), value);
        }
        (_, _, value) => {
            out.insert(key.to_string(), value);
        }
    }
}

/// The schema's type: `type` (the first one that is not "null" when it is a list), else
/// inferred from `properties` / `items` / the choices.
pub(crate) fn ty(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(s)) => return Some(s),
        Some(Value::Array(list)) => {
            if let Some(t) = list.iter().filter_map(Value::as_str).find(|t| *t != "null") {
                return Some(t);
            }
        }
        _ => {}
    }
    if schema.get("properties").is_some() {
        return Some("object");
    }
    if schema.get("items").is_some() {
        return Some("array");
    }
    let first = choices(schema).into_iter().next()?;
    match first.value {
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_f64() => Some("number"),
        Value::Number(_) => Some("integer"),
        _ => Some("string"),
    }
}

/// A string keyword of the schema.
pub(crate) fn str_kw<'a>(schema: &'a Value, key: &str) -> Option<&'a str> {
    schema.get(key).and_then(Value::as_str)
}

/// A non-negative integer keyword (`maxLength`, `minItems`, ...).
pub(crate) fn uint_kw(schema: &Value, key: &str) -> Option<u64> {
    schema.get(key).and_then(Value::as_u64)
}

/// A bilingual annotation: `key` in English, `key_fr` in French (falling back to English).
pub(crate) fn text(schema: &Value, key: &str, key_fr: &str, lang: Lang) -> Option<String> {
    let en = str_kw(schema, key);
    let chosen = match lang {
        Lang::En => en,
        Lang::Fr => str_kw(schema, key_fr).or(en),
    };
    chosen.filter(|s| !s.is_empty()).map(str::to_string)
}

/// The label of a schema (`title` / `x-title-fr`).
pub(crate) fn title(schema: &Value, lang: Lang) -> Option<String> {
    text(schema, "title", "x-title-fr", lang)
}

/// The help text of a schema (`description` / `x-description-fr`).
pub(crate) fn description(schema: &Value, lang: Lang) -> Option<String> {
    text(schema, "description", "x-description-fr", lang)
}

/// A labelled choice (`oneOf`/`anyOf` entries with `const`, or `enum` values).
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: Value,
    pub en: Option<String>,
    pub fr: Option<String>,
}

impl Choice {
    pub fn label(&self, lang: Lang) -> String {
        let l = match lang {
            Lang::En => self.en.as_ref(),
            Lang::Fr => self.fr.as_ref().or(self.en.as_ref()),
        };
        l.cloned().unwrap_or_else(|| scalar_string(&self.value))
    }
}

/// The choices of a schema, empty when it has none.
pub(crate) fn choices(schema: &Value) -> Vec<Choice> {
    for key in ["oneOf", "anyOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            if !list.is_empty() && list.iter().all(|c| c.get("const").is_some()) {
                return list
                    .iter()
                    .map(|c| Choice {
                        value: c["const"].clone(),
                        en: str_kw(c, "title").map(str::to_string),
                        fr: str_kw(c, "x-title-fr").map(str::to_string),
                    })
                    .collect();
            }
        }
    }
    match schema.get("enum").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| Choice {
                value: v.clone(),
                en: None,
                fr: None,
            })
            .collect(),
        None => Vec::new(),
    }
}

/// The properties of an object schema in display order: file order, overridden by a numeric
/// `x-order` (an explicit `x-order` comes before a property at the same position without one).
pub(crate) fn ordered_properties(schema: &Value) -> Vec<(&str, &Value)> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut list: Vec<(f64, u8, usize, &str, &Value)> = props
        .iter()
        .enumerate()
        .map(
            |(i, (k, v))| match v.get("x-order").and_then(Value::as_f64) {
                Some(o) => (o, 0, i, k.as_str(), v),
                None => (i as f64, 1, i, k.as_str(), v),
            },
        )
        .collect();
    list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    list.into_iter().map(|(_, _, _, k, v)| (k, v)).collect()
}

/// Whether `name` is in the object schema's `required` list.
pub(crate) fn is_required(schema: &Value, name: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)))
}

/// The text form of a scalar as it appears in an input (`""` for null and containers).
pub(crate) fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Parses `visit.contacts[1].name`; `None` when malformed.
pub(crate) fn parse_path(path: &str) -> Option<Vec<Seg>> {
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => part.split_at(i),
            None => (part, ""),
        };
        if key.is_empty() {
            return None;
        }
        segs.push(Seg::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']')?;
            let digits = &rest[1..close];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            segs.push(Seg::Index(digits.parse().ok()?));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(segs)
}

/// The sub-schema a path names (`properties` for keys, `items` for indices).
pub(crate) fn schema_at<'a>(schema: &'a Value, segs: &[Seg]) -> Option<&'a Value> {
    segs.iter().try_fold(schema, |s, seg| match seg {
        Seg::Key(k) => s.get("properties")?.get(k),
        Seg::Index(_) => s.get("items").filter(|i| i.is_object()),
    })
}

/// The element id of a path: `visit.contacts[0].name` → `f-visit-contacts-0-name`.
pub(crate) fn path_id(path: &str) -> String {
    format!("f-{}", slug(path))
        .trim_end_matches('-')
        .to_string()
}

/// ASCII letters, digits and `_` kept, every other run of characters made one `-`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Joins a parent path and a property name.
pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// Brings an error path to the dotted form: strips a leading `<form id>.`, and turns a JSON
/// pointer (`/visit/contacts/1/name`) into `visit.contacts[1].name`.
pub(crate) fn normalise_error_path(path: &str, form_id: &str) -> String {
    let path = path.trim();
    if let Some(pointer) = path.strip_prefix('/') {
        let mut out = String::new();
        for seg in pointer.split('/') {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            if !out.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() {
                out.push_str(&format!("[{seg}]"));
            } else {
                out = join(&out, &seg);
            }
        }
        return out;
    }
    match path.strip_prefix(form_id).and_then(|r| r.strip_prefix('.')) {
        Some(rest) if !form_id.is_empty() => rest.to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        use Seg::{Index as I, Key as K};
        let k = |s: &str| K(s.to_string());
        for (path, want) in [
            ("visit.purpose", Some(vec![k("visit"), k("purpose")])),
            (
                "visit.contacts[1].name",
                Some(vec![k("visit"), k("contacts"), I(1), k("name")]),
            ),
            ("grid[0][2]", Some(vec![k("grid"), I(0), I(2)])),
            ("", None),
            ("a..b", None),
            ("a[", None),
            ("a[]", None),
            ("a[-1]", None),
            ("a[1]x", None),
            ("[1]", None),
        ] {
            assert_eq!(parse_path(path), want, "{path}");
        }
        for (path, id) in [
            ("visit.contacts[0].name", "f-visit-contacts-0-name"),
            ("visit.purpose_other", "f-visit-purpose_other"),
            ("a[0][1]", "f-a-0-1"),
            ("é.x", "f-x"),
        ] {
            assert_eq!(path_id(path), id);
        }
        for (error, want) in [
            ("visit.from", "visit.from"),
            ("imm5257.visit.from", "visit.from"),
            ("/visit/contacts/1/name", "visit.contacts[1].name"),
            ("/a~1b/0", "a/b[0]"),
        ] {
            assert_eq!(normalise_error_path(error, "imm5257"), want);
        }
    }

    #[test]
    fn order_and_refs() {
        let schema = json!({
            "$defs": { "s": { "type": "string", "title": "S" }, "o": { "properties": { "x": { "$ref": "#/$defs/s" } } } },
            "properties": {
                "a": { "$ref": "#/$defs/s", "title": "A" },
                "b": { "$ref": "#/$defs/o" },
                "c": { "x-order": 0, "const": { "$ref": "#/$defs/s" } },
                "default": { "$ref": "https://example.com/remote" },
                "d": { "x-order": 1.5 }
            }
        });
        let inlined = inline_refs(&schema);
        assert_eq!(inlined.get("$defs"), None);
        assert_eq!(
            inlined["properties"]["a"],
            json!({ "type": "string", "title": "A" })
        );
        assert_eq!(
            inlined["properties"]["b"]["properties"]["x"],
            json!({ "type": "string", "title": "S" })
        );
        assert_eq!(
            inlined["properties"]["c"]["const"],
            json!({ "$ref": "#/$defs/s" })
        );
        assert_eq!(
            inlined["properties"]["default"],
            json!({ "$ref": "https://example.com/remote" })
        );
        let order: Vec<&str> = ordered_properties(&inlined)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(order, ["c", "a", "b", "d", "default"]);
        assert_eq!(ty(&inlined["properties"]["b"]), Some("object"));
        assert_eq!(ty(&json!({ "enum": [1.5] })), Some("number"));
        assert_eq!(ty(&json!({ "type": ["null", "boolean"] })), Some("boolean"));
        assert_eq!(ty(&json!({})), None);
    }
}
