//! ID token validation for the `oidc` connector (OpenID Connect Core
//! §3.1.3.7): a JWS signature checked against the provider's JWKS
//! (RFC 7517) with aws-lc-rs, then `iss`, `aud`/`azp`, `exp` and `nonce`.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::UpstreamError;

/// Clock skew tolerated on `exp` (seconds).
const LEEWAY: i64 = 60;

/// What the token must say.
pub(crate) struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Unix seconds.
    pub now: i64,
}

#[derive(Debug, PartialEq)]
pub(crate) enum IdTokenError {
    /// No JWK matches the header's `kid`: refetch the JWKS once (rotation).
    UnknownKey,
    Invalid(UpstreamError),
}

fn invalid(msg: &str) -> IdTokenError {
    IdTokenError::Invalid(UpstreamError::protocol(format!("ID token: {msg}")))
}

/// Verifies `token` with `jwks` and returns its claims.
pub(crate) fn validate(token: &str, jwks: &Value, expected: &Expected<'_>) -> Result<Value, IdTokenError> {
    let mut parts = token.split('.');
    let (Some(h64), Some(p64), Some(s64), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(invalid("not a compact JWS"));
    };
    let header = decode_object(h64).ok_or_else(|| invalid("unreadable header"))?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    // §3.1.3.7 step 7: only asymmetric algorithms the provider publishes
    // keys for; `none` and HMAC (keyed with a public value) are refused.
    let verification: &'static dyn signature::VerificationAlgorithm = match alg {
        "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "ES256" => &signature::ECDSA_P256_SHA256_FIXED,
        "EdDSA" => &signature::ED25519,
        _ => return Err(invalid("unsupported signing algorithm")),
    };
    let jwk = find_key(jwks, header.get("kid").and_then(Value::as_str), alg).ok_or(IdTokenError::UnknownKey)?;
    let sig = URL_SAFE_NO_PAD
        .decode(s64)
        .map_err(|_| invalid("unreadable signature"))?;
    let input = format!("{h64}.{p64}");
    if !verify_with_jwk(jwk, verification, alg, input.as_bytes(), &sig) {
        return Err(invalid("the signature is invalid"));
    }
    let claims = decode_object(p64).ok_or_else(|| invalid("unreadable claims"))?;
    check_claims(&claims, expected)?;
    Ok(claims)
}

fn check_claims(claims: &Value, expected: &Expected<'_>) -> Result<(), IdTokenError> {
    // Step 2: the issuer must be exactly the discovered one.
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
        return Err(invalid("wrong issuer"));
    }
    // Step 3: we must be an audience; step 4-5: with several, `azp` is us.
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == expected.client_id,
        Some(Value::Array(list)) => {
            list.iter().any(|a| a.as_str() == Some(expected.client_id))
                && (list.len() == 1 || claims.get("azp").and_then(Value::as_str) == Some(expected.client_id))
        }
        _ => false,
    };
    if !aud_ok {
        return Err(invalid("wrong audience"));
    }
    if let Some(azp) = claims.get("azp").and_then(Value::as_str)
        && azp != expected.client_id
    {
        return Err(invalid("wrong authorized party"));
    }
    // Step 9: not expired.
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp + LEEWAY > expected.now => {}
        Some(_) => return Err(invalid("expired")),
        None => return Err(invalid("no expiry")),
    }
    // Step 11: the nonce we sent, compared in constant time.
    let nonce = claims.get("nonce").and_then(Value::as_str).unwrap_or_default();
    if !bool::from(nonce.as_bytes().ct_eq(expected.nonce.as_bytes())) {
        return Err(invalid("the nonce does not match this login"));
    }
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() => Ok(()),
        _ => Err(invalid("no subject")),
    }
}

/// The JWK for `kid`, or without a `kid` the only key fit for `alg`.
fn find_key<'a>(jwks: &'a Value, kid: Option<&str>, alg: &str) -> Option<&'a Value> {
    let keys = jwks.get("keys")?.as_array()?;
    let kty = match alg {
        "RS256" => "RSA",
        "ES256" => "EC",
        _ => "OKP",
    };
    let fits = |k: &&Value| {
        k.get("kty").and_then(Value::as_str) == Some(kty)
            && k.get("use").and_then(Value::as_str).is_none_or(|u| u == "sig")
            && k.get("alg").and_then(Value::as_str).is_none_or(|a| a == alg)
    };
    match kid {
        Some(kid) => keys
            .iter()
            .filter(fits)
            .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid)),
        None => {
            let mut candidates = keys.iter().filter(fits);
            let only = candidates.next()?;
            candidates.next().is_none().then_some(only)
        }
    }
}

