//! Secrets held in memory: shared secrets from the config (helpdesks, upstream client secrets)
//! and the master key. One wrapper over the `secrecy` crate, so every secret is zeroed when
//! dropped and prints as `Secret(***)`. There is no `Display`, no `Serialize` and no
//! `PartialEq` (`==` is not constant time: compare with
//! [`crate::secret_token::constant_time_eq`]). Read the value with
//! [`ExposeSecret::expose_secret`], at the point of use only.

use std::fmt;

pub use secrecy::ExposeSecret;
use secrecy::SecretBox;
use secrecy::zeroize::Zeroize;
use serde::{Deserialize, Deserializer};

/// A secret value: text by default (`Secret`), or fixed-size key bytes (`Secret<[u8; 32]>`).
pub struct Secret<T: Zeroize + ?Sized = str>(SecretBox<T>);

impl Secret {
    /// Wraps a secret string (from the config, or a test).
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into().into())
    }
}

impl<const N: usize> Secret<[u8; N]> {
    /// Wraps key bytes, such as the decoded master key.
    pub fn from_bytes(bytes: [u8; N]) -> Self {
        Secret(SecretBox::new(Box::new(bytes)))
    }
}

impl<T: Zeroize + ?Sized> ExposeSecret<T> for Secret<T> {
    fn expose_secret(&self) -> &T {
        self.0.expose_secret()
    }
}

impl<T: Zeroize + ?Sized> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret(self.0.clone())
    }
}

impl<const N: usize> Clone for Secret<[u8; N]> {
    fn clone(&self) -> Self {
        Self::from_bytes(*self.expose_secret())
    }
}

impl<const N: usize> From<[u8; N]> for Secret<[u8; N]> {
    fn from(bytes: [u8; N]) -> Self {
        Secret::from_bytes(bytes)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Secret::new(secret)
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Secret::new(secret)
    }
}

/// From a plain string (`client_secret: "…"`).
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{secret:#?}"), "Secret(***)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(***))");
        assert_eq!(secret.expose_secret(), "hunter2");
        let key = Secret::from_bytes([7u8; 32]);
        assert_eq!(format!("{key:?}"), "Secret(***)");
        assert_eq!(key.clone().expose_secret(), &[7u8; 32]);
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        let secret: Secret = serde_json::from_str("\"abc123\"").unwrap();
        assert_eq!(secret.expose_secret().as_bytes(), b"abc123");
        assert!(serde_json::from_str::<Secret>("42").is_err());
    }
}
