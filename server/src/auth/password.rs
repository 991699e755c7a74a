//! Passwords: the policy a new password must meet, and argon2id hashing (the `argon2`
//! crate's default parameters, stored as PHC strings). Hashing and verifying take tens of
//! milliseconds of CPU on purpose, so both run on tokio's blocking threads.

use crate::error::ApiError;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// The shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// The longest, so that hashing stays cheap.
pub const MAX_LENGTH: usize = 256;

/// Checks a new password against the policy: 12 to 256 characters, not the email address.
pub fn check_policy(password: &str, email: &str) -> Result<(), ApiError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(ApiError::BadRequest(format!(
            "The password is too short: it needs at least {MIN_LENGTH} characters (it has \
             {length}). A few unrelated words make a strong password that is easy to remember."
        )));
    }
    if length > MAX_LENGTH {
        return Err(ApiError::BadRequest(format!(
            "The password is too long: use at most {MAX_LENGTH} characters."
        )));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(ApiError::BadRequest(
            "The password cannot be your email address. Choose another password.".into(),
        ));
    }
    Ok(())
}

/// Hashes a password to a PHC string (`$argon2id$v=19$…`) with a fresh random salt.
pub async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| ApiError::Internal(format!("password hashing task: {e}")))?
}

/// [`hash`], on the calling thread (tests, seeding).
pub fn hash_now(password: &str) -> Result<String, ApiError> {
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?;
    Ok(hash.to_string())
}

/// Whether the password matches the PHC string. A string that is not a valid hash matches
/// nothing.
pub async fn verify(password: &str, phc: &str) -> Result<bool, ApiError> {
    let (password, phc) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_now(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(format!("password verification task: {e}")))
}

fn verify_now(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_the_policy_explains_itself() {
        let h = hash_now("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_now("correct horse battery", &h));
        assert!(!verify_now("correct horse batterx", &h));
        assert!(!verify_now("anything", "not a hash"));
        assert!(check_policy("short", "a@b.c").is_err());
        assert!(check_policy("ana@example.com", "Ana@Example.com").is_err());
        assert!(check_policy("twelve chars", "a@b.c").is_ok());
    }
}
