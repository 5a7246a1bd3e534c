//! `next=` only ever names a path on this server. Anything else would make the login page an
//! open redirect (RFC 6749 §10.15 and OWASP's "Unvalidated Redirects" for the general rule).

/// Returns the path when it is a same-origin relative path, else `None`.
pub fn safe_next(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.contains('\\')
        && !raw.chars().any(|c| c.is_control())
        && raw.len() <= 2048;
    ok.then(|| raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_pass() {
        assert_eq!(safe_next(Some("/account?tab=1")).as_deref(), Some("/account?tab=1"));
        for bad in [
            "https://evil.com",
            "//evil.com",
            "/\\evil.com",
            "/\\/evil.com",
            "javascript:alert(1)",
            "account",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(None), None);
    }
}
