//! The portal's pages through HTTP: the real server on a loopback port with a sled store in a
//! temporary folder, driven like a browser without JavaScript (cookies kept by hand, the
//! `_csrf` field read from each page's HTML, redirects not followed).

mod common;

use common::{csrf_of, sign_up, start, temporary_password, Browser};

#[test]
fn the_representative_flow_through_the_pages() {
    let server = start("flow", &[]);
    let mut rep = Browser::new(&server);

    // Signed out: the dashboard sends to sign-in; the pages carry lang, skip link, switch.
    let r = rep.get("/");
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/sign-in")));
    let r = rep.get("/sign-in");
    assert!(r.body.contains("<html lang=\"en\">"), "{}", r.body);
    assert!(r.body.contains("href=\"#main\""));
    assert!(r.body.contains("href=\"?lang=fr\""));
    assert_eq!(rep.get("/static/site.css").status, 200);

    // A refused sign-up keeps what was typed and says why, on the page.
    let r = rep.submit(
        "/sign-up",
        &[
            ("name", "Rita Rep"),
            ("email", "rita@example.com"),
            ("email_confirmation", "rita@example.org"),
            ("password", "correct horse battery staple"),
        ],
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("not the same"), "{}", r.body);
    assert!(r.body.contains("value=\"Rita Rep\""));

    sign_up(&mut rep, "Rita Rep", "rita@example.com");
    let r = rep.get("/");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Rita Rep"));

    // A client email that a representative uses is refused, with the typed values kept.
    let r = rep.submit(
        "/applications/new",
        &[
            ("client_name", "Olena Kovalenko"),
            ("client_email", "rita@example.com"),
            ("client_email_confirmation", "rita@example.com"),
            ("program", "apr.visitor-visa"),
        ],
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("representative"), "{}", r.body);
    assert!(r.body.contains("value=\"Olena Kovalenko\""));

    // A new application for a visitor visa appears on the dashboard.
    let r = rep.submit(
        "/applications/new",
        &[
            ("client_name", "Olena Kovalenko"),
            ("client_email", "olena@example.com"),
            ("client_email_confirmation", "olena@example.com"),
            ("program", "apr.visitor-visa"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let app = r.location.unwrap();
    assert_eq!(app, "/applications/1");
    let r = rep.get("/");
    assert!(r.body.contains("A000000001"), "{}", r.body);
    assert!(r.body.contains("Olena Kovalenko"));
    assert!(r.body.contains("Visitor visa"));
    let r = rep.get(&app);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("/applications/1/people/0/imm5257"),
        "{}",
        r.body
    );

    // The IMM 5257 in French: the cookie keeps the language.
    let form = "/applications/1/people/0/imm5257";
    let r = rep.get(&format!("{form}?lang=fr"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<html lang=\"fr\">"));
    assert!(r.body.contains("Langue de service"), "{}", r.body);
    assert_eq!(rep.cookies.get("lang").map(String::as_str), Some("fr"));

    // An invalid post: the error summary, and what was typed is still there.
    let r = rep.submit(
        form,
        &[
            ("visit.purpose_other", "Visite familiale"),
            ("visit.funds", "beaucoup"),
            ("_action", "submit"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("error-summary"), "{}", r.body);
    assert!(r.body.contains("Visite familiale"));
    assert!(r.body.contains("beaucoup"));
    assert!(r.body.contains("<html lang=\"fr\">"));
    // …and it was saved: the application page counts its problems.
    let r = rep.get(&app);
    assert!(r.body.contains("problème"), "{}", r.body);

    // A post without the session's CSRF token: 403, as a page.
    let r = rep.post(form, &[("visit.purpose_other", "x"), ("_action", "save")]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<html"), "{}", r.body);

    // The history lists every change, on the page and through the API, oldest first there.
    let r = rep.get(&format!("{app}?lang=en"));
    assert!(r.body.contains("History"), "{}", r.body);
    assert!(
        r.body.contains("saved Application for Visitor Visa"),
        "{}",
        r.body
    );
    let history = rep.get("/api/v1/applications/A000000001/history").json();
    let what: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert!(what[0].starts_with("created the application"), "{what:?}");
    assert!(what.iter().any(|w| w.starts_with("saved ")), "{what:?}");
    assert_eq!(history[0]["who"], "rita@example.com");

    // Another representative sees none of it.
    let mut other = Browser::new(&server);
    sign_up(&mut other, "Omar Other", "omar@example.com");
    assert_eq!(other.get(&app).status, 404);
    assert_eq!(other.get(form).status, 404);
    assert_eq!(other.get("/api/v1/applications/1/history").status, 404);
    assert!(!other.get("/").body.contains("A000000001"));

    // Sign-out ends the session.
    let r = rep.submit("/", &[]);
    assert_eq!(r.status, 405);
    let csrf = csrf_of(&rep.get("/").body);
    let r = rep.post("/sign-out", &[("_csrf", &csrf)]);
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/sign-in")));
    assert_eq!(rep.get("/").status, 303);
}

#[test]
fn paper_programs_and_the_clients_temporary_password() {
    let server = start("client", &[]);
    let store = &server.store;
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Rep", "rita@example.com");

    // A paper-only program shows its instructions; no application is created.
    let r = rep.submit(
        "/applications/new",
        &[
            ("client_name", "Paul Paper"),
            ("client_email", "paul@example.com"),
            ("client_email_confirmation", "paul@example.com"),
            ("program", "apr.temporary-resident-permit"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!rep.get("/").body.contains("A000000001"));

    let r = rep.submit(
        "/applications/new",
        &[
            ("client_name", "Olena Kovalenko"),
            ("client_email", "olena@example.com"),
            ("client_email_confirmation", "olena@example.com"),
            ("program", "apr.visitor-visa"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // The client's email holds a temporary password; signing in with it leads to /password.
    let temporary = temporary_password(store, "olena@example.com");
    let mut client = Browser::new(&server);
    let r = client.submit(
        "/sign-in",
        &[
            ("email", "olena@example.com"),
            ("password", "wrong password here"),
        ],
    );
    assert_eq!(r.status, 401);
    assert!(r.body.contains("value=\"olena@example.com\""), "{}", r.body);
    let r = client.submit(
        "/sign-in",
        &[("email", "olena@example.com"), ("password", &temporary)],
    );
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/password")));
    assert_eq!(client.get("/").location.as_deref(), Some("/password"));
    let r = client.submit(
        "/password",
        &[
            ("current_password", &temporary),
            ("new_password", "olena's own good password"),
        ],
    );
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/")),
        "{}",
        r.body
    );
    // The representative's pages are not the client's: `/` sends them to their own
    // applications, anything else is not found.
    assert_eq!(
        client.get("/").location.as_deref(),
        Some("/my/applications")
    );
    assert_eq!(client.get("/applications/2").status, 404);
}
