//! The shared secret between Tessera and a helpdesk.
//!
//! A newtype so the secret cannot be printed by accident: `Debug` shows
//! `Secret(***)`, there is no `Display` and no `Serialize`.

use std::fmt;

use serde::Deserialize;

use crate::RemoteAuthError;

/// A helpdesk shared secret (Zendesk "token", Freshdesk "secret key").
///
/// Deliberately not `PartialEq`: comparing secrets with `==` is not constant time.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a shared secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret's bytes, for keying a MAC.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether the secret is empty (a configuration mistake).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Fails with [`RemoteAuthError::EmptySecret`] when the secret is empty:
    /// signing with an empty key would produce links anyone can forge.
    pub(crate) fn require_non_empty(&self) -> Result<&Self, RemoteAuthError> {
        if self.is_empty() {
            Err(RemoteAuthError::EmptySecret)
        } else {
            Ok(self)
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
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
        assert_eq!(secret.as_bytes(), b"hunter2");
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        let secret: Secret = serde_json::from_str("\"abc123\"").unwrap();
        assert_eq!(secret.as_bytes(), b"abc123");
    }

    #[test]
    fn empty_secret_is_rejected() {
        assert_eq!(
            Secret::new("").require_non_empty().unwrap_err(),
            RemoteAuthError::EmptySecret
        );
        assert!(Secret::new("x").require_non_empty().is_ok());
    }
}
