//! One function per subcommand. Each returns the exit code, or an error message (exit 2).

use engine::render::{render_page, FieldError, RenderOptions};
use engine::validate::validate_form;
use engine::{fixture, CapState, Catalogue, Date, Lang, Sources};
use std::collections::BTreeSet;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

type Result = std::result::Result<ExitCode, String>;

/// `println!` that stops quietly when stdout is a closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        out(&format!($($arg)*))
    };
}

/// Prints to stdout; a closed pipe (`intake decide … | head`) ends the output quietly.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

fn load(sources: &Sources) -> std::result::Result<Catalogue, String> {
    Catalogue::load(sources).map_err(|e| e.to_string())
}

pub fn check(sources: &Sources) -> Result {
    let started = Instant::now();
    match Catalogue::load(sources) {
        Ok(c) => {
            for w in c.warnings() {
                eprintln!("warning: {w}");
            }
            let programs = c.programs().count();
            let sites = c.call_sites().len();
            say!(
                "ok: {programs} programs, {sites} rule call sites, loaded in {} ms",
                started.elapsed().as_millis()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn list(sources: &Sources, json: bool) -> Result {
    let c = load(sources)?;
    if json {
        let rows: Vec<serde_json::Value> = c
            .programs()
            .map(|p| {
                let m = &p.manifest;
                serde_json::json!({
                    "id": m.id,
                    "title": m.title,
                    "portal": m.portal,
                    "guide": m.guide,
                    "effective": m.effective,
                    "forms": m.forms.iter().map(|f| &f.form).collect::<Vec<_>>(),
                    "cap": m.cap.as_ref().map(|c| c.limit),
                    "version": p.version,
                })
            })
            .collect();
        say!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?
        );
    } else {
        say!("{:<45} {:<6} {:<10} TITLE", "ID", "PORTAL", "GUIDE");
        for p in c.programs() {
            let m = &p.manifest;
            let portal = serde_json::to_value(m.portal)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string));
            say!(
                "{:<45} {:<6} {:<10} {}",
                m.id,
                portal.unwrap_or_default(),
                m.guide.as_deref().unwrap_or("-"),
                m.title.en
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn decide(
    sources: &Sources,
    program: &str,
    file: &Path,
    on: Option<&str>,
    cap_used: u64,
) -> Result {
    let c = load(sources)?;
    let p = c
        .program(program)
        .ok_or_else(|| format!("no program `{program}`: `intake list` shows them"))?;
    let doc = engine::fixture::read_document(file)?;
    let as_of = match on {
        Some(s) => s.parse::<Date>()?,
        None => Date::today(),
    };
    let d =
        engine::decide(p, &doc, as_of, CapState { used: cap_used }).map_err(|e| e.to_string())?;
    say!(
        "{}",
        serde_json::to_string_pretty(&d).map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}

pub fn test(
    sources: &Sources,
    paths: &[PathBuf],
    junit: Option<&Path>,
    filter: Option<&str>,
) -> Result {
    let c = load(sources)?;
    let roots = if paths.is_empty() {
        vec![PathBuf::from("tests/fixtures")]
    } else {
        paths.to_vec()
    };
    let mut files = fixture::discover(&roots)?;
    if let Some(f) = filter {
        files.retain(|p| p.to_string_lossy().contains(f));
    }
    let started = Instant::now();
    let outcomes: Vec<fixture::Outcome> = fixture::run_all(&c, &files);
    let elapsed = started.elapsed();
    let failed: Vec<&fixture::Outcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    for o in &failed {
        say!("FAIL {}", o.file.display());
        if let Some(d) = &o.description {
            say!("  ({d})");
        }
        if let Some(e) = &o.error {
            say!("  error: {e}");
        }
        for d in &o.differences {
            for line in d.lines() {
                say!("  {line}");
            }
        }
        say!("");
    }
    // Rule coverage: reporting call sites that no fixture went through, in the scripts of the
    // programs these fixtures test (all of them, shared library included, for a full run).
    let hit: BTreeSet<(String, usize)> = outcomes
        .iter()
        .flat_map(|o| o.hits.iter().map(|h| (h.script.clone(), h.line)))
        .collect();
    let full_run = filter.is_none() && paths.is_empty();
    let tested_scripts: BTreeSet<String> = outcomes
        .iter()
        .filter_map(|o| o.program.as_deref().and_then(|id| c.program(id)))
        .flat_map(|p| p.scripts().iter().map(|s| s.path.clone()))
        .collect();
    let unexercised: Vec<_> = c
        .call_sites()
        .into_iter()
        .filter(|s| full_run || tested_scripts.contains(&s.script))
        .filter(|s| !hit.contains(&(s.script.clone(), s.line)))
        .collect();
    if !unexercised.is_empty() {
        say!(
            "rule call sites no fixture exercised ({}):",
            unexercised.len()
        );
        for s in &unexercised {
            say!("  rules/{}:{}  {}", s.script, s.line, s.function);
        }
        say!("");
    }
    if let Some(path) = junit {
        std::fs::write(path, junit_xml(&outcomes, elapsed))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let per_second = if elapsed.as_secs_f64() > 0.0 {
        outcomes.len() as f64 / elapsed.as_secs_f64()
    } else {
        0.0
    };
    say!(
        "{} fixtures in {} ms ({:.0} per second)",
        outcomes.len(),
        elapsed.as_millis(),
        per_second
    );
    // The summary alone on the last line, as CI runners expect it.
    say!(
        "fixtures: {} passed, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A JUnit XML report: one test case per fixture, grouped by program.
fn junit_xml(outcomes: &[fixture::Outcome], elapsed: std::time::Duration) -> String {
    let failures = outcomes.iter().filter(|o| !o.passed()).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x += &format!(
        "<testsuites name=\"intake fixtures\" tests=\"{}\" failures=\"{failures}\" time=\"{:.3}\">\n",
        outcomes.len(),
        elapsed.as_secs_f64()
    );
    let mut by_program: std::collections::BTreeMap<String, Vec<&fixture::Outcome>> =
        Default::default();
    for o in outcomes {
        by_program
            .entry(o.program.clone().unwrap_or_else(|| "unknown".into()))
            .or_default()
            .push(o);
    }
    for (program, cases) in by_program {
        let f = cases.iter().filter(|o| !o.passed()).count();
        x += &format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\">\n",
            xml_escape(&program),
            cases.len()
        );
        for o in cases {
            x += &format!(
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.6}\"",
                xml_escape(&program),
                xml_escape(&o.name),
                xml_escape(&o.file.display().to_string()),
                o.duration.as_secs_f64()
            );
            if o.passed() {
                x += "/>\n";
            } else {
                let mut body = o.error.clone().unwrap_or_default();
                for d in &o.differences {
                    body += d;
                    body += "\n";
                }
                let first = body.lines().next().unwrap_or("failed").to_string();
                x += &format!(
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml_escape(&first),
                    xml_escape(&body)
                );
            }
        }
        x += "  </testsuite>\n";
    }
    x += "</testsuites>\n";
    x
}

pub fn render(
    sources: &Sources,
    program: &str,
    form: &str,
    lang: &str,
    values: Option<&Path>,
) -> Result {
    let c = load(sources)?;
    let p = c
        .program(program)
        .ok_or_else(|| format!("no program `{program}`: `intake list` shows them"))?;
    let f = if form == "profile" {
        p.profile()
    } else {
        p.form(form).map(|f| f.as_ref()).ok_or_else(|| {
            let forms: Vec<&str> = p.forms().map(|f| f.id.as_str()).collect();
            format!(
                "program {program} has no form `{form}`; its forms are: profile, {}",
                forms.join(", ")
            )
        })?
    };
    let lang = Lang::parse(lang).ok_or_else(|| format!("--lang must be en or fr, not `{lang}`"))?;
    let (values, errors) = match values {
        Some(file) => {
            let mut v = fixture::read_document(file)?;
            // A whole application: show the principal applicant's form, filled from the profile.
            if v.get("people").is_some() {
                engine::application::fill_from_profile(&mut v, p);
                let person = &v["people"][0];
                v = if f.id == "profile" {
                    person["profile"].clone()
                } else {
                    person[f.id.as_str()].clone()
                };
            }
            let errors = validate_form(f, &v)
                .into_iter()
                .map(|i| FieldError {
                    path: i.path,
                    message: i.message.get(lang).to_string(),
                })
                .collect();
            (v, errors)
        }
        None => (serde_json::Value::Object(Default::default()), Vec::new()),
    };
    let opts = RenderOptions {
        form_id: &f.id,
        lang,
        action: "#",
        read_only: false,
        hidden: &[],
    };
    let html = render_page(&f.schema, &values, &errors, &opts).map_err(|e| e.to_string())?;
    out(&html);
    Ok(ExitCode::SUCCESS)
}

pub fn docs(sources: &Sources, out: &Path, check: bool) -> Result {
    let c = load(sources)?;
    let files = [
        (out.join("programs.md"), crate::docs::programs(&c)),
        (out.join("assumptions.md"), crate::docs::assumptions(&c)),
    ];
    let mut stale = Vec::new();
    for (path, text) in &files {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if &current == text {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            say!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        eprintln!("out of date: {} (run `intake docs`)", stale.join(", "));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
