//! The fee receipt (`"required": "when_fees_charged"`) follows the fees the decision charges:
//! required, by the manifest entry, while anything is payable; not asked for once every fee is
//! waived. Shown on the EMPP, whose rules waive every fee but the RPRF, and on a copy of it
//! whose rules waive the RPRF too.

mod common;

use engine::decision::Origin;
use engine::{decide, fixture, CapState, Catalogue, Date, Decision, Outcome, Reason, Sources};

const PROGRAM: &str = "pr.economic-mobility-pathways";

/// The EMPP base application without its fee receipt, decided by the catalogue under `root`.
fn decide_without_receipt(root: &std::path::Path) -> Decision {
    let catalogue = Catalogue::load(&Sources::under(root)).unwrap_or_else(|e| panic!("{e}"));
    let program = catalogue.program(PROGRAM).unwrap();
    let mut app =
        fixture::read_document(&common::repo().join("tests/applications/pr-empp.json")).unwrap();
    let documents = app["documents"].as_object_mut().unwrap();
    assert!(
        documents.remove("fee-receipt").is_some(),
        "the base has a receipt"
    );
    decide(
        program,
        &app,
        Date::parse("2023-06-01").unwrap(),
        CapState::default(),
    )
    .unwrap()
}

#[test]
fn receipt_required_by_the_manifest_while_a_fee_is_payable() {
    let d = decide_without_receipt(&common::repo());
    // Processing and biometrics fees are waived, the RPRF (2 x 515) is not.
    assert_eq!(d.fees.total.0, 103_000);
    assert_eq!(d.outcome, Outcome::Returned);
    assert_eq!(d.reason, Some(Reason::Incomplete));
    let keys: Vec<&str> = d.missing.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["documents.fee-receipt"]);
    let manifest_entry = Origin::Manifest {
        manifest: PROGRAM.into(),
        entry: "documents/fee-receipt".into(),
    };
    assert_eq!(d.missing[0].by, manifest_entry);
    let line = d
        .documents
        .iter()
        .find(|l| l.code == "fee-receipt")
        .unwrap();
    assert!(line.required && !line.provided);
    assert_eq!(line.by, manifest_entry);
}

#[test]
fn receipt_not_asked_for_when_every_fee_is_waived() {
    let copy = common::CatalogueCopy::new("fee-receipt");
    let script = copy.root.join("rules/pr/empp.rhai");
    let text =
        std::fs::read_to_string(&script).unwrap() + "\nwaive(\"rprf\", \"empp-fee-waived\");\n";
    std::fs::write(&script, text).unwrap();
    let d = decide_without_receipt(&copy.root);
    assert!(!d.fees.items.is_empty(), "the fees are still shown");
    assert!(d.fees.items.iter().all(|l| l.waived.is_some()));
    assert_eq!(d.fees.total.0, 0);
    assert_eq!(d.outcome, Outcome::Accepted, "missing: {:?}", d.missing);
    assert!(d.documents.iter().all(|l| l.code != "fee-receipt"));
}
