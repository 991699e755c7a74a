//! Decoding posts and applying "Add another" / "Remove".

use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn decodes_by_type() {
    let schema = visit_schema();
    for (posted, want) in [
        (
            vec![("visit.from", "2024-06-01")],
            json!({ "visit": { "from": "2024-06-01" } }),
        ),
        (vec![("visit.from", ""), ("visit.email", "  ")], json!({})),
        (
            vec![("visit.duration_days", " 12 ")],
            json!({ "visit": { "duration_days": 12 } }),
        ),
        (
            vec![("visit.duration_days", "12.5")],
            json!({ "visit": { "duration_days": "12.5" } }),
        ),
        (
            vec![("visit.duration_days", "douze")],
            json!({ "visit": { "duration_days": "douze" } }),
        ),
        (
            vec![("visit.funds", "10")],
            json!({ "visit": { "funds": 10 } }),
        ),
        (
            vec![("visit.funds", "10.25")],
            json!({ "visit": { "funds": 10.25 } }),
        ),
        (
            vec![("visit.funds", "NaN")],
            json!({ "visit": { "funds": "NaN" } }),
        ),
        (
            vec![("visit.first_visit", "true")],
            json!({ "visit": { "first_visit": true } }),
        ),
        (
            vec![("visit.first_visit", "on")],
            json!({ "visit": { "first_visit": true } }),
        ),
        (
            vec![("visit.insured", "false")],
            json!({ "visit": { "insured": false } }),
        ),
        (
            vec![("visit.insured", "maybe")],
            json!({ "visit": { "insured": "maybe" } }),
        ),
        (
            vec![("visit.notes", "a\r\nb")],
            json!({ "visit": { "notes": "a\nb" } }),
        ),
        (
            vec![("visit.languages", "fr"), ("visit.languages", "en")],
            json!({ "visit": { "languages": ["fr", "en"] } }),
        ),
        // Array items are compacted in index order.
        (
            vec![
                ("visit.contacts[7].name", "C"),
                ("visit.contacts[2].name", "A"),
                ("visit.contacts[5].name", ""),
            ],
            json!({ "visit": { "contacts": [{ "name": "A" }, { "name": "C" }] } }),
        ),
        // Unknown names, read-only fields, names starting with `_`, malformed paths.
        (
            vec![
                ("visit.nope", "x"),
                ("nope", "x"),
                ("applicant.family_name", "x"),
                ("_csrf", "t"),
                ("visit", "x"),
                ("visit.contacts", "x"),
                ("visit.from.x", "x"),
                ("visit..from", "x"),
                ("visit.contacts[x].name", "x"),
                ("visit.contacts[0]", "x"),
                ("visit.purpose[0]", "x"),
            ],
            json!({}),
        ),
    ] {
        let post = decode_post(&schema, &pairs(&posted));
        assert_eq!(post.values, want, "{posted:?}");
        assert_eq!(post.action, None);
    }
}

#[test]
fn decodes_choices_by_their_const() {
    let schema = json!({ "type": "object", "properties": {
        "n": { "oneOf": [{ "const": 1, "title": "One" }, { "const": 2, "title": "Two" }] },
        "b": { "enum": [true, false] },
        "tags": { "type": "array", "items": { "type": "integer", "enum": [3, 4] } },
        "words": { "type": "array", "items": { "type": "string" } }
    } });
    let post = decode_post(
        &schema,
        &pairs(&[
            ("n", "2"),
            ("b", "false"),
            ("tags", "4"),
            ("words[0]", "hi"),
            ("words[1]", ""),
        ]),
    );
    assert_eq!(
        post.values,
        json!({ "n": 2, "b": false, "tags": [4], "words": ["hi"] })
    );
    let html = render(&schema, &post.values, &[]);
    assert_eq!(
        decode_post(&schema, &browser_post(&html, None)).values,
        post.values
    );
}

