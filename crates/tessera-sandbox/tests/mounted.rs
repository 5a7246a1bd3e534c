//! The router served by someone else under a path prefix: OAuth 1.0a
//! signatures cover the full path, and every URL carries the prefix.

use tessera_sandbox::{SandboxOptions, SandboxState, browser, router};
use tessera_upstream::twitter;

use crate::client;

#[tokio::test]
async fn twitter_login_through_a_mounted_router() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = url::Url::parse(&format!("http://{}/dev/sandbox", listener.local_addr().unwrap())).unwrap();
    let state = SandboxState::new(SandboxOptions::default(), &base);
    let app = axum::Router::new().nest("/dev/sandbox", router(state.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let c = twitter::open(state.twitter_config("twitter"), client());
    let cb = url::Url::parse("http://127.0.0.1:9/cb").unwrap();
    let start = c.login_url(&cb, "s").await.unwrap();
    assert!(start.redirect_url.path().starts_with("/dev/sandbox/twitter/"));
    let back = browser::choose(&start.redirect_url, "bob").await.unwrap();
    let id = c
        .handle_callback(&cb, &browser::query_pairs(&back), &start.state_data)
        .await
        .unwrap();
    assert_eq!(id.username.as_deref(), Some("bob"));
}
