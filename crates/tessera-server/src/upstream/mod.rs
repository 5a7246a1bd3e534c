//! Upstream logins: the connectors built from `upstreams:`, and the sealing of what they leave
//! in the database. The pipeline that turns an upstream identity into one local account is the
//! accounts service's (`accounts::federation`).

pub mod activation;

use std::sync::Arc;

use tessera_core::identity::UpstreamLogin;
use tessera_core::secret::ExposeSecret;
use tessera_upstream::CallbackConnector;

use crate::config::{Config, MasterKey, Upstream};

pub struct Connector {
    pub upstream: Upstream,
    pub connector: Box<dyn CallbackConnector>,
}

#[derive(Clone, Default)]
pub struct Registry {
    connectors: Arc<Vec<Connector>>,
}

impl Registry {
    pub fn new(config: &Config, http: &reqwest::Client) -> Self {
        let connectors = config
            .upstreams
            .iter()
            .map(|u| Connector {
                upstream: u.clone(),
                connector: tessera_upstream::open(u.config.clone(), http.clone()),
            })
            .collect();
        Self {
            connectors: Arc::new(connectors),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.upstream.id == id)
    }

    /// (id, label) of every upstream, for login buttons.
    /// The sign-in buttons, in config order.
    pub fn buttons(&self) -> Vec<Button> {
        self.connectors
            .iter()
            .map(|c| Button {
                id: c.upstream.id.clone(),
                label: c.upstream.label.clone(),
                mark: mark(&c.upstream),
            })
            .collect()
    }

    pub fn label(&self, id: &str) -> String {
        self.get(id).map_or_else(|| id.to_owned(), |c| c.upstream.label.clone())
    }
}

/// A provider's sign-in button: where it goes, what it says, which mark it shows
/// (`marks.html`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Button {
    pub id: String,
    pub label: String,
    pub mark: &'static str,
}

/// The provider's logo on its button: by kind, and for generic OAuth 2.0 / OIDC upstreams by
/// a well-known id (`github`, `google`); else a neutral key.
fn mark(upstream: &crate::config::Upstream) -> &'static str {
    use tessera_upstream::config::UpstreamConfig as C;
    match &upstream.config {
        C::Twitter(_) | C::XOauth2(_) => "twitter",
        C::Facebook(_) => "facebook",
        C::Instagram(_) => "instagram",
        C::Oidc(_) | C::Oauth2(_) => match upstream.id.as_str() {
            id if id.contains("github") => "github",
            id if id.contains("google") => "google",
            _ => "oidc",
        },
    }
}

// Sealing at rest (AES-256-GCM under the master key, `tessera_core::seal`) of what upstream
// logins leave in the database. Each blob's context (the additional authenticated data) names
// the row that holds it, so a blob copied into another row (another person's identity, another
// pending login) does not open there. One function per kind builds the context; the
// length-prefixed first part keeps two different rows from ever sharing a context.

/// The sealing context of an identity's upstream tokens, bound to its `identities` row
/// (keyed by provider and upstream subject).
pub fn tokens_context(provider: &str, subject: &str) -> String {
    format!("tessera upstream tokens v2:{}:{provider}:{subject}", provider.len())
}

/// **Read-only legacy.** The one fixed context upstream tokens were sealed with before
/// [`tokens_context`]: such a blob opens in any row, so [`open_tokens`] still accepts it only
/// to keep identities linked before the change working. Nothing is sealed with it any more: the
/// pipeline re-seals a row's tokens with the bound context whenever it writes the row again
/// (the next sign-in with that upstream account, or connecting it again).
const LEGACY_TOKENS_CONTEXT: &str = "tessera upstream tokens";

/// Seals an identity's upstream tokens (serialized) for its `identities` row.
pub fn seal_tokens(master: &MasterKey, provider: &str, subject: &str, tokens: &[u8]) -> Vec<u8> {
    tessera_core::seal::seal(master.expose_secret(), tokens, &tokens_context(provider, subject))
}

