//! Submitting through HTTP: what is missing (page and API, nothing changed), a complete
//! application accepted and on the dashboard at once, a returned one flagged, fixed and
//! submitted again, duplicates refused, the Ukraine 2022 OWP's two linked applications, the
//! intake cap under concurrent submits, and another representative's 404 on every route.

mod common;

use common::submitting::{id_of, owp_rules, representative_with_application, visitor_visa};
use common::{
    complete_application, edited_rules, new_application, sign_up, start, start_with_rules, Browser,
};
use engine::Date;
use serde_json::json;
use server::store::{Audit, NewAccount, NewApplication, Role, Status};

/// Posts the submit button of the application page.
fn submit_page(b: &mut Browser, id: u64) -> common::Answer {
    let page = b.get(&format!("/applications/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    b.submit_to(&page, &format!("/applications/{id}/submit"), &[])
}

#[test]
fn incomplete_is_refused_with_the_list_then_complete_is_accepted_at_once() {
    let s = start("submit-flow", &[]);
    let (mut b, id) = representative_with_application(&s, "flow");

    // The application page lists what is missing, grouped, with where to fix it.
    let page = b
        .get(&format!("/applications/{id}"))
        .body
        .replace("&#x2f;", "/");
    assert!(page.contains("Before you can submit"), "{page}");
    assert!(
        page.contains(&format!(
            "href=\"/applications/{id}/documents\">Upload the document: Digital photo"
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "href=\"/applications/{id}/people/0/profile\">Basic information: Identity is required"
    )));
    assert!(page.contains(&format!("href=\"/applications/{id}/people/0/imm5257\">")));
    assert!(page.contains(&format!(
        "href=\"/applications/{id}#signing\">person 1 must sign"
    )));
    assert!(page.contains("<h4>person 1 (principal applicant)</h4>"));
    assert!(page.contains("<h4>The whole application</h4>"));
    assert!(!page.contains("Submit the application"));

    // The page's submit: 409 with the list, nothing stored.
    let refused = submit_page(&mut b, id);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("role=\"alert\""));
    assert!(
        refused.body.contains("Upload the document: Digital photo"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("representative’s declaration"));
    assert!(refused.body.contains("IMM 5257"), "{}", refused.body);
    // The API's: the same list, each with its link.
    let api = b.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
    assert_eq!(api.status, 409, "{}", api.body);
    let missing = api.json()["missing"].as_array().unwrap().clone();
    assert!(missing
        .iter()
        .any(|m| m["key"] == "documents.photo"
            && m["link"] == format!("/applications/{id}/documents")));
    assert!(missing
        .iter()
        .any(|m| m["key"] == "declarations.no_paper_application"));
    assert!(missing
        .iter()
        .all(|m| m["message"]["fr"].as_str().is_some_and(|t| !t.is_empty())));
    let app = s.store.application(id).unwrap().unwrap();
    assert_eq!(app.status, Status::Draft);
    assert!(s.store.decision(id).unwrap().is_none());

    // In French too.
    let fr = b.get(&format!("/applications/{id}?lang=fr"));
    assert!(
        fr.body.contains("Avant de pouvoir soumettre"),
        "{}",
        fr.body
    );
    assert!(fr.body.contains("Téléversez le document : Photo numérique"));

    // Complete: the button shows; the submit decides and stores at once.
    complete_application(&s.store, id, &visitor_visa("FA100001"), "flow@example.com");
    let page = b.get(&format!("/applications/{id}?lang=en"));
    assert!(
        page.body.contains("Submit the application"),
        "{}",
        page.body
    );
    let done = submit_page(&mut b, id);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.unwrap(), format!("/applications/{id}#submit"));
    let app = s.store.application(id).unwrap().unwrap();
    assert_eq!(app.status, Status::Accepted);
    assert!(app.program_version.is_some());
    let page = b.get(&format!("/applications/{id}"));
    assert!(
        page.body.contains("Accepted into processing"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<details><summary>How the rules decided (trace)"));
    assert!(page.body.contains("<code>fee_for</code>"), "{}", page.body);
    assert!(
        page.body
            .contains("<th scope=\"row\">Total</th><td>$185.00</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(app.program_version.as_deref().unwrap()));
    assert!(!page.body.contains("Submit the application"));

    // On the dashboard at once, under Accepted.
    let dash = b.get("/");
    assert!(
        dash.body.contains(&format!(">{}</a>", app.number())),
        "{}",
        dash.body
    );
    assert!(
        dash.body.contains("<caption>Accepted (1)</caption>"),
        "{}",
        dash.body
    );

    // The API: status, the decision with its trace and program version.
    let got = b.api(
        "GET",
        &format!("/api/v1/applications/{}", app.number()),
        None,
    );
    assert_eq!(got.status, 200, "{}", got.body);
    let got = got.json();
    assert_eq!(got["status"], "accepted");
    assert_eq!(got["decision"]["outcome"], "accepted");
    assert!(!got["decision"]["trace"].as_array().unwrap().is_empty());
    assert_eq!(got["program_version"], got["decision"]["program_version"]);

    // Once accepted: not again, and the forms are locked.
    let again = b.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
    assert_eq!(again.status, 409);
    assert!(again.json()["message"]
        .as_str()
        .unwrap()
        .contains("already been submitted"));
    let form = b.submit(&format!("/applications/{id}/people/0/imm5257"), &[]);
    assert_eq!(form.status, 409, "{}", form.body);
    let audit = s.store.audit_of(id).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.what == "submitted: accepted" && e.who == "flow@example.com"));
}

#[test]
fn a_returned_application_is_flagged_fixed_and_submitted_again() {
    let s = start("submit-returned", &[]);
    let (mut b, id) = representative_with_application(&s, "ret");
    // A stay that started last year: the rules return it (they do not block the submit).
    let mut doc = visitor_visa("FA200002");
    doc["people"][0]["imm5257"]["visit"]["from_date"] = json!("2025-01-10");
    doc["people"][0]["imm5257"]["visit"]["to_date"] = json!("2025-02-10");
    complete_application(&s.store, id, &doc, "ret@example.com");
    let r = b.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(r["application"]["status"], "returned");
    assert_eq!(r["application"]["decision"]["reason"], "incomplete");

    // Flagged on the dashboard with its reasons in plain words, in both languages.
    let dash = b.get("/");
    assert!(
        dash.body.contains("Returned: needs your attention"),
        "{}",
        dash.body
    );
    assert!(dash
        .body
        .contains("The stay starts (2025-01-10) before the application date"));
    let dash = b.get("/?lang=fr");
    assert!(
        dash.body.contains("Le séjour commence (2025-01-10)"),
        "{}",
        dash.body
    );
    let listed = b
        .api("GET", "/api/v1/applications?status=returned&lang=en", None)
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0]["reasons"][0]
        .as_str()
        .unwrap()
        .contains("incomplete"));
    // The application page shows the decision and what the rules want corrected.
    let page = b.get(&format!("/applications/{id}?lang=en"));
    assert!(
        page.body.contains("Returned</strong> – Incomplete"),
        "{}",
        page.body
    );
    assert!(page.body.contains("To correct"));

    // Returned: the forms can change again.
    let form = b.submit(&format!("/applications/{id}/people/0/imm5257"), &[]);
    assert_ne!(form.status, 409, "{}", form.body);
    assert!(s
        .store
        .audit_of(id)
        .unwrap()
        .iter()
        .any(|e| e.what.starts_with("saved")));

    // Fixed (and signed again, the content having changed): accepted.
    complete_application(&s.store, id, &visitor_visa("FA200002"), "ret@example.com");
    let again = submit_page(&mut b, id);
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(
        s.store.application(id).unwrap().unwrap().status,
        Status::Accepted
    );
    let dash = b.get("/");
    assert!(!dash.body.contains("Returned: needs your attention"));
}

#[test]
fn the_same_person_cannot_have_two_open_applications_in_a_program() {
    let s = start("submit-duplicate", &[]);
    let (mut b, first) = representative_with_application(&s, "dup");
    let second = id_of(&new_application(
        &mut b,
        "Olena K",
        "olena2.dup@example.com",
        "apr.visitor-visa",
    ));
    complete_application(
        &s.store,
        first,
        &visitor_visa("FA 300 003"),
        "dup@example.com",
    );
    complete_application(
        &s.store,
        second,
        &visitor_visa("fa300003"),
        "dup@example.com",
    );
    let ok = b.api(
        "POST",
        &format!("/api/v1/applications/{first}/submit"),
        None,
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let dup = submit_page(&mut b, second);
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert!(
        dup.body
            .contains("already has an open application in this program (A000000001)"),
        "{}",
        dup.body
    );
    assert_eq!(
        s.store.application(second).unwrap().unwrap().status,
        Status::Draft
    );
}

#[test]
fn ukraine_2022_owp_makes_two_linked_applications_once() {
    let s = start_with_rules("submit-owp", &[], owp_rules("owp"));
    let (mut b, id) = representative_with_application(&s, "owp");
    let mut doc = visitor_visa("FA400004");
    doc["people"][0]["imm5257"]["visit"]["purpose"] = json!("other");
    doc["people"][0]["imm5257"]["visit"]["purpose_other"] = json!("Ukraine 2022 OWP");
    complete_application(&s.store, id, &doc, "owp@example.com");
    let r = b.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(r["application"]["status"], "accepted", "{r}");
    let created = r["created"].as_array().unwrap();
    assert_eq!(created.len(), 1, "{r}");
    let other = created[0]["id"].as_u64().unwrap();

    let a = s.store.application(id).unwrap().unwrap();
    let o = s.store.application(other).unwrap().unwrap();
    assert_eq!(o.program, "apr.open-work-permit-outside-canada");
    assert_eq!(
        (o.client, o.representative, o.status),
        (a.client, a.representative, Status::Draft)
    );
    assert_eq!((a.linked, o.linked), (Some(other), Some(id)));
    let copied = s.store.application_data(other).unwrap().unwrap();
    assert_eq!(copied["people"][0]["profile"], doc["people"][0]["profile"]);
    // The forms both programs use come along (the OWP uses the IMM 5257 too).
    assert_eq!(copied["people"][0]["imm5257"], doc["people"][0]["imm5257"]);
    assert!(copied.get("signatures").is_none() && copied.get("declarations").is_none());
    assert!(s
        .store
        .audit_of(other)
        .unwrap()
        .iter()
        .any(|e| e.what.contains("linked")));
    assert!(s
        .store
        .audit_of(id)
        .unwrap()
        .iter()
        .any(|e| e.what.contains("linked")));

    // Links both ways, on the pages and in the API.
    let page = b.get(&format!("/applications/{id}"));
    assert!(page.body.contains(&format!(
        "<a href=\"/applications/{other}\">{}</a>",
        o.number()
    )));
    let page = b.get(&format!("/applications/{other}"));
    assert!(page.body.contains(&format!(
        "<a href=\"/applications/{id}\">{}</a>",
        a.number()
    )));
    assert_eq!(
        b.api("GET", &format!("/api/v1/applications/{other}"), None)
            .json()["linked"]["id"],
        id
    );

    // Only once: nothing more is created, whatever is tried again.
    let again = b.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
    assert_eq!(again.status, 409);
    let all = b.api("GET", "/api/v1/applications", None).json();
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[test]
fn concurrent_submits_never_exceed_the_cap() {
    const LIMIT: u64 = 3;
    const CLIENTS: usize = 16;
    let rules = edited_rules("cap", |root| {
        let manifest = root.join("programs/apr.visitor-visa.json");
        let text = std::fs::read_to_string(&manifest).unwrap().replacen(
            "\"forms\": [",
            &format!("\"cap\": {{ \"limit\": {LIMIT}, \"title\": {{ \"en\": \"Visitor visas this year\", \"fr\": \"Visas de visiteur cette année\" }} }},\n  \"forms\": ["),
            1,
        );
        std::fs::write(&manifest, text).unwrap();
    });
    let s = start_with_rules("submit-cap", &[], rules);
    let mut b = Browser::new(&s);
    sign_up(&mut b, "Rep", "cap@example.com");
    let rep = s
        .store
        .account_by_email("cap@example.com")
        .unwrap()
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..CLIENTS {
        let client = s
            .store
            .create_account(&NewAccount {
                role: Role::Client,
                email: format!("client{i}@example.com"),
                name: format!("Client {i}"),
                password_hash: None,
            })
            .unwrap();
        let app = s
            .store
            .create_application(
                &NewApplication {
                    representative: rep.id,
                    client: client.id,
                    program: "apr.visitor-visa".into(),
                    status: Status::Draft,
                    data: json!({}),
                },
                &Audit::new("cap@example.com", "created (test)"),
            )
            .unwrap();
        complete_application(
            &s.store,
            app.id,
            &visitor_visa(&format!("CAP{i:04}")),
            "cap@example.com",
        );
        ids.push(app.id);
    }
    let csrf = b.api_csrf();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(CLIENTS));
    let threads: Vec<_> = ids
        .iter()
        .map(|&id| {
            let mut mine = Browser::new(&s);
            mine.cookies = b.cookies.clone();
            let csrf = csrf.clone();
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let path = format!("/api/v1/applications/{id}/submit");
                let r = mine.send(
                    "POST",
                    &path,
                    "application/json",
                    &[("x-csrf-token", &csrf)],
                    Vec::new(),
                );
                assert_eq!(r.status, 200, "{}", r.body);
                r.json()["application"]["decision"]["reason"]
                    .as_str()
                    .map(str::to_string)
            })
        })
        .collect();
    let reasons: Vec<Option<String>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let accepted = reasons.iter().filter(|r| r.is_none()).count();
    let full = reasons
        .iter()
        .filter(|r| r.as_deref() == Some("cap_reached"))
        .count();
    assert_eq!(
        (accepted, full),
        (LIMIT as usize, CLIENTS - LIMIT as usize),
        "{reasons:?}"
    );
    let year = Date::today().year.to_string();
    assert_eq!(s.store.cap_used("apr.visitor-visa", &year).unwrap(), LIMIT);
    let stored = ids
        .iter()
        .filter(|&&id| s.store.application(id).unwrap().unwrap().status == Status::Accepted)
        .count();
    assert_eq!(stored, LIMIT as usize);
    // The ones turned away say why, on the dashboard.
    let dash = b.get("/");
    assert!(
        dash.body.contains("Visitor visas this year (3)"),
        "{}",
        dash.body
    );
}

