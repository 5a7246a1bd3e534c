//! Upstream identities (a Twitter, Facebook, Instagram or OIDC account) linked to one local
//! account, and the upstream logins in flight.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::jobs::Effects;
use crate::store::StoreResult;
use crate::{NewUser, User, UserId};

#[derive(Clone, Debug)]
pub struct LinkedIdentity {
    pub provider: String,
    pub subject: String,
    pub user_id: UserId,
    pub username: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    /// The full upstream profile as the provider returned it.
    pub profile: serde_json::Value,
    /// Upstream tokens, sealed with the master key.
    pub tokens_sealed: Option<Vec<u8>>,
    pub linked_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginPurpose {
    Login,
    /// Connect another provider to the signed-in account.
    Link,
}

#[derive(Clone, Debug)]
pub struct UpstreamLogin {
    pub state_digest: String,
    pub upstream: String,
    pub browser: String,
    pub purpose: LoginPurpose,
    pub user_id: Option<UserId>,
    pub next: Option<String>,
    /// The connector's per-login data (OAuth1 token secret, PKCE verifier…), sealed.
    pub sealed_data: Vec<u8>,
    pub expires_at: OffsetDateTime,
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    async fn identity(&self, provider: &str, subject: &str) -> StoreResult<Option<LinkedIdentity>>;
    async fn identities_of(&self, user: UserId) -> StoreResult<Vec<LinkedIdentity>>;
    /// Links to an existing account; Conflict { field: "identity" } if it is linked already.
    async fn link_identity(&self, identity: &LinkedIdentity, effects: &Effects) -> StoreResult<()>;
    /// Creates the account and links the identity in one transaction.
    async fn create_user_with_identity(
        &self,
        new: &NewUser,
        identity: &LinkedIdentity,
        effects: &Effects,
    ) -> StoreResult<User>;
    /// Refreshes profile, tokens and the upstream's claims after a login.
    async fn update_identity(&self, identity: &LinkedIdentity) -> StoreResult<()>;
    /// Fills empty first/last name (never overwrites what the person set).
    async fn fill_profile(&self, user: UserId, first_name: &str, last_name: &str) -> StoreResult<()>;
    /// Sets account attributes that are not set yet (never overwrites).
    async fn fill_attributes(
        &self,
        user: UserId,
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<()>;
    async fn unlink_identity(&self, user: UserId, provider: &str, subject: &str) -> StoreResult<bool> {
        self.unlink_identity_with(user, provider, subject, &Effects::none())
            .await
    }
    /// Removes the link (and the friends list that came with it) and writes `effects` in the
    /// same transaction, only if there was such a link; whether there was.
    async fn unlink_identity_with(
        &self,
        user: UserId,
        provider: &str,
        subject: &str,
        effects: &Effects,
    ) -> StoreResult<bool>;
    async fn set_contacts(&self, provider: &str, subject: &str, friends: &[String]) -> StoreResult<()>;
    /// Local accounts linked to upstream ids in this person's friends lists.
    async fn people_you_may_know(&self, user: UserId) -> StoreResult<Vec<User>>;
    /// Activates an account waiting for activation (hybrid registration, once an upstream
    /// account is connected); an account that does not wait for it stays as it is.
    async fn activate_user(&self, user: UserId) -> StoreResult<()>;
    async fn create_upstream_login(&self, login: &UpstreamLogin) -> StoreResult<()>;
    /// Uses up the login in flight (single use), if still live.
    async fn take_upstream_login(&self, state_digest: &str, now: OffsetDateTime) -> StoreResult<Option<UpstreamLogin>>;
}
