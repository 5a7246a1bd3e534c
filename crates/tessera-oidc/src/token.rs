//! Token endpoint request validation: RFC 6749 §3.2, §4.1.3, §4.4.2, §6,
//! RFC 7636 §4.5/§4.6. Client authentication is in
//! [`mod@crate::client_auth`] (re-exported here).

use std::fmt;

use crate::client::{Client, GrantType};
use crate::error::{OAuthError, echo};
use crate::params::Params;
use crate::pkce::{pkce_s256_matches, valid_code_verifier};
use crate::scope::parse_scope;

pub use crate::client_auth::{ClientAuth, authenticate, client_auth};

/// Parameters defined for the token endpoint; sending one twice is an
/// error (RFC 6749 §3.2), others are ignored.
const KNOWN: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "scope",
    "client_id",
    "client_secret",
];

/// A syntactically valid token request. `Debug` hides codes, refresh
/// tokens and verifiers; there is no `PartialEq`, so they are not compared
/// with `==` by accident.
#[derive(Clone)]
pub enum TokenRequest {
    /// RFC 6749 §4.1.3.
    AuthorizationCode {
        /// The authorization code.
        code: String,
        /// Must equal the authorization request's (check with
        /// [`check_redirect_uri`]).
        redirect_uri: Option<String>,
        /// PKCE verifier, syntax already checked (RFC 7636 §4.1); compare
        /// with [`check_pkce`].
        code_verifier: Option<String>,
    },
    /// RFC 6749 §6.
    RefreshToken {
        /// The refresh token.
        refresh_token: String,
        /// Requested narrower scope (see [`crate::scope::narrow_scopes`]).
        scope: Option<Vec<String>>,
    },
    /// RFC 6749 §4.4.2.
    ClientCredentials {
        /// Requested scope.
        scope: Option<Vec<String>>,
    },
}

impl TokenRequest {
    /// The grant type of this request.
    pub fn grant_type(&self) -> GrantType {
        match self {
            TokenRequest::AuthorizationCode { .. } => GrantType::AuthorizationCode,
            TokenRequest::RefreshToken { .. } => GrantType::RefreshToken,
            TokenRequest::ClientCredentials { .. } => GrantType::ClientCredentials,
        }
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenRequest::AuthorizationCode {
                redirect_uri,
                code_verifier,
                ..
            } => f
                .debug_struct("AuthorizationCode")
                .field("redirect_uri", redirect_uri)
                .field("code_verifier", &code_verifier.as_ref().map(|_| "***"))
                .finish_non_exhaustive(),
            TokenRequest::RefreshToken { scope, .. } => f
                .debug_struct("RefreshToken")
                .field("scope", scope)
                .finish_non_exhaustive(),
            TokenRequest::ClientCredentials { scope } => {
                f.debug_struct("ClientCredentials").field("scope", scope).finish()
            }
        }
    }
}

/// Parses the grant part of a token request (client credentials are
/// handled by [`client_auth`]).
///
/// Duplicate parameters → invalid_request (RFC 6749 §3.2); missing
/// grant_type → invalid_request ("grant_type is required"); unknown
/// grant_type → unsupported_grant_type; missing code / refresh_token →
/// invalid_request; a syntactically bad code_verifier → invalid_request
/// (RFC 7636 §4.1; a well-formed but wrong one is invalid_grant later,
/// §4.6); a malformed scope → invalid_scope.
pub fn parse_token_request(form: &[(String, String)]) -> Result<TokenRequest, OAuthError> {
    let p = Params::new(form);
    if let Some(name) = p.first_duplicate(KNOWN) {
        return Err(OAuthError::invalid_request(format!("{name} was given more than once")));
    }
    let grant = p
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    let grant: GrantType = grant
        .parse()
        .map_err(|_| OAuthError::unsupported_grant_type(format!("grant_type {:?} is not supported", echo(grant))))?;
    let scope = || -> Result<Option<Vec<String>>, OAuthError> {
        match p.get("scope") {
            None => Ok(None),
            Some(s) => parse_scope(s).map(Some).map_err(OAuthError::invalid_scope),
        }
    };
    match grant {
        GrantType::AuthorizationCode => {
            let code = p
                .get("code")
                .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
            let code_verifier = p.get("code_verifier");
            if code_verifier.is_some_and(|v| !valid_code_verifier(v)) {
                return Err(OAuthError::invalid_request(
                    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                ));
            }
            Ok(TokenRequest::AuthorizationCode {
                code: code.to_owned(),
                redirect_uri: p.get("redirect_uri").map(str::to_owned),
                code_verifier: code_verifier.map(str::to_owned),
            })
        }
        GrantType::RefreshToken => {
            let refresh_token = p
                .get("refresh_token")
                .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
            Ok(TokenRequest::RefreshToken {
                refresh_token: refresh_token.to_owned(),
                scope: scope()?,
            })
        }
        GrantType::ClientCredentials => Ok(TokenRequest::ClientCredentials { scope: scope()? }),
    }
}

/// Whether the (authenticated) client may use this grant:
/// unauthorized_client when it is not in `client.grant_types`, and for
/// client_credentials from a public client (RFC 6749 §4.4: "MUST only be
/// used by confidential clients").
pub fn check_grant_allowed(client: &Client, req: &TokenRequest) -> Result<(), OAuthError> {
    let grant = req.grant_type();
    if !client.allows_grant(grant) {
        return Err(OAuthError::unauthorized_client(format!(
            "this client may not use grant_type {grant}"
        )));
    }
    if grant == GrantType::ClientCredentials && client.is_public() {
        return Err(OAuthError::unauthorized_client(
            "client_credentials requires a confidential client",
        ));
    }
    Ok(())
}

/// RFC 6749 §4.1.3: the token request's redirect_uri is REQUIRED when the
/// authorization request had one (always, in OIDC) and MUST be identical.
/// Missing → invalid_request; different → invalid_grant.
pub fn check_redirect_uri(authorized: &str, given: Option<&str>) -> Result<(), OAuthError> {
    match given {
        None => Err(OAuthError::invalid_request(
            "redirect_uri is required (it was in the authorization request)",
        )),
        Some(g) if g == authorized => Ok(()),
        Some(_) => Err(OAuthError::invalid_grant(
            "redirect_uri differs from the one in the authorization request",
        )),
    }
}

/// PKCE at the token endpoint (RFC 7636 §4.6), given the challenge stored
/// with the code. Wrong verifier → invalid_grant. A code bound to a
/// challenge redeemed without a verifier, or a verifier for a code that
/// had no challenge (a downgrade attempt, RFC 9700 §2.1.1), → invalid_grant
/// too.
pub fn check_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (Some(c), Some(v)) if pkce_s256_matches(c, v) => Ok(()),
        (Some(_), Some(_)) => Err(OAuthError::invalid_grant("PKCE verification failed")),
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is required for this code")),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier sent but the authorization request had no code_challenge",
        )),
    }
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
