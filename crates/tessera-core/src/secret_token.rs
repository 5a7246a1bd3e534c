//! Opaque bearer secrets (session ids, email links, CSRF cookies) and the primitives every
//! crate uses for secrets: random tokens, digests, HMAC-SHA256, hex, base64url and
//! constant-time comparison (the in-memory secret type is [`crate::secret::Secret`]). Only a
//! SHA-256 digest of each bearer secret is stored, so a copy of the database does not hand out
//! live sessions or reset links.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

/// 32 random bytes from the thread-local CSPRNG (ChaCha, seeded by the OS), base64url without padding (43 characters).
pub fn generate() -> String {
    random_token(32)
}

/// `bytes` random bytes from the thread-local CSPRNG, base64url without padding: nonces,
/// PKCE verifiers and other one-use values whose size a protocol sets.
pub fn random_token(bytes: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(bytes))
}

/// `n` random bytes from the thread-local CSPRNG (secrets that are not sent as text).
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    buf
}

/// The form a secret is stored and looked up in.
pub fn digest(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// HMAC-SHA256 of `message` under `key` (RFC 2104): the one keyed MAC the web layer uses
/// (CSRF tokens, key derivation, webhook signatures, the activation cookie).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of every length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Lower-case hexadecimal, as webhook receivers and MAC-carrying cookies expect.
pub fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Unpadded base64url, the form every token and MAC in URLs and cookies takes.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Constant-time equality for secrets that are compared directly.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hmac_sha256_matches_rfc_4231_case_2_and_hex_is_lower_case() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let mac = super::hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            super::hex_lower(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(super::hex_lower(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(super::hex_lower(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(super::hex_lower(&[]), "");
    }

    #[test]
    fn tokens_are_unique_and_digests_stable() {
        let (a, b) = (super::generate(), super::generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(super::digest(&a), super::digest(&a));
        assert_ne!(super::digest(&a), a);
        assert_eq!(super::random_token(16).len(), 22);
        assert_ne!(super::random_token(16), super::random_token(16));
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
