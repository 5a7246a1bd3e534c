//! Zendesk JWT single sign-on.
//!
//! Zendesk's current SSO protocol: an HS256 JWT carrying the person, sent to
//! `{base}/access/jwt`. Vendor documentation: "Enabling JWT (JSON Web Token)
//! single sign-on" (<https://support.zendesk.com/hc/en-us/articles/4408845838874>)
//! and "Anatomy of a JWT request"
//! (<https://support.zendesk.com/hc/en-us/articles/4408881965722>). Zendesk
//! refuses a `jti` it has seen before, so the caller passes a fresh one per
//! sign-in, and checks `iat` against its clock, so the caller passes "now".
//!
//! Zendesk advises against tokens in URLs (history, logs), hence the
//! `as_post` option producing an auto-submitting form instead of a redirect.

use serde_json::{Map, Value};
use url::Url;

use crate::endpoint::endpoint_url;
use crate::person::{external_id, present};
use crate::return_to::checked_return_to;
use crate::secret::shared_secret;
use crate::{Delivery, FreshTimestamp, Person, RemoteAuthError, Secret, sign_hs256_jwt};

/// The roles Zendesk accepts in the `role` claim.
const ROLES: [&str; 3] = ["user", "agent", "admin"];

/// Builds a Zendesk JWT sign-in for `person`.
///
/// Claims: `iat`, `jti`, `name`, `email`, and when present `external_id`,
/// `organization`, `tags` (array), `remote_photo_url`, `locale`, `role`,
/// `phone`; absent ones are omitted. With `as_post` the result is a
/// [`Delivery::PostForm`] to `{base}/access/jwt` with fields `jwt` and
/// `return_to`; otherwise a [`Delivery::Redirect`] to
/// `{base}/access/jwt?jwt=…&return_to=…`.
pub fn zendesk_jwt(
    base: &Url,
    secret: &Secret,
    person: &Person,
    issued_at: FreshTimestamp,
    jti: &str,
    return_to: Option<&str>,
    as_post: bool,
) -> Result<Delivery, RemoteAuthError> {
    let secret = shared_secret(secret)?;
    person.require_identity()?;
    if jti.trim().is_empty() {
        return Err(RemoteAuthError::EmptyJti);
    }
    let return_to = checked_return_to(base, return_to)?;
    let action = endpoint_url(base, "access/jwt")?;
    let jwt = sign_hs256_jwt(&claims(person, issued_at.seconds(), jti)?, secret)?;

    let mut fields = vec![("jwt".to_owned(), jwt)];
    if let Some(return_to) = return_to {
        fields.push(("return_to".to_owned(), return_to.to_owned()));
    }
    if as_post {
        return Ok(Delivery::PostForm { action, fields });
    }
    let mut url = action;
    url.query_pairs_mut().extend_pairs(&fields);
    Ok(Delivery::Redirect(url))
}

