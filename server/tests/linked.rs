//! A linked application the submit could not create (the server stopped between the durable
//! submit and the creation of the Ukraine 2022 OWP's open work permit): the application page
//! and the API offer to create it, once; another representative gets 404 and the client 403.

mod common;

use common::submitting::{owp_rules, representative_with_application, visitor_visa};
use common::{complete_application, sign_up, start_with_rules, Browser, Server};
use engine::Date;
use serde_json::{json, Value};
use server::store::{Audit, Status, Submission};

const OWP: &str = "apr.open-work-permit-outside-canada";

/// Makes application `id` complete with a "Ukraine 2022 OWP" visitor visa, then stores its
/// submit as the portal does, with the decision the engine makes on it today, and creates
/// nothing after it: the store as the server leaves it if it stops between the two.
fn submitted_without_linked(s: &Server, b: &mut Browser, id: u64, passport: &str) {
    let mut doc = visitor_visa(passport);
    doc["people"][0]["imm5257"]["visit"]["purpose"] = json!("other");
    doc["people"][0]["imm5257"]["visit"]["purpose_other"] = json!("Ukraine 2022 OWP");
    complete_application(&s.store, id, &doc, "rep@example.com");
    let today = Date::today();
    let r = b.api(
        "POST",
        &format!("/api/v1/programs/apr.visitor-visa/decide?on={today}"),
        Some(doc),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let decision = r.json();
    assert_eq!(decision["create"][0]["program"], OWP, "{decision}");
    s.store
        .submit(&Submission {
            application: id,
            status: Status::Accepted,
            program_version: decision["program_version"].as_str().unwrap().into(),
            decision,
            audit: Audit::new("rep@example.com", "submitted: accepted"),
            cap: None,
            persons: None,
        })
        .unwrap();
}

fn count(b: &mut Browser) -> usize {
    let all = b.api("GET", "/api/v1/applications", None).json();
    all.as_array().unwrap().len()
}

#[test]
fn the_page_creates_the_linked_application_the_submit_did_not_once() {
    let s = start_with_rules("linked-page", &[], owp_rules("linked-page"));
    let (mut b, id) = representative_with_application(&s, "rep");
    // Nothing to create before a decision asks for it.
    let r = b.api("POST", &format!("/api/v1/applications/{id}/linked"), None);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("does not ask for a linked application"));
    submitted_without_linked(&s, &mut b, id, "FA600006");

    let page = b.get(&format!("/applications/{id}"));
    assert!(page.body.contains("could not be created with the submit"));
    assert!(page
        .body
        .contains(&format!("action=\"/applications/{id}/linked\"")));
    let fr = b.get(&format!("/applications/{id}?lang=fr"));
    assert!(fr.body.contains("Créer la demande liée"), "{}", fr.body);

    // Another representative sees nothing and can do nothing; the client only reads.
    let mut other = Browser::new(&s);
    sign_up(&mut other, "Other", "other@example.com");
    let home = other.get("/");
    let r = other.submit_to(&home, &format!("/applications/{id}/linked"), &[]);
    assert_eq!(r.status, 404, "{}", r.body);
    let r = other.api("POST", &format!("/api/v1/applications/{id}/linked"), None);
    assert_eq!(r.status, 404, "{}", r.body);
    let mut client = Browser::new(&s);
    common::client_first_sign_in(
        &mut client,
        &s.store,
        "olena.rep@example.com",
        "client-own-password-1",
    );
    let r = client.api("POST", &format!("/api/v1/applications/{id}/linked"), None);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(count(&mut b), 1);

    let done = b.submit_to(&page, &format!("/applications/{id}/linked"), &[]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/applications/{id}#submit").as_str())
    );
    let a = s.store.application(id).unwrap().unwrap();
    let made = s.store.application(a.linked.unwrap()).unwrap().unwrap();
    assert_eq!(
        (made.program.as_str(), made.status, made.linked, made.client),
        (OWP, Status::Draft, Some(id), a.client)
    );
    let copied = s.store.application_data(made.id).unwrap().unwrap();
    assert_eq!(
        copied["people"][0]["profile"]["passport"]["number"],
        "FA600006"
    );
    let audit: Vec<String> = s
        .store
        .audit_of(made.id)
        .unwrap()
        .into_iter()
        .map(|e| e.what)
        .collect();
    assert!(audit[0].starts_with("created the application (apr.open-work-permit"));

    // The page now links the two and offers nothing more; another try creates nothing.
    let page = b.get(&format!("/applications/{id}"));
    assert!(page.body.contains(&format!(
        "<a href=\"/applications/{}\">{}</a>",
        made.id,
        made.number()
    )));
    assert!(!page.body.contains("could not be created with the submit"));
    let again = b.submit_to(&page, &format!("/applications/{id}/linked"), &[]);
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("already linked"), "{}", again.body);
    assert_eq!(count(&mut b), 2);
}

#[test]
fn the_api_creates_it_once_even_when_asked_twice_at_once() {
    let s = start_with_rules("linked-api", &[], owp_rules("linked-api"));
    let (mut b, id) = representative_with_application(&s, "rep");
    submitted_without_linked(&s, &mut b, id, "FA700007");
    let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let tries: Vec<_> = (0..4)
            .map(|_| {
                let mut b = b.clone();
                scope.spawn(move || {
                    let r = b.api("POST", &format!("/api/v1/applications/{id}/linked"), None);
                    (r.status, r.json())
                })
            })
            .collect();
        tries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let made: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, a)| a)
        .collect();
    assert_eq!(made.len(), 1, "{answers:?}");
    assert!(answers.iter().all(|(s, a)| *s == 200
        || (*s == 409 && a["message"].as_str().unwrap().contains("already linked"))));
    let created = &made[0]["created"][0];
    let a = s.store.application(id).unwrap().unwrap();
    assert_eq!(Some(created["id"].as_u64().unwrap()), a.linked);
    assert_eq!(created["number"], format!("A{:09}", a.linked.unwrap()));
    assert_eq!(count(&mut b), 2);
}
