//! Second factors of an account: enrolling an authenticator app, checking a code or a
//! recovery code at the second step, and replacing or removing them. Codes are throttled per
//! account (`security.throttle.code_*`, each attempt charged before it is checked), each TOTP time step and each recovery code is
//! accepted once (the store's conditional updates), and every change is audited.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use tessera_core::factors::{
    FactorSummary, RecoveryCodeSet, TotpSecret, looks_like_recovery_code, recovery_code_digest, totp_seal_context,
};
use tessera_core::seal;
use tessera_core::secret::ExposeSecret;
use tessera_core::store::throttle_scope;
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use super::{AccountError, Accounts};
use crate::jobs::effects::{self, Actor};
use crate::throttle::{self, Count};

/// What a typed code at the second step (or at enrollment) turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// A valid authenticator code, for a time step not used before.
    Totp,
    /// One of the account's unused recovery codes, now used.
    RecoveryCode {
        left: usize,
    },
    /// Wrong, already used, or not a code at all: counted against the account.
    Wrong,
    Throttled {
        retry_after_seconds: u64,
    },
}

/// The outcome of confirming an authenticator app at enrollment.
pub enum TotpConfirmation {
    /// On, with a new set of recovery codes to show once.
    Confirmed(RecoveryCodeSet),
    Wrong,
    Throttled {
        retry_after_seconds: u64,
    },
    /// No enrollment was in progress (another tab finished or restarted it).
    NotStarted,
}

impl Accounts {
    pub async fn factors_of(&self, user: UserId) -> Result<FactorSummary, AccountError> {
        Ok(self.store.factor_summary(user).await?)
    }

    /// Whether Tessera's policy wants a second factor of this person wherever they sign in
    /// (`security.mfa: required`, or a group in `security.mfa_required_groups`).
    pub async fn policy_wants_mfa(&self, user: &User) -> Result<bool, AccountError> {
        let mfa = &self.config.mfa;
        if mfa.required_groups.is_empty() {
            // Nothing depends on the groups: no need to read them.
            return Ok(mfa.required_for(&[]));
        }
        let groups = self.store.groups_of(user.id).await?;
        Ok(mfa.required_for(&groups))
    }

    /// A new authenticator-app secret waiting for its first code (any earlier unfinished
    /// enrollment is replaced). `Conflict` when an app is already on.
    pub async fn begin_totp(&self, user: &User) -> Result<TotpSecret, AccountError> {
        let secret = TotpSecret::generate(&self.totp_issuer(), &user.username);
        let sealed = seal::seal(
            self.config.master_key.expose_secret(),
            secret.bytes(),
            &totp_seal_context(user.id),
        );
        self.store
            .begin_totp(user.id, &STANDARD.encode(sealed), OffsetDateTime::now_utc())
            .await?;
        Ok(secret)
    }

    /// The secret of the enrollment in progress, to show again (a page reload).
    pub async fn pending_totp(&self, user: &User) -> Result<Option<TotpSecret>, AccountError> {
        match self.store.totp_factor(user.id).await? {
            Some(f) if enrolling(&f) => self.open_totp(user, &f.sealed_secret).map(Some),
            _ => Ok(None),
        }
    }

