//! Facebook Login: the OAuth 2 dialog, `GET /oauth/access_token`, then the
//! Graph API `/me` (and `/me/friends` with `user_friends`), every Graph call
//! carrying `appsecret_proof` so a stolen token is useless without our secret.
//!
//! Facebook does not say whether an email is verified: `email_verified` is
//! the admin's `trust_email`.

use async_trait::async_trait;
use reqwest::Client;
use serde::Deserialize;
use tessera_core::secret::ExposeSecret;
use tessera_core::secret_token::{hex_lower, hmac_sha256};
use url::Url;

use crate::config::{Secret, default_url};
use crate::oauth2_flow::{TokenResponse, authorize_url, callback_code, join};
use crate::{CallbackConnector, Identity, LoginStart, UpstreamError, UpstreamTokens, http};

/// `kind: facebook`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub id: String,
    /// The app id.
    pub client_id: String,
    /// The app secret.
    pub client_secret: Secret,
    /// The login dialog (default `https://www.facebook.com/v19.0/dialog/oauth`).
    #[serde(default = "default_authorize")]
    pub authorize_url: Url,
    /// The Graph API base (default `https://graph.facebook.com/v19.0`).
    #[serde(default = "default_api")]
    pub api_base_url: Url,
    /// Include `user_friends` to get [`Identity::friends`].
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Treat Facebook's emails as verified (for linking by email).
    #[serde(default)]
    pub trust_email: bool,
}

fn default_authorize() -> Url {
    default_url("https://www.facebook.com/v19.0/dialog/oauth")
}
fn default_api() -> Url {
    default_url("https://graph.facebook.com/v19.0")
}
fn default_scopes() -> Vec<String> {
    ["email", "public_profile"].map(String::from).to_vec()
}

/// `appsecret_proof` = lowercase hex HMAC-SHA256(key = app secret, message =
/// access token), required on Graph calls when the app demands it.
pub fn appsecret_proof(app_secret: &str, access_token: &str) -> String {
    hex_lower(&hmac_sha256(app_secret.as_bytes(), access_token.as_bytes()))
}

pub fn open(config: Config, client: Client) -> Box<dyn CallbackConnector> {
    Box::new(Facebook { config, client })
}

struct Facebook {
    config: Config,
    client: Client,
}

#[derive(Deserialize)]
struct Me {
    id: String,
    name: Option<String>,
    email: Option<String>,
    picture: Option<Picture>,
}

#[derive(Deserialize)]
struct Picture {
    data: PictureData,
}

#[derive(Deserialize)]
struct PictureData {
    url: Option<String>,
}

#[derive(Deserialize)]
struct Friends {
    data: Vec<Friend>,
}

#[derive(Deserialize)]
struct Friend {
    id: String,
}

impl Facebook {
    /// A Graph API GET with the token and its proof.
    async fn graph<T: serde::de::DeserializeOwned>(
        &self,
        step: &str,
        path: &str,
        query: &[(&str, &str)],
        token: &str,
    ) -> Result<T, UpstreamError> {
        let mut url = join(&self.config.api_base_url, path);
        let proof = appsecret_proof(self.config.client_secret.expose_secret(), token);
        url.query_pairs_mut()
            .extend_pairs(query)
            .append_pair("appsecret_proof", &proof);
        http::send_json(step, self.client.get(url).bearer_auth(token)).await
    }
}

#[async_trait]
impl CallbackConnector for Facebook {
    fn id(&self) -> &str {
        &self.config.id
    }

    async fn login_url(&self, callback: &Url, state: &str) -> Result<LoginStart, UpstreamError> {
        let scope = self.config.scopes.join(",");
        let redirect_url = authorize_url(
            &self.config.authorize_url,
            &[
                ("client_id", self.config.client_id.as_str()),
                ("redirect_uri", callback.as_str()),
                ("state", state),
                ("response_type", "code"),
                ("scope", &scope),
            ],
        );
        Ok(LoginStart {
            redirect_url,
            state_data: String::new(),
        })
    }

    async fn handle_callback(
        &self,
        callback: &Url,
        query: &[(String, String)],
        _state_data: &str,
    ) -> Result<Identity, UpstreamError> {
        let code = callback_code("facebook callback", query)?;
        let mut url = join(&self.config.api_base_url, "/oauth/access_token");
        url.query_pairs_mut()
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", callback.as_str())
            .append_pair("client_secret", self.config.client_secret.expose_secret())
            .append_pair("code", code);
        let token: TokenResponse = http::send_json("facebook access_token", self.client.get(url)).await?;
        let access = token.access_token;

        let fields = [("fields", "id,name,email,first_name,last_name,picture")];
        let profile: serde_json::Value = self.graph("facebook me", "/me", &fields, &access).await?;
        let me: Me = serde_json::from_value(profile.clone())
            .map_err(|_| UpstreamError::protocol("facebook me: no id in the profile"))?;
        // Friends are an extra: a failure there must not cost the person their login.
        let friends = if self.config.scopes.iter().any(|s| s == "user_friends") {
            self.graph::<Friends>("facebook friends", "/me/friends", &[("limit", "5000")], &access)
                .await
                .ok()
                .map(|f| f.data.into_iter().map(|f| f.id).collect())
        } else {
            None
        };
        let email = me.email.filter(|e| !e.is_empty());
        Ok(Identity {
            provider: self.config.id.clone(),
            subject: me.id,
            username: None,
            email_verified: email.is_some() && self.config.trust_email,
            email,
            name: me.name,
            picture: me.picture.and_then(|p| p.data.url),
            profile,
            tokens: UpstreamTokens::oauth2(access, None, token.expires_in),
            friends,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PROTOCOLS.md §3.
    #[test]
    fn appsecret_proof_vector() {
        assert_eq!(
            appsecret_proof("app_secret", "access_token"),
            "d52ddf968d622d8af8677906b7fbae09ac1f89f7cd5c1584b27544624cc23e5a"
        );
    }
}
