//! The client's side and e-signatures through HTTP: the representative prepares an
//! application, the client signs in with the temporary password, sets their own, reviews the
//! application read only (and cannot change it), signs by typing the full name (refused with a
//! clear message when the name is wrong), a minor principal applicant is signed for by a
//! parent or guardian, a changed answer makes signatures stale, the representative declares.

mod common;

use common::{client_first_sign_in, new_application, sign_up, start, Browser, Server};
use serde_json::{json, Value};

const CLIENT_PASSWORD: &str = "the client's own long password";

/// A representative with an application of `program` for the client, filled from `sample`.
fn prepared(
    server: &Server,
    rep_email: &str,
    client: (&str, &str),
    program: &str,
    sample_name: &str,
) -> (Browser, String) {
    let mut rep = Browser::new(server);
    sign_up(&mut rep, "Rita Representative", rep_email);
    let app = new_application(&mut rep, client.0, client.1, program);
    common::fill_principal(&mut rep, &app, &common::sample_application(sample_name));
    (rep, app)
}

/// The text of the program's consent and declaration, as the signing page shows it.
fn consent_text(program: &str) -> engine::Paragraphs {
    let rules = common::rules().current();
    let signatures = &rules.program(program).unwrap().manifest.signatures;
    let consent = signatures.iter().find(|s| s.what == "consent-declaration");
    consent.unwrap().text.clone()
}

fn stored(server: &Server, id: u64) -> Value {
    server.store.application_data(id).unwrap().unwrap()
}

/// Signs on the client's application page (`page`) for the principal applicant.
fn sign_page(
    client: &mut Browser,
    page: &str,
    what: &str,
    signer: Option<&str>,
    name: &str,
) -> common::Answer {
    let p = client.get(page);
    assert_eq!(p.status, 200, "{}", p.body);
    let mut fields = vec![("what", what), ("person", "0"), ("name", name)];
    fields.extend(signer.map(|s| ("signer", s)));
    client.submit_to(&p, &format!("{page}/sign"), &fields)
}

/// Signs through the API.
fn api_sign(client: &mut Browser, id: u64, body: Value) -> common::Answer {
    let path = format!("/api/v1/my/applications/{id}/signatures");
    client.api("POST", &path, Some(body))
}

