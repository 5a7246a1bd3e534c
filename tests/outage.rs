//! The database disappears mid-run: requests that need it get a 503 page, nothing else
//! breaks, and service comes back by itself when the database does (PostgreSQL only: it is
//! the backend that lives across a network).

use std::time::Duration;

use reqwest::StatusCode;

use crate::support::db::{TestDb, fresh_postgres};
use crate::support::proxy::Proxy;
use crate::support::server::{TestServer, browser, csrf_from};

/// A login attempt for jane (whatever the answer: the database may be gone).
async fn attempt_login(client: &reqwest::Client, server: &TestServer, csrf: &str) -> reqwest::Response {
    client
        .post(server.url("/login"))
        .form(&[("csrf", csrf), ("login", "jane"), ("password", "whatever it is")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn database_outage_is_a_503_and_recovers() {
    let Some(db) = fresh_postgres("database_outage_is_a_503_and_recovers").await else {
        return;
    };
    let mut url = url::Url::parse(&db.url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432))
        .parse()
        .unwrap();
    let proxy = Proxy::start(upstream).await;
    url.set_port(Some(proxy.addr.port())).unwrap();
    let server = TestServer::start_with(
        TestDb::external(url.to_string()),
        &crate::oidc::clients_yaml("http://127.0.0.1:9/never"),
    )
    .await;
    let client = browser();
    assert_eq!(
        client.get(server.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let demo = Some(("demo-app", crate::oidc::DEMO_SECRET));
    let (status, issued, _) = crate::oidc::token_request(&server, demo, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let token = issued["access_token"].as_str().unwrap().to_owned();

    let metrics = server.metrics_listener().await;
    proxy.cut();
    // Every answer comes within about a second (the pool waits 750 ms, not its old 5 s; the
    // bound leaves room for a busy test machine).
    let quick = |started: std::time::Instant, what: &str| {
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(1250),
            "{what} took {took:?} while the database was gone"
        );
    };
    let started = std::time::Instant::now();
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    quick(started, "/readyz");
    // A good token is never called invalid because the store cannot be asked (an app would
    // throw it away): 503, and introspection does not say `active: false`.
    let started = std::time::Instant::now();
    let userinfo = client
        .get(server.url("/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::SERVICE_UNAVAILABLE);
    quick(started, "/userinfo");
    let introspection = reqwest::Client::new()
        .post(server.url("/introspect"))
        .basic_auth("demo-app", Some(crate::oidc::DEMO_SECRET))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(introspection.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(!introspection.text().await.unwrap().contains("\"active\":false"));
    // The metrics still answer, quickly, and say the database is down.
    let started = std::time::Instant::now();
    let scrape = client.get(format!("{metrics}/metrics")).send().await.unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let text = scrape.text().await.unwrap();
    assert!(text.contains("\ntessera_database_up 0\n"), "{text}");
    assert!(!text.contains("tessera_jobs{"), "no stale queue gauges: {text}");
    assert_eq!(
        client.get(server.url("/healthz")).send().await.unwrap().status(),
        StatusCode::OK,
        "liveness does not depend on the database"
    );
    let csrf = csrf_from(&client, &server.url("/login")).await;
    let started = std::time::Instant::now();
    let login = attempt_login(&client, &server, &csrf).await;
    assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE);
    quick(started, "a login");
    let page = login.text().await.unwrap();
    assert!(page.contains("cannot reach its database right now"), "{page}");
    assert!(!page.contains("127.0.0.1"), "no internals in the page");

    proxy.restore().await;
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..40 {
        status = client.get(server.url("/readyz")).send().await.unwrap().status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(status, StatusCode::OK, "recovers when the database is back");
    let login = attempt_login(&client, &server, &csrf).await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED, "back to normal answers");
    drop(db);
}

/// An admin drops the database (or its role) under a running server: every request that
/// needs it is a 503 page or a `temporarily_unavailable` answer (RFC 6749 §4.1.2.1 names
/// that code), never a 500, and readiness says so.
#[tokio::test]
async fn a_dropped_database_is_a_503_never_a_500() {
    let Some(db) = fresh_postgres("a_dropped_database_is_a_503_never_a_500").await else {
        return;
    };
    let server = TestServer::start_with(
        TestDb::external(db.url.clone()),
        &crate::oidc::clients_yaml("http://127.0.0.1:9/never"),
    )
    .await;
    let client = browser();
    let csrf = csrf_from(&client, &server.url("/login")).await;
    let name = url::Url::parse(&db.url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned();
    let admin = std::env::var("TESSERA_TEST_POSTGRES_URL").unwrap();
    crate::support::db::execute(&admin, &format!("DROP DATABASE {name} WITH (FORCE)"), &[]).await;

    let login = attempt_login(&client, &server, &csrf).await;
    assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        login
            .text()
            .await
            .unwrap()
            .contains("cannot reach its database right now")
    );
    let (status, answer, _) = crate::oidc::token_request(
        &server,
        Some(("demo-app", crate::oidc::DEMO_SECRET)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["error"], "temporarily_unavailable", "{answer}");
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    for path in ["/account", "/login", "/.well-known/openid-configuration", "/jwks"] {
        let status = client.get(server.url(path)).send().await.unwrap().status();
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
}
