//! Minimal HS256 JSON Web Token signing (RFC 7519 / RFC 7515 compact form).
//!
//! Zendesk JWT SSO only needs HS256 signing of a flat claims object, so a
//! dozen lines here replace a general JWT library (and its algorithm
//! confusion pitfalls): the header is fixed, nothing is ever verified here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The fixed JOSE header, serialized once.
const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Signs `claims` as a compact JWS: `base64url(header).base64url(claims).
/// base64url(HMAC-SHA256(secret, header.claims))`, base64url without padding,
/// header `{"alg":"HS256","typ":"JWT"}`. The claims are serialized compactly
/// by `serde_json`, in the object's own key order.
pub fn sign_hs256_jwt(claims: &serde_json::Value, secret: &[u8]) -> String {
    let mut token = URL_SAFE_NO_PAD.encode(HEADER_JSON);
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC accepts keys of every length");
    mac.update(token.as_bytes());
    let signature = mac.finalize().into_bytes();
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    token
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_is_fixed_and_signature_verifies() {
        let token = sign_hs256_jwt(&json!({"sub": "x"}), b"key");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[0]).unwrap(), HEADER_JSON.as_bytes());
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[1]).unwrap(), br#"{"sub":"x"}"#);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"key").unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        assert!(!token.contains('='));
    }

    #[test]
    fn empty_and_long_keys_work() {
        let long_key = [7u8; 200];
        for key in [&b""[..], &long_key[..]] {
            assert_eq!(sign_hs256_jwt(&json!({}), key).split('.').count(), 3);
        }
    }
}
