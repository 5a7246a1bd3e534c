//! Client authentication at the token, introspection and revocation
//! endpoints (RFC 6749 §2.3): `client_secret_basic`, `client_secret_post`,
//! or `none` for public clients.

use std::fmt;

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use crate::client::Client;
use crate::error::OAuthError;
use crate::params::Params;

/// Standard base64 that accepts credentials with or without padding:
/// RFC 7617 says padded, but some clients drop it and nothing is gained by
/// refusing them.
const BASIC_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// How the client presented itself. `Debug` hides the secret, and there is
/// deliberately no `PartialEq`: secrets are only compared through
/// [`crate::ClientSecret::verify`] (in constant time, or by argon2).
#[derive(Clone)]
pub enum ClientAuth {
    /// HTTP Basic (RFC 6749 §2.3.1, `client_secret_basic`).
    Basic {
        /// Client id, already form-urldecoded.
        id: String,
        /// Client secret, already form-urldecoded.
        secret: String,
    },
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Post {
        /// Client id.
        id: String,
        /// Client secret.
        secret: String,
    },
    /// Only `client_id` (public client, `none`, RFC 6749 §2.1 / §3.2.1).
    None {
        /// Client id.
        id: String,
    },
}

impl ClientAuth {
    /// The claimed client id.
    pub fn client_id(&self) -> &str {
        match self {
            ClientAuth::Basic { id, .. } | ClientAuth::Post { id, .. } | ClientAuth::None { id } => id,
        }
    }

    /// The OAuth registry name of the method (RFC 7591 §2
    /// `token_endpoint_auth_method`).
    pub fn method(&self) -> &'static str {
        match self {
            ClientAuth::Basic { .. } => "client_secret_basic",
            ClientAuth::Post { .. } => "client_secret_post",
            ClientAuth::None { .. } => "none",
        }
    }

    /// The right `invalid_client` for this method: with a Basic challenge
    /// when the Authorization header was used (RFC 6749 §5.2).
    pub fn invalid_client(&self, description: &str) -> OAuthError {
        match self {
            ClientAuth::Basic { .. } => OAuthError::invalid_client_basic(description),
            _ => OAuthError::invalid_client(description),
        }
    }
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAuth")
            .field("method", &self.method())
            .field("id", &self.client_id())
            .finish_non_exhaustive()
    }
}

/// Works out how the client authenticates from the `Authorization` header
/// and the form body.
///
/// Both Basic and client_secret in body → invalid_request (RFC 6749 §2.3:
/// one method per request); Basic credentials are form-urlencoded before
/// base64 (RFC 6749 §2.3.1) so they are decoded; malformed Basic →
/// invalid_client with a Basic challenge. No client id at all →
/// invalid_client. A body `client_id` next to Basic must name the same
/// client.
pub fn client_auth(authorization: Option<&str>, form: &[(String, String)]) -> Result<ClientAuth, OAuthError> {
    let p = Params::new(form);
    let form_id = p
        .one("client_id")
        .map_err(|_| OAuthError::invalid_request("client_id was given more than once"))?;
    let form_secret = p
        .one("client_secret")
        .map_err(|_| OAuthError::invalid_request("client_secret was given more than once"))?;

    if let Some(header) = authorization {
        if form_secret.is_some() {
            return Err(OAuthError::invalid_request(
                "use either HTTP Basic or client_secret in the body, not both",
            ));
        }
        let (id, secret) = parse_basic(header)
            .ok_or_else(|| OAuthError::invalid_client_basic("malformed HTTP Basic client credentials"))?;
        if id.is_empty() {
            return Err(OAuthError::invalid_client_basic(
                "HTTP Basic credentials carry no client id",
            ));
        }
        if form_id.is_some_and(|f| f != id) {
            return Err(OAuthError::invalid_request(
                "client_id in the body differs from the HTTP Basic client id",
            ));
        }
        return Ok(ClientAuth::Basic { id, secret });
    }

    match (form_id, form_secret) {
        (Some(id), Some(secret)) => Ok(ClientAuth::Post {
            id: id.to_owned(),
            secret: secret.to_owned(),
        }),
        (Some(id), None) => Ok(ClientAuth::None { id: id.to_owned() }),
        (None, _) => Err(OAuthError::invalid_client(
            "client authentication is missing (no client_id)",
        )),
    }
}

/// Finds and authenticates the client.
///
/// Confidential client: the secret must match (see [`crate::ClientSecret::verify`]: constant
/// time for a plain secret; `argon2(phc, given)`, which the caller runs off the async
/// executor, for a hashed one that did not verify lately), else invalid_client (401,
/// WWW-Authenticate when Basic was used); public client presenting a secret →
/// invalid_client; confidential client using `none` → invalid_client; unknown client →
/// invalid_client. An empty Basic password from a public client counts as no secret (some
/// client libraries always send Basic). An `argon2` error is returned as it is.
pub async fn authenticate<'c, E, F>(
    auth: &ClientAuth,
    find_client: impl Fn(&str) -> Option<&'c Client>,
    argon2: impl FnOnce(String, String) -> F,
) -> Result<&'c Client, E>
where
    E: From<OAuthError>,
    F: Future<Output = Result<bool, E>>,
{
    // Same text for unknown client and wrong secret: nothing to learn by
    // probing.
    const FAILED: &str = "client authentication failed";
    let client = find_client(auth.client_id()).ok_or_else(|| auth.invalid_client(FAILED))?;
    let given = match auth {
        ClientAuth::Basic { secret, .. } | ClientAuth::Post { secret, .. } => Some(secret.as_str()),
        ClientAuth::None { .. } => None,
    };
    let refusal = match (&client.secret, given) {
        (Some(ours), Some(theirs)) => {
            if ours.verify(theirs, argon2).await? {
                return Ok(client);
            }
            FAILED
        }
        (Some(_), None) => "this client must authenticate (client_secret_basic or client_secret_post)",
        (None, None) => return Ok(client),
        (None, Some("")) if matches!(auth, ClientAuth::Basic { .. }) => return Ok(client),
        (None, Some(_)) => "a public client must not send a client secret",
    };
    Err(auth.invalid_client(refusal).into())
}

/// Parses `Basic base64(urlencode(id) ":" urlencode(secret))`
/// (RFC 7617 §2, RFC 6749 §2.3.1). The scheme name is case-insensitive
/// (RFC 7235 §2.1).
fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, credentials) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = BASIC_B64.decode(credentials.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    // After urlencoding, a ':' inside the id is %3A, so the first ':' is
    // the separator.
    let (id, secret) = text.split_once(':')?;
    Some((form_urldecode(id)?, form_urldecode(secret)?))
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a
/// space and `%XX` a byte. A `%` not followed by two hex digits is kept
/// literally (lenient, like most decoders), and the result must be UTF-8.
fn form_urldecode(text: &str) -> Option<String> {
    let hex = |b: Option<&u8>| b.and_then(|&b| char::from(b).to_digit(16));
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match (b, hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make one byte (at most 0xff), so the cast is exact.
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
            (b'+', _, _) => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[path = "client_auth_tests.rs"]
mod tests;
