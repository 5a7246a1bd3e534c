//! What the headless-browser tests need: Debian's Chromium (or TESSERA_CHROMIUM) and the
//! npm packages in tests/node. Without them a test says so and passes, unless
//! TESSERA_REQUIRE_BROWSER is set (`.ci/run` sets it), which turns a missing one into a failure.

use std::io::Write as _;
use std::path::PathBuf;

use super::server::current_test;

/// The tests/node folder and Chromium, or `None` (after saying why) when the test is skipped.
pub fn browser_tools(packages: &[&str]) -> Option<(PathBuf, PathBuf)> {
    let node_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    let chromium = PathBuf::from(std::env::var_os("TESSERA_CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into()));
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!(
            "no Chromium at {} (install Debian's chromium, or set TESSERA_CHROMIUM)",
            chromium.display()
        ));
    }
    for package in packages {
        if !node_dir.join("node_modules").join(package).is_dir() {
            missing.push(format!("no {package} (run `npm ci --prefix tests/node`)"));
        }
    }
    if missing.is_empty() {
        return Some((node_dir, chromium));
    }
    let missing = missing.join("; ");
    assert!(
        std::env::var_os("TESSERA_REQUIRE_BROWSER").is_none(),
        "TESSERA_REQUIRE_BROWSER is set, but {missing}"
    );
    let _ = writeln!(std::io::stderr(), "NOTE: skipped {}: {missing}", current_test());
    None
}
