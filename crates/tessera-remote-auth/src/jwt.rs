//! HS256 JSON Web Token signing (RFC 7519 / RFC 7515 compact form) for Zendesk JWT SSO,
//! through `jsonwebtoken` (the workspace's JWT library, on aws-lc-rs). Only signing: nothing
//! is ever verified here, and the header is always `{"typ":"JWT","alg":"HS256"}`.

use jsonwebtoken::{Algorithm, EncodingKey, Header};

use crate::RemoteAuthError;

/// Signs `claims` as a compact JWS: `base64url(header).base64url(claims).
/// base64url(HMAC-SHA256(secret, header.claims))`, base64url without padding,
/// header `{"typ":"JWT","alg":"HS256"}`. The claims are serialized compactly
/// by `serde_json`, in the object's own key order.
///
/// An empty secret is [`RemoteAuthError::EmptySecret`]: anyone could forge such a token.
pub fn sign_hs256_jwt(claims: &serde_json::Value, secret: &[u8]) -> Result<String, RemoteAuthError> {
    let key = EncodingKey::from_secret(secret).map_err(|_| RemoteAuthError::EmptySecret)?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key)
        .map_err(|e| RemoteAuthError::Signing(e.to_string()))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;
    use tessera_core::secret_token::{base64url, hmac_sha256};

    use super::*;

    #[test]
    fn header_is_fixed_and_signature_verifies() {
        let token = sign_hs256_jwt(&json!({"sub": "x"}), b"key").unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            URL_SAFE_NO_PAD.decode(parts[0]).unwrap(),
            br#"{"typ":"JWT","alg":"HS256"}"#
        );
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[1]).unwrap(), br#"{"sub":"x"}"#);
        let signed = format!("{}.{}", parts[0], parts[1]);
        assert_eq!(parts[2], base64url(&hmac_sha256(b"key", signed.as_bytes())));
        assert!(!token.contains('='));
    }

    #[test]
    fn long_keys_work_and_an_empty_key_is_refused() {
        let long_key = [7u8; 200];
        assert_eq!(sign_hs256_jwt(&json!({}), &long_key).unwrap().split('.').count(), 3);
        assert_eq!(sign_hs256_jwt(&json!({}), b""), Err(RemoteAuthError::EmptySecret));
    }
}
