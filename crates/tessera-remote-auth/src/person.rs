//! The signed-in person as the helpdesk should see them.
//!
//! The web layer fills this from the Tessera account; the signers only read
//! it. Optional fields that are `None` *or* empty are treated as absent.

use crate::RemoteAuthError;

/// The person being signed in to the helpdesk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// Display name. Must not be empty.
    pub name: String,
    /// Email address. Must not be empty; helpdesks key accounts on it.
    pub email: String,
    /// Stable Tessera account id; lets the helpdesk follow email changes.
    /// Empty means "none", which only the JWT signer accepts: the legacy
    /// Zendesk signers need one, and `zendesk_md5` needs the account's UUID.
    pub external_id: String,
    /// Organization (Zendesk) or company (Freshdesk).
    pub organization: Option<String>,
    /// Zendesk tags.
    pub tags: Vec<String>,
    /// Absolute URL of a profile photo (Zendesk).
    pub remote_photo_url: Option<String>,
    /// Locale such as `en-US` (Zendesk JWT).
    pub locale: Option<String>,
    /// Zendesk role: `user`, `agent` or `admin` (Zendesk JWT).
    pub role: Option<String>,
    /// Phone number (Zendesk JWT, Freshdesk).
    pub phone: Option<String>,
}

impl Person {
    /// Checks the fields every helpdesk needs.
    pub(crate) fn require_identity(&self) -> Result<(), RemoteAuthError> {
        if self.email.trim().is_empty() {
            return Err(RemoteAuthError::MissingEmail);
        }
        if self.name.trim().is_empty() {
            return Err(RemoteAuthError::EmptyName);
        }
        Ok(())
    }
}

/// An optional field's value, with `Some("")` treated as absent.
pub(crate) fn present(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|value| !value.is_empty())
}

/// The external id, with `""` treated as absent.
pub(crate) fn external_id(person: &Person) -> Option<&str> {
    Some(person.external_id.as_str()).filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> Person {
        Person {
            name: "Jane Doe".into(),
            email: "jane@example.com".into(),
            ..Person::default()
        }
    }

    #[test]
    fn requires_email_and_name() {
        assert_eq!(jane().require_identity(), Ok(()));
        let no_email = Person {
            email: "  ".into(),
            ..jane()
        };
        assert_eq!(no_email.require_identity(), Err(RemoteAuthError::MissingEmail));
        let no_name = Person {
            name: String::new(),
            ..jane()
        };
        assert_eq!(no_name.require_identity(), Err(RemoteAuthError::EmptyName));
    }

    #[test]
    fn empty_optional_values_are_absent() {
        assert_eq!(present(&None), None);
        assert_eq!(present(&Some(String::new())), None);
        assert_eq!(present(&Some("Acme".into())), Some("Acme"));
        assert_eq!(external_id(&jane()), None);
    }
}
