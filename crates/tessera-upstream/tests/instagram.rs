use tessera_sandbox::{Failure, Provider};
use tessera_upstream::{UpstreamError, instagram};
use time::OffsetDateTime;

use crate::support::*;

#[tokio::test]
async fn erin_gets_a_long_lived_token_and_no_email() {
    let sb = sandbox().await;
    let c = instagram::open(sb.instagram_config("instagram"), client());
    let id = login(c.as_ref(), "erin_photos").await.unwrap();
    assert_eq!(id.subject, "3001");
    assert_eq!(id.username.as_deref(), Some("erin_photos"));
    assert_eq!(id.name.as_deref(), Some("Erin Photos"));
    assert_eq!((id.email, id.email_verified), (None, false));
    assert!(id.profile["biography"].is_string());
    assert!(id.profile["website"].is_string());
    let days = (id.tokens.expires_at.unwrap() - OffsetDateTime::now_utc()).whole_days();
    assert!((59..=60).contains(&days), "long-lived token: {days} days");
}

#[tokio::test]
async fn cancel_and_wrong_secret() {
    let sb = sandbox().await;
    let c = instagram::open(sb.instagram_config("instagram"), client());
    assert_eq!(login(c.as_ref(), "cancel").await.unwrap_err(), UpstreamError::Cancelled);
    let wrong = instagram::Config {
        client_secret: "wrong".into(),
        ..sb.instagram_config("instagram")
    };
    assert_refused(login(instagram::open(wrong, client()).as_ref(), "erin_photos").await);
}

#[tokio::test]
async fn upstream_failures() {
    let sb = sandbox().await;
    let c = instagram::open(sb.instagram_config("instagram"), client());
    let cb = callback("instagram");
    let (query, start) = begin(c.as_ref(), "erin_photos").await;
    sb.fail_next(Provider::Instagram, Failure::InvalidJson);
    assert_protocol(c.handle_callback(&cb, &query, &start.state_data).await, "invalid JSON");
    let (query, start) = begin(c.as_ref(), "erin_photos").await;
    sb.fail_next_at(Provider::Instagram, "/graph/access_token", Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);
    let (query, start) = begin(c.as_ref(), "erin_photos").await;
    sb.fail_next_at(Provider::Instagram, "/graph/me", Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);
}
