//! PKCE for our side as an OAuth client (RFC 7636), S256 only.

use tessera_core::secret_token;

/// RFC 7636 §4.1: 32 random octets, base64url → a 43-character verifier.
pub(crate) fn new_verifier() -> String {
    secret_token::random_token(32)
}

/// RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`.
pub(crate) fn s256_challenge(verifier: &str) -> String {
    // The same form as the stored digests: base64url(SHA-256).
    secret_token::digest(verifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let v = new_verifier();
        assert_eq!(v.len(), 43);
        assert_ne!(v, new_verifier());
    }
}
