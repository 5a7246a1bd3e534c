//! Public keys as JWKs (RFC 7517) for the `jwks_uri` document, so relying
//! parties can verify our tokens.

use serde_json::{Value, json};

use crate::b64;
use crate::keys::{SigningAlg, SigningKey};

impl SigningKey {
    /// The public half as a JWK with `kid`, `alg` and `use: "sig"`
    /// (RFC 7517 §4.2-§4.5):
    /// - RS256: `kty: "RSA"`, `n`, `e` (RFC 7518 §6.3.1, unsigned big-endian
    ///   without leading zero octets);
    /// - ES256: `kty: "EC"`, `crv: "P-256"`, `x`, `y` (RFC 7518 §6.2.1, each
    ///   the full 32-byte coordinate);
    /// - EdDSA: `kty: "OKP"`, `crv: "Ed25519"`, `x` (RFC 8037 §2).
    pub fn public_jwk(&self) -> Value {
        let (kid, alg) = (self.kid(), self.alg().as_str());
        match self.alg() {
            SigningAlg::Rs256 => {
                let (n, e) = self.rsa_public().unwrap_or_default();
                json!({"kty": "RSA", "kid": kid, "alg": alg, "use": "sig",
                       "n": b64::encode(n), "e": b64::encode(e)})
            }
            SigningAlg::Es256 => {
                // Uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
                // aws-lc-rs always gives P-256 public keys in that form.
                let coords = self.public_bytes().get(1..65).unwrap_or_default();
                let (x, y) = coords.split_at(coords.len() / 2);
                json!({"kty": "EC", "kid": kid, "alg": alg, "use": "sig", "crv": "P-256",
                       "x": b64::encode(x), "y": b64::encode(y)})
            }
            SigningAlg::EdDsa => {
                json!({"kty": "OKP", "kid": kid, "alg": alg, "use": "sig", "crv": "Ed25519",
                       "x": b64::encode(self.public_bytes())})
            }
        }
    }
}

/// A JWK Set (RFC 7517 §5): `{"keys": [...]}`. Include every key whose
/// tokens may still be in circulation, not just the current one, so
/// rotation does not break relying parties.
pub fn jwks(keys: &[&SigningKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.public_jwk()).collect::<Vec<_>>() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
    use serde_json::Map;

    fn member(jwk: &Value, name: &str) -> Vec<u8> {
        b64::decode(jwk[name].as_str().unwrap()).unwrap()
    }

    fn names(jwk: &Value) -> Vec<&str> {
        let mut v: Vec<&str> = jwk.as_object().unwrap().keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Verifies a compact JWS using only the JWK's public values, the way a
    /// third-party relying party would.
    fn verify_with_jwk(jwk: &Value, token: &str) -> bool {
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = b64::decode(sig).unwrap();
        match jwk["kty"].as_str().unwrap() {
            "RSA" => RsaPublicKeyComponents {
                n: member(jwk, "n"),
                e: member(jwk, "e"),
            }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig)
            .is_ok(),
            "EC" => {
                let mut point = vec![4u8];
                point.extend(member(jwk, "x"));
                point.extend(member(jwk, "y"));
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(input.as_bytes(), &sig)
                    .is_ok()
            }
            "OKP" => UnparsedPublicKey::new(&signature::ED25519, member(jwk, "x"))
                .verify(input.as_bytes(), &sig)
                .is_ok(),
            other => panic!("unexpected kty {other}"),
        }
    }

    #[test]
    fn rsa_jwk_members() {
        let key = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(names(&jwk), ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["kid"], key.kid());
        assert_eq!(jwk["e"], "AQAB");
        let n = member(&jwk, "n");
        assert_eq!(n.len(), 256);
        assert_ne!(n[0], 0, "no leading zero octet (RFC 7518 §6.3.1.1)");
    }

    #[test]
    fn ec_jwk_members() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(names(&jwk), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(jwk["crv"], "P-256");
        assert_eq!(jwk["alg"], "ES256");
        assert_eq!(member(&jwk, "x").len(), 32);
        assert_eq!(member(&jwk, "y").len(), 32);
    }

    #[test]
    fn okp_jwk_members() {
        let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(names(&jwk), ["alg", "crv", "kid", "kty", "use", "x"]);
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(member(&jwk, "x").len(), 32);
    }

    #[test]
    fn tokens_verify_with_only_the_published_jwk() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            let token = key.sign_jwt("JWT", &json!({"sub": "u1"})).unwrap();
            let jwk = key.public_jwk();
            assert!(verify_with_jwk(&jwk, &token), "{alg}");
            // And the JWK of a different key of the same kind must not verify it.
            let other = SigningKey::generate(alg).unwrap().public_jwk();
            assert!(!verify_with_jwk(&other, &token), "{alg}");
        }
    }

    #[test]
    fn jwks_lists_every_key() {
        let a = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let b = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        let set = jwks(&[&a, &b]);
        let keys = set["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0]["kid"], a.kid());
        assert_eq!(keys[1]["kid"], b.kid());
        assert_eq!(set.as_object().unwrap().len(), 1);
        assert_eq!(jwks(&[]), Value::Object(Map::from_iter([("keys".into(), json!([]))])));
    }
}