/// The claims object. Keys are inserted in alphabetical order so the JSON is
/// the same whether `serde_json` keeps insertion order (`preserve_order`
/// feature, which another crate may switch on) or sorts keys.
fn claims(person: &Person, issued_at: i64, jti: &str) -> Result<Value, RemoteAuthError> {
    let role = present(&person.role);
    if let Some(role) = role
        && !ROLES.contains(&role)
    {
        return Err(RemoteAuthError::InvalidRole(role.to_owned()));
    }

    let mut claims = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            claims.insert(key.to_owned(), value);
        }
    };
    let text = |value: Option<&str>| value.map(|v| Value::String(v.to_owned()));
    put("email", text(Some(&person.email)));
    put("external_id", text(external_id(person)));
    put("iat", Some(Value::from(issued_at)));
    put("jti", text(Some(jti)));
    put("locale", text(present(&person.locale)));
    put("name", text(Some(&person.name)));
    put("organization", text(present(&person.organization)));
    put("phone", text(present(&person.phone)));
    put("remote_photo_url", text(present(&person.remote_photo_url)));
    put("role", text(role));
    put(
        "tags",
        (!person.tags.is_empty()).then(|| Value::from(person.tags.clone())),
    );
    Ok(Value::Object(claims))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;
    use tessera_core::secret_token::{base64url, hmac_sha256};

    use super::*;
    use crate::test_support::{at, jane, param, query, secret, zendesk};

    fn redirect(result: Result<Delivery, RemoteAuthError>) -> Url {
        match result.unwrap() {
            Delivery::Redirect(url) => url,
            other => panic!("expected a redirect, got {other:?}"),
        }
    }

    /// Splits a token, checks its signature independently, returns
    /// (header, claims).
    fn verify(token: &str, key: &[u8]) -> (Value, Value) {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "{token}");
        let expected = base64url(&hmac_sha256(key, format!("{}.{}", parts[0], parts[1]).as_bytes()));
        assert_eq!(parts[2], expected, "signature");
        let decode = |part: &str| -> Value { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap() };
        (decode(parts[0]), decode(parts[1]))
    }

    #[test]
    fn minimal_token_is_pinned_and_verifies() {
        let url = redirect(zendesk_jwt(
            &zendesk(),
            &secret(),
            &jane(),
            at(1_700_000_000),
            "jti-1",
            None,
            false,
        ));
        // Cross-checked with python3 (hmac, hashlib.sha256, base64.urlsafe_b64encode
        // without "=", json.dumps(..., separators=(",", ":"), sort_keys=True)), with the
        // header as jsonwebtoken writes it: {"typ":"JWT","alg":"HS256"}.
        let pinned = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.\
            eyJlbWFpbCI6ImphbmVAZXhhbXBsZS5jb20iLCJleHRlcm5hbF9pZCI6ImphbmUiLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6Imp0aS0xIiwibmFtZSI6IkphbmUgRG9lIn0.\
            82ueDhYUNkE8ThygCJaOnmpt1OdJK_2Ybll2uwPidzI";
        assert_eq!(param(&url, "jwt").as_deref(), Some(pinned));
        assert_eq!(url.path(), "/access/jwt");
        assert_eq!(query(&url).len(), 1);

        let (header, claims) = verify(pinned, b"abc123");
        assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
        assert_eq!(
            claims,
            json!({
                "iat": 1_700_000_000,
                "jti": "jti-1",
                "name": "Jane Doe",
                "email": "jane@example.com",
                "external_id": "jane",
            })
        );
    }

    #[test]
    fn optional_claims_present_when_set() {
        let person = Person {
            organization: Some("Acme & Co".into()),
            tags: vec!["vip".into(), "beta".into()],
            remote_photo_url: Some("https://cdn.example/p.png".into()),
            locale: Some("de-CH".into()),
            role: Some("agent".into()),
            phone: Some("+41 44 000 00 00".into()),
            ..jane()
        };
        let return_to = "https://example.zendesk.com/agent?x=1&y=2";
        let url = redirect(zendesk_jwt(
            &zendesk(),
            &secret(),
            &person,
            at(5),
            "abc",
            Some(return_to),
            false,
        ));
        assert_eq!(param(&url, "return_to").as_deref(), Some(return_to));
        let (_, claims) = verify(&param(&url, "jwt").unwrap(), b"abc123");
        assert_eq!(
            claims,
            json!({
                "iat": 5,
                "jti": "abc",
                "name": "Jane Doe",
                "email": "jane@example.com",
                "external_id": "jane",
                "organization": "Acme & Co",
                "tags": ["vip", "beta"],
                "remote_photo_url": "https://cdn.example/p.png",
                "locale": "de-CH",
                "role": "agent",
                "phone": "+41 44 000 00 00",
            })
        );
    }

    #[test]
    fn absent_claims_are_omitted() {
        let person = Person {
            external_id: String::new(),
            organization: Some(String::new()),
            role: None,
            ..jane()
        };
        let url = redirect(zendesk_jwt(&zendesk(), &secret(), &person, at(1), "j", None, false));
        let (_, claims) = verify(&param(&url, "jwt").unwrap(), b"abc123");
        let keys: Vec<&String> = claims.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{claims}");
        for key in ["iat", "jti", "name", "email"] {
            assert!(claims.get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn distinct_jti_give_distinct_tokens() {
        let token = |jti: &str| {
            let url = redirect(zendesk_jwt(&zendesk(), &secret(), &jane(), at(1), jti, None, false));
            param(&url, "jwt").unwrap()
        };
        assert_ne!(token("one"), token("two"));
        assert_eq!(token("one"), token("one"));
    }

    #[test]
    fn post_form_carries_the_same_token() {
        let return_to = "https://example.zendesk.com/hc";
        let posted = zendesk_jwt(&zendesk(), &secret(), &jane(), at(9), "p", Some(return_to), true).unwrap();
        let Delivery::PostForm { action, fields } = posted else {
            panic!("expected a form");
        };
        assert_eq!(action.as_str(), "https://example.zendesk.com/access/jwt");
        let url = redirect(zendesk_jwt(
            &zendesk(),
            &secret(),
            &jane(),
            at(9),
            "p",
            Some(return_to),
            false,
        ));
        assert_eq!(fields, query(&url));
        assert_eq!(fields[1], ("return_to".into(), return_to.into()));
    }

    #[test]
    fn invalid_inputs_are_clear_errors() {
        let bad_role = Person {
            role: Some("superuser".into()),
            ..jane()
        };
        let err = zendesk_jwt(&zendesk(), &secret(), &bad_role, at(1), "j", None, false).unwrap_err();
        assert_eq!(err, RemoteAuthError::InvalidRole("superuser".into()));
        assert!(err.to_string().contains("user, agent, admin"));

        assert_eq!(
            zendesk_jwt(&zendesk(), &secret(), &jane(), at(1), " ", None, false),
            Err(RemoteAuthError::EmptyJti)
        );
        assert_eq!(
            zendesk_jwt(&zendesk(), &Secret::new(""), &jane(), at(1), "j", None, false),
            Err(RemoteAuthError::EmptySecret)
        );
        let no_email = Person {
            email: String::new(),
            ..jane()
        };
        let err = zendesk_jwt(&zendesk(), &secret(), &no_email, at(1), "j", None, true).unwrap_err();
        assert_eq!(err, RemoteAuthError::MissingEmail);
        assert!(!err.to_string().contains("abc123"));
        assert_eq!(
            zendesk_jwt(&zendesk(), &secret(), &jane(), at(1), "j", Some("//evil.com"), true),
            Err(RemoteAuthError::ReturnToNotAllowed)
        );
    }
}
