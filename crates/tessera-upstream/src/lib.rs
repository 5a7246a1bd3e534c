//! Connectors to upstream identity providers, in the shape of Dex's
//! `connector.CallbackConnector`: a connector gives a login URL **plus opaque
//! per-login data**; the server stores that data on its pending login (never in
//! the browser) and hands it back, with the callback's query, to finish.
//!
//! | module         | upstream                                                          |
//! |----------------|-------------------------------------------------------------------|
//! | [`twitter`]    | Twitter / X "Sign in with Twitter", OAuth 1.0a (RFC 5849)         |
//! | [`x_oauth2`]   | X OAuth 2.0 with PKCE (RFC 6749 + RFC 7636)                       |
//! | [`facebook`]   | Facebook Login (OAuth 2, Graph API with `appsecret_proof`)        |
//! | [`instagram`]  | Instagram API with Instagram Login (long-lived token exchange)    |
//! | [`oidc`]       | any OpenID Connect provider (`openidconnect`: discovery, ID token) |
//! | [`oauth2`]     | any plain OAuth 2 provider with a userinfo endpoint               |
//! | [`oauth1`]     | the RFC 5849 HMAC-SHA1 signing core (also used by the sandbox)    |
//!
//! Errors: every failure is an [`UpstreamError`] whose message is safe to show
//! a person (no secrets, no tokens). HTTP goes through the `reqwest::Client`
//! given to `open`, so tests point connectors at `tessera-sandbox` on loopback.
//!
//! State: for OAuth 2 kinds the caller passes `state` to
//! [`CallbackConnector::login_url`] and compares the callback's `state`
//! itself. OAuth 1.0a has no `state` parameter: there the connector checks
//! that the callback's `oauth_token` is the request token it issued (see
//! [`CallbackConnector::callback_has_state`]).

pub mod config;
pub mod error;
pub mod facebook;
pub mod identity;
pub mod instagram;
pub mod oauth1;
pub mod oauth2;
pub mod oidc;
pub mod twitter;
pub mod x_oauth2;

mod http;
mod oauth2_flow;
mod pkce;

use async_trait::async_trait;

pub use config::{UpstreamConfig, open};
pub use error::UpstreamError;
pub use identity::{Identity, LoginStart, UpstreamTokens};

/// A connector whose login sends the browser to the upstream and back to a
/// callback URL (Dex: `CallbackConnector`).
#[async_trait]
pub trait CallbackConnector: Send + Sync {
    /// The upstream id from the config (`upstreams[].id`).
    fn id(&self) -> &str;

    /// Starts a login: where to send the browser, and what to keep on the
    /// pending login server-side. `state` is the caller's anti-CSRF value
    /// (RFC 6749 §10.12); OAuth 1.0a upstreams ignore it.
    async fn login_url(&self, callback: &url::Url, state: &str) -> Result<LoginStart, UpstreamError>;

    /// Finishes a login. `query` = the callback's query parameters;
    /// `state_data` = what [`CallbackConnector::login_url`] returned.
    async fn handle_callback(
        &self,
        callback: &url::Url,
        query: &[(String, String)],
        state_data: &str,
    ) -> Result<Identity, UpstreamError>;

    /// Optional: posts a status on the person's behalf (Twitter
    /// `post_on_join`). Default: [`UpstreamError::Unsupported`].
    async fn post_status(&self, tokens: &UpstreamTokens, text: &str) -> Result<(), UpstreamError> {
        let _ = (tokens, text);
        Err(UpstreamError::Unsupported)
    }

    /// Whether the callback carries the caller's `state` back. False for
    /// OAuth 1.0a, where the connector itself binds the callback to the
    /// login through the request token (RFC 5849 §2.2).
    fn callback_has_state(&self) -> bool {
        true
    }
}

/// Looks up a query parameter (first occurrence).
pub(crate) fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}
