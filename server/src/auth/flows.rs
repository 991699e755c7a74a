//! What signing up, signing in, changing and resetting a password do, apart from HTTP: the
//! JSON handlers (`handlers.rs`, `reset.rs`) call these, and so will the HTML pages. Each
//! returns the account (and whether a temporary password was used) or an [`ApiError`] whose
//! message the user can act on.

use super::{password, token, LOCK_AFTER, RESET_SECONDS};
use crate::error::ApiError;
use crate::store::{email_key, now, Account, AccountId, NewAccount, NewEmail, ResetToken, Role};
use crate::AppState;
use std::sync::OnceLock;

/// What a representative enters to sign up.
pub struct SignUpForm<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub email_confirmation: &'a str,
    pub password: &'a str,
}

/// Checks the form and creates a representative's account (409 when the email is in use, by
/// a representative or by a client).
pub async fn sign_up(state: &AppState, form: &SignUpForm<'_>) -> Result<Account, ApiError> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::BadRequest(
            "Enter your name (at most 200 characters).".into(),
        ));
    }
    let email = form.email.trim();
    if !plausible_email(email) {
        return Err(ApiError::BadRequest(format!(
            "`{email}` is not an email address. Enter it as name@example.com."
        )));
    }
    if email_key(email) != email_key(form.email_confirmation) {
        return Err(ApiError::BadRequest(
            "The two email addresses are not the same. Type your email address again in both \
             fields."
                .into(),
        ));
    }
    password::check_policy(form.password, email)?;
    // Refuse a taken email before spending time on the hash; the store checks again, atomically.
    if let Some(existing) = state.store.account_by_email(email)? {
        return Err(taken(email, existing.role));
    }
    let hash = password::hash(form.password).await?;
    let created = state.store.create_account(&NewAccount {
        role: Role::Representative,
        email: email.to_string(),
        name: name.to_string(),
        password_hash: Some(hash),
    });
    match created {
        Err(crate::store::StoreError::EmailHasOtherRole { role, .. }) => Err(taken(email, role)),
        other => Ok(other?),
    }
}

fn taken(email: &str, role: Role) -> ApiError {
    match role {
        Role::Representative => ApiError::Conflict(format!(
            "An account with the email address {email} already exists. Sign in, or reset its \
             password if you forgot it."
        )),
        Role::Client => ApiError::Conflict(format!(
            "The email address {email} is already used by a client account, and one email \
             address can have only one role. Sign up with another email address."
        )),
    }
}

/// An address with one `@`, something before it, a dot in the domain and no spaces.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The one message for an unknown email or a wrong password: it does not tell which.
pub fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized(format!(
        "The email address or the password is not right. Check both and try again. After \
         {LOCK_AFTER} failed attempts in a row the account is locked until its password is \
         reset."
    ))
}

/// A locked account's answer, even with the right password.
pub fn locked() -> ApiError {
    ApiError::Locked(
        "This account is locked after too many failed sign-ins. To unlock it, reset your \
         password: ask for a reset link (POST /api/v1/auth/password-reset/request) and follow \
         the link in the email."
            .into(),
    )
}

/// Checks an email and a password. Returns the account and whether the password was the
/// account's temporary one. Counts failures, and locks after [`LOCK_AFTER`] in a row.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    given: &str,
) -> Result<(Account, bool), ApiError> {
    let Some(account) = state.store.account_by_email(email)? else {
        // Spend the time a real check takes, so that timing does not tell the email is unknown.
        password::verify(given, dummy_hash()).await?;
        return Err(wrong_credentials());
    };
    if account.locked {
        return Err(locked());
    }
    let temporary = match matches(state, &account, given).await? {
        Some(temporary) => temporary,
        None => {
            let now_account = state.store.record_failed_sign_in(account.id, LOCK_AFTER)?;
            return Err(if now_account.locked {
                locked()
            } else {
                wrong_credentials()
            });
        }
    };
    let account = state.store.record_sign_in(account.id)?;
    Ok((account, temporary))
}

