//! Rule fixtures: an application (or a base file plus changes), a program, an as-of date and
//! the expected decision. Running one gives a list of differences a tester can read.
//! The format is documented in docs/fixtures.md.

use crate::application::set_path;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::decide::{decide, CapState};
use crate::decision::{Decision, Money, Origin};
use crate::rules::lint::CallSite;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A fixture file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// What the fixture shows, in a sentence.
    #[serde(default)]
    pub description: Option<String>,
    pub program: String,
    pub as_of: Date,
    #[serde(default)]
    pub cap_used: u64,
    /// An application file this one starts from, relative to the fixture file.
    #[serde(default)]
    pub base: Option<String>,
    /// The application, or the changes to the base (a JSON merge patch: objects merge,
    /// `null` removes, anything else replaces).
    #[serde(default)]
    pub application: Option<Value>,
    /// Values to set by path after the merge: `people[0].imm5257.visit.purpose: other`.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// Paths to remove after the merge, in order: `people[3]`, `documents.photo`.
    #[serde(default)]
    pub unset: Vec<String>,
    pub expect: Expect,
}

/// The expected decision. Only what is written is checked; lists and fee maps are exact.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub outcome: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// Keys of the missing items.
    #[serde(default)]
    pub missing: Option<Vec<String>>,
    /// Message codes of the ineligibility reasons.
    #[serde(default)]
    pub ineligible: Option<Vec<String>>,
    /// Message codes of the warnings.
    #[serde(default)]
    pub warnings: Option<Vec<String>>,
    /// Amount per fee code (summed over people; 0 when waived), and `total`.
    #[serde(default)]
    pub fees: Option<BTreeMap<String, f64>>,
    /// Codes of the fees shown as waived.
    #[serde(default)]
    pub waived: Option<Vec<String>>,
    /// Codes of the required documents (optional uploads are not listed here).
    #[serde(default)]
    pub documents: Option<Vec<String>>,
    /// Programs of the applications created with this one.
    #[serde(default)]
    pub create: Option<Vec<String>>,
    /// Message codes of the paper instructions from rules (the manifest's own are not listed).
    #[serde(default)]
    pub paper_instructions: Option<Vec<String>>,
}

/// The result of running one fixture.
#[derive(Debug)]
pub struct Outcome {
    pub file: PathBuf,
    pub name: String,
    pub program: Option<String>,
    pub description: Option<String>,
    /// Empty when the fixture passed.
    pub differences: Vec<String>,
    /// Set when the fixture could not run (bad file, unknown program, failing rule).
    pub error: Option<String>,
    pub duration: Duration,
    /// The rule call sites this decision went through.
    pub hits: Vec<CallSite>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.differences.is_empty()
    }
}

/// Reads a JSON (`.json`) or YAML (anything else) file.
pub fn read_document(file: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    parse_document(file, &text)
}

fn parse_document<T: serde::de::DeserializeOwned>(file: &Path, text: &str) -> Result<T, String> {
    if file.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(text)
            .map_err(|e| format!("{}:{}:{}: {e}", file.display(), e.line(), e.column()))
    } else {
        serde_saphyr::from_str(text).map_err(|e| format!("{}: {e}", file.display()))
    }
}

/// Every fixture file under the given files and folders (`.yaml`, `.yml`, `.json`), sorted.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out).map_err(|e| format!("{}: {e}", p.display()))?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Parsed base applications, shared by the fixtures of one run (many start from the same one).
#[derive(Default)]
pub struct Bases(std::collections::HashMap<PathBuf, Value>);

impl Bases {
    fn get(&mut self, path: &Path) -> Result<Value, String> {
        if let Some(v) = self.0.get(path) {
            return Ok(v.clone());
        }
        let v = read_document(path)?;
        self.0.insert(path.to_path_buf(), v.clone());
        Ok(v)
    }
}

/// Loads a fixture and builds its application document.
pub fn load(file: &Path) -> Result<(Fixture, Value), String> {
    load_with(file, &mut Bases::default())
}

