//! Proof Key for Code Exchange (RFC 7636), S256 only: `plain` gives no
//! protection when the authorization request leaks, and RFC 9700 §2.1.1
//! recommends S256.

use sha2::{Digest, Sha256};

use crate::b64;

/// RFC 7636 §4.1: `code-verifier = 43*128unreserved`, where unreserved is
/// `A-Z a-z 0-9 - . _ ~`.
pub fn valid_code_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), i.e.
/// exactly 43 base64url characters that decode to 32 bytes.
pub fn valid_code_challenge(c: &str) -> bool {
    c.len() == 43 && b64::decode(c).is_some_and(|d| d.len() == 32)
}

/// RFC 7636 §4.6: recompute BASE64URL(SHA256(ASCII(verifier))) and compare
/// with the stored challenge in constant time. A syntactically invalid
/// verifier never matches.
pub fn pkce_s256_matches(challenge: &str, verifier: &str) -> bool {
    if !valid_code_verifier(verifier) {
        return false;
    }
    let computed = b64::encode(&Sha256::digest(verifier.as_bytes()));
    tessera_core::secret_token::constant_time_eq(computed.as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b() {
        assert!(valid_code_verifier(VERIFIER));
        assert!(valid_code_challenge(CHALLENGE));
        assert!(pkce_s256_matches(CHALLENGE, VERIFIER));
    }

    #[test]
    fn mismatches() {
        let mut other = VERIFIER.to_owned();
        other.replace_range(0..1, "e");
        assert!(!pkce_s256_matches(CHALLENGE, &other));
        // `plain` style: the verifier itself is not an S256 challenge.
        assert!(!pkce_s256_matches(VERIFIER, VERIFIER));
        assert!(!pkce_s256_matches("", VERIFIER));
        assert!(!pkce_s256_matches(&CHALLENGE[..42], VERIFIER));
    }

    #[test]
    fn verifier_length_and_characters() {
        assert!(valid_code_verifier(&"a".repeat(43)));
        assert!(valid_code_verifier(&"a".repeat(128)));
        assert!(valid_code_verifier("~._-AZaz09~._-AZaz09~._-AZaz09~._-AZaz09~._"));
        assert!(!valid_code_verifier(&"a".repeat(42)));
        assert!(!valid_code_verifier(&"a".repeat(129)));
        assert!(!valid_code_verifier(""));
        for bad in [' ', '+', '/', '=', '%', 'é'] {
            let v = format!("{}{bad}", "a".repeat(42));
            assert!(!valid_code_verifier(&v), "{bad:?}");
        }
        // An invalid verifier never matches, even if its hash would.
        let long = "a".repeat(129);
        let ch = b64::encode(&Sha256::digest(long.as_bytes()));
        assert!(!pkce_s256_matches(&ch, &long));
    }

    #[test]
    fn challenge_shape() {
        assert!(!valid_code_challenge(&CHALLENGE[..42]));
        assert!(!valid_code_challenge(&format!("{CHALLENGE}A")));
        assert!(!valid_code_challenge(&format!("{CHALLENGE}=")));
        assert!(!valid_code_challenge(&CHALLENGE.replace('-', "+")));
        assert!(!valid_code_challenge(VERIFIER.get(..42).unwrap_or_default()));
        // 43 chars whose last one carries non-zero padding bits: not a SHA-256 encoding.
        assert!(!valid_code_challenge(&format!("{}B", &CHALLENGE[..42])));
    }
}
