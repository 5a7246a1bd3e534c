//! The OAuth 1.0a signer (RFC 5849 §3.4): percent-encoding, parameter normalisation and the
//! signature base string of hostile URLs and parameters, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_upstream::oauth1;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (url, params) = text.split_once('\n').unwrap_or((text, ""));
    let params: Vec<(String, String)> = url::form_urlencoded::parse(params.as_bytes()).into_owned().collect();
    let _ = oauth1::percent_encode(text);
    let _ = oauth1::normalize_params(&params);
    if let Ok(url) = url::Url::parse(url) {
        let _ = oauth1::base_string_uri(&url);
        let oauth = [("oauth_consumer_key".to_owned(), "key".to_owned())];
        let base = oauth1::signature_base_string("POST", &url, &params, &oauth);
        let _ = oauth1::hmac_sha1_signature(&base, "consumer-secret", "token-secret");
    }
});
