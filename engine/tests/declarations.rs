//! Declaration texts as data (`programs/declarations/`): every signature of every program
//! gets its text at load time, a manifest's own text wins over the shared one, and a
//! declaration file nothing uses is reported by `intake check` as a warning.

mod common;

use engine::catalogue::declarations::{NO_PAPER_APPLICATION, REPRESENTATIVE};
use engine::{Catalogue, Sources};

fn load(root: &std::path::Path) -> Catalogue {
    Catalogue::load(&Sources::under(root)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_signature_has_its_text_in_both_languages_paragraph_for_paragraph() {
    let catalogue = load(&common::repo());
    let mut signatures = 0;
    for program in catalogue.programs() {
        for s in &program.manifest.signatures {
            signatures += 1;
            assert!(!s.text.en.is_empty(), "{} {}", program.id(), s.what);
            assert_eq!(
                s.text.en.len(),
                s.text.fr.len(),
                "{} {}",
                program.id(),
                s.what
            );
        }
        let portal = program.portal_declarations();
        assert!(!portal.representative.en.is_empty() && !portal.representative.fr.is_empty());
        assert!(!portal.no_paper_application.fr.is_empty());
        assert_ne!(portal.representative, portal.no_paper_application);
    }
    assert!(signatures > 30, "only {signatures} signatures found");
    let unused: Vec<String> = catalogue
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .filter(|w| w.contains("programs/declarations/"))
        .collect();
    assert!(unused.is_empty(), "unused declarations: {unused:?}");
}

#[test]
fn included_declarations_follow_the_declarations_own_paragraphs() {
    let catalogue = load(&common::repo());
    let program = catalogue.program("pr.pr-card").unwrap();
    let s = &program.manifest.signatures[0];
    assert_eq!(s.what, "imm5444-declaration");
    assert_eq!(s.text.en.len(), 2);
    assert!(s.text.en[0].contains("(IMM 5444)"));
    assert!(s.text.en[1].contains("section 127"));
    assert!(s.text.fr[1].contains("article 127"));
}

#[test]
fn a_manifests_own_text_wins_and_leaves_the_shared_file_unused() {
    let copy = common::CatalogueCopy::new("declaration-override");
    let manifest = copy.root.join("programs/pr.travel-document.json");
    let text = std::fs::read_to_string(&manifest).unwrap().replacen(
        r#""what": "imm5524-declaration","#,
        r#""what": "imm5524-declaration", "text": {"en": ["Own declaration."], "fr": ["Déclaration propre."]},"#,
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    let catalogue = load(&copy.root);
    let s = &catalogue
        .program("pr.travel-document")
        .unwrap()
        .manifest
        .signatures[0];
    assert_eq!(s.text.en, ["Own declaration."]);
    assert_eq!(s.text.fr, ["Déclaration propre."]);
    let warnings: Vec<String> = catalogue.warnings().iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("imm5524-declaration.json"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("used by no signature"), "{warnings:?}");
}

#[test]
fn the_portal_declarations_and_included_ones_are_not_unused() {
    // The general declaration is named by no manifest, only included; the portal's own
    // declarations by neither: none of them is reported.
    let catalogue = load(&common::repo());
    for w in catalogue.warnings() {
        for code in ["general-declaration", REPRESENTATIVE, NO_PAPER_APPLICATION] {
            assert!(!w.to_string().contains(&format!("{code}.json")), "{w}");
        }
    }
    // And a new file nothing names is.
    let copy = common::CatalogueCopy::new("declaration-unused");
    std::fs::write(
        copy.root.join("programs/declarations/spare.json"),
        r#"{"code": "spare", "title": {"en": "Spare", "fr": "Réserve"}, "text": {"en": ["A."], "fr": ["A."]}}"#,
    )
    .unwrap();
    let catalogue = load(&copy.root);
    let warnings: Vec<String> = catalogue.warnings().iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("spare.json"), "{warnings:?}");
}

#[test]
fn a_broken_declaration_is_reported_once_however_many_include_it() {
    let copy = common::CatalogueCopy::new("declaration-broken-include");
    let file = copy
        .root
        .join("programs/declarations/general-declaration.json");
    let text = std::fs::read_to_string(&file).unwrap().replacen(
        r#""code": "general-declaration","#,
        r#""code": "general-declaration", "includes": ["nowhere"],"#,
        1,
    );
    std::fs::write(&file, text).unwrap();
    let errors = Catalogue::load(&Sources::under(&copy.root))
        .expect_err("an unknown include loads")
        .to_string();
    // Four declarations include the general one; the unknown include is reported once, and
    // no signature is reported without a text (its declaration file exists).
    assert_eq!(
        errors.matches("unknown declaration `nowhere`").count(),
        1,
        "{errors}"
    );
    assert!(!errors.contains("has no declaration text"), "{errors}");
}
