//! The one error type of the store. Each variant the portal acts on (an email in use, a full
//! cap, a duplicate) is its own variant; the backend's own failures are `Backend`.

use super::records::{application_number, ApplicationId, Role, Status};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// An account of the same role already has this email address.
    EmailTaken { email: String },
    /// An account of the other role has this email address: one email is one role.
    EmailHasOtherRole { email: String, role: Role },
    /// No such record.
    NotFound { kind: &'static str, key: String },
    /// The application is not in a status that can be submitted (draft or returned).
    NotSubmittable {
        application: ApplicationId,
        status: Status,
    },
    /// The program's cap for the period is reached: nothing was stored. Decide again with
    /// the cap's current count.
    CapReached {
        program: String,
        period: String,
        limit: u64,
    },
    /// The same person already has an open application in the same program.
    Duplicate {
        program: String,
        existing: ApplicationId,
    },
    /// The application document changed since the caller read it (someone else saved in
    /// between): nothing was stored.
    Changed { application: ApplicationId },
    /// The application is submitted or decided: its document can no longer change.
    NotChangeable {
        application: ApplicationId,
        status: Status,
    },
    /// The application is linked with another already: nothing was created.
    AlreadyLinked {
        application: ApplicationId,
        linked: ApplicationId,
    },
    /// A stored record could not be read back.
    Corrupt { tree: &'static str, detail: String },
    /// The storage itself failed (disk, I/O, …).
    Backend(String),
}

impl StoreError {
    pub(crate) fn not_found(kind: &'static str, key: impl ToString) -> StoreError {
        StoreError::NotFound {
            kind,
            key: key.to_string(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::EmailTaken { email } => {
                write!(
                    f,
                    "an account with the email address {email} already exists"
                )
            }
            StoreError::EmailHasOtherRole { email, role } => write!(
                f,
                "the email address {email} is already used by a {role} account; one email \
                 address can have only one role"
            ),
            StoreError::NotFound { kind, key } => write!(f, "there is no {kind} {key}"),
            StoreError::NotSubmittable {
                application,
                status,
            } => write!(
                f,
                "application {} is {status} and cannot be submitted; only a draft or a \
                 returned application can",
                application_number(*application)
            ),
            StoreError::CapReached {
                program,
                period,
                limit,
            } => write!(
                f,
                "the intake cap of program {program} for {period} ({limit} applications) is \
                 reached"
            ),
            StoreError::Duplicate { program, existing } => write!(
                f,
                "this person already has an open application in program {program} ({})",
                application_number(*existing)
            ),
            StoreError::Changed { application } => write!(
                f,
                "application {} was changed by someone else since you opened it; nothing was \
                 saved: open it again and redo your change",
                application_number(*application)
            ),
            StoreError::NotChangeable {
                application,
                status,
            } => write!(
                f,
                "application {} is {status} and can no longer be changed",
                application_number(*application)
            ),
            StoreError::AlreadyLinked {
                application,
                linked,
            } => write!(
                f,
                "application {} is already linked with {}: nothing was created",
                application_number(*application),
                application_number(*linked)
            ),
            StoreError::Corrupt { tree, detail } => {
                write!(f, "a stored {tree} record cannot be read: {detail}")
            }
            StoreError::Backend(e) => write!(f, "storage failed: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        StoreError::Backend(e.to_string())
    }
}

impl From<sled::transaction::TransactionError<StoreError>> for StoreError {
    fn from(e: sled::transaction::TransactionError<StoreError>) -> StoreError {
        match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => e.into(),
        }
    }
}

/// The store's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
