//! Documents and fees through HTTP: the checklist page and section, uploads through the
//! page's multipart form (the `_csrf` field read from the multipart body) and through the
//! API, the type judged by the content, the size limit with its message, replace, remove,
//! download headers, the audit log, fees, and 404 for another representative.

mod common;

use common::*;
use serde_json::Value;

const PROGRAM: &str = "pr.spouse-partner-children";
const MAX: usize = 10 * 1024 * 1024;

fn pdf(extra: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n".to_vec();
    b.resize(b.len() + extra, b'x');
    b
}

fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(b"rest of the image");
    b
}

/// A multipart body: `(name, file name, content)` parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----intake-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/pdf\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads through the documents page's form, with the page's `_csrf` (or `csrf`).
fn page_upload(
    b: &mut Browser,
    app: &str,
    code: &str,
    name: &str,
    bytes: &[u8],
    csrf: Option<&str>,
) -> Answer {
    let token = match csrf {
        Some(t) => t.to_string(),
        None => csrf_of(&b.get(&format!("{app}/documents")).body),
    };
    let (ct, body) = multipart(&[
        ("_csrf", None, token.as_bytes()),
        ("file", Some(name), bytes),
    ]);
    b.send("POST", &format!("{app}/documents/{code}"), &ct, &[], body)
}

fn api_upload(b: &mut Browser, path: &str, name: &str, bytes: &[u8]) -> Answer {
    let csrf = b.api_csrf();
    let (ct, body) = multipart(&[("file", Some(name), bytes)]);
    b.send("POST", path, &ct, &[("x-csrf-token", csrf.as_str())], body)
}

fn audit(server: &Server, id: u64) -> Vec<String> {
    server
        .store
        .audit_of(id)
        .unwrap()
        .into_iter()
        .map(|e| format!("{}: {}", e.who, e.what))
        .collect()
}

fn item<'a>(list: &'a Value, code: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no item {code} in {list}"))
}

