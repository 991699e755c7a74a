//! Tests of the renderer, and their fixtures: a visitor-visa form (with `$ref`s, `x-order`,
//! `x-profile`, `if`/`then`, a repeating group and every widget), the real profile schema with
//! its `x-codes` replaced, and a small "browser" that reads a rendered form back into the
//! `(name, value)` pairs a browser would post.

mod form;
mod post;

use super::*;
use serde_json::{json, Value};

pub(super) fn visit_schema() -> Value {
    let countries = json!([
        { "const": "CAN", "title": "Canada", "x-title-fr": "Canada" },
        { "const": "UKR", "title": "Ukraine", "x-title-fr": "Ukraine" },
        { "const": "FRA", "title": "France", "x-title-fr": "France" },
        { "const": "IND", "title": "India", "x-title-fr": "Inde" },
        { "const": "MEX", "title": "Mexico", "x-title-fr": "Mexique" }
    ]);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Application for a visitor visa", "x-title-fr": "Demande de visa de visiteur",
        "type": "object",
        "$defs": {
            "address": {
                "type": "object", "title": "Address", "x-title-fr": "Adresse",
                "properties": {
                    "city": { "type": "string", "maxLength": 60, "title": "City", "x-title-fr": "Ville" },
                    "country": { "type": "string", "title": "Country", "x-title-fr": "Pays", "oneOf": countries }
                }
            },
            "contact": {
                "type": "object",
                "properties": {
                    "name": { "type": "string", "maxLength": 100, "title": "Name", "x-title-fr": "Nom" },
                    "relationship": { "type": "string", "title": "Relationship", "x-title-fr": "Lien" },
                    "address": { "$ref": "#/$defs/address", "title": "Their address", "x-title-fr": "Son adresse" }
                },
                "required": ["name"]
            }
        },
        "properties": {
            "visit": {
                "type": "object", "title": "Details of visit", "x-title-fr": "Détails de la visite",
                "properties": {
                    "purpose": {
                        "type": "string", "title": "Purpose of my visit", "x-title-fr": "But de ma visite",
                        "oneOf": [
                            { "const": "tourism", "title": "Tourism", "x-title-fr": "Tourisme" },
                            { "const": "business", "title": "Business", "x-title-fr": "Affaires" },
                            { "const": "family", "title": "Family visit", "x-title-fr": "Visite familiale" },
                            { "const": "other", "title": "Other", "x-title-fr": "Autre" }
                        ]
                    },
                    "purpose_other": {
                        "type": "string", "maxLength": 200, "title": "Other purpose", "x-title-fr": "Autre but",
                        "description": "Only if you chose Other.", "x-description-fr": "Seulement si vous avez choisi Autre."
                    },
                    "from": { "type": "string", "format": "date", "title": "From", "x-title-fr": "Du" },
                    "duration_days": { "type": "integer", "minimum": 1, "title": "Length of stay (days)", "x-title-fr": "Durée du séjour (jours)" },
                    "funds": { "type": "number", "title": "Funds available (CAD)", "x-title-fr": "Fonds disponibles ($ CA)" },
                    "notes": { "type": "string", "x-widget": "textarea", "title": "Notes", "x-title-fr": "Remarques" },
                    "email": { "type": "string", "format": "email", "title": "Email", "x-title-fr": "Courriel" },
                    "first_visit": { "type": "boolean", "title": "First visit to Canada", "x-title-fr": "Première visite au Canada" },
                    "insured": { "type": "boolean", "x-widget": "radio", "title": "Medical insurance", "x-title-fr": "Assurance médicale" },
                    "languages": {
                        "type": "array", "title": "Languages", "x-title-fr": "Langues",
                        "items": { "type": "string", "oneOf": [
                            { "const": "en", "title": "English", "x-title-fr": "Anglais" },
                            { "const": "fr", "title": "French", "x-title-fr": "Français" }
                        ] }
                    },
                    "contacts": {
                        "type": "array", "maxItems": 3,
                        "title": "Contacts in Canada", "x-title-fr": "Personnes-ressources au Canada",
                        "x-item-title": "Contact", "x-item-title-fr": "Personne-ressource",
                        "items": { "$ref": "#/$defs/contact" }
                    }
                },
                "required": ["purpose", "from"],
                "if": { "properties": { "purpose": { "const": "other" } }, "required": ["purpose"] },
                "then": { "required": ["purpose_other"] }
            },
            "applicant": {
                "type": "object", "x-order": 0, "title": "Applicant", "x-title-fr": "Demandeur",
                "properties": {
                    "family_name": { "type": "string", "x-profile": "family_name", "title": "Family name", "x-title-fr": "Nom de famille" },
                    "date_of_birth": { "type": "string", "format": "date", "x-profile": "date_of_birth", "title": "Date of birth", "x-title-fr": "Date de naissance" }
                }
            }
        },
        "required": ["visit"]
    })
}

