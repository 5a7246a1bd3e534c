//! Access tokens as resource servers meet them: the two formats a client can be given
//! (`clients[].access_token_format`), their records written by the group commit, and the
//! discovery documents served pre-rendered with an ETag.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::oidc::{code_for, person, token_request};
use crate::support::logs;
use crate::support::people::FAST_PASSWORDS;
use crate::support::server::{TestServer, browser};

const SECRET: &str = "access-token-test-secret-0123456789";
const CALLBACK: &str = "http://127.0.0.1:9000/cb";

async fn start() -> TestServer {
    logs::secret(SECRET);
    TestServer::start_configured(&format!(
        "{FAST_PASSWORDS}clients:\n  \
         - {{ id: opaque-app, secret: {SECRET}, redirect_uris: ['{CALLBACK}'], first_party: true, \
         grant_types: [authorization_code, refresh_token, client_credentials], scopes: [openid, profile, offline_access], \
         access_token_format: opaque }}\n  \
         - {{ id: jwt-app, secret: {SECRET}, redirect_uris: ['{CALLBACK}'], grant_types: [client_credentials], \
         scopes: [profile] }}\n"
    ))
    .await
}

async fn introspect(server: &TestServer, client: &str, token: &str) -> Value {
    reqwest::Client::new()
        .post(server.url("/introspect"))
        .basic_auth(client, Some(SECRET))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn userinfo(server: &TestServer, token: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .get(server.url("/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// An opaque token is a reference, not a JWT: it works at userinfo and introspection, says
/// nothing by itself, survives its refresh token's rotation, and is dead once revoked; a
/// made-up one is refused like any invalid token.
#[tokio::test]
async fn opaque_access_tokens_work_where_jwts_do_and_die_when_revoked() {
    let server = start().await;
    let jane = person(&server).await;
    let browser = browser();
    let code = code_for(
        &server,
        &browser,
        "opaque-app",
        CALLBACK,
        "openid profile offline_access",
        "",
    )
    .await;
    let (status, tokens, _) = token_request(
        &server,
        Some(("opaque-app", SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert!(
        !access.contains('.') && access.len() >= 43,
        "an opaque reference: {access}"
    );
    assert!(
        tokens["id_token"].as_str().unwrap().contains('.'),
        "the ID token is still a JWT"
    );

    let (status, claims) = userinfo(&server, &access).await;
    assert_eq!(
        (status, claims["sub"].as_str()),
        (StatusCode::OK, Some(jane.id.to_string().as_str())),
        "{claims}"
    );
    let facts = introspect(&server, "opaque-app", &access).await;
    assert_eq!(
        (
            facts["active"].as_bool(),
            facts["username"].as_str(),
            facts["token_type"].as_str()
        ),
        (Some(true), Some("jane"), Some("Bearer")),
        "{facts}"
    );
    assert_eq!(
        introspect(&server, "jwt-app", &access).await["active"],
        false,
        "not another client's to learn about"
    );

    let (status, refreshed, _) = token_request(
        &server,
        Some(("opaque-app", SECRET)),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let successor = refreshed["access_token"].as_str().unwrap();
    assert!(!successor.contains('.') && successor != access);
    assert_eq!(
        userinfo(&server, &access).await.0,
        StatusCode::OK,
        "rotation leaves the access token alone"
    );

    let r = reqwest::Client::new()
        .post(server.url("/revoke"))
        .basic_auth("opaque-app", Some(SECRET))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(userinfo(&server, &access).await.0, StatusCode::UNAUTHORIZED, "revoked");
    assert_eq!(introspect(&server, "opaque-app", &access).await["active"], false);
    assert_eq!(
        userinfo(&server, successor).await.0,
        StatusCode::OK,
        "only that token was revoked"
    );

    let made_up = "A".repeat(43);
    assert_eq!(userinfo(&server, &made_up).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        introspect(&server, "opaque-app", &made_up).await,
        serde_json::json!({"active": false})
    );
}

/// Tokens asked for at the same moment are recorded by one batched statement (group commit):
/// every token handed out is live at introspection, none twice, in either format.
#[tokio::test]
async fn concurrent_client_credentials_tokens_are_each_recorded_before_they_are_handed_out() {
    const EACH: usize = 40;
    let server = start().await;
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..2 * EACH {
        let url = server.url("/token");
        let client = if n % 2 == 0 { "opaque-app" } else { "jwt-app" };
        requests.spawn(async move {
            let r = reqwest::Client::new()
                .post(url)
                .basic_auth(client, Some(SECRET))
                .form(&[("grant_type", "client_credentials"), ("scope", "profile")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let body: Value = r.json().await.unwrap();
            (client, body["access_token"].as_str().unwrap().to_owned())
        });
    }
    let tokens: Vec<(&str, String)> = requests.join_all().await;
    let distinct: HashSet<&String> = tokens.iter().map(|(_, t)| t).collect();
    assert_eq!(distinct.len(), 2 * EACH);
    for (client, token) in &tokens {
        logs::secret(token);
        assert_eq!(token.contains('.'), *client == "jwt-app");
        let facts = introspect(&server, client, token).await;
        assert_eq!(
            (facts["active"].as_bool(), facts["client_id"].as_str()),
            (Some(true), Some(*client)),
            "{facts}"
        );
    }
}

/// Discovery and the JWKS carry a strong ETag; asking again with it is a bodiless 304
/// (RFC 9110 §13.1.2), a stale tag gets the document.
#[tokio::test]
async fn discovery_and_jwks_answer_a_conditional_get_with_304() {
    let server = start().await;
    let http = reqwest::Client::new();
    for path in ["/.well-known/openid-configuration", "/jwks"] {
        let first = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()["content-type"], "application/json");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        let body: Value = first.json().await.unwrap();
        assert!(body.is_object());
        for tag in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"stale\", {etag}"),
            "*".to_owned(),
        ] {
            let again = http
                .get(server.url(path))
                .header("if-none-match", &tag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path} {tag}");
            assert_eq!(again.headers()["etag"], etag.as_str());
            assert!(again.bytes().await.unwrap().is_empty());
        }
        let stale = http
            .get(server.url(path))
            .header("if-none-match", "\"stale\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::OK);
        assert_eq!(stale.json::<Value>().await.unwrap(), body);
    }
}
