//! Error types.
//!
//! [`OAuthError`] is a protocol error destined for a client (RFC 6749 §5.2
//! token errors, RFC 6750 §3.1 bearer errors); the web crate turns it into
//! an HTTP response. [`OidcError`] is an internal failure (keys, signing)
//! and [`JwtError`] explains why a token was refused. None of them ever
//! carries a secret: descriptions are built from fixed text plus, at most,
//! public input such as a scope name or client id.

use serde_json::json;

/// Longest piece of caller-supplied text echoed inside a description, so an
/// attacker cannot make us reflect an arbitrarily long string.
const MAX_ECHO_CHARS: usize = 64;

/// An OAuth 2.0 error for the token, introspection, revocation or userinfo
/// endpoints (RFC 6749 §5.2, RFC 6750 §3.1). It carries the protocol facts
/// only: the RFC code, the description, and which authentication scheme the
/// answer must challenge; the web crate derives the HTTP status and the
/// `WWW-Authenticate` header from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// The `error` code, e.g. `invalid_request`.
    pub error: &'static str,
    /// The `error_description`: human readable, already restricted to the
    /// characters RFC 6749 §5.2 allows.
    pub description: String,
    /// The scheme to challenge, when the RFCs require a challenge.
    pub challenge: Option<Challenge>,
}

/// Which authentication a refusal challenges (`WWW-Authenticate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// RFC 6749 §5.2: the client tried HTTP Basic and failed.
    Basic,
    /// RFC 6750 §3: a bearer token was presented and refused (the challenge
    /// names the error).
    Bearer,
    /// RFC 6750 §3.1: the request carried no token at all, so the challenge
    /// carries no error code.
    BearerWithoutError,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            error,
            description: sanitize_description(&description.into()),
            challenge: None,
        }
    }

    fn challenging(mut self, challenge: Challenge) -> Self {
        self.challenge = Some(challenge);
        self
    }

    /// RFC 6749 §5.2: missing, repeated or malformed parameter.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    /// RFC 6749 §5.2: client authentication failed and the client tried
    /// HTTP Basic, so the answer MUST be 401 with a `WWW-Authenticate`
    /// challenge for the scheme it used.
    pub fn invalid_client_basic(description: impl Into<String>) -> Self {
        Self::new("invalid_client", description).challenging(Challenge::Basic)
    }

    /// RFC 6749 §5.2: client authentication failed (not via the
    /// Authorization header, so no challenge is sent).
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new("invalid_client", description)
    }

    /// RFC 6749 §5.2: bad, expired, revoked or reused grant (code, refresh
    /// token), redirect_uri mismatch, or PKCE verification failure
    /// (RFC 7636 §4.6).
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    /// RFC 6749 §5.2: the client may not use this grant type.
    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new("unauthorized_client", description)
    }

    /// RFC 6749 §5.2: grant type not supported by this server.
    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new("unsupported_grant_type", description)
    }

    /// RFC 6749 §5.2: requested scope is invalid, unknown or exceeds what
    /// was granted.
    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new("invalid_scope", description)
    }

    /// RFC 7009 §2.2.1: the server cannot revoke this kind of token.
    pub fn unsupported_token_type(description: impl Into<String>) -> Self {
        Self::new("unsupported_token_type", description)
    }

    /// RFC 6750 §3.1: the bearer token is missing, expired, revoked or
    /// malformed. 401 with a `Bearer` challenge (RFC 6750 §3).
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new("invalid_token", description).challenging(Challenge::Bearer)
    }

    /// RFC 6750 §3.1: the request has no bearer token at all; the challenge
    /// then names no error.
    pub fn missing_token(description: impl Into<String>) -> Self {
        Self::new("invalid_token", description).challenging(Challenge::BearerWithoutError)
    }

    /// RFC 6750 §3.1: the token lacks the scope this resource needs.
    pub fn insufficient_scope(description: impl Into<String>) -> Self {
        Self::new("insufficient_scope", description).challenging(Challenge::Bearer)
    }

    /// RFC 6749 §5.2 allows only the listed codes, but servers answer
    /// unexpected failures with `server_error` (as §4.1.2.1 does) and 500.
    pub fn server_error(description: impl Into<String>) -> Self {
        Self::new("server_error", description)
    }

    /// The JSON body of the error response (RFC 6749 §5.2).
    pub fn to_json(&self) -> serde_json::Value {
        json!({ "error": self.error, "error_description": self.description })
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}

impl std::error::Error for OAuthError {}

