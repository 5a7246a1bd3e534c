//! Deciding whether a "return to" address may be passed on to the helpdesk.
//!
//! The helpdesk tells Tessera where the person was going (Zendesk
//! `return_to`, Freshdesk `redirect_to`), and Tessera hands it back inside a
//! signed sign-in link. An attacker can start that flow with any value, so
//! only absolute http(s) addresses on the helpdesk's own origin are let
//! through; anything else would make Tessera (and the helpdesk) an open
//! redirect. The check is deliberately strict and text-based as well as
//! parsed, because browsers and servers disagree about backslashes,
//! whitespace and missing slashes.

use url::Url;

use crate::RemoteAuthError;

/// True only for absolute `http(s)://` URLs whose scheme, host and port equal
/// the target's, without user info, backslashes, whitespace or control
/// characters. Relative paths and protocol-relative `//host` are refused.
pub fn return_to_allowed(target_base: &Url, return_to: &str) -> bool {
    if return_to
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let Some(after_scheme) =
        strip_prefix_ignore_case(return_to, "https://").or_else(|| strip_prefix_ignore_case(return_to, "http://"))
    else {
        return false;
    };
    // `https:///host` parses as `https://host` in WHATWG parsers but not in
    // others; refuse the ambiguity.
    if after_scheme.starts_with('/') {
        return false;
    }
    let Ok(url) = Url::parse(return_to) else {
        return false;
    };
    matches!(url.scheme(), "https" | "http")
        && url.scheme() == target_base.scheme()
        && url.username().is_empty()
        && url.password().is_none()
        && url.host().is_some()
        && url.host() == target_base.host()
        && url.port_or_known_default() == target_base.port_or_known_default()
}

/// The return address to put in a sign-in link: `None` (or an empty value)
/// stays `None`; anything not allowed by [`return_to_allowed`] is an error.
pub(crate) fn checked_return_to<'a>(
    target_base: &Url,
    return_to: Option<&'a str>,
) -> Result<Option<&'a str>, RemoteAuthError> {
    match return_to {
        None | Some("") => Ok(None),
        Some(value) if return_to_allowed(target_base, value) => Ok(Some(value)),
        Some(_) => Err(RemoteAuthError::ReturnToNotAllowed),
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.zendesk.com/").unwrap()
    }

    #[test]
    fn same_origin_is_allowed() {
        for ok in [
            "https://example.zendesk.com/",
            "https://example.zendesk.com",
            "https://example.zendesk.com/hc/en-us/requests?page=2#top",
            "https://example.zendesk.com:443/agent",
            "HTTPS://EXAMPLE.ZENDESK.COM/hc",
        ] {
            assert!(return_to_allowed(&base(), ok), "{ok}");
        }
    }

    #[test]
    fn other_origins_and_tricks_are_refused() {
        for bad in [
            "https://evil.com/",
            "//evil.com",
            "//example.zendesk.com/hc",
            "https://example.zendesk.com@evil.com/",
            "https://user:pw@example.zendesk.com/",
            "https://example.zendesk.com.evil.com/",
            "https://example.zendesk.com%40evil.com/",
            "http://example.zendesk.com/",
            "https://example.zendesk.com:8443/",
            "javascript:alert(1)",
            "JavaScript://example.zendesk.com/%0aalert(1)",
            "data:text/html,hi",
            "/hc/en-us",
            "hc/en-us",
            "",
            "https:/evil.com",
            "https:evil.com",
            "https:///evil.com",
            "https://evil.com\\@example.zendesk.com/",
            "https://example.zendesk.com\\@evil.com/",
            "https:\\\\evil.com",
            "/\\evil.com",
            " https://example.zendesk.com/",
            "https://example.zendesk.com/\n",
            "https://exa\tmple.zendesk.com/",
        ] {
            assert!(!return_to_allowed(&base(), bad), "{bad:?}");
        }
    }

    #[test]
    fn port_and_scheme_follow_the_target() {
        let local = Url::parse("http://localhost:8080/helpdesk/").unwrap();
        assert!(return_to_allowed(&local, "http://localhost:8080/x"));
        assert!(!return_to_allowed(&local, "http://localhost/x"));
        assert!(!return_to_allowed(&local, "https://localhost:8080/x"));
    }

    #[test]
    fn checked_return_to_maps_refusal_to_an_error() {
        assert_eq!(checked_return_to(&base(), None), Ok(None));
        assert_eq!(checked_return_to(&base(), Some("")), Ok(None));
        assert_eq!(
            checked_return_to(&base(), Some("https://example.zendesk.com/hc")),
            Ok(Some("https://example.zendesk.com/hc"))
        );
        assert_eq!(
            checked_return_to(&base(), Some("https://evil.com/")),
            Err(RemoteAuthError::ReturnToNotAllowed)
        );
    }
}
