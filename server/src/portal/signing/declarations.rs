//! The representative's two declarations (their own, once the client has signed, and that
//! no paper application was already sent), stored in the document's `declarations` with the
//! digest of the content they vouch for and of the wording declared.

use super::logic::{changeable_document, say, status};
use crate::error::ApiError;
use crate::portal::{content_digest, wording_digest};
use crate::store::{now, Account, Application, Audit};
use crate::AppState;
use engine::{Lang, Program};
use serde_json::json;

/// The two declarations a representative makes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Declaration {
    Representative,
    NoPaperApplication,
}

impl Declaration {
    pub fn parse(s: &str) -> Option<Declaration> {
        match s {
            "representative" => Some(Declaration::Representative),
            "no_paper_application" => Some(Declaration::NoPaperApplication),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Declaration::Representative => "representative",
            Declaration::NoPaperApplication => "no_paper_application",
        }
    }
}

/// Makes (`made`) or withdraws a declaration of the representative, with an audit entry. The
/// representative's own declaration needs every client signature made and current.
pub fn declare(
    state: &AppState,
    me: &Account,
    app: &Application,
    program: &Program,
    which: Declaration,
    made: bool,
    lang: Lang,
) -> Result<(), ApiError> {
    let mut stored = changeable_document(state, app, lang)?;
    if made && which == Declaration::Representative {
        let waiting: Vec<String> = status(&stored, program, None)
            .signatures
            .into_iter()
            .filter(|s| s.state != "signed")
            .map(|s| {
                let title = match lang {
                    Lang::En => s.title.en,
                    Lang::Fr => s.title.fr,
                };
                format!("{title} ({})", s.person_name)
            })
            .collect();
        if !waiting.is_empty() {
            return Err(ApiError::Conflict(say(
                lang,
                format!(
                    "Your declaration comes after your client’s signatures. Still to be signed \
                     (or signed again after a change): {}.",
                    waiting.join("; ")
                ),
                format!(
                    "Votre déclaration vient après les signatures de votre client. À signer \
                     encore (ou de nouveau après une modification) : {}.",
                    waiting.join("; ")
                ),
            )));
        }
    }
    let read = stored.clone();
    let digest = content_digest(&stored);
    let obj = stored
        .as_object_mut()
        .ok_or_else(|| ApiError::Internal("the application document is not an object".into()))?;
    let declarations = obj.entry("declarations").or_insert_with(|| json!({}));
    if !declarations.is_object() {
        *declarations = json!({});
    }
    let map = declarations.as_object_mut().expect("made an object above");
    let portal = program.portal_declarations();
    let wording = wording_digest(match which {
        Declaration::Representative => &portal.representative,
        Declaration::NoPaperApplication => &portal.no_paper_application,
    });
    let what = if made {
        map.insert(
            which.key().into(),
            json!({"by": me.email, "at": now(), "digest": digest, "wording": wording}),
        );
        format!(
            "made the declaration {}, wording {}",
            which.key(),
            &wording[..12]
        )
    } else {
        if map.remove(which.key()).is_none() {
            return Ok(());
        }
        format!("withdrew the declaration {}", which.key())
    };
    state.store.update_application_data(
        app.id,
        &read,
        &stored,
        &Audit::new(me.email.clone(), what),
    )?;
    Ok(())
}
