//! Any OAuth 2 provider with a userinfo endpoint: authorization code flow
//! (RFC 6749 §4.1) with optional PKCE (RFC 7636), then a userinfo GET whose
//! JSON fields are mapped to an [`Identity`] by configurable names.

use async_trait::async_trait;
use reqwest::Client;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tessera_core::secret::ExposeSecret;
use url::Url;

use crate::config::Secret;
use crate::oauth2_flow::{ClientAuth, Pending, authorize_url, callback_code, exchange_code};
use crate::{CallbackConnector, Identity, LoginStart, UpstreamError, UpstreamTokens, http, pkce};

/// `kind: oauth2`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub id: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    pub authorize_url: Url,
    pub token_url: Url,
    pub userinfo_url: Url,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Send a PKCE S256 challenge (default true; RFC 9700 §2.1.1).
    #[serde(default = "yes")]
    pub pkce: bool,
    /// How the secret goes to the token endpoint (RFC 6749 §2.3.1).
    #[serde(default)]
    pub token_auth: TokenAuth,
    /// Which userinfo fields hold what.
    #[serde(default)]
    pub claims: ClaimMapping,
}

fn yes() -> bool {
    true
}

/// Client authentication at the token endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    /// HTTP Basic (`client_secret_basic`).
    #[default]
    Basic,
    /// In the form body (`client_secret_post`).
    Post,
}

/// Userinfo field names; a dot walks into objects (`picture.data.url`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimMapping {
    pub subject: String,
    pub username: String,
    pub email: String,
    /// A field holding a boolean (or "true"); absent = unverified.
    pub email_verified: String,
    pub name: String,
    pub picture: String,
}

impl Default for ClaimMapping {
    /// OpenID Connect Core §5.1 names.
    fn default() -> Self {
        ClaimMapping {
            subject: "sub".into(),
            username: "preferred_username".into(),
            email: "email".into(),
            email_verified: "email_verified".into(),
            name: "name".into(),
            picture: "picture".into(),
        }
    }
}

impl ClaimMapping {
    /// Builds an identity (without tokens) from userinfo-like claims.
    pub(crate) fn identity(&self, provider: &str, claims: Value) -> Result<Identity, UpstreamError> {
        let subject = text(&claims, &self.subject)
            .ok_or_else(|| UpstreamError::protocol(format!("{provider}: no {} in the profile", self.subject)))?;
        let email = text(&claims, &self.email);
        let email_verified = email.is_some()
            && match lookup(&claims, &self.email_verified) {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s == "true",
                _ => false,
            };
        Ok(Identity {
            provider: provider.to_owned(),
            subject,
            username: text(&claims, &self.username),
            email,
            email_verified,
            name: text(&claims, &self.name),
            picture: text(&claims, &self.picture),
            profile: claims,
            tokens: UpstreamTokens::default(),
            friends: None,
        })
    }
}

fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return None;
    }
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// A non-empty string or a number, as text.
fn text(value: &Value, path: &str) -> Option<String> {
    match lookup(value, path)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn open(config: Config, client: Client) -> Box<dyn CallbackConnector> {
    Box::new(OAuth2 { config, client })
}

struct OAuth2 {
    config: Config,
    client: Client,
}

#[async_trait]
impl CallbackConnector for OAuth2 {
    fn id(&self) -> &str {
        &self.config.id
    }

    async fn login_url(&self, callback: &Url, state: &str) -> Result<LoginStart, UpstreamError> {
        let scope = self.config.scopes.join(" ");
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", self.config.client_id.as_str()),
            ("redirect_uri", callback.as_str()),
            ("state", state),
        ];
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        let verifier = self.config.pkce.then(pkce::new_verifier);
        let challenge = verifier.as_deref().map(pkce::s256_challenge);
        if let Some(c) = &challenge {
            params.push(("code_challenge", c));
            params.push(("code_challenge_method", "S256"));
        }
        let redirect_url = authorize_url(&self.config.authorize_url, &params);
        Ok(LoginStart {
            redirect_url,
            state_data: Pending { verifier, nonce: None }.encode(),
        })
    }

    async fn handle_callback(
        &self,
        callback: &Url,
        query: &[(String, String)],
        state_data: &str,
    ) -> Result<Identity, UpstreamError> {
        let id = &self.config.id;
        let code = callback_code(&format!("{id} callback"), query)?;
        let pending = Pending::decode(state_data)?;
        if self.config.pkce && pending.verifier.is_none() {
            return Err(UpstreamError::protocol(format!(
                "{id} callback: no PKCE verifier for this login"
            )));
        }
        let client_id = self.config.client_id.as_str();
        let secret = self.config.client_secret.as_ref().map(|s| s.expose_secret());
        let auth = match (self.config.token_auth, secret) {
            (TokenAuth::Basic, Some(secret)) => ClientAuth::Basic { id: client_id, secret },
            (_, secret) => ClientAuth::Post { id: client_id, secret },
        };
        let step = format!("{id} token");
        let token = exchange_code(
            &step,
            &self.client,
            &self.config.token_url,
            auth,
            code,
            callback,
            pending.verifier.as_deref(),
        )
        .await?;
        let request = self
            .client
            .get(self.config.userinfo_url.clone())
            .bearer_auth(&token.access_token)
            .header("Accept", "application/json");
        let claims: Value = http::send_json(&format!("{id} userinfo"), request).await?;
        let mut identity = self.config.claims.identity(id, claims)?;
        identity.tokens = UpstreamTokens::oauth2(token.access_token, token.refresh_token, token.expires_in);
        Ok(identity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claim_mapping_with_paths_and_numbers() {
        let mapping = ClaimMapping {
            subject: "id".into(),
            username: "login".into(),
            picture: "avatar.url".into(),
            email_verified: "verified".into(),
            ..ClaimMapping::default()
        };
        let claims = json!({"id": 42, "login": "octo", "email": "o@example.com", "verified": "true",
                            "avatar": {"url": "https://img/1"}, "name": ""});
        let id = mapping.identity("gh", claims).unwrap();
        assert_eq!(id.subject, "42");
        assert_eq!(id.username.as_deref(), Some("octo"));
        assert_eq!(id.picture.as_deref(), Some("https://img/1"));
        assert!(id.email_verified);
        assert_eq!(id.name, None);
        let err = mapping.identity("gh", json!({"login": "x"})).unwrap_err();
        assert!(matches!(err, UpstreamError::Protocol(_)));
        // No email: never verified, whatever the flag says.
        let id = mapping.identity("gh", json!({"id": "1", "verified": true})).unwrap();
        assert!(!id.email_verified);
    }
}
