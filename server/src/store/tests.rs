//! The store's behaviour, on temporary sled stores: accounts and the one-role-per-email rule,
//! temporary passwords, sessions, single-use reset tokens, the outbox, problem reports and
//! errors here; applications, caps, the submit transaction and duplicates in `applications`.

use super::*;
use serde_json::json;
use std::sync::Arc;

mod applications;
mod durability;

fn store() -> SledStore {
    SledStore::open_temporary().expect("temporary store")
}

fn rep(store: &dyn Store, email: &str) -> Account {
    store
        .create_account(&NewAccount {
            role: Role::Representative,
            email: email.into(),
            name: "Rep".into(),
            password_hash: Some("hash".into()),
        })
        .unwrap()
}

fn client(store: &dyn Store, email: &str) -> Account {
    store
        .create_account(&NewAccount {
            role: Role::Client,
            email: email.into(),
            name: "Client".into(),
            password_hash: None,
        })
        .unwrap()
}

fn app(store: &dyn Store, rep: AccountId, client: AccountId, program: &str) -> Application {
    store
        .create_application(
            &NewApplication {
                representative: rep,
                client,
                program: program.into(),
                status: Status::Draft,
                data: json!({}),
            },
            &Audit::new("rep@example.com", "created"),
        )
        .unwrap()
}

fn audit(what: &str) -> Audit {
    Audit::new("rep@example.com", what)
}

fn submission(app: ApplicationId, status: Status, cap: Option<CapClaim>) -> Submission {
    Submission {
        application: app,
        status,
        program_version: "v1".into(),
        decision: json!({"outcome": status.as_str()}),
        audit: audit("submitted"),
        cap,
        persons: None,
    }
}

#[test]
fn accounts_are_unique_by_email_whatever_its_case() {
    let s = store();
    let a = rep(&s, " Ana@Example.com ");
    assert_eq!((a.id, a.email.as_str()), (1, "Ana@Example.com"));
    assert_eq!(s.account(a.id).unwrap(), Some(a.clone()));
    assert_eq!(s.account_by_email("ana@EXAMPLE.com").unwrap(), Some(a));
    assert_eq!(s.account_by_email("nobody@example.com").unwrap(), None);
    assert_eq!(s.account(99).unwrap(), None);
    let again = s.create_account(&NewAccount {
        role: Role::Representative,
        email: "ANA@example.com".into(),
        name: "Other".into(),
        password_hash: None,
    });
    assert!(matches!(again, Err(StoreError::EmailTaken { .. })));
}

#[test]
fn one_email_is_one_role() {
    let s = store();
    rep(&s, "rep@example.com");
    client(&s, "client@example.com");
    let as_client = s.create_account(&NewAccount {
        role: Role::Client,
        email: "REP@example.com".into(),
        name: "X".into(),
        password_hash: None,
    });
    assert_eq!(
        as_client.unwrap_err(),
        StoreError::EmailHasOtherRole {
            email: "REP@example.com".into(),
            role: Role::Representative
        }
    );
    let as_rep = s.create_account(&NewAccount {
        role: Role::Representative,
        email: "client@example.com".into(),
        name: "X".into(),
        password_hash: Some("h".into()),
    });
    let err = as_rep.unwrap_err();
    assert!(matches!(
        err,
        StoreError::EmailHasOtherRole {
            role: Role::Client,
            ..
        }
    ));
    assert!(err.to_string().contains("only one role"), "{err}");
}

