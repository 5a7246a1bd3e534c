//! What the YAML reader refuses before any value is checked — a value of the wrong type, an
//! unknown or missing key, a key written twice, broken YAML — in Tessera's words: the full
//! key path (`clients[0].redirect_uris[1]`), what was expected and what was found, at the
//! line and column of the key or value.
//!
//! The reader (serde-saphyr) stops at its first problem and describes it in terms of Rust
//! types. When it does, the file is read a second time into a plain tree of keys, lists and
//! values with their positions; that tree names the path at the problem's position, shows
//! what is there, and finds every key written twice in the same mapping.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Error, NonFiniteFloatPolicy, Options, Spanned};

use super::Problem;

/// The problems behind `error`, the reader's refusal of `text`.
pub(super) fn problems(text: &str, error: &Error) -> Vec<Problem> {
    let mut options = Options::default();
    // Let every repeated key through, to list them all with both places; let `1e400`
    // through, to show it as written.
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    options.non_finite_float_policy = NonFiniteFloatPolicy::PassThrough;
    let root = match serde_saphyr::from_str_with_options::<Spanned<Node>>(text, options) {
        Ok(root) => root,
        // Not even a tree: the YAML itself is broken, and this error says where.
        Err(broken) => return vec![syntax(&broken)],
    };
    if matches!(root.value, Node::Null) {
        return vec![Problem {
            line: 1,
            column: 1,
            message: "the file is empty; it needs at least issuer, database.url and secrets.master_key \
                      (config/tessera.example.yaml has them all)"
                .to_owned(),
        }];
    }
    let mut tree = Tree::default();
    tree.walk(&root, String::new(), None, text);
    let mut problems = std::mem::take(&mut tree.duplicates);
    let error = unwrap(error);
    if !matches!(error, Error::DuplicateMappingKey { .. }) || problems.is_empty() {
        problems.push(tree.explain(error, position(error)));
    }
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

/// The error itself, without the reader's wrappers (source snippet, alias use site).
fn unwrap(mut error: &Error) -> &Error {
    loop {
        error = match error {
            Error::WithSnippet { error, .. } | Error::AliasError { error, .. } => error,
            _ => return error,
        }
    }
}

fn position(error: &Error) -> (u64, u64) {
    error.location().map_or((0, 0), |l| (l.line(), l.column()))
}

/// Broken YAML (an unclosed bracket, a tab in the indentation, a key without `:`).
fn syntax(error: &Error) -> Problem {
    let (line, column) = position(error);
    Problem {
        line,
        column,
        message: format!("this is not valid YAML: {}", reader_words(error)),
    }
}

/// The reader's own message, without its position (we print ours in front) or its advice
/// to programmers.
fn reader_words(error: &Error) -> String {
    let text = unwrap(error).to_string();
    let line = text.lines().next().unwrap_or_default();
    let line = line.find(" at line ").map_or(line, |cut| &line[..cut]);
    let line = line.find(", set DuplicateKeyPolicy").map_or(line, |cut| &line[..cut]);
    line.trim().to_owned()
}

/// A YAML node with nothing but its shape, for showing what a wrong value is.
enum Node {
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
    List(Vec<Spanned<Node>>),
    Text(String),
    /// A number, a boolean or another plain value: shown as written in the file.
    Plain,
    Null,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Plain)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Plain)
            }
            fn visit_i128<E>(self, _: i128) -> Result<Node, E> {
                Ok(Node::Plain)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Plain)
            }
            fn visit_u128<E>(self, _: u128) -> Result<Node, E> {
                Ok(Node::Plain)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Plain)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Node, E> {
                Ok(Node::Plain)
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Node::Map(entries))
            }
        }
        deserializer.deserialize_any(Any)
    }
}

/// What is at a place in the file, as a message shows it.
enum Found {
    Map,
    List,
    Text(String),
    Plain(String),
    Null,
}

/// A key or list item of the file: its path, where its key is, where its value is.
struct Entry {
    path: String,
    key: Option<(u64, u64)>,
    value: (u64, u64),
    found: Found,
}

#[derive(Default)]
struct Tree {
    /// In document order, parents before children.
    entries: Vec<Entry>,
    duplicates: Vec<Problem>,
}