fn load_with(file: &Path, bases: &mut Bases) -> Result<(Fixture, Value), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let mut fixture: Fixture = parse_document(file, &text)?;
    let mut doc = match &fixture.base {
        Some(base) => {
            let path = file.parent().unwrap_or(Path::new(".")).join(base);
            bases
                .get(&path)
                .map_err(|e| format!("base of {}: {e}", file.display()))?
        }
        None => Value::Object(Default::default()),
    };
    if let Some(patch) = fixture.application.take() {
        merge_patch(&mut doc, patch);
    }
    for path in &fixture.unset {
        if !crate::application::remove_path(&mut doc, path) {
            return Err(format!(
                "{}: `unset` path `{path}` does not exist in the application",
                file.display()
            ));
        }
    }
    for (path, value) in &fixture.set {
        if !set_path(&mut doc, path, value.clone()) {
            return Err(format!(
                "{}: `set` path `{path}` does not exist in the application",
                file.display()
            ));
        }
    }
    Ok((fixture, doc))
}

/// Runs many fixtures on every core; the outcomes come back in the order given.
pub fn run_all(catalogue: &Catalogue, files: &[PathBuf]) -> Vec<Outcome> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    // Each thread takes the next fixture when it is free: fixtures differ a lot in cost.
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut bases = Bases::default();
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        mine.push((i, run_with(catalogue, file, &mut bases)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("fixture thread"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, o)| o).collect()
}

/// RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge_patch(t.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other,
    }
}

/// Runs one fixture file.
pub fn run(catalogue: &Catalogue, file: &Path) -> Outcome {
    run_with(catalogue, file, &mut Bases::default())
}

fn run_with(catalogue: &Catalogue, file: &Path, bases: &mut Bases) -> Outcome {
    let started = Instant::now();
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut outcome = Outcome {
        file: file.to_path_buf(),
        name,
        program: None,
        description: None,
        differences: Vec::new(),
        error: None,
        duration: Duration::ZERO,
        hits: Vec::new(),
    };
    let result = load_with(file, bases).and_then(|(fixture, mut doc)| {
        outcome.program = Some(fixture.program.clone());
        outcome.description = fixture.description.clone();
        let program = catalogue
            .program(&fixture.program)
            .ok_or_else(|| format!("unknown program `{}`", fixture.program))?;
        // As the portal stores applications: forms filled from the profile (decide would
        // otherwise fill a copy).
        crate::application::fill_from_profile(&mut doc, program);
        let decision = decide(
            program,
            &doc,
            fixture.as_of,
            CapState {
                used: fixture.cap_used,
            },
        )
        .map_err(|e| e.to_string())?;
        Ok((fixture, decision))
    });
    match result {
        Ok((fixture, decision)) => {
            outcome.hits = decision
                .trace
                .iter()
                .map(|t| CallSite {
                    script: t.script.clone(),
                    line: t.line,
                    function: t.call.clone(),
                })
                .collect();
            outcome.differences = compare(&fixture.expect, &decision);
        }
        Err(e) => outcome.error = Some(e),
    }
    outcome.duration = started.elapsed();
    outcome
}

fn set_diff(
    differences: &mut Vec<String>,
    what: &str,
    expected: &[String],
    actual: Vec<(String, String)>,
) {
    let exp: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = actual.iter().map(|(k, _)| k.as_str()).collect();
    if exp == got {
        return;
    }
    let mut lines = vec![format!("{what}:")];
    for (k, detail) in &actual {
        if !exp.contains(k.as_str()) {
            lines.push(format!(
                "    + {k}   (not expected; the decision says: {detail})"
            ));
        }
    }
    for k in &exp {
        if !got.contains(k) {
            lines.push(format!("    - {k}   (expected, not in the decision)"));
        }
    }
    differences.push(lines.join("\n"));
}

fn origin(o: &Origin) -> String {
    o.to_string()
}

fn missing_items(d: &Decision) -> Vec<(String, String)> {
    d.missing
        .iter()
        .map(|m| {
            (
                m.key.clone(),
                format!("\"{}\" from {}", m.message.en, origin(&m.by)),
            )
        })
        .collect()
}

