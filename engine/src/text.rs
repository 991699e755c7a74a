//! Bilingual text: the two official languages and a text given in both.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A user's language. Every message the engine shows exists in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// Parses `en` or `fr` (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A text in English and French.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub fr: String,
}

impl Text {
    pub fn new(en: impl Into<String>, fr: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            fr: fr.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }

    /// Replaces `{name}` in both languages by the value given for `name`.
    pub fn fill(&self, vars: &[(String, String)]) -> Text {
        if vars.is_empty() {
            return self.clone();
        }
        let fill_one = |s: &str| {
            let mut out = s.to_string();
            for (name, value) in vars {
                out = out.replace(&format!("{{{name}}}"), value);
            }
            out
        };
        Text {
            en: fill_one(&self.en),
            fr: fill_one(&self.fr),
        }
    }
}

/// A longer text in English and French, as paragraphs: what a signer agrees to. Both
/// languages have the same paragraphs, in the same order (the catalogue checks it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paragraphs {
    pub en: Vec<String>,
    pub fr: Vec<String>,
}

impl Paragraphs {
    /// The paragraphs in `lang`.
    pub fn get(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.fr.is_empty()
    }

    /// `self`'s paragraphs followed by `more`'s.
    pub fn then(&self, more: &Paragraphs) -> Paragraphs {
        Paragraphs {
            en: self.en.iter().chain(&more.en).cloned().collect(),
            fr: self.fr.iter().chain(&more.fr).cloned().collect(),
        }
    }
}
