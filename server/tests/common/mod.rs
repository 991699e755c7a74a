//! What the portal's HTTP tests share: the real server on a loopback port over the
//! repository's programs with a sled store in a temporary folder, and a browser without
//! JavaScript (cookies kept, redirects not followed, the `_csrf` field read from each page).
//! Each test file uses part of it.
#![allow(dead_code)]

pub mod submitting;

use serde_json::Value;
use server::config::Config;
use server::rules::Rules;
use server::store::{SledStore, Store};
use server::AppState;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The repository's programs and rules, loaded once per test binary.
pub fn rules() -> Arc<Rules> {
    static RULES: OnceLock<Arc<Rules>> = OnceLock::new();
    Arc::clone(RULES.get_or_init(|| Arc::new(Rules::load(engine::Sources::under(repo())).unwrap())))
}

/// A running server.
pub struct Server {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub data: PathBuf,
}

/// Starts a server over a fresh store in a temporary folder named after `name`; `flags` are
/// extra command-line flags (`--dev-pages`, …).
pub fn start(name: &str, flags: &[&str]) -> Server {
    start_configured(name, flags, rules(), |_| {})
}

impl Drop for Server {
    /// The store's folder goes with the test (the server thread may still hold it open: on
    /// Unix the files go once it lets go).
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// An answer: status, `Location` (redirects), headers and body.
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A browser: keeps its cookies, does not follow redirects. A clone is another tab of the
/// same session.
#[derive(Clone)]
pub struct Browser {
    pub base: String,
    agent: ureq::Agent,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(server: &Server) -> Browser {
        Browser {
            base: server.base.clone(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                // A fresh connection per request: a connection the server closes after a
                // refused post (body left unread) must not be reused by the next request,
                // which a browser would retry but this client reports as a failure.
                .max_idle_connections(0)
                .max_idle_connections_per_host(0)
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
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        Answer {
            status: r.status().as_u16(),
            location,
            headers,
            body: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    pub fn get(&mut self, path: &str) -> Answer {
        let r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .call()
            .unwrap();
        self.keep(r)
    }

    /// Posts a URL-encoded form, as a page without JavaScript does.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send_form(fields.iter().copied())
            .unwrap();
        self.keep(r)
    }

    /// Sends a raw body with its content type (multipart uploads, JSON).
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        extra_headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", content_type);
        for (k, v) in extra_headers {
            request = request.header(*k, *v);
        }
        let r = self.agent.run(request.body(body).unwrap()).unwrap();
        self.keep(r)
    }

    /// Calls the JSON API with the session's CSRF token (from `/api/v1/auth/me`) for
    /// anything but GET.
    pub fn api(&mut self, method: &str, path: &str, body: Option<Value>) -> Answer {
        if method == "GET" {
            return self.get(path);
        }
        let csrf = self.api_csrf();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.send(
            method,
            path,
            "application/json",
            &[("x-csrf-token", csrf.as_str())],
            body.into_bytes(),
        )
    }

    /// The session's CSRF token, from `/api/v1/auth/me` (empty when signed out).
    pub fn api_csrf(&mut self) -> String {
        let me = self.get("/api/v1/auth/me").json();
        me["csrf_token"].as_str().unwrap_or_default().to_string()
    }

    /// Opens a page and posts its form with the page's `_csrf` and `fields`.
    pub fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let page = self.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        self.submit_to(&page, path, fields)
    }

    /// Posts `fields` to `action` with the `_csrf` of an already opened `page`.
    pub fn submit_to(&mut self, page: &Answer, action: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = csrf_of(&page.body);
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all)
    }
}

/// The value of the page's first `_csrf` field.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a _csrf field") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Signs up a representative through the page; the browser is then signed in.
pub fn sign_up(b: &mut Browser, name: &str, email: &str) {
    let r = b.submit(
        "/sign-up",
        &[
            ("name", name),
            ("email", email),
            ("email_confirmation", email),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/"));
}

/// Starts an application through the page; returns its page's path (`/applications/1`).
pub fn new_application(b: &mut Browser, client: &str, email: &str, program: &str) -> String {
    let r = b.submit(
        "/applications/new",
        &[
            ("client_name", client),
            ("client_email", email),
            ("client_email_confirmation", email),
            ("program", program),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location.unwrap()
}

/// The temporary password in the latest email to `to` (from the outbox).
pub fn temporary_password(store: &Arc<dyn Store>, to: &str) -> String {
    let email = store
        .recent_emails(50)
        .unwrap()
        .into_iter()
        .find(|e| e.to == to && e.body.contains("password:\n\n"))
        .unwrap_or_else(|| panic!("no email with a temporary password to {to}"));
    email
        .body
        .split("password:\n\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap()
        .to_string()
}

/// Signs a client in with the temporary password and sets `password` as their own.
pub fn client_first_sign_in(b: &mut Browser, store: &Arc<dyn Store>, email: &str, password: &str) {
    let temporary = temporary_password(store, email);
    let r = b.submit("/sign-in", &[("email", email), ("password", &temporary)]);
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/password")),
        "{}",
        r.body
    );
    let r = b.submit(
        "/password",
        &[("current_password", &temporary), ("new_password", password)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

/// A complete application document from `tests/applications/`.
pub fn sample_application(name: &str) -> Value {
    let path = repo().join(format!("tests/applications/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The input name/value pairs a browser would post for a form's values (field paths).
pub fn form_pairs(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let name = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if item.is_object() {
                                form_pairs(&format!("{}[{i}]", name(k)), item, out);
                            } else {
                                form_pairs("", &serde_json::json!({ name(k): item }), out);
                            }
                        }
                    }
                    _ => form_pairs(&name(k), v, out),
                }
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Null => {}
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Fills the principal applicant's profile and every form of `doc` through the form pages
/// of the application page `app`, as the representative ("check and continue": each must
/// validate).
pub fn fill_principal(rep: &mut Browser, app: &str, doc: &Value) {
    let person = &doc["people"][0];
    let mut keys = vec!["profile".to_string()];
    keys.extend(
        person
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "profile" && *k != "role")
            .cloned(),
    );
    for key in keys {
        let mut fields = Vec::new();
        form_pairs("", &person[&key], &mut fields);
        fields.push(("_action".into(), "submit".into()));
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = rep.submit(&format!("{app}/people/0/{key}"), &fields);
        assert_eq!(r.status, 303, "{key}: {}", r.body);
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, target).unwrap();
        }
    }
}

/// A copy of the repository's `programs/` and `rules/` in a temporary folder named after
/// `name`, for a test that edits program data as policy staff would. The folder is left for
/// the test's life (the server keeps reading it).
pub fn catalogue_copy(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("intake-catalogue-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for sub in ["programs", "rules"] {
        copy_dir(&repo().join(sub), &root.join(sub));
    }
    root
}

/// The rules of a [`catalogue_copy`] with `edit` applied (a cap added, a period extended…).
pub fn edited_rules(name: &str, edit: impl Fn(&std::path::Path)) -> Arc<Rules> {
    let root = catalogue_copy(name);
    edit(&root);
    Arc::new(Rules::load(engine::Sources::under(&root)).unwrap_or_else(|e| panic!("{e}")))
}

/// Starts a server as [`start`] does, over the given rules.
pub fn start_with_rules(name: &str, flags: &[&str], rules: Arc<Rules>) -> Server {
    start_configured(name, flags, rules, |_| {})
}

/// Starts a server like [`start`], with its configuration changed by `edit` first (a clock of
/// the test's own, settings no flag gives).
pub fn start_with(name: &str, flags: &[&str], edit: impl FnOnce(&mut Config)) -> Server {
    start_configured(name, flags, rules(), edit)
}

/// Starts a server over a fresh store in a temporary folder named after `name`, with these
/// flags and rules, its configuration changed by `edit`.
pub fn start_configured(
    name: &str,
    flags: &[&str],
    rules: Arc<Rules>,
    edit: impl FnOnce(&mut Config),
) -> Server {
    let data = std::env::temp_dir().join(format!("intake-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let mut args = vec!["intake-server", "--data", data.to_str().unwrap()];
    args.extend_from_slice(flags);
    let mut config = Config::try_load_from(args).unwrap();
    edit(&mut config);
    let state = Arc::new(AppState {
        rules,
        store: Arc::clone(&store),
        config,
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
    Server {
        base: format!("http://{address}"),
        store,
        data,
    }
}

/// Makes a stored application complete, as the portal's pages would have: `doc` saved, a
/// small file uploaded for every `documents` entry of `doc`, each signature and both of the
/// representative's declarations given the digest of the content they vouch for.
pub fn complete_application(store: &Arc<dyn Store>, id: u64, doc: &Value, representative: &str) {
    use server::store::{now, Audit, NewDocument};
    let mut doc = doc.clone();
    let digest = server::portal::content_digest(&doc);
    if let Some(Value::Array(signatures)) = doc.get_mut("signatures") {
        for s in signatures {
            s["digest"] = Value::String(digest.clone());
            s["signed_at"] = serde_json::json!(now());
        }
    }
    let declaration = serde_json::json!({"by": representative, "at": now(), "digest": digest});
    doc["declarations"] = serde_json::json!({
        "representative": declaration,
        "no_paper_application": declaration,
    });
    let codes: Vec<String> = doc["documents"]
        .as_object()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    for code in codes {
        store
            .put_document(
                id,
                &code,
                &NewDocument {
                    file_name: format!("{code}.pdf"),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4\n%test\n".to_vec(),
                },
                &Audit::new(representative, format!("uploaded {code}")),
            )
            .unwrap();
    }
    store
        .save_application_data(id, &doc, &Audit::new(representative, "filled in (test)"))
        .unwrap();
}
