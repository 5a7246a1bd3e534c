//! OAuth scope strings (RFC 6749 §3.3).

use crate::client::Client;
use crate::error::{OAuthError, echo};

/// Splits a `scope` parameter into its values (RFC 6749 §3.3:
/// space-delimited, case-sensitive). Repeated spaces are tolerated and
/// repeated values collapse to one, keeping first-seen order. A value with
/// characters outside `%x21 / %x23-5B / %x5D-7E` is refused with a
/// description naming it.
pub fn parse_scope(scope: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for token in scope.split(' ').filter(|t| !t.is_empty()) {
        if !token.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)) {
            return Err(format!("scope value {:?} has invalid characters", echo(token)));
        }
        if !out.iter().any(|s| s == token) {
            out.push(token.to_owned());
        }
    }
    Ok(out)
}

/// Joins scope values into a `scope` string (RFC 6749 §3.3).
pub fn scope_string(scopes: &[String]) -> String {
    scopes.join(" ")
}

/// `invalid_scope` naming the first value the client is not registered
/// for (RFC 6749 §3.3 lets the server refuse or reduce; we refuse so
/// misconfiguration is visible).
pub fn check_client_scopes(client: &Client, scopes: &[String]) -> Result<(), OAuthError> {
    match scopes.iter().find(|s| !client.scopes.contains(s)) {
        Some(s) => Err(OAuthError::invalid_scope(format!(
            "scope {} is not allowed for this client",
            echo(s)
        ))),
        None => Ok(()),
    }
}

/// Scope for a refreshed token (RFC 6749 §6): absent means everything
/// originally granted; otherwise it must be a subset of what was granted
/// (else `invalid_scope`).
pub fn narrow_scopes(granted: &[String], requested: Option<&[String]>) -> Result<Vec<String>, OAuthError> {
    let Some(requested) = requested else {
        return Ok(granted.to_vec());
    };
    match requested.iter().find(|s| !granted.contains(s)) {
        Some(s) => Err(OAuthError::invalid_scope(format!(
            "scope {} was not granted originally",
            echo(s)
        ))),
        None => Ok(requested.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parsing() {
        assert_eq!(parse_scope("openid profile"), Ok(v(&["openid", "profile"])));
        assert_eq!(parse_scope(" openid  email openid "), Ok(v(&["openid", "email"])));
        assert_eq!(parse_scope(""), Ok(vec![]));
        assert_eq!(parse_scope("urn:x:read api/write"), Ok(v(&["urn:x:read", "api/write"])));
        for bad in ["openid\tprofile", "a\"b", "a\\b", "é"] {
            assert!(parse_scope(bad).is_err(), "{bad:?}");
        }
        assert_eq!(scope_string(&v(&["openid", "email"])), "openid email");
    }

    #[test]
    fn narrowing() {
        let granted = v(&["openid", "email", "profile"]);
        assert_eq!(narrow_scopes(&granted, None), Ok(granted.clone()));
        assert_eq!(narrow_scopes(&granted, Some(&v(&["email"]))), Ok(v(&["email"])));
        let err = narrow_scopes(&granted, Some(&v(&["email", "groups"]))).unwrap_err();
        assert_eq!(err.error, "invalid_scope");
        assert!(err.description.contains("groups"));
    }
}
