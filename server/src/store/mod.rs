//! The portal's storage: one [`Store`] trait over every record the portal keeps, so that the
//! backend can change (sled now, [`SledStore`]; a networked database later) without touching
//! a handler.
//!
//! What the trait promises, whatever the backend:
//! - accounts are unique by lower-cased email, and one email is one role
//!   ([`StoreError::EmailHasOtherRole`]);
//! - password-reset tokens are single use, even when two requests take the same one at once;
//! - a client's temporary password is voided when a new one is issued or a password is set;
//! - listings come back in creation order (ids are allocated in order);
//! - the audit log is append-only: there is no method to change or delete an entry, and every
//!   method that changes an application writes its audit entry in the same transaction;
//! - an intake cap is never exceeded, however many callers reserve at once;
//! - [`Store::submit`] stores the decision, the status, the audit entry, the duplicates claims
//!   and the cap reservation together or not at all, and returns only once they are durable.
//!
//! # Calling it from the server
//! The methods are synchronous. The server calls them inside `tokio::task::spawn_blocking`
//! when they may wait on the disk (anything that flushes: [`Store::submit`],
//! [`Store::flush`]; and uploads), and directly from a handler when they are quick (a session
//! or account look-up, a small write: sled answers those from memory and writes in the
//! background). Other writes are durable at the backend's next flush (sled: every 500 ms by
//! default, and when the store is dropped).

// `records`: the record types; `error`: `StoreError`; `sled_*`: the sled implementation.
mod error;
mod records;
mod sled_accounts;
mod sled_applications;
mod sled_store;
#[cfg(test)]
mod tests;
mod writer;

pub use error::{Result, StoreError};
pub use records::*;
pub use sled_store::SledStore;

/// What [`Store::submit_then`] calls with the submission and its result.
pub type SubmitDone = writer::Done<Submission, Application>;

/// Everything the portal stores. Implementations are shared between threads
/// (`Arc<dyn Store>`).
pub trait Store: Send + Sync {
    // Accounts.

    /// Creates an account. Fails with [`StoreError::EmailTaken`] when an account of the same
    /// role has the email, and [`StoreError::EmailHasOtherRole`] when one of the other role has.
    fn create_account(&self, new: &NewAccount) -> Result<Account>;
    fn account(&self, id: AccountId) -> Result<Option<Account>>;
    /// The account with this email address, whatever its case.
    fn account_by_email(&self, email: &str) -> Result<Option<Account>>;
    /// Sets the account's own password: clears the failed sign-ins, unlocks the account and
    /// voids any temporary password, in one transaction.
    fn set_password(&self, id: AccountId, hash: &str) -> Result<Account>;
    /// Counts a failed sign-in and locks the account once `lock_after` have failed in a row.
    /// Returns the account as it is now.
    fn record_failed_sign_in(&self, id: AccountId, lock_after: u32) -> Result<Account>;
    /// A successful sign-in: the failed sign-ins go back to zero.
    fn record_sign_in(&self, id: AccountId) -> Result<Account>;

    // Temporary passwords (clients).

    /// Issues a client's temporary password; the previous one, if any, no longer works.
    fn issue_temporary_password(&self, account: AccountId, temp: &TemporaryPassword) -> Result<()>;
    /// The account's temporary password, unless there is none or it has expired.
    fn temporary_password(&self, account: AccountId) -> Result<Option<TemporaryPassword>>;

    // Sessions.

    fn create_session(&self, token: &str, session: &Session) -> Result<()>;
    /// The session, unless there is none or it has expired (an expired one is deleted).
    fn session(&self, token: &str) -> Result<Option<Session>>;
    /// Signs out one session. Deleting a session that is not there is not an error.
    fn delete_session(&self, token: &str) -> Result<()>;
    /// Signs out every session of an account (after a password reset); returns how many.
    fn delete_sessions_of(&self, account: AccountId) -> Result<usize>;

    // Password-reset tokens.

    fn create_reset_token(&self, token: &str, reset: &ResetToken) -> Result<()>;
    /// Takes a reset token: it is deleted, and the account is returned unless it has expired.
    /// Of two callers taking the same token at once, only one gets the account.
    fn take_reset_token(&self, token: &str) -> Result<Option<AccountId>>;
    /// Deletes expired sessions and reset tokens; returns how many.
    fn purge_expired(&self) -> Result<usize>;

    // Applications.

