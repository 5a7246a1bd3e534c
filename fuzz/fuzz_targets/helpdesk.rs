//! The helpdesk signers with hostile person fields and return addresses: each signs or
//! refuses (the legacy Zendesk signers refuse fields that could re-split), never panics.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tessera_remote_auth::{
    Person, Secret, freshdesk, return_to_allowed, verify_hex_digest, zendesk_jwt, zendesk_md5, zendesk_md5_pipe,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut fields = text.split('\u{1f}');
    let mut next = || fields.next().unwrap_or_default().to_owned();
    let person = Person {
        name: next(),
        email: next(),
        external_id: next(),
        organization: Some(next()).filter(|s| !s.is_empty()),
        tags: next().split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        remote_photo_url: Some(next()).filter(|s| !s.is_empty()),
        ..Person::default()
    };
    let return_to = next();
    let base = url::Url::parse("https://help.example.com/access/remote").expect("base");
    let secret = Secret::new("fuzz-shared-secret");
    let now = 1_700_000_000;
    let Ok(fresh) = tessera_remote_auth::FreshTimestamp::within(now, now, Duration::from_secs(300)) else {
        return;
    };
    let return_to = Some(return_to.as_str()).filter(|r| !r.is_empty());
    let _ = zendesk_md5(&base, &secret, &person, fresh, return_to);
    let _ = zendesk_md5_pipe(&base, &secret, &person, fresh, return_to);
    let _ = zendesk_jwt(&base, &secret, &person, fresh, "jti", return_to, false);
    let _ = freshdesk(&base, &secret, &person, fresh, return_to);
    let _ = return_to_allowed(&base, return_to.unwrap_or_default());
    let _ = verify_hex_digest(&next(), &next());
});
