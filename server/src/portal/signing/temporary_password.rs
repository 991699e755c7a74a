//! "Resend temporary password": a new one-time password for a client who has not chosen
//! their own yet; the old one stops working.

use super::logic::say;
use crate::error::ApiError;
use crate::pages::applications::issue_temporary_password;
use crate::store::{Account, Application, Audit, NewEmail};
use crate::AppState;
use engine::Lang;

/// Issues the client a new temporary password (the old one stops working) and emails it
/// through the outbox, with an audit entry. Returns the client's email address. Refused when
/// the client has already chosen their own password: they reset it instead.
pub async fn resend_temporary_password(
    state: &AppState,
    me: &Account,
    app: &Application,
    lang: Lang,
) -> Result<String, ApiError> {
    let client = state
        .store
        .account(app.client)?
        .ok_or_else(|| ApiError::NotFound("This application's client account is gone.".into()))?;
    if client.password_hash.is_some() {
        return Err(ApiError::Conflict(say(
            lang,
            format!(
                "{} has already chosen their own password, so a temporary password cannot be \
                 sent. If they forgot it, they can reset it: a reset link is emailed to them \
                 (password reset).",
                client.name
            ),
            format!(
                "{} a déjà choisi son propre mot de passe : un mot de passe temporaire ne peut \
                 pas être envoyé. S’il l’a oublié, il peut le réinitialiser : un lien lui est \
                 envoyé par courriel (réinitialisation du mot de passe).",
                client.name
            ),
        )));
    }
    let temporary = issue_temporary_password(state, client.id).await?;
    state.store.queue_email(&NewEmail {
        to: client.email.clone(),
        subject: "Your new temporary password / Votre nouveau mot de passe temporaire".into(),
        body: format!(
            "Hello {client},\n\n{rep} sent you a new temporary password for your application \
             {number} on Intake. The one sent before no longer works. Sign in at {url}/sign-in \
             with this email address and this temporary password, then choose your own \
             password:\n\n{temporary}\n\nThe temporary password works for 14 days.\n\n\
             Bonjour {client},\n\n{rep} vous a envoyé un nouveau mot de passe temporaire pour \
             votre demande {number} sur Intake; l’ancien ne fonctionne plus. Connectez-vous à \
             {url}/sign-in avec cette adresse et ce mot de passe temporaire : {temporary}\n",
            client = client.name,
            rep = me.name,
            number = app.number(),
            url = state.config.public_url(),
        ),
    })?;
    state.store.append_audit(
        app.id,
        &Audit::new(me.email.clone(), "resent the client's temporary password"),
    )?;
    Ok(client.email)
}
