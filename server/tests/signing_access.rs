//! Who may do what around signing, through HTTP: resending the temporary password voids the
//! old one (and is refused once the client has their own); another representative, another
//! client, a client who has not set their own password and a signed-out browser reach nothing
//! that is not theirs, and nothing changes.

mod common;

use common::{
    client_first_sign_in, new_application, sign_up, start, temporary_password, Browser, Server,
};
use serde_json::{json, Value};

const CLIENT_PASSWORD: &str = "the client's own long password";

fn stored(server: &Server, id: u64) -> Value {
    server.store.application_data(id).unwrap().unwrap()
}

/// Sets the client's own password after a sign-in with `temporary`.
fn set_own_password(client: &mut Browser, temporary: &str) {
    let r = client.submit(
        "/password",
        &[
            ("current_password", temporary),
            ("new_password", CLIENT_PASSWORD),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn resending_the_temporary_password_voids_the_old_one() {
    let server = start("signing-resend", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Representative", "rita@example.com");
    let email = "olek@example.com";
    let app = new_application(&mut rep, "Olek Nowak", email, "pr.spouse-partner-children");
    let id: u64 = app.rsplit('/').next().unwrap().parse().unwrap();
    let old = temporary_password(&server.store, email);
    let page = rep.get(&app);
    let r = rep.submit_to(&page, &format!("{app}/temporary-password"), &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .body
        .contains("A new temporary password was emailed to olek@example.com"));
    let new = temporary_password(&server.store, email);
    assert_ne!(old, new);
    assert!(server
        .store
        .audit_of(id)
        .unwrap()
        .iter()
        .any(|a| a.what == "resent the client's temporary password"));
    let mut client = Browser::new(&server);
    let r = client.submit("/sign-in", &[("email", email), ("password", &old)]);
    assert_ne!(r.status, 303, "the old temporary password must not work");
    // The new one works (and then the client sets their own).
    client_first_sign_in(&mut client, &server.store, email, CLIENT_PASSWORD);
    // Once the client has their own password, no temporary one is sent.
    let r = rep.api(
        "POST",
        &format!("/api/v1/applications/{id}/temporary-password"),
        None,
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("already chosen their own password"));
    let r = rep.get(&format!("{app}?lang=fr"));
    assert!(
        r.body.contains("a choisi son propre mot de passe"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Renvoyer le mot de passe temporaire"));
}

#[test]
fn another_representative_or_client_gets_not_found() {
    let server = start("signing-others", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Representative", "rita@example.com");
    let app = new_application(
        &mut rep,
        "Ana Client",
        "ana@example.com",
        "pr.spouse-partner-children",
    );
    let id: u64 = app.rsplit('/').next().unwrap().parse().unwrap();
    let before = stored(&server, id);

    let mut other = Browser::new(&server);
    sign_up(&mut other, "Oscar Other", "oscar@example.com");
    let page = other.get("/");
    for path in [
        format!("{app}/temporary-password"),
        format!("{app}/declarations/no_paper_application"),
    ] {
        let r = other.submit_to(&page, &path, &[("made", "true")]);
        assert_eq!(r.status, 404, "{path}");
    }
    assert_eq!(
        other
            .api("GET", &format!("/api/v1/applications/{id}/signing"), None)
            .status,
        404
    );
    let r = other.api(
        "POST",
        &format!("/api/v1/applications/{id}/declarations"),
        Some(json!({"no_paper_application": true})),
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        other
            .api(
                "POST",
                &format!("/api/v1/applications/{id}/temporary-password"),
                None
            )
            .status,
        404
    );
    // A representative has no client pages.
    assert_eq!(other.get(&format!("/my/applications/{id}")).status, 404);
    assert_eq!(
        other.api("GET", "/api/v1/my/applications", None).status,
        404
    );

    // A client who has not chosen their own password yet is sent to do so first, and can
    // reach no representative page.
    let _ = new_application(&mut rep, "Cora Client", "cora@example.com", "pr.adoption");
    let mut cora = Browser::new(&server);
    let temporary = temporary_password(&server.store, "cora@example.com");
    let r = cora.submit(
        "/sign-in",
        &[("email", "cora@example.com"), ("password", &temporary)],
    );
    assert_eq!(r.location.as_deref(), Some("/password"));
    assert_eq!(
        cora.get("/my/applications").location.as_deref(),
        Some("/password")
    );
    let r = cora.get("/api/v1/my/applications");
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (403, json!("password_change_required"))
    );
    set_own_password(&mut cora, &temporary);
    assert_eq!(cora.get("/applications/new").status, 404);
    let page = cora.get("/my/applications");
    let r = cora.submit_to(
        &page,
        "/applications/new",
        &[
            ("client_name", "Someone Else"),
            ("client_email", "someone@example.com"),
            ("client_email_confirmation", "someone@example.com"),
            ("program", "pr.adoption"),
        ],
    );
    assert_eq!(r.status, 404);
    assert!(server
        .store
        .account_by_email("someone@example.com")
        .unwrap()
        .is_none());
    let cora_id = server
        .store
        .account_by_email("cora@example.com")
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        server.store.applications_of_client(cora_id).unwrap().len(),
        1
    );

    // Another client sees only their own.
    let _ = new_application(
        &mut rep,
        "Ben Client",
        "ben@example.com",
        "pr.spouse-partner-children",
    );
    let mut ben = Browser::new(&server);
    client_first_sign_in(&mut ben, &server.store, "ben@example.com", CLIENT_PASSWORD);
    assert_eq!(ben.get(&format!("/my/applications/{id}")).status, 404);
    assert_eq!(
        ben.api("GET", &format!("/api/v1/my/applications/{id}"), None)
            .status,
        404
    );
    let r = ben.api(
        "POST",
        &format!("/api/v1/my/applications/{id}/signatures"),
        Some(json!({"what": "consent-declaration", "person": 0, "name": "Ana Client"})),
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        ben.api("GET", "/api/v1/my/applications", None)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(stored(&server, id), before);
    // Not signed in: sent to sign in.
    let mut nobody = Browser::new(&server);
    assert_eq!(
        nobody.get("/my/applications").location.as_deref(),
        Some("/sign-in")
    );
    assert_eq!(nobody.get("/api/v1/my/applications").status, 401);
}
