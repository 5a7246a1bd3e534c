//! What the legacy Zendesk signers refuse to sign, so that the fields they
//! hash cannot be re-split into another person's identity.
//!
//! Both legacy hashes run over fields joined without an unambiguous encoding
//! (see the module docs of `src/zendesk_md5.rs` for the scheme-by-scheme
//! reasoning), and Zendesk recomputes the hash from whatever query values it
//! receives. Whoever holds a signed link can therefore move the boundaries
//! between fields, as long as the joined string stays the same. The rules
//! here anchor the fields that carry identity:
//!
//! * concatenated scheme: the email is the only field with an `@`, and has
//!   exactly one, so every re-split whose `email` is an address is built
//!   around the signer's own `@`; the external id is an account id (a UUID:
//!   fixed length, so it cannot be trimmed into another one), and it is the
//!   only UUID-shaped run of the joined string, so no re-split can find
//!   another account's id anywhere else;
//! * `|` scheme: no field contains `|`, so the separators are exactly the
//!   joining ones and the split is unique; no tag contains `,`, so the tag
//!   list splits back into the same tags;
//! * both: the external id is never empty, so Zendesk never falls back to
//!   matching by email alone for a link Tessera signed as is.
//!
//! The checks live here, inside the signers, so that no caller can forget
//! them. Errors name the field and the character, never a value or the
//! secret.

use std::fmt;

use crate::person::present;
use crate::{Person, RemoteAuthError};

/// A field of the person as a helpdesk receives it; named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonField {
    /// `name`
    Name,
    /// `email`
    Email,
    /// `external_id`
    ExternalId,
    /// `organization`
    Organization,
    /// `tags`
    Tags,
    /// `remote_photo_url`
    RemotePhotoUrl,
}

impl PersonField {
    /// The field's name in the helpdesk's query string.
    pub const fn as_str(self) -> &'static str {
        match self {
            PersonField::Name => "name",
            PersonField::Email => "email",
            PersonField::ExternalId => "external_id",
            PersonField::Organization => "organization",
            PersonField::Tags => "tags",
            PersonField::RemotePhotoUrl => "remote_photo_url",
        }
    }
}

impl fmt::Display for PersonField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Both legacy schemes: an empty external id lets Zendesk match by email
/// alone, and it is the field an attacker most easily empties by re-splitting.
pub(crate) fn require_external_id(person: &Person) -> Result<(), RemoteAuthError> {
    if person.external_id.trim().is_empty() {
        return Err(RemoteAuthError::MissingExternalId);
    }
    Ok(())
}

/// The concatenated scheme (`name + email + external_id + organization`):
/// the email's single `@` is the only one, and the external id is an account
/// id found nowhere else in the joined fields.
pub(crate) fn check_concatenated(person: &Person) -> Result<(), RemoteAuthError> {
    if person.email.matches('@').count() != 1 {
        return Err(RemoteAuthError::MalformedEmail);
    }
    let fields = [
        (PersonField::Name, person.name.as_str()),
        (PersonField::Email, person.email.as_str()),
        (PersonField::ExternalId, person.external_id.as_str()),
        (
            PersonField::Organization,
            present(&person.organization).unwrap_or_default(),
        ),
    ];
    for (field, value) in fields {
        if field != PersonField::Email {
            refuse_character(field, value, '@')?;
        }
    }
    if !is_account_id(person.external_id.as_bytes()) {
        return Err(RemoteAuthError::ExternalIdNotAnAccountId);
    }
    refuse_other_account_ids(&fields)
}

/// The length of an account id: a UUID in its 8-4-4-4-12 hexadecimal form.
const ACCOUNT_ID_LEN: usize = 36;

