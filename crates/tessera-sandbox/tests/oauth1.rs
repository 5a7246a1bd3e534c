//! Fake Twitter refuses what RFC 5849 says a server must refuse.

use reqwest::StatusCode;
use tessera_sandbox::Provider;
use tessera_upstream::oauth1::Signer;
use url::Url;

use crate::{client, sandbox};

fn now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp() as u64
}

const KEY: &str = "sandbox-twitter-key";
const SECRET: &str = "sandbox-twitter-secret";

async fn post_signed(url: &Url, header: String) -> (StatusCode, String) {
    let response = client()
        .post(url.clone())
        .header("Authorization", header)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn request_token_signature_nonce_and_timestamp() {
    let sb = sandbox().await;
    let url = Url::parse(&format!("{}/oauth/request_token", sb.provider_url(Provider::Twitter))).unwrap();
    let cb = "http://127.0.0.1:9/cb";
    let signer = Signer {
        callback: Some(cb),
        ..Signer::new(KEY, SECRET)
    };
    let (status, body) = post_signed(&url, signer.authorization_header_with("POST", &url, &[], "n1", now())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("oauth_callback_confirmed=true"), "{body}");
    // The same nonce again is a replay (RFC 5849 §3.3)... with the same timestamp.
    let ts = now();
    let header = signer.authorization_header_with("POST", &url, &[], "n2", ts);
    assert_eq!(post_signed(&url, header.clone()).await.0, StatusCode::OK);
    let (status, body) = post_signed(&url, header).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("nonce"), "{body}");
    // Stale timestamp.
    let (status, body) = post_signed(
        &url,
        signer.authorization_header_with("POST", &url, &[], "n3", now() - 3600),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("timestamp"), "{body}");
    // Wrong secret, wrong key, other method, no header, garbage header.
    let wrong = Signer {
        callback: Some(cb),
        ..Signer::new(KEY, "guess")
    };
    let (status, body) = post_signed(&url, wrong.authorization_header("POST", &url, &[])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("invalid signature"), "{body}");
    let other_key = Signer {
        callback: Some(cb),
        ..Signer::new("other", SECRET)
    };
    assert_eq!(
        post_signed(&url, other_key.authorization_header("POST", &url, &[]))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_signed(&url, signer.authorization_header("GET", &url, &[])).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        client().post(url.clone()).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_signed(&url, "OAuth oauth_nonce=\"%ZZ".into()).await.0,
        StatusCode::UNAUTHORIZED
    );
    // No callback (or not a URL) is a bad request, once signed.
    let no_cb = Signer::new(KEY, SECRET);
    assert_eq!(
        post_signed(&url, no_cb.authorization_header("POST", &url, &[])).await.0,
        StatusCode::BAD_REQUEST
    );
    let oob = Signer {
        callback: Some("oob"),
        ..Signer::new(KEY, SECRET)
    };
    assert_eq!(
        post_signed(&url, oob.authorization_header("POST", &url, &[])).await.0,
        StatusCode::BAD_REQUEST
    );
}

/// Runs the dance by hand up to an access token for alice.
async fn access_token(sb: &tessera_sandbox::Sandbox) -> (String, String) {
    let api = sb.provider_url(Provider::Twitter);
    let url = Url::parse(&format!("{api}/oauth/request_token")).unwrap();
    let signer = Signer {
        callback: Some("http://127.0.0.1:9/cb"),
        ..Signer::new(KEY, SECRET)
    };
    let body = post_signed(&url, signer.authorization_header("POST", &url, &[]))
        .await
        .1;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let (token, secret) = (form[0].1.clone(), form[1].1.clone());

    // Before the person chose, the token cannot be exchanged.
    let url = Url::parse(&format!("{api}/oauth/access_token")).unwrap();
    let early = Signer {
        verifier: Some("x"),
        ..Signer::new(KEY, SECRET).with_token(&token, &secret)
    };
    let (status, body) = post_signed(&url, early.authorization_header("POST", &url, &[])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // That attempt used the request token up: a new one.
    let url0 = Url::parse(&format!("{api}/oauth/request_token")).unwrap();
    let body = post_signed(&url0, signer.authorization_header("POST", &url0, &[]))
        .await
        .1;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let (token, secret) = (form[0].1.clone(), form[1].1.clone());
    let login = Url::parse(&format!("{api}/oauth/authenticate?oauth_token={token}")).unwrap();
    let back = tessera_sandbox::browser::choose(&login, "alice").await.unwrap();
    assert_eq!(back.as_str().split('?').next(), Some("http://127.0.0.1:9/cb"));
    let verifier = back
        .query_pairs()
        .find(|(k, _)| k == "oauth_verifier")
        .unwrap()
        .1
        .into_owned();
    // The chooser is gone once used.
    let again = client().get(login.clone()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);

    let signer = Signer {
        verifier: Some(&verifier),
        ..Signer::new(KEY, SECRET).with_token(&token, &secret)
    };
    let (status, body) = post_signed(&url, signer.authorization_header("POST", &url, &[])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("screen_name=alice"), "{body}");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    (form[0].1.clone(), form[1].1.clone())
}

#[tokio::test]
async fn signed_api_calls_cover_query_and_body() {
    let sb = sandbox().await;
    let (token, secret) = access_token(&sb).await;
    let api = sb.provider_url(Provider::Twitter);
    let signer = Signer::new(KEY, SECRET).with_token(&token, &secret);

    let signed_url = Url::parse(&format!(
        "{api}/1.1/account/verify_credentials.json?include_email=false"
    ))
    .unwrap();
    let header = signer.authorization_header("GET", &signed_url, &[]);
    let user: serde_json::Value = client()
        .get(signed_url.clone())
        .header("Authorization", header.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(user["id_str"], "1001");
    assert!(user.get("email").is_none(), "no include_email, no email");
    // The query is signed: changing it breaks the signature.
    let tampered = Url::parse(&format!("{api}/1.1/account/verify_credentials.json?include_email=true")).unwrap();
    let response = client()
        .get(tampered)
        .header("Authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // So is the form body.
    let update = Url::parse(&format!("{api}/1.1/statuses/update.json")).unwrap();
    let form = vec![("status".to_owned(), "hello".to_owned())];
    let header = signer.authorization_header("POST", &update, &form);
    let response = client()
        .post(update.clone())
        .header("Authorization", header)
        .form(&[("status", "HELLO")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(sb.posts().is_empty());

    // A request token cannot call the API; a revoked access token neither.
    assert!(!sb.revoke_token("never-issued"));
    assert!(sb.revoke_token(&token));
    let url = Url::parse(&format!("{api}/1.1/friends/ids.json")).unwrap();
    let response = client()
        .get(url.clone())
        .header("Authorization", signer.authorization_header("GET", &url, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.text().await.unwrap().contains("revoked"));
}

#[tokio::test]
async fn browser_pages_refuse_bad_input_without_panicking() {
    let sb = sandbox().await;
    let api = sb.provider_url(Provider::Twitter);
    for path in [
        "/oauth/authenticate",
        "/oauth/authenticate?oauth_token=unknown",
        "/oauth/authenticate?oauth_token=%ZZ%00",
        "/oauth/choose?oauth_token=unknown&choice=alice",
    ] {
        let response = client().get(format!("{api}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(response.text().await.unwrap().contains("Sandbox: bad request"));
    }
}
