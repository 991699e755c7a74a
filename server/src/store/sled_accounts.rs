//! The sled store's accounts, temporary passwords, sessions and reset tokens. The trait
//! methods in `sled_store.rs` call these.

use super::error::{Result, StoreError};
use super::records::*;
use super::sled_store::{decode, encode, id_text, next_id, tx_get, SledStore};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::{abort, Transactional};
use sled::Tree;

impl SledStore {
    /// Changes a JSON record with a compare-and-swap loop; `None` if there is no record.
    fn update<T, F>(&self, tree: &Tree, name: &'static str, key: &[u8], f: F) -> Result<Option<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Fn(&mut T),
    {
        loop {
            let Some(old) = tree.get(key)? else {
                return Ok(None);
            };
            let mut record: T = decode(name, &old)?;
            f(&mut record);
            if tree
                .compare_and_swap(key, Some(&old), Some(encode(&record)))?
                .is_ok()
            {
                return Ok(Some(record));
            }
        }
    }

    pub(super) fn update_account<F: Fn(&mut Account)>(
        &self,
        id: AccountId,
        f: F,
    ) -> Result<Account> {
        self.update(&self.accounts, "account", &id.to_be_bytes(), f)?
            .ok_or_else(|| StoreError::not_found("account", id))
    }

    pub(super) fn account_create(&self, new: &NewAccount) -> Result<Account> {
        let email = new.email.trim().to_string();
        let key = email_key(&email);
        let trees = (&self.accounts, &self.account_emails, &self.meta);
        let account = trees.transaction(|(accounts, emails, meta)| {
            if let Some(id) = emails.get(key.as_bytes())? {
                let existing: Option<Account> = tx_get(accounts, "account", &id)?;
                return abort(match existing {
                    Some(a) if a.role != new.role => StoreError::EmailHasOtherRole {
                        email: email.clone(),
                        role: a.role,
                    },
                    _ => StoreError::EmailTaken {
                        email: email.clone(),
                    },
                });
            }
            let account = Account {
                id: next_id(meta, "account")?,
                role: new.role,
                email: email.clone(),
                name: new.name.trim().to_string(),
                password_hash: new.password_hash.clone(),
                failed_sign_ins: 0,
                locked: false,
                created: now(),
            };
            let id = account.id.to_be_bytes();
            accounts.insert(&id, encode(&account))?;
            emails.insert(key.as_bytes(), &id)?;
            Ok(account)
        })?;
        Ok(account)
    }

    pub(super) fn account_set_password(&self, id: AccountId, hash: &str) -> Result<Account> {
        let key = id.to_be_bytes();
        let trees = (&self.accounts, &self.temporary_passwords);
        let account = trees.transaction(|(accounts, temporary)| {
            let Some(mut account) = tx_get::<Account>(accounts, "account", &key)? else {
                return abort(StoreError::not_found("account", id));
            };
            account.password_hash = Some(hash.to_string());
            account.failed_sign_ins = 0;
            account.locked = false;
            accounts.insert(&key, encode(&account))?;
            temporary.remove(&key)?;
            Ok(account)
        })?;
        Ok(account)
    }

    pub(super) fn temporary_issue(
        &self,
        account: AccountId,
        temp: &TemporaryPassword,
    ) -> Result<()> {
        if !self.accounts.contains_key(account.to_be_bytes())? {
            return Err(StoreError::not_found("account", account));
        }
        self.temporary_passwords
            .insert(account.to_be_bytes(), encode(temp))?;
        Ok(())
    }

    pub(super) fn session_get(&self, token: &str) -> Result<Option<Session>> {
        let session: Option<Session> = self.get(&self.sessions, "session", token.as_bytes())?;
        match session {
            Some(s) if s.expires <= now() => {
                self.session_delete(token)?;
                Ok(None)
            }
            s => Ok(s),
        }
    }

    pub(super) fn session_delete(&self, token: &str) -> Result<()> {
        let trees = (&self.sessions, &self.account_sessions);
        trees.transaction(|(sessions, by_account)| {
            if let Some(old) = sessions.remove(token.as_bytes())? {
                let session: Session = match decode("session", &old) {
                    Ok(s) => s,
                    Err(e) => return abort(e),
                };
                by_account.remove(id_text(session.account, token))?;
            }
            Ok(())
        })?;
        Ok(())
    }

    pub(super) fn sessions_delete_of(&self, account: AccountId) -> Result<usize> {
        let mut tokens = Vec::new();
        for entry in self.account_sessions.scan_prefix(account.to_be_bytes()) {
            let (key, _) = entry?;
            tokens.push(String::from_utf8_lossy(&key[8..]).into_owned());
        }
        for token in &tokens {
            self.session_delete(token)?;
        }
        Ok(tokens.len())
    }

    pub(super) fn reset_take(&self, token: &str) -> Result<Option<AccountId>> {
        // `remove` is atomic: of two callers, one gets the value and the other `None`.
        let Some(old) = self.reset_tokens.remove(token.as_bytes())? else {
            return Ok(None);
        };
        let reset: ResetToken = decode("reset token", &old)?;
        Ok((reset.expires > now()).then_some(reset.account))
    }

    pub(super) fn expired_purge(&self) -> Result<usize> {
        let now = now();
        let mut expired_sessions = Vec::new();
        for entry in self.sessions.iter() {
            let (key, value) = entry?;
            let session: Session = decode("session", &value)?;
            if session.expires <= now {
                expired_sessions.push(String::from_utf8_lossy(&key).into_owned());
            }
        }
        for token in &expired_sessions {
            self.session_delete(token)?;
        }
        let mut count = expired_sessions.len();
        for entry in self.reset_tokens.iter() {
            let (key, value) = entry?;
            let reset: ResetToken = decode("reset token", &value)?;
            if reset.expires <= now {
                self.reset_tokens
                    .compare_and_swap(&key, Some(&value), None as Option<&[u8]>)?
                    .ok();
                count += 1;
            }
        }
        Ok(count)
    }
}
