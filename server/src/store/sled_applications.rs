//! The sled store's writes that span several trees: applications with their indexes, claims
//! and audit entries, the submit transaction, documents, the outbox and problem reports. Each
//! is one sled transaction; the trait methods in `sled_store.rs` call these.

use super::error::{Result, StoreError};
use super::records::*;
use super::sled_store::{
    be_u64, encode, id_text, next_id, pair, text_pair, tx_get, SledStore, TxResult,
};
use sled::transaction::{abort, Transactional, TransactionalTree};
use sled::Tree;

/// A [`StoredDecision`] as written: the same fields, borrowed rather than copied.
#[derive(serde::Serialize)]
struct DecisionRecord<'a> {
    program_version: &'a str,
    decided: Timestamp,
    decision: &'a serde_json::Value,
}

/// The application, or abort with "not found".
fn tx_app(apps: &TransactionalTree, id: ApplicationId) -> TxResult<Application> {
    match tx_get(apps, "application", &id.to_be_bytes())? {
        Some(app) => Ok(app),
        None => abort(StoreError::not_found("application", application_number(id))),
    }
}

fn tx_put_app(apps: &TransactionalTree, app: &Application) -> TxResult<()> {
    apps.insert(&app.id.to_be_bytes(), encode(app))?;
    Ok(())
}

/// Appends an audit entry in the transaction.
fn tx_audit(
    audit: &TransactionalTree,
    meta: &TransactionalTree,
    application: ApplicationId,
    what: &Audit,
    at: Timestamp,
) -> TxResult<AuditEntry> {
    let entry = AuditEntry {
        seq: next_id(meta, "audit")?,
        at,
        application,
        who: what.who.clone(),
        what: what.what.clone(),
    };
    audit.insert(&pair(application, entry.seq), encode(&entry))?;
    Ok(entry)
}

/// The representative-and-status index key.
fn status_key(representative: AccountId, status: Status, app: ApplicationId) -> Vec<u8> {
    let mut k = representative.to_be_bytes().to_vec();
    k.push(status.code());
    k.extend_from_slice(&app.to_be_bytes());
    k
}

/// Moves the application in the status index from `old` to its current status.
fn tx_reindex(index: &TransactionalTree, old: Status, app: &Application) -> TxResult<()> {
    if old != app.status {
        index.remove(status_key(app.representative, old, app.id))?;
        index.insert(status_key(app.representative, app.status, app.id), &[])?;
    }
    Ok(())
}

fn claim_key(program: &str, person: &PersonKey) -> Vec<u8> {
    text_pair(program, person.as_str())
}

/// Claims `persons` for `app` (replacing its claims), or aborts with `Duplicate` when another
/// open application of the program holds one of them.
fn tx_claim(
    apps: &TransactionalTree,
    claims: &TransactionalTree,
    app: &mut Application,
    persons: &[PersonKey],
) -> TxResult<()> {
    let mut persons = persons.to_vec();
    persons.sort();
    persons.dedup();
    for person in &persons {
        let Some(holder) = claims.get(claim_key(&app.program, person))? else {
            continue;
        };
        let holder = be_u64(&holder);
        if holder == app.id {
            continue;
        }
        // A claim is released when its application leaves the open statuses; check anyway.
        let other: Option<Application> = tx_get(apps, "application", &holder.to_be_bytes())?;
        if other.is_some_and(|o| o.status.is_open() && o.program == app.program) {
            return abort(StoreError::Duplicate {
                program: app.program.clone(),
                existing: holder,
            });
        }
    }
    tx_release(claims, app)?;
    for person in &persons {
        claims.insert(claim_key(&app.program, person), &app.id.to_be_bytes())?;
    }
    app.persons = persons;
    Ok(())
}

/// Releases the application's claims.
fn tx_release(claims: &TransactionalTree, app: &mut Application) -> TxResult<()> {
    for person in std::mem::take(&mut app.persons) {
        let key = claim_key(&app.program, &person);
        if claims.get(&key)?.is_some_and(|h| be_u64(&h) == app.id) {
            claims.remove(key)?;
        }
    }
    Ok(())
}

impl SledStore {
    pub(super) fn app_create(&self, new: &NewApplication, audit: &Audit) -> Result<Application> {
        self.app_create_linked(new, audit, None)
    }

