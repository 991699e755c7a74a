//! Loading the catalogue: every code table, form schema, shared library script, manifest and
//! rule script under `programs/` and `rules/`, each parsed and compiled exactly once. Every
//! problem is collected in one pass; a catalogue with any problem is refused as a whole.

use crate::diagnostics::{LoadError, LoadErrors};
use crate::manifest::{FeeSchedule, Manifest};
use crate::program::Program;
use crate::rules::{self, lint, Script};

mod checks;
pub mod declarations;
use crate::schema::Form;
use checks::{check_amounts, check_code_table, check_manifest, resolve_schedules};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything loaded: programs by id, and the forms they share.
#[derive(Debug)]
pub struct Catalogue {
    programs: BTreeMap<String, Arc<Program>>,
    forms: BTreeMap<String, Arc<Form>>,
    /// Reporting call sites of the shared library (rules/lib).
    library_sites: Vec<lint::CallSite>,
    /// Problems that do not stop the catalogue (e.g. a message no rule uses).
    warnings: Vec<LoadError>,
    declarations: declarations::Declarations,
}

/// Where the catalogue comes from.
#[derive(Debug, Clone)]
pub struct Sources {
    pub programs: PathBuf,
    pub rules: PathBuf,
}

impl Sources {
    /// `programs/` and `rules/` under `root`.
    pub fn under(root: impl AsRef<Path>) -> Sources {
        Sources {
            programs: root.as_ref().join("programs"),
            rules: root.as_ref().join("rules"),
        }
    }
}

struct Hashed {
    bytes: Vec<u8>,
}

impl Catalogue {
    pub fn programs(&self) -> impl Iterator<Item = &Arc<Program>> {
        self.programs.values()
    }

    pub fn program(&self, id: &str) -> Option<&Arc<Program>> {
        self.programs.get(id)
    }

    pub fn form(&self, id: &str) -> Option<&Arc<Form>> {
        self.forms.get(id)
    }

    /// The declaration files (`programs/declarations/`) by code, as written.
    pub fn declarations(&self) -> &BTreeMap<String, crate::manifest::Declaration> {
        self.declarations.files()
    }

    /// The full text of declaration `code`, the declarations it includes appended.
    pub fn declaration_text(&self, code: &str) -> Option<&crate::text::Paragraphs> {
        self.declarations.text(code)
    }

    /// What `intake check` reports without refusing the catalogue.
    pub fn warnings(&self) -> &[LoadError] {
        &self.warnings
    }

    /// Every reporting call site, shared library included (for rule coverage).
    pub fn call_sites(&self) -> Vec<lint::CallSite> {
        let mut all: Vec<lint::CallSite> = self.library_sites.clone();
        let mut seen = std::collections::HashSet::new();
        for p in self.programs.values() {
            for s in &p.scripts {
                if seen.insert(s.path.clone()) {
                    all.extend(s.sites.iter().cloned());
                }
            }
        }
        all.sort();
        all
    }

