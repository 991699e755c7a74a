//! What signing up, signing in, changing and resetting a password do, apart from HTTP: the
//! JSON handlers (`handlers.rs`, `reset.rs`) call these, and so will the HTML pages. Each
//! returns the account (and whether a temporary password was used) or an [`ApiError`] whose
//! message the user can act on, in the language of the page that asked (the `*_in`
//! functions; the plain ones answer in English, for the JSON API). Password-reset requests are
//! rate limited per email address and per client address ([`ResetLimiter`]).

pub use super::reset_limit::{Limited, ResetLimiter, RESETS_PER_ADDRESS, RESETS_PER_EMAIL};
use super::{password, token, LOCK_AFTER, RESET_SECONDS};
use crate::error::ApiError;
use crate::store::{email_key, now, Account, AccountId, NewAccount, NewEmail, ResetToken, Role};
use crate::AppState;
use engine::Lang;
use std::net::IpAddr;
use std::sync::OnceLock;

/// The message in the language asked for.
fn tr(lang: Lang, en: String, fr: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

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
    sign_up_in(state, form, Lang::En).await
}

/// [`sign_up`], its messages in `lang`.
pub async fn sign_up_in(
    state: &AppState,
    form: &SignUpForm<'_>,
    lang: Lang,
) -> Result<Account, ApiError> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::BadRequest(tr(
            lang,
            "Enter your name (at most 200 characters).".into(),
            "Entrez votre nom (au plus 200 caractères).".into(),
        )));
    }
    let email = form.email.trim();
    if !plausible_email(email) {
        return Err(ApiError::BadRequest(tr(
            lang,
            format!("`{email}` is not an email address. Enter it as name@example.com."),
            format!(
                "« {email} » n’est pas une adresse courriel. Entrez-la sous la forme \
                 nom@exemple.com."
            ),
        )));
    }
    if email_key(email) != email_key(form.email_confirmation) {
        return Err(ApiError::BadRequest(tr(
            lang,
            "The two email addresses are not the same. Type your email address again in both \
             fields."
                .into(),
            "Les deux adresses courriel ne sont pas identiques. Tapez de nouveau votre adresse \
             dans les deux champs."
                .into(),
        )));
    }
    check_policy(form.password, email, lang)?;
    // Refuse a taken email before spending time on the hash; the store checks again, atomically.
    if let Some(existing) = state.store.account_by_email(email)? {
        return Err(taken(email, existing.role, lang));
    }
    let hash = password::hash(form.password).await?;
    let created = state.store.create_account(&NewAccount {
        role: Role::Representative,
        email: email.to_string(),
        name: name.to_string(),
        password_hash: Some(hash),
    });
    match created {
        Err(crate::store::StoreError::EmailHasOtherRole { role, .. }) => {
            Err(taken(email, role, lang))
        }
        Err(crate::store::StoreError::EmailTaken { .. }) => {
            Err(taken(email, Role::Representative, lang))
        }
        other => Ok(other?),
    }
}

fn taken(email: &str, role: Role, lang: Lang) -> ApiError {
    ApiError::Conflict(match role {
        Role::Representative => tr(
            lang,
            format!(
                "An account with the email address {email} already exists. Sign in, or reset \
                 its password if you forgot it."
            ),
            format!(
                "Un compte avec l’adresse courriel {email} existe déjà. Connectez-vous, ou \
                 réinitialisez son mot de passe si vous l’avez oublié."
            ),
        ),
        Role::Client => tr(
            lang,
            format!(
                "The email address {email} is already used by a client account, and one email \
                 address can have only one role. Sign up with another email address."
            ),
            format!(
                "L’adresse courriel {email} est déjà celle d’un compte de client, et une adresse \
                 ne peut avoir qu’un rôle. Inscrivez-vous avec une autre adresse."
            ),
        ),
    })
}

