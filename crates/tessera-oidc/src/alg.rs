//! JWS signing algorithms Tessera can sign ID tokens and access tokens with.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::OidcError;

/// A JWS `alg` value (RFC 7518 §3.1, RFC 8037 §3.1). The names are
/// case-sensitive (RFC 7515 §4.1.1), so `rs256` is refused rather than
/// guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys. OIDC Discovery §3
    /// requires every OP to support it.
    #[serde(rename = "RS256")]
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    #[serde(rename = "ES256")]
    Es256,
    /// EdDSA with Ed25519 (RFC 8037).
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl SigningAlg {
    /// Every algorithm, RS256 first (the one relying parties assume).
    pub const ALL: [SigningAlg; 3] = [SigningAlg::Rs256, SigningAlg::Es256, SigningAlg::EdDsa];

    /// The same algorithm as `jsonwebtoken` names it.
    pub(crate) fn jwt_algorithm(self) -> jsonwebtoken::Algorithm {
        match self {
            SigningAlg::Rs256 => jsonwebtoken::Algorithm::RS256,
            SigningAlg::Es256 => jsonwebtoken::Algorithm::ES256,
            SigningAlg::EdDsa => jsonwebtoken::Algorithm::EdDSA,
        }
    }

    /// The JOSE name: `RS256`, `ES256` or `EdDSA`.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
            SigningAlg::EdDsa => "EdDSA",
        }
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlg {
    type Err = OidcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SigningAlg::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| OidcError::UnsupportedAlg(crate::error::echo(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_str_and_serde() {
        for alg in SigningAlg::ALL {
            assert_eq!(alg.as_str().parse::<SigningAlg>(), Ok(alg));
            let json = serde_json::to_value(alg).unwrap();
            assert_eq!(json, serde_json::Value::String(alg.as_str().to_owned()));
            assert_eq!(serde_json::from_value::<SigningAlg>(json).unwrap(), alg);
        }
    }

    #[test]
    fn unknown_names_are_refused_clearly() {
        for bad in ["rs256", "HS256", "none", "", "EDDSA"] {
            let err = bad.parse::<SigningAlg>().unwrap_err();
            assert!(err.to_string().contains("expected one of RS256, ES256, EdDSA"));
        }
        assert!(serde_json::from_str::<SigningAlg>("\"HS256\"").is_err());
    }
}
