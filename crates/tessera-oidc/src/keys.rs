//! Signing keys: generation, PKCS#8 storage form, and the raw sign/verify
//! operations. All crypto is aws-lc-rs (the pure-Rust `rsa` crate is
//! avoided because of the Marvin timing advisory, RUSTSEC-2023-0071).
//!
//! JWT encoding lives in [`crate::jwt`] and JWK export in the private `jwk`
//! module; both are re-exported here so `keys::*` is the whole key API.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};

use crate::error::OidcError;

pub use crate::alg::SigningAlg;
pub use crate::jwk::jwks;
pub use crate::jwt::verify_jwt;

/// Bytes of randomness in a generated `kid` (RFC 7517 §4.5 leaves the
/// format open; 128 bits makes collisions across rotations negligible).
const KID_BYTES: usize = 16;

/// A private signing key with its key id. Cheap to clone (shared inside).
///
/// `Debug` shows only `kid` and `alg`, never key material.
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<Inner>,
}

struct Inner {
    kid: String,
    alg: SigningAlg,
    pkcs8: Vec<u8>,
    pair: Pair,
    /// Public key in the form aws-lc-rs verifies with: RFC 8017
    /// `RSAPublicKey` DER, an uncompressed P-256 point, or 32 Ed25519 bytes.
    public: Vec<u8>,
    /// The same public key for `jsonwebtoken`, built once at load.
    decoding: jsonwebtoken::DecodingKey,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

impl SigningKey {
    /// Generates a new key: RSA-2048 for RS256 (RFC 7518 §3.3 requires at
    /// least 2048 bits), P-256 for ES256 (RFC 7518 §3.4), Ed25519 for EdDSA
    /// (RFC 8037 §3.1). The `kid` is 16 random bytes, base64url.
    pub fn generate(alg: SigningAlg) -> Result<Self, OidcError> {
        let failed = |_| OidcError::KeyGeneration(alg.as_str());
        let pkcs8: Vec<u8> = match alg {
            SigningAlg::Rs256 => RsaKeyPair::generate(KeySize::Rsa2048)
                .and_then(|k| k.as_der())
                .map_err(failed)?
                .as_ref()
                .to_vec(),
            SigningAlg::Es256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                .and_then(|k| k.to_pkcs8v1())
                .map_err(failed)?
                .as_ref()
                .to_vec(),
            // PKCS#8 v2 (RFC 5958) also carries the public key, which
            // `from_pkcs8` then checks against the private one.
            SigningAlg::EdDsa => Ed25519KeyPair::generate()
                .and_then(|k| k.to_pkcs8())
                .map_err(failed)?
                .as_ref()
                .to_vec(),
        };
        Self::from_pkcs8(tessera_core::secret_token::random_token(KID_BYTES), alg, &pkcs8)
    }

    /// Loads a stored key. Fails when `der` is not a PKCS#8 key of the kind
    /// `alg` needs (an RSA key below 2048 bits, a P-384 key for ES256, ...).
    pub fn from_pkcs8(kid: String, alg: SigningAlg, der: &[u8]) -> Result<Self, OidcError> {
        let rejected = |e: aws_lc_rs::error::KeyRejected| OidcError::KeyRejected {
            alg: alg.as_str(),
            reason: e.description_(),
        };
        let (pair, public) = match alg {
            SigningAlg::Rs256 => {
                let k = RsaKeyPair::from_pkcs8(der).map_err(rejected)?;
                let public = k.public_key().as_ref().to_vec();
                (Pair::Rsa(k), public)
            }
            SigningAlg::Es256 => {
                let k = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(rejected)?;
                let public = k.public_key().as_ref().to_vec();
                (Pair::Ec(k), public)
            }
            SigningAlg::EdDsa => {
                let k = Ed25519KeyPair::from_pkcs8(der).map_err(rejected)?;
                let public = k.public_key().as_ref().to_vec();
                (Pair::Ed(k), public)
            }
        };
        let decoding = crate::jwt::decoding_key(&public, rsa_components(&pair));
        Ok(SigningKey {
            inner: Arc::new(Inner {
                kid,
                alg,
                pkcs8: der.to_vec(),
                pair,
                public,
                decoding,
            }),
        })
    }

