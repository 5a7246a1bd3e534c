//! Compact JWS encoding of JWTs (RFC 7515 §7.1, RFC 7519 §7).
//!
//! Verification is `jsonwebtoken`'s (header rules such as `crit` and `b64`, the signature,
//! claims decoding) with a [`DecodingKey`] prepared once per key. Two small pieces stay here:
//! picking the key by `kid` and pinning the algorithm to it (jsonwebtoken verifies against one
//! key), and signing: jsonwebtoken 12 re-parses the private key on every signature (its
//! `EncodingKey` is the DER bytes), which measured +52 % for RS256, +64 % ES256 and +92 %
//! EdDSA per token here, so we sign with the aws-lc-rs key pair prepared at load time (see
//! docs/architecture.md, "Decisions").

use jsonwebtoken::{DecodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
    /// Signs `claims` (serializing to a JSON object, RFC 7519 §7.1 step 1) into a compact
    /// JWS with header `{"alg", "typ", "kid"}`. `typ` tells token kinds apart so one cannot
    /// be replayed as another (RFC 8725 §3.11): see [`TYP_ID_TOKEN`], [`TYP_ACCESS_TOKEN`],
    /// [`TYP_LOGOUT_TOKEN`].
    pub fn sign_jwt<C: Serialize + ?Sized>(&self, typ: &str, claims: &C) -> Result<String, OidcError> {
        let payload = serde_json::to_vec(claims).map_err(|_| OidcError::Serialize)?;
        if payload.first() != Some(&b'{') {
            return Err(OidcError::Serialize);
        }
        let mut header = Header::new(self.alg().jwt_algorithm());
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid().to_owned());
        let header = serde_json::to_vec(&header).map_err(|_| OidcError::Serialize)?;
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

/// A JWT whose signature verified: its `typ` header and its claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified<C> {
    /// The header's `typ`, telling token kinds apart (RFC 8725 §3.11).
    pub typ: Option<String>,
    /// The key that signed it.
    pub kid: String,
    /// The payload, decoded as `C`.
    pub claims: C,
}

/// The two header members that choose the key, read before anything is trusted.
#[derive(serde::Deserialize)]
struct KeyChoice {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
}

/// Verifies a compact JWS made by one of `keys` and decodes its claims as `C`.
///
/// The key is chosen by the header's `kid` and the header's `alg` must be that key's
/// algorithm, so `none`, HMAC-with-the-public-key and other algorithm confusion attacks fail
/// (RFC 8725 §2.1, §3.1). A `crit` header is refused because we understand no extensions
/// (RFC 7515 §4.1.11). Expiry, audience and issuer are NOT checked here: that is the
/// caller's job, because what counts as valid depends on the token kind and the caller's clock.
pub fn verify_jwt<C: DeserializeOwned>(token: &str, keys: &[&SigningKey]) -> Result<Verified<C>, JwtError> {
    verify_kind(token, keys, None)
}

/// [`verify_jwt`] for one kind of token: a `typ` other than `typ` is [`JwtError::WrongKind`]
/// before its claims are decoded as `C`.
pub(crate) fn verify_kind<C: DeserializeOwned>(
    token: &str,
    keys: &[&SigningKey],
    typ: Option<&str>,
) -> Result<Verified<C>, JwtError> {
    let header_b64 = token.split('.').next().unwrap_or_default();
    let choice: KeyChoice = b64::decode(header_b64)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(JwtError::Malformed)?;
    let kid = choice.kid.ok_or(JwtError::UnknownKid)?;
    let key = keys.iter().find(|k| k.kid() == kid).ok_or(JwtError::UnknownKid)?;
    if choice.alg != key.alg().as_str() {
        return Err(JwtError::AlgMismatch);
    }
    if typ.is_some_and(|typ| choice.typ.as_deref() != Some(typ)) {
        return Err(JwtError::WrongKind);
    }
    let data = jsonwebtoken::decode::<C>(token, key.decoding_key(), validation(key)).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature => JwtError::BadSignature,
        jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => JwtError::AlgMismatch,
        _ => JwtError::Malformed,
    })?;
    Ok(Verified {
        typ: data.header.typ,
        kid,
        claims: data.claims,
    })
}

/// The signature and the algorithm only: every claim rule is the caller's (see [`verify_jwt`]).
fn validation(key: &SigningKey) -> &'static Validation {
    use std::sync::LazyLock;
    static BY_ALG: LazyLock<[Validation; 3]> = LazyLock::new(|| {
        crate::SigningAlg::ALL.map(|alg| {
            let mut v = Validation::new(alg.jwt_algorithm());
            v.required_spec_claims.clear();
            v.validate_exp = false;
            v.validate_nbf = false;
            v.validate_aud = false;
            v
        })
    });
    let index = crate::SigningAlg::ALL
        .iter()
        .position(|a| *a == key.alg())
        .unwrap_or_default();
    &BY_ALG[index]
}

