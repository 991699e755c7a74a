//! Durable submits per second: `Store::submit` from many threads at once, in-process, on a
//! sled store in a real folder (so every acknowledgement waits for the disk).
//!
//! ```text
//! cargo run --release -p server --example submit_load -- --threads 64 --submits 20000
//! ```
//!
//! It creates one representative, one client and `--submits` draft applications, flushes,
//! then starts the clock: `--threads` threads submit them (each its own share), every submit
//! storing a real decision (the engine's on `tests/applications/visitor-visa.json`, about
//! 4 KB of JSON with its trace), claiming the principal applicant for the duplicates check
//! and taking a place under a cap. It prints the submits per second and the latency
//! percentiles; `--check` reopens the store afterwards and verifies every submit is there.
//!
//! The threads stand for the server's blocking pool (`spawn_blocking`), where the portal's
//! submit handler runs `Store::submit`; the HTTP cost of a submit is the decide benchmark's.

use server::store::{
    Audit, CapClaim, NewAccount, NewApplication, PersonKey, Role, SledStore, Status, Store,
    Submission,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

mod common;

// The allocator intake-server uses (see its main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    threads: usize,
    submits: usize,
    dir: PathBuf,
    check: bool,
}

fn args() -> Args {
    let mut a = Args {
        threads: 64,
        submits: 20_000,
        dir: std::env::temp_dir().join(format!("intake-submit-load-{}", std::process::id())),
        check: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--threads" => a.threads = value().parse().expect("--threads: a number"),
            "--submits" => a.submits = value().parse().expect("--submits: a number"),
            "--dir" => a.dir = PathBuf::from(value()),
            "--check" => a.check = true,
            other => panic!(
                "unknown argument {other}: use --threads N, --submits N, --dir PATH, --check"
            ),
        }
    }
    a
}

/// The engine's decision on the sample visitor visa, as the portal stores it.
fn sample_decision() -> (String, serde_json::Value) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = engine::Catalogue::load(&engine::Sources::under(&root))
        .unwrap_or_else(|e| panic!("the catalogue does not load: {e}"));
    let program = catalogue
        .program("apr.visitor-visa")
        .expect("apr.visitor-visa is in the catalogue");
    let text = std::fs::read_to_string(root.join("tests/applications/visitor-visa.json"))
        .expect("tests/applications/visitor-visa.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the sample is JSON");
    let on = "2022-05-01".parse().expect("a date");
    let decision = engine::decide(program, &doc, on, engine::CapState { used: 0 })
        .expect("the sample decides");
    (
        program.version.clone(),
        serde_json::to_value(decision).expect("a decision serialises"),
    )
}

/// This process's CPU time so far (user and system, every thread), from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line (the state, field 3, is index 0 here); the
    // kernel counts them in clock ticks of 1/100 s on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let a = args();
    let (version, decision) = sample_decision();
    println!(
        "decision stored with each submit: {} bytes of JSON",
        serde_json::to_vec(&decision).unwrap().len()
    );
    let _ = std::fs::remove_dir_all(&a.dir);
    let store = Arc::new(SledStore::open(&a.dir).expect("open the store"));
    let rep = store
        .create_account(&NewAccount {
            role: Role::Representative,
            email: "rep@example.com".into(),
            name: "Rep".into(),
            password_hash: Some("hash".into()),
        })
        .unwrap();
    let client = store
        .create_account(&NewAccount {
            role: Role::Client,
            email: "client@example.com".into(),
            name: "Client".into(),
            password_hash: None,
        })
        .unwrap();
    let setup = Instant::now();
    let ids: Vec<u64> = (0..a.submits)
        .map(|_| {
            store
                .create_application(
                    &NewApplication {
                        representative: rep.id,
                        client: client.id,
                        program: "apr.visitor-visa".into(),
                        status: Status::Draft,
                        data: serde_json::json!({}),
                    },
                    &Audit::new("rep@example.com", "created"),
                )
                .unwrap()
                .id
        })
        .collect();
    store.flush().unwrap();
    println!(
        "created {} draft applications in {:.2} s",
        ids.len(),
        setup.elapsed().as_secs_f64()
    );

    let cpu_before = cpu_seconds();
    let timed = common::run(
        &ids,
        a.threads,
        || (),
        |_, id| {
            let submission = Submission {
                application: id,
                status: Status::Accepted,
                program_version: version.clone(),
                decision: decision.clone(),
                audit: Audit::new("rep@example.com", "submitted: accepted"),
                cap: Some(CapClaim {
                    period: "2022".into(),
                    limit: u64::MAX,
                }),
                persons: Some(vec![PersonKey::new(
                    &format!("Person {id}"),
                    "1988-04-12",
                    &format!("FA{id}"),
                )]),
            };
            store.submit(&submission).expect("submit");
        },
    );
    let cpu = cpu_seconds() - cpu_before;
    println!(
        "{}",
        timed.summary(&format!("durable submits from {} threads", a.threads))
    );
    // The machine may be shared: the CPU time per submit says what it costs on its own.
    println!(
        "CPU time per submit: {:.0} us (user and system, all threads)",
        cpu / timed.latencies.len() as f64 * 1e6
    );
    if a.check {
        // Simulate nothing else: reopen and count what the acknowledgements promised.
        drop(store);
        let store = SledStore::open(&a.dir).expect("reopen the store");
        let accepted = store
            .applications_with_status(rep.id, Status::Accepted)
            .unwrap()
            .len();
        assert_eq!(accepted, ids.len(), "every acknowledged submit is stored");
        assert_eq!(
            store.cap_used("apr.visitor-visa", "2022").unwrap(),
            ids.len() as u64
        );
        println!("checked after reopening: {accepted} accepted, cap used {accepted}");
    }
    let _ = std::fs::remove_dir_all(&a.dir);
}
