//! Freshdesk "simple SSO" sign-in links, signed with HMAC-MD5.
//!
//! Vendor documentation: Freshdesk "Single Sign On / Remote Authentication"
//! (<http://training.freshdesk.com/support/solutions/articles/3000031767-sso>;
//! the identical Freshservice article
//! <https://support.freshservice.com/support/solutions/articles/218278> spells
//! out the field order). The hash is HMAC-MD5 keyed with the shared secret
//! over `name + secret + email + timestamp` (the secret appears in the
//! message too; that is the vendor's format), lowercase hex.

use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use url::Url;

use tessera_core::secret_token::hex_lower;

use crate::endpoint::endpoint_url;
use crate::person::present;
use crate::return_to::checked_return_to;
use crate::secret::shared_secret;
use crate::{FreshTimestamp, Person, RemoteAuthError, Secret};

/// Builds the Freshdesk redirect
/// `{portal}/login/sso?name=…&email=…&phone=…&company=…&timestamp=…&hash=…&redirect_to=…`.
///
/// `company` is the person's organization. `redirect_to` must pass
/// [`crate::return_to_allowed`] against the portal address.
pub fn freshdesk(
    base: &Url,
    secret: &Secret,
    person: &Person,
    timestamp: FreshTimestamp,
    redirect_to: Option<&str>,
) -> Result<Url, RemoteAuthError> {
    let secret = shared_secret(secret)?;
    person.require_identity()?;
    let redirect_to = checked_return_to(base, redirect_to)?;
    let mut url = endpoint_url(base, "login/sso")?;
    let timestamp = timestamp.seconds().to_string();
    let message = [
        person.name.as_bytes(),
        secret,
        person.email.as_bytes(),
        timestamp.as_bytes(),
    ];
    let hash = hmac_md5_hex(secret, &message);

    {
        let mut query = url.query_pairs_mut();
        query.append_pair("name", &person.name);
        query.append_pair("email", &person.email);
        if let Some(phone) = present(&person.phone) {
            query.append_pair("phone", phone);
        }
        if let Some(company) = present(&person.organization) {
            query.append_pair("company", company);
        }
        query.append_pair("timestamp", &timestamp);
        query.append_pair("hash", &hash);
        if let Some(redirect_to) = redirect_to {
            query.append_pair("redirect_to", redirect_to);
        }
    }
    Ok(url)
}

/// Lowercase hex HMAC-MD5 (RFC 2104) under `key` over the concatenation of `parts`: the
/// vendor's choice of MAC, so it lives here and not with the shared primitives.
fn hmac_md5_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of every length");
    for part in parts {
        mac.update(part);
    }
    hex_lower(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, jane, param, query};
    use crate::verify_hex_digest;

    fn portal() -> Url {
        Url::parse("https://acme.freshdesk.com/").unwrap()
    }

    #[test]
    fn pinned_vector() {
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"secret",
        //   b"Jane Doesecretjane@example.com1700000000", hashlib.md5).hexdigest())'
        // prints 85aa33db936b506f07c2c0c0aab2f576.
        let url = freshdesk(&portal(), &Secret::new("secret"), &jane(), at(1_700_000_000), None).unwrap();
        assert_eq!(
            url.as_str(),
            "https://acme.freshdesk.com/login/sso?name=Jane+Doe&email=jane%40example.com\
             &timestamp=1700000000&hash=85aa33db936b506f07c2c0c0aab2f576"
        );
        assert_eq!(
            hmac_md5_hex(b"secret", &[b"Jane Doesecretjane@example.com1700000000"]),
            "85aa33db936b506f07c2c0c0aab2f576"
        );
    }

    #[test]
    fn hash_recomputes_from_decoded_values() {
        let person = Person {
            name: "Zoë \"Z\" O'Brien & Co + =50% #1".into(),
            email: "zoe+help@example.com".into(),
            organization: Some("Acme & Söhne".into()),
            phone: Some("+1 555 0100".into()),
            ..Person::default()
        };
        let secret = Secret::new("k3y&=");
        let redirect_to = "https://acme.freshdesk.com/support/tickets?x=1&y=2";
        let url = freshdesk(&portal(), &secret, &person, at(99), Some(redirect_to)).unwrap();
        let keys: Vec<String> = query(&url).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["name", "email", "phone", "company", "timestamp", "hash", "redirect_to"]
        );
        let value = |key: &str| param(&url, key).unwrap();
        assert_eq!(value("name"), person.name);
        assert_eq!(value("email"), person.email);
        assert_eq!(value("phone"), "+1 555 0100");
        assert_eq!(value("company"), "Acme & Söhne");
        assert_eq!(value("redirect_to"), redirect_to);
        let message = format!("{}k3y&={}{}", value("name"), value("email"), value("timestamp"));
        let expected = hmac_md5_hex(b"k3y&=", &[message.as_bytes()]);
        assert!(verify_hex_digest(&expected, &value("hash")));
        assert!(!url.as_str().contains("k3y"));
    }

    #[test]
    fn path_prefix_is_kept() {
        let base = Url::parse("https://help.example.com/portal/").unwrap();
        let url = freshdesk(&base, &Secret::new("s"), &jane(), at(1), None).unwrap();
        assert_eq!(url.path(), "/portal/login/sso");
    }

    #[test]
    fn errors_do_not_leak_the_secret() {
        let no_email = Person {
            email: String::new(),
            ..jane()
        };
        let err = freshdesk(&portal(), &Secret::new("topsecret"), &no_email, at(1), None).unwrap_err();
        assert_eq!(err, RemoteAuthError::MissingEmail);
        assert!(!err.to_string().contains("topsecret"));
        assert_eq!(
            freshdesk(
                &portal(),
                &Secret::new("topsecret"),
                &jane(),
                at(1),
                Some("https://evil.com/")
            ),
            Err(RemoteAuthError::ReturnToNotAllowed)
        );
    }
}