/// Whether `text` is shaped like an account id (either case: Zendesk
/// compares external ids without case).
fn is_account_id(text: &[u8]) -> bool {
    text.len() == ACCOUNT_ID_LEN
        && text.iter().enumerate().all(|(i, byte)| match i {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

/// Refuses an account-id-shaped run anywhere in the joined fields except the
/// external id itself, including runs that straddle two fields: a re-split
/// could hand any of them to Zendesk as the external id.
fn refuse_other_account_ids(fields: &[(PersonField, &str); 4]) -> Result<(), RemoteAuthError> {
    let joined: String = fields.iter().map(|(_, value)| *value).collect();
    let own_start = fields[0].1.len() + fields[1].1.len();
    let other = joined
        .as_bytes()
        .windows(ACCOUNT_ID_LEN)
        .enumerate()
        .find(|(start, window)| *start != own_start && is_account_id(window));
    match other {
        Some((start, _)) => Err(RemoteAuthError::IdLikeText {
            field: field_at(fields, start),
        }),
        None => Ok(()),
    }
}

/// The field in which the byte at `offset` of the joined fields lies.
fn field_at(fields: &[(PersonField, &str); 4], offset: usize) -> PersonField {
    let mut end = 0;
    for (field, value) in fields {
        end += value.len();
        if offset < end {
            return *field;
        }
    }
    PersonField::Organization
}

/// The `|` scheme: no field may contain `|`, no tag may contain `,`.
pub(crate) fn check_pipe_joined(person: &Person) -> Result<(), RemoteAuthError> {
    let fields = [
        (PersonField::Name, person.name.as_str()),
        (PersonField::Email, person.email.as_str()),
        (PersonField::ExternalId, person.external_id.as_str()),
        (
            PersonField::Organization,
            present(&person.organization).unwrap_or_default(),
        ),
        (
            PersonField::RemotePhotoUrl,
            present(&person.remote_photo_url).unwrap_or_default(),
        ),
    ];
    for (field, value) in fields {
        refuse_character(field, value, '|')?;
    }
    for tag in &person.tags {
        refuse_character(PersonField::Tags, tag, '|')?;
        refuse_character(PersonField::Tags, tag, ',')?;
    }
    Ok(())
}

fn refuse_character(field: PersonField, value: &str, character: char) -> Result<(), RemoteAuthError> {
    if value.contains(character) {
        return Err(RemoteAuthError::UnsafeCharacter { field, character });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::jane;

    const ID: &str = "0b6c3c52-5d0e-4d9b-9b8e-3f5a1c2d4e6f";
    const OTHER_ID: &str = "7F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0";

    /// Jane with an account id, as the concatenated scheme needs.
    fn jane_with_id() -> Person {
        Person {
            external_id: ID.into(),
            ..jane()
        }
    }

    fn unsafe_char(field: PersonField, character: char) -> Result<(), RemoteAuthError> {
        Err(RemoteAuthError::UnsafeCharacter { field, character })
    }

    #[test]
    fn an_at_sign_outside_the_email_is_refused_for_the_concatenated_scheme() {
        assert_eq!(check_concatenated(&jane_with_id()), Ok(()));
        let name = Person {
            name: "Jane jane@example.org".into(),
            ..jane_with_id()
        };
        assert_eq!(check_concatenated(&name), unsafe_char(PersonField::Name, '@'));
        let id = Person {
            external_id: "x@y".into(),
            ..jane()
        };
        assert_eq!(check_concatenated(&id), unsafe_char(PersonField::ExternalId, '@'));
        let organization = Person {
            organization: Some("Acme @ Home".into()),
            ..jane_with_id()
        };
        assert_eq!(
            check_concatenated(&organization),
            unsafe_char(PersonField::Organization, '@')
        );
        for email in ["jane.example.com", "jane@x@example.com"] {
            let person = Person {
                email: email.into(),
                ..jane_with_id()
            };
            assert_eq!(
                check_concatenated(&person),
                Err(RemoteAuthError::MalformedEmail),
                "{email}"
            );
        }
    }

    #[test]
    fn the_concatenated_scheme_needs_an_account_id_as_external_id() {
        for not_an_id in ["jane", "xvictim", &ID[1..], &format!("{ID}0"), &ID.replace('-', "_")] {
            let person = Person {
                external_id: not_an_id.into(),
                ..jane()
            };
            assert_eq!(
                check_concatenated(&person),
                Err(RemoteAuthError::ExternalIdNotAnAccountId),
                "{not_an_id}"
            );
        }
        let upper = Person {
            external_id: ID.to_uppercase(),
            ..jane()
        };
        assert_eq!(check_concatenated(&upper), Ok(()));
    }

    #[test]
    fn id_shaped_text_outside_the_external_id_is_refused() {
        let id_like = |field| Err(RemoteAuthError::IdLikeText { field });
        let in_name = Person {
            name: format!("Jane {OTHER_ID}"),
            ..jane_with_id()
        };
        assert_eq!(check_concatenated(&in_name), id_like(PersonField::Name));
        let in_domain = Person {
            email: format!("jane@x.evil{OTHER_ID}.example"),
            ..jane_with_id()
        };
        assert_eq!(check_concatenated(&in_domain), id_like(PersonField::Email));
        let across_name_and_email = Person {
            name: format!("Jane {}", &OTHER_ID[..30]),
            email: format!("{}@example.com", &OTHER_ID[30..]),
            ..jane_with_id()
        };
        assert_eq!(check_concatenated(&across_name_and_email), id_like(PersonField::Name));
        let in_organization = Person {
            organization: Some(format!("Acme {OTHER_ID}")),
            ..jane_with_id()
        };
        assert_eq!(check_concatenated(&in_organization), id_like(PersonField::Organization));
    }

    #[test]
    fn a_pipe_anywhere_and_a_comma_in_a_tag_are_refused_for_the_pipe_scheme() {
        let tagged = Person {
            tags: vec!["vip".into(), "beta".into()],
            organization: Some("Acme, Inc.".into()),
            ..jane()
        };
        assert_eq!(check_pipe_joined(&tagged), Ok(()), "commas outside tags are fine");
        let cases = [
            (
                PersonField::Name,
                Person {
                    name: "A|B".into(),
                    ..jane()
                },
            ),
            (
                PersonField::Email,
                Person {
                    email: "a|b@example.com".into(),
                    ..jane()
                },
            ),
            (
                PersonField::ExternalId,
                Person {
                    external_id: "|".into(),
                    ..jane()
                },
            ),
            (
                PersonField::Organization,
                Person {
                    organization: Some("A|B".into()),
                    ..jane()
                },
            ),
            (
                PersonField::RemotePhotoUrl,
                Person {
                    remote_photo_url: Some("https://x/|".into()),
                    ..jane()
                },
            ),
            (
                PersonField::Tags,
                Person {
                    tags: vec!["a|b".into()],
                    ..jane()
                },
            ),
        ];
        for (field, person) in cases {
            assert_eq!(check_pipe_joined(&person), unsafe_char(field, '|'), "{field}");
        }
        let comma = Person {
            tags: vec!["vip,admin".into()],
            ..jane()
        };
        assert_eq!(check_pipe_joined(&comma), unsafe_char(PersonField::Tags, ','));
    }

    #[test]
    fn an_empty_external_id_is_refused() {
        assert_eq!(require_external_id(&jane()), Ok(()));
        for empty in ["", "  "] {
            let person = Person {
                external_id: empty.into(),
                ..jane()
            };
            assert_eq!(require_external_id(&person), Err(RemoteAuthError::MissingExternalId));
        }
    }

    #[test]
    fn errors_name_the_field_and_character_but_not_the_value() {
        let err = RemoteAuthError::UnsafeCharacter {
            field: PersonField::ExternalId,
            character: '@',
        };
        let text = err.to_string();
        assert!(
            text.starts_with("the external_id sent to the helpdesk contains '@'"),
            "{text}"
        );
        assert!(text.contains("zendesk_jwt"), "{text}");
    }
}
