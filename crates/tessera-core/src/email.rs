//! Email addresses are normalized the way Django does (domain lower-cased, local part kept)
//! and compared case-insensitively by the store. Validation is deliberately modest: the
//! confirmation mail is the real proof that an address works.

use std::fmt;

pub const MAX_EMAIL_LEN: usize = 254; // RFC 5321 §4.5.3.1.3 path limit minus the brackets

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("email addresses are at most {MAX_EMAIL_LEN} characters")]
    TooLong,
    #[error("enter a valid email address, like name@example.com")]
    Invalid,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.contains('.')
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok =
            !local.is_empty() && !local.contains('@') && !local.chars().any(|c| c.is_whitespace() || c.is_control());
        if !domain_ok || !local_ok {
            return Err(EmailError::Invalid);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_domain_only() {
        assert_eq!(Email::parse(" Jane@Example.COM ").unwrap().as_str(), "Jane@example.com");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@localhost",
            "ja ne@example.com",
            "a@b@c.com",
            "jane@exa_mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(250))),
            Err(EmailError::TooLong)
        );
    }
}
