//! The program manifest: what a program is, which forms, documents, signatures and fees it
//! has, and which rule scripts decide it. Checked against `programs/manifest.schema.json`
//! before it is read, so the structs here can trust their input's shape.

use crate::date::Date;
use crate::text::{Paragraphs, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(rename = "$schema", default, skip_serializing)]
    pub schema: Option<String>,
    pub id: String,
    pub version: String,
    pub title: Text,
    pub portal: Portal,
    #[serde(default)]
    pub guide: Option<String>,
    pub effective: Window,
    #[serde(default)]
    pub forms: Vec<FormUse>,
    #[serde(default)]
    pub documents: Vec<DocumentItem>,
    #[serde(default)]
    pub signatures: Vec<SignatureItem>,
    #[serde(default)]
    pub fees: Vec<FeeItem>,
    #[serde(default)]
    pub cap: Option<Cap>,
    #[serde(default)]
    pub periods: BTreeMap<String, Period>,
    #[serde(default)]
    pub messages: BTreeMap<String, Text>,
    /// Tables and figures rules read with `data(name)` (an income table, a list of codes):
    /// policy data kept where policy staff edit it, not in a script.
    #[serde(default)]
    pub data: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub paper_instructions: Option<Text>,
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Portal {
    Pr,
    Apr,
    Paper,
}

/// A closed date range; `to: None` means open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub from: Date,
    #[serde(default)]
    pub to: Option<Date>,
}

impl Window {
    pub fn contains(&self, day: Date) -> bool {
        day >= self.from && self.to.is_none_or(|to| day <= to)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilledBy {
    /// The principal applicant only.
    Principal,
    /// The principal applicant and each family member 18 or older.
    Adults,
    /// Each person other than the principal applicant.
    Dependants,
    Everyone,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormUse {
    pub form: String,
    pub filled_by: FilledBy,
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    Always,
    Optional,
    WhenRulesSay,
    /// Required when the decision charges a fee (total after waivers above 0): the fee
    /// receipt, which has nothing to show when every fee is waived or none applies.
    WhenFeesCharged,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentItem {
    pub code: String,
    pub title: Text,
    pub required: Requirement,
    #[serde(default)]
    pub help: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignedBy {
    Principal,
    Adults,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureItem {
    pub what: String,
    pub title: Text,
    pub by: SignedBy,
    /// What the signer agrees to. Given here, it is this program's own text; left out, the
    /// catalogue fills it at load time from the shared declaration `programs/declarations/
    /// <what>.json` (its `includes` appended), so after loading it is never empty.
    #[serde(default, skip_serializing_if = "Paragraphs::is_empty")]
    pub text: Paragraphs,
}

/// A shared declaration text (`programs/declarations/<code>.json`): what a person agrees to
/// when signing, kept as data so policy staff can change the wording without a release.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    #[serde(rename = "$schema", default, skip_serializing)]
    pub schema: Option<String>,
    /// The file's name without `.json`.
    pub code: String,
    /// What the declaration is, for policy staff and the generated documentation.
    pub title: Text,
    pub text: Paragraphs,
    /// Other declarations whose paragraphs follow this one's (e.g. the general declaration
    /// every e-signature makes), so a shared paragraph is written once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeItem {
    pub code: String,
    /// Required unless the fee comes from a shared schedule (which has its own title).
    #[serde(default)]
    pub title: Text,
    /// Amounts with the day each takes effect, oldest first. Filled from `schedule` when the
    /// fee names one.
    #[serde(default)]
    pub amounts: Vec<DatedAmount>,
    /// A shared fee schedule of `programs/fees/` (e.g. `pr-rprf`), for amounts several
    /// programs charge alike: one place to change when the fee changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

/// A shared, dated fee schedule (`programs/fees/*.json` maps ids to these).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeSchedule {
    pub title: Text,
    pub amounts: Vec<DatedAmount>,
    /// Where the amounts come from, for policy staff.
    #[serde(default)]
    pub sources: Vec<String>,
}

impl FeeItem {
    /// The amount in force on `day`, if the fee existed then.
    pub fn amount_on(&self, day: Date) -> Option<f64> {
        self.amounts
            .iter()
            .rev()
            .find(|a| a.from <= day)
            .map(|a| a.amount)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedAmount {
    pub from: Date,
    pub amount: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    pub limit: u64,
    pub title: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: Date,
    #[serde(default)]
    pub to: Option<Date>,
    pub title: Text,
}

impl Period {
    pub fn contains(&self, day: Date) -> bool {
        Window {
            from: self.from,
            to: self.to,
        }
        .contains(day)
    }
}
