//! The ceilings scripts/bench divides by, as one JSON line: raw signatures per second for each
//! algorithm with the keys Tessera signs with (tessera_oidc::SigningKey, aws-lc-rs), and raw
//! argon2id hashes per second at the default cost, on every core, no server.
//! Run: `cargo bench --bench ceilings` (or `-- SECONDS`, default 5).

#[path = "support/rate.rs"]
mod rate;

use tessera_core::password::{Argon2Cost, hash_password};
use tessera_oidc::{SigningAlg, SigningKey};

fn main() {
    let seconds = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let claims = serde_json::json!({"iss": "https://bench", "sub": "x", "aud": "y", "exp": 2_000_000_000, "iat": 1_700_000_000, "jti": "j"});
    let mut figures = serde_json::Map::new();
    for alg in [SigningAlg::Rs256, SigningAlg::Es256, SigningAlg::EdDsa] {
        let key = SigningKey::generate(alg).expect("key");
        let claims = claims.clone();
        let rate = rate::per_second(threads, seconds, move || {
            key.sign_jwt("at+jwt", &claims).expect("sign");
        });
        figures.insert(alg.as_str().to_owned(), rate.round().into());
    }
    let cost = Argon2Cost::default();
    let rate = rate::per_second(threads, seconds, move || {
        hash_password(&cost, "correct horse battery").expect("hash");
    });
    figures.insert("argon2id".to_owned(), ((rate * 10.0).round() / 10.0).into());
    figures.insert(
        "argon2id_cost".to_owned(),
        format!(
            "m={} KiB, t={}, p={}",
            cost.memory_kib, cost.iterations, cost.parallelism
        )
        .into(),
    );
    figures.insert("threads".to_owned(), threads.into());
    println!("{}", serde_json::Value::Object(figures));
}
