//! The one error type of this crate. Each variant's message is safe to show
//! a person: it names the upstream step that failed, never a token or secret.
//! Causes worth logging in more detail are summarised, not attached.

/// Why an upstream login (or post) did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// The person said no at the upstream (`denied=` for OAuth 1.0a,
    /// `error=access_denied` for OAuth 2, RFC 6749 §4.1.2.1).
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The upstream refused us: a 4xx answer, an unknown or revoked token, an
    /// OAuth error other than `access_denied`.
    #[error("the provider refused the request: {0}")]
    Refused(String),
    /// The answer broke the protocol: state or token mismatch, a missing
    /// verifier or code, a bad ID token signature, nonce or audience,
    /// `oauth_callback_confirmed` not true, invalid JSON.
    #[error("the provider's answer was invalid: {0}")]
    Protocol(String),
    /// The upstream failed: a 5xx answer, a timeout, unreachable.
    #[error("the provider is not available: {0}")]
    Api(String),
    /// The connector cannot do that (e.g. posting to Facebook).
    #[error("this provider does not support that")]
    Unsupported,
}

impl UpstreamError {
    pub(crate) fn protocol(msg: impl Into<String>) -> Self {
        UpstreamError::Protocol(msg.into())
    }
}
