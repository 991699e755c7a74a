//! The dashboard and the search through HTTP: applications grouped by status (returned
//! first, flagged with reasons), filters by client name (case- and accent-insensitive,
//! partial), number, program, status and dates, on the page and in the API; new
//! applications through the API; another representative sees none of them.

mod common;

use common::{complete_application, new_application, sign_up, start, Browser};
use engine::Date;
use serde_json::{json, Value};

fn visitor_visa(passport: &str, from: &str) -> Value {
    let text = std::fs::read_to_string(common::repo().join("tests/applications/visitor-visa.json"))
        .unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let today = Date::today();
    let from = if from.is_empty() {
        today.add_months(1).to_string()
    } else {
        from.to_string()
    };
    doc["people"][0]["imm5257"]["visit"]["from_date"] = json!(from);
    doc["people"][0]["imm5257"]["visit"]["to_date"] = json!(today.add_months(2).to_string());
    doc["people"][0]["profile"]["passport"]["number"] = json!(passport);
    doc
}

fn numbers(listed: &Value) -> Vec<String> {
    listed
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {listed}"))
        .iter()
        .map(|r| r["number"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_dashboard_groups_by_status_and_the_search_finds_by_every_filter() {
    let s = start("search", &[]);
    let mut b = Browser::new(&s);
    sign_up(&mut b, "Rep", "rep@example.com");
    // 1: a draft; 2: accepted; 3: another program; 4: returned; 5: through the API.
    new_application(
        &mut b,
        "Élodie Côté",
        "elodie@example.com",
        "apr.visitor-visa",
    );
    new_application(
        &mut b,
        "Olena Kovalenko",
        "olena@example.com",
        "apr.visitor-visa",
    );
    new_application(
        &mut b,
        "François Lefèvre",
        "francois@example.com",
        "apr.study-permit-inside-canada",
    );
    new_application(
        &mut b,
        "Andrii Melnyk",
        "andrii@example.com",
        "apr.visitor-visa",
    );
    complete_application(
        &s.store,
        2,
        &visitor_visa("SR000002", ""),
        "rep@example.com",
    );
    complete_application(
        &s.store,
        4,
        &visitor_visa("SR000004", "2025-03-01"),
        "rep@example.com",
    );
    for id in [2, 4] {
        let r = b.api("POST", &format!("/api/v1/applications/{id}/submit"), None);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let created = b.api(
        "POST",
        "/api/v1/applications",
        Some(json!({"client_name": "Iryna Shevchenko", "client_email": "iryna@example.com",
                    "client_email_confirmation": "IRYNA@example.com", "program": "apr.visitor-visa"})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["number"], "A000000005");
    assert_eq!(created.json()["status"], "draft");
    assert!(s
        .store
        .recent_emails(10)
        .unwrap()
        .iter()
        .any(|e| e.to == "iryna@example.com"));

    // The dashboard: what needs attention first, each status its own table.
    let dash = b.get("/").body;
    let returned = dash.find("<caption>Returned (1)</caption>").expect(&dash);
    let drafts = dash.find("<caption>Draft (3)</caption>").expect(&dash);
    let accepted = dash.find("<caption>Accepted (1)</caption>").expect(&dash);
    assert!(returned < drafts && drafts < accepted);
    assert!(dash.contains("The stay starts (2025-03-01) before the application date"));
    assert!(dash.contains("5 application(s)."));

    let api = |b: &mut Browser, q: &str| {
        b.api("GET", &format!("/api/v1/applications?{q}"), None)
            .json()
    };
    // Client name: partial, any case, accents optional, either way round.
    assert_eq!(numbers(&api(&mut b, "client=cote")), ["A000000001"]);
    assert_eq!(numbers(&api(&mut b, "client=%C3%89LODIE")), ["A000000001"]);
    assert_eq!(numbers(&api(&mut b, "client=lef%C3%A8")), ["A000000003"]);
    assert_eq!(
        numbers(&api(&mut b, "client=francois%20lefevre")),
        ["A000000003"]
    );
    assert!(numbers(&api(&mut b, "client=nobody")).is_empty());
    // Number, in either form.
    assert_eq!(numbers(&api(&mut b, "number=A000000002")), ["A000000002"]);
    assert_eq!(numbers(&api(&mut b, "number=4")), ["A000000004"]);
    // Program, by id or part of its title (English or French).
    assert_eq!(
        numbers(&api(&mut b, "program=apr.study-permit-inside-canada")),
        ["A000000003"]
    );
    assert_eq!(
        numbers(&api(&mut b, "program=permis%20d%27%C3%A9tudes")),
        ["A000000003"]
    );
    assert_eq!(numbers(&api(&mut b, "program=visitor")).len(), 4);
    // Status, and several filters together.
    assert_eq!(numbers(&api(&mut b, "status=accepted")), ["A000000002"]);
    assert_eq!(
        numbers(&api(&mut b, "status=draft&program=visitor")),
        ["A000000005", "A000000001"]
    );
    let returned = api(&mut b, "status=returned");
    assert_eq!(numbers(&returned), ["A000000004"]);
    assert_eq!(returned[0]["returned"], true);
    assert!(
        returned[0]["reasons"].as_array().unwrap().len() >= 2,
        "{returned}"
    );
    // Dates: created, updated, decided, from and to included.
    let today = Date::today();
    let yesterday = Date::from_days_since_epoch(today.days_since_epoch() - 1);
    let tomorrow = Date::from_days_since_epoch(today.days_since_epoch() + 1);
    assert_eq!(
        numbers(&api(
            &mut b,
            &format!("created_from={today}&created_to={today}")
        ))
        .len(),
        5
    );
    assert!(numbers(&api(&mut b, &format!("created_to={yesterday}"))).is_empty());
    assert!(numbers(&api(&mut b, &format!("updated_from={tomorrow}"))).is_empty());
    assert_eq!(
        numbers(&api(&mut b, &format!("decided_from={today}"))),
        ["A000000004", "A000000002"]
    );
    assert!(numbers(&api(&mut b, &format!("decided_to={yesterday}"))).is_empty());
    // What cannot be understood is refused, saying what to type.
    let bad = b.api("GET", "/api/v1/applications?created_from=24/11/2026", None);
    assert_eq!(bad.status, 400);
    assert!(bad.json()["message"]
        .as_str()
        .unwrap()
        .contains("YYYY-MM-DD"));
    assert_eq!(
        b.api("GET", "/api/v1/applications?status=lost", None)
            .status,
        400
    );

    // The page: the same search, what was typed kept.
    let found = b.get("/?client=c%C3%B4t%C3%A9&status=");
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains("1 application(s) found."),
        "{}",
        found.body
    );
    assert!(found.body.contains(">A000000001</a>") && !found.body.contains(">A000000002</a>"));
    assert!(found.body.contains("value=\"côté\""), "{}", found.body);
    assert!(
        found
            .body
            .contains("<label for=\"created_from\">Created from</label>"),
        "{}",
        found.body
    );
    let fr = b.get("/?lang=fr");
    assert!(
        fr.body
            .contains("<label for=\"decided_to\">Décidée jusqu’au</label>"),
        "{}",
        fr.body
    );
    assert!(fr.body.contains("Retournée : demande votre attention"));
    let by_status = b.get("/?status=returned&lang=en");
    assert!(
        by_status
            .body
            .contains("<option value=\"returned\" selected>"),
        "{}",
        by_status.body
    );
    assert!(
        by_status.body.contains(">A000000004</a>") && !by_status.body.contains(">A000000001</a>")
    );
    // Every status an application can rest in is offered; "submitted" (never a resting
    // status: the decision is made in the submit) is not.
    for offered in ["draft", "returned", "accepted", "paper_only"] {
        assert!(by_status
            .body
            .contains(&format!("<option value=\"{offered}\"")));
    }
    assert!(!by_status.body.contains("<option value=\"submitted\""));
    let none = b.get("/?client=nobody&lang=fr");
    assert!(
        none.body.contains("Aucune demande ne correspond"),
        "{}",
        none.body
    );
    let bad = b.get("/?decided_from=yesterday&lang=en");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("role=\"alert\""));
    assert!(
        bad.body
            .contains("Decided from: enter a date as YYYY-MM-DD"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"yesterday\""));

    // Another representative sees none of it.
    let mut other = Browser::new(&s);
    sign_up(&mut other, "Other", "other@example.com");
    assert_eq!(
        other.api("GET", "/api/v1/applications", None).json(),
        json!([])
    );
    assert_eq!(
        other
            .api("GET", "/api/v1/applications?client=cote", None)
            .json(),
        json!([])
    );
    assert!(!other.get("/").body.contains("A000000001"));
}

#[test]
fn creating_through_the_api_checks_like_the_page() {
    let s = start("search-create", &[]);
    let mut b = Browser::new(&s);
    sign_up(&mut b, "Rep", "maker@example.com");
    let post = |b: &mut Browser, body: Value| b.api("POST", "/api/v1/applications", Some(body));
    let r = post(
        &mut b,
        json!({"client_name": "A B", "client_email": "ab@example.com",
                               "client_email_confirmation": "ba@example.com", "program": "apr.visitor-visa"}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("not the same"),
        "{}",
        r.body
    );
    let r = post(
        &mut b,
        json!({"client_name": "A B", "client_email": "ab@example.com",
                               "client_email_confirmation": "ab@example.com", "program": "no.such"}),
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("Choose a program"));
    let r = post(
        &mut b,
        json!({"client_name": "A B", "client_email": "ab@example.com",
                               "client_email_confirmation": "ab@example.com",
                               "program": "apr.temporary-resident-permit"}),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.json()["message"].as_str().unwrap().contains("paper"),
        "{}",
        r.body
    );
    assert!(s.store.application(1).unwrap().is_none());
    // A representative's email cannot become a client's.
    let r = post(
        &mut b,
        json!({"client_name": "Me", "client_email": "maker@example.com",
                               "client_email_confirmation": "maker@example.com", "program": "apr.visitor-visa"}),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    // Without the CSRF header: refused.
    let r = b.send("POST", "/api/v1/applications", "application/json", &[],
                   json!({"client_name": "A B", "client_email": "ab@example.com",
                          "client_email_confirmation": "ab@example.com", "program": "apr.visitor-visa"}).to_string().into_bytes());
    assert_eq!(r.status, 403);
    let r = post(
        &mut b,
        json!({"client_name": "A B", "client_email": "ab@example.com",
                               "client_email_confirmation": "ab@example.com", "program": "apr.visitor-visa"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let listed = b.api("GET", "/api/v1/applications", None).json();
    assert_eq!(numbers(&listed), ["A000000001"]);
    assert_eq!(listed[0]["client"], "A B");
    // The openapi document lists the routes.
    let doc = b.get("/api/v1/openapi.json").json();
    for path in [
        "/api/v1/applications",
        "/api/v1/applications/{id}",
        "/api/v1/applications/{id}/submit",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["paths"]["/api/v1/applications"].get("post").is_some());
}