    /// Creates an application with the next number, and its first audit entry.
    fn create_application(&self, new: &NewApplication, audit: &Audit) -> Result<Application>;
    fn application(&self, id: ApplicationId) -> Result<Option<Application>>;
    /// The application document (JSON).
    fn application_data(&self, id: ApplicationId) -> Result<Option<serde_json::Value>>;
    /// Replaces the application document.
    fn save_application_data(
        &self,
        id: ApplicationId,
        data: &serde_json::Value,
        audit: &Audit,
    ) -> Result<Application>;
    /// Replaces the application document after a read-modify-write: fails with
    /// [`StoreError::Changed`] when the stored document is no longer `read` (another save
    /// came in between: nothing is lost silently), and with [`StoreError::NotChangeable`]
    /// unless the application is a draft or returned (a submit came in between).
    fn update_application_data(
        &self,
        id: ApplicationId,
        read: &serde_json::Value,
        data: &serde_json::Value,
        audit: &Audit,
    ) -> Result<Application>;
    /// Sets the status outside a submit (paper-only, back to draft); leaving the open statuses
    /// releases the application's duplicates claims.
    fn set_status(&self, id: ApplicationId, status: Status, audit: &Audit) -> Result<Application>;
    /// Creates the application a decision asks for (the open work permit of a Ukraine 2022
    /// OWP) linked both ways with `from`, in one transaction: `audit` is the new one's first
    /// entry and `linked` is written on both. Fails with [`StoreError::AlreadyLinked`] when
    /// `from` is linked already; then nothing is created (two tries at once make one).
    fn create_linked_application(
        &self,
        from: ApplicationId,
        new: &NewApplication,
        audit: &Audit,
        linked: &Audit,
    ) -> Result<Application>;
    /// Claims the people of an application for the duplicates check, replacing its earlier
    /// claims. Fails with [`StoreError::Duplicate`] when another open application of the same
    /// program has claimed one of them; then nothing changes.
    fn set_persons(&self, id: ApplicationId, persons: &[PersonKey], audit: &Audit) -> Result<()>;
    /// The open application of the program that has claimed this person, other than `except`.
    fn find_duplicate(
        &self,
        program: &str,
        person: &PersonKey,
        except: Option<ApplicationId>,
    ) -> Result<Option<ApplicationId>>;
    /// Submits: in one transaction stores the decision and the status, claims the people
    /// (when given), reserves a place under the cap (when accepted and capped) and writes the
    /// audit entry; then flushes, so that the acknowledgement means durable. Fails with
    /// [`StoreError::NotSubmittable`] unless the application is a draft or returned, and with
    /// [`StoreError::CapReached`] or [`StoreError::Duplicate`], storing nothing.
    fn submit(&self, submission: &Submission) -> Result<Application>;
    /// [`Store::submit`] for async callers: `done` gets the submission back with the same
    /// result, once durable (or refused), and no thread waits for the disk meanwhile.
    fn submit_then(&self, submission: Submission, done: SubmitDone);
    /// The latest decision on an application.
    fn decision(&self, id: ApplicationId) -> Result<Option<StoredDecision>>;
    /// A representative's applications, in creation order.
    fn applications_of(&self, representative: AccountId) -> Result<Vec<Application>>;
    /// A representative's applications in one status, in creation order.
    fn applications_with_status(
        &self,
        representative: AccountId,
        status: Status,
    ) -> Result<Vec<Application>>;
    /// A client's applications, in creation order.
    fn applications_of_client(&self, client: AccountId) -> Result<Vec<Application>>;

    // Uploaded documents, one per application and checklist code.

    /// Stores or replaces the document of a checklist item.
    fn put_document(
        &self,
        application: ApplicationId,
        code: &str,
        document: &NewDocument,
        audit: &Audit,
    ) -> Result<DocumentMeta>;
    fn document(
        &self,
        application: ApplicationId,
        code: &str,
    ) -> Result<Option<(DocumentMeta, Vec<u8>)>>;
    /// The application's documents, by checklist code.
    fn documents(&self, application: ApplicationId) -> Result<Vec<DocumentMeta>>;
    /// Removes a document; returns whether there was one.
    fn remove_document(
        &self,
        application: ApplicationId,
        code: &str,
        audit: &Audit,
    ) -> Result<bool>;

    // Audit log (append-only).

    /// Appends an entry on its own (changes made through this trait write theirs already).
    fn append_audit(&self, application: ApplicationId, audit: &Audit) -> Result<AuditEntry>;
    /// An application's audit log, oldest first.
    fn audit_of(&self, application: ApplicationId) -> Result<Vec<AuditEntry>>;

    // Outbox.

    fn queue_email(&self, email: &NewEmail) -> Result<Email>;
    /// The emails not sent yet, oldest first, at most `limit`.
    fn unsent_emails(&self, limit: usize) -> Result<Vec<Email>>;
    fn mark_email_sent(&self, id: u64) -> Result<()>;
    /// The latest emails, newest first, at most `limit` (the development page).
    fn recent_emails(&self, limit: usize) -> Result<Vec<Email>>;

    // Problem reports.

    fn report_problem(&self, problem: &NewProblem) -> Result<ProblemReport>;
    /// Every problem report, oldest first.
    fn problem_reports(&self) -> Result<Vec<ProblemReport>>;

    // Intake caps.

    /// How many places of the program's cap are taken for the period.
    fn cap_used(&self, program: &str, period: &str) -> Result<u64>;
    /// Takes one place under the cap if one is left: `true` if taken. Never exceeds `limit`,
    /// however many callers reserve at once.
    fn reserve_cap(&self, program: &str, period: &str, limit: u64) -> Result<bool>;

    // Durability.

    /// Writes everything to disk before returning.
    fn flush(&self) -> Result<()>;
}
