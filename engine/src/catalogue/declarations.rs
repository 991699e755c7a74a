//! Declaration texts as data: `programs/declarations/<code>.json`, each what a person agrees
//! to when signing, in English and French, as paragraphs. A manifest's signature `what` names
//! the declaration its signer makes (unless the entry gives its own `text`); the portal's own
//! declarations (the representative's, "no paper application") are required files too.
//! Resolved at load time, so a signature is never shown without its text and policy staff
//! change the wording without a release.

use crate::diagnostics::LoadError;
use crate::manifest::{Declaration, Manifest};
use crate::text::Paragraphs;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::{list, read_json, stem, Hashed};

/// The representative's declaration, made once every client has signed.
pub const REPRESENTATIVE: &str = "representative";
/// The representative's declaration that no paper application was already sent.
pub const NO_PAPER_APPLICATION: &str = "no-paper-application";

/// The declarations the portal makes on every program's application, whatever its manifest.
#[derive(Debug, Clone, Default)]
pub struct PortalDeclarations {
    pub representative: Paragraphs,
    pub no_paper_application: Paragraphs,
}

/// The declaration files, read and resolved (`includes` appended).
#[derive(Debug)]
pub(super) struct Declarations {
    /// Every file by code, for messages and the unused-file warning.
    files: BTreeMap<String, PathBuf>,
    /// Each file that read without a problem, as written.
    read: BTreeMap<String, Declaration>,
    /// The full text of each declaration that resolved without a problem.
    resolved: BTreeMap<String, Paragraphs>,
    /// The declarations some manifest's signature took its text from.
    named: BTreeSet<String>,
}

/// Reads every file of `dir`; problems go to `errors`.
pub(super) fn load(
    dir: &Path,
    files: &mut HashMap<PathBuf, Hashed>,
    errors: &mut Vec<LoadError>,
) -> Declarations {
    let mut read: BTreeMap<String, (PathBuf, Declaration)> = BTreeMap::new();
    let mut all = BTreeMap::new();
    for file in list(dir, ".json", errors) {
        let code = stem(&file, ".json");
        all.insert(code.clone(), file.clone());
        let Some(v) = read_json(&file, files, errors) else {
            continue;
        };
        match serde_json::from_value::<Declaration>(v) {
            Ok(d) => {
                let before = errors.len();
                if d.code != code {
                    errors.push(LoadError::at_pointer(
                        &file,
                        "/code",
                        format!("the code `{}` must match the file name `{code}`", d.code),
                    ));
                }
                check_paragraphs(&file, "/text", &d.text, errors);
                if errors.len() == before {
                    read.insert(code, (file, d));
                }
            }
            Err(e) => errors.push(LoadError::in_file(
                &file,
                format!("{e}: a declaration file is {{code, title: {{en, fr}}, text: {{en: [paragraphs], fr: [paragraphs]}}, includes?: [codes]}}"),
            )),
        }
    }
    let mut resolved = BTreeMap::new();
    let mut failed = BTreeSet::new();
    for code in read.keys() {
        let mut outcome = (&mut resolved, &mut failed);
        resolve(code, &read, &all, &mut Vec::new(), &mut outcome, errors);
    }
    let read = read.into_iter().map(|(code, (_, d))| (code, d)).collect();
    for (code, what) in [
        (REPRESENTATIVE, "the representative's declaration"),
        (
            NO_PAPER_APPLICATION,
            "the declaration that no paper application was sent",
        ),
    ] {
        if !all.contains_key(code) {
            errors.push(LoadError::in_file(
                dir.join(format!("{code}.json")),
                format!(
                    "{what} is missing: the portal shows it before an application is submitted"
                ),
            ));
        }
    }
    Declarations {
        files: all,
        read,
        resolved,
        named: BTreeSet::new(),
    }
}

/// The full text of `code` (its paragraphs, then those of what it includes, in order), or
/// `None` after reporting why not. `stack` holds the declarations being resolved, to refuse
/// one that includes itself; `outcome` the texts resolved so far and the codes that failed
/// (a problem is reported once, however many declarations include the broken one).
fn resolve(
    code: &str,
    read: &BTreeMap<String, (PathBuf, Declaration)>,
    all: &BTreeMap<String, PathBuf>,
    stack: &mut Vec<String>,
    outcome: &mut (&mut BTreeMap<String, Paragraphs>, &mut BTreeSet<String>),
    errors: &mut Vec<LoadError>,
) -> Option<Paragraphs> {
    if let Some(done) = outcome.0.get(code) {
        return Some(done.clone());
    }
    if outcome.1.contains(code) {
        return None;
    }
    let (file, d) = read.get(code)?; // a broken file: already reported
    stack.push(code.to_string());
    let mut text = d.text.clone();
    let mut ok = true;
    for (i, inner) in d.includes.iter().enumerate() {
        let pointer = format!("/includes/{i}");
        if stack.iter().any(|c| c == inner) {
            errors.push(LoadError::at_pointer(
                file,
                pointer,
                format!(
                    "declaration `{code}` includes `{inner}`, which includes it back ({} → {inner}): remove one of the `includes`",
                    stack.join(" → ")
                ),
            ));
            ok = false;
        } else if !all.contains_key(inner) {
            errors.push(LoadError::at_pointer(
                file,
                pointer,
                format!("unknown declaration `{inner}`: write programs/declarations/{inner}.json or remove it from `includes`"),
            ));
            ok = false;
        } else if let Some(more) = resolve(inner, read, all, stack, outcome, errors) {
            text = text.then(&more);
        } else {
            ok = false;
        }
    }
    stack.pop();
    if ok {
        outcome.0.insert(code.to_string(), text.clone());
        Some(text)
    } else {
        outcome.1.insert(code.to_string());
        None
    }
}

