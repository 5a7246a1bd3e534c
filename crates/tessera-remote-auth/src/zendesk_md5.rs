//! Zendesk legacy ("remote authentication") sign-in links, signed with MD5.
//!
//! Zendesk deprecated this protocol in 2013 in favour of JWT, but older and
//! self-hosted setups still use it, so Tessera keeps speaking it. Vendor
//! documentation: "Remote Authentication" in the archived Zendesk API docs
//! (<http://www.zendesk.com/api/remote_authentication>) and the PDF "Setting
//! up single sign-on with Zendesk Remote Authentication (Deprecated)" linked
//! from <https://support.zendesk.com/hc/en-us/articles/203663816>.
//!
//! Two hash layouts exist in the wild and both are supported:
//!
//! * [`zendesk_md5`]: `MD5(name + email + external_id + organization + token
//!   + timestamp)`, plain concatenation, to `/access/remote/`.
//! * [`zendesk_md5_pipe`]: `MD5(name|email|external_id|organization|tags|
//!   remote_photo_url|token|timestamp)`, to `/access/remoteauth/`.
//!
//! MD5 is the vendor's choice, not ours; the secret never leaves Tessera and
//! the timestamp bounds replay. Every query value is form-urlencoded by the
//! `url` crate, never by string formatting.
//!
//! # Why some values are refused: re-splitting the signed fields
//!
//! Zendesk recomputes the hash from whatever query values it receives, and
//! the hash covers the fields *joined*, not the fields. Whoever holds a signed
//! link may move characters from one field to its neighbour without changing
//! the hash (CWE-140, improper neutralization of delimiters). Before this
//! check, a person who chose the username `xvictim@corp.example` (the old
//! default `external_id`) got a link for
//! `Mallory` + `mallory1@evil.example` + `xvictim@corp.example` that also
//! verifies as name `Mallorymallory1@evil.examplex`, email
//! `victim@corp.example` and an empty external id, and Zendesk then finds the
//! victim by email. The signers refuse what would allow that, and nothing is
//! signed in that case ([`RemoteAuthError::UnsafeCharacter`],
//! [`RemoteAuthError::IdLikeText`], [`RemoteAuthError::ExternalIdNotAnAccountId`],
//! [`RemoteAuthError::MissingExternalId`], [`RemoteAuthError::MalformedEmail`]).
//!
//! **Concatenated scheme.** The hashed string is `P + token + timestamp`
//! with `P = name + email + external_id + organization`. No character marks
//! a boundary inside `P`, so the rules anchor the two fields Zendesk
//! identifies people by, each with something that occurs exactly once in `P`:
//!
//! * The email, by its `@`. Tessera signs only when the email has exactly
//!   one `@` and name, external id and organization have none. A re-split
//!   whose `email` is an address then holds the signer's own `@`: it is the
//!   signer's address with characters taken from, or given to, the end of
//!   the name and the start of the external id. A whole address hidden in a
//!   name or username can no longer surface as the email.
//! * The external id, by its shape. It must be an account id, a UUID
//!   (`external_id: user_id`, Tessera's default: nobody chooses it and it
//!   never changes), and no other run of `P` may be shaped like one, not even
//!   one straddling two fields or inside the email's domain (a person can
//!   own `x.evil<uuid>.example`). A re-split's external id that is shaped
//!   like an account id is then the signer's own; one of any other shape is
//!   nobody's. A username would not do: `xvictim` can be cut into `victim`
//!   by moving the `x` into the email, without any `@`.
//! * The external id is never empty: an empty one would let Zendesk match
//!   by email alone for the link exactly as signed.
//! * Nothing moves across the token. Moving `k` characters between the last
//!   field of `P` and the timestamp keeps the hashed string only if the token
//!   also occurs `k` characters away from where it is, i.e. if it is a block
//!   repeated with period `k`; and as the moved block lands in (or comes from)
//!   the decimal timestamp, that block, and so the whole token, would consist
//!   of digits. Zendesk's tokens are random letters and digits. Even then only
//!   characters of the token itself would move (the attacker would have to
//!   know it), and no `@` could cross. So digits at the end of `P` and the
//!   timestamp's digits stay apart.
//!
//! What the rules cannot remove, and why [`crate::zendesk_jwt()`] is the
//! recommendation: a re-split can always move the external id into the
//! organization (leaving it empty), and can present a *neighbour* of the
//! signer's own address: `xvictim@mail.example` can be sent as
//! `victim@mail.example`, an address at `corp.community` as one at
//! `corp.com`. Zendesk then finds the signer by external id if it knows it;
//! whether it otherwise falls back to the email is up to Zendesk.
//!
//! **`|` scheme.** The hashed string is `F1|F2|F3|F4|F5|F6|token|timestamp`.
//! A re-split must produce the same string, so the same number of `|`; the
//! seven joining `|` and those inside the token are the same on both sides,
//! so when no signed field contains `|`, no re-split field (nor the re-split
//! timestamp) can either. The six fields are then the text before the first
//! five `|` on both sides: the split is unique, and the timestamp is fixed
//! as well. Tags are joined with `,`, so a tag must not
//! contain `,` either: `vip,admin` would come back as two tags. `@` needs no
//! rule here.
//!
//! [`RemoteAuthError::UnsafeCharacter`]: crate::RemoteAuthError::UnsafeCharacter
//! [`RemoteAuthError::IdLikeText`]: crate::RemoteAuthError::IdLikeText
//! [`RemoteAuthError::ExternalIdNotAnAccountId`]: crate::RemoteAuthError::ExternalIdNotAnAccountId
//! [`RemoteAuthError::MissingExternalId`]: crate::RemoteAuthError::MissingExternalId
//! [`RemoteAuthError::MalformedEmail`]: crate::RemoteAuthError::MalformedEmail

