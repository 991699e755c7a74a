//! Durable submits per second over HTTP: `POST /api/v1/applications/{id}/submit` from many
//! client threads at once, against the real router on a loopback port, on a sled store in a
//! real folder (every acknowledgement waits for the disk).
//!
//! ```text
//! cargo build --release -p server --example http_submit_load
//! target/release/examples/http_submit_load --clients 32 --submits 5000
//! ```
//!
//! Set-up (not timed): a representative signs up through the API; `--submits` complete
//! visitor-visa applications are stored as the portal's pages would leave them (the sample
//! `tests/applications/visitor-visa.json` with the visit moved to the coming months and a
//! person of its own each, four uploaded files, the client's signature and the two
//! declarations with the right digest). Timed: `--clients` threads, each with its own
//! keep-alive connection, submit them. Each submit is the portal's whole path: session and
//! CSRF check, what is missing (one decision), the decision, the durable store transaction
//! (decision with its trace, duplicates claim, audit), the answer. The client threads run in
//! the same process, on the same cores as the server: the figure is what two cores give when
//! they also drive the load.

use serde_json::{json, Value};
use server::config::Config;
use server::rules::Rules;
use server::store::{
    now, Audit, NewAccount, NewApplication, NewDocument, Role, SledStore, Status, Store,
};
use server::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

mod common;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    clients: usize,
    submits: usize,
    dir: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        clients: 32,
        submits: 5_000,
        dir: std::env::temp_dir().join(format!("intake-http-submit-{}", std::process::id())),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--clients" => a.clients = value().parse().expect("--clients: a number"),
            "--submits" => a.submits = value().parse().expect("--submits: a number"),
            "--dir" => a.dir = PathBuf::from(value()),
            other => panic!("unknown argument {other}: use --clients N, --submits N, --dir PATH"),
        }
    }
    a
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The sample application as person `i`, complete and signed, as of today.
fn complete_document(sample: &Value, i: usize, rep: &str) -> Value {
    let mut doc = sample.clone();
    let today = engine::Date::today().days_since_epoch();
    let day = |d: i64| json!(engine::Date::from_days_since_epoch(today + d).to_string());
    let person = &mut doc["people"][0];
    person["profile"]["identity"]["given_names"] = json!(format!("Olena {i}"));
    person["profile"]["passport"]["number"] = json!(format!("LT{i:07}"));
    person["imm5257"]["visit"]["from_date"] = day(60);
    person["imm5257"]["visit"]["to_date"] = day(120);
    let digest = server::portal::content_digest(&doc);
    for s in doc["signatures"].as_array_mut().into_iter().flatten() {
        s["name"] = json!(format!("Olena {i} Kovalenko"));
        s["date"] = day(0);
        s["signed_at"] = json!(now());
        s["digest"] = json!(digest);
    }
    let declaration = json!({"by": rep, "at": now(), "digest": digest});
    doc["declarations"] = json!({
        "representative": declaration,
        "no_paper_application": declaration,
    });
    doc
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn main() {
    let a = args();
    let _ = std::fs::remove_dir_all(&a.dir);
    let rules = Arc::new(Rules::load(engine::Sources::under(repo())).expect("the catalogue loads"));
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&a.dir).expect("open the store"));
    let config = Config::try_load_from(["intake-server", "--data", a.dir.to_str().unwrap()])
        .expect("a configuration");
    let state = Arc::new(AppState {
        rules,
        store: Arc::clone(&store),
        config,
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, server::router(state)).await.unwrap();
        });
    });

    // The representative's session, through the API.
    let rep = "load@example.com";
    let mut r = agent()
        .post(format!("{base}/api/v1/auth/sign-up"))
        .header("content-type", "application/json")
        .send(
            json!({"name": "Load Rep", "email": rep, "email_confirmation": rep,
                   "password": "correct horse battery staple"})
            .to_string(),
        )
        .unwrap();
    assert!(r.status().is_success(), "sign-up: {}", r.status());
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("intake_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let _ = r.body_mut().read_to_string();
    let me: Value = agent()
        .get(format!("{base}/api/v1/auth/me"))
        .header("cookie", &cookie)
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let csrf = me["csrf_token"].as_str().expect("a CSRF token").to_string();
    let rep_id = store.account_by_email(rep).unwrap().unwrap().id;

    // The applications, stored as the portal's pages would leave them.
    let setup = Instant::now();
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/applications/visitor-visa.json")).unwrap(),
    )
    .unwrap();
    let client = store
        .create_account(&NewAccount {
            role: Role::Client,
            email: "client@example.com".into(),
            name: "Client".into(),
            password_hash: None,
        })
        .unwrap();
    let codes: Vec<String> = sample["documents"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let ids: Vec<u64> = (0..a.submits)
        .map(|i| {
            let audit = Audit::new(rep, "set up");
            let app = store
                .create_application(
                    &NewApplication {
                        representative: rep_id,
                        client: client.id,
                        program: "apr.visitor-visa".into(),
                        status: Status::Draft,
                        data: complete_document(&sample, i, rep),
                    },
                    &audit,
                )
                .unwrap();
            for code in &codes {
                let file = NewDocument {
                    file_name: format!("{code}.pdf"),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4\n%load\n".to_vec(),
                };
                store.put_document(app.id, code, &file, &audit).unwrap();
            }
            app.id
        })
        .collect();
    store.flush().unwrap();
    println!(
        "set up {} complete applications in {:.1} s",
        ids.len(),
        setup.elapsed().as_secs_f64()
    );

    let timed = common::run(&ids, a.clients, agent, |agent, id| {
        let mut r = agent
            .post(format!("{base}/api/v1/applications/{id}/submit"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .send_empty()
            .unwrap();
        let body = r.body_mut().read_to_string().unwrap();
        assert_eq!(r.status(), 200, "submit {id}: {body}");
    });
    let accepted = store
        .applications_with_status(rep_id, Status::Accepted)
        .unwrap()
        .len();
    println!(
        "{}; {accepted} accepted",
        timed.summary(&format!(
            "durable submits over HTTP from {} clients",
            a.clients
        ))
    );
    let _ = std::fs::remove_dir_all(&a.dir);
}
