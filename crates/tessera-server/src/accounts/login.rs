//! Password login, and what every sign-in records once its session exists.

use serde_json::json;
use tessera_core::password::Verification;
use tessera_core::store::{pair_key, throttle_scope};
use tessera_core::username::fold_for_lookup;
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use super::passwords::Turn;
use super::{AccountError, Accounts};
use crate::config::EmailConfirmation;
use crate::jobs::effects::{self, Actor};
use crate::throttle::{self, Count};

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
    /// Too many failures for this account and IP, this IP or this account: the password was
    /// not checked. The same for every name, whether an account has it or not.
    Throttled {
        retry_after_seconds: u64,
    },
}

impl LoginOutcome {
    /// The `result` label of `tessera_logins_total`: one fixed value per outcome.
    pub fn metric_result(&self) -> &'static str {
        match self {
            Self::SignedIn(_) => "success",
            Self::WrongCredentials => "wrong_credentials",
            Self::Disabled => "disabled",
            Self::AwaitingActivation(_) => "awaiting_activation",
            Self::Unconfirmed => "unconfirmed",
            Self::Throttled { .. } => "throttled",
        }
    }
}

/// Whether a signed-in person typed their current password.
pub enum PasswordCheck {
    Right,
    /// Wrong, or the account has no password.
    Wrong,
    Throttled {
        retry_after_seconds: u64,
    },
}

/// What one password login is counted against (see `security.throttle`). A name no account
/// has is counted like an account (its folded form standing in for the user id), so the work
/// done and every answer, lockouts included, are the same whether the account exists or not.
struct ThrottleKeys {
    /// The account (its id, or the folded name when no account has it) from this IP.
    pair: String,
    ip: String,
    /// The user id, or the folded name.
    account: String,
    /// The account found, for the lockout events.
    user: Option<UserId>,
}

impl ThrottleKeys {
    fn new(login: &str, user: Option<&User>, actor: &Actor) -> Self {
        let ip = actor.ip_key().to_owned();
        let account = user.map_or_else(|| fold_for_lookup(login), |u| u.id.to_string());
        Self {
            pair: pair_key(&account, &ip),
            ip,
            account,
            user: user.map(|u| u.id),
        }
    }

    /// Each count with its policy.
    fn counts(&self, accounts: &Accounts) -> [Count<'_>; 3] {
        let t = &accounts.config.throttle.login;
        [
            Count {
                scope: throttle_scope::LOGIN_PAIR,
                key: &self.pair,
                policy: t.pair,
                user: self.user,
            },
            // The IP's count is not about the account tried last.
            Count {
                scope: throttle_scope::LOGIN_IP,
                key: &self.ip,
                policy: t.ip,
                user: None,
            },
            Count {
                scope: throttle_scope::LOGIN_ACCOUNT,
                key: &self.account,
                policy: t.account,
                user: self.user,
            },
        ]
    }
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

