//! `waive_for` waives one person's lines of a fee; `waive` every line. Shown on a copy of the
//! visitor visa whose rules waive the principal applicant's fee only.

mod common;

use engine::{decide, fixture, CapState, Catalogue, Date, Sources};

#[test]
fn waive_for_covers_one_person_only() {
    let copy = common::CatalogueCopy::new("waivers");
    let script = copy.root.join("rules/apr/visitor-visa.rhai");
    let text = std::fs::read_to_string(&script).unwrap()
        + "\nwaive_for(principal(), \"visitor-visa\", \"ukraine-fee-waived\", #{ code: \"test\" });\n";
    std::fs::write(&script, text).unwrap();
    let catalogue = Catalogue::load(&Sources::under(&copy.root)).unwrap_or_else(|e| panic!("{e}"));
    let program = catalogue.program("apr.visitor-visa").unwrap();
    let app = fixture::read_document(
        &common::repo().join("tests/applications/visitor-visa-family-of-2.json"),
    )
    .unwrap();
    let d = decide(
        program,
        &app,
        Date::parse("2022-05-01").unwrap(),
        CapState::default(),
    )
    .unwrap();
    let visa: Vec<(Option<usize>, i64, bool)> = d
        .fees
        .items
        .iter()
        .filter(|l| l.code == "visitor-visa")
        .map(|l| (l.person, l.amount.0, l.waived.is_some()))
        .collect();
    assert_eq!(visa, vec![(Some(0), 0, true), (Some(1), 10_000, false)]);
    // 100 for the second person + 170 biometrics family maximum.
    assert_eq!(d.fees.total.0, 27_000);
}
