use tessera_sandbox::{Failure, Provider};
use tessera_upstream::{UpstreamError, facebook};

use crate::support::*;

#[tokio::test]
async fn carol_signs_in_with_friends_and_unverified_email() {
    let sb = sandbox().await;
    let c = facebook::open(sb.facebook_config("facebook"), client());
    let id = login(c.as_ref(), "carol").await.unwrap();
    assert_eq!(id.subject, "2001");
    assert_eq!(id.name.as_deref(), Some("Carol Example"));
    assert_eq!(id.email.as_deref(), Some("carol@example.com"));
    assert!(!id.email_verified, "Facebook emails are unverified unless trusted");
    assert_eq!(
        id.picture.as_deref(),
        Some("https://graph.facebook.invalid/2001/picture")
    );
    assert_eq!(id.profile["first_name"], "Carol");
    assert_eq!(id.profile["last_name"], "Example");
    // Only friends who use the app (2999 does not).
    assert_eq!(id.friends, Some(vec!["2002".to_owned()]));
    assert!(id.tokens.expires_at.is_some());
}

#[tokio::test]
async fn trusted_email_dave_without_email_and_no_friends_scope() {
    let sb = sandbox().await;
    let trusted = facebook::Config {
        trust_email: true,
        ..sb.facebook_config("facebook")
    };
    let c = facebook::open(trusted, client());
    assert!(login(c.as_ref(), "carol").await.unwrap().email_verified);
    let dave = login(c.as_ref(), "dave").await.unwrap();
    assert_eq!((dave.email, dave.email_verified), (None, false));

    let mut config = sb.facebook_config("facebook");
    config.scopes = vec!["public_profile".into()];
    let c = facebook::open(config, client());
    let start = c.login_url(&callback("facebook"), STATE).await.unwrap();
    assert!(start.redirect_url.as_str().contains("scope=public_profile"));
    let carol = login(c.as_ref(), "carol").await.unwrap();
    assert_eq!(carol.friends, None);
    assert_eq!(carol.email, None, "no email permission, no email");
}

#[tokio::test]
async fn cancel_code_replay_and_wrong_secret() {
    let sb = sandbox().await;
    let c = facebook::open(sb.facebook_config("facebook"), client());
    let cb = callback("facebook");
    let (query, _) = begin(c.as_ref(), "cancel").await;
    assert!(query.contains(&("error_reason".into(), "user_denied".into())));
    assert_eq!(
        c.handle_callback(&cb, &query, "").await.unwrap_err(),
        UpstreamError::Cancelled
    );

    let (query, start) = begin(c.as_ref(), "carol").await;
    assert!(c.handle_callback(&cb, &query, &start.state_data).await.is_ok());
    assert_refused(c.handle_callback(&cb, &query, &start.state_data).await);

    let wrong = facebook::Config {
        client_secret: "wrong".into(),
        ..sb.facebook_config("facebook")
    };
    let c = facebook::open(wrong, client());
    assert_refused(login(c.as_ref(), "carol").await);
}

#[tokio::test]
async fn redirect_uri_must_match_the_dialog() {
    let sb = sandbox().await;
    let c = facebook::open(sb.facebook_config("facebook"), client());
    let (query, start) = begin(c.as_ref(), "carol").await;
    let elsewhere = url::Url::parse("http://127.0.0.1:9/elsewhere").unwrap();
    assert_refused(c.handle_callback(&elsewhere, &query, &start.state_data).await);
}

#[tokio::test]
async fn upstream_failures() {
    let sb = sandbox().await;
    let c = facebook::open(sb.facebook_config("facebook"), client());
    let cb = callback("facebook");
    let (query, start) = begin(c.as_ref(), "carol").await;
    sb.fail_next(Provider::Facebook, Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);
    let (query, start) = begin(c.as_ref(), "carol").await;
    sb.fail_next_at(Provider::Facebook, "/graph/me", Failure::InvalidJson);
    assert_protocol(c.handle_callback(&cb, &query, &start.state_data).await, "invalid JSON");
    let (query, start) = begin(c.as_ref(), "carol").await;
    sb.fail_next_at(Provider::Facebook, "/graph/me/friends", Failure::ServerError);
    assert_eq!(
        c.handle_callback(&cb, &query, &start.state_data).await.unwrap().friends,
        None
    );
}
