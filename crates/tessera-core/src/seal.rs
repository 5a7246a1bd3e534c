//! Encryption at rest for secrets the database must hold (signing keys,
//! later upstream tokens): AES-256-GCM under a master key kept outside the
//! database.
//!
//! Layout: `nonce (12 bytes) || ciphertext || tag (16 bytes)`. The nonce is
//! random per seal; with 96-bit random nonces NIST SP 800-38D §8.3 keeps
//! the collision risk acceptable up to 2^32 seals per key, far above what
//! this is used for. `context` is the additional authenticated data: a
//! ciphertext sealed for one purpose or row (e.g. `"signing-key:<kid>"`)
//! cannot be swapped into another.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

/// A sealed blob could not be opened: wrong master key, wrong context, truncated or tampered
/// with. Deliberately does not say which.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
#[error("sealed data could not be opened (wrong key or context, or corrupted)")]
pub struct SealError;

/// Bytes of the GCM authentication tag appended to the ciphertext.
const TAG_LEN: usize = 16;

fn key(master_key: &[u8; 32]) -> Option<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, master_key).ok().map(LessSafeKey::new)
}

/// Encrypts and authenticates `plaintext`, binding it to `context`.
pub fn seal(master_key: &[u8; 32], plaintext: &[u8], context: &str) -> Vec<u8> {
    use rand::Rng;
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    let mut body = plaintext.to_vec();
    let sealed = key(master_key).and_then(|key| {
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context.as_bytes()),
            &mut body,
        )
        .ok()
    });
    // AES-256-GCM accepts every 32-byte key and any plaintext below 64 GiB,
    // so this cannot fail for data we can hold in memory; if the library
    // ever did fail, panicking is the only way never to return plaintext.
    assert!(sealed.is_some(), "AES-256-GCM sealing failed");
    out.extend_from_slice(&body);
    out
}

/// Decrypts what [`seal`] produced with the same key and context. Any
/// mismatch (key, context, truncation, a flipped bit) gives the same
/// [`SealError`], so the error reveals nothing about which.
pub fn open(master_key: &[u8; 32], sealed: &[u8], context: &str) -> Result<Vec<u8>, SealError> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(SealError);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError)?;
    let key = key(master_key).ok_or(SealError)?;
    let mut body = body.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(context.as_bytes()), &mut body)
        .map_err(|_| SealError)?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn round_trip() {
        for plain in [&b""[..], b"x", &[0u8; 1000]] {
            let sealed = seal(&KEY, plain, "signing-key:abc");
            assert_eq!(sealed.len(), NONCE_LEN + plain.len() + TAG_LEN);
            assert_eq!(open(&KEY, &sealed, "signing-key:abc").unwrap(), plain);
        }
    }

    #[test]
    fn same_plaintext_seals_differently() {
        let a = seal(&KEY, b"secret", "c");
        let b = seal(&KEY, b"secret", "c");
        assert_ne!(a, b);
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
    }

    #[test]
    fn wrong_key_or_context_fails() {
        let sealed = seal(&KEY, b"secret", "signing-key:abc");
        assert_eq!(open(&[8; 32], &sealed, "signing-key:abc"), Err(SealError));
        assert_eq!(open(&KEY, &sealed, "signing-key:abd"), Err(SealError));
        assert_eq!(open(&KEY, &sealed, ""), Err(SealError));
    }

    #[test]
    fn truncated_or_flipped_fails() {
        let sealed = seal(&KEY, b"secret", "c");
        for len in [0, 1, NONCE_LEN, NONCE_LEN + TAG_LEN - 1, sealed.len() - 1] {
            assert_eq!(open(&KEY, &sealed[..len], "c"), Err(SealError), "len {len}");
        }
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert_eq!(open(&KEY, &bad, "c"), Err(SealError), "byte {i}");
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert_eq!(open(&KEY, &longer, "c"), Err(SealError));
    }

    #[test]
    fn error_does_not_mention_contents() {
        let sealed = seal(&KEY, b"hunter2", "c");
        let err = open(&KEY, &sealed, "d").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("hunter2"));
    }
}
