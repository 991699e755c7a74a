//! What the submit tests share: a complete visitor visa, a representative with an
//! application, and the catalogue with the Ukraine special measures open today.

use super::{edited_rules, new_application, repo, sign_up, Browser, Server};
use engine::Date;
use serde_json::{json, Value};
use server::rules::Rules;
use std::sync::Arc;

/// The repository's complete visitor visa, for a stay starting next month, with its own
/// passport number (the duplicates check tells people apart by it).
pub fn visitor_visa(passport: &str) -> Value {
    let text =
        std::fs::read_to_string(repo().join("tests/applications/visitor-visa.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let today = Date::today();
    doc["people"][0]["imm5257"]["visit"]["from_date"] = json!(today.add_months(1).to_string());
    doc["people"][0]["imm5257"]["visit"]["to_date"] = json!(today.add_months(2).to_string());
    doc["people"][0]["profile"]["passport"]["number"] = json!(passport);
    doc
}

pub fn id_of(path: &str) -> u64 {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

/// A representative signed in through the pages, with one visitor-visa application.
pub fn representative_with_application(s: &Server, who: &str) -> (Browser, u64) {
    let mut b = Browser::new(s);
    sign_up(&mut b, "Rep", &format!("{who}@example.com"));
    let path = new_application(
        &mut b,
        "Olena Kovalenko",
        &format!("olena.{who}@example.com"),
        "apr.visitor-visa",
    );
    (b, id_of(&path))
}

/// The catalogue with the special measures' window (closed since 2023) open again, in the
/// visitor visa and in the open work permit it creates, so that a decision made today on
/// "Ukraine 2022 OWP" creates the second application.
pub fn owp_rules(name: &str) -> Arc<Rules> {
    edited_rules(name, |root| {
        for program in ["apr.visitor-visa", "apr.open-work-permit-outside-canada"] {
            let file = root.join(format!("programs/{program}.json"));
            let text = std::fs::read_to_string(&file).unwrap();
            let text = text.replacen("\"to\": \"2023-07-15\"", "\"to\": null", 1);
            std::fs::write(&file, text).unwrap();
        }
    })
}