/// Both languages given, paragraph for paragraph, none empty.
fn check_paragraphs(file: &Path, pointer: &str, text: &Paragraphs, errors: &mut Vec<LoadError>) {
    for (lang, paragraphs, name) in [("en", &text.en, "English"), ("fr", &text.fr, "French")] {
        if paragraphs.is_empty() {
            errors.push(LoadError::at_pointer(
                file,
                format!("{pointer}/{lang}"),
                format!("the text has no paragraph in {name}: every declaration is shown in both languages"),
            ));
        }
        for (i, p) in paragraphs.iter().enumerate() {
            if p.trim().is_empty() {
                errors.push(LoadError::at_pointer(
                    file,
                    format!("{pointer}/{lang}/{i}"),
                    "an empty paragraph: remove it or write its text",
                ));
            }
        }
    }
    if !text.en.is_empty() && !text.fr.is_empty() && text.en.len() != text.fr.len() {
        errors.push(LoadError::at_pointer(
            file,
            pointer,
            format!(
                "the English text has {} paragraphs and the French {}: translate paragraph for paragraph",
                text.en.len(),
                text.fr.len()
            ),
        ));
    }
}

impl Declarations {
    /// Fills each signature of `m` without its own `text` with the declaration its `what`
    /// names; checks the texts a manifest gives itself.
    pub(super) fn fill(&mut self, file: &Path, m: &mut Manifest, errors: &mut Vec<LoadError>) {
        for (i, s) in m.signatures.iter_mut().enumerate() {
            if !s.text.is_empty() {
                check_paragraphs(file, &format!("/signatures/{i}/text"), &s.text, errors);
                continue;
            }
            if self.files.contains_key(&s.what) {
                self.named.insert(s.what.clone());
            }
            match self.resolved.get(&s.what) {
                Some(text) => s.text = text.clone(),
                // The file exists but is broken: already reported there.
                None if self.files.contains_key(&s.what) => {}
                None => errors.push(LoadError::at_pointer(
                    file,
                    format!("/signatures/{i}/what"),
                    format!(
                        "signature `{}` has no declaration text: write programs/declarations/{}.json ({{code, title, text: {{en, fr}}}}) or give this entry its own `text`",
                        s.what, s.what
                    ),
                )),
            }
        }
    }

    /// The declaration files, by code, as written (`includes` not applied).
    pub(super) fn files(&self) -> &BTreeMap<String, Declaration> {
        &self.read
    }

    /// The full text of declaration `code` (`includes` applied).
    pub(super) fn text(&self, code: &str) -> Option<&Paragraphs> {
        self.resolved.get(code)
    }

    /// The portal's own declarations (empty when their files are broken: already reported).
    pub(super) fn portal(&self) -> PortalDeclarations {
        let get = |code: &str| self.resolved.get(code).cloned().unwrap_or_default();
        PortalDeclarations {
            representative: get(REPRESENTATIVE),
            no_paper_application: get(NO_PAPER_APPLICATION),
        }
    }

    /// A warning for each declaration file no signature names (with its own `text` a
    /// signature names none), no other used declaration includes and the portal does not show.
    pub(super) fn unused(&self) -> Vec<LoadError> {
        let mut used: BTreeSet<&str> = [REPRESENTATIVE, NO_PAPER_APPLICATION].into();
        used.extend(self.named.iter().map(String::as_str));
        let mut todo: Vec<&str> = used.iter().copied().collect();
        while let Some(code) = todo.pop() {
            let includes = self.read.get(code).map(|d| d.includes.as_slice());
            for inner in includes.into_iter().flatten() {
                if used.insert(inner) {
                    todo.push(inner);
                }
            }
        }
        self.files
            .iter()
            .filter(|(code, _)| !used.contains(code.as_str()))
            .map(|(code, file)| {
                LoadError::in_file(
                    file,
                    format!("declaration `{code}` is used by no signature of any program: name it in a manifest's `signatures` (as `what`), include it in another declaration, or delete the file"),
                )
            })
            .collect()
    }
}
