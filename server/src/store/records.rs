//! The records the portal stores, as plain serde types. They know nothing of the backend:
//! the sled implementation stores them as JSON, a networked database later may map them to
//! rows. Timestamps are seconds since the Unix epoch (UTC), from [`now`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (UTC).
pub type Timestamp = u64;
/// An account's number, allocated in order from 1.
pub type AccountId = u64;
/// An application's number, allocated in order from 1; shown as [`application_number`].
pub type ApplicationId = u64;

/// Now, in seconds since the Unix epoch.
pub fn now() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The application number people see: `A` and nine digits, `A000001234`.
pub fn application_number(id: ApplicationId) -> String {
    format!("A{id:09}")
}

/// The id behind an application number (`A000001234`, `a1234` and `1234` all give 1234).
pub fn parse_application_number(text: &str) -> Option<ApplicationId> {
    let t = text.trim();
    let digits = t
        .strip_prefix('A')
        .or_else(|| t.strip_prefix('a'))
        .unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&id| id > 0)
}

/// The form of an email address accounts are unique by: trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Who an account belongs to. One email address is one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Representative,
    Client,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Representative => "representative",
            Role::Client => "client",
        })
    }
}

/// A representative's or a client's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub role: Role,
    /// As entered (trimmed); unique by [`email_key`].
    pub email: String,
    pub name: String,
    /// The password hash (argon2 PHC string), `None` until one is set (a client starts with a
    /// temporary password only).
    pub password_hash: Option<String>,
    /// Failed sign-ins since the last successful one or password change.
    pub failed_sign_ins: u32,
    /// Locked after too many failed sign-ins; a password reset unlocks it.
    pub locked: bool,
    pub created: Timestamp,
}

/// What creating an account needs.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub role: Role,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
}

/// A signed-in browser. The token (the map key) is chosen by the caller: a random secret, or
/// better a hash of the cookie's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub account: AccountId,
    pub created: Timestamp,
    /// The session is gone from this second on.
    pub expires: Timestamp,
    /// The CSRF token bound to this session (synchronizer token), chosen by the caller.
    pub csrf: String,
    /// Signed in with a temporary password: until the account sets its own, the session may
    /// only read who it is, change the password and sign out.
    #[serde(default)]
    pub temporary: bool,
}

/// A password-reset token: single use, taking it deletes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetToken {
    pub account: AccountId,
    pub expires: Timestamp,
}

/// A client's one-time temporary password. Issuing a new one voids the previous one; setting
/// the account's own password voids it too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryPassword {
    /// Hash of the temporary password (argon2 PHC string).
    pub hash: String,
    pub issued: Timestamp,
    pub expires: Timestamp,
}

/// Where an application stands. The stored byte of each status is part of the key format of
/// the status index ([`Status::code`]): never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being filled in; can be submitted.
    Draft,
    /// Submitted and waiting for a decision.
    Submitted,
    /// Decided incomplete or ineligible; can be fixed and submitted again.
    Returned,
    /// Decided and accepted into processing.
    Accepted,
    /// A paper-only program: the portal shows instructions, nothing is filled in.
    PaperOnly,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Accepted,
        Status::PaperOnly,
    ];

    /// The byte that stands for this status in index keys.
    pub fn code(self) -> u8 {
        match self {
            Status::Draft => 0,
            Status::Submitted => 1,
            Status::Returned => 2,
            Status::Accepted => 3,
            Status::PaperOnly => 4,
        }
    }

    /// Whether an application in this status counts for the duplicates check (every status
    /// but paper-only: a returned application can still be fixed and submitted again).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::PaperOnly)
    }

    /// Whether an application in this status can be submitted (draft or returned).
    pub fn can_submit(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }

    /// The snake_case name (`paper_only`), as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Accepted => "accepted",
            Status::PaperOnly => "paper_only",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One person as the duplicates check sees them: name, date of birth and passport number,
/// normalised (case, spacing and punctuation in the passport number do not matter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonKey(String);

