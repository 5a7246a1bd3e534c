//! The OpenID Connect provider as a service (in the manner of fosite or Kanidm's OAuth2
//! server): it decides what happens to an authorization request once someone is signed in,
//! runs the grants, mints and checks tokens, answers userinfo, introspection and revocation,
//! makes logout tokens, and keeps the signing keys. It speaks to the world through narrow
//! traits it defines — [`crate::storage`] for its own data, [`Directory`] for clients and
//! accounts, [`Clock`] for the time — and returns outcomes and [`ProviderError`]s; the web
//! crate turns those into HTTP. Nothing here knows axum or the server's state.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tessera_core::UserId;
use tessera_core::store::{StoreError, StoreResult};
use time::OffsetDateTime;

use crate::claims::Subject;
use crate::client::Client;
use crate::client_auth::ClientAuth;
use crate::error::OAuthError;
use crate::storage::OidcStore;

mod authorization;
mod clock;
mod continuation;
mod grants;
mod issue;
mod keyring;
mod logout;
mod resource;

pub use authorization::{Browser, Started};
pub use clock::{Clock, FixedClock, SystemClock};
pub use continuation::{Next, Person};
pub use issue::{TokenResponse, sid_of};
pub use keyring::{KeyPolicy, KeyRing};
pub use resource::{ActiveToken, Introspection};

/// A relying party as the provider needs it: the protocol registration plus Tessera's
/// per-client policy.
#[derive(Clone, Debug)]
pub struct RegisteredClient {
    /// Redirect URIs, grants, scopes, secret, algorithms (OIDC Dynamic Registration terms).
    pub client: Client,
    /// What this client's access tokens look like.
    pub access_token_format: AccessTokenFormat,
    /// Refresh tokens even without the `offline_access` scope.
    pub refresh_without_offline_access: bool,
    /// Account attribute → claim name, added to the ID token and userinfo.
    pub claims: BTreeMap<String, String>,
    /// Every sign-in to this client needs a second factor (`clients[].require_mfa`).
    pub require_mfa: bool,
}

/// The two Authentication Context Class References Tessera tells apps about (OIDC Core §2
/// `acr`): a sign-in with one factor, and one with a second factor (`amr` holds `mfa`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcrValues {
    pub single_factor: String,
    pub multi_factor: String,
}

impl Default for AcrValues {
    fn default() -> Self {
        Self {
            single_factor: "urn:tessera:acr:single-factor".into(),
            multi_factor: "urn:tessera:acr:multi-factor".into(),
        }
    }
}

impl AcrValues {
    /// The class a sign-in with these methods reached.
    pub fn of<S: AsRef<str>>(&self, amr: &[S]) -> &str {
        if amr.iter().any(|m| m.as_ref() == "mfa") {
            &self.multi_factor
        } else {
            &self.single_factor
        }
    }

    /// Whether `requested` (an app's `acr_values`, in order of preference) asks for a second
    /// factor: it names the multi-factor class and not the single-factor one. Unknown values
    /// are ignored, as OIDC Core §3.1.2.1 makes `acr_values` a voluntary request.
    pub fn asks_for_mfa(&self, requested: &[String]) -> bool {
        requested.contains(&self.multi_factor) && !requested.contains(&self.single_factor)
    }
}

/// The access tokens a client gets, chosen by whoever runs its resource servers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccessTokenFormat {
    /// A JWT (RFC 9068) signed with the client's algorithm: a resource server can check it
    /// alone, with the JWKS, and ask introspection only to learn about revocation.
    #[default]
    Jwt,
    /// A random reference (256 bits) that means nothing outside Tessera: resource servers
    /// ask introspection (RFC 7662) or userinfo. Nothing is signed, the token says nothing
    /// about the person, and revocation takes effect at once everywhere.
    Opaque,
}

/// How long what the provider issues lives, and the key schedule.
#[derive(Clone, Debug)]
pub struct Lifetimes {
    /// How long a person has to sign in and consent before an app's authorization request
    /// must be started again.
    pub authorization_ttl: Duration,
    pub code_ttl: Duration,
    /// How long a used code is remembered after it expired, so that a late replay still
    /// revokes what it issued (RFC 6749 §4.1.2).
    pub code_replay_window: Duration,
    pub access_token_ttl: Duration,
    pub id_token_ttl: Duration,
    /// Absolute lifetime of a refresh-token family.
    pub refresh_token_ttl: Duration,
    /// A refresh token unused this long dies.
    pub refresh_token_idle: Duration,
    pub key_rotation: Duration,
    /// A new key is in the JWKS this long before it signs (RPs cache the JWKS).
    pub key_publish_before: Duration,
}

