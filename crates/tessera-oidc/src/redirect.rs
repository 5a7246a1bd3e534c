//! Authorization responses: the redirects back to the client.
//!
//! Parameters are added with `url`'s form serializer, never by string
//! formatting, and any query already in the registered redirect URI is
//! kept (RFC 6749 §3.1.2: "MUST retain the query component when adding
//! additional query parameters"). Every response carries `iss` so the
//! client can detect mix-up attacks (RFC 9207 §2).

use url::Url;

use crate::error::sanitize_description;

/// The success redirect (RFC 6749 §4.1.2): `code`, `state` when the
/// request had one, and `iss` (RFC 9207). Fails only if `redirect_uri` is
/// not an absolute URL, which validated requests never produce.
pub fn authorization_response(
    redirect_uri: &str,
    code: &str,
    state: Option<&str>,
    issuer: &str,
) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(redirect_uri)?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", code);
        if let Some(state) = state {
            q.append_pair("state", state);
        }
        q.append_pair("iss", issuer);
    }
    Ok(url)
}

/// The error redirect (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6): `error`,
/// `error_description` (when not empty; restricted to the characters
/// §4.1.2.1 allows), `state` when the request had one, and `iss`
/// (RFC 9207 §2).
pub fn error_response(redirect_uri: &Url, error: &str, description: &str, state: Option<&str>, issuer: &str) -> Url {
    let mut url = redirect_uri.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", error);
        if !description.is_empty() {
            q.append_pair("error_description", &sanitize_description(description));
        }
        if let Some(state) = state {
            q.append_pair("state", state);
        }
        q.append_pair("iss", issuer);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(url: &Url) -> Vec<(String, String)> {
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn success_keeps_existing_query_and_adds_iss() {
        let url = authorization_response(
            "https://app.example/cb?tenant=a&x=1",
            "c0de",
            Some("st&ate =#"),
            "https://id.example.com",
        )
        .unwrap();
        assert_eq!(url.path(), "/cb");
        assert_eq!(
            pairs(&url),
            [
                ("tenant", "a"),
                ("x", "1"),
                ("code", "c0de"),
                ("state", "st&ate =#"),
                ("iss", "https://id.example.com"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert!(
            url.as_str()
                .starts_with("https://app.example/cb?tenant=a&x=1&code=c0de&state=st%26ate+%3D%23&iss=")
        );
        assert_eq!(url.fragment(), None);
    }

    #[test]
    fn success_without_state() {
        let url = authorization_response("http://127.0.0.1:8080/cb", "c", None, "https://i").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/cb?code=c&iss=https%3A%2F%2Fi");
        assert!(authorization_response("not a url", "c", None, "https://i").is_err());
    }

    #[test]
    fn error_redirect() {
        let base = Url::parse("https://app.example/cb?keep=1").unwrap();
        let url = error_response(&base, "login_required", "not \"signed\" in", Some("xyz"), "https://i");
        assert_eq!(
            pairs(&url),
            [
                ("keep", "1"),
                ("error", "login_required"),
                ("error_description", "not 'signed' in"),
                ("state", "xyz"),
                ("iss", "https://i"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        let url = error_response(&base, "access_denied", "", None, "https://i");
        assert_eq!(
            url.as_str(),
            "https://app.example/cb?keep=1&error=access_denied&iss=https%3A%2F%2Fi"
        );
    }
}