    /// Loads everything; returns every problem found if there is any.
    pub fn load(sources: &Sources) -> Result<Catalogue, LoadErrors> {
        let mut errors: Vec<LoadError> = Vec::new();
        let mut files: HashMap<PathBuf, Hashed> = HashMap::new();

        // Code tables.
        let codes_dir = sources.programs.join("codes");
        let mut codes: BTreeMap<String, Value> = BTreeMap::new();
        let code_files = list(&codes_dir, ".json", &mut errors);
        for file in &code_files {
            let file = file.as_path();
            if let Some(v) = read_json(file, &mut files, &mut errors) {
                check_code_table(file, &v, &mut errors);
                codes.insert(stem(file, ".json"), v);
            }
        }

        // Form schemas.
        let forms_dir = sources.programs.join("forms");
        let mut forms: BTreeMap<String, Arc<Form>> = BTreeMap::new();
        for file in list(&forms_dir, ".schema.json", &mut errors) {
            let id = stem(&file, ".schema.json");
            if let Some(v) = read_json(&file, &mut files, &mut errors) {
                if let Some(form) = Form::build(&id, &file, v, &codes, &mut errors) {
                    forms.insert(id, Arc::new(form));
                }
            }
        }
        let profile_file = forms_dir.join("profile.schema.json");
        let profile = forms.get("profile").cloned();
        if profile.is_none() && !files.contains_key(&profile_file) {
            errors.push(LoadError::in_file(
                &profile_file,
                "the person profile schema is missing",
            ));
        }
        if let Some(profile) = &profile {
            for form in forms.values() {
                for (path, profile_path) in &form.profile_fields {
                    if profile.field(profile_path).is_none() {
                        errors.push(LoadError::in_file(
                            &form.file,
                            format!("field `{path}` is filled from profile field `{profile_path}`, which the profile does not have"),
                        ));
                    }
                }
            }
        }

        // Shared library: each rules/lib/<name>.rhai is module <name>.
        let mut engine = rules::new_engine();
        let mut library_sites = Vec::new();
        let mut library_literals = std::collections::HashSet::new();
        let mut warnings: Vec<LoadError> = Vec::new();
        let lib_dir = sources.rules.join("lib");
        let mut lib_files = Vec::new();
        for file in list(&lib_dir, ".rhai", &mut errors) {
            let Some(src) = read_text(&file, &mut files, &mut errors) else {
                continue;
            };
            let module = stem(&file, ".rhai");
            let name = format!("lib/{module}.rhai");
            match rules::load_library(&mut engine, &module, &name, &file, &src) {
                Ok(ast) => {
                    library_sites.extend(lint::call_sites(&name, &ast));
                    lint::string_literals(&ast, &mut library_literals);
                }
                Err(e) => errors.push(e),
            }
            lib_files.push(file);
        }
        let engine = Arc::new(engine);
        let codes = Arc::new(codes);

        // Shared fee schedules: programs/fees/*.json, each a map of schedule ids.
        let fees_dir = sources.programs.join("fees");
        let mut schedules: BTreeMap<String, FeeSchedule> = BTreeMap::new();
        let mut schedule_files = Vec::new();
        if fees_dir.is_dir() {
            schedule_files = list(&fees_dir, ".json", &mut errors);
            for file in &schedule_files {
                let Some(v) = read_json(file, &mut files, &mut errors) else {
                    continue;
                };
                match serde_json::from_value::<BTreeMap<String, FeeSchedule>>(v) {
                    Ok(map) => {
                        for (id, schedule) in map {
                            check_amounts(
                                file,
                                &format!("/{id}/amounts"),
                                &schedule.amounts,
                                &mut errors,
                            );
                            if schedules.insert(id.clone(), schedule).is_some() {
                                errors.push(LoadError::at_pointer(
                                    file,
                                    format!("/{id}"),
                                    format!("fee schedule `{id}` is defined twice"),
                                ));
                            }
                        }
                    }
                    Err(e) => errors.push(LoadError::in_file(
                        file,
                        format!("{e}: a fee schedule file maps ids to {{title, amounts, sources}}"),
                    )),
                }
            }
        }

        // Declaration texts: programs/declarations/<code>.json, what signers agree to.
        let mut declarations = declarations::load(
            &sources.programs.join("declarations"),
            &mut files,
            &mut errors,
        );
        let portal_declarations = Arc::new(declarations.portal());

        // Manifests.
        let manifest_schema_file = sources.programs.join("manifest.schema.json");
        let manifest_validator = read_json(&manifest_schema_file, &mut files, &mut errors)
            .and_then(|s| {
                match jsonschema::draft202012::options()
                    .should_validate_formats(true)
                    .build(&s)
                {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.push(LoadError::in_file(
                            &manifest_schema_file,
                            format!("not a valid JSON Schema: {e}"),
                        ));
                        None
                    }
                }
            });
        let mut manifests: Vec<(PathBuf, Manifest)> = Vec::new();
        for file in list(&sources.programs, ".json", &mut errors) {
            if file == manifest_schema_file {
                continue;
            }
            let Some(v) = read_json(&file, &mut files, &mut errors) else {
                continue;
            };
            if let Some(validator) = &manifest_validator {
                let before = errors.len();
                for e in validator.iter_errors(&v) {
                    errors.push(LoadError::at_pointer(
                        &file,
                        e.instance_path().as_str().to_string(),
                        e.to_string(),
                    ));
                }
                if errors.len() > before {
                    continue;
                }
            }
            match serde_json::from_value::<Manifest>(v) {
                Ok(mut m) => {
                    resolve_schedules(&file, &mut m, &schedules, &mut errors);
                    declarations.fill(&file, &mut m, &mut errors);
                    check_manifest(&file, &m, &forms, &mut errors);
                    manifests.push((file, m));
                }
                Err(e) => errors.push(LoadError::in_file(&file, e.to_string())),
            }
        }
        let ids: Vec<String> = manifests.iter().map(|(_, m)| m.id.clone()).collect();
        warnings.extend(declarations.unused());