    /// The key id, published in the JWKS and put in every JWT header.
    pub fn kid(&self) -> &str {
        &self.inner.kid
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> SigningAlg {
        self.inner.alg
    }

    /// The private key as PKCS#8 DER, for storing (sealed, see
    /// `tessera_core::seal`). Secret.
    pub fn pkcs8(&self) -> &[u8] {
        &self.inner.pkcs8
    }

    /// Signs `message` (a JWS signing input) and returns the raw JWS
    /// signature bytes.
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, OidcError> {
        let failed = |_| OidcError::Signing(self.inner.alg.as_str());
        match &self.inner.pair {
            // RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256.
            Pair::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                let rng = aws_lc_rs::rand::SystemRandom::new();
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                    .map_err(failed)?;
                Ok(sig)
            }
            // RFC 7518 §3.4: ECDSA P-256 SHA-256, signature as the 64-byte
            // concatenation R || S, not DER; the *_FIXED_SIGNING algorithm
            // produces exactly that.
            Pair::Ec(k) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let sig = k.sign(&rng, message).map_err(failed)?;
                Ok(sig.as_ref().to_vec())
            }
            // RFC 8037 §3.1: Ed25519 signature over the signing input.
            Pair::Ed(k) => Ok(k.try_sign(message).map_err(failed)?.as_ref().to_vec()),
        }
    }

    /// Checks a raw JWS signature made with this key's algorithm (verification of JWTs goes
    /// through `jsonwebtoken`, see [`crate::jwt`]).
    #[cfg(test)]
    pub(crate) fn verify_bytes(&self, message: &[u8], sig: &[u8]) -> bool {
        let alg: &'static dyn signature::VerificationAlgorithm = match self.inner.alg {
            SigningAlg::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            SigningAlg::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
            SigningAlg::EdDsa => &signature::ED25519,
        };
        signature::UnparsedPublicKey::new(alg, &self.inner.public)
            .verify(message, sig)
            .is_ok()
    }

    /// The RSA public key (n, e) as big-endian bytes without leading zeros.
    pub(crate) fn rsa_public(&self) -> Option<(&[u8], &[u8])> {
        rsa_components(&self.inner.pair)
    }

    /// The public key prepared for `jsonwebtoken`'s verification.
    pub(crate) fn decoding_key(&self) -> &jsonwebtoken::DecodingKey {
        &self.inner.decoding
    }

    /// The raw public key bytes (uncompressed point for EC, 32 bytes for
    /// Ed25519, RFC 8017 DER for RSA).
    pub(crate) fn public_bytes(&self) -> &[u8] {
        &self.inner.public
    }
}

/// The RSA public key (n, e) of an RSA pair, big-endian without leading zeros.
fn rsa_components(pair: &Pair) -> Option<(&[u8], &[u8])> {
    match pair {
        Pair::Rsa(k) => {
            let p = k.public_key();
            Some((
                p.modulus().big_endian_without_leading_zero(),
                p.exponent().big_endian_without_leading_zero(),
            ))
        }
        _ => None,
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.inner.kid)
            .field("alg", &self.inner.alg)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_each_alg_and_reload_from_pkcs8() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            assert_eq!(key.alg(), alg);
            assert_eq!(key.kid().len(), 22, "16 bytes base64url");
            let again = SigningKey::from_pkcs8(key.kid().to_owned(), alg, key.pkcs8()).unwrap();
            assert_eq!(again.public_bytes(), key.public_bytes());
            let sig = key.sign_bytes(b"hello").unwrap();
            assert!(again.verify_bytes(b"hello", &sig));
            assert!(!again.verify_bytes(b"hellO", &sig));
        }
    }

    #[test]
    fn key_sizes_match_the_algorithms() {
        let rsa = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let (n, e) = rsa.rsa_public().unwrap();
        assert_eq!(n.len(), 256, "RSA-2048");
        assert_eq!(e, [1, 0, 1]);
        let ec = SigningKey::generate(SigningAlg::Es256).unwrap();
        assert_eq!(ec.public_bytes().len(), 65);
        assert_eq!(ec.sign_bytes(b"x").unwrap().len(), 64, "JOSE r||s form");
        let ed = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        assert_eq!(ed.public_bytes().len(), 32);
    }

    #[test]
    fn pkcs8_of_another_alg_is_rejected() {
        let ec = SigningKey::generate(SigningAlg::Es256).unwrap();
        for alg in [SigningAlg::Rs256, SigningAlg::EdDsa] {
            let err = SigningKey::from_pkcs8("k".into(), alg, ec.pkcs8()).unwrap_err();
            assert!(matches!(err, OidcError::KeyRejected { .. }), "{err:?}");
        }
        assert!(SigningKey::from_pkcs8("k".into(), SigningAlg::Es256, b"junk").is_err());
    }

    #[test]
    fn debug_shows_kid_and_alg_only() {
        let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        let text = format!("{key:?}");
        assert!(text.contains(key.kid()));
        assert!(text.contains("EdDsa"));
        assert!(!text.contains("pkcs8"));
        assert!(!text.contains("public"));
    }
}
