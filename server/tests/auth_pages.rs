//! The account pages' protections through HTTP: password-reset requests rate limited, the
//! reset pages, the sign-in and sign-up forms' pre-session CSRF token, French messages.

mod common;

use common::*;
use serde_json::json;

#[test]
fn password_reset_requests_are_rate_limited() {
    let server = start("reset-limit", &[]);
    let mut b = Browser::new(&server);
    for _ in 0..3 {
        let r = b.api(
            "POST",
            "/api/v1/auth/password-reset/request",
            Some(json!({"email": "limit@example.com"})),
        );
        assert_eq!(r.status, 202, "{}", r.body);
    }
    let r = b.api(
        "POST",
        "/api/v1/auth/password-reset/request",
        Some(json!({"email": "LIMIT@example.com"})),
    );
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.json()["error"], "too_many_requests");
    assert!(r.json()["message"].as_str().unwrap().contains("minutes"));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 3500 && wait <= 3600, "{wait}");

    // The page, in French: the same limit, said in French, with what was typed kept.
    let mut p = Browser::new(&server);
    p.get("/password-reset?lang=fr");
    for _ in 0..3 {
        let r = p.submit("/password-reset", &[("email", "page-limit@example.com")]);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Si un compte a cette adresse"));
    }
    let r = p.submit("/password-reset", &[("email", "page-limit@example.com")]);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("redemandez dans"), "{}", r.body);
    assert!(r.body.contains("value=\"page-limit@example.com\""));
}

#[test]
fn the_reset_pages_set_a_new_password() {
    let server = start("reset-pages", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rae Rep", "rae@example.com");
    let mut b = Browser::new(&server);
    let r = b.submit("/password-reset", &[("email", "rae@example.com")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let email = server
        .store
        .recent_emails(10)
        .unwrap()
        .into_iter()
        .find(|e| e.to == "rae@example.com")
        .unwrap();
    let link = email
        .body
        .lines()
        .find(|l| l.contains("/reset-password?token="))
        .unwrap()
        .trim()
        .to_string();
    let path = &link[link.find("/reset-password").unwrap()..];
    let token = path.split("token=").nth(1).unwrap().to_string();
    let r = b.submit(path, &[("token", &token), ("new_password", "short")]);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("too short"));
    let r = b.submit(
        path,
        &[
            ("token", &token),
            ("new_password", "a brand new long password"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = b.submit(
        "/sign-in",
        &[
            ("email", "rae@example.com"),
            ("password", "a brand new long password"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn sign_in_and_sign_up_forms_need_their_pre_session_token() {
    let server = start("login-csrf", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Lou Rep", "lou@example.com");

    // The page sets the cookie and puts the same token in the form.
    let mut b = Browser::new(&server);
    let page = b.get("/sign-in");
    let token = csrf_of(&page.body);
    assert!(token.len() >= 32, "{token:?}");
    assert_eq!(b.cookies.get("intake_login_csrf"), Some(&token));
    let fields = [("email", "lou@example.com"), ("password", PASSWORD)];
    // Without the token, or with another one: refused, the form shown again with the email.
    let r = b.post("/sign-in", &fields);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("value=\"lou@example.com\""));
    assert!(!b.cookies.contains_key("intake_session"));
    let r = b.post("/sign-in", &[("_csrf", "0123abcd"), fields[0], fields[1]]);
    assert_eq!(r.status, 403);
    // Another site's form: its browser has no cookie for the token it posts.
    let mut other = Browser::new(&server);
    let r = other.post(
        "/sign-in",
        &[("_csrf", token.as_str()), fields[0], fields[1]],
    );
    assert_eq!(r.status, 403);
    let r = other.post(
        "/sign-up",
        &[
            ("_csrf", token.as_str()),
            ("name", "X"),
            ("email", "x@example.com"),
            ("email_confirmation", "x@example.com"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(r.status, 403);
    assert!(server
        .store
        .account_by_email("x@example.com")
        .unwrap()
        .is_none());
    // With it: signed in.
    let r = b.submit_to(&page, "/sign-in", &fields);
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/")),
        "{}",
        r.body
    );

    // A cross-site form can post JSON-looking text, but not as application/json: refused.
    let mut other = Browser::new(&server);
    let r = other.send(
        "POST",
        "/api/v1/auth/sign-in",
        "text/plain",
        &[],
        json!({"email": "lou@example.com", "password": PASSWORD})
            .to_string()
            .into_bytes(),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(!other.cookies.contains_key("intake_session"));
    // Scripts still sign in through the JSON API.
    let mut script = Browser::new(&server);
    let r = script.send(
        "POST",
        "/api/v1/auth/sign-in",
        "application/json",
        &[],
        json!({"email": "lou@example.com", "password": PASSWORD})
            .to_string()
            .into_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn auth_messages_are_in_french_on_french_pages() {
    let server = start("french-auth", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Fay Rep", "fay@example.com");
    let mut b = Browser::new(&server);
    let r = b.submit(
        "/sign-in?lang=fr",
        &[
            ("email", "fay@example.com"),
            ("password", "not the password"),
        ],
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(
        r.body
            .contains("L’adresse courriel ou le mot de passe n’est pas le bon"),
        "{}",
        r.body
    );
    let r = b.submit(
        "/sign-up",
        &[
            ("name", "Gus"),
            ("email", "gus@example.com"),
            ("email_confirmation", "gus@example.com"),
            ("password", "court"),
        ],
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("Le mot de passe est trop court"),
        "{}",
        r.body
    );
    let r = b.submit(
        "/sign-up",
        &[
            ("name", "Fay"),
            ("email", "fay@example.com"),
            ("email_confirmation", "fay@example.com"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("existe déjà"), "{}", r.body);
}
