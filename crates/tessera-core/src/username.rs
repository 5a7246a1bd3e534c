//! Usernames follow Django's `auth.User` rules, so imported accounts keep working:
//! 1–150 characters of letters, digits and `@ . + - _`. Uniqueness is case-insensitive
//! (enforced by the store on `lower(username)`), but the spelling the person chose is kept.

use std::fmt;

pub const MAX_USERNAME_LEN: usize = 150;

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("enter a username")]
    Empty,
    #[error("usernames are at most {MAX_USERNAME_LEN} characters")]
    TooLong,
    #[error("usernames may contain only letters, digits and @ . + - _")]
    BadCharacter,
}

impl Username {
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(UsernameError::Empty);
        }
        if trimmed.chars().count() > MAX_USERNAME_LEN {
            return Err(UsernameError::TooLong);
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_');
        if !trimmed.chars().all(allowed) {
            return Err(UsernameError::BadCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key uniqueness is decided on.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_django_charset_and_keeps_case() {
        let u = Username::parse("  Jane.Doe+x@ex_1-2 ").unwrap();
        assert_eq!(u.as_str(), "Jane.Doe+x@ex_1-2");
        assert_eq!(u.folded(), "jane.doe+x@ex_1-2");
        assert!(Username::parse("Zoë").is_ok());
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert_eq!(Username::parse(" "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("a b"), Err(UsernameError::BadCharacter));
        assert_eq!(Username::parse("<script>"), Err(UsernameError::BadCharacter));
        assert_eq!(Username::parse(&"a".repeat(151)), Err(UsernameError::TooLong));
        assert!(Username::parse(&"a".repeat(150)).is_ok());
    }
}
