//! The intake cap: a capped program returns `cap_reached` once the cap state says the limit is
//! reached, and only complete, eligible applications are ever turned away for it. No program
//! of the repository has a cap yet, so this test adds one to a copy of the visitor visa.

mod common;

use engine::{decide, fixture, CapState, Catalogue, Date, Outcome, Reason, Sources};

#[test]
fn cap_reached_only_for_complete_eligible_applications() {
    let repo = common::repo();
    let copy = common::CatalogueCopy::new("cap");
    let root = &copy.root;
    let manifest = root.join("programs/apr.visitor-visa.json");
    let text = std::fs::read_to_string(&manifest).unwrap().replacen(
        "\"forms\": [",
        "\"cap\": { \"limit\": 2750, \"title\": { \"en\": \"Visitor visas this year\", \"fr\": \"Visas de visiteur cette année\" } },\n  \"forms\": [",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    let catalogue = Catalogue::load(&Sources::under(root)).unwrap_or_else(|e| panic!("{e}"));
    let program = catalogue.program("apr.visitor-visa").unwrap();
    let app = fixture::read_document(&repo.join("tests/applications/visitor-visa.json")).unwrap();
    let day = Date::parse("2022-05-01").unwrap();

    let under = decide(program, &app, day, CapState { used: 2749 }).unwrap();
    assert_eq!(under.outcome, Outcome::Accepted);

    let full = decide(program, &app, day, CapState { used: 2750 }).unwrap();
    assert_eq!(
        (full.outcome, full.reason),
        (Outcome::Returned, Some(Reason::CapReached))
    );
    let why = full.explanation.unwrap();
    assert!(
        why.en.contains("Visitor visas this year (2750)"),
        "{}",
        why.en
    );
    assert!(
        why.fr.contains("Visas de visiteur cette année (2750)"),
        "{}",
        why.fr
    );
    assert!(full.create.is_empty());

    // An incomplete application never takes (or is refused) a place under the cap.
    let mut incomplete = app.clone();
    incomplete["documents"]
        .as_object_mut()
        .unwrap()
        .remove("photo");
    let d = decide(program, &incomplete, day, CapState { used: 2750 }).unwrap();
    assert_eq!(d.reason, Some(Reason::Incomplete));
}
