//! The outbox sent by SMTP (a fake one-connection SMTP server), and an unreachable server
//! leaving the email waiting.

use server::config::Config;
use server::store::{SledStore, Store};
use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;

/// A one-connection SMTP server that accepts one message and hands back its text.
fn fake_smtp() -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream);
        out.write_all(b"220 fake ESMTP\r\n").unwrap();
        let mut message = String::new();
        let mut in_data = false;
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    out.write_all(b"250 queued\r\n").unwrap();
                    tx.send(message.clone()).unwrap();
                } else {
                    message.push_str(&line);
                }
                continue;
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let answer: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 fake\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go on\r\n"
                }
                "QUIT" => {
                    out.write_all(b"221 bye\r\n").unwrap();
                    break;
                }
                _ => b"250 ok\r\n",
            };
            out.write_all(answer).unwrap();
        }
    });
    (port, rx)
}

#[test]
fn the_outbox_is_sent_by_smtp_and_marked_sent() {
    let (port, received) = fake_smtp();
    let port = port.to_string();
    let data = std::env::temp_dir().join(format!("intake-test-smtp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let config = Config::try_load_from([
        "intake-server",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--smtp-from",
        "Intake <no-reply@example.org>",
    ])
    .unwrap();
    let queued = store
        .queue_email(&server::store::NewEmail {
            to: "ana@example.com".into(),
            subject: "Hello from the outbox".into(),
            body: "It works.".into(),
        })
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _task = rt
        .block_on(async { server::mail::spawn(Arc::clone(&store), config.smtp().unwrap()) })
        .unwrap();
    let message = received
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the email reaches the SMTP server");
    assert!(
        message.contains("Subject: Hello from the outbox"),
        "{message}"
    );
    assert!(message.contains("To: ana@example.com"), "{message}");
    // Marked sent right after the server's 250.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let email = store
            .recent_emails(5)
            .unwrap()
            .into_iter()
            .find(|e| e.id == queued.id)
            .unwrap();
        if email.sent.is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the email was not marked sent"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(store.unsent_emails(10).unwrap().is_empty());
}

#[test]
fn an_unreachable_smtp_server_leaves_the_email_in_the_outbox() {
    // A port nobody listens on: bind one, then free it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port().to_string()
    };
    let data = std::env::temp_dir().join(format!("intake-test-smtp-down-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&data).unwrap());
    let config = Config::try_load_from([
        "intake-server",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
    ])
    .unwrap();
    store
        .queue_email(&server::store::NewEmail {
            to: "ana@example.com".into(),
            subject: "Waiting".into(),
            body: "Not sent yet.".into(),
        })
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _task = rt
        .block_on(async { server::mail::spawn(Arc::clone(&store), config.smtp().unwrap()) })
        .unwrap();
    // The first attempt is made at once and fails; the next is 30 s later.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let waiting = store.unsent_emails(10).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].sent, None);
}
