use tessera_sandbox::{Failure, Provider};
use tessera_upstream::{UpstreamError, oauth2};

use crate::support::*;

#[tokio::test]
async fn userinfo_claims_are_mapped() {
    let sb = sandbox().await;
    let c = oauth2::open(sb.oauth2_config("generic"), client());
    let id = login(c.as_ref(), "frank").await.unwrap();
    assert_eq!(id.provider, "generic");
    assert_eq!(id.subject, "frank-4001");
    assert_eq!(id.email.as_deref(), Some("frank@example.com"));
    assert!(id.email_verified);
    assert_eq!(id.name.as_deref(), Some("Frank Example"));
    assert!(id.picture.is_some());

    let mut config = sb.oauth2_config("generic");
    config.claims.subject = "preferred_username".into();
    config.claims.email_verified = "no_such_field".into();
    config.token_auth = oauth2::TokenAuth::Post;
    config.pkce = false;
    let c = oauth2::open(config, client());
    let start = c.login_url(&callback("generic"), STATE).await.unwrap();
    assert!(!start.redirect_url.as_str().contains("code_challenge"));
    let id = login(c.as_ref(), "grace").await.unwrap();
    assert_eq!(id.subject, "grace");
    assert!(!id.email_verified);
}

#[tokio::test]
async fn errors() {
    let sb = sandbox().await;
    let c = oauth2::open(sb.oauth2_config("generic"), client());
    let cb = callback("generic");
    assert_eq!(login(c.as_ref(), "cancel").await.unwrap_err(), UpstreamError::Cancelled);
    let (query, _) = begin(c.as_ref(), "frank").await;
    assert_protocol(c.handle_callback(&cb, &query, "{}").await, "verifier");
    let (query, start) = begin(c.as_ref(), "frank").await;
    sb.fail_next_at(Provider::Oidc, "/userinfo", Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);
    let (query, start) = begin(c.as_ref(), "frank").await;
    sb.fail_next_at(Provider::Oidc, "/userinfo", Failure::InvalidJson);
    assert_protocol(c.handle_callback(&cb, &query, &start.state_data).await, "invalid JSON");

    let mut config = sb.oauth2_config("generic");
    config.claims.subject = "no_such_claim".into();
    assert_protocol(
        login(oauth2::open(config, client()).as_ref(), "frank").await,
        "no_such_claim",
    );
}
