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

use md5::{Digest, Md5};
use url::Url;

use crate::endpoint::endpoint_url;
use crate::hex::encode_lower;
use crate::person::{external_id, present};
use crate::return_to::checked_return_to;
use crate::{Person, RemoteAuthError, Secret};

/// Builds the Zendesk legacy remote-authentication redirect
/// `{base}/access/remote/?name=…&email=…&external_id=…&organization=…&timestamp=…&hash=…&return_to=…`.
///
/// `timestamp` is the value Zendesk sent to the remote login page (or the
/// current Unix time); `return_to` must pass [`crate::return_to_allowed`].
pub fn zendesk_md5(
    base: &Url,
    secret: &Secret,
    person: &Person,
    timestamp: i64,
    return_to: Option<&str>,
) -> Result<Url, RemoteAuthError> {
    let secret = secret.require_non_empty()?;
    person.require_identity()?;
    let return_to = checked_return_to(base, return_to)?;
    let mut url = endpoint_url(base, "access/remote/")?;
    let timestamp = timestamp.to_string();
    let external_id = external_id(person);
    let organization = present(&person.organization);

    let digest = Md5::new()
        .chain_update(&person.name)
        .chain_update(&person.email)
        .chain_update(external_id.unwrap_or_default())
        .chain_update(organization.unwrap_or_default())
        .chain_update(secret.as_bytes())
        .chain_update(&timestamp)
        .finalize();
    let hash = encode_lower(&digest);

    {
        let mut query = url.query_pairs_mut();
        query.append_pair("name", &person.name);
        query.append_pair("email", &person.email);
        if let Some(external_id) = external_id {
            query.append_pair("external_id", external_id);
        }
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
/// strings, tags joined with commas.
pub fn zendesk_md5_pipe(
    base: &Url,
    secret: &Secret,
    person: &Person,
    timestamp: i64,
    return_to: Option<&str>,
) -> Result<Url, RemoteAuthError> {
    let secret = secret.require_non_empty()?;
    person.require_identity()?;
    let return_to = checked_return_to(base, return_to)?;
    let mut url = endpoint_url(base, "access/remoteauth/")?;
    let timestamp = timestamp.to_string();
    let external_id = external_id(person);
    let organization = present(&person.organization);
    let tags = person.tags.join(",");
    let photo = present(&person.remote_photo_url);

    let digest = Md5::new()
        .chain_update(&person.name)
        .chain_update("|")
        .chain_update(&person.email)
        .chain_update("|")
        .chain_update(external_id.unwrap_or_default())
        .chain_update("|")
        .chain_update(organization.unwrap_or_default())
        .chain_update("|")
        .chain_update(&tags)
        .chain_update("|")
        .chain_update(photo.unwrap_or_default())
        .chain_update("|")
        .chain_update(secret.as_bytes())
        .chain_update("|")
        .chain_update(&timestamp)
        .finalize();
    let hash = encode_lower(&digest);

    {
        let mut query = url.query_pairs_mut();
        query.append_pair("name", &person.name);
        query.append_pair("email", &person.email);
        if let Some(external_id) = external_id {
            query.append_pair("external_id", external_id);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{jane, param, query, secret, zendesk};
    use crate::verify_hex_digest;

    fn md5_hex(text: &str) -> String {
        encode_lower(&Md5::digest(text.as_bytes()))
    }

    #[test]
    fn zendesk_vector_byte_for_byte() {
        // Vector from the project's spec; hash re-checked with
        // python3 hashlib.md5(b"Jane Doejane@example.comjaneabc1231700000000").
        let url = zendesk_md5(&zendesk(), &secret(), &jane(), 1_700_000_000, None).unwrap();
        assert_eq!(param(&url, "hash").as_deref(), Some("3ec011c17ff8b69c842edfe97bff8998"));
        assert_eq!(
            url.as_str(),
            "https://example.zendesk.com/access/remote/?name=Jane+Doe&email=jane%40example.com\
             &external_id=jane&timestamp=1700000000&hash=3ec011c17ff8b69c842edfe97bff8998"
        );
    }

    #[test]
    fn tricky_values_round_trip_and_rehash() {
        let person = Person {
            name: "Zoë \"Z\" O'Brien & Co + =50% #1 Ünïcødé".into(),
            email: "zoe+help@example.com".into(),
            external_id: "id&=#1".into(),
            organization: Some("Ärger & Söhne #2".into()),
            ..Person::default()
        };
        let return_to = "https://example.zendesk.com/hc/en-us?a=1&b=2#x";
        let url = zendesk_md5(&zendesk(), &secret(), &person, 42, Some(return_to)).unwrap();

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
            let url = zendesk_md5(&base, &secret(), &jane(), 1, None).unwrap();
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
        let url = zendesk_md5_pipe(&zendesk(), &secret(), &person, 1_700_000_000, None).unwrap();
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
            name: "A|B".into(),
            email: "a@example.com".into(),
            remote_photo_url: Some("https://cdn.example/p.png?s=1&t=2".into()),
            ..Person::default()
        };
        let url = zendesk_md5_pipe(&zendesk(), &secret(), &person, 7, None).unwrap();
        let expected = md5_hex("A|B|a@example.com||||https://cdn.example/p.png?s=1&t=2|abc123|7");
        assert_eq!(param(&url, "hash"), Some(expected));
        assert_eq!(
            param(&url, "remote_photo_url").as_deref(),
            Some("https://cdn.example/p.png?s=1&t=2")
        );
        assert_eq!(param(&url, "external_id"), None);
        assert_eq!(param(&url, "tags"), None);
    }

    #[test]
    fn missing_email_is_reported_without_the_secret() {
        let person = Person {
            email: String::new(),
            ..jane()
        };
        let secret = Secret::new("very-secret-token");
        for result in [
            zendesk_md5(&zendesk(), &secret, &person, 1, None),
            zendesk_md5_pipe(&zendesk(), &secret, &person, 1, None),
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
            zendesk_md5(&zendesk(), &secret(), &jane(), 1, Some("https://evil.com/")),
            Err(RemoteAuthError::ReturnToNotAllowed)
        );
        assert_eq!(
            zendesk_md5_pipe(&zendesk(), &Secret::new(""), &jane(), 1, None),
            Err(RemoteAuthError::EmptySecret)
        );
        let nameless = Person {
            name: " ".into(),
            ..jane()
        };
        assert_eq!(
            zendesk_md5(&zendesk(), &secret(), &nameless, 1, None),
            Err(RemoteAuthError::EmptyName)
        );
    }
}