/// Whether the password is the account's own (`Some(false)`), its live temporary one
/// (`Some(true)`), or neither.
async fn matches(
    state: &AppState,
    account: &Account,
    given: &str,
) -> Result<Option<bool>, ApiError> {
    if let Some(own) = &account.password_hash {
        if password::verify(given, own).await? {
            return Ok(Some(false));
        }
    }
    if let Some(temp) = state.store.temporary_password(account.id)? {
        if password::verify(given, &temp.hash).await? {
            return Ok(Some(true));
        }
    }
    Ok(None)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| password::hash_now("not anyone's password").unwrap_or_default())
}

/// Sets a signed-in account's own password after checking the current one (its own, or the
/// temporary one it signed in with). Unlocks, voids the temporary password and signs out
/// every session of the account: the caller starts a fresh one.
pub async fn change_password(
    state: &AppState,
    account: &Account,
    current: &str,
    new: &str,
) -> Result<Account, ApiError> {
    if matches(state, account, current).await?.is_none() {
        let now_account = state.store.record_failed_sign_in(account.id, LOCK_AFTER)?;
        if now_account.locked {
            state.store.delete_sessions_of(account.id)?;
            return Err(locked());
        }
        return Err(ApiError::Forbidden(
            "The current password is not right. Type it again; if you forgot it, sign out and \
             reset it."
                .into(),
        ));
    }
    if current == new {
        return Err(ApiError::BadRequest(
            "The new password must differ from the current one. Choose another password.".into(),
        ));
    }
    password::check_policy(new, &account.email)?;
    let hash = password::hash(new).await?;
    let account = state.store.set_password(account.id, &hash)?;
    state.store.delete_sessions_of(account.id)?;
    Ok(account)
}

/// Queues a reset email with a single-use link valid for an hour, when an account has this
/// email; does nothing otherwise (the caller answers the same either way).
pub fn request_reset(state: &AppState, email: &str) -> Result<(), ApiError> {
    let Some(account) = state.store.account_by_email(email)? else {
        return Ok(());
    };
    let secret = token::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    state.store.create_reset_token(
        &token::digest(&secret),
        &ResetToken {
            account: account.id,
            expires: now() + RESET_SECONDS,
        },
    )?;
    let link = format!(
        "{}/reset-password?token={secret}",
        state.config.public_url()
    );
    state.store.queue_email(&NewEmail {
        to: account.email.clone(),
        subject: "Reset your Intake password".into(),
        body: format!(
            "Hello {},\n\nSomeone (we hope you) asked to reset the password of your Intake \
             account. To choose a new password, open this link:\n\n{link}\n\nThe link works \
             once, for 1 hour. Resetting the password also unlocks the account.\n\nIf you did \
             not ask for this, ignore this email: your password stays as it is.\n\nReset \
             token: {secret}\n",
            account.name
        ),
    })?;
    Ok(())
}

/// Takes a reset token and sets the new password: unlocks the account, voids any temporary
/// password and signs out every session. A used or expired token: 400.
pub async fn reset_password(
    state: &AppState,
    secret: &str,
    new: &str,
) -> Result<AccountId, ApiError> {
    // The policy first, so that a weak password does not use up the link. (The email check
    // needs the account, which only taking the token gives.)
    password::check_policy(new, "")?;
    let Some(id) = state
        .store
        .take_reset_token(&token::digest(secret.trim()))?
    else {
        return Err(ApiError::BadRequest(
            "This reset link has already been used or has expired (links work once, for 1 \
             hour). Ask for a new link (POST /api/v1/auth/password-reset/request)."
                .into(),
        ));
    };
    let hash = password::hash(new).await?;
    state.store.set_password(id, &hash)?;
    state.store.delete_sessions_of(id)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn plausible_emails() {
        for ok in ["ana@example.com", "a.b+c@mail.example.ca"] {
            assert!(super::plausible_email(ok), "{ok}");
        }
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a na@example.com",
        ] {
            assert!(!super::plausible_email(bad), "{bad}");
        }
    }
}
