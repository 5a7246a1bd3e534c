//! Instagram API with Instagram Login: authorize → `POST` the code for a
//! short-lived token → exchange it for a long-lived one (60 days,
//! `grant_type=ig_exchange_token`) → `/me`. Instagram never gives an email,
//! so these identities can never be linked by email.

use async_trait::async_trait;
use reqwest::Client;
use serde::Deserialize;
use tessera_core::secret::ExposeSecret;
use url::Url;

use crate::config::{Secret, default_url};
use crate::oauth2_flow::{TokenResponse, authorize_url, callback_code, join};
use crate::{CallbackConnector, Identity, LoginStart, UpstreamError, UpstreamTokens, http};

/// `kind: instagram`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub id: String,
    pub client_id: String,
    pub client_secret: Secret,
    #[serde(default = "default_authorize")]
    pub authorize_url: Url,
    #[serde(default = "default_token")]
    pub token_url: Url,
    /// Base of `/access_token`, `/refresh_access_token` and `/me`
    /// (default `https://graph.instagram.com`).
    #[serde(default = "default_api")]
    pub api_base_url: Url,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

fn default_authorize() -> Url {
    default_url("https://www.instagram.com/oauth/authorize")
}
fn default_token() -> Url {
    default_url("https://api.instagram.com/oauth/access_token")
}
fn default_api() -> Url {
    default_url("https://graph.instagram.com")
}
fn default_scopes() -> Vec<String> {
    vec!["instagram_business_basic".to_owned()]
}

pub fn open(config: Config, client: Client) -> Box<dyn CallbackConnector> {
    Box::new(Instagram { config, client })
}

struct Instagram {
    config: Config,
    client: Client,
}

/// The code exchange answers either flat or wrapped in `data: [..]`
/// depending on the API generation; both carry `access_token`.
#[derive(Deserialize)]
#[serde(untagged)]
enum ShortLived {
    Wrapped { data: Vec<TokenResponse> },
    Flat(TokenResponse),
}

#[derive(Deserialize)]
struct Me {
    #[serde(alias = "user_id")]
    id: serde_json::Value,
    username: Option<String>,
    name: Option<String>,
    profile_picture_url: Option<String>,
}

#[async_trait]
impl CallbackConnector for Instagram {
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
                ("response_type", "code"),
                ("scope", &scope),
                ("state", state),
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
        let code = callback_code("instagram callback", query)?;
        // Instagram appends `#_` to the redirect; browsers drop fragments,
        // but a pasted code may still carry it.
        let code = code.trim_end_matches("#_");
        let form = [
            ("client_id", self.config.client_id.as_str()),
            ("client_secret", self.config.client_secret.expose_secret()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", callback.as_str()),
            ("code", code),
        ];
        let step = "instagram access_token";
        let request = self.client.post(self.config.token_url.clone()).form(&form);
        let short = match http::send_json::<ShortLived>(step, request).await? {
            ShortLived::Flat(t) => t,
            ShortLived::Wrapped { data } => data
                .into_iter()
                .next()
                .ok_or_else(|| UpstreamError::protocol(format!("{step}: empty answer")))?,
        };

        let step = "instagram long-lived token";
        let mut url = join(&self.config.api_base_url, "/access_token");
        url.query_pairs_mut()
            .append_pair("grant_type", "ig_exchange_token")
            .append_pair("client_secret", self.config.client_secret.expose_secret())
            .append_pair("access_token", &short.access_token);
        let long: TokenResponse = http::send_json(step, self.client.get(url)).await?;

        let mut url = join(&self.config.api_base_url, "/me");
        url.query_pairs_mut()
            .append_pair("fields", "id,username,name,profile_picture_url,biography,website")
            .append_pair("access_token", &long.access_token);
        let profile: serde_json::Value = http::send_json("instagram me", self.client.get(url)).await?;
        let me: Me = serde_json::from_value(profile.clone())
            .map_err(|_| UpstreamError::protocol("instagram me: no id in the profile"))?;
        let subject = match me.id {
            serde_json::Value::String(s) if !s.is_empty() => s,
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(UpstreamError::protocol("instagram me: no id in the profile")),
        };
        Ok(Identity {
            provider: self.config.id.clone(),
            subject,
            username: me.username,
            email: None,
            email_verified: false,
            name: me.name,
            picture: me.profile_picture_url,
            profile,
            tokens: UpstreamTokens::oauth2(long.access_token, None, long.expires_in),
            friends: None,
        })
    }
}
