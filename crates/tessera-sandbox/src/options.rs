//! What a sandbox is started with, and the switches tests flip.

use serde::{Deserialize, Serialize};

/// Registered client credentials for one fake provider.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCredentials {
    pub client_id: String,
    /// `None` registers a public client (PKCE only); OAuth 1.0a needs one.
    pub client_secret: Option<String>,
}

impl ClientCredentials {
    pub fn new(client_id: &str, client_secret: &str) -> Self {
        ClientCredentials {
            client_id: client_id.to_owned(),
            client_secret: Some(client_secret.to_owned()),
        }
    }

    pub(crate) fn secret(&self) -> &str {
        self.client_secret.as_deref().unwrap_or_default()
    }
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The clients each fake provider knows. The defaults are fixed, public
/// development values (this is a sandbox: nothing real is protected).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxOptions {
    /// Twitter OAuth 1.0a consumer key and secret.
    pub twitter: ClientCredentials,
    /// X OAuth 2.0 client (served under the same `/twitter` prefix).
    pub x_oauth2: ClientCredentials,
    pub facebook: ClientCredentials,
    pub instagram: ClientCredentials,
    /// The OpenID Connect provider's client (also used by the generic OAuth 2 kind).
    pub oidc: ClientCredentials,
    /// How the OIDC provider misbehaves from the start (see
    /// [`crate::SandboxState::set_oidc_misbehavior`]).
    pub oidc_misbehavior: Option<OidcMisbehavior>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            twitter: ClientCredentials::new("sandbox-twitter-key", "sandbox-twitter-secret"),
            x_oauth2: ClientCredentials::new("sandbox-x-client", "sandbox-x-secret"),
            facebook: ClientCredentials::new("sandbox-facebook-app", "sandbox-facebook-secret"),
            instagram: ClientCredentials::new("sandbox-instagram-app", "sandbox-instagram-secret"),
            oidc: ClientCredentials::new("sandbox-oidc-client", "sandbox-oidc-secret"),
            oidc_misbehavior: None,
        }
    }
}

/// A fake provider, by path prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// `/twitter`: OAuth 1.0a, the v1.1 and v2 APIs, and X OAuth 2.0.
    Twitter,
    /// `/facebook`
    Facebook,
    /// `/instagram`
    Instagram,
    /// `/oidc`
    Oidc,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Twitter,
        Provider::Facebook,
        Provider::Instagram,
        Provider::Oidc,
    ];

    /// The path prefix, without slashes.
    pub fn prefix(self) -> &'static str {
        match self {
            Provider::Twitter => "twitter",
            Provider::Facebook => "facebook",
            Provider::Instagram => "instagram",
            Provider::Oidc => "oidc",
        }
    }
}

/// A one-shot failure of the next API call (not the browser pages) to a
/// provider; queued failures fire in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// HTTP 500.
    ServerError,
    /// HTTP 200 with a body that is not JSON (nor a form).
    InvalidJson,
    /// Twitter request_token answers `oauth_callback_confirmed=false`.
    CallbackNotConfirmed,
}

/// Ways the OIDC provider lies, for testing relying parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OidcMisbehavior {
    /// ID tokens signed by another key under the published `kid`.
    WrongSignature,
    /// ID tokens carry a nonce that is not the one asked for.
    WrongNonce,
    /// ID tokens are for another client.
    WrongAudience,
    /// ID tokens name another issuer.
    WrongIssuer,
    /// ID tokens expired an hour ago.
    Expired,
    /// ID tokens carry an `at_hash` of another access token than the one issued with them.
    WrongAtHash,
    /// Userinfo describes someone else (a different `sub`).
    UserinfoWrongSubject,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_deserialize_with_defaults() {
        let options: SandboxOptions = serde_json::from_value(serde_json::json!({
            "twitter": {"client_id": "k", "client_secret": "s"},
            "oidc_misbehavior": "wrong_nonce"
        }))
        .unwrap();
        assert_eq!(options.twitter, ClientCredentials::new("k", "s"));
        assert_eq!(options.facebook.client_id, "sandbox-facebook-app");
        assert_eq!(options.oidc_misbehavior, Some(OidcMisbehavior::WrongNonce));
        assert!(!format!("{options:?}").contains("sandbox-facebook-secret"));
        assert!(serde_json::from_value::<SandboxOptions>(serde_json::json!({"myspace": {}})).is_err());
    }
}
