//! The sled implementation of [`Store`]: one tree per kind of record, big-endian numeric keys
//! so that scans come back in order, secondary index trees, and a sled transaction wherever
//! two records change together. Records are stored as JSON; uploaded bytes as they are.
//!
//! Key layout (`u64` are 8 big-endian bytes, `++` joins):
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `accounts` | account id | [`Account`] |
//! | `account_emails` | lower-cased email | account id |
//! | `sessions` | token | [`Session`] |
//! | `account_sessions` | account id ++ token | empty |
//! | `reset_tokens` | token | [`ResetToken`] |
//! | `temporary_passwords` | account id | [`TemporaryPassword`] |
//! | `applications` | application id | [`Application`] |
//! | `application_data` | application id | the application document |
//! | `decisions` | application id | [`StoredDecision`] |
//! | `representative_applications` | representative ++ application | empty |
//! | `representative_status` | representative ++ status byte ++ application | empty |
//! | `client_applications` | client ++ application | empty |
//! | `person_claims` | program ++ `0` byte ++ person key | application id |
//! | `document_meta`, `document_bytes` | application ++ checklist code | [`DocumentMeta`], bytes |
//! | `audit` | application ++ sequence | [`AuditEntry`] |
//! | `outbox` | email id | [`Email`] |
//! | `outbox_unsent` | email id | empty |
//! | `problems` | report id | [`ProblemReport`] |
//! | `caps` | program ++ `0` byte ++ period | count (u64) |
//! | `meta` | counter name | next id (u64) |
//!
//! Ids come from counters in `meta`, taken inside the transaction that writes the record, so
//! they are dense and in creation order. sled runs transactions one at a time (a process-wide
//! lock), so a transaction's closure must stay short and must not call a tree outside it.
//!
//! Durability: a write that must be durable before it is acknowledged (a submit) goes to the
//! store's writer thread ([`Writer`]), which runs the submits that are waiting one after the
//! other and then makes them all durable with one flush. A flush is sled's (its log buffers
//! written out) followed by an `fdatasync` of sled's file, because sled's own flush uses
//! `sync_file_range`, which leaves the file's size and the disk's write cache unflushed, so a
//! power cut could lose what it wrote.
//!
//! This file has the type, its trees and the key helpers, and implements [`Store`]; the longer
//! methods live in `sled_accounts.rs` (accounts, sessions, tokens) and `sled_applications.rs`
//! (applications, submit, documents, audit, outbox, problem reports).

use super::error::{Result, StoreError};
use super::records::*;
use super::sled_applications::SubmitTrees;
use super::writer::{Done, Writer};
use super::Store;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::{abort, ConflictableTransactionResult, Transactional, TransactionalTree};
use sled::{Db, Tree};
use std::path::Path;

pub(super) type TxResult<T> = ConflictableTransactionResult<T, StoreError>;

/// The portal's records in a sled database (one folder).
pub struct SledStore {
    pub(super) accounts: Tree,
    pub(super) account_emails: Tree,
    pub(super) sessions: Tree,
    pub(super) account_sessions: Tree,
    pub(super) reset_tokens: Tree,
    pub(super) temporary_passwords: Tree,
    pub(super) applications: Tree,
    pub(super) application_data: Tree,
    pub(super) decisions: Tree,
    pub(super) representative_applications: Tree,
    pub(super) representative_status: Tree,
    pub(super) client_applications: Tree,
    pub(super) person_claims: Tree,
    pub(super) document_meta: Tree,
    pub(super) document_bytes: Tree,
    pub(super) audit: Tree,
    pub(super) outbox: Tree,
    pub(super) outbox_unsent: Tree,
    pub(super) problems: Tree,
    pub(super) caps: Tree,
    pub(super) meta: Tree,
    /// Makes everything written durable.
    flusher: Flusher,
    /// Writes the submits, then flushes once per batch.
    submits: Writer<Submission, Application>,
}

/// sled's flush, then an `fdatasync` of its data file (none for a temporary store).
#[derive(Clone)]
struct Flusher {
    db: Db,
    file: Option<std::sync::Arc<std::fs::File>>,
}

impl Flusher {
    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        if let Some(file) = &self.file {
            file.sync_data()
                .map_err(|e| StoreError::Backend(format!("syncing sled's file failed: {e}")))?;
        }
        Ok(())
    }
}