fn at<T>(s: &Spanned<T>) -> (u64, u64) {
    (s.referenced.line(), s.referenced.column())
}

fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl Tree {
    fn walk(&mut self, node: &Spanned<Node>, path: String, key: Option<(u64, u64)>, text: &str) {
        let found = match &node.value {
            Node::Map(_) => Found::Map,
            Node::List(_) => Found::List,
            Node::Text(t) => Found::Text(t.clone()),
            Node::Null => Found::Null,
            Node::Plain => {
                let span = node.referenced.span();
                let written = span
                    .byte_offset()
                    .zip(span.byte_len())
                    .and_then(|(from, len)| {
                        let end = usize::try_from(from.checked_add(len)?).ok()?;
                        text.get(usize::try_from(from).ok()?..end)
                    })
                    .map(str::trim)
                    .filter(|w| !w.is_empty());
                Found::Plain(written.unwrap_or("this value").to_owned())
            }
        };
        self.entries.push(Entry {
            path: path.clone(),
            key,
            value: at(node),
            found,
        });
        match &node.value {
            Node::Map(entries) => {
                let mut first: HashMap<&str, u64> = HashMap::new();
                for (k, v) in entries {
                    let key_path = child(&path, &k.value);
                    if let Some(line) = first.get(k.value.as_str()) {
                        let (line_now, column) = at(k);
                        self.duplicates.push(Problem {
                            line: line_now,
                            column,
                            message: format!("the key {key_path:?} appears twice (first at line {line}); keep one"),
                        });
                    } else {
                        first.insert(&k.value, k.referenced.line());
                    }
                    self.walk(v, key_path, Some(at(k)), text);
                }
            }
            Node::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, format!("{path}[{i}]"), None, text);
                }
            }
            _ => {}
        }
    }

    /// The outermost value that starts at `position`.
    fn value_at(&self, position: (u64, u64)) -> Option<&Entry> {
        self.entries.iter().find(|e| e.value == position)
    }

    /// The key written at `position`.
    fn key_at(&self, position: (u64, u64)) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == Some(position))
    }

    /// One problem for the reader's `error` at `position`.
    fn explain(&self, error: &Error, position: (u64, u64)) -> Problem {
        let (line, column) = position;
        let value = self.value_at(position);
        let path = |e: Option<&Entry>| e.map(|e| e.path.clone()).unwrap_or_default();
        let found = || value.map_or_else(|| "something else".to_owned(), got);
        let message = match error {
            Error::SerdeUnknownField { field, expected, .. } => {
                let parent = match self.key_at(position) {
                    Some(key) => parent_of(&key.path),
                    None => path(value),
                };
                unknown_key(&child(&parent, field), field, &parent, expected)
            }
            Error::SerdeMissingField { field, .. } => format!("{} is required", child(&path(value), field)),
            Error::DuplicateMappingKey { key, .. } => {
                let at_key = self.key_at(position).map(|e| e.path.clone());
                let shown = at_key.or_else(|| key.clone()).unwrap_or_else(|| "a key".to_owned());
                format!("the key {shown:?} appears twice; keep one")
            }
            Error::InvalidScalar { ty, .. } => with_path(
                &path(value),
                &format!("expected {}, got {}", scalar_words(ty, value), found()),
            ),
            Error::InvalidBooleanStrict { .. } => {
                with_path(&path(value), &format!("expected true or false, got {}", found()))
            }
            Error::NullIntoString { .. } => with_path(&path(value), &format!("expected text, got {}", found())),
            Error::Unexpected { expected, .. } => with_path(
                &path(value),
                &format!("expected {}, got {}", reader_expects(expected), found()),
            ),
            Error::SerdeInvalidType { expected, .. } | Error::SerdeInvalidValue { expected, .. } => with_path(
                &path(value),
                &format!("expected {}, got {}", serde_expects(expected), found()),
            ),
            Error::SerdeUnknownVariant { variant, expected, .. } => with_path(
                &path(value),
                &format!("{variant:?} is not one of: {}", expected.join(", ")),
            ),
            Error::NonFiniteFloat { value: written, .. } => {
                with_path(&path(value), &format!("{written} is not a number Tessera can use"))
            }
            other => with_path(&path(value), &reader_words(other)),
        };
        Problem { line, column, message }
    }
}