    /// The `user.login` event's detail.
    pub fn detail(&self) -> serde_json::Value {
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
    /// Checks a username-or-email and password. A throttled attempt is refused before the
    /// password is looked at, and writes nothing (so a flood of them costs nothing). Otherwise
    /// anything but a sign-in is recorded as a failed login, a wrong password counts against
    /// the account and IP pair, the IP and the account, and a sign-in clears the pair's count.
    pub async fn password_login(
        &self,
        login: &str,
        password: &str,
        actor: &Actor,
    ) -> Result<LoginOutcome, AccountError> {
        let user = self.store.user_by_login(login).await?;
        let keys = ThrottleKeys::new(login, user.as_ref(), actor);
        let counts = keys.counts(self);
        let turn = match self.turn_within(&counts).await? {
            Ok(turn) => turn,
            Err(retry_after_seconds) => return Ok(LoginOutcome::Throttled { retry_after_seconds }),
        };
        let outcome = self.check_password(&turn, user, password).await?;
        match outcome {
            LoginOutcome::SignedIn(_) => {
                // Hashing is done and nothing is left to count: the next attempt may hash
                // while this one writes.
                drop(turn);
                self.store
                    .clear_throttle(throttle_scope::LOGIN_PAIR, &keys.pair)
                    .await?;
            }
            // Held until the failure is counted (see `turn_within`).
            LoginOutcome::WrongCredentials => {
                throttle::record_failure(self, &counts, actor).await?;
                drop(turn);
            }
            _ => drop(turn),
        }
        if !matches!(outcome, LoginOutcome::SignedIn(_)) {
            self.record_failed_login(login, actor).await?;
        }
        Ok(outcome)
    }

    /// Whether `password` is the signed-in person's current password (re-authentication before
    /// a change, ASVS 4.0.3 V2.2.1): guessing it here counts against the same counts as
    /// guessing it at the login form, and a blocked count refuses it unchecked.
    pub async fn confirm_password(
        &self,
        user: &User,
        password: &str,
        actor: &Actor,
    ) -> Result<PasswordCheck, AccountError> {
        let Some(stored) = user.password_hash.clone() else {
            return Ok(PasswordCheck::Wrong);
        };
        let keys = ThrottleKeys::new(user.username.as_str(), Some(user), actor);
        let counts = keys.counts(self);
        let turn = match self.turn_within(&counts).await? {
            Ok(turn) => turn,
            Err(retry_after_seconds) => return Ok(PasswordCheck::Throttled { retry_after_seconds }),
        };
        if turn.verify(stored, password.to_owned()).await? == Verification::Invalid {
            throttle::record_failure(self, &counts, actor).await?;
            return Ok(PasswordCheck::Wrong);
        }
        Ok(PasswordCheck::Right)
    }

    /// A hashing turn for an attempt the counts let through, or the seconds to wait. The
    /// counts are read before waiting for the turn (a blocked attempt costs one read) and
    /// again once it is ours: the caller holds the turn until the failure is counted, so
    /// however many attempts arrive at once, at most the pool's size per node get past a
    /// count that their failures are about to block.
    async fn turn_within(&self, counts: &[Count<'_>]) -> Result<Result<Turn, u64>, AccountError> {
        if let Some(wait) = throttle::retry_after(self, counts).await? {
            return Ok(Err(wait));
        }
        let turn = self.passwords.turn().await?;
        if let Some(wait) = throttle::retry_after(self, counts).await? {
            return Ok(Err(wait));
        }
        Ok(Ok(turn))
    }

    /// The verdict on the password of the account `user_by_login` found, upgrading a legacy
    /// hash on success.
    async fn check_password(
        &self,
        turn: &Turn,
        user: Option<User>,
        password: &str,
    ) -> Result<LoginOutcome, AccountError> {
        let Some((user, stored)) = user.and_then(|u| u.password_hash.clone().map(|h| (u, h))) else {
            // The same work as a verification, so timing does not tell which names exist.
            turn.burn(password.to_owned()).await?;
            return Ok(LoginOutcome::WrongCredentials);
        };
        let verdict = turn.verify(stored.clone(), password.to_owned()).await?;
        let Verification::Valid { needs_rehash } = verdict else {
            return Ok(LoginOutcome::WrongCredentials);
        };
        if needs_rehash {
            let upgraded = turn.hash(password.to_owned()).await?;
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
        self.record_login_detail(user, method.detail(), actor).await
    }

    /// [`Self::record_login`] with the event's detail as given (a second step adds its factor).
    pub async fn record_login_detail(
        &self,
        user: &User,
        detail: serde_json::Value,
        actor: &Actor,
    ) -> Result<(), AccountError> {
        self.store.record_login(user.id, OffsetDateTime::now_utc()).await?;
        let event = effects::event(self, "user.login", Some(user.id), detail, actor);
        effects::emit(self, event).await?;
        Ok(())
    }
}
