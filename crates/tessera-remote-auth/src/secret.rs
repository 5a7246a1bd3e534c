//! The shared secret between Tessera and a helpdesk: [`tessera_core::secret::Secret`]
//! (zeroed on drop, `Debug` shows `Secret(***)`, no `Display` and no `Serialize`), and the
//! one check every signer makes before using it.

use tessera_core::secret::{ExposeSecret, Secret};

use crate::RemoteAuthError;

/// The secret's bytes, for keying a MAC or a hash. Fails with
/// [`RemoteAuthError::EmptySecret`] when the secret is empty: signing with an empty key
/// would produce links anyone can forge.
pub(crate) fn shared_secret(secret: &Secret) -> Result<&[u8], RemoteAuthError> {
    let bytes = secret.expose_secret().as_bytes();
    if bytes.is_empty() {
        Err(RemoteAuthError::EmptySecret)
    } else {
        Ok(bytes)
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
        assert_eq!(shared_secret(&secret).unwrap(), b"hunter2");
    }

    #[test]
    fn empty_secret_is_rejected() {
        assert_eq!(
            shared_secret(&Secret::new("")).unwrap_err(),
            RemoteAuthError::EmptySecret
        );
        assert!(shared_secret(&Secret::new("x")).is_ok());
    }
}
