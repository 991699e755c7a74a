//! Broken input, data-driven: each `tests/broken/*.yaml` copies the repository's catalogue
//! into a temporary folder, breaks it as described, and says what must happen: the load
//! errors it must report (file, line or pointer, message), or the error a decision must fail
//! with and how fast (endless loops, runaway recursion).

mod common;

use engine::{decide, fixture, CapState, Catalogue, Date, Sources};
use serde::Deserialize;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code)]
    description: String,
    edits: Vec<Edit>,
    #[serde(default)]
    load_errors: Vec<String>,
    #[serde(default)]
    decide: Option<DecideCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    /// Path under the catalogue root, e.g. `rules/apr/visitor-visa.rhai`.
    file: String,
    #[serde(default)]
    append: Option<String>,
    #[serde(default)]
    replace: Option<(String, String)>,
    #[serde(default)]
    write: Option<String>,
    #[serde(default)]
    delete: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideCase {
    program: String,
    application: String,
    as_of: Date,
    error: String,
    within_ms: u64,
}

fn apply(root: &Path, edit: &Edit) -> Result<(), String> {
    let path = root.join(&edit.file);
    if edit.delete {
        return std::fs::remove_file(&path).map_err(|e| format!("delete {}: {e}", edit.file));
    }
    if let Some(content) = &edit.write {
        return std::fs::write(&path, content).map_err(|e| format!("write {}: {e}", edit.file));
    }
    let mut text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", edit.file))?;
    if let Some((from, to)) = &edit.replace {
        if !text.contains(from.as_str()) {
            return Err(format!(
                "{}: the text to replace, `{from}`, is not there any more",
                edit.file
            ));
        }
        text = text.replacen(from.as_str(), to, 1);
    }
    if let Some(more) = &edit.append {
        text.push_str(more);
    }
    std::fs::write(&path, text).map_err(|e| format!("write {}: {e}", edit.file))
}

fn run_case(file: &Path) -> Result<(), String> {
    let case: Case = serde_saphyr::from_str(&std::fs::read_to_string(file).unwrap())
        .map_err(|e| format!("bad case file: {e}"))?;
    let name = file.file_stem().unwrap().to_string_lossy().to_string();
    let copy = common::CatalogueCopy::new(&format!("broken-{name}"));
    let root = copy.root.clone();
    for edit in &case.edits {
        apply(&root, edit)?;
    }
    let loaded = Catalogue::load(&Sources::under(&root));
    let result = match (&case.decide, loaded) {
        (None, Ok(_)) => Err("the broken catalogue loaded without errors".to_string()),
        (None, Err(errors)) => {
            // Paths in messages are shown relative to the catalogue root.
            let text = errors
                .to_string()
                .replace(&format!("{}/", root.display()), "");
            let missing: Vec<&String> = case
                .load_errors
                .iter()
                .filter(|e| !text.contains(e.as_str()))
                .collect();
            if missing.is_empty() && !case.load_errors.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "expected errors not reported: {missing:?}\nreported:\n{text}"
                ))
            }
        }
        (Some(_), Err(e)) => Err(format!("the catalogue did not load: {e}")),
        (Some(d), Ok(catalogue)) => {
            let program = catalogue.program(&d.program).ok_or("unknown program")?;
            let doc = fixture::read_document(&file.parent().unwrap().join(&d.application))?;
            let started = Instant::now();
            let outcome = decide(program, &doc, d.as_of, CapState::default());
            let took = started.elapsed();
            match outcome {
                Ok(_) => Err("the decision succeeded".into()),
                Err(e) if !e.to_string().contains(&d.error) => Err(format!("wrong error: {e}")),
                Err(_) if took > Duration::from_millis(d.within_ms) => {
                    Err(format!("took {took:?}"))
                }
                Err(_) => Ok(()),
            }
        }
    };
    result
}

#[test]
fn broken_input_is_reported_precisely() {
    let files = fixture::discover(&[common::repo().join("tests/broken")]).unwrap();
    assert!(
        files.len() >= 10,
        "expected the broken-input cases, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = run_case(f) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    println!("broken-input cases: {} passed, 0 failed", files.len());
}