    /// Turns the app on once the person typed a code it shows (proving the secret reached
    /// it), and gives them their recovery codes.
    pub async fn confirm_totp(&self, user: &User, code: &str, actor: &Actor) -> Result<TotpConfirmation, AccountError> {
        let Some(factor) = self.store.totp_factor(user.id).await?.filter(enrolling) else {
            return Ok(TotpConfirmation::NotStarted);
        };
        let key = user.id.to_string();
        let counts = self.code_counts(user, &key);
        if let Some(retry_after_seconds) = throttle::retry_after(self, &counts).await? {
            return Ok(TotpConfirmation::Throttled { retry_after_seconds });
        }
        if let Some(retry_after_seconds) = throttle::charge_first(self, &counts, actor).await? {
            return Ok(TotpConfirmation::Throttled { retry_after_seconds });
        }
        let secret = self.open_totp(user, &factor.sealed_secret)?;
        let Some(step) = secret.step_of(code, OffsetDateTime::now_utc()) else {
            return Ok(TotpConfirmation::Wrong);
        };
        let codes = RecoveryCodeSet::generate();
        let mut event = effects::event(
            self,
            "user.mfa_enrolled",
            Some(user.id),
            json!({ "factor": "totp" }),
            actor,
        );
        event.jobs.push(notice(self, user.id, Notice::FactorAdded));
        let now = OffsetDateTime::now_utc();
        if !self
            .store
            .confirm_totp_with(user.id, step, &codes.digests, now, &event)
            .await?
        {
            return Ok(TotpConfirmation::NotStarted);
        }
        self.store.clear_throttle(throttle_scope::CODE, &key).await?;
        self.jobs_wake.notify_waiters();
        Ok(TotpConfirmation::Confirmed(codes))
    }

    /// The second step: an authenticator code, or (by its shape) a recovery code. A used
    /// recovery code is audited and mailed to the person, who may not have been the one
    /// who typed it.
    pub async fn check_code(&self, user: &User, typed: &str, actor: &Actor) -> Result<CodeCheck, AccountError> {
        let key = user.id.to_string();
        let counts = self.code_counts(user, &key);
        if let Some(retry_after_seconds) = throttle::retry_after(self, &counts).await? {
            return Ok(CodeCheck::Throttled { retry_after_seconds });
        }
        if let Some(retry_after_seconds) = throttle::charge_first(self, &counts, actor).await? {
            return Ok(CodeCheck::Throttled { retry_after_seconds });
        }
        let verdict = if looks_like_recovery_code(typed) {
            self.use_recovery_code(user, typed, actor).await?
        } else {
            self.use_totp_code(user, typed).await?
        };
        if verdict == CodeCheck::Wrong {
            let event = effects::event(self, "user.mfa_failed", Some(user.id), json!({}), actor);
            effects::emit(self, event).await?;
        } else {
            self.store.clear_throttle(throttle_scope::CODE, &key).await?;
        }
        Ok(verdict)
    }

    async fn use_totp_code(&self, user: &User, typed: &str) -> Result<CodeCheck, AccountError> {
        let Some(factor) = self.store.totp_factor(user.id).await?.filter(|f| f.confirmed) else {
            return Ok(CodeCheck::Wrong);
        };
        let secret = self.open_totp(user, &factor.sealed_secret)?;
        let Some(step) = secret.step_of(typed, OffsetDateTime::now_utc()) else {
            return Ok(CodeCheck::Wrong);
        };
        // RFC 6238 §5.2: a code already accepted (or one older than it) is refused, even
        // within its window: a code seen over a shoulder or phished is worth nothing later.
        Ok(if self.store.accept_totp_step(user.id, step).await? {
            CodeCheck::Totp
        } else {
            CodeCheck::Wrong
        })
    }

    async fn use_recovery_code(&self, user: &User, typed: &str, actor: &Actor) -> Result<CodeCheck, AccountError> {
        let mut effects = effects::event(self, "user.recovery_code_used", Some(user.id), json!({}), actor);
        effects.jobs.push(notice(self, user.id, Notice::RecoveryCodeUsed));
        let digest = recovery_code_digest(typed);
        let now = OffsetDateTime::now_utc();
        if !self
            .store
            .use_recovery_code_with(user.id, &digest, now, &effects)
            .await?
        {
            return Ok(CodeCheck::Wrong);
        }
        self.jobs_wake.notify_waiters();
        let left = self.store.factor_summary(user.id).await?.recovery_codes_left;
        Ok(CodeCheck::RecoveryCode { left })
    }