use md5::{Digest, Md5};
use tessera_core::secret_token::hex_lower;
use url::Url;

use crate::endpoint::endpoint_url;
use crate::legacy_fields::{check_concatenated, check_pipe_joined, require_external_id};
use crate::person::present;
use crate::return_to::checked_return_to;
use crate::secret::shared_secret;
use crate::{FreshTimestamp, Person, RemoteAuthError, Secret};

/// Builds the Zendesk legacy remote-authentication redirect
/// `{base}/access/remote/?name=…&email=…&external_id=…&organization=…&timestamp=…&hash=…&return_to=…`.
///
/// `timestamp` is the value Zendesk sent to the remote login page (or the
/// current Unix time); `return_to` must pass [`crate::return_to_allowed`].
/// Refuses an `@` outside the email, an external id that is not an account
/// id (UUID), and id-shaped text anywhere else (see the module docs).
pub fn zendesk_md5(
    base: &Url,
    secret: &Secret,
    person: &Person,
    timestamp: FreshTimestamp,
    return_to: Option<&str>,
) -> Result<Url, RemoteAuthError> {
    let secret = shared_secret(secret)?;
    person.require_identity()?;
    require_external_id(person)?;
    check_concatenated(person)?;
    let return_to = checked_return_to(base, return_to)?;
    let mut url = endpoint_url(base, "access/remote/")?;
    let timestamp = timestamp.seconds().to_string();
    let organization = present(&person.organization);
    let hash = concatenated_hash(person, secret, &timestamp);

    {
        let mut query = url.query_pairs_mut();
        query.append_pair("name", &person.name);
        query.append_pair("email", &person.email);
        query.append_pair("external_id", &person.external_id);
        if let Some(organization) = organization {
            query.append_pair("organization", organization);
        }
        query.append_pair("timestamp", &timestamp);
        query.append_pair("hash", &hash);
        if let Some(return_to) = return_to {
            query.append_pair("return_to", return_to);
        }
    }
    Ok(url)
}

