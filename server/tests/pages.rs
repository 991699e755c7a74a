//! The portal's pages through HTTP: the real server on a loopback port with a sled store in a
//! temporary folder, driven like a browser without JavaScript (cookies kept by hand, the
//! `_csrf` field read from each page's HTML, redirects not followed).

use clap::Parser;
use server::config::Config;
use server::rules::Rules;
use server::store::{SledStore, Store};
use server::AppState;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rules() -> Arc<Rules> {
    static RULES: OnceLock<Arc<Rules>> = OnceLock::new();
    Arc::clone(RULES.get_or_init(|| Arc::new(Rules::load(engine::Sources::under(repo())).unwrap())))
}

/// Starts a server over a fresh store; returns its base URL and the store.
fn start(name: &str) -> (String, Arc<dyn Store>) {
    let data = std::env::temp_dir().join(format!("intake-pages-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let state = Arc::new(AppState {
        rules: rules(),
        store: Arc::clone(&store),
        config: Config::parse_from(["intake-server", "--data", data.to_str().unwrap()]),
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, server::router(state)).await.unwrap();
        });
    });
    (format!("http://{address}"), store)
}

/// A page: status, `Location` (redirects) and body.
struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

/// A browser: keeps its cookies, does not follow redirects.
struct Browser {
    base: String,
    agent: ureq::Agent,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new(base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .build()
                .into(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, mut r: ureq::http::Response<ureq::Body>) -> Answer {
        for set in r.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        Answer {
            status: r.status().as_u16(),
            location,
            body: r.body_mut().read_to_string().unwrap(),
        }
    }

    fn get(&mut self, path: &str) -> Answer {
        let r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .call()
            .unwrap();
        self.keep(r)
    }

    fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send_form(fields.iter().copied())
            .unwrap();
        self.keep(r)
    }

    /// Opens a page and posts its form with the page's `_csrf` and `fields`.
    fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let page = self.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let csrf = csrf_of(&page.body);
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all)
    }
}

/// The value of the page's first `_csrf` field.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a _csrf field") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

fn sign_up(b: &mut Browser, name: &str, email: &str) {
    let r = b.submit(
        "/sign-up",
        &[
            ("name", name),
            ("email", email),
            ("email_confirmation", email),
            ("password", "correct horse battery staple"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[test]
fn the_representative_flow_through_the_pages() {
    let (base, _) = start("flow");
    let mut rep = Browser::new(&base);

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
    assert!(r.body.contains("problèmes"), "{}", r.body);

    // A post without the session's CSRF token: 403, as a page.
    let r = rep.post(form, &[("visit.purpose_other", "x"), ("_action", "save")]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<html"), "{}", r.body);

    // Another representative sees none of it.
    let mut other = Browser::new(&base);
    sign_up(&mut other, "Omar Other", "omar@example.com");
    assert_eq!(other.get(&app).status, 404);
    assert_eq!(other.get(form).status, 404);
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
    let (base, store) = start("client");
    let mut rep = Browser::new(&base);
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
    let email = store
        .recent_emails(10)
        .unwrap()
        .into_iter()
        .find(|e| e.to == "olena@example.com")
        .expect("the client's email");
    let temporary = email
        .body
        .split("password:\n\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap()
        .to_string();
    let mut client = Browser::new(&base);
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
    // The representative's pages are not the client's.
    assert_eq!(client.get("/").status, 403);
    assert_eq!(client.get("/applications/2").status, 403);
}