#[test]
fn the_client_reviews_and_signs_and_the_representative_declares() {
    let server = start("signing-flow", &[]);
    let email = "carolina@example.com";
    let (mut rep, app) = prepared(
        &server,
        "rita@example.com",
        ("Carolina Restrepo", email),
        "pr.spouse-partner-children",
        "pr-spouse-alone",
    );
    let id: u64 = app.rsplit('/').next().unwrap().parse().unwrap();
    let mine = format!("/my/applications/{id}");

    // The representative sees what waits for the client.
    let r = rep.get(&app);
    assert!(r.body.contains("Client’s e-signatures"), "{}", r.body);
    assert!(r.body.contains("Resend temporary password"));
    let status = rep
        .api("GET", &format!("/api/v1/applications/{id}/signing"), None)
        .json();
    assert_eq!(status["all_signed"], false);
    assert_eq!(status["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(status["signatures"][0]["state"], "waiting");
    assert_eq!(status["client_has_own_password"], false);
    // The representative's declaration waits for the signatures.
    let r = rep.api(
        "POST",
        &format!("/api/v1/applications/{id}/declarations"),
        Some(json!({"representative": true})),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("Still to be signed"));

    // The client: temporary password, then their own; `/` is their applications.
    let mut client = Browser::new(&server);
    client_first_sign_in(&mut client, &server.store, email, CLIENT_PASSWORD);
    assert_eq!(
        client.get("/").location.as_deref(),
        Some("/my/applications")
    );
    let list = client.get("/my/applications");
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("2 signature(s) to make"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains(&format!("href=\"{mine}\"")),
        "{}",
        list.body
    );
    let api_list = client.api("GET", "/api/v1/my/applications", None).json();
    assert_eq!(api_list[0]["id"], id);
    assert_eq!(api_list[0]["status"], "draft");

    // Read only: every form shown, no form of the application to post.
    let page = client.get(&mine);
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "Restrepo",
        "Generic Application Form",
        "misrepresentation",
        "(IMM 5669): I declare that the information about my background",
        "Type the full name of",
        "Fees",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(!page.body.contains("name=\"_action\""), "{}", page.body);
    let view = client
        .api("GET", &format!("/api/v1/my/applications/{id}"), None)
        .json();
    assert_eq!(view["people"][0]["name"], "Carolina Andrea Restrepo Vélez");
    assert!(view["people"][0]["forms"]["imm0008"].is_object(), "{view}");
    assert!(view["fees"]["total"].is_number(), "{view}");

    // The client cannot change anything: representative routes are not found, and the
    // application stays as it was.
    let before = stored(&server, id);
    let audit_before = server.store.audit_of(id).unwrap().len();
    let csrf = common::csrf_of(&page.body);
    let profile = format!("{app}/people/0/profile");
    for (path, fields) in [
        (
            profile.as_str(),
            vec![
                ("_csrf", csrf.as_str()),
                ("identity.family_name", "Changed"),
                ("_action", "save"),
            ],
        ),
        (
            &format!("{app}/temporary-password"),
            vec![("_csrf", csrf.as_str())],
        ),
        (
            &format!("{app}/declarations/no_paper_application"),
            vec![("_csrf", csrf.as_str()), ("made", "true")],
        ),
    ] {
        let r = client.post(path, &fields);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    assert_eq!(client.get(&profile).status, 404);
    for (method, path, body) in [
        ("GET", format!("/api/v1/applications/{id}/signing"), None),
        (
            "POST",
            format!("/api/v1/applications/{id}/temporary-password"),
            None,
        ),
        (
            "POST",
            format!("/api/v1/applications/{id}/declarations"),
            Some(json!({"no_paper_application": true})),
        ),
    ] {
        let r = client.api(method, &path, body);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    assert_eq!(stored(&server, id), before);
    assert_eq!(server.store.audit_of(id).unwrap().len(), audit_before);

    // A wrong name is refused, with whose name is expected and what was typed kept.
    let r = sign_page(
        &mut client,
        &mine,
        "consent-declaration",
        None,
        "Carol Restrepo",
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""));
    assert!(
        r.body.contains(
            "Type the full name of Carolina Andrea Restrepo Vélez: given names then family name"
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Carol Restrepo\""), "{}", r.body);
    assert!(stored(&server, id).get("signatures").is_none());

    // The right name, whatever the case, accents and spaces.
    let r = sign_page(
        &mut client,
        &mine,
        "consent-declaration",
        None,
        "  carolina andrea RESTREPO   velez ",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let doc = stored(&server, id);
    let sig = &doc["signatures"][0];
    assert_eq!(sig["what"], "consent-declaration");
    assert_eq!(sig["signer"], "self");
    assert_eq!(sig["name"], "carolina andrea RESTREPO velez");
    assert_eq!(sig["date"].as_str().unwrap().len(), 10);
    assert_eq!(sig["digest"].as_str().unwrap().len(), 64);
    assert!(sig["signed_at"].as_u64().unwrap() > 0);
    // The wording signed is recorded: the declaration text as shown, both languages.
    let wording = server::portal::wording_digest(&consent_text("pr.spouse-partner-children"));
    assert_eq!(sig["wording"], wording.as_str());
    let audit = server.store.audit_of(id).unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.who, email);
    assert!(
        last.what.contains("signed consent-declaration")
            && last.what.contains(&format!("wording {}", &wording[..12])),
        "{}",
        last.what
    );

    // In French: the page and the messages.
    let fr = client.get(&format!("{mine}?lang=fr"));
    assert!(fr.body.contains("<html lang=\"fr\""));
    for text in [
        "Signée",
        "En attente de signature",
        "J’accepte et je signe",
        "Tapez le nom complet de",
        "fausses déclarations",
    ] {
        assert!(fr.body.contains(text), "{text}: {}", fr.body);
    }
    let r = client.submit_to(
        &fr,
        &format!("{mine}/sign"),
        &[
            ("what", "imm5669-declaration"),
            ("person", "0"),
            ("name", "Carolina"),
        ],
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("Le nom tapé n’est pas celui de la personne qui signe"),
        "{}",
        r.body
    );
    let r = client.api(
        "POST",
        &format!("/api/v1/my/applications/{id}/signatures?lang=fr"),
        Some(json!({"what": "imm5669-declaration", "person": 0, "name": "Carolina"})),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "bad_request");
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("Le nom tapé"), "{message}");
    // Through the API.
    let r = api_sign(
        &mut client,
        id,
        json!({"what": "imm5669-declaration", "person": 0, "name": "Carolina Andrea Restrepo Vélez"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["all_signed"], true);
    // A signature the program does not ask for.
    let r = api_sign(
        &mut client,
        id,
        json!({"what": "imm5444-declaration", "person": 0, "name": "Carolina Andrea Restrepo Vélez"}),
    );
    assert_eq!(r.status, 400);

    // The representative sees both signed, and declares.
    let r = rep.get(&app);
    assert!(
        r.body.contains("Signed – Carolina Andrea Restrepo Vélez"),
        "{}",
        r.body
    );
    let r = rep.submit_to(&r, &format!("{app}/declarations/representative"), &[]);
    assert_eq!(r.status, 400, "the box was not ticked: {}", r.body);
    assert!(r.body.contains("Tick the box"));
    let page = rep.get(&app);
    let r = rep.submit_to(
        &page,
        &format!("{app}/declarations/representative"),
        &[("made", "true")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = rep.api(
        "POST",
        &format!("/api/v1/applications/{id}/declarations"),
        Some(json!({"no_paper_application": true})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let states: Vec<&str> = r.json()["declarations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|s| if s == "made" { "made" } else { "other" })
        .collect();
    assert_eq!(states, ["made", "made"]);
    let doc = stored(&server, id);
    assert_eq!(
        doc["declarations"]["representative"]["by"],
        "rita@example.com"
    );
    assert_eq!(
        doc["declarations"]["no_paper_application"]["digest"],
        doc["signatures"][0]["digest"]
    );
    let rules = common::rules().current();
    let portal = rules
        .program("pr.spouse-partner-children")
        .unwrap()
        .portal_declarations();
    assert_eq!(
        doc["declarations"]["representative"]["wording"],
        server::portal::wording_digest(&portal.representative).as_str()
    );
    assert_eq!(
        doc["declarations"]["no_paper_application"]["wording"],
        server::portal::wording_digest(&portal.no_paper_application).as_str()
    );
    assert_ne!(
        doc["declarations"]["representative"]["wording"],
        doc["declarations"]["no_paper_application"]["wording"]
    );
    assert!(server.store.audit_of(id).unwrap().iter().any(|a| a
        .what
        .starts_with("made the declaration representative, wording ")));

    // The representative changes an answer: signatures and declarations are stale.
    let mut profile_fields = Vec::new();
    let mut profile_values =
        common::sample_application("pr-spouse-alone")["people"][0]["profile"].clone();
    profile_values["contact"]["phone"] = json!("+1 604 555 0100");
    common::form_pairs("", &profile_values, &mut profile_fields);
    profile_fields.push(("_action".into(), "save".into()));
    let fields: Vec<(&str, &str)> = profile_fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = rep.submit(&profile, &fields);
    assert_eq!(r.status, 200, "{}", r.body);
    let status = rep
        .api("GET", &format!("/api/v1/applications/{id}/signing"), None)
        .json();
    assert_eq!(status["all_signed"], false);
    assert!(
        status["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "stale"),
        "{status}"
    );
    assert!(
        status["declarations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "stale"),
        "{status}"
    );
    assert!(rep.get(&app).body.contains("Needs to be signed again"));
    let page = client.get(&format!("{mine}?lang=en"));
    assert!(
        page.body
            .contains("Needs to be signed again: an answer changed since it was signed"),
        "{}",
        page.body
    );
    // Signing again makes it current.
    let r = sign_page(
        &mut client,
        &mine,
        "consent-declaration",
        None,
        "Carolina Andrea Restrepo Vélez",
    );
    assert_eq!(r.status, 303);
    let status = client
        .api("GET", &format!("/api/v1/my/applications/{id}"), None)
        .json();
    assert_eq!(status["signing"]["signatures"][0]["state"], "signed");
    assert_eq!(status["signing"]["signatures"][1]["state"], "stale");
    assert_eq!(
        stored(&server, id)["signatures"].as_array().unwrap().len(),
        2,
        "a signature replaces the earlier one"
    );
}

#[test]
fn a_minor_principal_applicant_is_signed_for_by_a_parent_or_guardian() {
    let server = start("signing-minor", &[]);
    let email = "lucia.family@example.com";
    let (_rep, app) = prepared(
        &server,
        "rob@example.com",
        ("Lucía Tremblay Ospina", email),
        "pr.adoption",
        "pr-adoption",
    );
    let id: u64 = app.rsplit('/').next().unwrap().parse().unwrap();
    let mine = format!("/my/applications/{id}");
    let mut client = Browser::new(&server);
    client_first_sign_in(&mut client, &server.store, email, CLIENT_PASSWORD);
    let page = client.get(&mine);
    assert!(
        page.body
            .contains("is under 18: a parent or legal guardian signs on their behalf"),
        "{}",
        page.body
    );
    // The child's own name, without saying who signs: refused.
    let r = sign_page(
        &mut client,
        &mine,
        "consent-declaration",
        None,
        "Lucía Tremblay Ospina",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("Choose whether you are their parent or their legal guardian"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Lucía Tremblay Ospina\""));
    // A parent, with no name: refused, the choice kept.
    let r = sign_page(
        &mut client,
        &mine,
        "consent-declaration",
        Some("parent"),
        " ",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("Type your own full name, as the parent or legal guardian"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"parent\" checked"), "{}", r.body);
    let r = sign_page(
        &mut client,
        &mine,
        "consent-declaration",
        Some("parent"),
        "Geneviève Tremblay",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = api_sign(
        &mut client,
        id,
        json!({"what": "imm5669-declaration", "person": 0, "signer": "guardian", "name": "Marc Ospina"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = stored(&server, id);
    assert_eq!(doc["signatures"][0]["signer"], "parent");
    assert_eq!(doc["signatures"][0]["name"], "Geneviève Tremblay");
    assert_eq!(doc["signatures"][1]["signer"], "guardian");
    assert_eq!(r.json()["all_signed"], true);
    let view = client
        .api("GET", &format!("/api/v1/my/applications/{id}"), None)
        .json();
    assert_eq!(
        view["signing"]["signatures"][0]["by_parent_or_guardian"],
        true
    );
    // The engine agrees: no signature is missing, and the rules accept who signed for a minor.
    let decision = client
        .api("POST", "/api/v1/programs/pr.adoption/decide", Some(doc))
        .json();
    let missing = decision["missing"].as_array().expect("a decision");
    assert!(
        !missing
            .iter()
            .any(|m| m["key"].as_str().unwrap().starts_with("signatures.")
                || m["key"] == "people[0].profile.identity.date_of_birth"),
        "{missing:?}"
    );
}

#[test]
fn signing_waits_for_complete_forms() {
    let server = start("signing-incomplete", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Representative", "rita@example.com");
    let email = "early@example.com";
    let app = new_application(
        &mut rep,
        "Early Client",
        email,
        "pr.spouse-partner-children",
    );
    let id: u64 = app.rsplit('/').next().unwrap().parse().unwrap();
    let mut client = Browser::new(&server);
    client_first_sign_in(&mut client, &server.store, email, CLIENT_PASSWORD);
    let mine = format!("/my/applications/{id}");
    let page = client.get(&mine);
    assert!(
        page.body
            .contains("This cannot be signed yet: these forms are not complete:"),
        "{}",
        page.body
    );
    assert!(page.body.contains("not filled in yet"));
    let r = client.submit_to(
        &page,
        &format!("{mine}/sign"),
        &[
            ("what", "consent-declaration"),
            ("person", "0"),
            ("name", "Early Client"),
        ],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("cannot sign yet"), "{}", r.body);
    assert!(stored(&server, id).get("signatures").is_none());
}

#[test]
fn the_openapi_document_lists_the_signing_routes() {
    let server = start("signing-openapi", &[]);
    let mut b = Browser::new(&server);
    let doc = b.get("/api/v1/openapi.json").json();
    for path in [
        "/api/v1/my/applications",
        "/api/v1/my/applications/{id}",
        "/api/v1/my/applications/{id}/signatures",
        "/api/v1/applications/{id}/signing",
        "/api/v1/applications/{id}/temporary-password",
        "/api/v1/applications/{id}/declarations",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}
