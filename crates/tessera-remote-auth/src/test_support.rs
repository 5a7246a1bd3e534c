//! Fixtures shared by the unit tests.

use url::Url;

use crate::{FreshTimestamp, Person, Secret};

pub(crate) fn zendesk() -> Url {
    Url::parse("https://example.zendesk.com").unwrap()
}

pub(crate) fn jane() -> Person {
    Person {
        name: "Jane Doe".into(),
        email: "jane@example.com".into(),
        external_id: "jane".into(),
        ..Person::default()
    }
}

/// A timestamp taken as the current time, for signers' unit tests.
pub(crate) fn at(seconds: i64) -> FreshTimestamp {
    FreshTimestamp::current(seconds)
}

pub(crate) fn secret() -> Secret {
    Secret::new("abc123")
}

/// The decoded query pairs of `url`, in order.
pub(crate) fn query(url: &Url) -> Vec<(String, String)> {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The decoded value of `key` in `url`'s query.
pub(crate) fn param(url: &Url, key: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}
