use tessera_sandbox::{ClientCredentials, Failure, Provider, SandboxOptions};
use tessera_upstream::{UpstreamError, x_oauth2};

use crate::support::*;

#[tokio::test]
async fn alice_signs_in_with_pkce() {
    let sb = sandbox().await;
    let c = x_oauth2::open(sb.x_oauth2_config("x"), client());
    let start = c.login_url(&callback("x"), STATE).await.unwrap();
    let q: Vec<_> = start.redirect_url.query_pairs().into_owned().collect();
    assert!(q.contains(&("code_challenge_method".into(), "S256".into())));
    assert!(!start.redirect_url.as_str().contains("verifier"));
    let id = login(c.as_ref(), "alice").await.unwrap();
    assert_eq!(id.subject, "1001");
    assert_eq!(id.username.as_deref(), Some("alice"));
    assert_eq!((id.email, id.email_verified), (None, false), "X OAuth 2 gives no email");
    assert!(id.tokens.refresh_token.is_some());
    assert!(id.tokens.expires_at.is_some());
    assert_eq!(id.profile["data"]["id"], "1001");
}

#[tokio::test]
async fn public_client_without_secret() {
    let options = SandboxOptions {
        x_oauth2: ClientCredentials {
            client_id: "public-x".into(),
            client_secret: None,
        },
        ..SandboxOptions::default()
    };
    let sb = sandbox_with(options).await;
    let config = sb.x_oauth2_config("x");
    assert!(config.client_secret.is_none());
    assert_eq!(
        login(x_oauth2::open(config, client()).as_ref(), "bob")
            .await
            .unwrap()
            .subject,
        "1002"
    );
}

#[tokio::test]
async fn cancel_and_pkce_errors() {
    let sb = sandbox().await;
    let c = x_oauth2::open(sb.x_oauth2_config("x"), client());
    let cb = callback("x");
    assert_eq!(login(c.as_ref(), "cancel").await.unwrap_err(), UpstreamError::Cancelled);
    let (query, _) = begin(c.as_ref(), "alice").await;
    assert_protocol(c.handle_callback(&cb, &query, "{}").await, "verifier");
    assert_protocol(c.handle_callback(&cb, &without(&query, "code"), "{}").await, "no code");
    // Another login's verifier: the upstream's PKCE check refuses.
    let (query, _) = begin(c.as_ref(), "alice").await;
    let other = c.login_url(&cb, STATE).await.unwrap();
    assert_refused(c.handle_callback(&cb, &query, &other.state_data).await);
    // Upstream error codes other than access_denied are refusals.
    assert_refused(
        c.handle_callback(&cb, &with(&query, "error", "invalid_scope"), &other.state_data)
            .await,
    );
}

#[tokio::test]
async fn upstream_failures() {
    let sb = sandbox().await;
    let c = x_oauth2::open(sb.x_oauth2_config("x"), client());
    let cb = callback("x");
    let (query, start) = begin(c.as_ref(), "alice").await;
    sb.fail_next(Provider::Twitter, Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);
    let (query, start) = begin(c.as_ref(), "alice").await;
    sb.fail_next_at(Provider::Twitter, "/2/users/me", Failure::InvalidJson);
    assert_protocol(c.handle_callback(&cb, &query, &start.state_data).await, "invalid JSON");
}

#[tokio::test]
async fn posts_with_bearer_until_revoked() {
    let sb = sandbox().await;
    let c = x_oauth2::open(sb.x_oauth2_config("x"), client());
    let id = login(c.as_ref(), "bob").await.unwrap();
    c.post_status(&id.tokens, "hello from X").await.unwrap();
    assert_eq!(sb.posts()[0].user_id, "1002");
    assert_eq!(sb.posts()[0].api, "v2");
    sb.revoke_token(&id.tokens.access_token);
    assert_refused(c.post_status(&id.tokens, "again").await);
    // Without tweet.write the upstream refuses.
    let mut config = sb.x_oauth2_config("x");
    config.scopes.retain(|s| s != "tweet.write");
    let c = x_oauth2::open(config, client());
    let id = login(c.as_ref(), "bob").await.unwrap();
    assert_refused(c.post_status(&id.tokens, "nope").await);
    assert_eq!(sb.posts().len(), 1);
}
