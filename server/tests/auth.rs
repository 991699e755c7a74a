//! Accounts and sign-in through HTTP: the real server on a loopback port with a sled store in
//! a temporary folder, driven like a browser (the session cookie kept by [`Browser`]).

use axum::routing::get;
use axum::Router;
use clap::Parser;
use serde_json::{json, Value};
use server::auth::{password, CurrentAccount};
use server::config::Config;
use server::rules::Rules;
use server::store::{now, NewAccount, Role, SledStore, Store, TemporaryPassword};
use server::AppState;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The catalogue, loaded once for every server of this file (no test changes it).
fn rules() -> Arc<Rules> {
    static RULES: OnceLock<Arc<Rules>> = OnceLock::new();
    Arc::clone(RULES.get_or_init(|| Arc::new(Rules::load(engine::Sources::under(repo())).unwrap())))
}

/// A running server and its store.
struct Server {
    base: String,
    store: Arc<dyn Store>,
}

/// Starts a server over a fresh store; `flags` are extra command-line flags. It serves one
/// more route, `GET /test/protected`, that takes a [`CurrentAccount`].
fn start(name: &str, flags: &[&str]) -> Server {
    let data = std::env::temp_dir().join(format!("intake-auth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let mut args = vec!["intake-server", "--data", data.to_str().unwrap()];
    args.extend_from_slice(flags);
    let state = Arc::new(AppState {
        rules: rules(),
        store: Arc::clone(&store),
        config: Config::parse_from(args),
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let protected = Router::new()
                .route(
                    "/test/protected",
                    get(|me: CurrentAccount| async move { me.account.email.clone() }),
                )
                .with_state(Arc::clone(&state));
            let app = server::router(state).merge(protected);
            axum::serve(listener, app).await.unwrap();
        });
    });
    Server {
        base: format!("http://{address}"),
        store,
    }
}

/// One browser: keeps the session cookie the server sets, and the last `Set-Cookie` seen.
struct Browser {
    base: String,
    agent: ureq::Agent,
    cookie: Option<String>,
    last_set_cookie: Option<String>,
}

/// A response: status and JSON body (`null` when the body is not JSON).
type Answer = (u16, Value);

impl Browser {
    fn new(server: &Server) -> Browser {
        Browser {
            base: server.base.clone(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                // A fresh connection per request (see tests/common: no reuse of a closed one).
                .max_idle_connections(0)
                .max_idle_connections_per_host(0)
                .build()
                .into(),
            cookie: None,
            last_set_cookie: None,
        }
    }

    fn keep(&mut self, mut r: ureq::http::Response<ureq::Body>) -> Answer {
        if let Some(set) = r.headers().get("set-cookie") {
            let set = set.to_str().unwrap().to_string();
            let pair = set.split(';').next().unwrap();
            let value = pair.split_once('=').unwrap().1;
            self.cookie = (!value.is_empty()).then(|| pair.to_string());
            self.last_set_cookie = Some(set);
        }
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn get(&mut self, path: &str) -> Answer {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            request = request.header("cookie", c);
        }
        let r = request.call().unwrap();
        self.keep(r)
    }

    /// Posts JSON, with the CSRF token in the header when given.
    fn post(&mut self, path: &str, body: Value, csrf: Option<&str>) -> Answer {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(c) = &self.cookie {
            request = request.header("cookie", c);
        }
        if let Some(t) = csrf {
            request = request.header("x-csrf-token", t);
        }
        let r = request.send(body.to_string()).unwrap();
        self.keep(r)
    }

    /// Posts a URL-encoded form, as a page without JavaScript does.
    fn post_form(&mut self, path: &str, form: &str) -> Answer {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = &self.cookie {
            request = request.header("cookie", c);
        }
        let r = request.send(form).unwrap();
        self.keep(r)
    }

    fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        self.post(
            "/api/v1/auth/sign-in",
            json!({"email": email, "password": password}),
            None,
        )
    }

    fn csrf(&mut self) -> String {
        let (status, me) = self.get("/api/v1/auth/me");
        assert_eq!(status, 200, "{me}");
        me["csrf_token"].as_str().unwrap().to_string()
    }
}