/// The clients and accounts the provider serves, owned by someone else (the configuration and
/// the account store).
#[async_trait]
pub trait Directory: Send + Sync {
    /// The registered client with this id.
    fn client(&self, id: &str) -> Option<&RegisteredClient>;
    /// Claims about the person for `client` with `scopes`, or `None` when the account no
    /// longer exists or is disabled (its tokens then stop working).
    async fn subject(&self, user: UserId, client: &RegisteredClient, scopes: &[String])
    -> StoreResult<Option<Subject>>;
}

/// Why the provider could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// A refusal the caller gets as an OAuth error (RFC 6749 §5.2, RFC 6750 §3.1).
    #[error("{}", .0.error)]
    OAuth(OAuthError),
    /// A rotated refresh token was presented again (RFC 9700 §4.14.2): its whole family is
    /// revoked and the caller gets this `invalid_grant`. Apart from [`ProviderError::OAuth`]
    /// because it is a sign of a stolen token that operators count and alert on.
    #[error("{}", .0.error)]
    RefreshTokenReused(OAuthError),
    /// The store failed (unreachable, or a rule it enforces).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours (a key that cannot sign, a stored value that does not parse).
    #[error("{0}")]
    Internal(String),
}

impl From<OAuthError> for ProviderError {
    fn from(e: OAuthError) -> Self {
        ProviderError::OAuth(e)
    }
}

pub type ProviderResult<T> = Result<T, ProviderError>;

/// The provider: one per process, shared by every request.
pub struct Provider {
    issuer: String,
    lifetimes: Lifetimes,
    store: Arc<dyn OidcStore>,
    directory: Arc<dyn Directory>,
    keys: Arc<KeyRing>,
    clock: Arc<dyn Clock>,
    acr: AcrValues,
}

impl Provider {
    /// `issuer` exactly as discovery publishes it (OIDC Discovery §3: compared as a string).
    pub fn new(
        issuer: impl Into<String>,
        lifetimes: Lifetimes,
        store: Arc<dyn OidcStore>,
        directory: Arc<dyn Directory>,
        keys: Arc<KeyRing>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Provider {
            issuer: issuer.into(),
            lifetimes,
            store,
            directory,
            keys,
            clock,
            acr: AcrValues::default(),
        }
    }

    /// This provider for a reloaded configuration: the same store, clock and key ring (with
    /// the keys it has cached), with a new issuer, lifetimes and directory of clients.
    pub fn reconfigured(&self, issuer: impl Into<String>, lifetimes: Lifetimes, directory: Arc<dyn Directory>) -> Self {
        Provider {
            issuer: issuer.into(),
            lifetimes,
            store: Arc::clone(&self.store),
            directory,
            keys: Arc::clone(&self.keys),
            clock: Arc::clone(&self.clock),
            acr: self.acr.clone(),
        }
    }

    /// This provider naming the two sign-in classes `acr` (`security.acr`).
    pub fn with_acr(mut self, acr: AcrValues) -> Self {
        self.acr = acr;
        self
    }

    pub fn acr(&self) -> &AcrValues {
        &self.acr
    }

    /// The signing keys (for the JWKS and for key maintenance).
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The registered client with this id.
    pub fn client(&self, id: &str) -> Option<&RegisteredClient> {
        self.directory.client(id)
    }

    /// Authenticates the calling client as it presented itself (client_secret_basic,
    /// client_secret_post or none; RFC 6749 §2.3, parsed by [`crate::client_auth`]). A secret
    /// configured as an argon2 hash is checked by `argon2(phc, given)`, which the caller runs
    /// off the async executor (on a bounded pool, say); a secret that verified in the last
    /// minutes needs no second run (see [`crate::ClientSecret::verify`]).
    pub async fn authenticate<F>(
        &self,
        auth: &ClientAuth,
        argon2: impl FnOnce(String, String) -> F,
    ) -> ProviderResult<&RegisteredClient>
    where
        F: Future<Output = ProviderResult<bool>>,
    {
        let find = |id: &str| self.directory.client(id).map(|c| &c.client);
        let client = crate::authenticate(auth, find, argon2).await?;
        self.directory
            .client(&client.id)
            .ok_or_else(|| ProviderError::Internal("client vanished".into()))
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}
