//! Rendering: round trips, escaping, languages, errors, required and read-only fields,
//! `$ref`s, widgets, repeating groups.

use super::*;

/// Removes the `x-profile` fields of the visit form, which are never posted.
fn without_profile(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("applicant");
    v
}

#[test]
fn round_trip_visit_form() {
    let schema = visit_schema();
    let mut values = visit_values();
    values["applicant"] = json!({ "family_name": "Kovalenko", "date_of_birth": "1990-05-14" });
    for lang in [Lang::En, Lang::Fr] {
        let html = render_form(&schema, &values, &[], &opts(lang)).unwrap();
        let post = decode_post(&schema, &browser_post(&html, Some("save")));
        assert_eq!(post.values, without_profile(values.clone()), "{lang}");
        assert_eq!(post.action, Some(FormAction::Save));
    }
}

#[test]
fn round_trip_profile() {
    let schema = profile_schema();
    let values = json!({
        "identity": {
            "family_name": "Kovalenko", "given_names": "Olena Ivanivna", "sex": "F",
            "date_of_birth": "1990-05-14", "city_of_birth": "Kyiv", "country_of_birth": "UKR",
            "citizenship": "UKR", "marital_status": "married", "uci": "1234567890"
        },
        "passport": { "number": "FX123456", "country": "UKR", "issue_date": "2019-01-02", "expiry_date": "2029-01-01" },
        "contact": { "email": "olena@example.com", "phone": "+1 613 555 0100" },
        "relationship": { "relationship": "spouse", "accompanying": false }
    });
    let html = render(&schema, &values, &[]);
    let post = decode_post(&schema, &browser_post(&html, Some("submit")));
    assert_eq!(post.values, values);
    assert_eq!(post.action, Some(FormAction::Submit));
    // An empty form posts back as an empty object, whatever was shown.
    let html = render(&schema, &Value::Null, &[]);
    assert_eq!(
        decode_post(&schema, &browser_post(&html, None)).values,
        json!({})
    );
}

/// The element with this id: (tag, attributes).
fn element<'h>(all: &'h [Tag], id: &str) -> &'h Tag {
    all.iter()
        .find(|(_, a, _)| attr(a, "id") == Some(id))
        .unwrap_or_else(|| panic!("no element #{id}"))
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[test]
fn values_are_escaped() {
    let mut schema = visit_schema();
    schema["properties"]["visit"]["title"] = json!("<script>alert(1)</script>");
    let errors = [FieldError {
        path: "visit.from".into(),
        message: "<script>bad</script>".into(),
    }];
    let hidden = [("_csrf".to_string(), "\"><script>".to_string())];
    let o = RenderOptions {
        hidden: &hidden,
        action: "/x?a=\"<script>",
        ..opts(Lang::En)
    };
    for html in [
        render_form(&schema, &visit_values(), &errors, &o).unwrap(),
        render_page(&schema, &visit_values(), &errors, &o).unwrap(),
    ] {
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;\""));
    }
}

