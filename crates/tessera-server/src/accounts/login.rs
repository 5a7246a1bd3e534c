//! Password login, and what every sign-in records once its session exists.

use serde_json::json;
use tessera_core::password::Verification;
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use super::{AccountError, Accounts};
use crate::config::EmailConfirmation;
use crate::jobs::effects::{self, Actor};

/// What a password check concluded.
pub enum LoginOutcome {
    SignedIn(Box<User>),
    /// Wrong password or no such account: deliberately indistinguishable.
    WrongCredentials,
    Disabled,
    /// A hybrid registration that has not connected a provider yet.
    AwaitingActivation(UserId),
    /// `email.confirmation: required` and the address is not confirmed yet.
    Unconfirmed,
}

/// How a person signed in: the session's `amr` and the detail of the `user.login` event.
pub enum LoginMethod<'a> {
    Password,
    Upstream {
        provider: &'a str,
        is_new: bool,
        new_association: bool,
    },
}

impl LoginMethod<'_> {
    /// The authentication method reference the session (and so the ID token) carries.
    pub fn amr(&self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::Upstream { .. } => "fed",
        }
    }

    fn detail(&self) -> serde_json::Value {
        match self {
            Self::Password => json!({ "method": "pwd" }),
            Self::Upstream {
                provider,
                is_new,
                new_association,
            } => json!({ "method": "fed", "provider": provider, "is_new": is_new, "new_association": new_association }),
        }
    }
}

impl Accounts {
    /// Checks a username-or-email and password; anything but a sign-in is recorded as a
    /// failed login.
    pub async fn password_login(
        &self,
        login: &str,
        password: &str,
        actor: &Actor,
    ) -> Result<LoginOutcome, AccountError> {
        let outcome = self.check_password(login, password).await?;
        if !matches!(outcome, LoginOutcome::SignedIn(_)) {
            self.record_failed_login(login, actor).await?;
        }
        Ok(outcome)
    }

    /// The verdict on the password, upgrading a legacy hash on success.
    async fn check_password(&self, login: &str, password: &str) -> Result<LoginOutcome, AccountError> {
        let user = self.store.user_by_login(login).await?;
        let Some((user, stored)) = user.and_then(|u| u.password_hash.clone().map(|h| (u, h))) else {
            // The same work as a verification, so timing does not tell which names exist.
            self.passwords.burn(password.to_owned()).await?;
            return Ok(LoginOutcome::WrongCredentials);
        };
        let verdict = self.passwords.verify(stored.clone(), password.to_owned()).await?;
        let Verification::Valid { needs_rehash } = verdict else {
            return Ok(LoginOutcome::WrongCredentials);
        };
        if needs_rehash {
            let upgraded = self.passwords.hash(password.to_owned()).await?;
            self.store.upgrade_password_hash(user.id, &stored, &upgraded).await?;
        }
        if !user.is_active {
            if user.awaiting_activation {
                return Ok(LoginOutcome::AwaitingActivation(user.id));
            }
            return Ok(LoginOutcome::Disabled);
        }
        let needs_confirmation = self.config.email_confirmation == EmailConfirmation::Required;
        if needs_confirmation && user.email.is_some() && !user.email_verified {
            return Ok(LoginOutcome::Unconfirmed);
        }
        Ok(LoginOutcome::SignedIn(Box::new(user)))
    }

    /// The attempted name is kept (trimmed, bounded) so admins can see guessing; never the password.
    async fn record_failed_login(&self, login: &str, actor: &Actor) -> Result<(), AccountError> {
        let attempted: String = login.trim().chars().take(254).collect();
        let detail = json!({ "login": attempted });
        effects::emit(self, effects::event(self, "user.login_failed", None, detail, actor)).await?;
        Ok(())
    }

    /// A sign-in whose session was just started: the account's last login and its
    /// `user.login` event (after the session, so a failed start records no login).
    pub async fn record_login(&self, user: &User, method: &LoginMethod<'_>, actor: &Actor) -> Result<(), AccountError> {
        self.store.record_login(user.id, OffsetDateTime::now_utc()).await?;
        let event = effects::event(self, "user.login", Some(user.id), method.detail(), actor);
        effects::emit(self, event).await?;
        Ok(())
    }
}