    /// Creates an application; with `link`, links it both ways with that one in the same
    /// transaction, unless that one is linked already (then nothing is created).
    pub(super) fn app_create_linked(
        &self,
        new: &NewApplication,
        audit: &Audit,
        link: Option<(ApplicationId, &Audit)>,
    ) -> Result<Application> {
        let trees = (
            &self.applications,
            &self.application_data,
            &self.representative_applications,
            &self.representative_status,
            &self.client_applications,
            &self.audit,
            &self.meta,
        );
        let app = trees.transaction(|(apps, data, by_rep, by_status, by_client, log, meta)| {
            let at = now();
            let from = match link {
                Some((from, _)) => {
                    let from = tx_app(apps, from)?;
                    if let Some(linked) = from.linked {
                        return abort(StoreError::AlreadyLinked {
                            application: from.id,
                            linked,
                        });
                    }
                    Some(from)
                }
                None => None,
            };
            let app = Application {
                id: next_id(meta, "application")?,
                representative: new.representative,
                client: new.client,
                program: new.program.clone(),
                status: new.status,
                created: at,
                updated: at,
                persons: Vec::new(),
                linked: from.as_ref().map(|f| f.id),
                decided: None,
                program_version: None,
            };
            tx_put_app(apps, &app)?;
            data.insert(&app.id.to_be_bytes(), encode(&new.data))?;
            by_rep.insert(&pair(app.representative, app.id), &[])?;
            by_status.insert(status_key(app.representative, app.status, app.id), &[])?;
            by_client.insert(&pair(app.client, app.id), &[])?;
            tx_audit(log, meta, app.id, audit, at)?;
            if let (Some(mut from), Some((_, linked))) = (from, link) {
                from.linked = Some(app.id);
                from.updated = at;
                tx_put_app(apps, &from)?;
                tx_audit(log, meta, from.id, linked, at)?;
                tx_audit(log, meta, app.id, linked, at)?;
            }
            Ok(app)
        })?;
        Ok(app)
    }

    pub(super) fn app_save_data(
        &self,
        id: ApplicationId,
        data: &serde_json::Value,
        audit: &Audit,
    ) -> Result<Application> {
        self.app_write_data(id, None, data, audit)
    }

    pub(super) fn app_update_data(
        &self,
        id: ApplicationId,
        read: &serde_json::Value,
        data: &serde_json::Value,
        audit: &Audit,
    ) -> Result<Application> {
        self.app_write_data(id, Some(read), data, audit)
    }

    /// Writes the application's document with its audit entry; with `read`, only while the
    /// application can still change and its stored document is still the one read.
    fn app_write_data(
        &self,
        id: ApplicationId,
        read: Option<&serde_json::Value>,
        data: &serde_json::Value,
        audit: &Audit,
    ) -> Result<Application> {
        let trees = (
            &self.applications,
            &self.application_data,
            &self.audit,
            &self.meta,
        );
        let expected = read.map(encode);
        let app = trees.transaction(|(apps, app_data, log, meta)| {
            let mut app = tx_app(apps, id)?;
            if let Some(expected) = &expected {
                if !app.status.can_submit() {
                    return abort(StoreError::NotChangeable {
                        application: id,
                        status: app.status,
                    });
                }
                let stored = app_data.get(id.to_be_bytes())?;
                if stored.as_deref() != Some(expected.as_slice()) {
                    return abort(StoreError::Changed { application: id });
                }
            }
            app.updated = now();
            tx_put_app(apps, &app)?;
            app_data.insert(&id.to_be_bytes(), encode(data))?;
            tx_audit(log, meta, id, audit, app.updated)?;
            Ok(app)
        })?;
        Ok(app)
    }

    pub(super) fn app_set_status(
        &self,
        id: ApplicationId,
        status: Status,
        audit: &Audit,
    ) -> Result<Application> {
        let trees = (
            &self.applications,
            &self.representative_status,
            &self.person_claims,
            &self.audit,
            &self.meta,
        );
        let app = trees.transaction(|(apps, by_status, claims, log, meta)| {
            let mut app = tx_app(apps, id)?;
            let old = app.status;
            app.status = status;
            app.updated = now();
            if !status.is_open() {
                tx_release(claims, &mut app)?;
            }
            tx_reindex(by_status, old, &app)?;
            tx_put_app(apps, &app)?;
            tx_audit(log, meta, id, audit, app.updated)?;
            Ok(app)
        })?;
        Ok(app)
    }