#[test]
fn french_labels() {
    let html = render_form(&visit_schema(), &visit_values(), &[], &opts(Lang::Fr)).unwrap();
    for want in [
        "<h2>Détails de la visite</h2>",
        "But de ma visite <span class=\"required\">(obligatoire)</span>",
        ">Visite familiale</label>",
        ">Oui</label>",
        ">Non</label>",
        "Seulement si vous avez choisi Autre.",
        "<h4>Personne-ressource 2</h4>",
        ">Son adresse</h",
        ">Sélectionnez une option</option>",
        "Supprimer<span class=\"visually-hidden\"> Personne-ressource 1</span>",
        "Ajouter un autre élément\u{a0}: personne-ressource",
        "Provient du profil — modifiez-le dans le profil",
        ">Enregistrer le brouillon</button>",
        ">Vérifier et continuer</button>",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    for english in [
        "(required)",
        "Purpose of my visit",
        "Save draft",
        "Remove",
        ">Yes<",
    ] {
        assert!(
            !html.contains(english),
            "English {english:?} in French form"
        );
    }
    let errors = [FieldError {
        path: "visit.from".into(),
        message: "La date est obligatoire".into(),
    }];
    let page = render_page(&visit_schema(), &Value::Null, &errors, &opts(Lang::Fr)).unwrap();
    assert!(page.contains("<html lang=\"fr\">"));
    assert!(page.contains("<title>Erreur\u{a0}: Demande de visa de visiteur</title>"));
    assert!(page.contains("<h2 id=\"form-imm5257-error-summary\">Il y a un problème</h2>"));
}

#[test]
fn error_summary_links_lead_to_the_fields() {
    let errors: Vec<FieldError> = [
        ("nowhere", "Not a field"),
        ("visit.contacts[1].name", "Name is required"),
        ("/visit/from", "From is required"),
        ("imm5257.visit.purpose", "Choose a purpose"),
        ("visit.contacts", "Too many contacts"),
        ("visit.contacts[0]", "Contact problem"),
        ("visit", "Section problem"),
        ("visit.languages", "Choose a language"),
        ("applicant.family_name", "Family name is required"),
    ]
    .iter()
    .map(|(p, m)| FieldError {
        path: p.to_string(),
        message: m.to_string(),
    })
    .collect();
    let html = render(&visit_schema(), &visit_values(), &errors);
    let all = tags(&html);
    let summary_start = html.find("error-summary-list").unwrap();
    let summary_end = summary_start + html[summary_start..].find("</ul>").unwrap();
    let summary = &html[summary_start..summary_end];
    // Summary order follows the form; the error naming no field comes last, without a link.
    let hrefs: Vec<&str> = summary
        .split("href=\"#")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        hrefs,
        [
            "f-applicant-family_name",
            "f-visit",
            "f-visit-purpose",
            "f-visit-from",
            "f-visit-languages",
            "f-visit-contacts",
            "f-visit-contacts-0",
            "f-visit-contacts-1-name"
        ]
    );
    assert!(summary.ends_with("<li>Not a field</li>\n"), "{summary}");
    assert!(html.contains("role=\"alert\"") && html.contains("tabindex=\"-1\" autofocus"));
    for (id, e) in hrefs.iter().zip([
        "Family name is required",
        "Section problem",
        "Choose a purpose",
        "From is required",
        "Choose a language",
        "Too many contacts",
        "Contact problem",
        "Name is required",
    ]) {
        // Same wording inline, linked with aria-describedby.
        assert!(html.contains(&format!("<a href=\"#{id}\">{e}</a>")));
        let error_id = format!("{id}-error");
        let (_, _, end) = element(&all, &error_id);
        assert!(html[..*end].ends_with(&format!("<p class=\"error-message\" id=\"{error_id}\">")));
        assert!(html[*end..].starts_with(&format!(
            "<span class=\"visually-hidden\">Error:</span> {e}</p>"
        )));
        let (tag, attrs, _) = element(&all, id);
        let described = all
            .iter()
            .filter(|(_, a, _)| {
                attr(a, "aria-describedby").is_some_and(|d| d.split(' ').any(|d| d == error_id))
            })
            .count();
        assert_eq!(described, 1, "{id}");
        match tag.as_str() {
            "fieldset" => assert_eq!(attr(attrs, "tabindex"), Some("-1")),
            "input" if attr(attrs, "type") == Some("radio") => {
                assert!(html.contains("<fieldset role=\"radiogroup\" aria-required=\"true\" aria-describedby=\"f-visit-purpose-error\" aria-invalid=\"true\">"))
            }
            _ => assert_eq!(attr(attrs, "aria-invalid"), Some("true"), "{id}"),
        }
    }
    assert!(!render(&visit_schema(), &visit_values(), &[]).contains("error"));
}

#[test]
fn required_marking() {
    let html = render(&visit_schema(), &Value::Null, &[]);
    let all = tags(&html);
    for (id, required) in [
        ("f-visit-from", true),
        ("f-visit-contacts-0-name", true),
        ("f-visit-purpose_other", false), // required only through if/then
        ("f-visit-email", false),
        ("f-visit-contacts-0-relationship", false),
    ] {
        let label = html.split(&format!("<label for=\"{id}\">")).nth(1).unwrap();
        let label = &label[..label.find("</label>").unwrap()];
        assert_eq!(label.contains("(required)"), required, "{id}");
        assert_eq!(
            attr(&element(&all, id).1, "aria-required").is_some(),
            required,
            "{id}"
        );
    }
    assert!(html.contains(
        "<legend>Purpose of my visit <span class=\"required\">(required)</span></legend>"
    ));
    assert!(html.contains("<fieldset role=\"radiogroup\" aria-required=\"true\">"));
    assert!(html.contains("<legend>Medical insurance</legend>"));
    let profile = render(&profile_schema(), &Value::Null, &[]);
    assert_eq!(count(&profile, "(required)"), 10);
}

