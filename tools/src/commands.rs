//! One function per subcommand. Each returns the exit code, or an error message (exit 2).

use engine::{Catalogue, CapState, Date, Sources};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

type Result = std::result::Result<ExitCode, String>;

fn load(sources: &Sources) -> std::result::Result<Catalogue, String> {
    Catalogue::load(sources).map_err(|e| e.to_string())
}

pub fn check(sources: &Sources) -> Result {
    let started = Instant::now();
    match Catalogue::load(sources) {
        Ok(c) => {
            let programs = c.programs().count();
            let sites = c.call_sites().len();
            println!(
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
        println!("{}", serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?);
    } else {
        println!("{:<45} {:<6} {:<10} TITLE", "ID", "PORTAL", "GUIDE");
        for p in c.programs() {
            let m = &p.manifest;
            let portal = serde_json::to_value(m.portal).ok().and_then(|v| v.as_str().map(str::to_string));
            println!(
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

pub fn decide(sources: &Sources, program: &str, file: &Path, on: Option<&str>, cap_used: u64) -> Result {
    let c = load(sources)?;
    let p = c
        .program(program)
        .ok_or_else(|| format!("no program `{program}`: `intake list` shows them"))?;
    let doc = engine::fixture::read_document(file)?;
    let as_of = match on {
        Some(s) => s.parse::<Date>()?,
        None => engine::fixture::today(),
    };
    let d = engine::decide(p, &doc, as_of, CapState { used: cap_used }).map_err(|e| e.to_string())?;
    println!("{}", serde_json::to_string_pretty(&d).map_err(|e| e.to_string())?);
    Ok(ExitCode::SUCCESS)
}

pub fn test(_sources: &Sources, _paths: &[std::path::PathBuf], _junit: Option<&Path>, _filter: Option<&str>) -> Result {
    Err("not yet".into())
}

pub fn render(_sources: &Sources, _program: &str, _form: &str, _lang: &str, _values: Option<&Path>) -> Result {
    Err("not yet".into())
}
