//! Any OpenID Connect provider: discovery from the issuer (OIDC Discovery
//! §4), the authorization code flow with `nonce` and PKCE S256, the ID
//! token validated (signature via the JWKS, `iss`, `aud`, `exp`, `nonce`),
//! then userinfo when the provider has it (its `sub` must match, OIDC Core
//! §5.3.2).

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::Client;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::{Mutex, OnceCell};
use url::Url;

use crate::config::Secret;
use crate::id_token::{Expected, IdTokenError};
use crate::oauth2::ClaimMapping;
use crate::oauth2_flow::{ClientAuth, Pending, authorize_url, callback_code, exchange_code};
use crate::{CallbackConnector, Identity, LoginStart, UpstreamError, UpstreamTokens, http, id_token, pkce};

/// `kind: oidc`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub id: String,
    /// Exactly as the provider spells it in its tokens (no trailing slash
    /// added or removed); discovery is `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

fn default_scopes() -> Vec<String> {
    ["openid", "profile", "email"].map(String::from).to_vec()
}

pub fn open(config: Config, client: Client) -> Box<dyn CallbackConnector> {
    Box::new(Oidc {
        config,
        client,
        metadata: OnceCell::new(),
        jwks: Mutex::new(None),
    })
}

struct Oidc {
    config: Config,
    client: Client,
    /// Discovered once, on first use; a failed discovery is retried next time.
    metadata: OnceCell<Arc<Metadata>>,
    /// Cached JWKS, refetched when a token names an unknown key (rotation).
    jwks: Mutex<Option<Arc<Value>>>,
}

/// The provider metadata we use (OIDC Discovery §3).
#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: Url,
    token_endpoint: Url,
    jwks_uri: Url,
    #[serde(default)]
    userinfo_endpoint: Option<Url>,
}

impl Oidc {
    async fn metadata(&self) -> Result<Arc<Metadata>, UpstreamError> {
        let id = &self.config.id;
        self.metadata
            .get_or_try_init(|| async {
                let url = format!(
                    "{}/.well-known/openid-configuration",
                    self.config.issuer.trim_end_matches('/')
                );
                let url =
                    Url::parse(&url).map_err(|_| UpstreamError::protocol(format!("{id}: the issuer is not a URL")))?;
                let metadata: Metadata = http::send_json(&format!("{id} discovery"), self.client.get(url)).await?;
                // OIDC Discovery §4.3: the document must name the issuer we asked.
                if metadata.issuer != self.config.issuer {
                    return Err(UpstreamError::protocol(format!("{id} discovery: issuer mismatch")));
                }
                Ok(Arc::new(metadata))
            })
            .await
            .cloned()
    }

    async fn jwks(&self, uri: &Url, refresh: bool) -> Result<Arc<Value>, UpstreamError> {
        let mut cached = self.jwks.lock().await;
        if let Some(jwks) = cached.as_ref().filter(|_| !refresh) {
            return Ok(jwks.clone());
        }
        let jwks: Value = http::send_json(&format!("{} jwks", self.config.id), self.client.get(uri.clone())).await?;
        let jwks = Arc::new(jwks);
        *cached = Some(jwks.clone());
        Ok(jwks)
    }

    async fn validate(&self, metadata: &Metadata, token: &str, nonce: &str) -> Result<Value, UpstreamError> {
        let expected = Expected {
            issuer: &self.config.issuer,
            client_id: &self.config.client_id,
            nonce,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
        };
        let jwks = self.jwks(&metadata.jwks_uri, false).await?;
        let outcome = match id_token::validate(token, &jwks, &expected) {
            Err(IdTokenError::UnknownKey) => {
                let fresh = self.jwks(&metadata.jwks_uri, true).await?;
                id_token::validate(token, &fresh, &expected)
            }
            other => other,
        };
        outcome.map_err(|e| match e {
            IdTokenError::Invalid(e) => e,
            IdTokenError::UnknownKey => UpstreamError::protocol("ID token: signed with an unknown key"),
        })
    }
}

#[async_trait]
impl CallbackConnector for Oidc {
    fn id(&self) -> &str {
        &self.config.id
    }

    async fn login_url(&self, callback: &Url, state: &str) -> Result<LoginStart, UpstreamError> {
        let metadata = self.metadata().await?;
        let verifier = pkce::new_verifier();
        let challenge = pkce::s256_challenge(&verifier);
        let nonce = crate::random_token(16);
        let scope = self.config.scopes.join(" ");
        let redirect_url = authorize_url(
            &metadata.authorization_endpoint,
            &[
                ("response_type", "code"),
                ("client_id", &self.config.client_id),
                ("redirect_uri", callback.as_str()),
                ("scope", &scope),
                ("state", state),
                ("nonce", &nonce),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let pending = Pending {
            verifier: Some(verifier),
            nonce: Some(nonce),
        };
        Ok(LoginStart {
            redirect_url,
            state_data: pending.encode(),
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
        let (Some(verifier), Some(nonce)) = (pending.verifier, pending.nonce) else {
            return Err(UpstreamError::protocol(format!(
                "{id} callback: no verifier or nonce for this login"
            )));
        };
        let metadata = self.metadata().await?;
        let client_id = self.config.client_id.as_str();
        let auth = match &self.config.client_secret {
            Some(s) => ClientAuth::Basic {
                id: client_id,
                secret: s.expose(),
            },
            None => ClientAuth::Post {
                id: client_id,
                secret: None,
            },
        };
        let step = format!("{id} token");
        let token = exchange_code(
            &step,
            &self.client,
            &metadata.token_endpoint,
            auth,
            code,
            callback,
            Some(&verifier),
        )
        .await?;
        let raw = token
            .id_token
            .as_deref()
            .ok_or_else(|| UpstreamError::protocol(format!("{step}: no id_token in the answer")))?;
        let mut claims = self.validate(&metadata, raw, &nonce).await?;

        if let Some(userinfo_url) = &metadata.userinfo_endpoint {
            let request = self.client.get(userinfo_url.clone()).bearer_auth(&token.access_token);
            let userinfo: Value = http::send_json(&format!("{id} userinfo"), request).await?;
            // OIDC Core §5.3.2: userinfo about someone else is a substitution attack.
            if userinfo.get("sub") != claims.get("sub") {
                return Err(UpstreamError::protocol(format!(
                    "{id} userinfo: sub does not match the ID token"
                )));
            }
            if let (Some(all), Value::Object(extra)) = (claims.as_object_mut(), userinfo) {
                all.extend(extra);
            }
        }
        let mut identity = ClaimMapping::default().identity(id, claims)?;
        identity.tokens = UpstreamTokens::oauth2(token.access_token, token.refresh_token, token.expires_in);
        Ok(identity)
    }
}
