//! What the pages show of a submit: the blockers grouped by person, and a stored decision in
//! plain words (the decision is kept as the engine's JSON, so it is read back as JSON).

use super::check::Blocker;
use engine::Lang;
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub struct Group {
    pub title: String,
    pub items: Vec<Item>,
}

#[derive(Serialize)]
pub struct Item {
    pub message: String,
    pub link: String,
}

/// The blockers by person (in order), then those about the whole application.
pub fn groups(blockers: &[Blocker], doc: &Value, lang: Lang) -> Vec<Group> {
    let app = engine::application::Application::new(doc);
    let mut groups: Vec<(Option<usize>, Group)> = Vec::new();
    for b in blockers {
        let at = match groups.iter().position(|(p, _)| *p == b.person) {
            Some(at) => at,
            None => {
                let title = match (b.person, lang) {
                    (Some(0), Lang::En) => format!("{} (principal applicant)", app.name(0)),
                    (Some(0), Lang::Fr) => format!("{} (demandeur principal)", app.name(0)),
                    (Some(n), _) => app.name(n),
                    (None, Lang::En) => "The whole application".to_string(),
                    (None, Lang::Fr) => "L’ensemble de la demande".to_string(),
                };
                groups.push((
                    b.person,
                    Group {
                        title,
                        items: Vec::new(),
                    },
                ));
                groups.len() - 1
            }
        };
        groups[at].1.items.push(Item {
            message: b.message.get(lang).to_string(),
            link: b.link.clone(),
        });
    }
    // People first, in order; the application's own items last.
    groups.sort_by_key(|(p, _)| p.map_or(usize::MAX, |n| n));
    groups.into_iter().map(|(_, g)| g).collect()
}

#[derive(Serialize)]
pub struct DecisionView {
    pub outcome: String,
    pub accepted: bool,
    pub reason: Option<String>,
    pub explanation: Option<String>,
    pub ineligible: Vec<String>,
    /// What the rules found missing or wrong.
    pub missing: Vec<String>,
    pub fees: Vec<Fee>,
    pub total: String,
    pub warnings: Vec<String>,
    pub version: String,
    pub as_of: String,
    pub trace: Vec<Step>,
}

#[derive(Serialize)]
pub struct Fee {
    pub title: String,
    /// Whom the fee is for, when it is per person.
    pub person: Option<String>,
    pub amount: String,
    pub waived: Option<String>,
}

#[derive(Serialize)]
pub struct Step {
    pub call: String,
    pub at: String,
}

fn text(v: &Value, lang: Lang) -> Option<String> {
    v.get(lang.code())
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Dollars as each language writes them: `$1,085.00`, `1 085,00 $`.
fn money(v: Option<&Value>, lang: Lang) -> String {
    let cents = (v.and_then(Value::as_f64).unwrap_or(0.0) * 100.0).round() as i64;
    let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let sep = if lang == Lang::Fr { "\u{a0}" } else { "," };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push_str(sep);
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    match lang {
        Lang::En => format!("{sign}${grouped}.{frac:02}"),
        Lang::Fr => format!("{sign}{grouped},{frac:02}\u{a0}$"),
    }
}

fn messages(list: Option<&Value>, lang: Lang, keep: impl Fn(&Value) -> bool) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|n| keep(n))
        .filter_map(|n| n.get("message").and_then(|m| text(m, lang)))
        .collect()
}

/// The outcome in words.
pub fn outcome_text(outcome: &str, lang: Lang) -> String {
    match (outcome, lang) {
        ("accepted", Lang::En) => "Accepted into processing",
        ("accepted", Lang::Fr) => "Acceptée pour traitement",
        ("returned", Lang::En) => "Returned",
        ("returned", Lang::Fr) => "Retournée",
        ("paper_only", Lang::En) => "Paper application only",
        ("paper_only", Lang::Fr) => "Demande sur papier seulement",
        (other, _) => other,
    }
    .to_string()
}

/// The reason of a returned decision in words.
pub fn reason_text(reason: &str, lang: Lang) -> String {
    match (reason, lang) {
        ("incomplete", Lang::En) => "Incomplete",
        ("incomplete", Lang::Fr) => "Incomplète",
        ("ineligible", Lang::En) => "Not eligible",
        ("ineligible", Lang::Fr) => "Non admissible",
        ("cap_reached", Lang::En) => "The intake cap is reached",
        ("cap_reached", Lang::Fr) => "Le plafond d’admission est atteint",
        ("closed", Lang::En) => "The program is not open",
        ("closed", Lang::Fr) => "Le programme n’est pas ouvert",
        (other, _) => other,
    }
    .to_string()
}

/// The people's names, in order (fee lines name whom they are for).
pub fn names(doc: &Value) -> Vec<String> {
    let app = engine::application::Application::new(doc);
    (0..app.people().len()).map(|i| app.name(i)).collect()
}

/// A stored decision (the engine's JSON) in the page's language; `names` are the people's.
pub fn decision(d: &Value, lang: Lang, names: &[String]) -> DecisionView {
    let outcome = d.get("outcome").and_then(Value::as_str).unwrap_or("");
    let by_rule = |n: &Value| n.get("by").is_some_and(|b| b.get("script").is_some());
    DecisionView {
        outcome: outcome_text(outcome, lang),
        accepted: outcome == "accepted",
        reason: d
            .get("reason")
            .and_then(Value::as_str)
            .map(|r| reason_text(r, lang)),
        explanation: d.get("explanation").and_then(|e| text(e, lang)),
        ineligible: messages(d.get("ineligible"), lang, |_| true),
        missing: messages(d.get("missing"), lang, by_rule),
        fees: d
            .pointer("/fees/items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| Fee {
                title: f
                    .get("title")
                    .and_then(|t| text(t, lang))
                    .unwrap_or_default(),
                person: f
                    .get("person")
                    .and_then(Value::as_u64)
                    .and_then(|i| names.get(i as usize).cloned()),
                amount: money(f.get("amount"), lang),
                waived: f.get("waived").and_then(|w| text(w, lang)),
            })
            .collect(),
        total: money(d.pointer("/fees/total"), lang),
        warnings: messages(d.get("warnings"), lang, |_| true),
        version: d
            .get("program_version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        as_of: d
            .get("as_of")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        trace: d
            .get("trace")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|s| Step {
                call: s
                    .get("call")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                at: format!(
                    "rules/{}:{}",
                    s.get("script").and_then(Value::as_str).unwrap_or(""),
                    s.get("line").and_then(Value::as_u64).unwrap_or(0)
                ),
            })
            .collect(),
    }
}

/// The reasons of a returned decision in a few plain words (the dashboard's flag): the
/// explanation, then what the rules said is missing or makes the client ineligible.
pub fn reasons(d: &Value, lang: Lang) -> Vec<String> {
    let v = decision(d, lang, &[]);
    v.explanation
        .into_iter()
        .chain(v.ineligible)
        .chain(v.missing)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::money;
    use engine::Lang;
    use serde_json::json;

    #[test]
    fn money_in_each_language() {
        assert_eq!(money(Some(&json!(1085)), Lang::En), "$1,085.00");
        assert_eq!(money(Some(&json!(229.77)), Lang::Fr), "229,77\u{a0}$");
        assert_eq!(money(Some(&json!(0)), Lang::En), "$0.00");
    }
}
