//! The OAuth 2 authorization code flow pieces every OAuth 2 connector shares
//! (RFC 6749 §4.1): the authorization URL, reading the callback, the token
//! request and its response, and the per-login data kept server-side.

use reqwest::Client;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{UpstreamError, http, param};

/// What an OAuth 2 login keeps server-side between redirect and callback.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// PKCE code verifier (RFC 7636 §4.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
    /// OIDC nonce (OpenID Connect Core §3.1.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl Pending {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn decode(state_data: &str) -> Result<Self, UpstreamError> {
        serde_json::from_str(state_data).map_err(|_| UpstreamError::protocol("the pending login data is unreadable"))
    }
}

/// `base` with the authorization request parameters appended (RFC 6749
/// §4.1.1), keeping any query the configured URL already has.
pub(crate) fn authorize_url(base: &Url, params: &[(&str, &str)]) -> Url {
    let mut url = base.clone();
    url.query_pairs_mut().extend_pairs(params);
    url
}

/// Reads the callback (RFC 6749 §4.1.2): the code, or the error the
/// upstream sent. `access_denied` means the person said no.
pub(crate) fn callback_code<'a>(step: &str, query: &'a [(String, String)]) -> Result<&'a str, UpstreamError> {
    if let Some(error) = param(query, "error") {
        if error == "access_denied" {
            return Err(UpstreamError::Cancelled);
        }
        let error: String = error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        return Err(UpstreamError::Refused(format!("{step}: {error}")));
    }
    match param(query, "code") {
        Some(code) if !code.is_empty() => Ok(code),
        _ => Err(UpstreamError::protocol(format!("{step}: the callback has no code"))),
    }
}

/// A successful token response (RFC 6749 §5.1). The `oidc` connector has its own, from
/// openidconnect.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
pub(crate) enum ClientAuth<'a> {
    /// HTTP Basic with the form-encoded id and secret.
    Basic { id: &'a str, secret: &'a str },
    /// `client_id` (and `client_secret` when set) in the form body.
    Post { id: &'a str, secret: Option<&'a str> },
}

/// The token request of the authorization code grant (RFC 6749 §4.1.3).
pub(crate) async fn exchange_code(
    step: &str,
    client: &Client,
    token_url: &Url,
    auth: ClientAuth<'_>,
    code: &str,
    redirect_uri: &Url,
    verifier: Option<&str>,
) -> Result<TokenResponse, UpstreamError> {
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri.as_str()),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    let mut request = client.post(token_url.clone()).header("Accept", "application/json");
    match auth {
        ClientAuth::Basic { id, secret } => {
            // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic.
            let id = url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>();
            let secret = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>();
            request = request.basic_auth(id, Some(secret));
        }
        ClientAuth::Post { id, secret } => {
            form.push(("client_id", id));
            if let Some(s) = secret {
                form.push(("client_secret", s));
            }
        }
    }
    let token: TokenResponse = http::send_json(step, request.form(&form)).await?;
    if token.access_token.is_empty() {
        return Err(UpstreamError::protocol(format!("{step}: empty access token")));
    }
    Ok(token)
}

/// Joins a path under a configured base URL, keeping the base's path
/// (`https://graph.facebook.com/v19.0` + `/me`).
pub(crate) fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn callback_outcomes() {
        assert_eq!(callback_code("s", &q(&[("code", "c"), ("state", "x")])), Ok("c"));
        assert_eq!(
            callback_code("s", &q(&[("error", "access_denied")])),
            Err(UpstreamError::Cancelled)
        );
        assert!(
            matches!(callback_code("s", &q(&[("error", "server_error")])), Err(UpstreamError::Refused(m)) if m.contains("server_error"))
        );
        assert!(matches!(
            callback_code("s", &q(&[("state", "x")])),
            Err(UpstreamError::Protocol(_))
        ));
        assert!(matches!(
            callback_code("s", &q(&[("code", "")])),
            Err(UpstreamError::Protocol(_))
        ));
    }

    #[test]
    fn joins_keep_the_base_path() {
        let base: Url = "https://graph.facebook.com/v19.0".parse().unwrap();
        assert_eq!(join(&base, "/me").as_str(), "https://graph.facebook.com/v19.0/me");
        let base: Url = "http://127.0.0.1:1/facebook/graph/".parse().unwrap();
        assert_eq!(
            join(&base, "me/friends").as_str(),
            "http://127.0.0.1:1/facebook/graph/me/friends"
        );
        let base: Url = "https://api.x.com".parse().unwrap();
        assert_eq!(join(&base, "/2/users/me").as_str(), "https://api.x.com/2/users/me");
    }

    #[test]
    fn authorize_url_keeps_existing_query() {
        let base: Url = "https://example.com/auth?tenant=a".parse().unwrap();
        let url = authorize_url(&base, &[("state", "a b&c")]);
        assert_eq!(url.as_str(), "https://example.com/auth?tenant=a&state=a+b%26c");
    }
}
