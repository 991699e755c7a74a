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

#[test]
fn the_openapi_document_lists_every_route() {
    let (base, _) = start("openapi");
    let (status, doc) = get(&format!("{base}/api/v1/openapi.json"));
    assert_eq!(status, 200);
    let mut paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/api/v1/applications/{id}/documents",
            "/api/v1/applications/{id}/documents/{code}",
            "/api/v1/applications/{id}/people",
            "/api/v1/applications/{id}/people/{n}",
            "/api/v1/applications/{id}/people/{n}/{form}",
            "/api/v1/auth/me",
            "/api/v1/auth/password",
            "/api/v1/auth/password-reset",
            "/api/v1/auth/password-reset/request",
            "/api/v1/auth/sign-in",
            "/api/v1/auth/sign-out",
            "/api/v1/auth/sign-up",
            "/api/v1/openapi.json",
            "/api/v1/programs",
            "/api/v1/programs/{id}",
            "/api/v1/programs/{id}/decide",
            "/api/v1/programs/{id}/forms/{form}/validate",
            "/dev/outbox",
            "/healthz"
        ]
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
