use tessera_sandbox::{Failure, Provider};
use tessera_upstream::twitter::{self, PostApi};
use tessera_upstream::{UpstreamConfig, UpstreamError};

use crate::support::*;

#[tokio::test]
async fn alice_signs_in_with_verified_email_and_friends() {
    let sb = sandbox().await;
    let c = twitter::open(sb.twitter_config("twitter"), client());
    assert!(!c.callback_has_state());
    let id = login(c.as_ref(), "alice").await.unwrap();
    assert_eq!(id.provider, "twitter");
    assert_eq!(id.subject, "1001");
    assert_eq!(id.username.as_deref(), Some("alice"));
    assert_eq!(id.email.as_deref(), Some("alice@example.com"));
    assert!(id.email_verified);
    assert_eq!(id.name.as_deref(), Some("Alice Example"));
    assert!(id.picture.unwrap().contains("alice"));
    assert_eq!(id.profile["id_str"], "1001");
    assert_eq!(id.friends, Some(vec!["1002".to_owned(), "1999".to_owned()]));
    assert!(id.tokens.token_secret.is_some());
    assert!(!format!("{:?}", id.tokens).contains(&id.tokens.access_token));
}

#[tokio::test]
async fn bob_has_no_email_and_friends_are_optional() {
    let sb = sandbox().await;
    let config = twitter::Config {
        fetch_friends: false,
        ..sb.twitter_config("tw")
    };
    let id = login(twitter::open(config, client()).as_ref(), "bob").await.unwrap();
    assert_eq!(id.subject, "1002");
    assert_eq!(id.email, None);
    assert!(!id.email_verified);
    assert_eq!(id.friends, None);
}

#[tokio::test]
async fn opens_from_a_config_entry() {
    let sb = sandbox().await;
    let entry = serde_json::json!({
        "id": "twitter", "kind": "twitter", "client_id": "sandbox-twitter-key",
        "client_secret": "sandbox-twitter-secret", "api_base_url": format!("{}/twitter", sb.base_url()),
    });
    let config: UpstreamConfig = serde_json::from_value(entry).unwrap();
    assert!(config.validate().is_empty());
    let c = tessera_upstream::open(config, client());
    assert_eq!(login(c.as_ref(), "alice").await.unwrap().subject, "1001");
}

#[tokio::test]
async fn cancel_is_cancelled() {
    let sb = sandbox().await;
    let c = twitter::open(sb.twitter_config("twitter"), client());
    let (query, start) = begin(c.as_ref(), "cancel").await;
    assert!(query.iter().any(|(k, _)| k == "denied"));
    let result = c.handle_callback(&callback("twitter"), &query, &start.state_data).await;
    assert_eq!(result.unwrap_err(), UpstreamError::Cancelled);
}

#[tokio::test]
async fn oauth_token_must_be_the_one_of_this_login() {
    let sb = sandbox().await;
    let c = twitter::open(sb.twitter_config("twitter"), client());
    let (query_a, _start_a) = begin(c.as_ref(), "alice").await;
    let (_query_b, start_b) = begin(c.as_ref(), "bob").await;
    // Login A's callback arriving at login B's pending data.
    assert_protocol(
        c.handle_callback(&callback("twitter"), &query_a, &start_b.state_data)
            .await,
        "oauth_token",
    );
    assert_protocol(
        c.handle_callback(
            &callback("twitter"),
            &without(&query_a, "oauth_token"),
            &start_b.state_data,
        )
        .await,
        "oauth_token",
    );
    assert_protocol(
        c.handle_callback(&callback("twitter"), &query_a, "not json").await,
        "pending",
    );
}

#[tokio::test]
async fn missing_verifier_and_replayed_request_token() {
    let sb = sandbox().await;
    let c = twitter::open(sb.twitter_config("twitter"), client());
    let (query, start) = begin(c.as_ref(), "alice").await;
    let cb = callback("twitter");
    assert_protocol(
        c.handle_callback(&cb, &without(&query, "oauth_verifier"), &start.state_data)
            .await,
        "oauth_verifier",
    );
    // A wrong verifier is refused by the upstream and uses the request token up.
    assert_refused(
        c.handle_callback(&cb, &with(&query, "oauth_verifier", "guess"), &start.state_data)
            .await,
    );
    assert_refused(c.handle_callback(&cb, &query, &start.state_data).await);
    // A good one works once only.
    let (query, start) = begin(c.as_ref(), "alice").await;
    assert!(c.handle_callback(&cb, &query, &start.state_data).await.is_ok());
    assert_refused(c.handle_callback(&cb, &query, &start.state_data).await);
}