/// Authorization endpoint error codes (RFC 6749 §4.1.2.1, OIDC Core
/// §3.1.2.6, OIDC Core §6.1/§6.2), for `RedirectError` and for the web
/// crate's own redirects (`login_required` for `prompt=none`, ...).
pub mod codes {
    /// RFC 6749 §4.1.2.1
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// RFC 6749 §4.1.2.1
    pub const UNAUTHORIZED_CLIENT: &str = "unauthorized_client";
    /// RFC 6749 §4.1.2.1
    pub const ACCESS_DENIED: &str = "access_denied";
    /// RFC 6749 §4.1.2.1
    pub const UNSUPPORTED_RESPONSE_TYPE: &str = "unsupported_response_type";
    /// RFC 6749 §4.1.2.1
    pub const INVALID_SCOPE: &str = "invalid_scope";
    /// RFC 6749 §4.1.2.1
    pub const SERVER_ERROR: &str = "server_error";
    /// RFC 6749 §4.1.2.1
    pub const TEMPORARILY_UNAVAILABLE: &str = "temporarily_unavailable";
    /// OIDC Core §3.1.2.6
    pub const INTERACTION_REQUIRED: &str = "interaction_required";
    /// OIDC Core §3.1.2.6
    pub const LOGIN_REQUIRED: &str = "login_required";
    /// OIDC Core §3.1.2.6
    pub const ACCOUNT_SELECTION_REQUIRED: &str = "account_selection_required";
    /// OIDC Core §3.1.2.6
    pub const CONSENT_REQUIRED: &str = "consent_required";
    /// OIDC Core §3.1.2.6 / §6
    pub const REQUEST_NOT_SUPPORTED: &str = "request_not_supported";
    /// OIDC Core §3.1.2.6 / §6
    pub const REQUEST_URI_NOT_SUPPORTED: &str = "request_uri_not_supported";
}

/// Internal failures: key generation or parsing, signing.
/// Messages are fixed text (plus public facts such as the algorithm), never
/// key material or plaintext.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum OidcError {
    /// A signing algorithm name we do not implement.
    #[error("unsupported signing algorithm {0:?}; expected one of RS256, ES256, EdDSA")]
    UnsupportedAlg(String),
    /// The crypto library failed to generate a key.
    #[error("could not generate a {0} signing key")]
    KeyGeneration(&'static str),
    /// Stored key bytes are not a valid PKCS#8 key for the stated algorithm.
    #[error("stored {alg} key was rejected: {reason}")]
    KeyRejected {
        /// The algorithm the key was supposed to be for.
        alg: &'static str,
        /// The crypto library's fixed reason text.
        reason: &'static str,
    },
    /// Signing failed inside the crypto library.
    #[error("signing with a {0} key failed")]
    Signing(&'static str),
    /// JWT claims could not be serialized.
    #[error("could not serialize JWT claims")]
    Serialize,
}

/// Why a JWT was refused by [`crate::verify_jwt`].
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    /// Not a compact JWS with base64url JSON header and payload objects,
    /// or a header we cannot honour (`crit`, RFC 7515 §4.1.11).
    #[error("malformed JWT")]
    Malformed,
    /// No `kid` in the header, or no key with that `kid`.
    #[error("JWT signed with an unknown key")]
    UnknownKid,
    /// The header's `alg` is not the algorithm of the key named by `kid`
    /// (this also refuses `none` and HMAC algorithms).
    #[error("JWT algorithm does not match its key")]
    AlgMismatch,
    /// The signature does not verify.
    #[error("JWT signature is invalid")]
    BadSignature,
    /// Validly signed, but another kind of token (its `typ`, RFC 8725 §3.11).
    #[error("JWT is another kind of token")]
    WrongKind,
    /// Validly signed, but not by our issuer identifier.
    #[error("JWT names another issuer")]
    WrongIssuer,
    /// Validly signed, but expired.
    #[error("JWT has expired")]
    Expired,
}

/// Makes text safe for `error_description`: RFC 6749 §4.1.2.1 and §5.2
/// allow only %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and
/// `\`). Anything else becomes `?`, so the description can also sit inside a
/// quoted `WWW-Authenticate` parameter.
pub(crate) fn sanitize_description(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// Shortens caller-supplied text before it is echoed in a description.
pub(crate) fn echo(text: &str) -> String {
    if text.chars().count() <= MAX_ECHO_CHARS {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(MAX_ECHO_CHARS).collect();
        s.push_str("...");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_basic_challenges_basic() {
        let e = OAuthError::invalid_client_basic("bad secret");
        assert_eq!(e.challenge, Some(Challenge::Basic));
        let e = OAuthError::invalid_client("bad secret");
        assert_eq!(e.challenge, None);
    }

    #[test]
    fn to_json_has_error_and_description() {
        let e = OAuthError::invalid_grant("code already used");
        assert_eq!(
            e.to_json(),
            json!({"error": "invalid_grant", "error_description": "code already used"})
        );
        assert_eq!(e.challenge, None);
    }

    #[test]
    fn descriptions_are_restricted_to_rfc6749_charset() {
        let e = OAuthError::invalid_scope("scope \"é\\x\"\n");
        assert_eq!(e.description, "scope '?'x'?");
        let t = OAuthError::invalid_token("a\"b");
        assert_eq!((t.description.as_str(), t.challenge), ("a'b", Some(Challenge::Bearer)));
    }

    #[test]
    fn echo_truncates_long_input() {
        assert_eq!(echo("short"), "short");
        let long = "x".repeat(200);
        assert_eq!(echo(&long).len(), MAX_ECHO_CHARS + 3);
    }
}