impl PersonKey {
    /// `name` is the full name (given and family names, any order the portal keeps to),
    /// `date_of_birth` is `YYYY-MM-DD`.
    pub fn new(name: &str, date_of_birth: &str, passport: &str) -> PersonKey {
        let name = name
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ");
        let passport: String = passport
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect();
        PersonKey(format!("{name}|{}|{passport}", date_of_birth.trim()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An application: who, which program, where it stands. Its document and its latest decision
/// are kept beside it (`application_data`, `decision`) so that listing stays light.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: ApplicationId,
    /// The representative who owns it.
    pub representative: AccountId,
    /// The client account that signs it.
    pub client: AccountId,
    pub program: String,
    pub status: Status,
    pub created: Timestamp,
    pub updated: Timestamp,
    /// The people claimed for the duplicates check (see `Store::set_persons`).
    #[serde(default)]
    pub persons: Vec<PersonKey>,
    /// The application linked with this one (the two of a Ukraine 2022 OWP).
    #[serde(default)]
    pub linked: Option<ApplicationId>,
    /// When the latest decision was stored.
    #[serde(default)]
    pub decided: Option<Timestamp>,
    /// The version of the program that made the latest decision.
    #[serde(default)]
    pub program_version: Option<String>,
}

impl Application {
    /// `A000001234`.
    pub fn number(&self) -> String {
        application_number(self.id)
    }
}

/// What creating an application needs.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub representative: AccountId,
    pub client: AccountId,
    pub program: String,
    /// `Draft`, or `PaperOnly` for a paper-only program.
    pub status: Status,
    /// The first application document (often `{}`).
    pub data: serde_json::Value,
}

/// The latest decision on an application, with the program version that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDecision {
    pub program_version: String,
    pub decided: Timestamp,
    /// The engine's `Decision`, with its trace, as JSON.
    pub decision: serde_json::Value,
}

/// Who made a change and what it was, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The account's email, or `system`.
    pub who: String,
    /// What changed, in plain words (`saved form IMM 0008`, `submitted: accepted`).
    pub what: String,
}

impl Audit {
    pub fn new(who: impl Into<String>, what: impl Into<String>) -> Audit {
        Audit {
            who: who.into(),
            what: what.into(),
        }
    }
}

/// One line of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increases with every entry of the whole log.
    pub seq: u64,
    pub at: Timestamp,
    pub application: ApplicationId,
    pub who: String,
    pub what: String,
}

/// A submit: the decision, the status it gives, the audit entry and, for an accepted
/// application of a capped program, the cap reservation, all stored in one transaction.
#[derive(Debug, Clone)]
pub struct Submission {
    pub application: ApplicationId,
    /// The status the decision gives (`Accepted`, `Returned`, or `Submitted`).
    pub status: Status,
    pub program_version: String,
    pub decision: serde_json::Value,
    pub audit: Audit,
    /// The program's cap, if it has one: reserved only when `status` is `Accepted`.
    pub cap: Option<CapClaim>,
    /// When given, the people are claimed for the duplicates check in the same transaction
    /// (replacing the application's earlier claims).
    pub persons: Option<Vec<PersonKey>>,
}

/// One place under a program's cap for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapClaim {
    /// The cap's period as the caller names it (`2025`, `2025-Q1`).
    pub period: String,
    pub limit: u64,
}

/// An uploaded file's description (its bytes are kept apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMeta {
    pub application: ApplicationId,
    /// The checklist item's code.
    pub code: String,
    /// The uploaded name: shown, never used as a path.
    pub file_name: String,
    /// Sniffed from the content by the caller, not taken from the upload.
    pub content_type: String,
    pub size: u64,
    pub uploaded: Timestamp,
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// An email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub id: u64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created: Timestamp,
    /// When it was sent, `None` while it waits.
    pub sent: Option<Timestamp>,
}

/// What queueing an email needs.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// A "Report a problem" submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemReport {
    pub id: u64,
    pub at: Timestamp,
    /// The page's path.
    pub page: String,
    /// The application number shown on the page, if any.
    pub application: Option<String>,
    pub description: String,
    /// The signed-in account, if any.
    pub account: Option<AccountId>,
}

/// What reporting a problem needs.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub page: String,
    pub application: Option<String>,
    pub description: String,
    pub account: Option<AccountId>,
}