    /// A new set of recovery codes; the old ones stop working.
    pub async fn regenerate_recovery_codes(&self, user: &User, actor: &Actor) -> Result<RecoveryCodeSet, AccountError> {
        let codes = RecoveryCodeSet::generate();
        let event = effects::event(self, "user.recovery_codes_regenerated", Some(user.id), json!({}), actor);
        let now = OffsetDateTime::now_utc();
        self.store
            .replace_recovery_codes_with(user.id, &codes.digests, now, &event)
            .await?;
        Ok(codes)
    }

    /// Turns the authenticator app off (the caller has re-authenticated the person).
    pub async fn remove_totp(&self, user: &User, actor: &Actor) -> Result<bool, AccountError> {
        let mut event = effects::event(
            self,
            "user.mfa_removed",
            Some(user.id),
            json!({ "factor": "totp" }),
            actor,
        );
        event.jobs.push(notice(self, user.id, Notice::FactorRemoved));
        let removed = self.store.remove_totp_with(user.id, &event).await?;
        self.jobs_wake.notify_waiters();
        Ok(removed)
    }

    /// What authenticator apps show as the account's issuer: the host people sign in at.
    fn totp_issuer(&self) -> String {
        self.config.issuer.host_str().unwrap_or("Tessera").to_owned()
    }

    fn open_totp(&self, user: &User, sealed_text: &str) -> Result<TotpSecret, AccountError> {
        let sealed = STANDARD
            .decode(sealed_text)
            .map_err(|_| AccountError::internal("a stored authenticator secret is not base64"))?;
        let bytes = seal::open(
            self.config.master_key.expose_secret(),
            &sealed,
            &totp_seal_context(user.id),
        )
        .map_err(|e| AccountError::internal(format!("authenticator secret of {}: {e}", user.id)))?;
        Ok(TotpSecret::from_bytes(bytes, &self.totp_issuer(), &user.username))
    }

    fn code_counts<'k>(&self, user: &User, key: &'k str) -> [Count<'k>; 1] {
        [Count {
            scope: throttle_scope::CODE,
            key,
            policy: self.config.throttle.code,
            user: Some(user.id),
        }]
    }
}

/// How long a set-up page's secret can be confirmed: a secret someone glimpsed on an
/// unfinished set-up cannot be confirmed weeks later.
const ENROLLMENT_TTL: time::Duration = time::Duration::minutes(15);

/// Whether `f` is a set-up in progress that can still be confirmed.
fn enrolling(f: &tessera_core::factors::TotpFactor) -> bool {
    !f.confirmed && OffsetDateTime::now_utc() - f.created_at <= ENROLLMENT_TTL
}

/// A security notice mailed to the account's address.
#[derive(Clone, Copy)]
pub enum Notice {
    RecoveryCodeUsed,
    FactorsReset,
    /// A factor was added or removed: if it was not them, they learn of it at once.
    FactorAdded,
    FactorRemoved,
}

impl Notice {
    /// The mail template (under `email/`) and the catalog id of its subject (`mail.ftl`),
    /// which the mail job looks up in the mail's language.
    pub fn template_and_subject_id(kind: &str) -> Option<(&'static str, &'static str)> {
        match kind {
            "recovery_code_used" => Some(("email/recovery_code_used", "mail-recovery-code-used-subject")),
            "factors_reset" => Some(("email/factors_reset", "mail-factors-reset-subject")),
            "factor_added" => Some(("email/factor_added", "mail-factor-added-subject")),
            "factor_removed" => Some(("email/factor_removed", "mail-factor-removed-subject")),
            _ => None,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::FactorsReset => "factors_reset",
            Self::FactorAdded => "factor_added",
            Self::FactorRemoved => "factor_removed",
        }
    }
}

/// The job that mails `notice` to the account.
pub fn notice(cx: &impl effects::Context, user: UserId, notice: Notice) -> tessera_core::jobs::NewJob {
    effects::job(
        cx,
        "mail.notice",
        json!({ "user_id": user.to_string(), "notice": notice.kind() }),
    )
}
