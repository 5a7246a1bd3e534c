//! Registered relying parties (OAuth clients).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tessera_core::secret::{ExposeSecret, Secret};
use tessera_core::secret_token;

use crate::keys::SigningAlg;

/// Grant types a client may be allowed to use (RFC 6749 §4.1, §4.4, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// `authorization_code` (RFC 6749 §4.1).
    AuthorizationCode,
    /// `refresh_token` (RFC 6749 §6).
    RefreshToken,
    /// `client_credentials` (RFC 6749 §4.4).
    ClientCredentials,
}

impl GrantType {
    /// The `grant_type` parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`GrantType::from_str`]: the value is not a grant type we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported grant type {0:?}; expected authorization_code, refresh_token or client_credentials")]
pub struct UnknownGrantType(pub String);

impl FromStr for GrantType {
    type Err = UnknownGrantType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "authorization_code" => Ok(GrantType::AuthorizationCode),
            "refresh_token" => Ok(GrantType::RefreshToken),
            "client_credentials" => Ok(GrantType::ClientCredentials),
            other => Err(UnknownGrantType(crate::error::echo(other))),
        }
    }
}

/// A client secret. `Debug` never shows it; comparison is constant time. Held in the
/// workspace's one secret type ([`tessera_core::secret::Secret`]), so it is zeroed when dropped.
#[derive(Clone)]
pub struct ClientSecret(Secret);

/// Random bytes in a generated secret: 256 bits, more than enough for a
/// symmetric credential (RFC 6749 §10.10).
const SECRET_BYTES: usize = 32;

impl ClientSecret {
    /// Wraps a secret loaded from configuration or storage.
    pub fn new(secret: impl Into<String>) -> Self {
        ClientSecret(Secret::new(secret))
    }

    /// A new random secret: 32 bytes, base64url (43 characters, so it needs
    /// no escaping in HTTP Basic or a form body).
    pub fn generate() -> Self {
        ClientSecret::new(secret_token::random_token(SECRET_BYTES))
    }

    /// The secret itself, to show once to an administrator or to store.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether `given` is this secret. Both sides are hashed first so the
    /// comparison takes the same time whatever the lengths (a plain
    /// `ct_eq` on slices returns early when the lengths differ, which
    /// would leak the secret's length).
    pub fn matches(&self, given: &str) -> bool {
        let ours = Sha256::digest(self.expose().as_bytes());
        let theirs = Sha256::digest(given.as_bytes());
        secret_token::constant_time_eq(ours.as_slice(), theirs.as_slice())
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(***)")
    }
}

/// A registered client.
#[derive(Debug, Clone)]
pub struct Client {
    /// `client_id` (RFC 6749 §2.2).
    pub id: String,
    /// Display name for consent and error pages.
    pub name: String,
    /// `None` for a public client (RFC 6749 §2.1), which must use PKCE.
    pub secret: Option<ClientSecret>,
    /// Registered redirect URIs, compared by exact string equality
    /// (OIDC Core §3.1.2.1).
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may send the browser afterwards.
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types this client may use.
    pub grant_types: Vec<GrantType>,
    /// Scopes this client may request.
    pub scopes: Vec<String>,
    /// First-party clients skip the consent screen.
    pub first_party: bool,
    /// Require PKCE even for a confidential client. Public clients always
    /// need it, whatever this says.
    pub require_pkce: bool,
    /// Algorithm for this client's ID tokens.
    pub id_token_alg: SigningAlg,
    /// OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`.
    pub backchannel_logout_uri: Option<url::Url>,
}

impl Client {
    /// A public client has no secret (RFC 6749 §2.1).
    pub fn is_public(&self) -> bool {
        self.secret.is_none()
    }

    /// Whether authorization requests must carry a PKCE challenge: always
    /// for public clients (RFC 9700 §2.1.1), and when configured.
    pub fn pkce_required(&self) -> bool {
        self.is_public() || self.require_pkce
    }

    /// Whether this client may use `grant`.
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether `uri` is exactly one of the registered redirect URIs
    /// (simple string comparison, OIDC Core §3.1.2.1, RFC 9700 §4.1.3).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    /// Same for `post_logout_redirect_uri` (OIDC RP-Initiated Logout §3).
    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_type_names() {
        for g in [
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::ClientCredentials,
        ] {
            assert_eq!(g.as_str().parse::<GrantType>(), Ok(g));
            assert_eq!(serde_json::to_value(g).unwrap(), g.as_str());
        }
        let err = "password".parse::<GrantType>().unwrap_err();
        assert!(err.to_string().contains("\"password\""));
        assert!("implicit".parse::<GrantType>().is_err());
    }

    #[test]
    fn secret_matching_and_debug() {
        let s = ClientSecret::new("s3cr3t-value");
        assert!(s.matches("s3cr3t-value"));
        assert!(!s.matches("s3cr3t-valuE"));
        assert!(!s.matches("s3cr3t-value "));
        assert!(!s.matches(""));
        assert_eq!(format!("{s:?}"), "ClientSecret(***)");
        let generated = ClientSecret::generate();
        assert_eq!(generated.expose().len(), 43);
        assert!(generated.matches(generated.expose()));
        assert_ne!(generated.expose(), ClientSecret::generate().expose());
    }

    #[test]
    fn client_debug_hides_the_secret() {
        let c = Client {
            id: "app".into(),
            name: "App".into(),
            secret: Some(ClientSecret::new("hunter2")),
            redirect_uris: vec!["https://app.example/cb".into()],
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: vec!["openid".into()],
            first_party: false,
            require_pkce: false,
            id_token_alg: SigningAlg::Rs256,
            backchannel_logout_uri: None,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!c.is_public());
        assert!(!c.pkce_required());
        assert!(c.has_redirect_uri("https://app.example/cb"));
        assert!(!c.has_redirect_uri("https://app.example/cb/"));
        let public = Client { secret: None, ..c };
        assert!(public.pkce_required());
    }
}
