//! The people of an application through HTTP: the people section with each person's forms
//! and progress, adding a dependant (page and API), their profile and forms (n > 0), removing
//! one after a confirmation (signatures of the people after them dropped, with an audit
//! entry), the duplicates check on profile save (named only for the same representative),
//! changes refused once submitted, and 404 for another representative and for a client.

mod common;

use common::*;
use serde_json::{json, Value};
use server::store::{Audit, Status};

const PROGRAM: &str = "pr.spouse-partner-children";

fn profile(given: &str, family: &str, dob: &str, passport: &str) -> Vec<(String, String)> {
    [
        ("identity.given_names", given),
        ("identity.family_name", family),
        ("identity.sex", "F"),
        ("identity.date_of_birth", dob),
        ("identity.country_of_birth", "BRA"),
        ("identity.citizenship", "BRA"),
        ("identity.marital_status", "married"),
        ("passport.number", passport),
        ("passport.country", "BRA"),
        ("passport.issue_date", "2020-01-01"),
        ("passport.expiry_date", "2030-01-01"),
        ("_action", "save"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn save_profile(b: &mut Browser, path: &str, fields: &[(String, String)]) -> Answer {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.submit(path, &pairs)
}

fn audit(server: &Server, id: u64) -> Vec<String> {
    server
        .store
        .audit_of(id)
        .unwrap()
        .into_iter()
        .map(|e| format!("{}: {}", e.who, e.what))
        .collect()
}

#[test]
fn dependants_are_added_filled_and_removed() {
    let server = start("people-flow", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Rep", "rita@example.com");
    let app = new_application(&mut rep, "Ana Silva", "ana@example.com", PROGRAM);
    assert_eq!(app, "/applications/1");

    let page = rep.get(&app);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("People in this application"),
        "{}",
        page.body
    );
    assert!(page.body.contains("/applications/1/people/0/profile"));
    assert!(page.body.contains("/applications/1/people/0/imm0008"));
    assert!(page.body.contains("/applications/1/people/new"));

    // A refused add keeps what was typed.
    let r = rep.submit(
        "/applications/1/people/new",
        &[("given_names", "Maria"), ("family_name", "Silva")],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Choose who the person is"));
    assert!(r.body.contains("value=\"Silva\"") && r.body.contains("value=\"Maria\""));

    let r = rep.submit(
        "/applications/1/people/new",
        &[
            ("role", "spouse"),
            ("given_names", "Maria"),
            ("family_name", "Silva"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some("/applications/1/people/1/profile")
    );
    let form = rep.get("/applications/1/people/1/profile");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"Silva\""), "{}", form.body);

    // The spouse (no date of birth yet: counted as an adult) fills the adults' forms.
    let page = rep.get(&app);
    assert!(page.body.contains("Maria Silva"));
    assert!(page.body.contains("/applications/1/people/1/imm5669"));
    assert!(!page.body.contains("/applications/1/people/1/imm0008"));
    assert_eq!(rep.get("/applications/1/people/1/imm0008").status, 404);
    let form = rep.get("/applications/1/people/1/imm5669");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("– Maria Silva</h1>"), "{}", form.body);
    let form = rep.get("/applications/1/people/0/profile?lang=fr");
    assert!(
        form.body.contains("– Demandeur principal</h1>"),
        "{}",
        form.body
    );
    rep.get("/?lang=en");

    // Saving the spouse's profile (n > 0) through the page.
    let r = save_profile(
        &mut rep,
        "/applications/1/people/1/profile",
        &profile("Maria", "Silva", "1988-03-04", "BR111111"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Saved."));

    // A dependent child through the API: a child under 18 fills only the profile.
    let r = rep.api(
        "POST",
        "/api/v1/applications/1/people",
        Some(json!({"role": "dependant", "given_names": "Leo", "family_name": "Silva"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["index"], 2);
    let r = rep.api(
        "PUT",
        "/api/v1/applications/1/people/2/profile",
        Some(
            json!({"identity": {"family_name": "Silva", "given_names": "Leo",
                                 "date_of_birth": "2019-06-01"}}),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = r.json();
    assert_eq!(answer["valid"], false);
    let issues = answer["issues"].as_array().unwrap();
    assert!(
        issues.iter().any(|i| i["path"] == "identity.sex"),
        "{answer}"
    );
    assert!(issues.iter().any(|i| i["message"]["fr"].is_string()));
    let people = rep.get("/api/v1/applications/1/people").json();
    let people = people["people"].as_array().unwrap();
    assert_eq!(people.len(), 3);
    assert_eq!(people[1]["role"], "spouse");
    assert_eq!(people[2]["name"], "Leo Silva");
    let forms: Vec<&str> = people[2]["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["form"].as_str().unwrap())
        .collect();
    assert_eq!(forms, ["profile"]);
    assert_eq!(people[2]["forms"][0]["state"], "problems");
    assert_eq!(people[1]["forms"][0]["state"], "valid");
    let form = rep.get("/api/v1/applications/1/people/2/profile").json();
    assert_eq!(form["values"]["identity"]["date_of_birth"], "2019-06-01");
    assert_eq!(
        rep.get("/api/v1/applications/1/people/2/imm5669").status,
        404
    );
    assert_eq!(
        rep.api(
            "PUT",
            "/api/v1/applications/1/people/9/profile",
            Some(json!({}))
        )
        .status,
        404
    );
    assert_eq!(
        rep.api(
            "PUT",
            "/api/v1/applications/1/people/2/profile",
            Some(json!([1]))
        )
        .status,
        400
    );

    // A signature of the child (person 2) and one of the principal exist.
    let mut doc = server.store.application_data(1).unwrap().unwrap();
    doc["signatures"] = json!([
        {"what": "consent-declaration", "person": 0, "name": "Ana Silva", "signer": "self"},
        {"what": "consent-declaration", "person": 2, "name": "Leo Silva", "signer": "parent"}
    ]);
    server
        .store
        .save_application_data(1, &doc, &Audit::new("test", "signatures for the test"))
        .unwrap();

    // Removing the spouse: a confirmation page first.
    let confirm = rep.get("/applications/1/people/1/remove");
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Maria Silva"));
    assert_eq!(rep.get("/applications/1/people/0/remove").status, 404);
    let r = rep.submit_to(&confirm, "/applications/1/people/1/remove", &[]);
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/applications/1"))
    );
    let doc = server.store.application_data(1).unwrap().unwrap();
    assert_eq!(doc["people"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["people"][1]["profile"]["identity"]["given_names"],
        "Leo"
    );
    let signatures = doc["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures[0]["person"], 0);

    // Removing the child through the API; the principal cannot be removed.
    assert_eq!(
        rep.api("DELETE", "/api/v1/applications/1/people/0", None)
            .status,
        400
    );
    assert_eq!(
        rep.api("DELETE", "/api/v1/applications/1/people/5", None)
            .status,
        404
    );
    let r = rep.api("DELETE", "/api/v1/applications/1/people/1", None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        rep.get("/api/v1/applications/1/people").json()["people"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let log = audit(&server, 1);
    let has = |s: &str| log.iter().any(|l| l.contains(s));
    assert!(
        has("rita@example.com: added person 1 (spouse): Maria Silva"),
        "{log:?}"
    );
    assert!(
        has("rita@example.com: saved Profile of person 1"),
        "{log:?}"
    );
    assert!(
        has("rita@example.com: added person 2 (dependant): Leo Silva"),
        "{log:?}"
    );
    assert!(
        has("removed person 1 (Maria Silva); dropped 1 signature(s)"),
        "{log:?}"
    );
    assert!(
        has("rita@example.com: removed person 1 (Leo Silva)"),
        "{log:?}"
    );

    // In French.
    let page = rep.get("/applications/1?lang=fr");
    assert!(page.body.contains("Personnes de cette demande"));

    // Once submitted, nothing changes.
    server
        .store
        .set_status(
            1,
            Status::Submitted,
            &Audit::new("test", "submitted for the test"),
        )
        .unwrap();
    let page = rep.get("/applications/1?lang=en");
    assert!(!page.body.contains("/applications/1/people/new"));
    assert_eq!(rep.get("/applications/1/people/new").status, 409);
    let r = rep.api(
        "POST",
        "/api/v1/applications/1/people",
        Some(json!({"role": "other", "family_name": "Late"})),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("can no longer be changed"));
    assert_eq!(
        rep.api(
            "PUT",
            "/api/v1/applications/1/people/0/profile",
            Some(json!({}))
        )
        .status,
        409
    );
}

#[test]
fn the_same_person_cannot_have_two_open_applications() {
    let server = start("people-duplicates", &[]);
    let mut rita = Browser::new(&server);
    sign_up(&mut rita, "Rita Rep", "rita@example.com");
    new_application(&mut rita, "Ana Silva", "ana@example.com", PROGRAM);
    let ana = profile("Ana", "Silva", "1990-05-01", "BR123456");
    let r = save_profile(&mut rita, "/applications/1/people/0/profile", &ana);
    assert_eq!(r.status, 200, "{}", r.body);

    // The same person again in the same representative's second application: refused, the
    // other application named, what was typed kept.
    new_application(&mut rita, "Ana Silva", "ana@example.com", PROGRAM);
    let same = profile("ANA", "silva", "1990-05-01", "br-123 456");
    let r = save_profile(&mut rita, "/applications/2/people/0/profile", &same);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("A000000001"), "{}", r.body);
    assert!(
        r.body.contains("br-123 456"),
        "typed passport kept: {}",
        r.body
    );
    assert!(r.body.contains("role=\"alert\""));
    let stored = server.store.application_data(2).unwrap().unwrap();
    assert_eq!(stored["people"][0]["profile"], json!({}), "nothing saved");

    // Through the API too, and as a dependant.
    let r = rita.api(
        "POST",
        "/api/v1/applications/2/people",
        Some(json!({"role": "other", "given_names": "Ana", "family_name": "Silva"})),
    );
    assert_eq!(r.status, 201);
    let values: Value = json!({"identity": {"given_names": "Ana", "family_name": "Silva",
        "date_of_birth": "1990-05-01"}, "passport": {"number": "BR123456"}});
    let r = rita.api(
        "PUT",
        "/api/v1/applications/2/people/1/profile",
        Some(values.clone()),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("A000000001"));

    // Another representative's application: refused without saying whose.
    let mut bob = Browser::new(&server);
    sign_up(&mut bob, "Bob Rep", "bob@example.com");
    new_application(&mut bob, "Ana Silva", "ana.other@example.com", PROGRAM);
    let r = save_profile(&mut bob, "/applications/3/people/0/profile", &ana);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("another open application"), "{}", r.body);
    assert!(!r.body.contains("A000000001"), "{}", r.body);
    let r = bob.api(
        "PUT",
        "/api/v1/applications/3/people/0/profile",
        Some(values),
    );
    assert_eq!(r.status, 409);
    assert!(!r.body.contains("A000000001"));

    // A different passport is another person.
    let r = save_profile(
        &mut bob,
        "/applications/3/people/0/profile",
        &profile("Ana", "Silva", "1990-05-01", "PT999999"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(audit(&server, 1)
        .iter()
        .any(|l| l.contains("recorded 1 person(s) for the duplicates check")));
}

#[test]
fn only_the_representative_of_the_application_sees_its_people() {
    let server = start("people-access", &[]);
    let mut rita = Browser::new(&server);
    sign_up(&mut rita, "Rita Rep", "rita@example.com");
    new_application(&mut rita, "Ana Silva", "ana@example.com", PROGRAM);
    let r = rita.api(
        "POST",
        "/api/v1/applications/1/people",
        Some(json!({"role": "spouse", "family_name": "Silva"})),
    );
    assert_eq!(r.status, 201);

    let mut bob = Browser::new(&server);
    sign_up(&mut bob, "Bob Rep", "bob@example.com");
    for path in [
        "/applications/1/people/new",
        "/applications/1/people/1/remove",
        "/applications/1/people/1/profile",
        "/api/v1/applications/1/people",
        "/api/v1/applications/1/people/1/profile",
    ] {
        assert_eq!(bob.get(path).status, 404, "GET {path}");
    }
    let home = bob.get("/");
    for (path, fields) in [
        (
            "/applications/1/people/new",
            vec![("role", "other"), ("family_name", "X")],
        ),
        ("/applications/1/people/1/remove", vec![]),
        (
            "/applications/1/people/1/profile",
            vec![("identity.family_name", "X")],
        ),
    ] {
        assert_eq!(
            bob.submit_to(&home, path, &fields).status,
            404,
            "POST {path}"
        );
    }
    let add = json!({"role": "other", "family_name": "X"});
    assert_eq!(
        bob.api("POST", "/api/v1/applications/1/people", Some(add))
            .status,
        404
    );
    assert_eq!(
        bob.api("DELETE", "/api/v1/applications/1/people/1", None)
            .status,
        404
    );
    assert_eq!(
        bob.api(
            "PUT",
            "/api/v1/applications/1/people/1/profile",
            Some(json!({}))
        )
        .status,
        404
    );
    assert_eq!(bob.get("/api/v1/applications/999/people").status, 404);
    assert_eq!(
        server.store.application_data(1).unwrap().unwrap()["people"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The client cannot change anything either.
    let mut ana = Browser::new(&server);
    client_first_sign_in(&mut ana, &server.store, "ana@example.com", PASSWORD);
    assert_eq!(ana.get("/api/v1/applications/1/people").status, 404);
    assert_eq!(
        ana.api("DELETE", "/api/v1/applications/1/people/1", None)
            .status,
        404
    );
    assert_eq!(
        ana.api(
            "PUT",
            "/api/v1/applications/1/people/0/profile",
            Some(json!({}))
        )
        .status,
        404
    );
    assert_ne!(ana.get("/applications/1/people/new").status, 200);

    // Without the CSRF token, nothing is added.
    let r = rita.send(
        "POST",
        "/api/v1/applications/1/people",
        "application/json",
        &[],
        json!({"role": "other", "family_name": "Y"})
            .to_string()
            .into_bytes(),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        server.store.application_data(1).unwrap().unwrap()["people"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
