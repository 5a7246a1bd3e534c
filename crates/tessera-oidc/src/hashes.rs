//! Token hash claims for ID tokens.

use sha2::{Digest, Sha256, Sha512};

use crate::b64;
use crate::keys::SigningAlg;

/// `at_hash` (OIDC Core §3.1.3.6): base64url of the left-most half of the
/// hash of the ASCII access token, where the hash is the one of the ID
/// token's `alg`: SHA-256 for RS256 and ES256. EdDSA names no hash of its
/// own; Ed25519 hashes with SHA-512 internally, and that is what the
/// OpenID Foundation's errata and common libraries use, so the left 32
/// bytes of SHA-512 it is.
pub fn at_hash(access_token: &str, alg: SigningAlg) -> String {
    match alg {
        SigningAlg::Rs256 | SigningAlg::Es256 => {
            let digest = Sha256::digest(access_token.as_bytes());
            b64::encode(&digest[..digest.len() / 2])
        }
        SigningAlg::EdDsa => {
            let digest = Sha512::digest(access_token.as_bytes());
            b64::encode(&digest[..digest.len() / 2])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::digest;

    #[test]
    fn oidc_core_appendix_a3_vector() {
        // OIDC Core Appendix A.3 (response_type=id_token token, RS256).
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", SigningAlg::Rs256),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn recomputed_with_another_library() {
        let token = "dNZX1hEZ9wBCzNL40Upu646bdzQA";
        let d256 = digest::digest(&digest::SHA256, token.as_bytes());
        let d512 = digest::digest(&digest::SHA512, token.as_bytes());
        for alg in [SigningAlg::Rs256, SigningAlg::Es256] {
            assert_eq!(at_hash(token, alg), b64::encode(&d256.as_ref()[..16]));
        }
        assert_eq!(at_hash(token, SigningAlg::Rs256), "wfgvmE9VxjAudsl9lc6TqA");
        let ed = at_hash(token, SigningAlg::EdDsa);
        assert_eq!(ed, b64::encode(&d512.as_ref()[..32]));
        assert_eq!(ed.len(), 43);
    }
}