        // Rule scripts, each compiled once however many programs use it.
        let mut scripts: BTreeMap<String, Option<Arc<Script>>> = BTreeMap::new();
        let mut programs = BTreeMap::new();
        for (file, manifest) in manifests {
            let mut program_scripts = Vec::new();
            for (i, name) in manifest.rules.iter().enumerate() {
                let path = sources.rules.join(name);
                let script = scripts.entry(name.clone()).or_insert_with(|| {
                    if !path.is_file() {
                        return None;
                    }
                    let src = read_text(&path, &mut files, &mut errors)?;
                    match rules::compile(&engine, name, &path, &src) {
                        Ok(ast) => Some(Arc::new(Script {
                            path: name.clone(),
                            sites: lint::call_sites(name, &ast),
                            ast,
                        })),
                        Err(e) => {
                            errors.push(e);
                            None
                        }
                    }
                });
                if !path.is_file() {
                    errors.push(LoadError::at_pointer(
                        &file,
                        format!("/rules/{i}"),
                        format!("rule script `{}` does not exist", path.display()),
                    ));
                }
                if let Some(s) = script {
                    program_scripts.push(s.clone());
                }
            }
            let Some(profile) = profile.clone() else {
                continue;
            };
            let program_forms: Vec<Arc<Form>> = manifest
                .forms
                .iter()
                .filter_map(|u| forms.get(&u.form).cloned())
                .collect();
            if program_forms.len() != manifest.forms.len()
                || program_scripts.len() != manifest.rules.len()
            {
                continue; // already reported
            }
            let ctx = lint::Context {
                manifest: &manifest,
                forms: &forms,
                profile: &profile,
                programs: &ids,
            };
            let mut literals = library_literals.clone();
            for s in &program_scripts {
                lint::check(&ctx, &sources.rules.join(&s.path), &s.ast, &mut errors);
                lint::string_literals(&s.ast, &mut literals);
            }
            warnings.extend(lint::unused(&file, &manifest, &literals));
            for (i, fee) in manifest.fees.iter().enumerate() {
                if let Some(first) = fee
                    .amounts
                    .first()
                    .filter(|a| a.from > manifest.effective.from)
                {
                    warnings.push(LoadError::at_pointer(
                        &file,
                        format!("/fees/{i}"),
                        format!(
                            "fee `{}` has no amount before {}, but the program accepts applications from {}: a rule charging it earlier fails",
                            fee.code, first.from, manifest.effective.from
                        ),
                    ));
                }
            }
            // The version covers every file whose content can change a decision.
            let mut used: Vec<&PathBuf> = vec![&file, &profile.file];
            used.extend(program_forms.iter().map(|f| &f.file));
            let script_paths: Vec<PathBuf> = manifest
                .rules
                .iter()
                .map(|r| sources.rules.join(r))
                .collect();
            used.extend(script_paths.iter());
            used.extend(lib_files.iter());
            used.extend(schedule_files.iter());
            used.extend(code_files.iter());
            let version = version_of(&used, &files, sources);
            let id = manifest.id.clone();
            programs.insert(
                id,
                Arc::new(Program {
                    manifest,
                    file,
                    forms: program_forms,
                    profile,
                    scripts: program_scripts,
                    rhai: engine.clone(),
                    codes: codes.clone(),
                    declarations: portal_declarations.clone(),
                    version,
                }),
            );
        }

        if errors.is_empty() {
            Ok(Catalogue {
                programs,
                forms,
                library_sites,
                warnings,
                declarations,
            })
        } else {
            Err(LoadErrors(errors))
        }
    }
}

fn stem(file: &Path, suffix: &str) -> String {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.strip_suffix(suffix).unwrap_or(name).to_string()
}

/// Files in `dir` ending with `suffix`, sorted. A missing folder is an error.
fn list(dir: &Path, suffix: &str, errors: &mut Vec<LoadError>) -> Vec<PathBuf> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError::in_file(dir, format!("cannot read folder: {e}")));
            return Vec::new();
        }
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(suffix))
        })
        .collect();
    out.sort();
    out
}

fn read_text(
    file: &Path,
    files: &mut HashMap<PathBuf, Hashed>,
    errors: &mut Vec<LoadError>,
) -> Option<String> {
    match fs::read(file) {
        Ok(bytes) => match String::from_utf8(bytes.clone()) {
            Ok(s) => {
                files.insert(file.to_path_buf(), Hashed { bytes });
                Some(s)
            }
            Err(e) => {
                errors.push(LoadError::in_file(file, format!("not UTF-8 text: {e}")));
                None
            }
        },
        Err(e) => {
            errors.push(LoadError::in_file(file, format!("cannot read: {e}")));
            None
        }
    }
}

fn read_json(
    file: &Path,
    files: &mut HashMap<PathBuf, Hashed>,
    errors: &mut Vec<LoadError>,
) -> Option<Value> {
    let text = read_text(file, files, errors)?;
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            let what = e.to_string();
            let what = what.split(" at line ").next().unwrap_or_default();
            errors.push(LoadError::at_line(
                file,
                e.line(),
                e.column(),
                format!("bad JSON: {what}"),
            ));
            None
        }
    }
}

fn version_of(used: &[&PathBuf], files: &HashMap<PathBuf, Hashed>, sources: &Sources) -> String {
    let mut sorted: Vec<&&PathBuf> = used.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut h = Sha256::new();
    for p in sorted {
        if let Some(f) = files.get(*p) {
            // Paths relative to the catalogue folders, so a checkout anywhere hashes the same.
            let name = match (
                p.strip_prefix(&sources.programs),
                p.strip_prefix(&sources.rules),
            ) {
                (Ok(rel), _) => format!("programs/{}", rel.display()),
                (_, Ok(rel)) => format!("rules/{}", rel.display()),
                _ => p.display().to_string(),
            };
            h.update(name.as_bytes());
            h.update([0]);
            h.update(&f.bytes);
            h.update([0]);
        }
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
