//! A sandbox per test, a client, and the browser round trip.

use tessera_sandbox::{Sandbox, SandboxOptions, browser};
use tessera_upstream::{CallbackConnector, Identity, LoginStart, UpstreamError};
use url::Url;

pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxOptions::default()).await
}

pub async fn sandbox_with(options: SandboxOptions) -> Sandbox {
    tessera_sandbox::start(([127, 0, 0, 1], 0).into(), options)
        .await
        .expect("sandbox starts")
}

/// The client a server would give connectors: no redirects followed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Where Tessera would receive the callback (never fetched in tests).
pub fn callback(id: &str) -> Url {
    Url::parse(&format!("http://127.0.0.1:9/login/{id}/callback?x=1")).unwrap()
}

pub const STATE: &str = "state-from-the-caller";

/// A login started and the browser sent through the chooser: the
/// callback's query and the start, ready for `handle_callback`.
pub async fn begin(c: &dyn CallbackConnector, choice: &str) -> (Vec<(String, String)>, LoginStart) {
    let start = c.login_url(&callback(c.id()), STATE).await.expect("login_url");
    assert!(!start.redirect_url.as_str().contains(&start.state_data) || start.state_data.is_empty());
    let back = browser::choose(&start.redirect_url, choice).await.expect("browser");
    let expected = callback(c.id());
    assert_eq!(back.path(), expected.path(), "{back}");
    let query = browser::query_pairs(&back);
    assert_eq!(
        query.first(),
        Some(&("x".to_owned(), "1".to_owned())),
        "the callback's own query is kept"
    );
    if c.callback_has_state() {
        assert!(
            query.contains(&("state".to_owned(), STATE.to_owned())),
            "state echoed: {back}"
        );
    }
    (query, start)
}

/// A whole login as `choice`.
pub async fn login(c: &dyn CallbackConnector, choice: &str) -> Result<Identity, UpstreamError> {
    let (query, start) = begin(c, choice).await;
    c.handle_callback(&callback(c.id()), &query, &start.state_data).await
}

/// `query` with `name` removed.
pub fn without(query: &[(String, String)], name: &str) -> Vec<(String, String)> {
    query.iter().filter(|(k, _)| k != name).cloned().collect()
}

/// `query` with `name` set to `value`.
pub fn with(query: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut q = without(query, name);
    q.push((name.to_owned(), value.to_owned()));
    q
}

#[track_caller]
pub fn assert_protocol(result: Result<Identity, UpstreamError>, needle: &str) {
    match result {
        Err(UpstreamError::Protocol(m)) => assert!(m.contains(needle), "{m:?} should mention {needle:?}"),
        other => panic!("expected Protocol({needle}), got {other:?}"),
    }
}

#[track_caller]
pub fn assert_refused<T: std::fmt::Debug>(result: Result<T, UpstreamError>) {
    assert!(
        matches!(result, Err(UpstreamError::Refused(_))),
        "expected Refused, got {result:?}"
    );
}

#[track_caller]
pub fn assert_api<T: std::fmt::Debug>(result: Result<T, UpstreamError>) {
    assert!(
        matches!(result, Err(UpstreamError::Api(_))),
        "expected Api, got {result:?}"
    );
}
