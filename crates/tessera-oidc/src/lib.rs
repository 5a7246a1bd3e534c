//! Tessera's OpenID Connect provider.
//!
//! [`provider`] is the service: it runs authorization continuations, grants,
//! token checks, introspection, revocation, logout tokens and the key ring over
//! the storage traits of [`storage`], a [`provider::Directory`] of clients and
//! accounts and an injected [`provider::Clock`]. The other modules are pure
//! functions and types (no HTTP, no database, no clock): requests come in as
//! parameter lists, and results go out as values and outcome enums that the
//! web crate turns into responses:
//!
//! | module          | purpose                                                        |
//! |-----------------|----------------------------------------------------------------|
//! | [`keys`]        | signing keys (aws-lc-rs), JWT signing/verification, JWKs        |
//! | [`presented`]   | access tokens and ID token hints that come back to us           |
//! | [`provider`]    | the provider service (grants, continuation, key ring, ...)      |
//! | [`storage`]     | the storage traits the provider needs                           |
//! | [`authorize`]   | authorization request validation and redirects (RFC 6749, OIDC) |
//! | [`token`]       | token request parsing, client authentication, PKCE, grants      |
//! | [`claims`]      | userinfo, ID token, access token and logout token claims        |
//! | [`discovery`]   | `/.well-known/openid-configuration`                             |
//! | [`client`]      | registered clients and their secrets                            |
//! | [`error`]       | OAuth error responses and internal errors                       |
//!
//! Security notes: secrets (client secrets, private keys, codes, tokens)
//! never appear in `Debug` output or error messages; secrets are compared
//! in constant time; JWT verification pins the algorithm to the key.

pub mod authorize;
pub mod claims;
pub mod client;
pub mod client_auth;
pub mod discovery;
pub mod error;
pub mod hashes;
pub mod jwt;
pub mod keys;
pub mod pkce;
pub mod presented;
pub mod provider;
pub mod redirect;
pub mod scope;
pub mod storage;
pub mod token;

mod alg;
mod b64;
mod jwk;
mod params;

pub use authorize::{AuthorizeOutcome, AuthorizeRequest, Prompt, parse_authorize};
pub use claims::{
    AccessTokenClaims, IdTokenHint, IdTokenInput, LogoutTokenClaims, RESERVED_CLAIMS, Subject, access_token_claims,
    id_token_claims, logout_token_claims, userinfo_claims,
};
pub use client::{Client, ClientSecret, GrantType};
pub use discovery::provider_metadata;
pub use error::{Challenge, JwtError, OAuthError, OidcError};
pub use hashes::at_hash;
pub use jwt::{TYP_ACCESS_TOKEN, TYP_ID_TOKEN, TYP_LOGOUT_TOKEN, Verified};
pub use keys::{SigningAlg, SigningKey, jwks, verify_jwt};
pub use pkce::{pkce_s256_matches, valid_code_challenge, valid_code_verifier};
pub use redirect::{authorization_response, error_response};
pub use token::{
    ClientAuth, TokenRequest, authenticate, check_grant_allowed, check_pkce, check_redirect_uri, client_auth,
    parse_token_request,
};