impl SledStore {
    /// Opens (or creates) the store in a folder.
    pub fn open(path: impl AsRef<Path>) -> Result<SledStore> {
        let db = sled::Config::new().path(path.as_ref()).open()?;
        // sled keeps everything in one file, `db`, in its folder.
        let file = std::fs::File::open(path.as_ref().join("db"))
            .map_err(|e| StoreError::Backend(format!("cannot open sled's file to sync it: {e}")))?;
        SledStore::from_db(db, Some(file))
    }

    /// A store in a temporary folder, deleted when the store is dropped (tests).
    pub fn open_temporary() -> Result<SledStore> {
        SledStore::from_db(sled::Config::new().temporary(true).open()?, None)
    }

    fn from_db(db: Db, file: Option<std::fs::File>) -> Result<SledStore> {
        let t = |name: &str| db.open_tree(name);
        let flusher = Flusher {
            db: db.clone(),
            file: file.map(std::sync::Arc::new),
        };
        let trees = SubmitTrees {
            applications: t("applications")?,
            decisions: t("decisions")?,
            representative_status: t("representative_status")?,
            person_claims: t("person_claims")?,
            caps: t("caps")?,
            audit: t("audit")?,
            meta: t("meta")?,
        };
        let submits = {
            let (flusher, trees) = (flusher.clone(), trees.clone());
            Writer::spawn(
                "intake-submits",
                move |s: &Submission| trees.submit(s),
                move || flusher.flush(),
            )?
        };
        Ok(SledStore {
            accounts: t("accounts")?,
            account_emails: t("account_emails")?,
            sessions: t("sessions")?,
            account_sessions: t("account_sessions")?,
            reset_tokens: t("reset_tokens")?,
            temporary_passwords: t("temporary_passwords")?,
            applications: trees.applications.clone(),
            application_data: t("application_data")?,
            decisions: trees.decisions.clone(),
            representative_applications: t("representative_applications")?,
            representative_status: trees.representative_status.clone(),
            client_applications: t("client_applications")?,
            person_claims: trees.person_claims.clone(),
            document_meta: t("document_meta")?,
            document_bytes: t("document_bytes")?,
            audit: trees.audit.clone(),
            outbox: t("outbox")?,
            outbox_unsent: t("outbox_unsent")?,
            problems: t("problems")?,
            caps: trees.caps.clone(),
            meta: trees.meta.clone(),
            flusher,
            submits,
        })
    }

    /// Reads a JSON record.
    pub(super) fn get<T: DeserializeOwned>(
        &self,
        tree: &Tree,
        name: &'static str,
        key: &[u8],
    ) -> Result<Option<T>> {
        tree.get(key)?.map(|v| decode(name, &v)).transpose()
    }
}

/// A record as JSON (the record types always serialise).
pub(super) fn encode<T: Serialize>(record: &T) -> Vec<u8> {
    serde_json::to_vec(record).expect("store records serialise to JSON")
}

pub(super) fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree,
        detail: e.to_string(),
    })
}

/// Reads a JSON record inside a transaction.
pub(super) fn tx_get<T: DeserializeOwned>(
    tree: &TransactionalTree,
    name: &'static str,
    key: &[u8],
) -> TxResult<Option<T>> {
    match tree.get(key)? {
        None => Ok(None),
        Some(v) => match decode(name, &v) {
            Ok(r) => Ok(Some(r)),
            Err(e) => abort(e),
        },
    }
}

/// The next id of a counter in `meta`, inside a transaction: 1, 2, 3, …
pub(super) fn next_id(meta: &TransactionalTree, counter: &str) -> TxResult<u64> {
    let id = meta.get(counter)?.map_or(0, |v| be_u64(&v)) + 1;
    meta.insert(counter, &id.to_be_bytes())?;
    Ok(id)
}

/// A big-endian u64 from the first 8 bytes (0 if there are fewer).
pub(super) fn be_u64(bytes: &[u8]) -> u64 {
    bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_be_bytes)
}

/// Two ids, as one key that sorts by the first then the second.
pub(super) fn pair(a: u64, b: u64) -> [u8; 16] {
    let mut k = [0; 16];
    k[..8].copy_from_slice(&a.to_be_bytes());
    k[8..].copy_from_slice(&b.to_be_bytes());
    k
}

/// A key made of an id and a text.
pub(super) fn id_text(id: u64, text: &str) -> Vec<u8> {
    let mut k = id.to_be_bytes().to_vec();
    k.extend_from_slice(text.as_bytes());
    k
}

/// A key made of two texts separated by a zero byte.
pub(super) fn text_pair(a: &str, b: &str) -> Vec<u8> {
    let mut k = a.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(b.as_bytes());
    k
}

