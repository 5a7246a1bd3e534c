//! Checking the configured helpdesk address and joining an endpoint to it.
//!
//! Operators paste helpdesk addresses in many shapes: with or without a
//! trailing slash, with a path prefix (a reverse proxy, a Freshdesk portal
//! path), sometimes with the endpoint already on the end. Whatever the shape,
//! the result has exactly one copy of the endpoint path, built with `url`'s
//! own path setter rather than string formatting of the whole URL.

use url::Url;

use crate::RemoteAuthError;

/// Returns `base` with `endpoint` (e.g. `"access/remote/"`) appended to its
/// path. If the base path already ends with the endpoint, it is not repeated.
pub(crate) fn endpoint_url(base: &Url, endpoint: &str) -> Result<Url, RemoteAuthError> {
    check_base(base)?;
    let mut prefix = base.path().trim_end_matches('/');
    let bare_endpoint = endpoint.trim_end_matches('/');
    if let Some(rest) = prefix.strip_suffix(bare_endpoint)
        && rest.ends_with('/')
    {
        prefix = rest.trim_end_matches('/');
    }
    let mut url = base.clone();
    url.set_path(&format!("{prefix}/{endpoint}"));
    Ok(url)
}

fn check_base(base: &Url) -> Result<(), RemoteAuthError> {
    if !matches!(base.scheme(), "https" | "http") {
        return Err(RemoteAuthError::InvalidBase(
            "it must start with https:// (or http:// for local testing)",
        ));
    }
    if base.host().is_none() {
        return Err(RemoteAuthError::InvalidBase("it has no host name"));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(RemoteAuthError::InvalidBase(
            "it must not contain a user name or password",
        ));
    }
    if base.query().is_some() || base.fragment().is_some() {
        return Err(RemoteAuthError::InvalidBase(
            "it must not contain a query (?...) or fragment (#...)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(base: &str, endpoint: &str) -> Result<String, RemoteAuthError> {
        endpoint_url(&Url::parse(base).unwrap(), endpoint).map(String::from)
    }

    #[test]
    fn exactly_one_endpoint_whatever_the_base_shape() {
        for base in [
            "https://example.zendesk.com",
            "https://example.zendesk.com/",
            "https://example.zendesk.com//",
            "https://example.zendesk.com/access/remote",
            "https://example.zendesk.com/access/remote/",
        ] {
            assert_eq!(
                join(base, "access/remote/").unwrap(),
                "https://example.zendesk.com/access/remote/",
                "{base}"
            );
        }
        for base in ["https://h.example/help", "https://h.example/help/"] {
            assert_eq!(join(base, "access/jwt").unwrap(), "https://h.example/help/access/jwt");
        }
        // A path segment that merely ends with the same letters is kept.
        assert_eq!(
            join("https://h.example/xaccess/jwt", "access/jwt").unwrap(),
            "https://h.example/xaccess/jwt/access/jwt"
        );
    }

    #[test]
    fn rejects_unusable_bases_without_echoing_them() {
        for base in [
            "ftp://example.com/",
            "https://admin:s3cr3t@example.com/",
            "https://example.com/?a=b",
            "https://example.com/#top",
            "mailto:help@example.com",
        ] {
            let err = join(base, "access/jwt").unwrap_err();
            assert!(matches!(err, RemoteAuthError::InvalidBase(_)), "{base}");
            assert!(!err.to_string().contains("s3cr3t"));
        }
    }
}