/// The password policy ([`password::check_policy`]), its message in `lang`.
fn check_policy(given: &str, email: &str, lang: Lang) -> Result<(), ApiError> {
    let english = password::check_policy(given, email);
    if lang == Lang::En || english.is_ok() {
        return english;
    }
    let length = given.chars().count();
    Err(ApiError::BadRequest(if length < password::MIN_LENGTH {
        format!(
            "Le mot de passe est trop court : il faut au moins {} caractères (il en a \
             {length}). Quelques mots sans lien entre eux font un mot de passe solide et facile \
             à retenir.",
            password::MIN_LENGTH
        )
    } else if length > password::MAX_LENGTH {
        format!(
            "Le mot de passe est trop long : utilisez au plus {} caractères.",
            password::MAX_LENGTH
        )
    } else {
        "Le mot de passe ne peut pas être votre adresse courriel. Choisissez-en un autre.".into()
    }))
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
    wrong_credentials_in(Lang::En)
}

fn wrong_credentials_in(lang: Lang) -> ApiError {
    ApiError::Unauthorized(tr(
        lang,
        format!(
            "The email address or the password is not right. Check both and try again. After \
             {LOCK_AFTER} failed attempts in a row the account is locked until its password is \
             reset."
        ),
        format!(
            "L’adresse courriel ou le mot de passe n’est pas le bon. Vérifiez les deux et \
             réessayez. Après {LOCK_AFTER} échecs de suite, le compte est verrouillé jusqu’à \
             la réinitialisation de son mot de passe."
        ),
    ))
}

/// A locked account's answer, even with the right password.
pub fn locked() -> ApiError {
    locked_in(Lang::En)
}

fn locked_in(lang: Lang) -> ApiError {
    ApiError::Locked(tr(
        lang,
        "This account is locked after too many failed sign-ins. To unlock it, reset your \
         password: ask for a reset link (the “Forgot your password?” page, or POST \
         /api/v1/auth/password-reset/request) and follow the link in the email."
            .into(),
        "Ce compte est verrouillé après trop d’échecs de connexion. Pour le déverrouiller, \
         réinitialisez votre mot de passe : demandez un lien (page « Mot de passe oublié ? ») \
         et suivez le lien reçu par courriel."
            .into(),
    ))
}

/// Checks an email and a password. Returns the account and whether the password was the
/// account's temporary one. Counts failures, and locks after [`LOCK_AFTER`] in a row.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    given: &str,
) -> Result<(Account, bool), ApiError> {
    sign_in_in(state, email, given, Lang::En).await
}