#[tokio::test]
async fn upstream_failures() {
    let sb = sandbox().await;
    let c = twitter::open(sb.twitter_config("twitter"), client());
    let cb = callback("twitter");
    sb.fail_next(Provider::Twitter, Failure::ServerError);
    assert_api(c.login_url(&cb, STATE).await);
    sb.fail_next(Provider::Twitter, Failure::CallbackNotConfirmed);
    match c.login_url(&cb, STATE).await {
        Err(UpstreamError::Protocol(m)) => assert!(m.contains("oauth_callback_confirmed"), "{m}"),
        other => panic!("{other:?}"),
    }
    sb.fail_next(Provider::Twitter, Failure::InvalidJson);
    assert!(matches!(c.login_url(&cb, STATE).await, Err(UpstreamError::Protocol(_))));

    let (query, start) = begin(c.as_ref(), "alice").await;
    sb.fail_next(Provider::Twitter, Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);

    let (query, start) = begin(c.as_ref(), "alice").await;
    sb.fail_next_at(Provider::Twitter, "/verify_credentials.json", Failure::InvalidJson);
    assert_protocol(c.handle_callback(&cb, &query, &start.state_data).await, "invalid JSON");

    // A failing friends call costs no login.
    let (query, start) = begin(c.as_ref(), "alice").await;
    sb.fail_next_at(Provider::Twitter, "/friends/ids.json", Failure::ServerError);
    let id = c.handle_callback(&cb, &query, &start.state_data).await.unwrap();
    assert_eq!(id.friends, None);
}

#[tokio::test]
async fn wrong_consumer_secret_is_refused() {
    let sb = sandbox().await;
    let config = twitter::Config {
        client_secret: "not-the-secret".into(),
        ..sb.twitter_config("twitter")
    };
    assert_refused(
        twitter::open(config, client())
            .login_url(&callback("twitter"), STATE)
            .await,
    );
}

#[tokio::test]
async fn unreachable_upstream_is_api() {
    let sb = sandbox().await;
    let config = twitter::Config {
        api_base_url: "http://127.0.0.1:9/twitter".parse().unwrap(),
        ..sb.twitter_config("twitter")
    };
    assert_api(
        twitter::open(config, client())
            .login_url(&callback("twitter"), STATE)
            .await,
    );
}

#[tokio::test]
async fn posts_with_v1_and_v2_until_revoked() {
    let sb = sandbox().await;
    let v2 = twitter::open(sb.twitter_config("twitter"), client());
    let v1 = twitter::open(
        twitter::Config {
            post_api: PostApi::V1,
            ..sb.twitter_config("twitter")
        },
        client(),
    );
    let id = login(v2.as_ref(), "alice").await.unwrap();
    v2.post_status(&id.tokens, "I just joined Example!").await.unwrap();
    v1.post_status(&id.tokens, "Ladies + Gentlemen, 100% *signed* & sealed ✓")
        .await
        .unwrap();
    let posts = sb.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(
        (posts[0].api, posts[0].user_id.as_str(), posts[0].text.as_str()),
        ("v2", "1001", "I just joined Example!")
    );
    assert_eq!(posts[1].api, "v1");
    assert_eq!(posts[1].text, "Ladies + Gentlemen, 100% *signed* & sealed ✓");

    let mut no_secret = id.tokens.clone();
    no_secret.token_secret = None;
    assert_refused(v2.post_status(&no_secret, "x").await);
    assert!(sb.revoke_token(&id.tokens.access_token));
    assert_refused(v2.post_status(&id.tokens, "after revocation").await);
    assert_refused(v1.post_status(&id.tokens, "after revocation").await);
    assert_eq!(sb.posts().len(), 2);
}
