//! Sending the outbox by SMTP (lettre, rustls): when an SMTP host is configured, a background
//! task sends the emails that wait in the store's outbox, marks each one sent, and retries a
//! failed one later with a growing delay (30 s, 1 min, 2 min, … at most 1 hour), logging each
//! failure with what to check. Without SMTP the emails stay in the outbox (the development
//! page `/dev/outbox` shows them).

use crate::config::{Smtp, SmtpTls};
use crate::store::{Email, Store};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the outbox is looked at.
const POLL: Duration = Duration::from_secs(2);
/// The first retry delay; it doubles with each failure.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest retry delay.
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How many emails one round sends at most.
const BATCH: usize = 50;

/// Starts the background sender. Fails when the SMTP settings cannot make a transport (a bad
/// host name for TLS, a bad sender address).
pub fn spawn(store: Arc<dyn Store>, smtp: Smtp) -> Result<tokio::task::JoinHandle<()>, String> {
    let from: Mailbox = smtp.from.parse().map_err(|e| {
        format!(
            "the SMTP sender `{}` is not an email address ({e}): write it as `Intake \
             <no-reply@example.org>`",
            smtp.from
        )
    })?;
    let transport = transport(&smtp)?;
    tracing::info!(
        "sending the outbox's emails through {}:{} ({:?})",
        smtp.host,
        smtp.port,
        smtp.tls
    );
    Ok(tokio::spawn(run(store, transport, from)))
}

fn transport(smtp: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match smtp.tls {
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
        SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            &smtp.host,
        )),
    }
    .map_err(|e| format!("cannot set up SMTP to {}: {e}", smtp.host))?;
    let mut builder = builder
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(30)));
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// When each failed email may be tried again, and how many times it failed.
#[derive(Default)]
struct Retries(HashMap<u64, (u32, Instant)>);

impl Retries {
    fn due(&self, id: u64, now: Instant) -> bool {
        self.0.get(&id).is_none_or(|(_, at)| *at <= now)
    }

    /// Counts a failure; returns the delay before the next try.
    fn failed(&mut self, id: u64, now: Instant) -> (u32, Duration) {
        let entry = self.0.entry(id).or_insert((0, now));
        entry.0 += 1;
        let delay = FIRST_RETRY
            .saturating_mul(1 << (entry.0 - 1).min(12))
            .min(MAX_RETRY);
        entry.1 = now + delay;
        (entry.0, delay)
    }
}

async fn run(store: Arc<dyn Store>, transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox) {
    let mut retries = Retries::default();
    let mut every = tokio::time::interval(POLL);
    loop {
        every.tick().await;
        let waiting = {
            let store = Arc::clone(&store);
            match tokio::task::spawn_blocking(move || store.unsent_emails(BATCH)).await {
                Ok(Ok(emails)) => emails,
                Ok(Err(e)) => {
                    tracing::warn!("cannot read the outbox: {e}");
                    continue;
                }
                Err(e) => {
                    tracing::warn!("cannot read the outbox: {e}");
                    continue;
                }
            }
        };
        let now = Instant::now();
        for email in waiting {
            if !retries.due(email.id, now) {
                continue;
            }
            match send(&transport, &from, &email).await {
                Ok(()) => {
                    retries.0.remove(&email.id);
                    match store.mark_email_sent(email.id) {
                        Ok(()) => tracing::info!("sent email {} to {}", email.id, email.to),
                        Err(e) => tracing::error!(
                            "email {} was sent but could not be marked sent ({e}): it may be \
                             sent again",
                            email.id
                        ),
                    }
                }
                Err(e) => {
                    let (tries, delay) = retries.failed(email.id, now);
                    tracing::warn!(
                        "email {} to {} was not sent (attempt {tries}): {e}; trying again in {} s. \
                         Check the SMTP settings (host, port, tls, username, password).",
                        email.id,
                        email.to,
                        delay.as_secs()
                    );
                }
            }
        }
    }
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    email: &Email,
) -> Result<(), String> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| format!("the address `{}` is not valid ({e})", email.to))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|e| e.to_string())?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_an_hour() {
        let mut r = Retries::default();
        let now = Instant::now();
        assert!(r.due(7, now));
        assert_eq!(r.failed(7, now), (1, Duration::from_secs(30)));
        assert!(!r.due(7, now));
        assert_eq!(r.failed(7, now), (2, Duration::from_secs(60)));
        for _ in 0..20 {
            r.failed(7, now);
        }
        assert_eq!(r.failed(7, now).1, MAX_RETRY);
        assert!(r.due(7, now + MAX_RETRY));
    }
}