/// [`sign_in`], its messages in `lang`.
pub async fn sign_in_in(
    state: &AppState,
    email: &str,
    given: &str,
    lang: Lang,
) -> Result<(Account, bool), ApiError> {
    let Some(account) = state.store.account_by_email(email)? else {
        // Spend the time a real check takes, so that timing does not tell the email is unknown.
        password::verify(given, dummy_hash()).await?;
        return Err(wrong_credentials_in(lang));
    };
    if account.locked {
        return Err(locked_in(lang));
    }
    let temporary = match matches(state, &account, given).await? {
        Some(temporary) => temporary,
        None => {
            let now_account = state.store.record_failed_sign_in(account.id, LOCK_AFTER)?;
            return Err(if now_account.locked {
                locked_in(lang)
            } else {
                wrong_credentials_in(lang)
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
    change_password_in(state, account, current, new, Lang::En).await
}

/// [`change_password`], its messages in `lang`.
pub async fn change_password_in(
    state: &AppState,
    account: &Account,
    current: &str,
    new: &str,
    lang: Lang,
) -> Result<Account, ApiError> {
    if matches(state, account, current).await?.is_none() {
        let now_account = state.store.record_failed_sign_in(account.id, LOCK_AFTER)?;
        if now_account.locked {
            state.store.delete_sessions_of(account.id)?;
            return Err(locked_in(lang));
        }
        return Err(ApiError::Forbidden(tr(
            lang,
            "The current password is not right. Type it again; if you forgot it, sign out and \
             reset it."
                .into(),
            "Le mot de passe actuel n’est pas le bon. Tapez-le de nouveau ; si vous l’avez \
             oublié, déconnectez-vous et réinitialisez-le."
                .into(),
        )));
    }
    if current == new {
        return Err(ApiError::BadRequest(tr(
            lang,
            "The new password must differ from the current one. Choose another password.".into(),
            "Le nouveau mot de passe doit être différent de l’actuel. Choisissez-en un autre."
                .into(),
        )));
    }
    check_policy(new, &account.email, lang)?;
    let hash = password::hash(new).await?;
    let account = state.store.set_password(account.id, &hash)?;
    state.store.delete_sessions_of(account.id)?;
    Ok(account)
}

/// Queues a reset email with a single-use link valid for an hour, when an account has this
/// email; does nothing otherwise (the caller answers the same either way).
pub fn request_reset(state: &AppState, email: &str) -> Result<(), ApiError> {
    send_reset(state, email)
}

/// [`request_reset`] under the rate limits ([`RESETS_PER_EMAIL`], [`RESETS_PER_ADDRESS`]),
/// `from` being the client's address when known; a refused request says when to try again,
/// in `lang`.
pub fn request_reset_in(
    state: &AppState,
    email: &str,
    from: Option<IpAddr>,
    lang: Lang,
) -> Result<Result<(), Limited>, ApiError> {
    if let Err((wait, is_email)) = ResetLimiter::global().take(email, from, state.config.now()) {
        let minutes = wait.div_ceil(60).max(1);
        let at = crate::config::format_utc(state.config.now() + wait);
        let message = match (lang, is_email) {
            (Lang::En, true) => format!(
                "A reset link was asked for this email address {RESETS_PER_EMAIL} times in the \
                 last hour, the most we send. Check your inbox and spam folder for the links \
                 already sent, or ask again in {minutes} minutes (after {at})."
            ),
            (Lang::En, false) => format!(
                "Too many reset links were asked from your network in the last hour. Ask again \
                 in {minutes} minutes (after {at})."
            ),
            (Lang::Fr, true) => format!(
                "Un lien de réinitialisation a été demandé {RESETS_PER_EMAIL} fois pour cette \
                 adresse au cours de la dernière heure, le maximum que nous envoyons. Cherchez \
                 les liens déjà envoyés dans votre boîte de réception et vos indésirables, ou \
                 redemandez dans {minutes} minutes (après {at})."
            ),
            (Lang::Fr, false) => format!(
                "Trop de liens de réinitialisation ont été demandés depuis votre réseau au cours \
                 de la dernière heure. Redemandez dans {minutes} minutes (après {at})."
            ),
        };
        return Ok(Err(Limited {
            retry_after: wait,
            message,
        }));
    }
    send_reset(state, email).map(Ok)
}

fn send_reset(state: &AppState, email: &str) -> Result<(), ApiError> {
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
    reset_password_in(state, secret, new, Lang::En).await
}

/// [`reset_password`], its messages in `lang`.
pub async fn reset_password_in(
    state: &AppState,
    secret: &str,
    new: &str,
    lang: Lang,
) -> Result<AccountId, ApiError> {
    // The policy first, so that a weak password does not use up the link. (The email check
    // needs the account, which only taking the token gives.)
    check_policy(new, "", lang)?;
    let Some(id) = state
        .store
        .take_reset_token(&token::digest(secret.trim()))?
    else {
        return Err(ApiError::BadRequest(tr(
            lang,
            "This reset link has already been used or has expired (links work once, for 1 \
             hour). Ask for a new link (the “Forgot your password?” page, or POST \
             /api/v1/auth/password-reset/request)."
                .into(),
            "Ce lien de réinitialisation a déjà servi ou a expiré (un lien sert une fois, \
             pendant 1 heure). Demandez un nouveau lien (page « Mot de passe oublié ? »)."
                .into(),
        )));
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
