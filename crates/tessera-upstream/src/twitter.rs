//! "Sign in with Twitter": OAuth 1.0a (RFC 5849) against `api.x.com`.
//!
//! 1. `POST /oauth/request_token` with `oauth_callback` → request token
//!    (RFC 5849 §2.1); its secret stays in `state_data`, server-side.
//! 2. The browser goes to `/oauth/authenticate?oauth_token=…` (§2.2).
//! 3. The callback brings `oauth_token` (must be ours) and `oauth_verifier`,
//!    or `denied=…` when the person cancels.
//! 4. `POST /oauth/access_token` with the verifier (§2.3).
//! 5. `GET /1.1/account/verify_credentials.json?include_email=true`.

use async_trait::async_trait;
use reqwest::{Client, Method, RequestBuilder};
use serde::{Deserialize, Serialize};
use tessera_core::secret::ExposeSecret;
use tessera_core::secret_token::constant_time_eq;
use url::Url;

use crate::config::{Secret, default_url};
use crate::oauth1::Signer;
use crate::oauth2_flow::join;
use crate::{CallbackConnector, Identity, LoginStart, UpstreamError, UpstreamTokens, http, param};

/// `kind: twitter`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub id: String,
    /// The consumer (API) key.
    pub client_id: String,
    /// The consumer (API) secret.
    pub client_secret: Secret,
    /// Base of every endpoint (default `https://api.x.com`).
    #[serde(default = "default_api")]
    pub api_base_url: Url,
    /// Fetch the ids of the accounts the person follows (`/1.1/friends/ids.json`).
    #[serde(default)]
    pub fetch_friends: bool,
    /// Which API [`CallbackConnector::post_status`] uses.
    #[serde(default)]
    pub post_api: PostApi,
}

/// The API used to post on the person's behalf.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostApi {
    /// `POST /1.1/statuses/update.json` with `status=`.
    V1,
    /// `POST /2/tweets` with JSON `{"text": …}`.
    #[default]
    V2,
}

fn default_api() -> Url {
    default_url("https://api.x.com")
}

pub fn open(config: Config, client: Client) -> Box<dyn CallbackConnector> {
    Box::new(Twitter { config, client })
}

struct Twitter {
    config: Config,
    client: Client,
}

/// The request token and its secret, kept on the pending login.
#[derive(Serialize, Deserialize)]
struct Pending {
    token: String,
    secret: String,
}

/// The fields of `verify_credentials.json` we use; the rest stays in `profile`.
#[derive(Deserialize)]
struct Credentials {
    id_str: String,
    screen_name: Option<String>,
    name: Option<String>,
    email: Option<String>,
    profile_image_url_https: Option<String>,
}

/// What `/oauth/access_token` answers: the person's token, and who they are.
struct Access {
    token: String,
    secret: String,
    user_id: String,
    /// Used when the profile has no `screen_name`.
    screen_name: Option<String>,
}

#[derive(Deserialize)]
struct FriendIds {
    ids: Vec<serde_json::Value>,
}

impl Twitter {
    fn signer(&self) -> Signer<'_> {
        Signer::new(&self.config.client_id, self.config.client_secret.expose_secret())
    }

    /// A request carrying an OAuth 1.0a `Authorization` header over its URL
    /// query and form body (RFC 5849 §3.4.1.3.1: JSON bodies are not signed).
    fn signed(&self, method: Method, url: Url, form: &[(String, String)], signer: Signer<'_>) -> RequestBuilder {
        let header = signer.authorization_header(method.as_str(), &url, form);
        let request = self.client.request(method, url).header("Authorization", header);
        if form.is_empty() { request } else { request.form(form) }
    }

    fn url(&self, path: &str) -> Url {
        join(&self.config.api_base_url, path)
    }

    async fn fetch_friends(&self, user_id: &str, token: &str, secret: &str) -> Result<Vec<String>, UpstreamError> {
        let mut url = self.url("/1.1/friends/ids.json");
        url.query_pairs_mut()
            .append_pair("user_id", user_id)
            .append_pair("stringify_ids", "true")
            .append_pair("count", "5000");
        let request = self.signed(Method::GET, url, &[], self.signer().with_token(token, secret));
        let ids: FriendIds = http::send_json("twitter friends", request).await?;
        Ok(ids
            .ids
            .into_iter()
            .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
            .collect())
    }

    /// Trades the request token and verifier for the person's access token (RFC 5849 §2.3).
    async fn access_token(&self, pending: &Pending, verifier: &str) -> Result<Access, UpstreamError> {
        let step = "twitter access_token";
        let signer = Signer {
            verifier: Some(verifier),
            ..self.signer().with_token(&pending.token, &pending.secret)
        };
        let request = self.signed(Method::POST, self.url("/oauth/access_token"), &[], signer);
        let answer = http::parse_form(&http::send(step, request).await?);
        Ok(Access {
            token: field(&answer, "oauth_token", step)?,
            secret: field(&answer, "oauth_token_secret", step)?,
            user_id: field(&answer, "user_id", step)?,
            screen_name: param(&answer, "screen_name").map(str::to_owned),
        })
    }

    /// The profile (whole, and the fields we use), which must be the access token's account.
    async fn verify_credentials(&self, access: &Access) -> Result<(serde_json::Value, Credentials), UpstreamError> {
        let step = "twitter verify_credentials";
        let mut url = self.url("/1.1/account/verify_credentials.json");
        url.query_pairs_mut()
            .append_pair("include_email", "true")
            .append_pair("skip_status", "true");
        let request = self.signed(
            Method::GET,
            url,
            &[],
            self.signer().with_token(&access.token, &access.secret),
        );
        let profile: serde_json::Value = http::send_json(step, request).await?;
        let creds: Credentials = serde_json::from_value(profile.clone())
            .map_err(|_| UpstreamError::protocol(format!("{step}: no id_str in the profile")))?;
        if creds.id_str != access.user_id {
            return Err(UpstreamError::protocol(format!(
                "{step}: the profile is not the token's user"
            )));
        }
        Ok((profile, creds))
    }
}

