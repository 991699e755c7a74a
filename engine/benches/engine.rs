//! Engine benchmarks: `cargo bench -p engine`. Figures and the machine go in BENCHMARKS.md.

use engine::render::{render_form, RenderOptions};
use engine::validate::validate_form;
use engine::{decide, fixture, CapState, Catalogue, Date, Lang, Sources};
use serde_json::Value;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::LazyLock;

fn main() {
    divan::main();
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

static CATALOGUE: LazyLock<Catalogue> =
    LazyLock::new(|| Catalogue::load(&Sources::under(root())).unwrap_or_else(|e| panic!("{e}")));

/// An application as the portal stores it: forms already filled from the profile.
fn application(name: &str) -> Value {
    let mut app = fixture::read_document(&root().join("tests/applications").join(name)).unwrap();
    for program in CATALOGUE.programs() {
        engine::application::fill_from_profile(&mut app, program);
    }
    app
}

fn ukraine_owp() -> Value {
    let mut app = application("visitor-visa.json");
    let visit = &mut app["people"][0]["imm5257"]["visit"];
    visit["purpose"] = "other".into();
    visit["purpose_other"] = "Ukraine 2022 OWP".into();
    app
}

/// Load and compile every program, form, code table and script.
#[divan::bench(sample_count = 20)]
fn load_catalogue() -> Catalogue {
    Catalogue::load(&Sources::under(root())).unwrap()
}

/// Validate the IMM 5257 of a complete visitor visa application.
#[divan::bench]
fn validate_imm5257(bencher: divan::Bencher) {
    let program = CATALOGUE.program("apr.visitor-visa").unwrap();
    let form = program.form("imm5257").unwrap();
    let mut app = application("visitor-visa.json");
    engine::application::fill_from_profile(&mut app, program);
    let values = app["people"][0]["imm5257"].clone();
    bencher.bench(|| validate_form(form, black_box(&values)));
}

/// Decide a visitor visa application (validation, documents, signatures, rules, fees).
#[divan::bench]
fn decide_visitor_visa(bencher: divan::Bencher) {
    let program = CATALOGUE.program("apr.visitor-visa").unwrap();
    let app = application("visitor-visa.json");
    let day = Date::parse("2024-05-01").unwrap();
    bencher.bench(|| decide(program, black_box(&app), day, CapState::default()).unwrap());
}

/// What the stateless decide endpoint does per request, less HTTP: parse the posted bytes
/// (forms not showing the profile yet), fill the forms, decide, write the answer. Also on
/// both cores at once (`t=2`, the time per decision of each thread): what the server does
/// under load, where the two cores slow each other down.
#[divan::bench(threads = [1, 2])]
fn decide_visitor_visa_from_bytes(bencher: divan::Bencher) {
    let program = CATALOGUE.program("apr.visitor-visa").unwrap();
    let bytes = std::fs::read(root().join("tests/applications/visitor-visa.json")).unwrap();
    let day = Date::parse("2022-05-01").unwrap();
    bencher.bench(|| {
        let app: Value = serde_json::from_slice(black_box(&bytes)).unwrap();
        let decision = engine::decide_owned(program, app, day, CapState::default()).unwrap();
        serde_json::to_vec(&decision).unwrap()
    });
}

/// Only the visitor visa's rule scripts (the part of a decision spent in Rhai).
#[divan::bench]
fn rules_only_visitor_visa(bencher: divan::Bencher) {
    let program = CATALOGUE.program("apr.visitor-visa").unwrap();
    let app = application("visitor-visa.json");
    let day = Date::parse("2024-05-01").unwrap();
    bencher.bench(|| {
        engine::decide::run_rules(
            program,
            engine::application::Application::new(black_box(&app)),
            day,
        )
        .unwrap()
    });
}

/// The same with "Ukraine 2022 OWP" (waivers, creation, warnings).
#[divan::bench]
fn decide_visitor_visa_ukraine_owp(bencher: divan::Bencher) {
    let program = CATALOGUE.program("apr.visitor-visa").unwrap();
    let app = ukraine_owp();
    let day = Date::parse("2022-05-01").unwrap();
    bencher.bench(|| decide(program, black_box(&app), day, CapState::default()).unwrap());
}

/// The heaviest PR application: principal applicant, spouse and 3 dependants, every form.
#[divan::bench]
fn decide_pr_heavy(bencher: divan::Bencher) {
    let program = CATALOGUE.program("pr.spouse-partner-children").unwrap();
    let app = application("pr-spouse-heavy.json");
    let day = Date::parse("2024-06-01").unwrap();
    let d = decide(program, &app, day, CapState::default()).unwrap();
    assert!(
        d.missing.is_empty(),
        "the heavy application must be complete: {:?}",
        d.missing
    );
    bencher.bench(|| decide(program, black_box(&app), day, CapState::default()).unwrap());
}

/// Only the PR program's rule scripts on the heavy application.
#[divan::bench]
fn rules_only_pr_heavy(bencher: divan::Bencher) {
    let program = CATALOGUE.program("pr.spouse-partner-children").unwrap();
    let app = application("pr-spouse-heavy.json");
    let day = Date::parse("2024-06-01").unwrap();
    bencher.bench(|| {
        engine::decide::run_rules(
            program,
            engine::application::Application::new(black_box(&app)),
            day,
        )
        .unwrap()
    });
}

/// Only schema validation of every form and profile of the heavy application.
#[divan::bench]
fn validate_pr_heavy(bencher: divan::Bencher) {
    let program = CATALOGUE.program("pr.spouse-partner-children").unwrap();
    let app = application("pr-spouse-heavy.json");
    let people = app["people"].as_array().unwrap();
    bencher.bench(|| {
        let mut issues = 0;
        for person in people {
            issues += validate_form(program.profile(), black_box(&person["profile"])).len();
            for form in program.forms() {
                if let Some(values) = person.get(&form.id) {
                    issues += validate_form(form, black_box(values)).len();
                }
            }
        }
        issues
    });
}

/// What converting the whole heavy application into Rhai values on every decision would
/// cost (the design the rule API avoids: rules read fields by path instead).
#[divan::bench]
fn convert_pr_heavy_to_rhai(bencher: divan::Bencher) {
    let app = application("pr-spouse-heavy.json");
    bencher.bench(|| rhai::serde::to_dynamic(black_box(&app)).unwrap());
}

/// Render IMM 5257 in French with values and errors.
#[divan::bench]
fn render_imm5257(bencher: divan::Bencher) {
    let program = CATALOGUE.program("apr.visitor-visa").unwrap();
    let form = program.form("imm5257").unwrap();
    let mut app = application("visitor-visa.json");
    engine::application::fill_from_profile(&mut app, program);
    let mut values = app["people"][0]["imm5257"].clone();
    values["visit"].as_object_mut().unwrap().remove("funds");
    let errors: Vec<_> = validate_form(form, &values)
        .into_iter()
        .map(|i| engine::render::FieldError {
            path: i.path,
            message: i.message.fr,
        })
        .collect();
    let opts = RenderOptions {
        form_id: "imm5257",
        lang: Lang::Fr,
        action: "/save",
        read_only: false,
        hidden: &[],
    };
    bencher.bench(|| render_form(&form.schema, black_box(&values), &errors, &opts).unwrap());
}
