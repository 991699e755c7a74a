//! `decide_owned` (the forms filled in place, for callers that own the document) decides
//! exactly as `decide` (the forms filled in a copy), on every sample application against
//! every program, including documents whose forms do not show the profile yet.

use engine::application::fill_from_profile;
use engine::{decide, decide_owned, fixture, CapState, Catalogue, Date, Sources};

#[test]
fn decide_owned_decides_as_decide() {
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = Catalogue::load(&Sources::under(&repo)).unwrap_or_else(|e| panic!("{e}"));
    let day = Date::parse("2022-05-01").unwrap();
    let mut filled_in_place = 0;
    let mut files: Vec<_> = std::fs::read_dir(repo.join("tests/applications"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let doc = fixture::read_document(&file).unwrap();
        for program in catalogue.programs() {
            let mut filled = doc.clone();
            fill_from_profile(&mut filled, program);
            if filled != doc {
                filled_in_place += 1;
            }
            let cap = CapState { used: 0 };
            assert_eq!(
                decide_owned(program, doc.clone(), day, cap),
                decide(program, &doc, day, cap),
                "{} in {}",
                file.display(),
                program.manifest.id
            );
        }
    }
    // Not a vacuous comparison: some documents did need their forms filled.
    assert!(filled_in_place > 0);
}
