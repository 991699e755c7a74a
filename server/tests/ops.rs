//! Running the portal, through HTTP: the configuration file and its precedence, maintenance
//! windows (banner, 503 with what was typed kept, normal after), "Report a problem" signed in
//! and out, the demo data, the password-reset rate limit, login CSRF, French auth messages,
//! and the outbox sent by SMTP.

mod common;

use common::*;
use serde_json::json;
use server::config::Config;
use server::store::{SledStore, Status, Store};
use server::AppState;
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("intake-ops-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const FILE: &str = r#"# a test configuration
address = "127.0.0.1:9999"
data = "/tmp/intake-from-file"
dev_pages = true

[smtp]
host = "smtp.example.org"
port = 2525
from = "Intake <no-reply@example.org>"
tls = "tls"

[[maintenance]]
from = "2026-12-01T02:00:00Z"
to = "2026-12-01T04:00:00Z"
message_en = "Moving to a new server."
"#;

#[test]
fn the_file_gives_what_flags_and_environment_do_not() {
    let path = temp_file("intake.toml", FILE);
    let c = Config::try_load_from(["intake-server", "--config", path.to_str().unwrap()]).unwrap();
    assert_eq!(c.address.to_string(), "127.0.0.1:9999");
    assert_eq!(c.data, std::path::PathBuf::from("/tmp/intake-from-file"));
    assert!(c.dev_pages);
    // A key the file does not give keeps its default.
    assert_eq!(c.programs, std::path::PathBuf::from("programs"));
    let smtp = c.smtp().unwrap();
    assert_eq!((smtp.host.as_str(), smtp.port), ("smtp.example.org", 2525));
    assert_eq!(c.maintenance.len(), 1);
    assert_eq!(c.maintenance[0].to - c.maintenance[0].from, 7200);
    assert_eq!(
        c.maintenance[0].message_en.as_deref(),
        Some("Moving to a new server.")
    );

    // A flag wins over the file.
    let c = Config::try_load_from([
        "intake-server",
        "--config",
        path.to_str().unwrap(),
        "--address",
        "127.0.0.1:7777",
        "--smtp-port",
        "2727",
    ])
    .unwrap();
    assert_eq!(c.address.to_string(), "127.0.0.1:7777");
    assert_eq!(c.smtp().unwrap().port, 2727);
}

/// The environment sits between the flags and the file. Setting variables while other tests
/// run is not safe, so this runs itself again in a child process with them set.
#[test]
fn the_environment_wins_over_the_file_and_loses_to_flags() {
    let path = temp_file("intake-env.toml", FILE);
    if std::env::var_os("INTAKE_OPS_CHILD").is_some() {
        let c = Config::try_load_from(["intake-server"]).unwrap();
        assert_eq!(
            c.address.to_string(),
            "127.0.0.1:6666",
            "environment over file"
        );
        assert_eq!(c.smtp().unwrap().port, 2525, "file over default");
        let c = Config::try_load_from(["intake-server", "--address", "127.0.0.1:5555"]).unwrap();
        assert_eq!(
            c.address.to_string(),
            "127.0.0.1:5555",
            "flag over environment"
        );
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_environment_wins_over_the_file_and_loses_to_flags",
            "--nocapture",
        ])
        .env("INTAKE_OPS_CHILD", "1")
        .env("INTAKE_CONFIG", &path)
        .env("INTAKE_ADDRESS", "127.0.0.1:6666")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

#[test]
fn a_bad_file_names_the_file_the_line_and_the_key() {
    let check = |name: &str, text: &str, wants: &[&str]| {
        let path = temp_file(name, text);
        let e = Config::try_load_from(["intake-server", "--config", path.to_str().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(e.contains(path.to_str().unwrap()), "{e}");
        for w in wants {
            assert!(e.contains(w), "{w:?} not in {e}");
        }
    };
    check(
        "unknown.toml",
        "data = \"d\"\nadress = \"x\"\n",
        &[":2", "adress"],
    );
    check(
        "type.toml",
        "\n\n[smtp]\nhost = \"h\"\nport = \"x\"\n",
        &[":5", "`port`"],
    );
    check(
        "window.toml",
        "[[maintenance]]\nfrom = \"tomorrow\"\nto = \"2026-12-01T04:00:00Z\"\n",
        &[":2", "maintenance[0]", "RFC 3339"],
    );
    let missing = Config::try_load_from(["intake-server", "--config", "/nonexistent/intake.toml"])
        .unwrap_err()
        .to_string();
    assert!(missing.contains("/nonexistent/intake.toml"), "{missing}");
}

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

/// A one-connection SMTP server that accepts one message and hands back its text.
fn fake_smtp() -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream);
        out.write_all(b"220 fake ESMTP\r\n").unwrap();
        let mut message = String::new();
        let mut in_data = false;
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    out.write_all(b"250 queued\r\n").unwrap();
                    tx.send(message.clone()).unwrap();
                } else {
                    message.push_str(&line);
                }
                continue;
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let answer: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 fake\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go on\r\n"
                }
                "QUIT" => {
                    out.write_all(b"221 bye\r\n").unwrap();
                    break;
                }
                _ => b"250 ok\r\n",
            };
            out.write_all(answer).unwrap();
        }
    });
    (port, rx)
}

#[test]
fn the_outbox_is_sent_by_smtp_and_marked_sent() {
    let (port, received) = fake_smtp();
    let port = port.to_string();
    let data = std::env::temp_dir().join(format!("intake-test-smtp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let config = Config::try_load_from([
        "intake-server",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--smtp-from",
        "Intake <no-reply@example.org>",
    ])
    .unwrap();
    let queued = store
        .queue_email(&server::store::NewEmail {
            to: "ana@example.com".into(),
            subject: "Hello from the outbox".into(),
            body: "It works.".into(),
        })
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _task = rt
        .block_on(async { server::mail::spawn(Arc::clone(&store), config.smtp().unwrap()) })
        .unwrap();
    let message = received
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the email reaches the SMTP server");
    assert!(
        message.contains("Subject: Hello from the outbox"),
        "{message}"
    );
    assert!(message.contains("To: ana@example.com"), "{message}");
    // Marked sent right after the server's 250.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let email = store
            .recent_emails(5)
            .unwrap()
            .into_iter()
            .find(|e| e.id == queued.id)
            .unwrap();
        if email.sent.is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the email was not marked sent"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(store.unsent_emails(10).unwrap().is_empty());
}

#[test]
fn an_unreachable_smtp_server_leaves_the_email_in_the_outbox() {
    // A port nobody listens on: bind one, then free it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port().to_string()
    };
    let data = std::env::temp_dir().join(format!("intake-test-smtp-down-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let config = Config::try_load_from([
        "intake-server",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
    ])
    .unwrap();
    store
        .queue_email(&server::store::NewEmail {
            to: "ana@example.com".into(),
            subject: "Waiting".into(),
            body: "Not sent yet.".into(),
        })
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _task = rt
        .block_on(async { server::mail::spawn(Arc::clone(&store), config.smtp().unwrap()) })
        .unwrap();
    // The first attempt is made at once and fails; the next is 30 s later.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let waiting = store.unsent_emails(10).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].sent, None);
}
