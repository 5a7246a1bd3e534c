use tessera_sandbox::{Failure, OidcMisbehavior, Provider};
use tessera_upstream::{UpstreamError, oidc};

use crate::support::*;

#[tokio::test]
async fn frank_verified_and_grace_unverified() {
    let sb = sandbox().await;
    let c = oidc::open(sb.oidc_config("oidc"), client());
    let start = c.login_url(&callback("oidc"), STATE).await.unwrap();
    let q: Vec<_> = start.redirect_url.query_pairs().into_owned().collect();
    for name in ["nonce", "code_challenge", "state"] {
        assert!(q.iter().any(|(k, _)| k == name), "{name} in {}", start.redirect_url);
    }
    let frank = login(c.as_ref(), "frank").await.unwrap();
    assert_eq!(frank.subject, "frank-4001");
    assert_eq!(frank.username.as_deref(), Some("frank"));
    assert_eq!(frank.email.as_deref(), Some("frank@example.com"));
    assert!(frank.email_verified);
    assert_eq!(frank.profile["iss"], sb.provider_url(Provider::Oidc).as_str());
    let grace = login(c.as_ref(), "grace").await.unwrap();
    assert_eq!(grace.email.as_deref(), Some("grace@example.com"));
    assert!(!grace.email_verified);
}

#[tokio::test]
async fn lying_id_tokens_are_rejected() {
    let sb = sandbox().await;
    let c = oidc::open(sb.oidc_config("oidc"), client());
    for (lie, needle) in [
        (OidcMisbehavior::WrongSignature, "signature"),
        (OidcMisbehavior::WrongNonce, "nonce"),
        (OidcMisbehavior::WrongAudience, "audience"),
        (OidcMisbehavior::WrongIssuer, "issuer"),
        (OidcMisbehavior::Expired, "expired"),
        (OidcMisbehavior::UserinfoWrongSubject, "sub does not match"),
    ] {
        sb.set_oidc_misbehavior(Some(lie));
        assert_protocol(login(c.as_ref(), "frank").await, needle);
    }
    sb.set_oidc_misbehavior(None);
    assert!(login(c.as_ref(), "frank").await.is_ok());
}

#[tokio::test]
async fn cancel_and_pending_data_errors() {
    let sb = sandbox().await;
    let c = oidc::open(sb.oidc_config("oidc"), client());
    let cb = callback("oidc");
    assert_eq!(login(c.as_ref(), "cancel").await.unwrap_err(), UpstreamError::Cancelled);
    let (query, start) = begin(c.as_ref(), "frank").await;
    assert_protocol(c.handle_callback(&cb, &query, r#"{"verifier":"x"}"#).await, "nonce");
    // Another login's verifier and nonce: PKCE fails at the provider.
    let other = c.login_url(&cb, STATE).await.unwrap();
    assert_refused(c.handle_callback(&cb, &query, &other.state_data).await);
    // The code is used up by that attempt.
    assert_refused(c.handle_callback(&cb, &query, &start.state_data).await);
}

#[tokio::test]
async fn upstream_failures_and_discovery_retry() {
    let sb = sandbox().await;
    let c = oidc::open(sb.oidc_config("oidc"), client());
    let cb = callback("oidc");
    sb.fail_next(Provider::Oidc, Failure::ServerError);
    assert_api(c.login_url(&cb, STATE).await);
    // A failed discovery is not cached.
    let (query, start) = begin(c.as_ref(), "frank").await;
    sb.fail_next_at(Provider::Oidc, "/token", Failure::InvalidJson);
    assert_protocol(c.handle_callback(&cb, &query, &start.state_data).await, "invalid JSON");
    let (query, start) = begin(c.as_ref(), "frank").await;
    sb.fail_next_at(Provider::Oidc, "/jwks", Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);
    let (query, start) = begin(c.as_ref(), "frank").await;
    sb.fail_next_at(Provider::Oidc, "/userinfo", Failure::ServerError);
    assert_api(c.handle_callback(&cb, &query, &start.state_data).await);
}

#[tokio::test]
async fn issuer_must_match_discovery_and_secret_must_be_right() {
    let sb = sandbox().await;
    let mut config = sb.oidc_config("oidc");
    config.issuer.push('/');
    let c = oidc::open(config, client());
    match c.login_url(&callback("oidc"), STATE).await {
        Err(UpstreamError::Protocol(m)) => assert!(m.contains("issuer"), "{m}"),
        other => panic!("{other:?}"),
    }
    let mut config = sb.oidc_config("oidc");
    config.client_secret = Some("wrong".into());
    assert_refused(login(oidc::open(config, client()).as_ref(), "frank").await);
}

#[tokio::test]
async fn a_wrong_at_hash_nonce_or_audience_is_refused_with_a_clear_reason() {
    let sb = sandbox().await;
    let c = oidc::open(sb.oidc_config("oidc"), client());
    // The sandbox's honest ID tokens carry a correct at_hash, so the check runs on every login.
    assert!(login(c.as_ref(), "frank").await.is_ok());
    for (lie, message) in [
        (
            OidcMisbehavior::WrongAtHash,
            "the provider's answer was invalid: ID token: at_hash does not match the access token",
        ),
        (
            OidcMisbehavior::WrongNonce,
            "the provider's answer was invalid: ID token: the nonce does not match this login",
        ),
        (
            OidcMisbehavior::WrongAudience,
            "the provider's answer was invalid: ID token: wrong audience",
        ),
    ] {
        sb.set_oidc_misbehavior(Some(lie));
        let err = login(c.as_ref(), "frank").await.unwrap_err();
        assert!(matches!(err, UpstreamError::Protocol(_)), "{lie:?}: {err:?}");
        assert_eq!(err.to_string(), message, "{lie:?}");
    }
    sb.set_oidc_misbehavior(None);
    assert!(login(c.as_ref(), "frank").await.is_ok());
}
