//! Concurrent presentations of one authorization code, one refresh token, or one pending
//! sign-in (security review, OAuth 2.0 Security BCP §4.14.2, RFC 6749 §4.1.2): whatever the
//! interleaving, at most one presentation succeeds, and once reuse is detected no token that
//! anyone was handed still works. Each race starts its requests from a barrier and is
//! repeated, on SQLite and PostgreSQL.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::secret_token;
use tessera_oidc::storage::TokenStore;
use tokio::sync::Barrier;

use crate::oidc::{CALLBACK, DEMO_SECRET, clients_yaml, code_for, person, token_request};
use crate::support::db::each_backend;
use crate::support::server::{TestServer, browser, location};

const ROUNDS: usize = 20;
const DEMO: Option<(&str, &str)> = Some(("demo-app", DEMO_SECRET));

async fn servers(test: &str) -> Vec<(&'static str, TestServer)> {
    let mut servers = Vec::new();
    for (backend, db) in each_backend(test).await {
        let server = TestServer::start_with(db, &clients_yaml("http://127.0.0.1:9/never")).await;
        person(&server).await;
        servers.push((backend, server));
    }
    servers
}

async fn new_code(server: &TestServer, browser: &reqwest::Client) -> String {
    code_for(server, browser, "demo-app", CALLBACK, "openid offline_access", "").await
}

async fn redeem(server: &TestServer, code: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
    ];
    let (status, body, _) = token_request(server, DEMO, &form).await;
    (status, body)
}

async fn refresh(server: &TestServer, token: &str) -> (StatusCode, Value) {
    let form = [("grant_type", "refresh_token"), ("refresh_token", token)];
    let (status, body, _) = token_request(server, DEMO, &form).await;
    (status, body)
}

