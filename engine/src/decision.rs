//! The decision: what intake says about one application, with everything that led to it.

use crate::date::Date;
use crate::rules::Source;
use crate::text::Text;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Returned,
    PaperOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Outside the program's effective dates.
    Closed,
    Incomplete,
    Ineligible,
    CapReached,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Returned => "returned",
            Outcome::PaperOnly => "paper_only",
        }
    }
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Closed => "closed",
            Reason::Incomplete => "incomplete",
            Reason::Ineligible => "ineligible",
            Reason::CapReached => "cap_reached",
        }
    }
}

/// An amount in cents, shown as dollars (`229.77`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

impl Money {
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.dollars())
        }
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Who or what produced an item: a rule (script and line), a form schema keyword, or the
/// manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Origin {
    Rule(Source),
    Schema { form: String, keyword: String },
    Manifest { manifest: String, entry: String },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Rule(s) => write!(f, "rules/{}:{}", s.script, s.line),
            Origin::Schema { form, keyword } => write!(f, "schema {form} ({keyword})"),
            Origin::Manifest { manifest, entry } => write!(f, "manifest {manifest} ({entry})"),
        }
    }
}

/// Something missing or wrong that makes the application incomplete.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    /// Stable key testers match on: `people[0].imm5257.visit.purpose_other`,
    /// `documents.passport-copy`, `signatures.consent-declaration.people[0]`.
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<usize>,
    /// The message code, when a rule reported it by code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: Text,
    pub by: Origin,
}

/// A message from a rule (ineligibility, warning, paper instructions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// The message code in the manifest, when the rule gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: Text,
    pub by: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeeLine {
    pub code: String,
    pub title: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<usize>,
    pub amount: Money,
    /// Set when the fee is waived: `amount` is then 0 and `charged` what it would have been.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<Origin>,
    pub charged: Money,
    pub by: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fees {
    pub items: Vec<FeeLine>,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentLine {
    pub code: String,
    pub title: Text,
    /// Mandatory (always, or because a rule said so); an optional document is listed only
    /// when it was uploaded.
    pub required: bool,
    pub provided: bool,
    pub by: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Creation {
    pub program: String,
    pub by: Origin,
}

/// What intake decides about one application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub program: String,
    pub program_version: String,
    pub as_of: Date,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// Why, in plain words, when returned or paper only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Text>,
    pub missing: Vec<Missing>,
    pub ineligible: Vec<Note>,
    pub paper_instructions: Vec<Note>,
    pub fees: Fees,
    pub documents: Vec<DocumentLine>,
    pub create: Vec<Creation>,
    pub warnings: Vec<Note>,
    /// Every rule call that reported something, in the order the rules made them.
    pub trace: Vec<TraceStep>,
}

/// One reporting call of a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStep {
    pub call: String,
    pub script: String,
    pub line: usize,
}