/// Values of every kind for the visit form (without its `x-profile` fields).
pub(super) fn visit_values() -> Value {
    json!({
        "visit": {
            "purpose": "other",
            "purpose_other": "Ukraine 2022 <script>alert(\"x\")</script> & 'co' / more",
            "from": "2024-06-01",
            "duration_days": 30,
            "funds": 2500.5,
            "notes": "\nfirst line\nsecond line",
            "email": "olena@example.com",
            "first_visit": true,
            "insured": false,
            "languages": ["en", "fr"],
            "contacts": [
                { "name": "Ann", "relationship": "Sister", "address": { "city": "Montréal", "country": "CAN" } },
                { "name": "Bob" }
            ]
        }
    })
}

/// `programs/forms/profile.schema.json` with its `x-codes` replaced as the loader does.
pub(super) fn profile_schema() -> Value {
    let mut schema: Value = serde_json::from_str(include_str!(
        "../../../../programs/forms/profile.schema.json"
    ))
    .unwrap();
    fn replace_codes(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if let Some(codes) = map.remove("x-codes") {
                    let list: Vec<Value> = match codes.as_str() {
                        Some("countries") => ["CAN", "UKR", "FRA", "IND", "MEX", "USA"]
                            .iter()
                            .map(|c| json!({ "const": c, "title": c, "x-title-fr": c }))
                            .collect(),
                        _ => ["single", "married", "common-law"]
                            .iter()
                            .map(|c| json!({ "const": c, "title": c, "x-title-fr": c }))
                            .collect(),
                    };
                    map.insert("oneOf".into(), Value::Array(list));
                }
                map.values_mut().for_each(replace_codes);
            }
            Value::Array(list) => list.iter_mut().for_each(replace_codes),
            _ => {}
        }
    }
    replace_codes(&mut schema);
    schema
}

pub(super) fn opts(lang: Lang) -> RenderOptions<'static> {
    RenderOptions {
        form_id: "imm5257",
        lang,
        action: "/forms/imm5257",
        read_only: false,
        hidden: &[],
    }
}

pub(super) fn render(schema: &Value, values: &Value, errors: &[FieldError]) -> String {
    render_form(schema, values, errors, &opts(Lang::En)).unwrap()
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map(|e| i + e).expect("entity");
        let entity = &rest[i + 1..end];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            e if e.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()
            }
            e if e.starts_with('#') => char::from_u32(e[1..].parse().unwrap()).unwrap(),
            e => panic!("unknown entity &{e};"),
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The attributes of a tag; `None` for a value-less attribute (`checked`).
pub(super) type Attrs = Vec<(String, Option<String>)>;

/// A tag: (name, attributes, offset after the tag).
pub(super) type Tag = (String, Attrs, usize);

/// The tags of a document, in order.
pub(super) fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = html[pos..].find('<') {
        let start = pos + i + 1;
        let name_len = html[start..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '!')
            .unwrap();
        let name = html[start..start + name_len].to_ascii_lowercase();
        let mut p = start + name_len;
        let mut attrs = Vec::new();
        loop {
            p += html[p..].len() - html[p..].trim_start().len();
            if html[p..].starts_with('>') {
                p += 1;
                break;
            }
            let n = html[p..]
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
                .unwrap();
            let attr = html[p..p + n].to_string();
            p += n;
            if html[p..].starts_with("=\"") {
                let end = html[p + 2..].find('"').unwrap();
                attrs.push((attr, Some(unescape(&html[p + 2..p + 2 + end]))));
                p += end + 3;
            } else {
                attrs.push((attr, None));
            }
        }
        out.push((name, attrs, p));
        pos = p;
    }
    out
}

pub(super) fn attr<'a>(attrs: &'a [(String, Option<String>)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_deref().unwrap_or(""))
}

/// What a browser posts for this form when the button with `_action` value `clicked` is pressed.
pub(super) fn browser_post(html: &str, clicked: Option<&str>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let all = tags(html);
    for (k, (tag, attrs, end)) in all.iter().enumerate() {
        let Some(name) = attr(attrs, "name") else {
            continue;
        };
        let value = attr(attrs, "value").unwrap_or("").to_string();
        match tag.as_str() {
            "input" => match attr(attrs, "type").unwrap_or("text") {
                "checkbox" | "radio" if attr(attrs, "checked").is_none() => {}
                "checkbox" | "radio" => pairs.push((name.into(), value)),
                _ => pairs.push((name.into(), value)),
            },
            "textarea" => {
                let close = html[*end..].find("</textarea>").unwrap();
                let text = &html[*end..*end + close];
                let text = text.strip_prefix('\n').unwrap_or(text);
                pairs.push((name.into(), unescape(text).replace('\n', "\r\n")));
            }
            "select" => {
                let options: Vec<_> = all[k + 1..]
                    .iter()
                    .take_while(|(t, _, _)| t != "/select")
                    .filter(|(t, _, _)| t == "option")
                    .collect();
                let chosen = options
                    .iter()
                    .find(|(_, a, _)| attr(a, "selected").is_some())
                    .or(options.first())
                    .unwrap();
                pairs.push((name.into(), attr(&chosen.1, "value").unwrap().into()));
            }
            "button" if Some(value.as_str()) == clicked => pairs.push((name.into(), value)),
            _ => {}
        }
    }
    pairs
}
