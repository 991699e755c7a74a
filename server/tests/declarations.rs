//! The texts a signer and a representative agree to are program data
//! (`programs/declarations/`): the pages and the API show what the files say, in both
//! languages, and an edit by policy staff shows once the catalogue reloads, without a release.

mod common;

use common::{client_first_sign_in, new_application, sign_up, Browser};
use server::rules::Rules;
use std::path::Path;
use std::sync::Arc;

/// Replaces `from` by `to` in the file `name` of the copy's `programs/declarations/`.
fn edit_declaration(root: &Path, name: &str, from: &str, to: &str) {
    let file = root.join("programs/declarations").join(name);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from} is not in {name}");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_pages_and_the_api_show_the_declaration_files_and_their_edits() {
    let root = common::catalogue_copy("declarations");
    let rules = Arc::new(Rules::load(engine::Sources::under(&root)).unwrap());
    let server = common::start_with_rules("declarations", &[], Arc::clone(&rules));

    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Representative", "rita@example.com");
    let email = "carolina@example.com";
    let app = new_application(
        &mut rep,
        "Carolina Restrepo",
        email,
        "pr.spouse-partner-children",
    );
    common::fill_principal(
        &mut rep,
        &app,
        &common::sample_application("pr-spouse-alone"),
    );
    let id: u64 = app.rsplit('/').next().unwrap().parse().unwrap();
    let mine = format!("/my/applications/{id}");
    let mut client = Browser::new(&server);
    client_first_sign_in(
        &mut client,
        &server.store,
        email,
        "the client's own long password",
    );

    // The API gives each signature's text: its declaration's paragraphs, then the general
    // declaration it includes.
    let status = rep
        .api("GET", &format!("/api/v1/applications/{id}/signing"), None)
        .json();
    let consent = status["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["what"] == "consent-declaration")
        .expect("the program asks for the consent declaration");
    assert!(consent["text"]["en"][0]
        .as_str()
        .unwrap()
        .starts_with("I have reviewed this application"));
    assert!(consent["text"]["en"][1]
        .as_str()
        .unwrap()
        .contains("section 127"));
    assert!(consent["text"]["fr"][0]
        .as_str()
        .unwrap()
        .starts_with("J’ai examiné cette demande"));
    assert!(status["declarations"][0]["text"]["en"][0]
        .as_str()
        .unwrap()
        .starts_with("I declare that I prepared this application"));

    // Policy staff reword the IMM 5669 declaration and the representative's, in both
    // languages; the running server shows the new wording once the catalogue reloads.
    edit_declaration(
        &root,
        "imm5669-declaration.json",
        "that I have answered every question.",
        "that I have answered every question, as reworded by policy staff.",
    );
    edit_declaration(
        &root,
        "imm5669-declaration.json",
        "et que j’ai répondu à toutes les questions.",
        "et que j’ai répondu à toutes les questions, selon la nouvelle formulation.",
    );
    edit_declaration(
        &root,
        "representative.json",
        "I declare that I prepared this application",
        "I, the representative, declare that I prepared this application",
    );
    let before = client.get(&mine);
    assert!(!before.body.contains("as reworded by policy staff"));
    rules.reload().unwrap_or_else(|e| panic!("{e}"));

    let page = client.get(&mine);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("that I have answered every question, as reworded by policy staff."),
        "{}",
        page.body
    );
    assert!(page.body.contains("misrepresentation"), "{}", page.body);
    let page = client.get(&format!("{mine}?lang=fr"));
    assert!(
        page.body.contains("selon la nouvelle formulation."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("as reworded by policy staff"));
    let r = rep.get(&app);
    assert!(
        r.body
            .contains("I, the representative, declare that I prepared this application"),
        "{}",
        r.body
    );
    let r = rep.get(&format!("{app}?lang=fr"));
    assert!(
        r.body.contains("Je déclare avoir préparé cette demande"),
        "{}",
        r.body
    );

    // A broken edit (a signature left without its text) is refused: the live wording stays.
    std::fs::remove_file(root.join("programs/declarations/imm5669-declaration.json")).unwrap();
    let refused = rules
        .reload()
        .expect_err("a signature without its text loads");
    assert!(
        refused.to_string().contains("has no declaration text"),
        "{refused}"
    );
    let page = client.get(&format!("{mine}?lang=en"));
    assert!(
        page.body.contains("as reworded by policy staff"),
        "{}",
        page.body
    );
    let _ = std::fs::remove_dir_all(&root);
}
