//! Compact JWS encoding of JWTs (RFC 7515 §7.1, RFC 7519 §7).

use serde_json::{Value, json};

use crate::b64;
use crate::error::{JwtError, OidcError};
use crate::keys::SigningKey;

/// `typ` of ID tokens (RFC 7519 §5.1 suggests "JWT").
pub const TYP_ID_TOKEN: &str = "JWT";
/// `typ` of JWT access tokens (RFC 9068 §2.1).
pub const TYP_ACCESS_TOKEN: &str = "at+jwt";
/// `typ` of back-channel logout tokens (OIDC Back-Channel Logout §2.4).
pub const TYP_LOGOUT_TOKEN: &str = "logout+jwt";

impl SigningKey {
    /// Signs `claims` (a JSON object, RFC 7519 §7.1 step 1) into a compact
    /// JWS with header `{"alg", "typ", "kid"}`. `typ` tells token kinds
    /// apart so one cannot be replayed as another (RFC 8725 §3.11): see
    /// [`TYP_ID_TOKEN`], [`TYP_ACCESS_TOKEN`], [`TYP_LOGOUT_TOKEN`].
    pub fn sign_jwt(&self, typ: &str, claims: &Value) -> Result<String, OidcError> {
        if !claims.is_object() {
            return Err(OidcError::Serialize);
        }
        let header = json!({"alg": self.alg().as_str(), "typ": typ, "kid": self.kid()});
        let header = serde_json::to_vec(&header).map_err(|_| OidcError::Serialize)?;
        let payload = serde_json::to_vec(claims).map_err(|_| OidcError::Serialize)?;
        // RFC 7515 §5.1: the signing input is
        // BASE64URL(header) || '.' || BASE64URL(payload).
        let mut token = b64::encode(&header);
        token.push('.');
        token.push_str(&b64::encode(&payload));
        let sig = self.sign_bytes(token.as_bytes())?;
        token.push('.');
        token.push_str(&b64::encode(&sig));
        Ok(token)
    }
}

/// Verifies a compact JWS made by one of `keys` and returns its header and
/// claims (both JSON objects).
///
/// The key is chosen by the header's `kid` and the header's `alg` must be
/// that key's algorithm, so `none`, HMAC-with-the-public-key and other
/// algorithm confusion attacks fail (RFC 8725 §2.1, §3.1). A `crit` header
/// is refused because we understand no extensions (RFC 7515 §4.1.11).
/// Expiry, audience and issuer are NOT checked here: that is the caller's
/// job, because what counts as valid depends on the token kind.
pub fn verify_jwt(token: &str, keys: &[&SigningKey]) -> Result<(Value, Value), JwtError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(sig_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header = decode_object(header_b64)?;
    if header.get("crit").is_some() {
        return Err(JwtError::Malformed);
    }
    let Some(alg) = header.get("alg").and_then(Value::as_str) else {
        return Err(JwtError::Malformed);
    };
    let kid = header.get("kid").and_then(Value::as_str).ok_or(JwtError::UnknownKid)?;
    let key = keys.iter().find(|k| k.kid() == kid).ok_or(JwtError::UnknownKid)?;
    if alg != key.alg().as_str() {
        return Err(JwtError::AlgMismatch);
    }
    let sig = b64::decode(sig_b64).ok_or(JwtError::Malformed)?;
    // The signing input is the first two segments exactly as received.
    let input_len = header_b64.len() + 1 + payload_b64.len();
    let input = token.get(..input_len).ok_or(JwtError::Malformed)?;
    if !key.verify_bytes(input.as_bytes(), &sig) {
        return Err(JwtError::BadSignature);
    }
    let claims = decode_object(payload_b64)?;
    Ok((header, claims))
}

