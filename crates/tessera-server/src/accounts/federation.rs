//! Upstream sign-in (federation): the pipeline that turns an upstream identity into one local
//! account, after django-social-auth's proven steps and in the configured order:
//! `social_user` (find the linked identity), `associate_by_email` (off by default; only when
//! the upstream asserts a verified address AND the local address is verified), `get_username`,
//! `create_user`, `associate_user`, `load_extra_data` (tokens sealed at rest, profile),
//! `update_user_details` (fill empty names, never overwrite). Accounts are never merged on an
//! unverified address: that is a known account-takeover path in other identity providers.

use serde_json::json;
use tessera_core::identity::{LinkedIdentity, LoginPurpose};
use tessera_core::jobs::Effects;
use tessera_core::person_text::clean_person_text;
use tessera_core::store::StoreError;
use tessera_core::{Email, NewUser, User, UserId, Username};
use tessera_upstream::Identity;
use time::OffsetDateTime;

use super::{AccountError, Accounts};
use crate::config::{RegistrationMode, Step};
use crate::jobs::effects::{self, Actor};

/// The account an upstream sign-in went to.
pub struct Outcome {
    pub user: User,
    pub is_new: bool,
    pub new_association: bool,
}

/// Why the pipeline stopped; each is a clear page for the person.
pub enum Stop {
    AlreadyLinkedElsewhere,
    /// An account has this address but linking cannot be proven safe: log in to it first.
    LogInFirst,
    /// A catalog message id saying why (e.g. registration is closed).
    NoNewAccounts(&'static str),
    Disabled,
}

impl Stop {
    pub fn message(&self, label: &str) -> String {
        match self {
            Self::AlreadyLinkedElsewhere => tr!("stop-linked-elsewhere", provider = label),
            Self::LogInFirst => tr!("stop-log-in-first", provider = label),
            Self::NoNewAccounts(id) => crate::i18n::text(id, Vec::new()),
            Self::Disabled => tr!("login-disabled"),
        }
    }
}

fn linked(identity: &Identity, user: UserId, sealed_tokens: Vec<u8>, now: OffsetDateTime) -> LinkedIdentity {
    LinkedIdentity {
        provider: identity.provider.clone(),
        subject: identity.subject.clone(),
        user_id: user,
        username: identity.username.clone(),
        email: identity.email.clone(),
        email_verified: identity.email_verified,
        profile: identity.profile.clone(),
        tokens_sealed: Some(sealed_tokens),
        linked_at: now,
        updated_at: now,
    }
}

/// A username from the upstream's screen name or name, made valid, and numbered until free.
async fn unique_username(accounts: &Accounts, identity: &Identity) -> Result<Username, AccountError> {
    let raw = identity
        .username
        .clone()
        .or_else(|| identity.name.clone())
        .unwrap_or_else(|| format!("{}-user", identity.provider));
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '+' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(140)
        .collect();
    let base = if cleaned.trim_matches('_').is_empty() {
        format!("{}-user", identity.provider)
    } else {
        cleaned
    };
    for n in 0..1000 {
        let candidate = if n == 0 {
            base.clone()
        } else {
            format!("{base}{}", n + 1)
        };
        let Ok(username) = Username::parse(&candidate) else {
            continue;
        };
        if accounts.store.user_by_login(username.as_str()).await?.is_none() {
            return Ok(username);
        }
    }
    Err(AccountError::internal("no free username found"))
}

/// First and last name from the upstream profile, cleaned of line breaks, controls and
/// text-direction overrides: the person did not type them here and cannot fix them, so they
/// are repaired rather than refused (the rule is `tessera_core::person_text`).
fn split_name(identity: &Identity) -> (String, String) {
    let cleaned = |text: &str| clean_person_text(text).trim().to_owned();
    let first = identity.profile["first_name"].as_str().map(cleaned);
    let last = identity.profile["last_name"].as_str().map(cleaned);
    match (first, last, identity.name.as_deref().map(cleaned)) {
        (Some(f), Some(l), _) => (f, l),
        (_, _, Some(name)) => {
            let (f, l) = name.split_once(' ').unwrap_or((&name, ""));
            (f.to_owned(), l.trim().to_owned())
        }
        _ => (String::new(), String::new()),
    }
}

/// What an upstream sign-in that came back led to.
pub enum UpstreamSignIn {
    /// Into an account (found, linked or created; or a hybrid registration just activated):
    /// a session is due.
    SignedIn(Box<Outcome>),
    /// Connected to the account it was started from, which stays as signed in as it was.
    Connected,
    /// The pipeline stopped; the person is told why.
    Stopped(Stop),
}

impl Accounts {
    /// Finishes an upstream sign-in: the pipeline, then the person's contacts from the
    /// provider, then (for a connection) the activation of a hybrid registration.
    pub async fn upstream_sign_in(
        &self,
        purpose: &LoginPurpose,
        link_to: Option<UserId>,
        identity: &Identity,
        actor: &Actor,
    ) -> Result<UpstreamSignIn, AccountError> {
        let link_to = match link_to {
            Some(id) => self.store.user_by_id(id).await?,
            None => None,
        };
        let outcome = match run(self, purpose, link_to.as_ref(), identity, actor).await? {
            Ok(outcome) => outcome,
            Err(stop) => return Ok(UpstreamSignIn::Stopped(stop)),
        };
        if let Some(friends) = &identity.friends {
            self.store
                .set_contacts(&identity.provider, &identity.subject, friends)
                .await?;
        }
        if *purpose == LoginPurpose::Link && !self.activate_if_awaiting(&outcome.user).await? {
            return Ok(UpstreamSignIn::Connected);
        }
        Ok(UpstreamSignIn::SignedIn(Box::new(outcome)))
    }
}

/// The pipeline: the account this upstream identity belongs to, linked or created as the
/// steps allow; or, for a connection, the link to `link_to`.
async fn run(
    accounts: &Accounts,
    purpose: &LoginPurpose,
    link_to: Option<&User>,
    identity: &Identity,
    actor: &Actor,
) -> Result<Result<Outcome, Stop>, AccountError> {
    let tokens = serde_json::to_vec(&identity.tokens).map_err(|e| AccountError::internal(e.to_string()))?;
    let master_key = &accounts.config.master_key;
    let sealed = crate::upstream::seal_tokens(master_key, &identity.provider, &identity.subject, &tokens);
    // Two sign-ins of one person at once (two tabs, two nodes) both find the upstream
    // account unknown; the store's unique link lets one write. The other reads again and
    // takes the path the winner's write opened (into the same account, or the next free
    // username); a few passes settle any realistic race.
    for _ in 0..PIPELINE_PASSES {
        let sign_in = SignIn {
            accounts,
            identity,
            actor,
            sealed: sealed.clone(),
            existing: accounts.store.identity(&identity.provider, &identity.subject).await?,
            now: OffsetDateTime::now_utc(),
        };
        let pass = if *purpose == LoginPurpose::Link {
            let user = link_to.ok_or_else(|| AccountError::internal("link without an account"))?;
            sign_in.connect_to(user).await?
        } else {
            match sign_in.known_account().await? {
                Ok(Some(user)) => sign_in.enter_known(user).await?,
                Ok(None) => sign_in.create_account().await?,
                Err(stop) => Pass::Done(Err(stop)),
            }
        };
        if let Pass::Done(outcome) = pass {
            return Ok(outcome);
        }
    }
    Err(AccountError::internal(
        "the upstream sign-in kept losing races with others for the same account",
    ))
}

/// How many times the pipeline runs when concurrent sign-ins keep writing first.
const PIPELINE_PASSES: usize = 3;

/// How one pass through the pipeline ended. Moved once to the caller, never stored, so
/// boxing the outcome would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Pass {
    Done(Result<Outcome, Stop>),
    /// Another sign-in wrote first what this pass meant to write: what it read is stale.
    Raced,
}