#[test]
fn documents_are_uploaded_replaced_downloaded_and_removed() {
    let server = start("documents-flow", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Rep", "rita@example.com");
    let app = new_application(&mut rep, "Ana Silva", "ana@example.com", PROGRAM);

    // The application page's section and the checklist with the fees.
    let page = rep.get(&app);
    assert!(page.body.contains("Documents and fees"), "{}", page.body);
    assert!(page.body.contains("0 of "), "{}", page.body);
    let page = rep.get(&format!("{app}/documents"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Passport or travel document"));
    assert!(page.body.contains("Receipt for the fees paid"));
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("Total"));
    let list = rep.get("/api/v1/applications/1/documents").json();
    assert_eq!(item(&list, "passport-copy")["requirement"], "required");
    assert_eq!(item(&list, "passport-copy")["provided"], false);
    assert_eq!(item(&list, "fee-receipt")["required"], true);
    assert_eq!(item(&list, "other-supporting")["requirement"], "optional");
    let mandatory = list["mandatory"].as_u64().unwrap();
    assert!(mandatory >= 3, "{list}");
    assert!(!list["fees"].as_array().unwrap().is_empty(), "{list}");
    let total: f64 = list["fee_total"].as_str().unwrap().parse().unwrap();
    let sum: f64 = list["fees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["amount"].as_str().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(total > 0.0 && (total - sum).abs() < 0.001, "{list}");
    assert!(page.body.contains(list["fee_total"].as_str().unwrap()));

    // Upload through the page: the name is cleaned of its path, the type comes from the content.
    let content = pdf(1000);
    let r = page_upload(
        &mut rep,
        &app,
        "passport-copy",
        "C:\\scans\\passport.pdf",
        &content,
        None,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = rep.get(&format!("{app}/documents"));
    assert!(page.body.contains(">passport.pdf</a>"), "{}", page.body);
    let r = rep.get(&format!("{app}/documents/passport-copy/file"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment; filename=\"passport.pdf\""));
    assert_eq!(r.body.as_bytes(), &content[..]);
    let list = rep.get("/api/v1/applications/1/documents").json();
    assert_eq!(item(&list, "passport-copy")["provided"], true);
    assert_eq!(
        item(&list, "passport-copy")["file"]["content_type"],
        "application/pdf"
    );
    assert_eq!(list["mandatory_provided"], 1);
    assert!(rep
        .get(&app)
        .body
        .contains(&format!("1 of {mandatory} mandatory")));

    // A name that says .pdf over content that is not: refused, the file named.
    let r = page_upload(
        &mut rep,
        &app,
        "photo",
        "photo.pdf",
        b"<html><script>alert(1)</script>",
        None,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body
            .contains("“photo.pdf” is not a PDF, JPEG or PNG file"),
        "{}",
        r.body
    );
    assert!(r.body.contains("role=\"alert\""));

    // Too big, by one byte: refused with the limit and the file named.
    let r = page_upload(&mut rep, &app, "photo", "huge.pdf", &pdf(MAX), None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("“huge.pdf” is larger than 10 MiB"),
        "{}",
        r.body
    );
    let r = api_upload(
        &mut rep,
        "/api/v1/applications/1/documents/photo",
        "huge.pdf",
        &pdf(MAX),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("larger than 10 MiB"));
    assert_eq!(
        item(&rep.get("/api/v1/applications/1/documents").json(), "photo")["provided"],
        false
    );

    // Replace (a PNG now), then remove.
    let r = page_upload(
        &mut rep,
        &app,
        "passport-copy",
        "passport-scan.png",
        &png(),
        None,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = rep.get(&format!("{app}/documents/passport-copy/file"));
    assert_eq!(r.header("content-type"), Some("image/png"));
    let page = rep.get(&format!("{app}/documents"));
    let r = rep.submit_to(&page, &format!("{app}/documents/passport-copy/remove"), &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        rep.get(&format!("{app}/documents/passport-copy/file"))
            .status,
        404
    );
    assert_eq!(
        rep.submit_to(&page, &format!("{app}/documents/nope/remove"), &[])
            .status,
        404
    );
    assert_eq!(
        page_upload(&mut rep, &app, "nope", "a.pdf", &pdf(1), None).status,
        404
    );

    // The API: upload, list, download, remove.
    let r = api_upload(
        &mut rep,
        "/api/v1/applications/1/documents/fee-receipt",
        "receipt.pdf",
        &pdf(10),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["name"], "receipt.pdf");
    let r = rep.get("/api/v1/applications/1/documents/fee-receipt");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("receipt.pdf"));
    assert_eq!(
        rep.api(
            "DELETE",
            "/api/v1/applications/1/documents/fee-receipt",
            None
        )
        .status,
        200
    );
    assert_eq!(
        rep.api(
            "DELETE",
            "/api/v1/applications/1/documents/fee-receipt",
            None
        )
        .status,
        404
    );
    let r = api_upload(
        &mut rep,
        "/api/v1/applications/1/documents/photo",
        "x.png",
        b"GIF89a....",
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("not a PDF, JPEG or PNG"));

    let log = audit(&server, 1);
    let has = |s: &str| log.iter().any(|l| l.contains(s));
    assert!(
        has("rita@example.com: uploaded document passport-copy"),
        "{log:?}"
    );
    assert!(
        has("rita@example.com: replaced document passport-copy"),
        "{log:?}"
    );
    assert!(
        has("rita@example.com: removed document passport-copy"),
        "{log:?}"
    );
    assert!(
        has("rita@example.com: uploaded document fee-receipt"),
        "{log:?}"
    );
    assert!(
        has("rita@example.com: removed document fee-receipt"),
        "{log:?}"
    );

    // In French.
    let page = rep.get(&format!("{app}/documents?lang=fr"));
    assert!(page.body.contains("Liste de contrôle des documents"));

    // Once submitted, files can be read but not changed.
    let r = page_upload(&mut rep, &app, "photo", "photo.png", &png(), None);
    assert_eq!(r.status, 303);
    server
        .store
        .set_status(
            1,
            server::store::Status::Submitted,
            &server::store::Audit::new("test", "submitted"),
        )
        .unwrap();
    let page = rep.get(&format!("{app}/documents?lang=en"));
    assert!(!page.body.contains("enctype=\"multipart/form-data\""));
    assert_eq!(rep.get(&format!("{app}/documents/photo/file")).status, 200);
    let r = page_upload(
        &mut rep,
        &app,
        "photo",
        "other.png",
        &png(),
        Some(&csrf_of(&page.body)),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("can no longer be changed"), "{}", r.body);
    let r = api_upload(
        &mut rep,
        "/api/v1/applications/1/documents/photo",
        "other.png",
        &png(),
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        rep.api("DELETE", "/api/v1/applications/1/documents/photo", None)
            .status,
        409
    );
    assert_eq!(server.store.documents(1).unwrap()[0].file_name, "photo.png");
}

#[test]
fn an_upload_without_the_csrf_token_is_refused() {
    let server = start("documents-csrf", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Rep", "rita@example.com");
    let app = new_application(&mut rep, "Ana Silva", "ana@example.com", PROGRAM);

    let (ct, body) = multipart(&[("file", Some("passport.pdf"), &pdf(10))]);
    let r = rep.send(
        "POST",
        &format!("{app}/documents/passport-copy"),
        &ct,
        &[],
        body,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = page_upload(
        &mut rep,
        &app,
        "passport-copy",
        "passport.pdf",
        &pdf(10),
        Some("0123abcd"),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let (ct, body) = multipart(&[("file", Some("passport.pdf"), &pdf(10))]);
    let r = rep.send(
        "POST",
        "/api/v1/applications/1/documents/passport-copy",
        &ct,
        &[],
        body,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(server.store.documents(1).unwrap().is_empty());
    // No file chosen: the browser sends an empty part without a name.
    let r = page_upload(&mut rep, &app, "passport-copy", "", b"", None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("No file was chosen"), "{}", r.body);
    // With the token, the same upload goes through.
    let r = page_upload(
        &mut rep,
        &app,
        "passport-copy",
        "passport.pdf",
        &pdf(10),
        None,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(server.store.documents(1).unwrap().len(), 1);
}

#[test]
fn only_the_representative_of_the_application_sees_its_documents() {
    let server = start("documents-access", &[]);
    let mut rita = Browser::new(&server);
    sign_up(&mut rita, "Rita Rep", "rita@example.com");
    let app = new_application(&mut rita, "Ana Silva", "ana@example.com", PROGRAM);
    let r = page_upload(
        &mut rita,
        &app,
        "passport-copy",
        "passport.pdf",
        &pdf(10),
        None,
    );
    assert_eq!(r.status, 303);

    let mut bob = Browser::new(&server);
    sign_up(&mut bob, "Bob Rep", "bob@example.com");
    for path in [
        "/applications/1/documents",
        "/applications/1/documents/passport-copy/file",
        "/api/v1/applications/1/documents",
        "/api/v1/applications/1/documents/passport-copy",
    ] {
        let r = bob.get(path);
        assert_eq!(r.status, 404, "GET {path}");
        assert!(!r.body.contains("%PDF"), "GET {path}");
    }
    let home = bob.get("/");
    let csrf = csrf_of(&home.body);
    let r = page_upload(
        &mut bob,
        "/applications/1",
        "passport-copy",
        "evil.pdf",
        &pdf(5),
        Some(&csrf),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let r = bob.submit_to(&home, "/applications/1/documents/passport-copy/remove", &[]);
    assert_eq!(r.status, 404);
    let r = api_upload(
        &mut bob,
        "/api/v1/applications/1/documents/passport-copy",
        "evil.pdf",
        &pdf(5),
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        bob.api(
            "DELETE",
            "/api/v1/applications/1/documents/passport-copy",
            None
        )
        .status,
        404
    );
    let docs = server.store.documents(1).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].file_name, "passport.pdf");

    // The client cannot upload or remove anything.
    let mut ana = Browser::new(&server);
    client_first_sign_in(&mut ana, &server.store, "ana@example.com", PASSWORD);
    assert_eq!(ana.get("/api/v1/applications/1/documents").status, 404);
    let r = api_upload(
        &mut ana,
        "/api/v1/applications/1/documents/photo",
        "me.png",
        &png(),
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        ana.api(
            "DELETE",
            "/api/v1/applications/1/documents/passport-copy",
            None
        )
        .status,
        404
    );
    assert_eq!(server.store.documents(1).unwrap().len(), 1);
}

#[test]
fn fees_show_each_person_and_the_open_work_permit_holder_fee() {
    let server = start("documents-fees", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Rep", "rita@example.com");
    new_application(
        &mut rep,
        "Ana Silva",
        "ana@example.com",
        "apr.open-work-permit-inside-canada",
    );
    let list = rep.get("/api/v1/applications/1/documents").json();
    let fees = list["fees"].as_array().unwrap();
    assert!(fees.iter().any(|f| f["code"] == "owp-holder"), "{list}");
    let page = rep.get("/applications/1/documents");
    let owp = fees.iter().find(|f| f["code"] == "owp-holder").unwrap();
    assert!(
        page.body.contains(owp["title"]["en"].as_str().unwrap()),
        "{}",
        page.body
    );
    assert!(page.body.contains(list["fee_total"].as_str().unwrap()));
}

#[test]
fn a_body_over_the_upload_limit_gets_the_message_not_a_bare_413() {
    let server = start("documents-huge", &[]);
    let mut rep = Browser::new(&server);
    sign_up(&mut rep, "Rita Rep", "rita@example.com");
    let app = new_application(&mut rep, "Ana Silva", "ana@example.com", PROGRAM);
    let r = page_upload(
        &mut rep,
        &app,
        "photo",
        "scan.pdf",
        &pdf(MAX + MAX / 5),
        None,
    );
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("larger than 10 MiB"), "{}", r.body);
    let r = api_upload(
        &mut rep,
        "/api/v1/applications/1/documents/photo",
        "scan.pdf",
        &pdf(MAX + MAX / 5),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("“scan.pdf” is larger than 10 MiB"),
        "{}",
        r.body
    );
    assert!(server.store.documents(1).unwrap().is_empty());
}
