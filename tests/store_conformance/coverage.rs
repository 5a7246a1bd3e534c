//! Keeps the coverage table in `mod.rs` honest: every method of every storage trait in
//! `tessera-core` and `tessera-oidc` has a row, every test a row names exists, and every method is called
//! somewhere in the conformance suite. A new trait method without a conformance test fails here.

use std::collections::BTreeMap;
use std::path::Path;

/// The files that declare storage traits: `tessera-core`'s and the provider's in `tessera-oidc`.
const TRAIT_FILES: [&str; 5] = [
    "tessera-core/src/store.rs",
    "tessera-core/src/factors.rs",
    "tessera-core/src/identity.rs",
    "tessera-oidc/src/storage.rs",
    "tessera-core/src/jobs.rs",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Method names inside each `pub trait NAME … { … }` of `source`, by trait.
fn trait_methods(source: &str) -> Vec<(String, String)> {
    let mut methods = Vec::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if let Some(rest) = line.strip_prefix("pub trait ") {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            current = Some(name);
            if line.trim_end().ends_with("{}") {
                current = None;
            }
            continue;
        }
        if line == "}" {
            current = None;
            continue;
        }
        // Methods are `async fn` or, for what never waits (the pool's status), plain `fn`.
        let declared = line.trim_start();
        let declared = declared.strip_prefix("async ").unwrap_or(declared);
        if let (Some(name), Some(rest)) = (&current, declared.strip_prefix("fn ")) {
            let method: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            methods.push((name.clone(), method));
        }
    }
    methods
}

/// The rows of the coverage table: method → (trait, tests).
fn table(mod_rs: &str) -> BTreeMap<String, (String, Vec<String>)> {
    let mut rows = BTreeMap::new();
    for line in mod_rs.lines() {
        let Some(row) = line.strip_prefix("//! | ") else {
            continue;
        };
        let cells: Vec<&str> = row.trim_end_matches('|').split('|').map(str::trim).collect();
        let [trait_name, method, tests] = cells[..] else {
            continue;
        };
        let Some(method) = method.strip_prefix('`').and_then(|m| m.strip_suffix('`')) else {
            continue; // the header row
        };
        let tests = tests
            .split(',')
            .map(|t| t.trim().trim_matches('`').to_owned())
            .collect();
        let previous = rows.insert(method.to_owned(), (trait_name.to_owned(), tests));
        assert!(
            previous.is_none(),
            "mod.rs: `{method}` has two rows in the coverage table"
        );
    }
    rows
}

/// The conformance suite's code (comments left out), file by file.
fn suite_sources(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read tests/store_conformance")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs") && !p.ends_with("coverage.rs"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = read(&p);
            let code: Vec<&str> = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(|l| l.split(" // ").next().unwrap_or(l))
                .collect();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, code.join("\n"))
        })
        .collect()
}

#[test]
fn every_store_trait_method_has_a_conformance_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crates = root.join("crates");
    let suite = root.join("tests/store_conformance");
    let methods: Vec<(String, String)> = TRAIT_FILES
        .iter()
        .flat_map(|file| trait_methods(&read(&crates.join(file))))
        .collect();
    assert!(
        methods.len() >= 74,
        "parsed only {} trait methods: {methods:?}",
        methods.len()
    );
    let rows = table(&read(&suite.join("mod.rs")));
    let sources = suite_sources(&suite);
    let all_code: String = sources
        .iter()
        .map(|(_, code)| code.as_str())
        .collect::<Vec<_>>()
        .join("\n");

    let mut problems = Vec::new();
    for (trait_name, method) in &methods {
        match rows.get(method) {
            None => problems.push(format!("{trait_name}::{method} has no row in the table in mod.rs")),
            Some((listed, _)) if listed != trait_name => {
                problems.push(format!("{trait_name}::{method} is listed under {listed}"))
            }
            Some(_) => {}
        }
        if !all_code.contains(&format!(".{method}(")) && !all_code.contains(&format!("::{method}(")) {
            problems.push(format!(
                "{trait_name}::{method} is never called in tests/store_conformance"
            ));
        }
    }
    for (method, (trait_name, tests)) in &rows {
        if !methods.iter().any(|(t, m)| t == trait_name && m == method) {
            problems.push(format!(
                "the table lists {trait_name}::{method}, which is no trait method"
            ));
        }
        for test in tests {
            let defined = format!("async fn {test}()");
            if !sources.iter().any(|(_, code)| code.contains(&defined)) {
                problems.push(format!("the table names {test} for {method}, but no such test exists"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "store conformance coverage:\n  {}",
        problems.join("\n  ")
    );
}
