//! What a finished upstream login yields.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A person as the upstream knows them (Dex: `connector.Identity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The upstream id from the config (`upstreams[].id`).
    pub provider: String,
    /// The upstream's stable user id (never the username: those change).
    pub subject: String,
    pub username: Option<String>,
    pub email: Option<String>,
    /// Whether the upstream vouches for `email`. Only a verified email may
    /// be used to link accounts.
    pub email_verified: bool,
    pub name: Option<String>,
    pub picture: Option<String>,
    /// The full raw profile as the upstream sent it.
    pub profile: serde_json::Value,
    pub tokens: UpstreamTokens,
    /// Upstream ids of the person's friends/followings, when granted.
    pub friends: Option<Vec<String>>,
}

/// Tokens for calling the upstream on the person's behalf. Secret: `Debug`
/// shows only which ones are present. Store them encrypted.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UpstreamTokens {
    pub access_token: String,
    /// OAuth 1.0a token secret (RFC 5849 §2.3).
    pub token_secret: Option<String>,
    pub refresh_token: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub expires_at: Option<OffsetDateTime>,
}

impl fmt::Debug for UpstreamTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |present: bool| if present { "<redacted>" } else { "<none>" };
        f.debug_struct("UpstreamTokens")
            .field("access_token", &redacted(!self.access_token.is_empty()))
            .field("token_secret", &redacted(self.token_secret.is_some()))
            .field("refresh_token", &redacted(self.refresh_token.is_some()))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl UpstreamTokens {
    /// Tokens from an OAuth 2 token response (RFC 6749 §5.1), with
    /// `expires_in` seconds turned into an instant.
    pub(crate) fn oauth2(access_token: String, refresh_token: Option<String>, expires_in: Option<i64>) -> Self {
        UpstreamTokens {
            access_token,
            token_secret: None,
            refresh_token,
            expires_at: expires_in.map(|s| OffsetDateTime::now_utc() + time::Duration::seconds(s)),
        }
    }
}

/// The start of a login.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginStart {
    /// Where to send the browser.
    pub redirect_url: url::Url,
    /// Opaque per-login data to store server-side with the pending login
    /// (OAuth 1.0a request-token secret, PKCE verifier, nonce). Never send
    /// it to the browser.
    pub state_data: String,
}

impl fmt::Debug for LoginStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginStart")
            .field("redirect_url", &self.redirect_url.as_str())
            .field("state_data", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_tokens() {
        let t = UpstreamTokens {
            access_token: "AT-value".into(),
            token_secret: Some("TS-value".into()),
            refresh_token: None,
            expires_at: None,
        };
        let text = format!("{t:?}");
        assert!(!text.contains("-value"), "{text}");
        assert!(text.contains("<none>"));
        let start = LoginStart {
            redirect_url: "https://example.com/a".parse().unwrap(),
            state_data: "verifier-value".into(),
        };
        assert!(!format!("{start:?}").contains("verifier-value"));
    }

    #[test]
    fn tokens_round_trip_through_json() {
        let t = UpstreamTokens::oauth2("a".into(), Some("r".into()), Some(3600));
        let back: UpstreamTokens = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back.access_token, "a");
        assert_eq!(back.refresh_token.as_deref(), Some("r"));
        let delta = back.expires_at.unwrap() - OffsetDateTime::now_utc();
        assert!(delta.whole_seconds() > 3500, "{delta}");
    }
}
