//! The one error→HTTP mapping: which router a route is on decides how its errors look.
//! API routes answer RFC 6749 §5.2-style JSON (never a page), pages the themed HTML page.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::server::TestServer;

#[tokio::test]
async fn api_routes_answer_errors_as_json_and_pages_as_html() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();

    // A wrong method on API routes: JSON, with the page router's themed page nowhere.
    for path in ["/token", "/introspect", "/revoke"] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        let body: Value = r.json().await.unwrap_or_else(|e| panic!("{path}: not JSON: {e}"));
        assert_eq!(body["error"], "invalid_request", "{path}: {body}");
        assert!(
            body["error_description"].as_str().is_some_and(|d| !d.is_empty()),
            "{path}: {body}"
        );
    }
    // RFC 6750 §3.1: no token at all is a Bearer challenge without an error code.
    let r = client.get(server.url("/userinfo")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], r#"Bearer realm="tessera""#);
    // RFC 6749 §5.2: failed Basic client authentication is 401 with a Basic challenge.
    let r = client
        .post(server.url("/token"))
        .basic_auth("nobody", Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], r#"Basic realm="tessera""#);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");

    // Pages: the themed page, for a wrong method and for an unknown path (404, not 400).
    let r = client.delete(server.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.text().await.unwrap().contains("<html"), "a page");
    let r = client.get(server.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("<html"), "a page");
    // An unknown helpdesk or provider is "not found" too.
    for path in ["/remote-auth/nope", "/login/nope"] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