const PASSWORD: &str = "correct horse battery";

fn sign_up(browser: &mut Browser, email: &str) -> Answer {
    browser.post(
        "/api/v1/auth/sign-up",
        json!({"name": "Ana Rep", "email": email, "email_confirmation": email,
               "password": PASSWORD}),
        None,
    )
}

fn message(answer: &Answer) -> &str {
    answer.1["message"].as_str().unwrap_or_default()
}

/// The reset token of the latest email to this address, from the development outbox.
fn reset_token(browser: &mut Browser, to: &str) -> String {
    let (status, emails) = browser.get("/dev/outbox");
    assert_eq!(status, 200, "{emails}");
    let email = emails
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to"] == to)
        .unwrap_or_else(|| panic!("no email to {to}: {emails}"));
    let body = email["body"].as_str().unwrap();
    let start = body.find("token=").unwrap() + "token=".len();
    body[start..start + 64].to_string()
}

#[test]
fn sign_up_sign_out_sign_in_and_me() {
    let server = start("session", &["--dev-pages"]);
    let mut b = Browser::new(&server);
    assert_eq!(b.get("/api/v1/auth/me").0, 401);

    let (status, me) = sign_up(&mut b, "ana@example.com");
    assert_eq!(status, 201, "{me}");
    assert_eq!(me["account"]["role"], "representative");
    assert_eq!(me["must_change_password"], false);
    let set = b.last_set_cookie.clone().unwrap();
    assert!(set.starts_with("intake_session="), "{set}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "{set}");
    // The store keeps a digest of the token, never the token itself.
    let token = b.cookie.clone().unwrap()["intake_session=".len()..].to_string();
    assert!(server.store.session(&token).unwrap().is_none());

    let (status, me) = b.get("/api/v1/auth/me");
    assert_eq!(status, 200);
    assert_eq!(me["account"]["email"], "ana@example.com");
    assert_eq!(b.get("/test/protected").0, 200);

    // Sign-out is a state change: without the CSRF token, refused.
    let refused = b.post("/api/v1/auth/sign-out", json!({}), None);
    assert_eq!(
        (refused.0, refused.1["error"].as_str()),
        (403, Some("csrf"))
    );
    assert!(message(&refused).contains("x-csrf-token"));
    let wrong = b.post("/api/v1/auth/sign-out", json!({}), Some("0123"));
    assert_eq!(wrong.0, 403);
    let csrf = b.csrf();
    assert_eq!(
        b.post("/api/v1/auth/sign-out", json!({}), Some(&csrf)).0,
        200
    );
    assert!(b.last_set_cookie.as_deref().unwrap().contains("Max-Age=0"));
    assert_eq!(b.cookie, None);
    assert_eq!(b.get("/api/v1/auth/me").0, 401);
    assert_eq!(b.get("/test/protected").0, 401);

    // Sign in again, with the email in another case; sign out with the form field.
    let (status, me) = b.sign_in("ANA@example.com", PASSWORD);
    assert_eq!(status, 200, "{me}");
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    assert_eq!(b.post_form("/api/v1/auth/sign-out", "_csrf=nope").0, 403);
    assert_eq!(
        b.post_form("/api/v1/auth/sign-out", &format!("x=1&_csrf={csrf}"))
            .0,
        200
    );
    assert_eq!(b.get("/api/v1/auth/me").0, 401);
}

#[test]
fn sign_up_explains_what_is_wrong() {
    let server = start("sign-up", &[]);
    let mut b = Browser::new(&server);
    let mut attempt = |email: &str, confirmation: &str, password: &str| {
        b.post(
            "/api/v1/auth/sign-up",
            json!({"name": "Ana", "email": email, "email_confirmation": confirmation,
                   "password": password}),
            None,
        )
    };
    let mismatch = attempt("ana@example.com", "ana@exampel.com", PASSWORD);
    assert_eq!(mismatch.0, 400);
    assert!(
        message(&mismatch).contains("not the same"),
        "{:?}",
        mismatch
    );
    let short = attempt("ana@example.com", "ana@example.com", "short");
    assert_eq!(short.0, 400);
    assert!(message(&short).contains("at least 12 characters"));
    assert_eq!(attempt("not-an-email", "not-an-email", PASSWORD).0, 400);
    let missing = b.post("/api/v1/auth/sign-up", json!({"name": "Ana"}), None);
    assert_eq!(missing.0, 400);
    assert!(message(&missing).contains("email"), "{:?}", missing);

    assert_eq!(
        sign_up(&mut Browser::new(&server), "ana@example.com").0,
        201
    );
    let again = sign_up(&mut Browser::new(&server), "Ana@Example.com");
    assert_eq!(
        (again.0, again.1["error"].as_str()),
        (409, Some("conflict"))
    );
    assert!(message(&again).contains("already exists"));

    server
        .store
        .create_account(&NewAccount {
            role: Role::Client,
            email: "client@example.com".into(),
            name: "A Client".into(),
            password_hash: None,
        })
        .unwrap();
    let client = sign_up(&mut Browser::new(&server), "client@example.com");
    assert_eq!(client.0, 409);
    assert!(
        message(&client).contains("already used by a client account"),
        "{client:?}"
    );
}

#[test]
fn lockout_after_five_failures_and_unlock_by_reset() {
    let server = start("lockout", &["--dev-pages"]);
    let mut b = Browser::new(&server);
    assert_eq!(sign_up(&mut b, "ana@example.com").0, 201);
    let mut other = Browser::new(&server);
    assert_eq!(other.sign_in("ana@example.com", PASSWORD).0, 200);

    // Unknown email and wrong password: the same answer.
    let unknown = Browser::new(&server).sign_in("nobody@example.com", PASSWORD);
    let wrong = Browser::new(&server).sign_in("ana@example.com", "not the password");
    assert_eq!((unknown.0, wrong.0), (401, 401));
    assert_eq!(unknown.1, wrong.1);
    assert!(message(&wrong).starts_with("The email address or the password is not right"));

    for _ in 0..3 {
        assert_eq!(
            Browser::new(&server)
                .sign_in("ana@example.com", "still wrong!")
                .0,
            401
        );
    }
    let fifth = Browser::new(&server).sign_in("ana@example.com", "still wrong!");
    assert_eq!((fifth.0, fifth.1["error"].as_str()), (423, Some("locked")));
    assert!(message(&fifth).contains("reset your password"), "{fifth:?}");
    // Locked: even the right password is refused.
    assert_eq!(
        Browser::new(&server).sign_in("ana@example.com", PASSWORD).0,
        423
    );

    // Asking for a link answers the same whatever the email.
    let mut anyone = Browser::new(&server);
    let nobody = anyone.post(
        "/api/v1/auth/password-reset/request",
        json!({"email": "nobody@example.com"}),
        None,
    );
    let ana = anyone.post(
        "/api/v1/auth/password-reset/request",
        json!({"email": "ana@example.com"}),
        None,
    );
    assert_eq!((nobody.0, ana.0), (202, 202));
    assert_eq!(nobody.1, ana.1);
    let (_, emails) = anyone.get("/dev/outbox");
    assert_eq!(emails.as_array().unwrap().len(), 1, "{emails}");
    let token = reset_token(&mut anyone, "ana@example.com");

    let new_password = "a brand new passphrase";
    let weak = anyone.post(
        "/api/v1/auth/password-reset",
        json!({"token": token, "password": "short"}),
        None,
    );
    assert_eq!(weak.0, 400);
    // A weak password does not use up the link.
    let reset = anyone.post(
        "/api/v1/auth/password-reset",
        json!({"token": token, "password": new_password}),
        None,
    );
    assert_eq!(reset.0, 200, "{reset:?}");
    let reused = anyone.post(
        "/api/v1/auth/password-reset",
        json!({"token": token, "password": "yet another passphrase"}),
        None,
    );
    assert_eq!(reused.0, 400);
    assert!(
        message(&reused).contains("Ask for a new link"),
        "{reused:?}"
    );

    // Every session ended; the old password no longer works, the new one does.
    assert_eq!(other.get("/api/v1/auth/me").0, 401);
    assert_eq!(b.get("/api/v1/auth/me").0, 401);
    assert_eq!(
        Browser::new(&server).sign_in("ana@example.com", PASSWORD).0,
        401
    );
    assert_eq!(b.sign_in("ana@example.com", new_password).0, 200);
    let account = server
        .store
        .account_by_email("ana@example.com")
        .unwrap()
        .unwrap();
    assert_eq!((account.locked, account.failed_sign_ins), (false, 0));
}

#[test]
fn a_reset_link_expires() {
    let server = start("expired", &[]);
    let account = server
        .store
        .create_account(&NewAccount {
            role: Role::Representative,
            email: "ana@example.com".into(),
            name: "Ana".into(),
            password_hash: Some(password::hash_now(PASSWORD).unwrap()),
        })
        .unwrap();
    let secret = "ab".repeat(32);
    server
        .store
        .create_reset_token(
            &server::auth::token::digest(&secret),
            &server::store::ResetToken {
                account: account.id,
                expires: now() - 1,
            },
        )
        .unwrap();
    let answer = Browser::new(&server).post(
        "/api/v1/auth/password-reset",
        json!({"token": secret, "password": "a brand new passphrase"}),
        None,
    );
    assert_eq!(answer.0, 400);
    assert!(message(&answer).contains("expired"));
}

#[test]
fn a_client_signs_in_with_a_temporary_password_and_must_set_their_own() {
    let server = start("temporary", &[]);
    let client = server
        .store
        .create_account(&NewAccount {
            role: Role::Client,
            email: "client@example.com".into(),
            name: "Olena".into(),
            password_hash: None,
        })
        .unwrap();
    let temporary = "TEMP-7731-XQ";
    server
        .store
        .issue_temporary_password(
            client.id,
            &TemporaryPassword {
                hash: password::hash_now(temporary).unwrap(),
                issued: now(),
                expires: now() + 3600,
            },
        )
        .unwrap();

    let mut b = Browser::new(&server);
    let (status, me) = b.sign_in("client@example.com", temporary);
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["must_change_password"], true);
    assert_eq!(me["account"]["role"], "client");
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let refused = b.get("/test/protected");
    assert_eq!(
        (refused.0, refused.1["error"].as_str()),
        (403, Some("password_change_required"))
    );

    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let own = "olena's own passphrase";
    assert_eq!(
        b.post("/api/v1/auth/password", change(temporary, own), None)
            .0,
        403
    );
    let wrong = b.post(
        "/api/v1/auth/password",
        change("not it at all", own),
        Some(&csrf),
    );
    assert_eq!(wrong.0, 403);
    assert!(message(&wrong).contains("current password is not right"));
    let same = b.post(
        "/api/v1/auth/password",
        change(temporary, temporary),
        Some(&csrf),
    );
    assert_eq!(same.0, 400);
    let (status, me) = b.post("/api/v1/auth/password", change(temporary, own), Some(&csrf));
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["must_change_password"], false);
    assert_ne!(me["csrf_token"].as_str().unwrap(), csrf);
    assert_eq!(b.get("/test/protected").0, 200);

    // The temporary password is void; the own one works.
    assert_eq!(
        Browser::new(&server)
            .sign_in("client@example.com", temporary)
            .0,
        401
    );
    assert_eq!(
        Browser::new(&server).sign_in("client@example.com", own).0,
        200
    );
}

#[test]
fn secure_cookies_when_configured_and_no_outbox_unless_asked() {
    let server = start("secure", &["--secure-cookies"]);
    let mut b = Browser::new(&server);
    assert_eq!(sign_up(&mut b, "ana@example.com").0, 201);
    assert!(b.last_set_cookie.as_deref().unwrap().ends_with("; Secure"));
    let (status, body) = b.get("/dev/outbox");
    assert_eq!(status, 404);
    assert!(body["message"].as_str().unwrap().contains("--dev-pages"));
}