    pub(super) fn app_set_persons(
        &self,
        id: ApplicationId,
        persons: &[PersonKey],
        audit: &Audit,
    ) -> Result<()> {
        let trees = (
            &self.applications,
            &self.person_claims,
            &self.audit,
            &self.meta,
        );
        trees.transaction(|(apps, claims, log, meta)| {
            let mut app = tx_app(apps, id)?;
            if app.status.is_open() {
                tx_claim(apps, claims, &mut app, persons)?;
            }
            app.updated = now();
            tx_put_app(apps, &app)?;
            tx_audit(log, meta, id, audit, app.updated)?;
            Ok(())
        })?;
        Ok(())
    }

    pub(super) fn app_find_duplicate(
        &self,
        program: &str,
        person: &PersonKey,
        except: Option<ApplicationId>,
    ) -> Result<Option<ApplicationId>> {
        let Some(holder) = self.person_claims.get(claim_key(program, person))? else {
            return Ok(None);
        };
        let holder = be_u64(&holder);
        if Some(holder) == except {
            return Ok(None);
        }
        let app: Option<Application> =
            self.get(&self.applications, "application", &holder.to_be_bytes())?;
        Ok(app
            .filter(|a| a.status.is_open() && a.program == program)
            .map(|a| a.id))
    }

    /// The applications whose ids end the keys under `prefix` of an index, in key order.
    pub(super) fn apps_by_prefix(&self, index: &Tree, prefix: &[u8]) -> Result<Vec<Application>> {
        let mut apps = Vec::new();
        for entry in index.scan_prefix(prefix) {
            let (key, _) = entry?;
            let id = be_u64(&key[key.len() - 8..]);
            if let Some(app) = self.get(&self.applications, "application", &id.to_be_bytes())? {
                apps.push(app);
            }
        }
        Ok(apps)
    }

    pub(super) fn doc_put(
        &self,
        application: ApplicationId,
        code: &str,
        document: &NewDocument,
        audit: &Audit,
    ) -> Result<DocumentMeta> {
        let key = id_text(application, code);
        let trees = (
            &self.applications,
            &self.document_meta,
            &self.document_bytes,
            &self.audit,
            &self.meta,
        );
        let meta = trees.transaction(|(apps, metas, bytes, log, meta)| {
            let mut app = tx_app(apps, application)?;
            app.updated = now();
            let doc = DocumentMeta {
                application,
                code: code.to_string(),
                file_name: document.file_name.clone(),
                content_type: document.content_type.clone(),
                size: document.bytes.len() as u64,
                uploaded: app.updated,
            };
            metas.insert(key.as_slice(), encode(&doc))?;
            bytes.insert(key.as_slice(), document.bytes.as_slice())?;
            tx_put_app(apps, &app)?;
            tx_audit(log, meta, application, audit, app.updated)?;
            Ok(doc)
        })?;
        Ok(meta)
    }

    pub(super) fn doc_remove(
        &self,
        application: ApplicationId,
        code: &str,
        audit: &Audit,
    ) -> Result<bool> {
        let key = id_text(application, code);
        let trees = (
            &self.applications,
            &self.document_meta,
            &self.document_bytes,
            &self.audit,
            &self.meta,
        );
        let removed = trees.transaction(|(apps, metas, bytes, log, meta)| {
            let mut app = tx_app(apps, application)?;
            if metas.remove(key.as_slice())?.is_none() {
                return Ok(false);
            }
            bytes.remove(key.as_slice())?;
            app.updated = now();
            tx_put_app(apps, &app)?;
            tx_audit(log, meta, application, audit, app.updated)?;
            Ok(true)
        })?;
        Ok(removed)
    }

    pub(super) fn audit_append(
        &self,
        application: ApplicationId,
        audit: &Audit,
    ) -> Result<AuditEntry> {
        let trees = (&self.applications, &self.audit, &self.meta);
        let entry = trees.transaction(|(apps, log, meta)| {
            tx_app(apps, application)?;
            tx_audit(log, meta, application, audit, now())
        })?;
        Ok(entry)
    }

