//! The application document: people (the principal applicant first) with their profile and
//! forms, uploaded documents and e-signatures. See docs/authoring.md for its shape.

use crate::date::Date;
use crate::program::Program;
use serde_json::{Map, Value};

/// Where the engine reads a person's date of birth (for ages and "18 or older").
pub const DATE_OF_BIRTH: &str = "profile.identity.date_of_birth";

/// A person's role in the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Principal,
    Spouse,
    Dependant,
    Other,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "principal" => Role::Principal,
            "spouse" => Role::Spouse,
            "dependant" => Role::Dependant,
            "other" => Role::Other,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Principal => "principal",
            Role::Spouse => "spouse",
            Role::Dependant => "dependant",
            Role::Other => "other",
        }
    }
}

/// A read-only view of an application document.
#[derive(Debug, Clone, Copy)]
pub struct Application<'a> {
    pub doc: &'a Value,
}

impl<'a> Application<'a> {
    pub fn new(doc: &'a Value) -> Application<'a> {
        Application { doc }
    }

    pub fn people(&self) -> &'a [Value] {
        self.doc
            .get("people")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn person(&self, index: usize) -> Option<&'a Value> {
        self.people().get(index)
    }

    /// The first person is the principal applicant whatever their `role` says.
    pub fn role(&self, index: usize) -> Role {
        if index == 0 {
            return Role::Principal;
        }
        self.person(index)
            .and_then(|p| p.get("role"))
            .and_then(Value::as_str)
            .and_then(Role::parse)
            .unwrap_or(Role::Other)
    }

    /// A value of a person by path: `imm5257.visit.purpose`, `profile.identity.sex`.
    pub fn value(&self, index: usize, path: &str) -> Option<&'a Value> {
        get_path(self.person(index)?, path).filter(|v| !is_empty(v))
    }

    pub fn date_of_birth(&self, index: usize) -> Option<Date> {
        self.value(index, DATE_OF_BIRTH)
            .and_then(Value::as_str)
            .and_then(Date::parse)
    }

    /// Age in whole years on `day`.
    pub fn age(&self, index: usize, day: Date) -> Option<i32> {
        self.date_of_birth(index).map(|dob| dob.years_until(day))
    }

    /// "Given Family" from the profile, or "person N" when the profile has no name yet.
    pub fn name(&self, index: usize) -> String {
        let get = |p| {
            self.value(index, p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
        };
        let name = format!(
            "{} {}",
            get("profile.identity.given_names"),
            get("profile.identity.family_name")
        );
        match name.trim() {
            "" => format!("person {}", index + 1),
            n => n.to_string(),
        }
    }

    pub fn has_document(&self, code: &str) -> bool {
        self.doc
            .get("documents")
            .and_then(|d| d.get(code))
            .is_some_and(|d| !d.is_null())
    }

    /// The signature of `what` on behalf of person `index`.
    pub fn signature(&self, index: usize, what: &str) -> Option<&'a Value> {
        self.doc.get("signatures")?.as_array()?.iter().find(|s| {
            s.get("what").and_then(Value::as_str) == Some(what)
                && s.get("person").and_then(Value::as_u64).unwrap_or(0) == index as u64
                && s.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| !n.trim().is_empty())
        })
    }
}

/// `null`, `""` (after trimming), `[]` and `{}` count as not filled.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'p> {
    Key(&'p str),
    Index(usize),
}

/// Splits `a.b[2].c` into segments; `None` when malformed.
pub fn parse_path(path: &str) -> Option<Vec<Segment<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() {
            return None;
        }
        out.push(Segment::Key(name));
        while !rest.is_empty() {
            let close = rest.find(']')?;
            out.push(Segment::Index(rest[1..close].parse().ok()?));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(out)
}

/// The value at a path, or `None` (also for a malformed path). Reads without allocating:
/// rules call this for every field they look at.
pub fn get_path<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    let mut node = root;
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() {
            return None;
        }
        node = node.get(name)?;
        while !rest.is_empty() {
            let close = rest.find(']')?;
            node = node.get(rest.get(1..close)?.parse::<usize>().ok()?)?;
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(node)
}