/// One upstream sign-in going through the pipeline's steps.
struct SignIn<'a> {
    accounts: &'a Accounts,
    identity: &'a Identity,
    actor: &'a Actor,
    /// The upstream tokens, sealed with the master key for this identity's row.
    sealed: Vec<u8>,
    /// The link this upstream account already has, if any.
    existing: Option<LinkedIdentity>,
    now: OffsetDateTime,
}

impl SignIn<'_> {
    fn steps(&self) -> &[Step] {
        &self.accounts.config.pipeline
    }

    fn link(&self, user: UserId) -> LinkedIdentity {
        linked(self.identity, user, self.sealed.clone(), self.now)
    }

    /// The audit event (and the opt-in post) of a new link, written with the link.
    fn linked_effects(&self, user: UserId, is_new: bool) -> Effects {
        let detail = json!({ "provider": self.identity.provider, "is_new": is_new, "new_association": true });
        let mut fx = effects::event(self.accounts, "identity.linked", Some(user), detail, self.actor);
        fx.jobs.extend(post_on_join_job(self.accounts, self.identity, user));
        fx
    }

    /// Links this upstream account to an existing account, with its audit event and post;
    /// `Raced` when another sign-in linked it first.
    async fn link_new(&self, user: UserId) -> Result<Option<Pass>, AccountError> {
        let fx = self.linked_effects(user, false);
        match self.accounts.store.link_identity(&self.link(user), &fx).await {
            Ok(()) => Ok(None),
            Err(StoreError::Conflict { .. }) => Ok(Some(Pass::Raced)),
            Err(e) => Err(e.into()),
        }
    }

    /// Connecting from the account page (or activating a hybrid registration).
    async fn connect_to(&self, user: &User) -> Result<Pass, AccountError> {
        let new_association = match &self.existing {
            Some(found) if found.user_id != user.id => return Ok(Pass::Done(Err(Stop::AlreadyLinkedElsewhere))),
            Some(_) => {
                self.accounts.store.update_identity(&self.link(user.id)).await?;
                false
            }
            None => {
                if let Some(raced) = self.link_new(user.id).await? {
                    return Ok(raced);
                }
                self.accounts.jobs_wake.notify_waiters();
                true
            }
        };
        Ok(Pass::Done(Ok(Outcome {
            user: user.clone(),
            is_new: false,
            new_association,
        })))
    }

    /// The local account this sign-in belongs to: by its link (`social_user`), else by a
    /// verified address the account proved too (`associate_by_email`).
    async fn known_account(&self) -> Result<Result<Option<User>, Stop>, AccountError> {
        if self.steps().contains(&Step::SocialUser)
            && let Some(found) = &self.existing
            && let Some(user) = self.accounts.store.user_by_id(found.user_id).await?
        {
            return Ok(Ok(Some(user)));
        }
        let identity = self.identity;
        if self.steps().contains(&Step::AssociateByEmail)
            && identity.email_verified
            && let Some(email) = identity.email.as_deref()
            && let Some(local) = self
                .accounts
                .store
                .user_by_login(email)
                .await?
                .filter(|u| u.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)))
        {
            if !local.email_verified {
                return Ok(Err(Stop::LogInFirst));
            }
            return Ok(Ok(Some(local)));
        }
        Ok(Ok(None))
    }

    /// Signs in to an account Tessera knows, linking this upstream account if it is new.
    async fn enter_known(&self, user: User) -> Result<Pass, AccountError> {
        let stop = |stop| Ok(Pass::Done(Err(stop)));
        if self.existing.as_ref().is_some_and(|found| found.user_id != user.id) {
            return stop(Stop::AlreadyLinkedElsewhere);
        }
        if !user.is_active {
            return stop(Stop::Disabled);
        }
        let new_association = self.existing.is_none();
        if new_association {
            if !self.steps().contains(&Step::AssociateUser) {
                return stop(Stop::LogInFirst);
            }
            if let Some(raced) = self.link_new(user.id).await? {
                return Ok(raced);
            }
        } else if self.steps().contains(&Step::LoadExtraData) {
            self.accounts.store.update_identity(&self.link(user.id)).await?;
        }
        if self.steps().contains(&Step::UpdateUserDetails) {
            let (first, last) = split_name(self.identity);
            self.accounts.store.fill_profile(user.id, &first, &last).await?;
            let attributes = mapped_attributes(self.accounts, self.identity);
            self.accounts.store.fill_attributes(user.id, &attributes).await?;
        }
        Ok(Pass::Done(Ok(Outcome {
            user,
            is_new: false,
            new_association,
        })))
    }

    /// Why no account may be created for a person Tessera does not know yet, if none may.
    fn creation_refused(&self) -> Option<Stop> {
        match self.accounts.config.registration {
            RegistrationMode::Closed => Some(Stop::NoNewAccounts("stop-registration-closed")),
            RegistrationMode::Hybrid => Some(Stop::NoNewAccounts("stop-register-first")),
            RegistrationMode::Open | RegistrationMode::SocialOnly if !self.steps().contains(&Step::CreateUser) => {
                Some(Stop::NoNewAccounts("stop-no-accounts-from-sign-ins"))
            }
            RegistrationMode::Open | RegistrationMode::SocialOnly => None,
        }
    }

    /// A person Tessera does not know yet: a new account, made with this link in one step.
    async fn create_account(&self) -> Result<Pass, AccountError> {
        if let Some(stop) = self.creation_refused() {
            return Ok(Pass::Done(Err(stop)));
        }
        let accounts = self.accounts;
        let identity = self.identity;
        // An address another account proved is never taken over (an unproven claim on it does
        // not count: the new account proves it through the provider); an unverified one is not
        // kept.
        let verified_email = identity
            .email
            .as_deref()
            .filter(|_| identity.email_verified)
            .and_then(|e| Email::parse(e).ok());
        if let Some(email) = &verified_email
            && accounts
                .store
                .user_by_login(email.as_str())
                .await?
                .is_some_and(|holder| holder.email_verified || holder.username.eq_ignore_ascii_case(email.as_str()))
        {
            // The holder may be this very person's account, created by a concurrent sign-in
            // since this pass read the link.
            if accounts
                .store
                .identity(&identity.provider, &identity.subject)
                .await?
                .is_some()
            {
                return Ok(Pass::Raced);
            }
            return Ok(Pass::Done(Err(Stop::LogInFirst)));
        }
        let username = if self.steps().contains(&Step::GetUsername) {
            unique_username(accounts, identity).await?
        } else {
            let fixed = Username::parse(&format!("{}-{}", identity.provider, identity.subject))
                .map_err(|e| AccountError::internal(e.to_string()))?;
            // No other name to fall back on: an account already called this blocks the sign-in
            // (every pass would lose to it).
            if accounts.store.user_by_login(fixed.as_str()).await?.is_some() {
                return Ok(Pass::Done(Err(Stop::NoNewAccounts("stop-username-taken"))));
            }
            fixed
        };
        let mut new = NewUser::new(username, verified_email.clone());
        new.email_verified = verified_email.is_some();
        if self.steps().contains(&Step::UpdateUserDetails) {
            (new.first_name, new.last_name) = split_name(identity);
            new.attributes = mapped_attributes(accounts, identity);
        }
        let mut fx = effects::registered(accounts, &new, self.actor);
        let linked_fx = self.linked_effects(new.id, true);
        fx.events.extend(linked_fx.events);
        fx.jobs.extend(linked_fx.jobs);
        // A conflict is another sign-in's write between this pass's reads and now: the same
        // person's account (identity), a username or a verified address taken meanwhile. The
        // next pass finds what it wrote.
        let user = match accounts
            .store
            .create_user_with_identity(&new, &self.link(new.id), &fx)
            .await
        {
            Ok(user) => user,
            Err(StoreError::Conflict { .. }) => return Ok(Pass::Raced),
            Err(e) => return Err(e.into()),
        };
        accounts.jobs_wake.notify_waiters();
        Ok(Pass::Done(Ok(Outcome {
            user,
            is_new: true,
            new_association: true,
        })))
    }
}

