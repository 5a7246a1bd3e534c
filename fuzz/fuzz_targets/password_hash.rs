//! Stored password hashes (argon2 PHC strings, Django's `pbkdf2_sha256$…`) as read from a
//! database or an import: parsed and checked without a panic, and cost caps keep a hostile
//! hash from making one verification take minutes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::password::{Argon2Cost, verify_password};

fuzz_target!(|data: &[u8]| {
    let Ok(stored) = std::str::from_utf8(data) else { return };
    let cost = Argon2Cost {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    let _ = verify_password(&cost, stored, "correct horse battery staple");
});
