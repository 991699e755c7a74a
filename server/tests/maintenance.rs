//! Maintenance windows through HTTP: the banner before a window, 503 with `Retry-After`
//! during it (a page that keeps what was typed, JSON for the API), normal after.

mod common;

use common::*;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};

/// The maintenance test's clock.
static CLOCK: AtomicU64 = AtomicU64::new(0);

fn clock() -> u64 {
    CLOCK.load(Ordering::SeqCst)
}

#[test]
fn maintenance_banner_before_503_during_normal_after() {
    let t0 = server::store::now();
    let (from, to) = (t0 + 400_000, t0 + 403_600);
    let window = format!("{}/{}", rfc3339(from), rfc3339(to));
    CLOCK.store(t0, Ordering::SeqCst);
    let server = start_with("maintenance", &["--maintenance", &window], |c| {
        c.clock = Some(clock)
    });
    let mut b = Browser::new(&server);
    assert!(!b.get("/sign-in").body.contains("maintenance-banner"));
    sign_up(&mut b, "Mona Rep", "mona@example.com");

    // Two hours before: a banner with the window's dates, in English and in French.
    CLOCK.store(from - 7200, Ordering::SeqCst);
    let r = b.get("/");
    assert!(r.body.contains("maintenance-banner"), "{}", r.body);
    assert!(
        r.body.contains(&server::config::format_utc(from)),
        "{}",
        r.body
    );
    assert!(b.get("/?lang=fr").body.contains("Maintenance prévue du"));
    b.get("/?lang=en");

    // During: reading works; a form post is refused with 503 and Retry-After, and the page
    // carries every typed field back in a form that posts to the same address.
    CLOCK.store(from + 600, Ordering::SeqCst);
    assert_eq!(b.get("/").status, 200);
    let fields = [
        ("client_name", "Ana \"Client\" <Souza>"),
        ("client_email", "ana@example.com"),
        ("client_email_confirmation", "ana@example.com"),
        ("program", "apr.visitor-visa"),
    ];
    let r = b.submit("/applications/new", &fields);
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), Some("3000"));
    assert!(
        r.body.contains("action=\"&#x2f;applications&#x2f;new\"")
            || r.body.contains("action=\"/applications/new\""),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("name=\"client_name\" value=\"Ana &quot;Client&quot; &lt;Souza&gt;\""),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("name=\"client_email\" value=\"ana@example.com\""));
    let csrf = b.api_csrf();
    assert!(r.body.contains(&format!("name=\"_csrf\" value=\"{csrf}\"")));
    assert!(r.body.contains("Try again"));
    assert!(server.store.applications_of(1).unwrap().is_empty());
    // Passwords are never written back into the page.
    let r = b.submit(
        "/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "another long password"),
        ],
    );
    assert_eq!(r.status, 503);
    assert!(!r.body.contains(PASSWORD) && !r.body.contains("another long password"));
    assert!(r.body.contains("passwords are not kept"), "{}", r.body);
    // The API: JSON, the same status and header.
    let r = b.api(
        "POST",
        "/api/v1/problems",
        Some(json!({"page": "/", "description": "x"})),
    );
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["error"], "maintenance");
    assert_eq!(r.header("retry-after"), Some("3000"));
    // The stateless decide API changes nothing: it still answers.
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/applications/visitor-visa.json")).unwrap(),
    )
    .unwrap();
    let r = b.api(
        "POST",
        "/api/v1/programs/apr.visitor-visa/decide?on=2022-05-01",
        Some(doc),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // After: the same post goes through.
    CLOCK.store(to, Ordering::SeqCst);
    assert!(!b.get("/").body.contains("maintenance-banner"));
    let r = b.submit("/applications/new", &fields);
    assert_eq!(r.status, 303, "{}", r.body);

    // Signing out is never refused.
    CLOCK.store(from + 1, Ordering::SeqCst);
    let csrf = b.api_csrf();
    let r = b.post("/sign-out", &[("_csrf", &csrf)]);
    assert_eq!(r.status, 303, "{}", r.body);
}

/// `2026-12-01T02:00:00Z` of Unix seconds.
fn rfc3339(secs: u64) -> String {
    let text = server::config::format_utc(secs); // `2026-12-01 02:00 UTC`
    let (date, rest) = text.split_once(' ').unwrap();
    let time = rest.trim_end_matches(" UTC");
    format!("{date}T{time}:{:02}Z", secs % 60)
}