#[test]
fn profile_fields_are_read_only() {
    let mut values = visit_values();
    values["applicant"] = json!({ "family_name": "Kovalenko", "date_of_birth": "1990-05-14" });
    let html = render(&visit_schema(), &values, &[]);
    let all = tags(&html);
    for (id, value) in [
        ("f-applicant-family_name", "Kovalenko"),
        ("f-applicant-date_of_birth", "1990-05-14"),
    ] {
        let (_, attrs, _) = element(&all, id);
        assert_eq!(attr(attrs, "name"), None);
        assert_eq!(attr(attrs, "value"), Some(value));
        assert!(attr(attrs, "readonly").is_some());
        assert_eq!(
            attr(attrs, "aria-describedby"),
            Some(format!("{id}-profile").as_str())
        );
        assert!(html.contains(&format!("<label for=\"{id}\">")));
    }
    assert_eq!(
        count(&html, "From the profile — change it in the profile"),
        2
    );
    // Even when posted, they are not taken.
    let mut pairs = browser_post(&html, None);
    pairs.push(("applicant.family_name".into(), "Hacked".into()));
    assert_eq!(decode_post(&visit_schema(), &pairs).values, visit_values());
}

#[test]
fn whole_form_read_only() {
    let o = RenderOptions {
        read_only: true,
        hidden: &[],
        ..opts(Lang::En)
    };
    let html = render_form(&visit_schema(), &visit_values(), &[], &o).unwrap();
    let all = tags(&html);
    assert!(!html.contains("<button") && !html.contains("<select") && !html.contains("(required)"));
    for (tag, attrs, _) in &all {
        if tag == "input" || tag == "textarea" {
            assert_eq!(attr(attrs, "name"), None);
            assert!(attr(attrs, "readonly").is_some());
            let id = attr(attrs, "id").unwrap();
            assert!(html.contains(&format!("<label for=\"{id}\">")), "{id}");
        }
    }
    for (id, shown) in [
        ("f-visit-purpose", "Other"),
        ("f-visit-first_visit", "Yes"),
        ("f-visit-insured", "No"),
        ("f-visit-languages", "English, French"),
        ("f-visit-contacts-0-address-country", "Canada"),
        ("f-visit-funds", "2500.5"),
    ] {
        assert_eq!(attr(&element(&all, id).1, "value"), Some(shown), "{id}");
    }
    assert!(html.contains("readonly>\n\nfirst line\nsecond line</textarea>"));
    assert!(browser_post(&html, None).is_empty());
}

#[test]
fn refs_and_order() {
    let html = render(&visit_schema(), &visit_values(), &[]);
    // x-order 0 puts "applicant" before "visit", which comes first in the file.
    assert!(
        html.find("<h2>Applicant</h2>").unwrap() < html.find("<h2>Details of visit</h2>").unwrap()
    );
    // Items come from #/$defs/contact, whose address is another $ref with its own title.
    assert!(html.contains("name=\"visit.contacts[0].address.country\""));
    assert!(html.contains("<legend><h5>Their address</h5></legend>"));
    // A recursive schema is cut, not followed for ever.
    let recursive = json!({
        "type": "object",
        "$defs": { "person": { "type": "object", "title": "Person", "properties": {
            "name": { "type": "string", "title": "Name" },
            "parent": { "$ref": "#/$defs/person" } } } },
        "properties": { "me": { "$ref": "#/$defs/person" } }
    });
    let html = render(
        &recursive,
        &json!({ "me": { "parent": { "name": "Ann" } } }),
        &[],
    );
    assert!(html.contains("name=\"me.parent.name\" value=\"Ann\""));
}