fn decode_object(segment: &str) -> Result<Value, JwtError> {
    let bytes = b64::decode(segment).ok_or(JwtError::Malformed)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(JwtError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningAlg;

    fn claims() -> Value {
        json!({"iss": "https://id.example.com", "sub": "u1", "n": 1})
    }

    /// Replaces one segment of a token.
    fn with_segment(token: &str, index: usize, value: &str) -> String {
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[index] = value;
        parts.join(".")
    }

    fn encode_json(v: &Value) -> String {
        b64::encode(&serde_json::to_vec(v).unwrap())
    }

    #[test]
    fn round_trip_for_each_alg() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            let token = key.sign_jwt(TYP_ACCESS_TOKEN, &claims()).unwrap();
            let (header, got) = verify_jwt(&token, &[&key]).unwrap();
            assert_eq!(got, claims());
            assert_eq!(header, json!({"alg": alg.as_str(), "typ": "at+jwt", "kid": key.kid()}));
        }
    }

    #[test]
    fn reloaded_key_verifies_the_same_tokens() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            let token = key.sign_jwt(TYP_ID_TOKEN, &claims()).unwrap();
            let reloaded = SigningKey::from_pkcs8(key.kid().into(), alg, key.pkcs8()).unwrap();
            assert!(verify_jwt(&token, &[&reloaded]).is_ok());
            // And tokens from the reloaded key verify with the original.
            let token2 = reloaded.sign_jwt(TYP_ID_TOKEN, &claims()).unwrap();
            assert!(verify_jwt(&token2, &[&key]).is_ok());
        }
    }

    #[test]
    fn picks_the_key_by_kid() {
        let a = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let b = SigningKey::generate(SigningAlg::Es256).unwrap();
        let token = b.sign_jwt("JWT", &claims()).unwrap();
        assert!(verify_jwt(&token, &[&a, &b]).is_ok());
        assert_eq!(verify_jwt(&token, &[&a]), Err(JwtError::UnknownKid));
    }

    #[test]
    fn tampering_is_detected() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            let other = SigningKey::generate(alg).unwrap();
            let keys = [&key, &other];
            let token = key.sign_jwt("JWT", &claims()).unwrap();
            let (h, _) = verify_jwt(&token, &keys).unwrap();

            // Payload changed.
            let forged = with_segment(&token, 1, &encode_json(&json!({"sub": "admin"})));
            assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // Signature changed (one bit).
            let mut sig = b64::decode(token.rsplit('.').next().unwrap()).unwrap();
            sig[10] ^= 1;
            let forged = with_segment(&token, 2, &b64::encode(&sig));
            assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // Signature from another key of the same kind.
            let theirs = other.sign_jwt("JWT", &claims()).unwrap();
            let forged = with_segment(&token, 2, theirs.rsplit('.').next().unwrap());
            assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // kid pointed at the other key: the header is signed, so this fails.
            let mut header = h.clone();
            header["kid"] = json!(other.kid());
            let forged = with_segment(&token, 0, &encode_json(&header));
            assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // Unknown or missing kid.
            header["kid"] = json!("nope");
            let forged = with_segment(&token, 0, &encode_json(&header));
            assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::UnknownKid), "{alg}");
            header.as_object_mut().unwrap().remove("kid");
            let forged = with_segment(&token, 0, &encode_json(&header));
            assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::UnknownKid), "{alg}");

            // alg in the header swapped for another one, `none`, or HS256.
            for bad in ["RS256", "ES256", "EdDSA", "none", "HS256"] {
                if bad == alg.as_str() {
                    continue;
                }
                let mut header = h.clone();
                header["alg"] = json!(bad);
                let forged = with_segment(&token, 0, &encode_json(&header));
                assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::AlgMismatch), "{alg}");
            }
            // `alg: none` with an empty signature.
            let mut header = h.clone();
            header["alg"] = json!("none");
            let forged = with_segment(&with_segment(&token, 0, &encode_json(&header)), 2, "");
            assert_eq!(verify_jwt(&forged, &keys), Err(JwtError::AlgMismatch), "{alg}");
        }
    }

    #[test]
    fn malformed_tokens() {
        let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        let token = key.sign_jwt("JWT", &claims()).unwrap();
        let (h, _) = verify_jwt(&token, &[&key]).unwrap();
        let (head, _) = token.rsplit_once('.').unwrap();
        for bad in [
            String::new(),
            "a.b".to_owned(),
            format!("{token}.x"),
            head.to_owned(),
            with_segment(&token, 0, "!!"),
            with_segment(&token, 0, &b64::encode(b"[1]")),
            with_segment(&token, 2, "a+b/"),
            with_segment(
                &token,
                0,
                &encode_json(&{
                    let mut h = h.clone();
                    h["crit"] = json!(["exp"]);
                    h
                }),
            ),
            with_segment(
                &token,
                0,
                &encode_json(&{
                    let mut h = h.clone();
                    h.as_object_mut().unwrap().remove("alg");
                    h
                }),
            ),
        ] {
            assert_eq!(verify_jwt(&bad, &[&key]), Err(JwtError::Malformed), "{bad}");
        }
    }

    #[test]
    fn payload_must_be_an_object() {
        let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        assert_eq!(key.sign_jwt("JWT", &json!([1])), Err(OidcError::Serialize));
        // A validly signed non-object payload is refused after verification.
        let header = encode_json(&json!({"alg": "EdDSA", "kid": key.kid()}));
        let input = format!("{header}.{}", b64::encode(b"\"str\""));
        let sig = key.sign_bytes(input.as_bytes()).unwrap();
        let token = format!("{input}.{}", b64::encode(&sig));
        assert_eq!(verify_jwt(&token, &[&key]), Err(JwtError::Malformed));
    }
}