/// Sets a value by path, creating objects on the way; an index one past the end of a list
/// appends to it.
pub fn set_path(root: &mut Value, path: &str, value: Value) -> bool {
    let Some(segs) = parse_path(path) else {
        return false;
    };
    let mut node = root;
    for seg in segs {
        node = match seg {
            Segment::Key(k) => {
                if !node.is_object() {
                    *node = Value::Object(Map::new());
                }
                node.as_object_mut()
                    .expect("object")
                    .entry(k)
                    .or_insert(Value::Null)
            }
            Segment::Index(i) => {
                // One past the end appends: fixtures can add a person or a list item.
                if let Value::Array(items) = node {
                    if i == items.len() {
                        items.push(Value::Null);
                    }
                }
                match node.get_mut(i) {
                    Some(n) => n,
                    None => return false,
                }
            }
        };
    }
    *node = value;
    true
}

/// Copies each person's profile values into the `x-profile` fields of the forms the
/// program uses, so forms always show the profile (the profile wins over anything typed).
pub fn fill_from_profile(doc: &mut Value, program: &Program) {
    let Some(people) = doc.get_mut("people").and_then(Value::as_array_mut) else {
        return;
    };
    for person in people.iter_mut() {
        for form in program.forms() {
            // A form not started (absent or null) stays not started.
            if form.profile_fields.is_empty() || person.get(&form.id).is_none_or(Value::is_null) {
                continue;
            }
            for (form_path, profile_path) in &form.profile_fields {
                let value = person
                    .get("profile")
                    .and_then(|p| get_path(p, profile_path))
                    .filter(|v| !is_empty(v))
                    .cloned();
                let target = format!("{}.{form_path}", form.id);
                match value {
                    Some(v) => {
                        set_path(person, &target, v);
                    }
                    None => {
                        remove_path(person, &target);
                    }
                }
            }
        }
    }
}

/// Removes the value at a path (an object's key, or a list's item); false when not there.
pub fn remove_path(root: &mut Value, path: &str) -> bool {
    let Some(mut segs) = parse_path(path) else {
        return false;
    };
    let Some(last) = segs.pop() else { return false };
    let mut node = root;
    for seg in segs {
        node = match seg {
            Segment::Key(k) => match node.get_mut(k) {
                Some(n) => n,
                None => return false,
            },
            Segment::Index(i) => match node.get_mut(i) {
                Some(n) => n,
                None => return false,
            },
        };
    }
    match (node, last) {
        (Value::Object(m), Segment::Key(k)) => m.shift_remove(k).is_some(),
        (Value::Array(a), Segment::Index(i)) if i < a.len() => {
            a.remove(i);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let v = json!({"a": {"b": [{"c": 1}, {"c": 2}]}});
        assert_eq!(get_path(&v, "a.b[1].c"), Some(&json!(2)));
        assert_eq!(get_path(&v, "a.b[2].c"), None);
        assert!(parse_path("a..b").is_none());
        assert!(parse_path("a[x]").is_none());
        assert!(parse_path("a[1]b").is_none());
        let mut w = json!({});
        assert!(set_path(&mut w, "x.y.z", json!(true)));
        assert_eq!(w, json!({"x": {"y": {"z": true}}}));
        let mut people = json!({"people": [{"a": 1}, {"b": 2}, {"c": 3}]});
        assert!(remove_path(&mut people, "people[1]"));
        assert!(remove_path(&mut people, "people[0].a"));
        assert!(!remove_path(&mut people, "people[5]"));
        assert!(set_path(&mut people, "people[2]", json!({"d": 4})));
        assert!(!set_path(&mut people, "people[9]", json!({})));
        people["people"].as_array_mut().unwrap().pop();
        assert_eq!(people, json!({"people": [{}, {"c": 3}]}));
    }
}
