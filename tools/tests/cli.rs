//! The `intake` binary as a policy author or tester runs it, from the repository root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn intake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run intake")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("intake-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `intake check` on a copy of the catalogue where one text of one file is replaced.
fn check_edited(name: &str, file: &str, from: &str, to: &str) -> Output {
    let dir = temp(name);
    for sub in ["programs", "rules"] {
        copy_dir(&repo().join(sub), &dir.join(sub));
    }
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(from),
        "{file}: `{from}` is not there any more"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    intake(&[
        "--programs",
        dir.join("programs").to_str().unwrap(),
        "--rules",
        dir.join("rules").to_str().unwrap(),
        "check",
    ])
}

#[test]
fn check_is_clean_on_the_repository() {
    let out = intake(&["check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("ok: "),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_fails_with_the_file_and_pointer() {
    let out = check_edited(
        "check",
        "programs/forms/imm5257.schema.json",
        "\"x-title-fr\": \"Nom de famille\",",
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("imm5257.schema.json at /properties/personal/properties/family_name: missing French label"), "{err}");
    assert!(err.contains("the catalogue was not loaded"), "{err}");
}

#[test]
fn check_warns_about_what_no_rule_uses() {
    let out = check_edited(
        "unused",
        "programs/apr.visitor-visa.json",
        "\"messages\": {",
        "\"messages\": {\n    \"never-shown\": { \"en\": \"Never shown\", \"fr\": \"Jamais affiché\" },",
    );
    assert!(out.status.success(), "a warning does not fail the check");
    let err = text(&out.stderr);
    assert!(
        err.contains("apr.visitor-visa.json at /messages/never-shown: message `never-shown` is defined, but no rule uses it"),
        "{err}"
    );
}

#[test]
fn a_wrong_expectation_shows_a_readable_diff_and_junit() {
    let dir = temp("wrong");
    let fixture = dir.join("wrong-fee.yaml");
    std::fs::write(
        &fixture,
        format!(
            "description: deliberately wrong\nprogram: apr.visitor-visa\nas_of: 2022-05-01\nbase: {}\n\
             application:\n  documents:\n    photo: null\nexpect:\n  outcome: accepted\n  fees:\n    visitor-visa: 50\n    total: 135\n",
            repo().join("tests/applications/visitor-visa.json").display()
        ),
    )
    .unwrap();
    let junit = dir.join("junit.xml");
    let out = intake(&[
        "test",
        fixture.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for expected in [
        "FAIL ",
        "outcome: expected accepted, got returned (incomplete)",
        "    + documents.photo   (not expected; the decision says: \"Upload the document: Digital photo\" from manifest apr.visitor-visa (documents/photo))",
        "fees.visitor-visa: expected 50.00, got 100.00",
        "fees.total: expected 135.00, got 185.00",
        "fixtures: 0 passed, 1 failed",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}` in:\n{stdout}");
    }
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<failure message=\"outcome: expected accepted, got returned (incomplete)\">"),
        "{xml}"
    );
}

#[test]
fn every_fixture_passes_from_the_command_line() {
    let out = intake(&["test"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn decide_prints_the_decision_with_its_trace() {
    let out = intake(&[
        "decide",
        "apr.visitor-visa",
        "tests/applications/visitor-visa.json",
        "--on",
        "2022-05-01",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["outcome"], "accepted");
    assert_eq!(d["fees"]["total"], 185);
    assert_eq!(d["trace"][0]["script"], "apr/visitor-visa.rhai");
    assert!(d["program_version"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
}

#[test]
fn decide_explains_a_bad_date() {
    let out = intake(&[
        "decide",
        "apr.visitor-visa",
        "tests/applications/visitor-visa.json",
        "--on",
        "2024-02-30",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`2024-02-30` is not a date: write YYYY-MM-DD"));
}

#[test]
fn render_previews_a_form_in_french() {
    let out = intake(&["render", "apr.visitor-visa", "imm5257", "--lang", "fr"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = text(&out.stdout);
    assert!(html.contains("<html lang=\"fr\""));
    assert!(html.contains("Objet de ma visite"), "no French label");
    let out = intake(&["render", "apr.visitor-visa", "imm0008"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("its forms are: profile, imm5257"));
}

#[test]
fn list_json_has_bilingual_titles() {
    let out = intake(&["list", "--json"]);
    assert!(out.status.success());
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.len() >= 2);
    for p in &list {
        assert!(
            p["title"]["en"].is_string() && p["title"]["fr"].is_string(),
            "{p}"
        );
    }
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
