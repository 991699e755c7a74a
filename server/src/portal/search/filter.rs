//! The dashboard's and the API's search: what can be asked (client name, application
//! number, program, status, created/updated/decided from–to), checked once, and matched
//! against each application. Names match case- and accent-insensitively, and partially.

use crate::store::{parse_application_number, Application, Status, Timestamp};
use engine::{Date, Lang};
use serde::{Deserialize, Serialize};

/// The search as typed (query string of the page and of `GET /api/v1/applications`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// Part of the client's name (any case, accents optional).
    #[serde(default)]
    pub client: Option<String>,
    /// Application number (`A000000042` or `42`).
    #[serde(default)]
    pub number: Option<String>,
    /// Program id, or part of its title.
    #[serde(default)]
    pub program: Option<String>,
    /// draft, submitted, returned, accepted or paper_only.
    #[serde(default)]
    pub status: Option<String>,
    /// Created on or after (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub created_from: Option<String>,
    /// Created on or before (YYYY-MM-DD).
    #[serde(default)]
    pub created_to: Option<String>,
    /// Last changed on or after (YYYY-MM-DD).
    #[serde(default)]
    pub updated_from: Option<String>,
    /// Last changed on or before (YYYY-MM-DD).
    #[serde(default)]
    pub updated_to: Option<String>,
    /// Decided on or after (YYYY-MM-DD).
    #[serde(default)]
    pub decided_from: Option<String>,
    /// Decided on or before (YYYY-MM-DD).
    #[serde(default)]
    pub decided_to: Option<String>,
}

/// A checked search.
#[derive(Debug, Default)]
pub struct Filter {
    client: Option<String>,
    number: Option<u64>,
    program: Option<String>,
    pub status: Option<Status>,
    created: Range,
    updated: Range,
    decided: Range,
}

#[derive(Debug, Default, Clone, Copy)]
struct Range {
    from: Option<Date>,
    to: Option<Date>,
}

impl Range {
    fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    fn contains(&self, t: Option<Timestamp>) -> bool {
        if self.is_open() {
            return true;
        }
        let Some(t) = t else { return false };
        let day = Date::from_days_since_epoch((t / 86_400) as i64);
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|to| day <= to)
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Search {
    /// Checks what was typed: every problem, in the page's language.
    pub fn check(&self, lang: Lang) -> Result<Filter, Vec<String>> {
        let mut problems = Vec::new();
        let tr = |en: String, fr: String| if lang == Lang::Fr { fr } else { en };
        let mut date = |v: &Option<String>, en: &str, fr: &str| -> Option<Date> {
            let text = given(v)?;
            let d = Date::parse(text);
            if d.is_none() {
                problems.push(tr(
                    format!("{en}: enter a date as YYYY-MM-DD (for example 2026-01-31), not “{text}”."),
                    format!("{fr} : entrez une date sous la forme AAAA-MM-JJ (par exemple 2026-01-31), et non « {text} »."),
                ));
            }
            d
        };
        let created = Range {
            from: date(&self.created_from, "Created from", "Créée à partir du"),
            to: date(&self.created_to, "Created until", "Créée jusqu’au"),
        };
        let updated = Range {
            from: date(
                &self.updated_from,
                "Updated from",
                "Mise à jour à partir du",
            ),
            to: date(&self.updated_to, "Updated until", "Mise à jour jusqu’au"),
        };
        let decided = Range {
            from: date(&self.decided_from, "Decided from", "Décidée à partir du"),
            to: date(&self.decided_to, "Decided until", "Décidée jusqu’au"),
        };
        let number = given(&self.number).and_then(|n| {
            let id = parse_application_number(n);
            if id.is_none() {
                problems.push(tr(
                    format!("Application number: enter it as A000000042 or 42, not “{n}”."),
                    format!("Numéro de demande : entrez-le sous la forme A000000042 ou 42, et non « {n} »."),
                ));
            }
            id
        });
        let status = given(&self.status).and_then(|s| {
            let found = Status::ALL.into_iter().find(|st| st.as_str() == s);
            if found.is_none() {
                problems.push(tr(
                    format!("Status: choose one of draft, submitted, returned, accepted or paper_only, not “{s}”."),
                    format!("État : choisissez draft, submitted, returned, accepted ou paper_only, et non « {s} »."),
                ));
            }
            found
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Filter {
            client: given(&self.client).map(fold),
            number,
            program: given(&self.program).map(fold),
            status,
            created,
            updated,
            decided,
        })
    }
}

impl Filter {
    /// Whether the application matches; `client` is its client's name, `titles` its
    /// program's titles (English and French).
    pub fn matches(&self, app: &Application, client: &str, titles: &[&str]) -> bool {
        self.number.is_none_or(|n| app.id == n)
            && self.status.is_none_or(|s| app.status == s)
            && self
                .client
                .as_ref()
                .is_none_or(|c| fold(client).contains(c.as_str()))
            && self.program.as_ref().is_none_or(|p| {
                fold(&app.program) == *p || titles.iter().any(|t| fold(t).contains(p.as_str()))
            })
            && self.created.contains(Some(app.created))
            && self.updated.contains(Some(app.updated))
            && self.decided.contains(app.decided)
    }
}

/// Lower case, accents off, spaces collapsed: `Élodie  Côté` → `elodie cote`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            match base_letter(c) {
                Some(b) => out.push_str(b),
                None => out.push(c),
            }
        }
    }
    out
}

/// The unaccented letters of the Latin letters with diacritics names are written with.
fn base_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_accents_and_spaces() {
        assert_eq!(fold("  Élodie   CÔTÉ "), "elodie cote");
        assert_eq!(fold("Łukasz Żółć"), "lukasz zolc");
        assert!(fold("François Lefèvre").contains(&fold("lefevre")));
    }

    #[test]
    fn bad_input_is_named_in_the_language_asked() {
        let s = Search {
            created_from: Some("31/01/2026".into()),
            status: Some("lost".into()),
            ..Search::default()
        };
        let en = s.check(Lang::En).unwrap_err();
        assert_eq!(en.len(), 2);
        assert!(en[0].contains("YYYY-MM-DD"), "{en:?}");
        let fr = s.check(Lang::Fr).unwrap_err();
        assert!(fr[0].contains("AAAA-MM-JJ"), "{fr:?}");
    }
}
