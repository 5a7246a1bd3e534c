//! Token requests (RFC 6749 §3.2) and client authentication (§2.3): the first line is the
//! `Authorization` header, the rest the form body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (header, body) = text.split_once('\n').unwrap_or(("", text));
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let _ = tessera_oidc::parse_token_request(&form);
    let _ = tessera_oidc::client_auth((!header.is_empty()).then_some(header), &form);
});