/// Compares a decision with what a fixture expects; one readable line (or block) per difference.
pub fn compare(expect: &Expect, d: &Decision) -> Vec<String> {
    let mut diffs = Vec::new();
    let reason = d.reason.map(|r| r.as_str());
    if expect.outcome != d.outcome.as_str() {
        let got = match reason {
            Some(r) => format!("{} ({r})", d.outcome.as_str()),
            None => d.outcome.as_str().to_string(),
        };
        diffs.push(format!("outcome: expected {}, got {got}", expect.outcome));
    }
    if let Some(r) = &expect.reason {
        if Some(r.as_str()) != reason {
            diffs.push(format!(
                "reason: expected {r}, got {}",
                reason.unwrap_or("none")
            ));
        }
    }
    if let Some(missing) = &expect.missing {
        set_diff(&mut diffs, "missing", missing, missing_items(d));
    } else if expect.outcome == "accepted" && !d.missing.is_empty() {
        set_diff(&mut diffs, "missing", &[], missing_items(d));
    }
    let notes = |notes: &[crate::decision::Note]| -> Vec<(String, String)> {
        notes
            .iter()
            .map(|n| {
                (
                    n.code.clone().unwrap_or_else(|| n.message.en.clone()),
                    format!("\"{}\" from {}", n.message.en, origin(&n.by)),
                )
            })
            .collect()
    };
    if let Some(codes) = &expect.ineligible {
        set_diff(&mut diffs, "ineligible", codes, notes(&d.ineligible));
    }
    if let Some(codes) = &expect.warnings {
        set_diff(&mut diffs, "warnings", codes, notes(&d.warnings));
    }
    if let Some(codes) = &expect.paper_instructions {
        let from_rules: Vec<_> = d
            .paper_instructions
            .iter()
            .filter(|n| matches!(n.by, Origin::Rule(_)))
            .cloned()
            .collect();
        set_diff(&mut diffs, "paper_instructions", codes, notes(&from_rules));
    }
    if let Some(fees) = &expect.fees {
        let mut actual: BTreeMap<String, i64> = BTreeMap::new();
        for line in &d.fees.items {
            *actual.entry(line.code.clone()).or_default() += line.amount.0;
        }
        actual.insert("total".into(), d.fees.total.0);
        let expected: BTreeMap<String, i64> = fees
            .iter()
            .map(|(k, v)| (k.clone(), (v * 100.0).round() as i64))
            .collect();
        for (code, cents) in &expected {
            match actual.get(code) {
                Some(got) if got == cents => {}
                Some(got) => diffs.push(format!(
                    "fees.{code}: expected {}, got {}",
                    Money(*cents),
                    Money(*got)
                )),
                None => diffs.push(format!(
                    "fees.{code}: expected {}, but the decision charges no such fee",
                    Money(*cents)
                )),
            }
        }
        for (code, got) in &actual {
            if !expected.contains_key(code) {
                let by = d
                    .fees
                    .items
                    .iter()
                    .find(|l| &l.code == code)
                    .map(|l| origin(&l.by))
                    .unwrap_or_default();
                diffs.push(format!(
                    "fees.{code}: not expected, the decision charges {} (from {by})",
                    Money(*got)
                ));
            }
        }
    }
    if let Some(codes) = &expect.waived {
        let mut actual: Vec<(String, String)> = Vec::new();
        for l in d.fees.items.iter().filter(|l| l.waived.is_some()) {
            if !actual.iter().any(|(c, _)| c == &l.code) {
                actual.push((
                    l.code.clone(),
                    l.waived.as_ref().map(|t| t.en.clone()).unwrap_or_default(),
                ));
            }
        }
        set_diff(&mut diffs, "waived", codes, actual);
    }
    if let Some(codes) = &expect.documents {
        let actual = d
            .documents
            .iter()
            .filter(|l| l.required)
            .map(|l| {
                (
                    l.code.clone(),
                    if l.provided {
                        "provided".into()
                    } else {
                        "not provided".into()
                    },
                )
            })
            .collect();
        set_diff(&mut diffs, "documents", codes, actual);
    }
    if let Some(programs) = &expect.create {
        let actual = d
            .create
            .iter()
            .map(|c| (c.program.clone(), origin(&c.by)))
            .collect();
        set_diff(&mut diffs, "create", programs, actual);
    }
    diffs
}
