//! OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849 §3), as Twitter uses
//! it, and the server-side check the sandbox runs on every request.
//!
//! Signing is pure: nonce and timestamp are arguments, so the RFC and Twitter
//! documentation vectors pin it exactly (see the tests).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use tessera_core::secret_token::{constant_time_eq, random_token};
use url::Url;

/// The only signature method we speak (RFC 5849 §3.4.2).
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";

/// RFC 5849 §3.6: percent-encode UTF-8 bytes, keeping only the unreserved
/// characters `A-Z a-z 0-9 - . _ ~`, with uppercase hex digits.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// RFC 5849 §3.4.1.2: scheme and host lowercase, the port only when it is
/// not the scheme's default, the path, no query or fragment.
pub fn base_string_uri(url: &Url) -> String {
    let mut uri = format!(
        "{}://{}",
        url.scheme(),
        url.host_str().unwrap_or_default().to_ascii_lowercase()
    );
    // `Url::port` is already None for the scheme's default port.
    if let Some(port) = url.port() {
        uri.push_str(&format!(":{port}"));
    }
    uri.push_str(url.path());
    uri
}

/// RFC 5849 §3.4.1.3.2: encode each name and value, sort by name then value,
/// join `name=value` pairs with `&`. `params` must already exclude
/// `oauth_signature` and `realm`.
pub fn normalize_params(params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    let pairs: Vec<String> = encoded.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join("&")
}

/// RFC 5849 §3.4.1: `METHOD & pct(base URI) & pct(normalized params)`, where
/// the parameters are the URL's query (form-decoded, §3.4.1.3.1), the
/// form body `body_params`, and `oauth_params` (the `oauth_*` protocol
/// parameters without `oauth_signature`).
pub fn signature_base_string(
    method: &str,
    url: &Url,
    body_params: &[(String, String)],
    oauth_params: &[(String, String)],
) -> String {
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.extend_from_slice(body_params);
    params.extend(
        oauth_params
            .iter()
            .filter(|(k, _)| k != "oauth_signature" && k != "realm")
            .cloned(),
    );
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(&base_string_uri(url)),
        percent_encode(&normalize_params(&params))
    )
}

/// RFC 5849 §3.4.2: base64(HMAC-SHA1(key = pct(consumer_secret) & pct(token_secret), base string)).
/// Without a token secret the key still ends in `&`.
pub fn hmac_sha1_signature(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", percent_encode(consumer_secret), percent_encode(token_secret));
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length");
    mac.update(base_string.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The client side of one signed request.
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    pub consumer_key: &'a str,
    pub consumer_secret: &'a str,
    /// The request token or access token (absent when asking for a request token).
    pub token: Option<&'a str>,
    pub token_secret: Option<&'a str>,
    /// `oauth_callback` (RFC 5849 §2.1, temporary credentials request only).
    pub callback: Option<&'a str>,
    /// `oauth_verifier` (RFC 5849 §2.3, token request only).
    pub verifier: Option<&'a str>,
    /// Whether to send the optional `oauth_version=1.0` (§3.1); Twitter's
    /// documentation does.
    pub version: bool,
}

impl<'a> Signer<'a> {
    /// A signer with the consumer credentials only.
    pub fn new(consumer_key: &'a str, consumer_secret: &'a str) -> Self {
        Signer {
            consumer_key,
            consumer_secret,
            token: None,
            token_secret: None,
            callback: None,
            verifier: None,
            version: true,
        }
    }

    /// The same signer with a token and its secret.
    pub fn with_token(self, token: &'a str, token_secret: &'a str) -> Self {
        Signer {
            token: Some(token),
            token_secret: Some(token_secret),
            ..self
        }
    }

    /// The `oauth_*` protocol parameters (RFC 5849 §3.1) including
    /// `oauth_signature`, for a request with the given query (inside `url`)
    /// and form body.
    pub fn sign(
        &self,
        method: &str,
        url: &Url,
        body_params: &[(String, String)],
        nonce: &str,
        timestamp: u64,
    ) -> Vec<(String, String)> {
        let mut oauth: Vec<(String, String)> = Vec::new();
        let mut add = |k: &str, v: &str| oauth.push((k.to_owned(), v.to_owned()));
        if let Some(cb) = self.callback {
            add("oauth_callback", cb);
        }
        add("oauth_consumer_key", self.consumer_key);
        add("oauth_nonce", nonce);
        add("oauth_signature_method", SIGNATURE_METHOD);
        add("oauth_timestamp", &timestamp.to_string());
        if let Some(token) = self.token {
            add("oauth_token", token);
        }
        if let Some(verifier) = self.verifier {
            add("oauth_verifier", verifier);
        }
        if self.version {
            add("oauth_version", "1.0");
        }
        let base = signature_base_string(method, url, body_params, &oauth);
        let signature = hmac_sha1_signature(&base, self.consumer_secret, self.token_secret.unwrap_or(""));
        oauth.push(("oauth_signature".to_owned(), signature));
        oauth
    }

    /// The `Authorization: OAuth …` header value (RFC 5849 §3.5.1) with the
    /// given nonce and timestamp.
    pub fn authorization_header_with(
        &self,
        method: &str,
        url: &Url,
        body_params: &[(String, String)],
        nonce: &str,
        timestamp: u64,
    ) -> String {
        authorization_header(&self.sign(method, url, body_params, nonce, timestamp))
    }

    /// The `Authorization` header with a fresh random nonce and the current time.
    pub fn authorization_header(&self, method: &str, url: &Url, body_params: &[(String, String)]) -> String {
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        self.authorization_header_with(method, url, body_params, &random_token(24), timestamp)
    }
}

/// RFC 5849 §3.5.1: `OAuth name="value", …` with names and values
/// percent-encoded (§3.6).
pub fn authorization_header(oauth_params: &[(String, String)]) -> String {
    let parts: Vec<String> = oauth_params
        .iter()
        .map(|(k, v)| format!("{}=\"{}\"", percent_encode(k), percent_encode(v)))
        .collect();
    format!("OAuth {}", parts.join(", "))
}

/// Parses an `Authorization: OAuth …` header (RFC 5849 §3.5.1) into its
/// decoded parameters, `realm` dropped. `None` when it is not well formed.
pub fn parse_authorization_header(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim().strip_prefix("OAuth ")?;
    let mut params = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, value) = part.split_once('=')?;
        let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
        let name = urlencoding::decode(name.trim()).ok()?.into_owned();
        let value = urlencoding::decode(value).ok()?.into_owned();
        if name != "realm" {
            params.push((name, value));
        }
    }
    Some(params)
}

/// Server side (RFC 5849 §3.2): recomputes the signature of a request from
/// its method, URL (with query), form body and `oauth_*` parameters, with the
/// secrets the server issued, and compares it with `oauth_signature` in
/// constant time. Nonce and timestamp checks are the caller's (§3.3).
pub fn verify(
    method: &str,
    url: &Url,
    body_params: &[(String, String)],
    oauth_params: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> bool {
    let Some((_, given)) = oauth_params.iter().find(|(k, _)| k == "oauth_signature") else {
        return false;
    };
    let method_ok = oauth_params
        .iter()
        .any(|(k, v)| k == "oauth_signature_method" && v == SIGNATURE_METHOD);
    let base = signature_base_string(method, url, body_params, oauth_params);
    let expected = hmac_sha1_signature(&base, consumer_secret, token_secret);
    method_ok && constant_time_eq(expected.as_bytes(), given.as_bytes())
}

#[cfg(test)]
#[path = "oauth1_tests.rs"]
mod tests;
