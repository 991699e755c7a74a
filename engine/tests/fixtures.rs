//! Runs every rule fixture under tests/fixtures against the repository's catalogue.

use engine::{fixture, Catalogue, Sources};
use std::path::PathBuf;

#[test]
fn every_fixture_passes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = Catalogue::load(&Sources::under(&root)).unwrap_or_else(|e| panic!("{e}"));
    let files = fixture::discover(&[root.join("tests/fixtures")]).expect("fixtures folder");
    assert!(
        files.len() >= 24,
        "expected at least 24 fixtures, found {}",
        files.len()
    );
    let mut report = String::new();
    let mut failed = 0;
    for o in fixture::run_all(&catalogue, &files) {
        let file = &o.file;
        if !o.passed() {
            failed += 1;
            report += &format!("FAIL {}\n", file.display());
            if let Some(e) = &o.error {
                report += &format!("  error: {e}\n");
            }
            for d in &o.differences {
                report += &format!("  {}\n", d.replace('\n', "\n  "));
            }
        }
    }
    println!("fixtures: {} passed, {failed} failed", files.len() - failed);
    assert!(failed == 0, "{report}");
}

/// Every program is proven by at least five fixtures of its own.
#[test]
fn every_program_has_fixtures() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = Catalogue::load(&Sources::under(&root)).unwrap_or_else(|e| panic!("{e}"));
    let mut thin = Vec::new();
    for p in catalogue.programs() {
        let dir = root.join("tests/fixtures").join(p.id());
        let n = fixture::discover(&[dir]).map(|f| f.len()).unwrap_or(0);
        if n < 5 {
            thin.push(format!(
                "{}: {n} fixture(s) in tests/fixtures/{}",
                p.id(),
                p.id()
            ));
        }
    }
    assert!(
        thin.is_empty(),
        "programs with fewer than 5 fixtures:\n{}",
        thin.join("\n")
    );
}