/// A required field of a form-encoded token response.
fn field(form: &[(String, String)], name: &str, step: &str) -> Result<String, UpstreamError> {
    match param(form, name) {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(UpstreamError::protocol(format!("{step}: no {name} in the answer"))),
    }
}

/// The pending request token and the callback's verifier, once the callback is shown to
/// belong to this login; a person who cancelled is [`UpstreamError::Cancelled`].
fn callback_verifier<'q>(query: &'q [(String, String)], state_data: &str) -> Result<(Pending, &'q str), UpstreamError> {
    if param(query, "denied").is_some() {
        return Err(UpstreamError::Cancelled);
    }
    let pending: Pending = serde_json::from_str(state_data)
        .map_err(|_| UpstreamError::protocol("the pending login data is unreadable"))?;
    // The request token binds the callback to this login (RFC 5849 §2.2).
    let token = param(query, "oauth_token").unwrap_or_default();
    if !constant_time_eq(token.as_bytes(), pending.token.as_bytes()) {
        return Err(UpstreamError::protocol(
            "twitter callback: oauth_token does not match this login",
        ));
    }
    match param(query, "oauth_verifier") {
        Some(v) if !v.is_empty() => Ok((pending, v)),
        _ => Err(UpstreamError::protocol("twitter callback: no oauth_verifier")),
    }
}

#[async_trait]
impl CallbackConnector for Twitter {
    fn id(&self) -> &str {
        &self.config.id
    }

    fn callback_has_state(&self) -> bool {
        false
    }

    async fn login_url(&self, callback: &Url, _state: &str) -> Result<LoginStart, UpstreamError> {
        let step = "twitter request_token";
        let signer = Signer {
            callback: Some(callback.as_str()),
            ..self.signer()
        };
        let request = self.signed(Method::POST, self.url("/oauth/request_token"), &[], signer);
        let answer = http::parse_form(&http::send(step, request).await?);
        // RFC 5849 §2.1: a server that did not take our callback says so here.
        if param(&answer, "oauth_callback_confirmed") != Some("true") {
            return Err(UpstreamError::protocol(format!(
                "{step}: oauth_callback_confirmed is not true"
            )));
        }
        let pending = Pending {
            token: field(&answer, "oauth_token", step)?,
            secret: field(&answer, "oauth_token_secret", step)?,
        };
        let mut redirect_url = self.url("/oauth/authenticate");
        redirect_url
            .query_pairs_mut()
            .append_pair("oauth_token", &pending.token);
        let state_data = serde_json::to_string(&pending).map_err(|_| UpstreamError::protocol(step))?;
        Ok(LoginStart {
            redirect_url,
            state_data,
        })
    }

    async fn handle_callback(
        &self,
        _callback: &Url,
        query: &[(String, String)],
        state_data: &str,
    ) -> Result<Identity, UpstreamError> {
        let (pending, verifier) = callback_verifier(query, state_data)?;
        let access = self.access_token(&pending, verifier).await?;
        let (profile, creds) = self.verify_credentials(&access).await?;
        // Friends are an extra: a failure there must not cost the person their login.
        let friends = if self.config.fetch_friends {
            self.fetch_friends(&access.user_id, &access.token, &access.secret)
                .await
                .ok()
        } else {
            None
        };
        let email = creds.email.filter(|e| !e.is_empty());
        Ok(Identity {
            provider: self.config.id.clone(),
            subject: access.user_id,
            username: creds.screen_name.or(access.screen_name),
            // Twitter returns only verified addresses (and only with the
            // "request email" permission).
            email_verified: email.is_some(),
            email,
            name: creds.name,
            picture: creds.profile_image_url_https,
            profile,
            tokens: UpstreamTokens {
                access_token: access.token,
                token_secret: Some(access.secret),
                refresh_token: None,
                expires_at: None,
            },
            friends,
        })
    }

    async fn post_status(&self, tokens: &UpstreamTokens, text: &str) -> Result<(), UpstreamError> {
        let Some(secret) = tokens.token_secret.as_deref() else {
            return Err(UpstreamError::Refused(
                "twitter post: no OAuth 1.0a token secret".into(),
            ));
        };
        let signer = self.signer().with_token(&tokens.access_token, secret);
        let request = match self.config.post_api {
            PostApi::V1 => {
                let form = vec![("status".to_owned(), text.to_owned())];
                self.signed(Method::POST, self.url("/1.1/statuses/update.json"), &form, signer)
            }
            PostApi::V2 => self
                .signed(Method::POST, self.url("/2/tweets"), &[], signer)
                .json(&serde_json::json!({ "text": text })),
        };
        http::send("twitter post", request).await.map(|_| ())
    }
}
