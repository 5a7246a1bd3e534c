//! The YAML configuration: any text gives a `Config` or a list of problems, never a panic.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let env = HashMap::from([(
        "KEY".to_owned(),
        "ZnV6ei1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=".to_owned(),
    )]);
    if let Err(problems) = tessera_server::config::parse(text, &env) {
        for p in problems {
            let _ = format!("{p:?}");
        }
    }
});