#[test]
fn widgets() {
    let cases = [
        (json!({ "type": "string" }), "<input type=\"text\" id=\"f-x\" name=\"x\" value=\"\">"),
        (json!({ "type": "string", "maxLength": 9 }), "value=\"\" maxlength=\"9\">"),
        (json!({ "type": "string", "format": "date" }), "<input type=\"date\""),
        (json!({ "type": "string", "format": "email" }), "<input type=\"email\""),
        (json!({ "type": "integer" }), "<input type=\"number\" id=\"f-x\" name=\"x\" value=\"\" step=\"1\">"),
        (json!({ "type": "number", "maximum": 9.5 }), "step=\"any\" max=\"9.5\">"),
        (json!({ "type": ["integer", "null"] }), "step=\"1\""),
        (json!({ "type": "string", "x-widget": "textarea", "maxLength": 5 }), "<textarea id=\"f-x\" name=\"x\" rows=\"5\" maxlength=\"5\">"),
        (json!({ "type": "string", "x-autocomplete": "tel" }), "autocomplete=\"tel\">"),
        (json!({ "type": "boolean" }), "<input type=\"checkbox\" id=\"f-x\" name=\"x\" value=\"true\">"),
        (json!({ "type": "boolean", "x-widget": "radio" }), "<input type=\"radio\" id=\"f-x-2\" name=\"x\" value=\"false\">"),
        (json!({ "type": "boolean", "x-widget": "select" }), "<option value=\"true\">Yes</option>"),
        (json!({ "enum": [true, false] }), "<input type=\"radio\" id=\"f-x\" name=\"x\" value=\"true\"> <label for=\"f-x\">Yes</label>"),
        (json!({ "enum": ["a", "b"] }), "<input type=\"radio\" id=\"f-x\" name=\"x\" value=\"a\"> <label for=\"f-x\">a</label>"),
        (json!({ "enum": ["a", "b", "c", "d", "e"] }), "<select id=\"f-x\" name=\"x\">\n<option value=\"\">Select an option</option>"),
        (json!({ "enum": ["a", "b", "c", "d", "e"], "x-widget": "radio" }), "value=\"e\"> <label for=\"f-x-5\">e</label>"),
        (json!({ "enum": ["a", "b"], "x-widget": "select" }), "<option value=\"b\">b</option>"),
        (json!({ "enum": ["a"], "x-widget": "checkbox" }), "type=\"radio\""),
        (json!({ "type": "string", "x-widget": "number" }), "<input type=\"number\" id=\"f-x\" name=\"x\" value=\"\" step=\"any\">"),
        (json!({ "type": "array", "items": { "enum": [1, 2] } }), "<input type=\"checkbox\" id=\"f-x-2\" name=\"x\" value=\"2\">"),
        (json!({ "type": "array", "items": { "type": "string", "title": "Tag" } }), "<label for=\"f-x-0\">Tag 1</label>\n<input type=\"text\" id=\"f-x-0\" name=\"x[0]\" value=\"\">"),
    ];
    for (field, want) in cases {
        let schema = json!({ "type": "object", "properties": { "x": field } });
        let html = render(&schema, &json!({}), &[]);
        assert!(html.contains(want), "{field}: want {want}\n{html}");
    }
    // Current values are shown, and a value that is not a choice is kept as one.
    for (field, value, want) in [
        (json!({ "type": "integer" }), json!(42), "value=\"42\""),
        (
            json!({ "type": "boolean" }),
            json!(true),
            "value=\"true\" checked>",
        ),
        (
            json!({ "type": "boolean", "x-widget": "radio" }),
            json!(true),
            "value=\"true\" checked>",
        ),
        (
            json!({ "enum": ["a", "b", "c", "d", "e"] }),
            json!("c"),
            "<option value=\"c\" selected>c</option>",
        ),
        (
            json!({ "enum": ["a", "b", "c", "d", "e"] }),
            json!("z"),
            "<option value=\"z\" selected>z</option>",
        ),
        (
            json!({ "oneOf": [{ "const": 1, "title": "One" }] }),
            json!(1),
            "value=\"1\" checked> <label for=\"f-x\">One</label>",
        ),
        // A value typed wrong stays visible (a number or date input would drop it).
        (
            json!({ "type": "integer" }),
            json!("douze"),
            "<input type=\"text\" id=\"f-x\" name=\"x\" value=\"douze\">",
        ),
        (
            json!({ "type": "number" }),
            json!(-1.5e3),
            "<input type=\"number\" id=\"f-x\" name=\"x\" value=\"-1500.0\"",
        ),
        (
            json!({ "type": "string", "format": "date" }),
            json!("14/05/1990"),
            "<input type=\"text\" id=\"f-x\" name=\"x\" value=\"14&#x2f;05&#x2f;1990\">",
        ),
        (
            json!({ "type": "string", "format": "date" }),
            json!("1990-05-14"),
            "<input type=\"date\" id=\"f-x\" name=\"x\" value=\"1990-05-14\">",
        ),
    ] {
        let schema = json!({ "type": "object", "properties": { "x": field } });
        let html = render(&schema, &json!({ "x": value }), &[]);
        assert!(
            html.contains(want),
            "{field} = {value}: want {want}\n{html}"
        );
    }
}