fn member(jwk: &Value, name: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(jwk.get(name)?.as_str()?).ok()
}

fn verify_with_jwk(
    jwk: &Value,
    verification: &'static dyn signature::VerificationAlgorithm,
    alg: &str,
    input: &[u8],
    sig: &[u8],
) -> bool {
    match alg {
        // RFC 7518 §6.3.1: modulus and exponent, big-endian.
        "RS256" => match (member(jwk, "n"), member(jwk, "e")) {
            (Some(n), Some(e)) => RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, input, sig)
                .is_ok(),
            _ => false,
        },
        // RFC 7518 §6.2.1: P-256 coordinates → uncompressed SEC1 point.
        "ES256" => {
            let (Some(x), Some(y)) = (member(jwk, "x"), member(jwk, "y")) else {
                return false;
            };
            if jwk.get("crv").and_then(Value::as_str) != Some("P-256") || x.len() != 32 || y.len() != 32 {
                return false;
            }
            let mut point = vec![4u8];
            point.extend(x);
            point.extend(y);
            UnparsedPublicKey::new(verification, point).verify(input, sig).is_ok()
        }
        // RFC 8037 §2: Ed25519 public key in `x`.
        _ => match member(jwk, "x") {
            Some(x) if jwk.get("crv").and_then(Value::as_str) == Some("Ed25519") => {
                UnparsedPublicKey::new(verification, x).verify(input, sig).is_ok()
            }
            _ => false,
        },
    }
}

fn decode_object(segment: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expected(now: i64) -> Expected<'static> {
        Expected {
            issuer: "https://op",
            client_id: "rp",
            nonce: "n-1",
            now,
        }
    }

    fn good() -> Value {
        json!({"iss": "https://op", "aud": "rp", "exp": 1000, "nonce": "n-1", "sub": "u"})
    }

    fn reason(claims: Value) -> String {
        match check_claims(&claims, &expected(900)) {
            Ok(()) => "ok".into(),
            Err(IdTokenError::Invalid(e)) => e.to_string(),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn claim_checks() {
        assert_eq!(reason(good()), "ok");
        let with = |k: &str, v: Value| {
            let mut c = good();
            c[k] = v;
            c
        };
        assert!(reason(with("iss", json!("https://op/"))).contains("issuer"));
        assert!(reason(with("aud", json!("other"))).contains("audience"));
        assert_eq!(reason(with("aud", json!(["rp"]))), "ok");
        assert!(reason(with("aud", json!(["rp", "other"]))).contains("audience"));
        let mut multi = with("aud", json!(["rp", "other"]));
        multi["azp"] = json!("rp");
        assert_eq!(reason(multi), "ok");
        assert!(reason(with("azp", json!("other"))).contains("authorized party"));
        assert!(reason(with("exp", json!(800))).contains("expired"));
        assert_eq!(reason(with("exp", json!(860))), "ok", "within leeway");
        assert!(reason(with("nonce", json!("n-2"))).contains("nonce"));
        assert!(reason(with("sub", json!(""))).contains("subject"));
    }

    #[test]
    fn key_lookup() {
        let jwks = json!({"keys": [
            {"kty": "RSA", "kid": "a", "use": "sig", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "b", "use": "enc"},
            {"kty": "EC", "kid": "c", "crv": "P-256"}
        ]});
        assert_eq!(find_key(&jwks, Some("a"), "RS256").unwrap()["kid"], "a");
        assert!(find_key(&jwks, Some("b"), "RS256").is_none(), "encryption key");
        assert!(find_key(&jwks, Some("c"), "RS256").is_none(), "wrong kty");
        assert_eq!(find_key(&jwks, None, "ES256").unwrap()["kid"], "c");
        assert!(find_key(&json!({}), None, "ES256").is_none());
    }

    #[test]
    fn refuses_none_and_hmac() {
        for alg in ["none", "HS256"] {
            let h = URL_SAFE_NO_PAD.encode(json!({"alg": alg}).to_string());
            let p = URL_SAFE_NO_PAD.encode(good().to_string());
            let err = validate(&format!("{h}.{p}."), &json!({"keys": []}), &expected(900)).unwrap_err();
            assert!(matches!(err, IdTokenError::Invalid(UpstreamError::Protocol(m)) if m.contains("algorithm")));
        }
        assert!(matches!(
            validate("a.b", &json!({}), &expected(0)),
            Err(IdTokenError::Invalid(_))
        ));
    }
}