    pub(super) fn outbox_queue(&self, new: &NewEmail) -> Result<Email> {
        let trees = (&self.outbox, &self.outbox_unsent, &self.meta);
        let email = trees.transaction(|(outbox, unsent, meta)| {
            let email = Email {
                id: next_id(meta, "email")?,
                to: new.to.clone(),
                subject: new.subject.clone(),
                body: new.body.clone(),
                created: now(),
                sent: None,
            };
            outbox.insert(&email.id.to_be_bytes(), encode(&email))?;
            unsent.insert(&email.id.to_be_bytes(), &[])?;
            Ok(email)
        })?;
        Ok(email)
    }

    pub(super) fn outbox_mark_sent(&self, id: u64) -> Result<()> {
        let key = id.to_be_bytes();
        let trees = (&self.outbox, &self.outbox_unsent);
        trees.transaction(|(outbox, unsent)| {
            let Some(mut email) = tx_get::<Email>(outbox, "email", &key)? else {
                return abort(StoreError::not_found("email", id));
            };
            if email.sent.is_none() {
                email.sent = Some(now());
                outbox.insert(&key, encode(&email))?;
            }
            unsent.remove(&key)?;
            Ok(())
        })?;
        Ok(())
    }

    pub(super) fn problem_report(&self, new: &NewProblem) -> Result<ProblemReport> {
        let trees = (&self.problems, &self.meta);
        let report = trees.transaction(|(problems, meta)| {
            let report = ProblemReport {
                id: next_id(meta, "problem")?,
                at: now(),
                page: new.page.clone(),
                application: new.application.clone(),
                description: new.description.clone(),
                account: new.account,
            };
            problems.insert(&report.id.to_be_bytes(), encode(&report))?;
            Ok(report)
        })?;
        Ok(report)
    }
}

/// The trees a submit writes (clones of the store's, which share their data), for the writer
/// thread.
#[derive(Clone)]
pub(super) struct SubmitTrees {
    pub applications: Tree,
    pub decisions: Tree,
    pub representative_status: Tree,
    pub person_claims: Tree,
    pub caps: Tree,
    pub audit: Tree,
    pub meta: Tree,
}

impl SubmitTrees {
    /// The submit transaction, not yet durable: [`SledStore`]'s writer thread runs it, then
    /// flushes.
    pub(super) fn submit(&self, s: &Submission) -> Result<Application> {
        let trees = (
            &self.applications,
            &self.decisions,
            &self.representative_status,
            &self.person_claims,
            &self.caps,
            &self.audit,
            &self.meta,
        );
        // Everything that does not depend on the stored records is prepared before the
        // transaction: sled holds one lock for every transaction, and every read waits while a
        // transaction holds it. The decision (with its trace) is the largest record written.
        let at = now();
        let decision = encode(&DecisionRecord {
            program_version: &s.program_version,
            decided: at,
            decision: &s.decision,
        });
        let app = trees.transaction(|(apps, decisions, by_status, claims, caps, log, meta)| {
            let mut app = tx_app(apps, s.application)?;
            if !app.status.can_submit() {
                return abort(StoreError::NotSubmittable {
                    application: app.id,
                    status: app.status,
                });
            }
            if let Some(persons) = &s.persons {
                tx_claim(apps, claims, &mut app, persons)?;
            }
            if let (Status::Accepted, Some(cap)) = (s.status, &s.cap) {
                let key = text_pair(&app.program, &cap.period);
                let used = caps.get(&key)?.map_or(0, |v| be_u64(&v));
                if used >= cap.limit {
                    return abort(StoreError::CapReached {
                        program: app.program.clone(),
                        period: cap.period.clone(),
                        limit: cap.limit,
                    });
                }
                caps.insert(key, &(used + 1).to_be_bytes())?;
            }
            decisions.insert(&app.id.to_be_bytes(), decision.as_slice())?;
            let old = app.status;
            app.status = s.status;
            app.updated = at;
            app.decided = Some(at);
            app.program_version = Some(s.program_version.clone());
            if !app.status.is_open() {
                tx_release(claims, &mut app)?;
            }
            tx_reindex(by_status, old, &app)?;
            tx_put_app(apps, &app)?;
            tx_audit(log, meta, app.id, &s.audit, at)?;
            Ok(app)
        })?;
        Ok(app)
    }
}
