//! X (Twitter) OAuth 2.0 authorization code flow with PKCE S256
//! (RFC 6749 §4.1, RFC 7636): `/i/oauth2/authorize` → `POST /2/oauth2/token`
//! → `GET /2/users/me`. X gives no email here.

use async_trait::async_trait;
use reqwest::Client;
use serde::Deserialize;
use tessera_core::secret::ExposeSecret;
use url::Url;

use crate::config::{Secret, default_url};
use crate::oauth2_flow::{ClientAuth, Pending, authorize_url, callback_code, exchange_code, join};
use crate::{CallbackConnector, Identity, LoginStart, UpstreamError, UpstreamTokens, http, pkce};

/// `kind: x_oauth2`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub id: String,
    pub client_id: String,
    /// Absent for a public client (PKCE alone); present for a confidential
    /// one (HTTP Basic at the token endpoint).
    #[serde(default)]
    pub client_secret: Option<Secret>,
    #[serde(default = "default_authorize")]
    pub authorize_url: Url,
    #[serde(default = "default_token")]
    pub token_url: Url,
    /// Base of `/2/users/me` and `/2/tweets` (default `https://api.x.com`).
    #[serde(default = "default_api")]
    pub api_base_url: Url,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

fn default_authorize() -> Url {
    default_url("https://twitter.com/i/oauth2/authorize")
}
fn default_token() -> Url {
    default_url("https://api.x.com/2/oauth2/token")
}
fn default_api() -> Url {
    default_url("https://api.x.com")
}
fn default_scopes() -> Vec<String> {
    ["tweet.read", "users.read", "offline.access"]
        .map(String::from)
        .to_vec()
}

pub fn open(config: Config, client: Client) -> Box<dyn CallbackConnector> {
    Box::new(XOauth2 { config, client })
}

struct XOauth2 {
    config: Config,
    client: Client,
}

#[derive(Deserialize)]
struct Me {
    data: MeData,
}

#[derive(Deserialize)]
struct MeData {
    id: String,
    username: Option<String>,
    name: Option<String>,
    profile_image_url: Option<String>,
}

#[async_trait]
impl CallbackConnector for XOauth2 {
    fn id(&self) -> &str {
        &self.config.id
    }

    async fn login_url(&self, callback: &Url, state: &str) -> Result<LoginStart, UpstreamError> {
        let verifier = pkce::new_verifier();
        let challenge = pkce::s256_challenge(&verifier);
        let scope = self.config.scopes.join(" ");
        let redirect_url = authorize_url(
            &self.config.authorize_url,
            &[
                ("response_type", "code"),
                ("client_id", &self.config.client_id),
                ("redirect_uri", callback.as_str()),
                ("scope", &scope),
                ("state", state),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let pending = Pending {
            verifier: Some(verifier),
            nonce: None,
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
        let code = callback_code("x callback", query)?;
        let pending = Pending::decode(state_data)?;
        let verifier = pending
            .verifier
            .ok_or_else(|| UpstreamError::protocol("x callback: no PKCE verifier for this login"))?;
        let auth = match &self.config.client_secret {
            Some(secret) => ClientAuth::Basic {
                id: &self.config.client_id,
                secret: secret.expose_secret(),
            },
            None => ClientAuth::Post {
                id: &self.config.client_id,
                secret: None,
            },
        };
        let token = exchange_code(
            "x token",
            &self.client,
            &self.config.token_url,
            auth,
            code,
            callback,
            Some(&verifier),
        )
        .await?;

        let mut url = join(&self.config.api_base_url, "/2/users/me");
        url.query_pairs_mut().append_pair("user.fields", "profile_image_url");
        let request = self.client.get(url).bearer_auth(&token.access_token);
        let profile: serde_json::Value = http::send_json("x users/me", request).await?;
        let me: Me = serde_json::from_value(profile.clone())
            .map_err(|_| UpstreamError::protocol("x users/me: no data.id in the profile"))?;
        Ok(Identity {
            provider: self.config.id.clone(),
            subject: me.data.id,
            username: me.data.username,
            email: None,
            email_verified: false,
            name: me.data.name,
            picture: me.data.profile_image_url,
            profile,
            tokens: UpstreamTokens::oauth2(token.access_token, token.refresh_token, token.expires_in),
            friends: None,
        })
    }

    /// `POST /2/tweets` with the user's bearer token (needs `tweet.write`).
    async fn post_status(&self, tokens: &UpstreamTokens, text: &str) -> Result<(), UpstreamError> {
        let request = self
            .client
            .post(join(&self.config.api_base_url, "/2/tweets"))
            .bearer_auth(&tokens.access_token)
            .json(&serde_json::json!({ "text": text }));
        http::send("x post", request).await.map(|_| ())
    }
}
