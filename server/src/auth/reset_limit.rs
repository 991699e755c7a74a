//! The rate limit of password-reset requests: per email address and per client address,
//! over the last hour, so that nobody floods a person's inbox or the outbox.

use crate::store::email_key;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};

/// Password-reset requests one email address may make per hour.
pub const RESETS_PER_EMAIL: usize = 3;
/// Password-reset requests one client address may make per hour (several people may share
/// an office's address).
pub const RESETS_PER_ADDRESS: usize = 10;
/// The period the limits count over, in seconds.
const RESET_PERIOD: u64 = 3600;

/// A reset request refused by the rate limit: when to try again, and why in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    /// Seconds until a request will be taken again.
    pub retry_after: u64,
    pub message: String,
}

/// Counts password-reset requests per email address and per client address over the last
/// hour, in memory (one process; a restart forgets, which only ever lets more through).
/// Requests for unknown emails count too, so that the answer never tells whether an account
/// exists.
#[derive(Default)]
pub struct ResetLimiter {
    seen: Mutex<HashMap<String, Vec<u64>>>,
}

impl ResetLimiter {
    /// The process's limiter.
    pub fn global() -> &'static ResetLimiter {
        static LIMITER: OnceLock<ResetLimiter> = OnceLock::new();
        LIMITER.get_or_init(ResetLimiter::default)
    }

    /// Counts a request at `now` unless a limit is reached; then the seconds to wait and
    /// which limit (`true`: the email's).
    pub fn take(&self, email: &str, from: Option<IpAddr>, now: u64) -> Result<(), (u64, bool)> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, times| times.iter().any(|&t| t + RESET_PERIOD > now));
        }
        let mut keys = vec![(
            format!("email:{}", email_key(email)),
            RESETS_PER_EMAIL,
            true,
        )];
        // Behind a reverse proxy on the same machine every request comes from loopback:
        // counting them together would refuse everyone, so only the email's limit applies.
        if let Some(ip) = from.filter(|ip| !ip.is_loopback()) {
            keys.push((format!("address:{ip}"), RESETS_PER_ADDRESS, false));
        }
        for (key, limit, is_email) in &keys {
            let times = seen.entry(key.clone()).or_default();
            times.retain(|&t| t + RESET_PERIOD > now);
            if times.len() >= *limit {
                return Err((times[0] + RESET_PERIOD - now, *is_email));
            }
        }
        for (key, _, _) in keys {
            seen.entry(key).or_default().push(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reset_requests_are_limited_per_email_and_per_address() {
        let limiter = super::ResetLimiter::default();
        let ip = Some("192.0.2.1".parse().unwrap());
        for _ in 0..super::RESETS_PER_EMAIL {
            assert!(limiter.take("Ana@example.com", ip, 1000).is_ok());
        }
        // The fourth for the same email (whatever its case) waits for the first to age out.
        assert_eq!(limiter.take("ana@example.com", ip, 1010), Err((3590, true)));
        assert!(limiter.take("ana@example.com", ip, 1000 + 3600).is_ok());
        // Other emails from the same address, up to the address's limit.
        // The address has one request (at 4600) still within the hour.
        for i in 0..(super::RESETS_PER_ADDRESS - 1) {
            assert!(limiter.take(&format!("b{i}@example.com"), ip, 5000).is_ok());
        }
        assert_eq!(limiter.take("c@example.com", ip, 5000), Err((3200, false)));
        assert!(limiter.take("c@example.com", None, 5000).is_ok());
        let local = Some("127.0.0.1".parse().unwrap());
        for i in 0..(2 * super::RESETS_PER_ADDRESS) {
            assert!(limiter
                .take(&format!("d{i}@example.com"), local, 5000)
                .is_ok());
        }
    }
}