/// The public key in the form jsonwebtoken verifies with, built once per key: RSA from its
/// (n, e) components; ECDSA and Ed25519 from the raw public bytes (the uncompressed SEC1 point,
/// the 32 Ed25519 bytes), which is what its aws-lc-rs backend verifies against.
pub(crate) fn decoding_key(public: &[u8], rsa: Option<(&[u8], &[u8])>) -> DecodingKey {
    match rsa {
        Some((n, e)) => DecodingKey::from_rsa_raw_components(n, e),
        None if public.len() == 32 => DecodingKey::from_ed_der(public),
        None => DecodingKey::from_ec_der(public),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningAlg;
    use serde_json::{Value, json};

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

    /// Verifies into JSON: the header (decoded from the token) and the claims.
    fn verify(token: &str, keys: &[&SigningKey]) -> Result<(Value, Value), JwtError> {
        let verified = verify_jwt::<Value>(token, keys)?;
        let header = b64::decode(token.split('.').next().unwrap()).unwrap();
        let header: Value = serde_json::from_slice(&header).unwrap();
        assert_eq!(header["typ"].as_str(), verified.typ.as_deref());
        assert_eq!(header["kid"].as_str(), Some(verified.kid.as_str()));
        Ok((header, verified.claims))
    }

    #[test]
    fn round_trip_for_each_alg() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            let token = key.sign_jwt(TYP_ACCESS_TOKEN, &claims()).unwrap();
            let (header, got) = verify(&token, &[&key]).unwrap();
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
            assert!(verify(&token, &[&reloaded]).is_ok());
            // And tokens from the reloaded key verify with the original.
            let token2 = reloaded.sign_jwt(TYP_ID_TOKEN, &claims()).unwrap();
            assert!(verify(&token2, &[&key]).is_ok());
        }
    }

    #[test]
    fn picks_the_key_by_kid() {
        let a = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let b = SigningKey::generate(SigningAlg::Es256).unwrap();
        let token = b.sign_jwt("JWT", &claims()).unwrap();
        assert!(verify(&token, &[&a, &b]).is_ok());
        assert_eq!(verify(&token, &[&a]), Err(JwtError::UnknownKid));
    }

    #[test]
    fn tampering_is_detected() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            let other = SigningKey::generate(alg).unwrap();
            let keys = [&key, &other];
            let token = key.sign_jwt("JWT", &claims()).unwrap();
            let (h, _) = verify(&token, &keys).unwrap();

            // Payload changed.
            let forged = with_segment(&token, 1, &encode_json(&json!({"sub": "admin"})));
            assert_eq!(verify(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // Signature changed (one bit).
            let mut sig = b64::decode(token.rsplit('.').next().unwrap()).unwrap();
            sig[10] ^= 1;
            let forged = with_segment(&token, 2, &b64::encode(&sig));
            assert_eq!(verify(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // Signature from another key of the same kind.
            let theirs = other.sign_jwt("JWT", &claims()).unwrap();
            let forged = with_segment(&token, 2, theirs.rsplit('.').next().unwrap());
            assert_eq!(verify(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // kid pointed at the other key: the header is signed, so this fails.
            let mut header = h.clone();
            header["kid"] = json!(other.kid());
            let forged = with_segment(&token, 0, &encode_json(&header));
            assert_eq!(verify(&forged, &keys), Err(JwtError::BadSignature), "{alg}");

            // Unknown or missing kid.
            header["kid"] = json!("nope");
            let forged = with_segment(&token, 0, &encode_json(&header));
            assert_eq!(verify(&forged, &keys), Err(JwtError::UnknownKid), "{alg}");
            header.as_object_mut().unwrap().remove("kid");
            let forged = with_segment(&token, 0, &encode_json(&header));
            assert_eq!(verify(&forged, &keys), Err(JwtError::UnknownKid), "{alg}");

            // alg in the header swapped for another one, `none`, or HS256.
            for bad in ["RS256", "ES256", "EdDSA", "none", "HS256"] {
                if bad == alg.as_str() {
                    continue;
                }
                let mut header = h.clone();
                header["alg"] = json!(bad);
                let forged = with_segment(&token, 0, &encode_json(&header));
                assert_eq!(verify(&forged, &keys), Err(JwtError::AlgMismatch), "{alg}");
            }
            // `alg: none` with an empty signature.
            let mut header = h.clone();
            header["alg"] = json!("none");
            let forged = with_segment(&with_segment(&token, 0, &encode_json(&header)), 2, "");
            assert_eq!(verify(&forged, &keys), Err(JwtError::AlgMismatch), "{alg}");
        }
    }

    #[test]
    fn malformed_tokens() {
        let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        let token = key.sign_jwt("JWT", &claims()).unwrap();
        let (h, _) = verify(&token, &[&key]).unwrap();
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
            assert_eq!(verify(&bad, &[&key]), Err(JwtError::Malformed), "{bad}");
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
        assert_eq!(verify(&token, &[&key]), Err(JwtError::Malformed));
    }
}
