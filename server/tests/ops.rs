//! Running the portal, through HTTP: "Report a problem" signed in and out, and the demo
//! data (seeded once, its representative signs in).

mod common;

use common::*;
use serde_json::json;
use server::config::Config;
use server::store::{SledStore, Status, Store};
use server::AppState;
use std::sync::Arc;

#[test]
fn report_a_problem_signed_out_and_signed_in() {
    let server = start("problems", &["--dev-pages"]);
    let store = &server.store;
    let mut anon = Browser::new(&server);
    let page = anon.get("/sign-in");
    assert!(
        page.body.contains("problems&#x2f;new?page=&#x2f;sign-in"),
        "{}",
        page.body
    );
    // The description is required; the refused form keeps the page.
    let form = anon.get("/problems/new?page=/sign-in");
    assert_eq!(form.status, 200);
    let r = anon.submit_to(
        &form,
        "/problems",
        &[("page", "/sign-in"), ("description", "  ")],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""));
    assert!(
        r.body.contains("name=\"page\" value=\"&#x2f;sign-in\""),
        "{}",
        r.body
    );
    let r = anon.submit_to(
        &form,
        "/problems",
        &[
            ("page", "/sign-in"),
            ("description", "The sign-in button does nothing."),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("P000001"), "{}", r.body);

    // Signed in, on an application's page: the link carries its number.
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Pat Rep", "pat@example.com");
    let app = new_application(
        &mut rep,
        "Olena Client",
        "olena@example.com",
        "apr.visitor-visa",
    );
    let r = rep.get(&app);
    assert!(r.body.contains("application=A000000001"), "{}", r.body);
    let form = rep.get(&format!("/problems/new?page={app}&application=A000000001"));
    assert!(form.body.contains("A000000001"));
    let r = rep.submit_to(
        &form,
        "/problems",
        &[
            ("page", &app),
            ("application", "A000000001"),
            ("description", "The fees look wrong."),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("P000002"));

    // The API, signed in (with the CSRF header) and out.
    let r = rep.api(
        "POST",
        "/api/v1/problems",
        Some(json!({"page": "/", "description": "API report"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["reference"], "P000003");
    let r = anon.api(
        "POST",
        "/api/v1/problems",
        Some(json!({"page": "/x", "description": ""})),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "bad_request");

    let reports = store.problem_reports().unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0].account, None);
    assert_eq!(reports[0].page, "/sign-in");
    let pat = store.account_by_email("pat@example.com").unwrap().unwrap();
    assert_eq!(reports[1].account, Some(pat.id));
    assert_eq!(reports[1].application.as_deref(), Some("A000000001"));
    assert_eq!(reports[1].description, "The fees look wrong.");
    assert_eq!(reports[2].account, Some(pat.id));

    let r = anon.get("/dev/problems");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("The fees look wrong."));
    assert!(r.body.contains("pat@example.com"));
    let off = start("problems-off", &[]);
    assert_eq!(Browser::new(&off).get("/dev/problems").status, 404);
}

#[test]
fn demo_seeding_twice_adds_nothing() {
    let data = std::env::temp_dir().join(format!("intake-test-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let state = AppState {
        rules: rules(),
        store: Arc::clone(&store),
        config: Config::try_load_from(["intake-server", "--demo"]).unwrap(),
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let first = rt.block_on(server::demo::seed(&state)).unwrap();
    assert_eq!((first.accounts, first.applications), (5, 4));
    let second = rt.block_on(server::demo::seed(&state)).unwrap();
    assert_eq!((second.accounts, second.applications), (0, 0));

    let rep = store
        .account_by_email(server::demo::EMAIL)
        .unwrap()
        .unwrap();
    let apps = store.applications_of(rep.id).unwrap();
    let statuses: Vec<Status> = apps.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Draft,
            Status::Draft,
            Status::Accepted,
            Status::Returned
        ]
    );
    // The submitted ones carry the engine's decision; the complete one has its documents.
    let accepted = store.decision(apps[2].id).unwrap().unwrap();
    assert_eq!(accepted.decision["outcome"], "accepted");
    let returned = store.decision(apps[3].id).unwrap().unwrap();
    assert_eq!(returned.decision["reason"], "incomplete");
    // Returned for what a rule found (the stay ends before it starts), not for anything the
    // portal would have refused to submit.
    let missing = returned.decision["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["code"], "stay-ends-before-start");
    // Passport copy, photo, proof of funds and the fee receipt.
    assert_eq!(store.documents(apps[1].id).unwrap().len(), 4);
}

#[test]
fn the_demo_representative_signs_in() {
    let server = start("demo-sign-in", &["--demo"]);
    // `start` does not seed (main does): seed this server's store as main would.
    let state = AppState {
        rules: rules(),
        store: Arc::clone(&server.store),
        config: Config::try_load_from(["intake-server", "--demo"]).unwrap(),
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(server::demo::seed(&state))
        .unwrap();
    let mut b = Browser::new(&server);
    let r = b.submit(
        "/sign-in",
        &[
            ("email", server::demo::EMAIL),
            ("password", server::demo::PASSWORD),
        ],
    );
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/")),
        "{}",
        r.body
    );
    let r = b.get("/");
    assert!(r.body.contains("Kovalenko"), "{}", r.body);
}