#[test]
fn failed_sign_ins_lock_and_a_new_password_unlocks() {
    let s = store();
    let a = rep(&s, "rep@example.com");
    assert_eq!(s.record_failed_sign_in(a.id, 3).unwrap().failed_sign_ins, 1);
    let a1 = s.record_sign_in(a.id).unwrap();
    assert_eq!((a1.failed_sign_ins, a1.locked), (0, false));
    for _ in 0..2 {
        assert!(!s.record_failed_sign_in(a.id, 3).unwrap().locked);
    }
    let locked = s.record_failed_sign_in(a.id, 3).unwrap();
    assert_eq!((locked.failed_sign_ins, locked.locked), (3, true));
    assert!(s.account(a.id).unwrap().unwrap().locked);
    let reset = s.set_password(a.id, "new-hash").unwrap();
    assert_eq!(reset.password_hash.as_deref(), Some("new-hash"));
    assert_eq!((reset.failed_sign_ins, reset.locked), (0, false));
    assert!(matches!(
        s.record_failed_sign_in(42, 3),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.set_password(42, "x"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_new_temporary_password_voids_the_old_one() {
    let s = store();
    let c = client(&s, "client@example.com");
    let temp = |hash: &str, expires| TemporaryPassword {
        hash: hash.into(),
        issued: now(),
        expires,
    };
    assert_eq!(s.temporary_password(c.id).unwrap(), None);
    s.issue_temporary_password(c.id, &temp("first", now() + 3600))
        .unwrap();
    assert_eq!(s.temporary_password(c.id).unwrap().unwrap().hash, "first");
    s.issue_temporary_password(c.id, &temp("second", now() + 3600))
        .unwrap();
    assert_eq!(s.temporary_password(c.id).unwrap().unwrap().hash, "second");
    // Setting the client's own password voids it too.
    s.set_password(c.id, "own").unwrap();
    assert_eq!(s.temporary_password(c.id).unwrap(), None);
    // An expired one does not count.
    s.issue_temporary_password(c.id, &temp("old", now() - 1))
        .unwrap();
    assert_eq!(s.temporary_password(c.id).unwrap(), None);
    assert!(s
        .issue_temporary_password(99, &temp("x", now() + 1))
        .is_err());
}

#[test]
fn sessions_expire_and_sign_out() {
    let s = store();
    let a = rep(&s, "rep@example.com");
    let session = |expires| Session {
        account: a.id,
        created: now(),
        expires,
        csrf: "csrf".into(),
        temporary: false,
    };
    s.create_session("t1", &session(now() + 3600)).unwrap();
    s.create_session("t2", &session(now() + 3600)).unwrap();
    s.create_session("old", &session(now() - 1)).unwrap();
    let live = s.session("t1").unwrap().unwrap();
    assert_eq!((live.account, live.csrf.as_str()), (a.id, "csrf"));
    assert_eq!(s.session("old").unwrap(), None);
    assert_eq!(s.session("nope").unwrap(), None);
    s.delete_session("t1").unwrap();
    s.delete_session("t1").unwrap();
    assert_eq!(s.session("t1").unwrap(), None);
    s.create_session("t3", &session(now() + 3600)).unwrap();
    assert_eq!(s.delete_sessions_of(a.id).unwrap(), 2);
    assert_eq!(s.session("t2").unwrap(), None);
    assert_eq!(s.session("t3").unwrap(), None);
    assert_eq!(s.delete_sessions_of(a.id).unwrap(), 0);
}

#[test]
fn purge_removes_expired_sessions_and_tokens() {
    let s = store();
    let a = rep(&s, "rep@example.com");
    let session = |expires| Session {
        account: a.id,
        created: now(),
        expires,
        csrf: String::new(),
        temporary: false,
    };
    s.create_session("live", &session(now() + 60)).unwrap();
    s.create_session("dead", &session(now() - 60)).unwrap();
    let reset = |expires| ResetToken {
        account: a.id,
        expires,
    };
    s.create_reset_token("r-live", &reset(now() + 60)).unwrap();
    s.create_reset_token("r-dead", &reset(now() - 60)).unwrap();
    assert_eq!(s.purge_expired().unwrap(), 2);
    assert!(s.session("live").unwrap().is_some());
    assert_eq!(s.take_reset_token("r-live").unwrap(), Some(a.id));
    assert_eq!(s.delete_sessions_of(a.id).unwrap(), 1);
}

#[test]
fn a_reset_token_is_single_use() {
    let s = Arc::new(store());
    let a = rep(s.as_ref(), "rep@example.com");
    s.create_reset_token(
        "tok",
        &ResetToken {
            account: a.id,
            expires: now() + 600,
        },
    )
    .unwrap();
    assert_eq!(s.take_reset_token("tok").unwrap(), Some(a.id));
    assert_eq!(s.take_reset_token("tok").unwrap(), None);
    s.create_reset_token(
        "expired",
        &ResetToken {
            account: a.id,
            expires: now() - 1,
        },
    )
    .unwrap();
    assert_eq!(s.take_reset_token("expired").unwrap(), None);
    // Many takers of one token at once: exactly one gets it.
    s.create_reset_token(
        "race",
        &ResetToken {
            account: a.id,
            expires: now() + 600,
        },
    )
    .unwrap();
    let takers: Vec<_> = (0..8)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || s.take_reset_token("race").unwrap())
        })
        .collect();
    let won = takers.into_iter().filter_map(|t| t.join().unwrap()).count();
    assert_eq!(won, 1);
}

#[test]
fn the_outbox_keeps_unsent_emails_in_order() {
    let s = store();
    for i in 1..=3 {
        let e = s
            .queue_email(&NewEmail {
                to: format!("c{i}@example.com"),
                subject: format!("Subject {i}"),
                body: "Body".into(),
            })
            .unwrap();
        assert_eq!((e.id, e.sent), (i, None));
    }
    let unsent = |limit| -> Vec<u64> {
        s.unsent_emails(limit)
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(unsent(10), [1, 2, 3]);
    assert_eq!(unsent(2), [1, 2]);
    s.mark_email_sent(2).unwrap();
    assert_eq!(unsent(10), [1, 3]);
    let recent = s.recent_emails(2).unwrap();
    assert_eq!((recent[0].id, recent[1].id), (3, 2));
    assert!(recent[1].sent.is_some());
    assert!(matches!(
        s.mark_email_sent(9),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn problem_reports_are_recorded() {
    let s = store();
    for page in ["/dashboard", "/applications/A000000001"] {
        s.report_problem(&NewProblem {
            page: page.into(),
            application: page
                .rsplit('/')
                .next()
                .filter(|p| p.starts_with('A'))
                .map(Into::into),
            description: "The page is blank".into(),
            account: Some(1),
        })
        .unwrap();
    }
    let reports = s.problem_reports().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(
        (reports[0].id, reports[0].application.as_deref()),
        (1, None)
    );
    assert_eq!(reports[1].application.as_deref(), Some("A000000001"));
}

#[test]
fn errors_say_what_is_wrong() {
    let cases = [
        (
            StoreError::CapReached {
                program: "pr.x".into(),
                period: "2025".into(),
                limit: 5,
            },
            "intake cap of program pr.x for 2025 (5 applications) is reached",
        ),
        (
            StoreError::NotSubmittable {
                application: 7,
                status: Status::PaperOnly,
            },
            "application A000000007 is paper_only",
        ),
        (StoreError::not_found("account", 3), "there is no account 3"),
        (
            StoreError::EmailTaken {
                email: "a@b.c".into(),
            },
            "a@b.c already exists",
        ),
    ];
    for (error, text) in cases {
        assert!(error.to_string().contains(text), "{error}");
    }
}

#[test]
fn the_store_is_a_trait_object() {
    let s: Arc<dyn Store> = Arc::new(store());
    let r = rep(s.as_ref(), "r@example.com");
    assert_eq!(s.account(r.id).unwrap().unwrap().role, Role::Representative);
    s.flush().unwrap();
}
