//! The server on a loopback port over a copy of the catalogue, driven through HTTP.

use clap::Parser;
use server::config::Config;
use server::rules::Rules;
use server::store::SledStore;
use server::AppState;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Starts a server on 127.0.0.1 over a fresh copy of the catalogue; returns its base URL and
/// the copy's root.
fn start(name: &str) -> (String, PathBuf) {
    let root = std::env::temp_dir().join(format!("intake-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(&repo().join("programs"), &root.join("programs"));
    copy_dir(&repo().join("rules"), &root.join("rules"));
    let rules = Arc::new(Rules::load(engine::Sources::under(&root)).unwrap());
    let data = root.join("data");
    let store = Arc::new(SledStore::open(&data).unwrap());
    let config = Config::parse_from(["intake-server", "--data", data.to_str().unwrap()]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let watcher = rules.watch().unwrap();
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = server::router(Arc::new(AppState {
                rules,
                store,
                config,
            }));
            axum::serve(listener, app).await.unwrap();
            drop(watcher);
        });
    });
    (format!("http://{address}"), root)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        // A fresh connection per request (see tests/common: no reuse of a closed one).
        .max_idle_connections(0)
        .max_idle_connections_per_host(0)
        .build()
        .into()
}

fn post(url: &str, body: &str) -> (u16, serde_json::Value) {
    let mut r = agent()
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .unwrap();
    (r.status().as_u16(), r.body_mut().read_json().unwrap())
}

fn get(url: &str) -> (u16, serde_json::Value) {
    let mut r = agent().get(url).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_json().unwrap())
}

fn visitor_application() -> String {
    std::fs::read_to_string(repo().join("tests/applications/visitor-visa.json")).unwrap()
}

#[test]
fn decides_an_application_with_its_trace() {
    let (base, _) = start("decide");
    let (status, d) = post(
        &format!("{base}/api/v1/programs/apr.visitor-visa/decide?on=2022-05-01"),
        &visitor_application(),
    );
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["outcome"], "accepted");
    assert_eq!(d["fees"]["total"], 185);
    assert_eq!(d["trace"][0]["call"], "fee_for");

    let (status, d) = post(
        &format!("{base}/api/v1/programs/apr.visitor-visa/decide?on=2022-05-01&cap_used=3"),
        r#"{"people": [{"role": "principal", "profile": {}}]}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(
        (d["outcome"].as_str(), d["reason"].as_str()),
        (Some("returned"), Some("incomplete"))
    );
    let keys: Vec<&str> = d["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"people[0].profile.identity"), "{keys:?}");
    assert!(keys.contains(&"documents.passport-copy"), "{keys:?}");
}

#[test]
fn errors_say_what_is_wrong() {
    let (base, _) = start("errors");
    let (status, e) = post(&format!("{base}/api/v1/programs/apr.nope/decide"), "{}");
    assert_eq!((status, e["error"].as_str()), (404, Some("not_found")));
    let (status, e) = post(
        &format!("{base}/api/v1/programs/apr.visitor-visa/decide?on=2024-02-30"),
        "{}",
    );
    assert_eq!(status, 400);
    assert_eq!(
        e["message"],
        "on: `2024-02-30` is not a date: write YYYY-MM-DD"
    );
    let (status, e) = post(
        &format!("{base}/api/v1/programs/apr.visitor-visa/decide"),
        "{\"people\": ",
    );
    assert_eq!(status, 400);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("the body is not JSON (line 1, column 11)"),
        "{e}"
    );
    let (status, e) = post(
        &format!("{base}/api/v1/programs/apr.visitor-visa/decide"),
        "{}",
    );
    assert_eq!(status, 400);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("people[0] is the principal applicant"),
        "{e}"
    );
}

#[test]
fn validates_one_form_in_french() {
    let (base, _) = start("validate");
    let (status, messages) = post(
        &format!("{base}/api/v1/programs/apr.visitor-visa/forms/profile/validate?lang=fr"),
        r#"{"identity": {"family_name": "Kovalenko", "date_of_birth": "1990-02-30"}}"#,
    );
    assert_eq!(status, 200);
    let texts: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"« Date de naissance » doit être une date valide, écrite AAAA-MM-JJ"),
        "{texts:?}"
    );
    assert!(texts.contains(&"« Sexe » est obligatoire"), "{texts:?}");
}

/// Every path given to `.route(` in the server's source files under `dir`.
fn routes_in(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            routes_in(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices(".route(") {
                let rest = text[at + 7..].trim_start();
                if let Some(literal) = rest.strip_prefix('"') {
                    out.push(literal.split('"').next().unwrap().to_string());
                }
            }
        }
    }
}

/// The OpenAPI document describes every API route the server serves (found in the source;
/// the HTML pages are not API routes), and nothing it does not serve.
#[test]
fn the_openapi_document_lists_every_route() {
    let (base, _) = start("openapi");
    let (status, doc) = get(&format!("{base}/api/v1/openapi.json"));
    assert_eq!(status, 200);
    let documented: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut served = Vec::new();
    routes_in(&repo().join("server/src"), &mut served);
    let api: Vec<&String> = served
        .iter()
        .filter(|p| p.starts_with("/api/") || *p == "/healthz")
        .collect();
    assert!(api.len() > 20, "the scan found the routes: {served:?}");
    let undocumented: Vec<&&String> = api
        .iter()
        .filter(|p| !documented.contains(&p.as_str()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    let unserved: Vec<&&str> = documented
        .iter()
        .filter(|p| !served.iter().any(|s| s == *p))
        .collect();
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
    let (status, list) = get(&format!("{base}/api/v1/programs"));
    assert_eq!(status, 200);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "apr.visitor-visa"));
}

#[test]
fn a_broken_edit_keeps_the_old_rules_and_a_fix_is_picked_up() {
    let (base, root) = start("reload");
    let url = format!("{base}/api/v1/programs/apr.visitor-visa/decide?on=2022-05-01");
    let (_, before) = post(&url, &visitor_application());
    let version = before["program_version"].as_str().unwrap().to_string();

    // A syntax error: the service keeps deciding with the rules it had.
    let script = root.join("rules/apr/visitor-visa.rhai");
    let good = std::fs::read_to_string(&script).unwrap();
    std::fs::write(&script, format!("{good}\nlet broken = ;\n")).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let (status, during) = post(&url, &visitor_application());
    assert_eq!(status, 200);
    assert_eq!(during["program_version"].as_str().unwrap(), version);

    // A real change is picked up without a restart.
    std::fs::write(
        &script,
        format!(
            "{good}\nwarn(\"passport-expires\", #{{ name: \"x\", expiry: \"y\", to: \"z\" }});\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    loop {
        let (_, after) = post(&url, &visitor_application());
        if after["program_version"].as_str().unwrap() != version {
            assert_eq!(after["warnings"].as_array().unwrap().len(), 1);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the change was not picked up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