#[test]
fn another_representative_gets_404_and_the_client_only_reads() {
    let s = start("submit-others", &[]);
    let (mut owner, id) = representative_with_application(&s, "owner");
    complete_application(&s.store, id, &visitor_visa("FA500005"), "owner@example.com");
    let mut other = Browser::new(&s);
    sign_up(&mut other, "Other", "other@example.com");

    let page = other.get(&format!("/applications/{id}"));
    assert_eq!(page.status, 404);
    let home = other.get("/");
    let post = other.submit_to(&home, &format!("/applications/{id}/submit"), &[]);
    assert_eq!(post.status, 404, "{}", post.body);
    assert_eq!(
        other
            .api("GET", &format!("/api/v1/applications/{id}"), None)
            .status,
        404
    );
    let r = other.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("Olena"));
    assert_eq!(
        other.api("GET", "/api/v1/applications", None).json(),
        json!([])
    );
    assert!(!other.get("/").body.contains("A000000001"));
    assert_eq!(
        other
            .api("GET", "/api/v1/applications?number=1", None)
            .json(),
        json!([])
    );
    assert_eq!(
        s.store.application(id).unwrap().unwrap().status,
        Status::Draft
    );

    // The client reads their application through the API, and cannot submit it.
    let mut client = Browser::new(&s);
    common::client_first_sign_in(
        &mut client,
        &s.store,
        "olena.owner@example.com",
        "the client's own password",
    );
    let read = client.api("GET", &format!("/api/v1/applications/{id}"), None);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["status"], "draft");
    let r = client.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(client.api("GET", "/api/v1/applications", None).status, 403);
    assert_eq!(
        s.store.application(id).unwrap().unwrap().status,
        Status::Draft
    );
    // The owner still can.
    assert_eq!(
        owner
            .api("POST", &format!("/api/v1/applications/{id}/submit"), None)
            .status,
        200
    );
}