fn parent_of(path: &str) -> String {
    // `a.b` and `a[0]` both have the parent `a`.
    path.rfind(['.', '['])
        .map_or_else(String::new, |cut| path[..cut].to_owned())
}

fn with_path(path: &str, message: &str) -> String {
    if path.is_empty() {
        format!("the file: {message}")
    } else {
        format!("{path}: {message}")
    }
}

/// `logging.colour: unknown key; logging takes format, level`, with a likely spelling.
fn unknown_key(path: &str, field: &str, parent: &str, expected: &[&str]) -> String {
    let guess = expected
        .iter()
        .map(|e| (distance(field, e), *e))
        .filter(|(d, e)| *d <= 2 && *d < e.len().max(field.len()))
        .min()
        .map(|(_, e)| format!(" (did you mean {e}?)"))
        .unwrap_or_default();
    let owner = if parent.is_empty() {
        "the file".to_owned()
    } else {
        parent.to_owned()
    };
    if expected.is_empty() {
        format!("{path}: unknown key; {owner} takes no keys")
    } else {
        format!("{path}: unknown key{guess}; {owner} takes {}", expected.join(", "))
    }
}

/// Edits (insert, delete, replace a character) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let replaced = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// What a value is, for `got …`: text in quotes, a number or boolean as written, or its kind.
/// Text under a key that holds secrets is not shown.
fn got(entry: &Entry) -> String {
    match &entry.found {
        Found::Map => "a mapping".to_owned(),
        Found::List => "a list".to_owned(),
        Found::Null => "nothing".to_owned(),
        Found::Plain(written) => written.clone(),
        Found::Text(_) if holds_secret(&entry.path) => "text (not shown: it may be a secret)".to_owned(),
        Found::Text(t) => {
            let shown: String = t.chars().take(40).collect();
            let more = if t.chars().count() > 40 { "…" } else { "" };
            format!("{:?}", format!("{shown}{more}"))
        }
    }
}

fn holds_secret(path: &str) -> bool {
    path.split(['.', '[']).any(|part| {
        part.contains("secret") || part == "password" || part.ends_with("_password") || part == "master_key"
    })
}

