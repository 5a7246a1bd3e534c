//! JWT verification with Tessera's keys: any text is refused or verified (never a panic), and
//! what verifies must be a token one of the keys signed — the fuzzer cannot forge one.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tessera_oidc::{SigningAlg, SigningKey};

static KEYS: LazyLock<Vec<SigningKey>> = LazyLock::new(|| {
    SigningAlg::ALL
        .iter()
        .map(|alg| SigningKey::generate(*alg).expect("key"))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let keys: Vec<&SigningKey> = KEYS.iter().collect();
    if tessera_oidc::verify_jwt::<serde_json::Value>(token, &keys).is_ok() {
        panic!("a token the keys never signed verified: {token}");
    }
    let _ = tessera_oidc::presented::access_token(token, &keys, "https://id.example", 0);
    let _ = tessera_oidc::presented::id_token_hint(token, &keys, "https://id.example");
});