/// Runs `presentations` copies of `present` at once (released together by a barrier).
async fn race<F, Fut>(presentations: usize, present: F) -> Vec<(StatusCode, Value)>
where
    F: Fn() -> Fut,
    Fut: Future<Output = (StatusCode, Value)> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(presentations));
    let tasks: Vec<_> = (0..presentations)
        .map(|_| {
            let barrier = barrier.clone();
            let request = present();
            tokio::spawn(async move {
                barrier.wait().await;
                request.await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("presentation task"));
    }
    results
}

/// Every access and refresh token in these successful responses is dead: userinfo refuses
/// the access token, its `jti` is revoked, and the refresh token is rotated or revoked.
async fn assert_all_dead(server: &TestServer, backend: &str, responses: &[Value]) {
    for body in responses {
        let access = body["access_token"].as_str().expect("access_token");
        let status = reqwest::Client::new()
            .get(server.url("/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{backend}: a winner's access token still works"
        );
        if let Some(refresh) = body["refresh_token"].as_str() {
            let (_, dead) = server
                .store
                .refresh_token(&secret_token::digest(refresh))
                .await
                .unwrap()
                .expect("refresh token recorded");
            assert!(dead, "{backend}: a winner's refresh token is still live");
        }
    }
}

fn successes(results: &[(StatusCode, Value)]) -> Vec<Value> {
    results
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .map(|(_, body)| body.clone())
        .collect()
}

fn assert_refusals_are_invalid_grant(backend: &str, results: &[(StatusCode, Value)]) {
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(
            (*status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{backend}: {body}"
        );
    }
}

#[tokio::test]
async fn concurrent_redemptions_of_one_code_leave_no_live_token() {
    for (backend, server) in servers("concurrent_redemptions_of_one_code_leave_no_live_token").await {
        let server = Arc::new(server);
        let browser = browser();
        for round in 0..ROUNDS {
            let code = new_code(&server, &browser).await;
            let results = race(2, || {
                let (server, code) = (server.clone(), code.clone());
                async move { redeem(&server, &code).await }
            })
            .await;
            let won = successes(&results);
            assert!(won.len() <= 1, "{backend} round {round}: two redemptions succeeded");
            assert_refusals_are_invalid_grant(backend, &results);
            assert_all_dead(&server, backend, &won).await;
        }
    }
}

/// `presentations` clients present one refresh token at once; the family must end revoked.
async fn refresh_race(test: &str, presentations: usize) {
    for (backend, server) in servers(test).await {
        let server = Arc::new(server);
        let browser = browser();
        for round in 0..ROUNDS {
            let (status, first) = redeem(&server, &new_code(&server, &browser).await).await;
            assert_eq!(status, StatusCode::OK, "{first}");
            let token = first["refresh_token"].as_str().unwrap().to_owned();
            let results = race(presentations, || {
                let (server, token) = (server.clone(), token.clone());
                async move { refresh(&server, &token).await }
            })
            .await;
            let won = successes(&results);
            assert!(
                won.len() <= 1,
                "{backend} round {round}: {} refreshes succeeded",
                won.len()
            );
            assert_refusals_are_invalid_grant(backend, &results);
            assert_all_dead(&server, backend, &won).await;
            assert_all_dead(&server, backend, &[first]).await;
        }
    }
}

#[tokio::test]
async fn two_concurrent_refreshes_leave_no_live_token() {
    refresh_race("two_concurrent_refreshes_leave_no_live_token", 2).await;
}

#[tokio::test]
async fn ten_concurrent_refreshes_leave_no_live_token() {
    refresh_race("ten_concurrent_refreshes_leave_no_live_token", 10).await;
}

/// A thief refreshes a stolen token in a loop, always with the newest one it got, while the
/// victim presents the same (stolen) token once. The victim's presentation is reuse either way,
/// so the thief's loop must stop and nothing either of them holds may work afterwards.
#[tokio::test]
async fn a_thief_refreshing_in_a_loop_loses_the_family_to_one_victim_presentation() {
    let test = "a_thief_refreshing_in_a_loop_loses_the_family_to_one_victim_presentation";
    for (backend, server) in servers(test).await {
        let server = Arc::new(server);
        let browser = browser();
        for round in 0..ROUNDS {
            let (status, first) = redeem(&server, &new_code(&server, &browser).await).await;
            assert_eq!(status, StatusCode::OK, "{first}");
            let stolen = first["refresh_token"].as_str().unwrap().to_owned();
            let barrier = Arc::new(Barrier::new(2));
            let thief = {
                let (server, barrier, mut token) = (server.clone(), barrier.clone(), stolen.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let mut got = Vec::new();
                    for _ in 0..50 {
                        let (status, body) = refresh(&server, &token).await;
                        if status != StatusCode::OK {
                            return (got, true);
                        }
                        token = body["refresh_token"].as_str().unwrap().to_owned();
                        got.push(body);
                    }
                    (got, false)
                })
            };
            let victim = {
                let (server, barrier) = (server.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    // Land somewhere inside the thief's loop, differently each round.
                    tokio::time::sleep(std::time::Duration::from_millis((round as u64 * 7) % 40)).await;
                    refresh(&server, &stolen).await
                })
            };
            let (thief_got, thief_stopped) = thief.await.unwrap();
            let victim_result = victim.await.unwrap();
            assert!(
                thief_stopped,
                "{backend} round {round}: the thief kept refreshing after reuse"
            );
            let mut held = thief_got;
            held.extend(successes(&[victim_result]));
            held.push(first);
            assert_all_dead(&server, backend, &held).await;
        }
    }
}

/// Two (and ten) continuations of one pending sign-in at once yield one code, not several.
#[tokio::test]
async fn concurrent_continuations_of_one_sign_in_yield_one_code() {
    let test = "concurrent_continuations_of_one_sign_in_yield_one_code";
    for (backend, server) in servers(test).await {
        let server = Arc::new(server);
        let browser = browser();
        new_code(&server, &browser).await; // signs in and remembers consent
        for round in 0..ROUNDS {
            for presentations in [2, 10] {
                let authorize = format!(
                    "{}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope=openid&state=s{round}",
                    server.base,
                    urlencoding::encode(CALLBACK)
                );
                let response = browser.get(&authorize).send().await.unwrap();
                let continue_url = server.url(&location(&response));
                assert!(continue_url.contains("/authorize/continue"), "{continue_url}");
                let results = race(presentations, || {
                    let (browser, url) = (browser.clone(), continue_url.clone());
                    async move {
                        let response = browser.get(&url).send().await.unwrap();
                        (response.status(), Value::String(location(&response)))
                    }
                })
                .await;
                let with_code = |to: &Value| {
                    to.as_str()
                        .is_some_and(|to| to.starts_with(CALLBACK) && to.contains("code="))
                };
                let codes = results.iter().filter(|(_, to)| with_code(to)).count();
                assert_eq!(
                    codes, 1,
                    "{backend} round {round}, {presentations} at once: {results:?}"
                );
                for (status, to) in results.iter().filter(|(_, to)| !with_code(to)) {
                    assert_eq!(*status, StatusCode::BAD_REQUEST, "{backend}: {to}");
                }
            }
        }
    }
}