/// Integer ranges of the reader's type names, for a number out of range.
fn range_of(ty: &str) -> Option<(i128, i128)> {
    Some(match ty {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

/// What a scalar of the reader's type `ty` must be: for a whole number given out of range,
/// with the range.
fn scalar_words(ty: &str, value: Option<&Entry>) -> String {
    if matches!(ty, "bool" | "boolean") {
        return "true or false".to_owned();
    }
    if matches!(ty, "f32" | "f64") {
        return "a number".to_owned();
    }
    if matches!(ty, "char") {
        return "a single character".to_owned();
    }
    let Some((min, max)) = range_of(ty) else {
        return "a value of another kind".to_owned();
    };
    let is_integer = matches!(value.map(|e| &e.found), Some(Found::Plain(w)) if w.parse::<i128>().is_ok() || w.parse::<f64>().is_ok_and(|f| f.fract() == 0.0));
    match (is_integer, min) {
        (false, _) => "a whole number".to_owned(),
        (true, 0) if max == i128::from(u64::MAX) => "a whole number, 0 or more".to_owned(),
        (true, _) => format!("a whole number from {min} to {max}"),
    }
}

/// The reader's `expected …` (`string scalar`, `sequence start`) in Tessera's words.
fn reader_expects(expected: &str) -> String {
    match expected {
        "string scalar" | "string" | "scalar" => "text".to_owned(),
        "sequence start" | "sequence" => "a list".to_owned(),
        "mapping start" | "mapping" => "a mapping of keys".to_owned(),
        other => serde_expects(other),
    }
}

/// Serde's `expected …` (`a sequence`, `struct RawTransport`, `u16`) in Tessera's words.
pub(super) fn serde_expects(expected: &str) -> String {
    let e = expected.to_ascii_lowercase();
    if e.contains("sequence") || e.contains("array") || e.contains("list") {
        "a list".to_owned()
    } else if e.contains("struct") || e.contains("map") {
        "a mapping of keys".to_owned()
    } else if e.contains("bool") {
        "true or false".to_owned()
    } else if e.contains("string") || e.contains("char") {
        "text".to_owned()
    } else if range_of(e.trim_start_matches("a ").trim_start_matches("an ")).is_some() || e.contains("integer") {
        "a whole number".to_owned()
    } else if e.contains("f64") || e.contains("f32") || e.contains("float") || e.contains("number") {
        "a number".to_owned()
    } else {
        "a value of another kind".to_owned()
    }
}

/// A refusal of an `upstreams` entry (the connector's own keys, read by `serde_json` from
/// the entry at `path`) in the same words as the rest of the file's.
pub(super) fn upstream_entry(path: &str, entry: &serde_json::Value, error: &serde_json::Error) -> String {
    let message = error.to_string();
    let ticked = |text: &str| -> Vec<String> {
        text.split(", ")
            .map(|t| t.trim().trim_matches('`').to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    };
    let quoted = |rest: &str| {
        rest.split_once('`')
            .map(|(name, tail)| (name.to_owned(), tail.to_owned()))
    };
    if let Some((field, tail)) = message.strip_prefix("unknown field `").and_then(quoted) {
        let expected = tail.split_once("expected one of ").map_or_else(
            || tail.split_once("expected ").map_or_else(Vec::new, |(_, e)| ticked(e)),
            |(_, e)| ticked(e),
        );
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        return unknown_key(&child(path, &field), &field, path, &expected);
    }
    if let Some((variant, tail)) = message.strip_prefix("unknown variant `").and_then(quoted) {
        let expected = tail.split_once("expected one of ").map_or_else(
            || tail.split_once("expected ").map_or_else(Vec::new, |(_, e)| ticked(e)),
            |(_, e)| ticked(e),
        );
        return format!(
            "{}: {variant:?} is not one of: {}",
            child(path, "kind"),
            expected.join(", ")
        );
    }
    if let Some((field, _)) = message.strip_prefix("missing field `").and_then(quoted) {
        return format!("{} is required", child(path, &field));
    }
    let wrong = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    if let Some((unexpected, expected)) = wrong.and_then(|w| w.rsplit_once(", expected ")) {
        let expected = serde_expects(expected);
        // serde_json does not say which key; the one whose value is what it describes is.
        let matching: Vec<(&String, &serde_json::Value)> = entry
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, v)| unexpected_words(v) == unexpected)
            .collect();
        if let [(key, value)] = matching.as_slice() {
            let key_path = child(path, key);
            let found = json_got(&key_path, value);
            return format!("{key_path}: expected {expected}, got {found}");
        }
        return format!("{path}: one of its values is of the wrong kind: expected {expected}");
    }
    format!("{path}: {message}")
}

/// How serde describes a value it did not expect (`string "x"`, `integer `5``).
fn unexpected_words(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "unit value".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

fn json_got(path: &str, v: &serde_json::Value) -> String {
    use serde_json::Value;
    let found = match v {
        Value::Null => Found::Null,
        Value::Bool(b) => Found::Plain(b.to_string()),
        Value::Number(n) => Found::Plain(n.to_string()),
        Value::String(s) => Found::Text(s.clone()),
        Value::Array(_) => Found::List,
        Value::Object(_) => Found::Map,
    };
    got(&Entry {
        path: path.to_owned(),
        key: None,
        value: (0, 0),
        found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_have_parents() {
        assert_eq!(parent_of("a.b.c"), "a.b");
        assert_eq!(parent_of("clients[0].id"), "clients[0]");
        assert_eq!(parent_of("clients[0]"), "clients");
        assert_eq!(parent_of("issuer"), "");
    }

    #[test]
    fn spelling_distance() {
        assert_eq!(distance("registraton", "registration"), 1);
        assert_eq!(distance("colour", "color"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn serde_expectations_lose_their_rust_names() {
        assert_eq!(serde_expects("struct RawTransport"), "a mapping of keys");
        assert_eq!(serde_expects("a sequence"), "a list");
        assert_eq!(serde_expects("u16"), "a whole number");
        assert_eq!(serde_expects("a boolean"), "true or false");
        assert_eq!(serde_expects("a string"), "text");
    }
}