impl Store for SledStore {
    fn create_account(&self, new: &NewAccount) -> Result<Account> {
        self.account_create(new)
    }

    fn account(&self, id: AccountId) -> Result<Option<Account>> {
        self.get(&self.accounts, "account", &id.to_be_bytes())
    }

    fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        match self.account_emails.get(email_key(email).as_bytes())? {
            Some(id) => self.account(be_u64(&id)),
            None => Ok(None),
        }
    }

    fn set_password(&self, id: AccountId, hash: &str) -> Result<Account> {
        self.account_set_password(id, hash)
    }

    fn record_failed_sign_in(&self, id: AccountId, lock_after: u32) -> Result<Account> {
        self.update_account(id, |a| {
            a.failed_sign_ins = a.failed_sign_ins.saturating_add(1);
            if a.failed_sign_ins >= lock_after {
                a.locked = true;
            }
        })
    }

    fn record_sign_in(&self, id: AccountId) -> Result<Account> {
        self.update_account(id, |a| a.failed_sign_ins = 0)
    }

    fn issue_temporary_password(&self, account: AccountId, temp: &TemporaryPassword) -> Result<()> {
        self.temporary_issue(account, temp)
    }

    fn temporary_password(&self, account: AccountId) -> Result<Option<TemporaryPassword>> {
        let temp: Option<TemporaryPassword> = self.get(
            &self.temporary_passwords,
            "temporary password",
            &account.to_be_bytes(),
        )?;
        Ok(temp.filter(|t| t.expires > now()))
    }

    fn create_session(&self, token: &str, session: &Session) -> Result<()> {
        let trees = (&self.sessions, &self.account_sessions);
        trees.transaction(|(sessions, by_account)| {
            sessions.insert(token.as_bytes(), encode(session))?;
            by_account.insert(id_text(session.account, token), &[])?;
            Ok(())
        })?;
        Ok(())
    }

    fn session(&self, token: &str) -> Result<Option<Session>> {
        self.session_get(token)
    }

    fn delete_session(&self, token: &str) -> Result<()> {
        self.session_delete(token)
    }

    fn delete_sessions_of(&self, account: AccountId) -> Result<usize> {
        self.sessions_delete_of(account)
    }

    fn create_reset_token(&self, token: &str, reset: &ResetToken) -> Result<()> {
        self.reset_tokens.insert(token.as_bytes(), encode(reset))?;
        Ok(())
    }

    fn take_reset_token(&self, token: &str) -> Result<Option<AccountId>> {
        self.reset_take(token)
    }

    fn purge_expired(&self) -> Result<usize> {
        self.expired_purge()
    }

    fn create_application(&self, new: &NewApplication, audit: &Audit) -> Result<Application> {
        self.app_create(new, audit)
    }

    fn application(&self, id: ApplicationId) -> Result<Option<Application>> {
        self.get(&self.applications, "application", &id.to_be_bytes())
    }

    fn application_data(&self, id: ApplicationId) -> Result<Option<serde_json::Value>> {
        self.get(
            &self.application_data,
            "application data",
            &id.to_be_bytes(),
        )
    }

    fn save_application_data(
        &self,
        id: ApplicationId,
        data: &serde_json::Value,
        audit: &Audit,
    ) -> Result<Application> {
        self.app_save_data(id, data, audit)
    }

    fn update_application_data(
        &self,
        id: ApplicationId,
        read: &serde_json::Value,
        data: &serde_json::Value,
        audit: &Audit,
    ) -> Result<Application> {
        self.app_update_data(id, read, data, audit)
    }

    fn set_status(&self, id: ApplicationId, status: Status, audit: &Audit) -> Result<Application> {
        self.app_set_status(id, status, audit)
    }

    fn create_linked_application(
        &self,
        from: ApplicationId,
        new: &NewApplication,
        audit: &Audit,
        linked: &Audit,
    ) -> Result<Application> {
        self.app_create_linked(new, audit, Some((from, linked)))
    }

    fn set_persons(&self, id: ApplicationId, persons: &[PersonKey], audit: &Audit) -> Result<()> {
        self.app_set_persons(id, persons, audit)
    }

    fn find_duplicate(
        &self,
        program: &str,
        person: &PersonKey,
        except: Option<ApplicationId>,
    ) -> Result<Option<ApplicationId>> {
        self.app_find_duplicate(program, person, except)
    }

    fn submit(&self, submission: &Submission) -> Result<Application> {
        self.submits.write_and_wait(submission.clone())
    }

    fn submit_then(&self, submission: Submission, done: Done<Submission, Application>) {
        self.submits.write(submission, done)
    }

    fn decision(&self, id: ApplicationId) -> Result<Option<StoredDecision>> {
        self.get(&self.decisions, "decision", &id.to_be_bytes())
    }

    fn applications_of(&self, representative: AccountId) -> Result<Vec<Application>> {
        self.apps_by_prefix(
            &self.representative_applications,
            &representative.to_be_bytes(),
        )
    }

    fn applications_with_status(
        &self,
        representative: AccountId,
        status: Status,
    ) -> Result<Vec<Application>> {
        let mut prefix = representative.to_be_bytes().to_vec();
        prefix.push(status.code());
        self.apps_by_prefix(&self.representative_status, &prefix)
    }

    fn applications_of_client(&self, client: AccountId) -> Result<Vec<Application>> {
        self.apps_by_prefix(&self.client_applications, &client.to_be_bytes())
    }

    fn put_document(
        &self,
        application: ApplicationId,
        code: &str,
        document: &NewDocument,
        audit: &Audit,
    ) -> Result<DocumentMeta> {
        self.doc_put(application, code, document, audit)
    }

    fn document(
        &self,
        application: ApplicationId,
        code: &str,
    ) -> Result<Option<(DocumentMeta, Vec<u8>)>> {
        let key = id_text(application, code);
        let meta: Option<DocumentMeta> = self.get(&self.document_meta, "document", &key)?;
        let Some(meta) = meta else {
            return Ok(None);
        };
        let bytes = self.document_bytes.get(&key)?.ok_or(StoreError::Corrupt {
            tree: "document",
            detail: format!("the bytes of {code} are missing"),
        })?;
        Ok(Some((meta, bytes.to_vec())))
    }

    fn documents(&self, application: ApplicationId) -> Result<Vec<DocumentMeta>> {
        self.document_meta
            .scan_prefix(application.to_be_bytes())
            .map(|entry| decode("document", &entry?.1))
            .collect()
    }

    fn remove_document(
        &self,
        application: ApplicationId,
        code: &str,
        audit: &Audit,
    ) -> Result<bool> {
        self.doc_remove(application, code, audit)
    }

    fn append_audit(&self, application: ApplicationId, audit: &Audit) -> Result<AuditEntry> {
        self.audit_append(application, audit)
    }

    fn audit_of(&self, application: ApplicationId) -> Result<Vec<AuditEntry>> {
        self.audit
            .scan_prefix(application.to_be_bytes())
            .map(|entry| decode("audit", &entry?.1))
            .collect()
    }

    fn queue_email(&self, email: &NewEmail) -> Result<Email> {
        self.outbox_queue(email)
    }

    fn unsent_emails(&self, limit: usize) -> Result<Vec<Email>> {
        let mut emails = Vec::new();
        for entry in self.outbox_unsent.iter().take(limit) {
            let (id, _) = entry?;
            if let Some(email) = self.get(&self.outbox, "email", &id)? {
                emails.push(email);
            }
        }
        Ok(emails)
    }

    fn mark_email_sent(&self, id: u64) -> Result<()> {
        self.outbox_mark_sent(id)
    }

    fn recent_emails(&self, limit: usize) -> Result<Vec<Email>> {
        self.outbox
            .iter()
            .rev()
            .take(limit)
            .map(|entry| decode("email", &entry?.1))
            .collect()
    }

    fn report_problem(&self, problem: &NewProblem) -> Result<ProblemReport> {
        self.problem_report(problem)
    }

    fn problem_reports(&self) -> Result<Vec<ProblemReport>> {
        self.problems
            .iter()
            .map(|entry| decode("problem report", &entry?.1))
            .collect()
    }

    fn cap_used(&self, program: &str, period: &str) -> Result<u64> {
        Ok(self
            .caps
            .get(text_pair(program, period))?
            .map_or(0, |v| be_u64(&v)))
    }

    fn reserve_cap(&self, program: &str, period: &str, limit: u64) -> Result<bool> {
        let key = text_pair(program, period);
        loop {
            let current = self.caps.get(&key)?;
            let used = current.as_deref().map_or(0, be_u64);
            if used >= limit {
                return Ok(false);
            }
            let next = (used + 1).to_be_bytes();
            if self
                .caps
                .compare_and_swap(&key, current, Some(&next[..]))?
                .is_ok()
            {
                return Ok(true);
            }
        }
    }

    fn flush(&self) -> Result<()> {
        self.flusher.flush()
    }
}