/// The upstream profile fields this upstream maps to account attributes (plus the picture).
fn mapped_attributes(accounts: &Accounts, identity: &Identity) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    if let Some(picture) = &identity.picture {
        out.insert("picture".into(), picture.clone().into());
    }
    if let Some(upstream) = accounts.configured_upstream(&identity.provider) {
        for (field, attribute) in &upstream.attributes {
            if let Some(v) = identity.profile.get(field).filter(|v| !v.is_null()) {
                out.insert(attribute.clone(), v.clone());
            }
        }
    }
    out
}

/// `actions.post_on_join`: an opt-in post through the person's own token when this upstream
/// is newly associated.
fn post_on_join_job(accounts: &Accounts, identity: &Identity, user: UserId) -> Option<tessera_core::jobs::NewJob> {
    let action = accounts
        .config
        .actions
        .post_on_join
        .as_ref()
        .filter(|p| p.upstream == identity.provider)?;
    let payload = json!({ "provider": identity.provider, "subject": identity.subject, "text": action.text });
    Some(effects::job(accounts, "post_on_join", payload).key(format!(
        "post_on_join:{}:{}:{}",
        user, identity.provider, identity.subject
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(name: Option<&str>, profile: serde_json::Value) -> Identity {
        Identity {
            provider: "sandbox".into(),
            subject: "1".into(),
            username: None,
            email: None,
            email_verified: false,
            name: name.map(str::to_owned),
            picture: None,
            profile,
            tokens: Default::default(),
            friends: None,
        }
    }

    #[test]
    fn upstream_names_lose_line_breaks_controls_and_direction_overrides() {
        let forged = identity(Some("Eve\r\nrole: admin\u{202E}"), json!({}));
        assert_eq!(split_name(&forged), ("Eve".to_owned(), "role: admin".to_owned()));
        let fields = identity(
            None,
            json!({ "first_name": "\u{2066}Eve\u{0}", "last_name": "Doe\u{1b}[2J\n" }),
        );
        assert_eq!(split_name(&fields), ("Eve".to_owned(), "Doe[2J".to_owned()));
        let plain = identity(Some("Zoë O'Brien"), json!({}));
        assert_eq!(split_name(&plain), ("Zoë".to_owned(), "O'Brien".to_owned()));
    }
}