/// Builds the pipe-separated variant's redirect
/// `{base}/access/remoteauth/?name=…&email=…&external_id=…&organization=…&tags=…&remote_photo_url=…&timestamp=…&hash=…&return_to=…`.
///
/// The hash covers all eight fields joined with `|`, absent ones as empty
/// strings, tags joined with commas. Refuses an empty external id, a `|` in
/// any field and a `,` in a tag (see the module docs).
pub fn zendesk_md5_pipe(
    base: &Url,
    secret: &Secret,
    person: &Person,
    timestamp: FreshTimestamp,
    return_to: Option<&str>,
) -> Result<Url, RemoteAuthError> {
    let secret = shared_secret(secret)?;
    person.require_identity()?;
    require_external_id(person)?;
    check_pipe_joined(person)?;
    let return_to = checked_return_to(base, return_to)?;
    let mut url = endpoint_url(base, "access/remoteauth/")?;
    let timestamp = timestamp.seconds().to_string();
    let organization = present(&person.organization);
    let tags = person.tags.join(",");
    let photo = present(&person.remote_photo_url);
    let hash = pipe_hash(person, &tags, secret, &timestamp);

    {
        let mut query = url.query_pairs_mut();
        query.append_pair("name", &person.name);
        query.append_pair("email", &person.email);
        query.append_pair("external_id", &person.external_id);
        if let Some(organization) = organization {
            query.append_pair("organization", organization);
        }
        if !tags.is_empty() {
            query.append_pair("tags", &tags);
        }
        if let Some(photo) = photo {
            query.append_pair("remote_photo_url", photo);
        }
        query.append_pair("timestamp", &timestamp);
        query.append_pair("hash", &hash);
        if let Some(return_to) = return_to {
            query.append_pair("return_to", return_to);
        }
    }
    Ok(url)
}

/// `MD5(name + email + external_id + organization + token + timestamp)`,
/// lowercase hex.
fn concatenated_hash(person: &Person, secret: &[u8], timestamp: &str) -> String {
    let digest = Md5::new()
        .chain_update(&person.name)
        .chain_update(&person.email)
        .chain_update(&person.external_id)
        .chain_update(present(&person.organization).unwrap_or_default())
        .chain_update(secret)
        .chain_update(timestamp)
        .finalize();
    hex_lower(&digest)
}