#[test]
fn add_and_remove_without_javascript() {
    let schema = visit_schema();
    let items = |html: &str| count(html, "<fieldset class=\"item");
    // The form of a browser: post with a button, apply the action, show the form again.
    let press = |values: &Value, button: &str| {
        let html = render(&schema, values, &[]);
        assert!(
            html.contains(&format!(
                "name=\"_action\" value=\"{button}\" formnovalidate"
            )),
            "{button}"
        );
        let mut post = decode_post(&schema, &browser_post(&html, Some(button)));
        assert_eq!(
            post.action.as_ref().map(FormAction::value).as_deref(),
            Some(button)
        );
        apply_action(&schema, &mut post.values, post.action.as_ref().unwrap());
        post.values
    };
    // An empty form shows one item; "Add another" twice gives three, blank ones kept.
    let html = render(&schema, &Value::Null, &[]);
    assert_eq!(items(&html), 1);
    let v = press(&Value::Null, "add:visit.contacts");
    assert_eq!(v["visit"]["contacts"], json!([{}, {}]));
    let v = press(&v, "add:visit.contacts");
    let html = render(&schema, &v, &[]);
    assert_eq!(items(&html), 3);
    // maxItems 3: no more "Add another".
    assert!(!html.contains("value=\"add:visit.contacts\""));
    let mut capped = v.clone();
    apply_action(
        &schema,
        &mut capped,
        &FormAction::Add("visit.contacts".into()),
    );
    assert_eq!(capped, v);
    // Removing the first of two contacts keeps the second.
    let v = press(&visit_values(), "remove:visit.contacts[0]");
    assert_eq!(v["visit"]["contacts"], json!([{ "name": "Bob" }]));
    assert_eq!(v["visit"]["purpose"], "other");
    let html = render(&schema, &v, &[]);
    assert_eq!(items(&html), 1);
    assert!(html.contains("<h4>Contact 1</h4>") && html.contains("value=\"add:visit.contacts\""));
    // Saving drops the blank items.
    let v = press(
        &json!({ "visit": { "contacts": [{}, { "name": "Ann" }, {}] } }),
        "save",
    );
    assert_eq!(v["visit"]["contacts"], json!([{ "name": "Ann" }]));
    // Pressing Enter in a field submits through the first button: "Check and continue".
    let html = render(&schema, &visit_values(), &[]);
    let first = html.find("<button").unwrap();
    assert!(html[first..].starts_with("<button type=\"submit\" name=\"_action\" value=\"submit\""));
}

#[test]
fn page_is_a_complete_document() {
    let html = render_page(&visit_schema(), &visit_values(), &[], &opts(Lang::En)).unwrap();
    for want in [
        "<!DOCTYPE html>\n<html lang=\"en\">",
        "<meta charset=\"utf-8\">",
        "<title>Application for a visitor visa</title>",
        "<style>",
        ".visually-hidden{",
        "<main id=\"main\">\n<h1>Application for a visitor visa</h1>",
        "<form method=\"post\" action=\"&#x2f;forms&#x2f;imm5257\"",
        "</form>\n</main>\n</body>\n</html>",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    assert!(!html.contains("<script"));
    let form = render(&visit_schema(), &visit_values(), &[]);
    assert!(form.starts_with("<form ") && form.trim_end().ends_with("</form>"));
}

#[test]
fn properties_next_to_a_ref_are_merged_with_the_referenced_ones() {
    // IMM 5406's shape: `spouse` is a member (from $defs) plus a question of its own.
    let schema = serde_json::json!({
        "type": "object", "title": "Family", "x-title-fr": "Famille",
        "$defs": { "member": {
            "type": "object",
            "properties": { "full_name": { "type": "string", "title": "Full name", "x-title-fr": "Nom complet" } },
            "required": ["full_name"]
        } },
        "properties": { "spouse": {
            "$ref": "#/$defs/member", "title": "Spouse", "x-title-fr": "Époux",
            "properties": { "has_spouse": { "type": "boolean", "title": "Has a spouse", "x-title-fr": "A un époux" } },
            "required": ["has_spouse"]
        } }
    });
    let html = render(&schema, &serde_json::json!({}), &[]);
    let has = html
        .find("name=\"spouse.has_spouse\"")
        .expect("the question next to the $ref");
    let name = html
        .find("name=\"spouse.full_name\"")
        .expect("the referenced member's field");
    assert!(
        has < name,
        "the properties written next to the $ref come first"
    );
    // Both `required` lists apply.
    assert_eq!(count(&html, "(required)"), 2, "{html}");
}