#[test]
fn actions() {
    for (posted, want) in [
        ("save", Some(FormAction::Save)),
        ("submit", Some(FormAction::Submit)),
        (
            "add:visit.contacts",
            Some(FormAction::Add("visit.contacts".into())),
        ),
        (
            "remove:visit.contacts[1]",
            Some(FormAction::Remove("visit.contacts[1]".into())),
        ),
        ("add:", None),
        ("delete:visit", None),
        ("", None),
    ] {
        let post = decode_post(&visit_schema(), &pairs(&[("_action", posted)]));
        assert_eq!(post.action, want, "{posted}");
        if let Some(action) = want {
            assert_eq!(action.value(), posted);
        }
    }
}

#[test]
fn blank_items_are_kept_only_for_add_and_remove() {
    let schema = visit_schema();
    let posted = [
        ("visit.contacts[0].name", ""),
        ("visit.contacts[1].name", "Bob"),
    ];
    for (action, want) in [
        (
            "save",
            json!({ "visit": { "contacts": [{ "name": "Bob" }] } }),
        ),
        (
            "remove:visit.contacts[1]",
            json!({ "visit": { "contacts": [{}, { "name": "Bob" }] } }),
        ),
        (
            "add:visit.contacts",
            json!({ "visit": { "contacts": [{}, { "name": "Bob" }] } }),
        ),
    ] {
        let mut list = posted.to_vec();
        list.push(("_action", action));
        assert_eq!(decode_post(&schema, &pairs(&list)).values, want, "{action}");
    }
}

#[test]
fn apply_action_edits_the_values() {
    let schema = json!({ "type": "object", "properties": {
        "trips": { "type": "array", "minItems": 2, "maxItems": 4, "items": { "type": "object", "properties": {
            "to": { "type": "string" },
            "stops": { "type": "array", "items": { "type": "object", "properties": { "city": { "type": "string" } } } }
        } } },
        "tags": { "type": "array", "items": { "type": "string" } },
        "langs": { "type": "array", "items": { "enum": ["en", "fr"] } },
        "name": { "type": "string" }
    } });
    let trips = |n: usize| json!({ "trips": vec![json!({}); n] });
    for (start, action, want) in [
        // Padded to the items shown (minItems), then one more.
        (Value::Null, "add:trips", trips(3)),
        (trips(3), "add:trips", trips(4)),
        (trips(4), "add:trips", trips(4)),
        (
            json!({ "trips": [{ "to": "A" }] }),
            "add:trips[0].stops",
            json!({ "trips": [{ "to": "A", "stops": [{}, {}] }] }),
        ),
        (Value::Null, "add:tags", json!({ "tags": [null, null] })),
        (
            json!({ "trips": [{ "to": "A" }, { "to": "B" }] }),
            "remove:trips[0]",
            json!({ "trips": [{ "to": "B" }] }),
        ),
        (
            json!({ "trips": [{ "to": "A", "stops": [{ "city": "X" }, { "city": "Y" }] }] }),
            "remove:trips[0].stops[1]",
            json!({ "trips": [{ "to": "A", "stops": [{ "city": "X" }] }] }),
        ),
        // Nothing to do.
        (trips(1), "remove:trips[5]", trips(1)),
        (trips(1), "remove:trips", trips(1)),
        (json!({ "name": "x" }), "add:name", json!({ "name": "x" })),
        (json!({}), "add:langs", json!({})),
        (json!({}), "add:nope", json!({})),
        (json!({}), "add:trips[3].stops", json!({})),
        (trips(1), "save", trips(1)),
        (trips(1), "submit", trips(1)),
    ] {
        let mut values = start.clone();
        apply_action(&schema, &mut values, &FormAction::parse(action).unwrap());
        assert_eq!(values, want, "{start} {action}");
    }
}

#[test]
fn posted_form_round_trips_after_remove() {
    let schema = visit_schema();
    let html = render(&schema, &visit_values(), &[]);
    let mut post = decode_post(
        &schema,
        &browser_post(&html, Some("remove:visit.contacts[1]")),
    );
    apply_action(&schema, &mut post.values, &post.action.unwrap());
    let mut want = visit_values();
    want["visit"]["contacts"].as_array_mut().unwrap().pop();
    assert_eq!(post.values, want);
}
