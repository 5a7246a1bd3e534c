//! The service's boundary, checked on its sources so it cannot erode unnoticed.

use std::path::{Path, PathBuf};

/// What belongs to the web layer, which the service must not reach for (this file names them
/// to look for them, so it is not checked).
const WEB_LAYER: [&str; 7] = [
    "axum",
    "AppState",
    "AppError",
    "crate::routes",
    "crate::session",
    "crate::csrf",
    "crate::cookies",
];

/// Every `.rs` file under `dir`, subfolders included.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the accounts folder is readable") {
        let path = entry.expect("a readable folder entry").path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

#[test]
fn the_accounts_service_knows_nothing_of_the_web_layer() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/accounts");
    let checked: Vec<PathBuf> = sources(&dir)
        .into_iter()
        .filter(|p| !p.ends_with("accounts/tests.rs"))
        .collect();
    assert!(checked.len() >= 7, "the service's files were not found: {checked:?}");
    for path in &checked {
        let source = std::fs::read_to_string(path).expect("a readable source file");
        for name in WEB_LAYER {
            assert!(!source.contains(name), "{} mentions {name}", path.display());
        }
    }
}