/// Opens the tokens stored on the identity (`provider`, `subject`): sealed for this row, or
/// (legacy, see [`LEGACY_TOKENS_CONTEXT`]) with the old fixed context. Tokens sealed for
/// another identity do not open.
pub fn open_tokens(
    master: &MasterKey,
    provider: &str,
    subject: &str,
    sealed: &[u8],
) -> Result<Vec<u8>, tessera_core::seal::SealError> {
    let key = master.expose_secret();
    tessera_core::seal::open(key, sealed, &tokens_context(provider, subject))
        .or_else(|_| tessera_core::seal::open(key, sealed, LEGACY_TOKENS_CONTEXT))
}

/// The sealing context of a pending upstream login's protocol data (OAuth 1.0a token secret,
/// PKCE verifier, nonce), bound to its `upstream_logins` row (keyed by the digest of its
/// `state`). No legacy fallback: a pending login lives 15 minutes, so one started before the
/// change only has to be started again.
pub fn login_context(upstream: &str, state_digest: &str) -> String {
    format!("tessera upstream login v2:{}:{upstream}:{state_digest}", upstream.len())
}

/// Seals a pending login's protocol data for its `upstream_logins` row.
pub fn seal_login_data(master: &MasterKey, upstream: &str, state_digest: &str, data: &[u8]) -> Vec<u8> {
    tessera_core::seal::seal(master.expose_secret(), data, &login_context(upstream, state_digest))
}

/// Opens the protocol data of the pending login `login`, sealed for that row only.
pub fn open_login_data(master: &MasterKey, login: &UpstreamLogin) -> Result<Vec<u8>, tessera_core::seal::SealError> {
    let context = login_context(&login.upstream, &login.state_digest);
    tessera_core::seal::open(master.expose_secret(), &login.sealed_data, &context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::from_bytes([7; 32])
    }

    #[test]
    fn tokens_open_only_on_the_identity_they_were_sealed_for() {
        let sealed = seal_tokens(&key(), "twitter", "alice", b"alice's tokens");
        assert_eq!(
            open_tokens(&key(), "twitter", "alice", &sealed).unwrap(),
            b"alice's tokens"
        );
        for (provider, subject) in [("twitter", "bob"), ("facebook", "alice"), ("twitter", "alice ")] {
            assert!(
                open_tokens(&key(), provider, subject, &sealed).is_err(),
                "{provider}/{subject}"
            );
        }
        assert!(open_tokens(&MasterKey::from_bytes([8; 32]), "twitter", "alice", &sealed).is_err());
    }

    #[test]
    fn legacy_tokens_still_open_and_contexts_never_collide() {
        let legacy = tessera_core::seal::seal(key().expose_secret(), b"old", LEGACY_TOKENS_CONTEXT);
        assert_eq!(open_tokens(&key(), "twitter", "anyone", &legacy).unwrap(), b"old");
        assert_ne!(tokens_context("a:b", "c"), tokens_context("a", "b:c"));
        assert_ne!(login_context("a:b", "c"), login_context("a", "b:c"));
        assert_ne!(tokens_context("twitter", "1"), LEGACY_TOKENS_CONTEXT);
    }

    #[test]
    fn login_data_opens_only_for_its_own_login() {
        let sealed = seal_login_data(&key(), "x", "digest-a", b"verifier");
        // The sealed data as it would be found on a pending login row (here: copied into others).
        let open = |upstream: &str, digest: &str| {
            let login = UpstreamLogin {
                state_digest: digest.to_owned(),
                upstream: upstream.to_owned(),
                browser: "b".into(),
                purpose: tessera_core::identity::LoginPurpose::Login,
                user_id: None,
                next: None,
                sealed_data: sealed.clone(),
                expires_at: time::OffsetDateTime::now_utc(),
            };
            open_login_data(&key(), &login)
        };
        assert_eq!(open("x", "digest-a").unwrap(), b"verifier");
        assert!(open("x", "digest-b").is_err());
        assert!(open("y", "digest-a").is_err());
    }
}