/// `MD5(name|email|external_id|organization|tags|remote_photo_url|token|timestamp)`,
/// lowercase hex; `tags` already joined with commas.
fn pipe_hash(person: &Person, tags: &str, secret: &[u8], timestamp: &str) -> String {
    let digest = Md5::new()
        .chain_update(&person.name)
        .chain_update("|")
        .chain_update(&person.email)
        .chain_update("|")
        .chain_update(&person.external_id)
        .chain_update("|")
        .chain_update(present(&person.organization).unwrap_or_default())
        .chain_update("|")
        .chain_update(tags)
        .chain_update("|")
        .chain_update(present(&person.remote_photo_url).unwrap_or_default())
        .chain_update("|")
        .chain_update(secret)
        .chain_update("|")
        .chain_update(timestamp)
        .finalize();
    hex_lower(&digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, jane, param, query, secret, zendesk};
    use crate::verify_hex_digest;

    const JANE_ID: &str = "0b6c3c52-5d0e-4d9b-9b8e-3f5a1c2d4e6f";

    fn md5_hex(text: &str) -> String {
        hex_lower(&Md5::digest(text.as_bytes()))
    }

    /// Jane with an account id, as the concatenated scheme needs.
    fn jane_with_id() -> Person {
        Person {
            external_id: JANE_ID.into(),
            ..jane()
        }
    }

    #[test]
    fn zendesk_vector_byte_for_byte() {
        // Vector from the project's spec; hash re-checked with
        // python3 hashlib.md5(b"Jane Doejane@example.comjaneabc1231700000000").
        // Its external id "jane" is no longer signed (not an account id), so
        // the hash is checked on its own and the URL with Jane's account id.
        assert_eq!(
            concatenated_hash(&jane(), b"abc123", "1700000000"),
            "3ec011c17ff8b69c842edfe97bff8998"
        );
        let url = zendesk_md5(&zendesk(), &secret(), &jane_with_id(), at(1_700_000_000), None).unwrap();
        let expected = md5_hex(&format!("Jane Doejane@example.com{JANE_ID}abc1231700000000"));
        assert_eq!(
            url.as_str(),
            format!(
                "https://example.zendesk.com/access/remote/?name=Jane+Doe&email=jane%40example.com\
                 &external_id={JANE_ID}&timestamp=1700000000&hash={expected}"
            )
        );
    }

    #[test]
    fn tricky_values_round_trip_and_rehash() {
        let person = Person {
            name: "Zoë \"Z\" O'Brien & Co + =50% #1 Ünïcødé".into(),
            email: "zoe+help@example.com".into(),
            external_id: JANE_ID.into(),
            organization: Some("Ärger & Söhne #2".into()),
            ..Person::default()
        };
        let return_to = "https://example.zendesk.com/hc/en-us?a=1&b=2#x";
        let url = zendesk_md5(&zendesk(), &secret(), &person, at(42), Some(return_to)).unwrap();

        let pairs = query(&url);
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "name",
                "email",
                "external_id",
                "organization",
                "timestamp",
                "hash",
                "return_to"
            ]
        );
        let value = |key: &str| param(&url, key).unwrap();
        assert_eq!(value("name"), person.name);
        assert_eq!(value("email"), person.email);
        assert_eq!(value("external_id"), person.external_id);
        assert_eq!(value("organization"), "Ärger & Söhne #2");
        assert_eq!(value("timestamp"), "42");
        assert_eq!(value("return_to"), return_to);

        // Recompute from the decoded values, as Zendesk would.
        let recomputed = md5_hex(&format!(
            "{}{}{}{}abc123{}",
            value("name"),
            value("email"),
            value("external_id"),
            value("organization"),
            value("timestamp")
        ));
        assert!(verify_hex_digest(&recomputed, &value("hash")));

        // Nothing inside a value escaped into the URL's structure.
        let raw_query = url.query().unwrap();
        assert!(!raw_query.contains(' '));
        assert!(!raw_query.contains('#'));
        assert!(url.fragment().is_none());
        assert_eq!(raw_query.split('&').count(), pairs.len());
        for segment in raw_query.split('&') {
            assert_eq!(segment.matches('=').count(), 1, "{segment}");
        }
    }

    #[test]
    fn base_shapes_give_one_endpoint() {
        for base in [
            "https://example.zendesk.com/",
            "https://example.zendesk.com/access/remote/",
        ] {
            let base = Url::parse(base).unwrap();
            let url = zendesk_md5(&base, &secret(), &jane_with_id(), at(1), None).unwrap();
            assert_eq!(url.path(), "/access/remote/");
        }
    }

    #[test]
    fn pipe_hash_matches_a_hand_written_string() {
        let person = Person {
            organization: Some("Acme".into()),
            tags: vec!["vip".into(), "beta".into()],
            ..jane()
        };
        let url = zendesk_md5_pipe(&zendesk(), &secret(), &person, at(1_700_000_000), None).unwrap();
        // remote_photo_url is absent, so it is the empty field between `||`.
        let expected = md5_hex("Jane Doe|jane@example.com|jane|Acme|vip,beta||abc123|1700000000");
        // Same value from python3 hashlib.md5 over that string.
        assert_eq!(expected, "116e6294aa3efff5da96dddfa5954445");
        assert_eq!(param(&url, "hash"), Some(expected));
        assert_eq!(url.path(), "/access/remoteauth/");
        assert_eq!(param(&url, "tags").as_deref(), Some("vip,beta"));
        assert_eq!(param(&url, "remote_photo_url"), None);
    }

    #[test]
    fn pipe_keeps_empty_fields_and_sends_photo() {
        let person = Person {
            name: "A B".into(),
            email: "a@example.com".into(),
            external_id: "a-1".into(),
            remote_photo_url: Some("https://cdn.example/p.png?s=1&t=2".into()),
            ..Person::default()
        };
        let url = zendesk_md5_pipe(&zendesk(), &secret(), &person, at(7), None).unwrap();
        let expected = md5_hex("A B|a@example.com|a-1|||https://cdn.example/p.png?s=1&t=2|abc123|7");
        assert_eq!(param(&url, "hash"), Some(expected));
        assert_eq!(
            param(&url, "remote_photo_url").as_deref(),
            Some("https://cdn.example/p.png?s=1&t=2")
        );
        assert_eq!(param(&url, "external_id").as_deref(), Some("a-1"));
        assert_eq!(param(&url, "organization"), None);
        assert_eq!(param(&url, "tags"), None);
    }

    #[test]
    fn both_schemes_refuse_an_empty_external_id() {
        let anonymous = Person {
            external_id: String::new(),
            ..jane_with_id()
        };
        for result in [
            zendesk_md5(&zendesk(), &secret(), &anonymous, at(1), None),
            zendesk_md5_pipe(&zendesk(), &secret(), &anonymous, at(1), None),
        ] {
            assert_eq!(result, Err(RemoteAuthError::MissingExternalId));
        }
    }

    #[test]
    fn each_scheme_refuses_its_boundary_characters() {
        let at_in_name = Person {
            name: "Jane jane@example.org".into(),
            ..jane_with_id()
        };
        assert_eq!(
            zendesk_md5(&zendesk(), &secret(), &at_in_name, at(1), None),
            Err(RemoteAuthError::UnsafeCharacter {
                field: crate::PersonField::Name,
                character: '@',
            })
        );
        assert!(
            zendesk_md5_pipe(&zendesk(), &secret(), &at_in_name, at(1), None).is_ok(),
            "an @ moves nothing when the fields are separated"
        );
        let pipe_in_name = Person {
            name: "Jane|Doe".into(),
            ..jane()
        };
        assert_eq!(
            zendesk_md5_pipe(&zendesk(), &secret(), &pipe_in_name, at(1), None),
            Err(RemoteAuthError::UnsafeCharacter {
                field: crate::PersonField::Name,
                character: '|',
            })
        );
        let comma_in_tag = Person {
            tags: vec!["vip,admin".into()],
            ..jane()
        };
        assert_eq!(
            zendesk_md5_pipe(&zendesk(), &secret(), &comma_in_tag, at(1), None),
            Err(RemoteAuthError::UnsafeCharacter {
                field: crate::PersonField::Tags,
                character: ',',
            })
        );
    }

    #[test]
    fn missing_email_is_reported_without_the_secret() {
        let person = Person {
            email: String::new(),
            ..jane()
        };
        let secret = Secret::new("very-secret-token");
        for result in [
            zendesk_md5(&zendesk(), &secret, &person, at(1), None),
            zendesk_md5_pipe(&zendesk(), &secret, &person, at(1), None),
        ] {
            let err = result.unwrap_err();
            assert_eq!(err, RemoteAuthError::MissingEmail);
            assert!(!err.to_string().contains("very-secret-token"));
            assert!(!format!("{err:?}").contains("very-secret-token"));
            assert_eq!(
                err.to_string(),
                "the helpdesk needs an email address; add one to your account"
            );
        }
    }

    #[test]
    fn foreign_return_to_and_empty_secret_are_errors() {
        assert_eq!(
            zendesk_md5(&zendesk(), &secret(), &jane_with_id(), at(1), Some("https://evil.com/")),
            Err(RemoteAuthError::ReturnToNotAllowed)
        );
        assert_eq!(
            zendesk_md5_pipe(&zendesk(), &Secret::new(""), &jane(), at(1), None),
            Err(RemoteAuthError::EmptySecret)
        );
        let nameless = Person {
            name: " ".into(),
            ..jane_with_id()
        };
        assert_eq!(
            zendesk_md5(&zendesk(), &secret(), &nameless, at(1), None),
            Err(RemoteAuthError::EmptyName)
        );
    }
}
