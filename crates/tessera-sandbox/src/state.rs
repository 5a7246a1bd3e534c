//! The sandbox's memory: issued tokens and codes, queued failures, recorded
//! posts. One mutex, never held across an await.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tessera_oidc::{SigningAlg, SigningKey};
use url::Url;

use crate::people::TestPerson;
use crate::{Failure, OidcMisbehavior, Provider, SandboxOptions};

/// A clonable handle on one sandbox's state: the router serves from it, and
/// tests steer it (failures, revocations) and read it (posts).
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub options: SandboxOptions,
    /// Where the router is reachable, e.g. `http://127.0.0.1:41234`
    /// (no trailing slash); provider URLs hang below it.
    pub base: String,
    /// The OIDC provider's signing key (RS256) and a second one it uses to
    /// forge signatures when told to misbehave.
    pub oidc_key: SigningKey,
    pub rogue_key: SigningKey,
    pub inner: Mutex<Inner>,
}

/// A status posted through the fake Twitter API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Post {
    /// `v1` (`statuses/update.json`) or `v2` (`/2/tweets`).
    pub api: &'static str,
    /// The poster's Twitter id.
    pub user_id: String,
    pub text: String,
}

/// A pending OAuth 1.0a request token (RFC 5849 §2.1).
pub(crate) struct RequestToken {
    pub secret: String,
    pub callback: Url,
    /// Set when the person was chosen on the authenticate page.
    pub chosen: Option<(&'static TestPerson, String)>,
}

/// An OAuth 1.0a access token (RFC 5849 §2.3).
pub(crate) struct AccessToken {
    pub secret: String,
    pub person: &'static TestPerson,
}

/// An OAuth 2 authorization code (RFC 6749 §4.1.2) at any provider.
#[derive(Clone)]
pub(crate) struct Code {
    pub provider: Provider,
    /// Which registered client it was issued to (`x_oauth2` and `twitter`
    /// share a prefix, so the client id tells them apart).
    pub client_id: String,
    pub person: &'static TestPerson,
    pub redirect_uri: String,
    pub scope: String,
    pub challenge: Option<String>,
    pub nonce: Option<String>,
}

/// An OAuth 2 bearer token.
#[derive(Clone)]
pub(crate) struct Bearer {
    pub provider: Provider,
    pub person: &'static TestPerson,
    pub scope: String,
    /// Instagram: short-lived (code exchange) or long-lived.
    pub long_lived: bool,
}

#[derive(Default)]
pub(crate) struct Inner {
    /// Queued failures, each optionally only for paths ending in a suffix.
    pub failures: HashMap<Provider, VecDeque<(Failure, Option<String>)>>,
    pub request_tokens: HashMap<String, RequestToken>,
    pub access_tokens: HashMap<String, AccessToken>,
    /// (consumer key, token, timestamp, nonce) seen (RFC 5849 §3.3).
    pub nonces: HashSet<(String, String, String, String)>,
    pub codes: HashMap<String, Code>,
    pub bearers: HashMap<String, Bearer>,
    pub revoked: HashSet<String>,
    pub posts: Vec<Post>,
    pub oidc_misbehavior: Option<OidcMisbehavior>,
}

impl SandboxState {
    /// A fresh state for a router served at `base` (scheme, host, port and
    /// any path prefix, e.g. `http://127.0.0.1:8080/sandbox`).
    pub fn new(options: SandboxOptions, base: &Url) -> Self {
        let oidc_key = SigningKey::generate(SigningAlg::Rs256).expect("RSA key generation");
        // Same kid as the real key: a forged token names the published key.
        let rogue = SigningKey::generate(SigningAlg::Rs256).expect("RSA key generation");
        let rogue_key =
            SigningKey::from_pkcs8(oidc_key.kid().to_owned(), SigningAlg::Rs256, rogue.pkcs8()).expect("own key");
        let inner = Inner {
            oidc_misbehavior: options.oidc_misbehavior,
            ..Inner::default()
        };
        SandboxState {
            shared: Arc::new(Shared {
                options,
                base: base.as_str().trim_end_matches('/').to_owned(),
                oidc_key,
                rogue_key,
                inner: Mutex::new(inner),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data; keep serving.
        self.shared.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn options(&self) -> &SandboxOptions {
        &self.shared.options
    }

    /// The base URL of one provider, e.g. `http://127.0.0.1:41234/oidc`.
    pub fn provider_url(&self, provider: Provider) -> String {
        format!("{}/{}", self.shared.base, provider.prefix())
    }

    /// Makes the next API call to `provider` fail (queued, in order).
    pub fn fail_next(&self, provider: Provider, failure: Failure) {
        self.lock()
            .failures
            .entry(provider)
            .or_default()
            .push_back((failure, None));
    }

    /// Makes the next API call to `provider` whose path ends with
    /// `path_suffix` fail (e.g. `/graph/me`, `/userinfo`); calls to other
    /// paths pass while it waits at the head of the queue.
    pub fn fail_next_at(&self, provider: Provider, path_suffix: &str, failure: Failure) {
        let entry = (failure, Some(path_suffix.to_owned()));
        self.lock().failures.entry(provider).or_default().push_back(entry);
    }

    /// Pops the provider's next queued failure if it is for `path` and
    /// `wanted` accepts it.
    pub(crate) fn take_failure(
        &self,
        provider: Provider,
        path: &str,
        wanted: impl Fn(Failure) -> bool,
    ) -> Option<Failure> {
        let mut inner = self.lock();
        let queue = inner.failures.get_mut(&provider)?;
        let (failure, suffix) = queue.front()?;
        if wanted(*failure) && suffix.as_deref().is_none_or(|s| path.ends_with(s)) {
            queue.pop_front().map(|(f, _)| f)
        } else {
            None
        }
    }

    /// Everything posted through the fake Twitter APIs, oldest first.
    pub fn posts(&self) -> Vec<Post> {
        self.lock().posts.clone()
    }

    /// Revokes an access token (OAuth 1.0a or bearer): later API calls with
    /// it get 401. Returns whether the token was known.
    pub fn revoke_token(&self, token: &str) -> bool {
        let mut inner = self.lock();
        let known = inner.access_tokens.contains_key(token) || inner.bearers.contains_key(token);
        if known {
            inner.revoked.insert(token.to_owned());
        }
        known
    }

    /// Sets (or with `None` clears) how the OIDC provider misbehaves.
    pub fn set_oidc_misbehavior(&self, misbehavior: Option<OidcMisbehavior>) {
        self.lock().oidc_misbehavior = misbehavior;
    }

    /// Issues a random token (256 bits).
    pub(crate) fn random() -> String {
        tessera_core::secret_token::generate()
    }

    /// A live bearer token of `provider`, or None (unknown or revoked).
    pub(crate) fn bearer(&self, provider: Provider, token: &str) -> Option<Bearer> {
        let inner = self.lock();
        if inner.revoked.contains(token) {
            return None;
        }
        inner.bearers.get(token).filter(|b| b.provider == provider).cloned()
    }

    pub(crate) fn issue_bearer(&self, bearer: Bearer) -> String {
        let token = Self::random();
        self.lock().bearers.insert(token.clone(), bearer);
        token
    }
}
