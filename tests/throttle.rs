//! Password guessing: failed logins slow down, then lock the account-and-IP pair, counted in
//! the database; the owner from elsewhere still gets in, a sign-in clears the pair, and
//! `tessera user unlock` lifts a lockout.

use std::net::Ipv4Addr;
use std::process::{Command, Output};
use std::time::Duration;

use reqwest::StatusCode;
use tessera_core::store::{AuditStore, ThrottleStore, pair_key, throttle_scope};

use crate::support::db::test_db;
use crate::support::people::{FAST_PASSWORDS, PASSWORD, log_in, person};
use crate::support::server::{TEST_MASTER_KEY, TestServer, browser_forwarding, browser_from};

/// Free 3, then 1 s and 2 s delays, the pair locked for 10 minutes at the 8th failure.
const GUESSING: &str = "security:\n  throttle:\n    login_free_failures: 3\n    login_delay_base: 1s\n    \
                        login_delay_max: 2s\n    login_pair_lockout_after: 8\n    login_pair_lockout: 10m\n";

/// Locked at the 2nd failure, for tests that only need a lockout.
const QUICK_LOCKOUT: &str = "security:\n  throttle:\n    login_free_failures: 1\n    login_pair_lockout_after: 2\n";

const TOO_MANY: &str = "Too many attempts. Try again in";

async fn server(throttle: &str) -> TestServer {
    TestServer::start_configured(&format!("{FAST_PASSWORDS}{throttle}")).await
}

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().expect("ASCII").parse().expect("whole seconds"))
}

/// Status, Retry-After and body of one login attempt.
async fn attempt(
    server: &TestServer,
    client: &reqwest::Client,
    login: &str,
    password: &str,
) -> (StatusCode, Option<u64>, String) {
    let response = log_in(server, client, login, password, None).await;
    let status = response.status();
    let wait = retry_after(&response);
    (status, wait, response.text().await.expect("body"))
}

async fn jane(server: &TestServer) -> tessera_core::User {
    person("jane")
        .email("jane@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(server)
        .await
}

#[tokio::test]
async fn guessing_one_account_slows_down_then_locks_the_pair_but_not_the_owner_elsewhere() {
    let server = server(GUESSING).await;
    let jane = jane(&server).await;
    let attacker = browser_from(Ipv4Addr::new(127, 0, 0, 1));

    let (mut wrong, mut delays) = (0, Vec::new());
    let lockout = loop {
        let (status, wait, body) = attempt(&server, &attacker, "jane", "guess-that-is-wrong").await;
        match status {
            StatusCode::UNAUTHORIZED => {
                assert_eq!(wait, None, "no Retry-After on a plain refusal");
                wrong += 1;
            }
            StatusCode::TOO_MANY_REQUESTS => {
                let wait = wait.expect("a 429 says when to retry");
                assert!(body.contains(TOO_MANY), "the page says why:\n{body}");
                if wait > 60 {
                    assert!(
                        body.contains(&format!("{} minutes", wait.div_ceil(60))),
                        "and when: {wait}\n{body}"
                    );
                    break wait;
                }
                assert!(body.contains(&format!("{wait} second")), "and when: {wait}\n{body}");
                delays.push(wait);
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
            other => panic!("unexpected {other} after {wrong} wrong passwords:\n{body}"),
        }
        assert!(wrong <= 8, "still checking passwords after {wrong} wrong ones");
    };
    assert_eq!(wrong, 8, "passwords checked until the lockout");
    // Blocks start at the next whole second, so a wait may be one second more than configured.
    assert!(
        !delays.is_empty() && delays.iter().all(|d| (1..=3).contains(d)),
        "delays: {delays:?}"
    );
    assert!((590..=601).contains(&lockout), "locked for 10 minutes: {lockout}");

    // The right password does not help the attacker's address…
    let (status, wait, body) = attempt(&server, &attacker, "jane", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(wait.is_some_and(|w| w > 60), "{wait:?}");
    // …while Jane, from her own address, signs in.
    let owner = browser_from(Ipv4Addr::new(127, 0, 0, 2));
    let (status, _, body) = attempt(&server, &owner, "jane@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the owner elsewhere signs in:\n{body}");

    let events = server.store.recent_events(200).await.expect("recent_events");
    let lockouts: Vec<_> = events.iter().filter(|e| e.kind == "user.lockout").collect();
    assert_eq!(lockouts.len(), 1, "one lockout audited: {lockouts:?}");
    assert_eq!(lockouts[0].detail["scope"], "login_pair");
    assert_eq!(lockouts[0].detail["key"], pair_key(&jane.id.to_string(), "127.0.0.1"));
    assert_eq!(lockouts[0].user_id, Some(jane.id));
    assert_eq!(lockouts[0].ip.as_deref(), Some("127.0.0.1"));
    assert!(!lockouts[0].detail.to_string().contains("guess"), "never the password");
}

/// The hardening issue's scripted run: 10,000 guesses at one account from one address, 16 at
/// a time, against a server that hashes two passwords at once. The counts are checked while
/// an attempt holds a hashing turn, so concurrency buys the attacker at most one extra check;
/// the checks are spread out by the delays, then the pair is locked, and the owner from
/// another address still signs in.
#[tokio::test]
async fn ten_thousand_parallel_guesses_are_slowed_then_locked_while_the_owner_signs_in() {
    const ATTEMPTS: usize = 10_000;
    const PARALLEL: usize = 16;
    let server = TestServer::start_configured(&format!(
        "passwords:\n  argon2: {{ memory_kib: 1024, iterations: 1, parallelism: 1 }}\n  max_concurrent_hashes: 2\n{GUESSING}"
    ))
    .await;
    let jane = jane(&server).await;
    let attacker = browser_from(Ipv4Addr::new(127, 0, 0, 1));
    let csrf = crate::support::server::csrf_from(&attacker, &server.url("/login")).await;
    let started = std::time::Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let (attacker, csrf, url, next) = (attacker.clone(), csrf.clone(), server.url("/login"), next.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= ATTEMPTS {
                        return seen;
                    }
                    let password = format!("guess number {n}");
                    let form = [
                        ("csrf", csrf.as_str()),
                        ("login", "jane"),
                        ("password", password.as_str()),
                    ];
                    let response = attacker.post(&url).form(&form).send().await.expect("POST /login");
                    seen.push((response.status(), retry_after(&response), started.elapsed()));
                }
            })
        })
        .collect();
    let mut results = Vec::new();
    for worker in workers {
        results.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    assert_eq!(results.len(), ATTEMPTS);
    let mut checked: Vec<Duration> = results
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::UNAUTHORIZED)
        .map(|(_, _, at)| *at)
        .collect();
    checked.sort();
    let refused = results
        .iter()
        .filter(|(s, w, _)| *s == StatusCode::TOO_MANY_REQUESTS && w.is_some())
        .count();
    assert_eq!(
        checked.len() + refused,
        ATTEMPTS,
        "every answer is a refusal or a 429 with Retry-After"
    );
    assert!(
        (8..=9).contains(&checked.len()),
        "8 passwords checked before the lockout (one more at most from two hashing turns): {}",
        checked.len()
    );
    // Free 3, then blocks of 1 s, 2 s, 2 s and 2 s. Two hashing turns let two attempts through
    // each time a block ends, so at worst the checks go in pairs: 1 s + 2 s at the least.
    let spread = checked[checked.len() - 1] - checked[0];
    assert!(
        spread >= Duration::from_secs(3),
        "slowed by the delays: checks within {spread:?}"
    );
    eprintln!(
        "10,000 guesses in {elapsed:?}: {} passwords checked over {spread:?}, {refused} refused with 429",
        checked.len()
    );

    let owner = browser_from(Ipv4Addr::new(127, 0, 0, 2));
    let (status, _, body) = attempt(&server, &owner, "jane", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the owner elsewhere signs in:\n{body}");
    let (status, wait, _) = attempt(&server, &attacker, "jane", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(wait.is_some_and(|w| w > 500), "the attacker's pair is locked: {wait:?}");
    let events = server.store.recent_events(50).await.expect("recent_events");
    let lockouts = events
        .iter()
        .filter(|e| e.kind == "user.lockout" && e.user_id == Some(jane.id))
        .count();
    assert_eq!(lockouts, 1, "one lockout audited");
}

/// Someone holding a session (a browser left open) cannot guess the password at the change
/// form instead of the login form: the same counts apply.
#[tokio::test]
async fn guessing_the_current_password_to_change_it_is_throttled_like_a_login() {
    let server = server(QUICK_LOCKOUT).await;
    jane(&server).await;
    let session = crate::support::people::signed_in(&server, "jane", PASSWORD).await;
    let change = |current: &'static str| {
        let (session, server) = (&session, &server);
        async move {
            let csrf = crate::support::server::csrf_from(session, &server.url("/password/change")).await;
            let form = [
                ("csrf", csrf.as_str()),
                ("current", current),
                ("password", "a brand new password 1"),
                ("password2", "a brand new password 1"),
            ];
            let response = session
                .post(server.url("/password/change"))
                .form(&form)
                .send()
                .await
                .unwrap();
            (
                response.status(),
                retry_after(&response),
                response.text().await.unwrap(),
            )
        }
    };
    for _ in 0..2 {
        let (status, _, body) = change("not my password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, wait, body) = change(PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(wait.is_some_and(|w| w > 800), "{wait:?}");
    assert!(
        body.contains(TOO_MANY) && body.contains("name=\"current\""),
        "the form again: {body}"
    );
    let (status, _, _) = attempt(&server, &browser_from(Ipv4Addr::new(127, 0, 0, 1)), "jane", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "and the login form from there too"
    );
    let (status, _, _) = attempt(&server, &browser_from(Ipv4Addr::new(127, 0, 0, 2)), "jane", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the password was not changed, and the owner elsewhere signs in"
    );
}

/// POSTs `client_credentials` with HTTP Basic from `client`: status, Retry-After, JSON.
async fn client_grant(
    server: &TestServer,
    client: &reqwest::Client,
    path: &str,
    id: &str,
    secret: &str,
) -> (StatusCode, Option<u64>, serde_json::Value) {
    let response = client
        .post(server.url(path))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("token", "x")])
        .send()
        .await
        .expect("POST");
    let (status, wait) = (response.status(), retry_after(&response));
    (status, wait, response.json().await.expect("JSON"))
}

/// A client id and address that just authenticated skip the throttle's read for a moment
/// (`throttle::RecentPasses`); a failure forgets that before it is counted, so guesses from
/// there are checked against the shared count every time and lock out as they would.
#[tokio::test]
async fn a_client_that_just_authenticated_is_still_locked_out_by_its_failures() {
    const SECRET: &str = "the-real-client-secret-0123456789";
    let server = server(&format!(
        "security:\n  throttle:\n    client_free_failures: 2\n    client_lockout_after: 3\n    client_lockout: 10m\n\
         clients:\n  - {{ id: svc, secret: {SECRET}, redirect_uris: ['http://127.0.0.1:9000/cb'], \
         grant_types: [client_credentials], scopes: [profile] }}\n"
    ))
    .await;
    let caller = browser_from(Ipv4Addr::new(127, 0, 0, 1));
    let (status, _, body) = client_grant(&server, &caller, "/token", "svc", SECRET).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut answers = Vec::new();
    for n in 0..4 {
        let (status, _, _) = client_grant(&server, &caller, "/token", "svc", &format!("guess-{n}")).await;
        answers.push(status);
    }
    assert_eq!(
        answers,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ],
        "three failures checked, then the lockout"
    );
    let (status, _, _) = client_grant(&server, &caller, "/token", "svc", SECRET).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the earlier success does not outlast the lockout"
    );
}

/// Guessing a client secret at `/token` (and `/introspect`, `/revoke`: one count per client
/// id and address) slows down and then locks that client id from that address, answering 429
/// JSON with Retry-After, while the real client elsewhere carries on.
#[tokio::test]
async fn guessing_a_client_secret_is_throttled_per_client_and_address() {
    const SECRET: &str = "the-real-client-secret-0123456789";
    let server = server(&format!(
        "security:\n  throttle:\n    client_free_failures: 3\n    client_lockout_after: 6\n    client_lockout: 10m\n    \
         login_delay_base: 1s\n    login_delay_max: 1s\nclients:\n  - {{ id: svc, secret: {SECRET}, \
         redirect_uris: ['http://127.0.0.1:9000/cb'], grant_types: [client_credentials], scopes: [profile] }}\n"
    ))
    .await;
    let attacker = browser_from(Ipv4Addr::new(127, 0, 0, 1));
    let paths = ["/token", "/introspect", "/revoke"];
    let (mut wrong, mut n) = (0, 0);
    let lockout = loop {
        let path = paths[n % 3];
        n += 1;
        let (status, wait, body) = client_grant(&server, &attacker, path, "svc", &format!("guess-{n}")).await;
        match status {
            StatusCode::UNAUTHORIZED => {
                assert_eq!(body["error"], "invalid_client", "{body}");
                wrong += 1;
            }
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(body["error"], "temporarily_unavailable", "{body}");
                let wait = wait.expect("Retry-After");
                assert!(
                    body["error_description"]
                        .as_str()
                        .unwrap()
                        .contains("Too many attempts"),
                    "{body}"
                );
                if wait > 60 {
                    break wait;
                }
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
            other => panic!("unexpected {other}: {body}"),
        }
        assert!(wrong <= 6, "still checking secrets after {wrong} wrong ones");
    };
    assert_eq!(
        wrong, 6,
        "secrets checked until the lockout, across the three endpoints"
    );
    assert!((590..=601).contains(&lockout), "{lockout}");
    let (status, _, _) = client_grant(&server, &attacker, "/token", "svc", SECRET).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right secret does not help the attacker's address"
    );
    let (status, _, body) = client_grant(
        &server,
        &browser_from(Ipv4Addr::new(127, 0, 0, 2)),
        "/token",
        "svc",
        SECRET,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the real client elsewhere: {body}");
    // An id no client has is counted the same way: three free, then the first delay.
    for _ in 0..4 {
        let (status, _, _) = client_grant(&server, &attacker, "/token", "nobody", "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, wait, _) = client_grant(&server, &attacker, "/token", "nobody", "guess").await;
    assert_eq!((status, wait.is_some()), (StatusCode::TOO_MANY_REQUESTS, true));
    let count = server
        .store
        .throttle_state(throttle_scope::CLIENT, &pair_key("nobody", "127.0.0.1"))
        .await;
    assert_eq!(count.expect("throttle_state").map(|t| t.failures), Some(4));

    let events = server.store.recent_events(50).await.expect("recent_events");
    let lockouts: Vec<_> = events.iter().filter(|e| e.kind == "client.lockout").collect();
    assert_eq!(lockouts.len(), 1, "{lockouts:?}");
    assert_eq!(lockouts[0].detail["key"], pair_key("svc", "127.0.0.1"));
    assert!(lockouts[0].user_id.is_none() && !lockouts[0].detail.to_string().contains("guess"));
}

#[tokio::test]
async fn unknown_names_are_throttled_the_same_way() {
    let server = server(QUICK_LOCKOUT).await;
    jane(&server).await;
    let mut pages = Vec::new();
    for login in ["jane", "nobody-here"] {
        let client = browser_from(Ipv4Addr::new(127, 0, 0, 1));
        for _ in 0..2 {
            let (status, _, _) = attempt(&server, &client, login, "wrong password").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{login}");
        }
        let (status, wait, body) = attempt(&server, &client, login, PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{login}: {body}");
        assert!(
            wait.is_some_and(|w| w > 800),
            "{login}: default 15 min lockout, {wait:?}"
        );
        pages.push(body.replace(login, "LOGIN"));
    }
    let message = |page: &str| {
        let start = page.find(TOO_MANY).expect("the message");
        page[start..start + page[start..].find('<').expect("end of the message")].to_owned()
    };
    assert_eq!(message(&pages[0]), message(&pages[1]), "same message for both");
    // The name stands in for the account: counted for the pair and account-wide alike.
    for (scope, key) in [
        (throttle_scope::LOGIN_PAIR, pair_key("nobody-here", "127.0.0.1")),
        (throttle_scope::LOGIN_ACCOUNT, "nobody-here".to_owned()),
    ] {
        let state = server.store.throttle_state(scope, &key).await.expect("throttle_state");
        assert_eq!(state.map(|t| t.failures), Some(2), "{scope} {key}");
    }
}

#[tokio::test]
async fn a_sign_in_clears_the_pair_but_not_the_ip_or_account_counts() {
    let server = server(GUESSING).await;
    let jane = jane(&server).await;
    let client = browser_from(Ipv4Addr::new(127, 0, 0, 1));
    for _ in 0..3 {
        let (status, _, _) = attempt(&server, &client, "jane", "wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, body) = attempt(&server, &client, "jane", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let pair = pair_key(&jane.id.to_string(), "127.0.0.1");
    let count = |scope: &'static str, key: String| {
        let store = server.store.clone();
        async move {
            store
                .throttle_state(scope, &key)
                .await
                .expect("throttle_state")
                .map(|t| t.failures)
        }
    };
    assert_eq!(
        count(throttle_scope::LOGIN_PAIR, pair.clone()).await,
        None,
        "pair cleared"
    );
    assert_eq!(count(throttle_scope::LOGIN_IP, "127.0.0.1".into()).await, Some(3));
    assert_eq!(count(throttle_scope::LOGIN_ACCOUNT, jane.id.to_string()).await, Some(3));
    // Three free failures again, not a delay at the first one.
    let other = browser_from(Ipv4Addr::new(127, 0, 0, 1));
    for _ in 0..3 {
        let (status, _, _) = attempt(&server, &other, "jane", "wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a fresh count after the sign-in");
    }
    assert_eq!(count(throttle_scope::LOGIN_PAIR, pair).await, Some(3));
}

fn tessera(config: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .env("TESSERA_CONFIG", config)
        .env("THROTTLE_TEST_KEY", TEST_MASTER_KEY)
        .output()
        .expect("run tessera")
}

// Multi-threaded so the in-process server runs while a `tessera` command waits (tests/admin.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tessera_user_unlock_lifts_a_lockout() {
    let db = test_db("tessera_user_unlock_lifts_a_lockout").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("tessera.yaml");
    let yaml = format!(
        "issuer: http://127.0.0.1:1\ndatabase:\n  url: {}\nsecrets:\n  master_key: ${{THROTTLE_TEST_KEY}}\n",
        db.url
    );
    std::fs::write(&config, yaml).expect("write config");
    let server = TestServer::start_with(db, &format!("{FAST_PASSWORDS}{QUICK_LOCKOUT}")).await;
    jane(&server).await;
    let client = browser_from(Ipv4Addr::new(127, 0, 0, 1));
    for _ in 0..2 {
        attempt(&server, &client, "jane", "wrong password").await;
    }
    let (status, _, _) = attempt(&server, &client, "jane", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked out");

    let out = tessera(&config, &["user", "unlock", "JANE"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.trim(), "unlocked jane; 2 failed-login counts cleared");
    let (status, _, body) = attempt(&server, &client, "jane", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "unlocked:\n{body}");

    let out = tessera(&config, &["user", "unlock", "nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: no account with the username \"nobody\"; tessera user list shows them"
    );
}

#[test]
fn a_bad_throttle_value_is_a_config_error_that_names_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tessera.yaml");
    std::fs::write(
        &path,
        "issuer: http://127.0.0.1:1\ndatabase:\n  url: sqlite://x.db\nsecrets:\n  master_key: ${THROTTLE_TEST_KEY}\n\
         security:\n  throttle:\n    login_free_failures: 5\n    login_pair_lockout_after: 3\n    login_ip_lockout: never\n",
    )
    .expect("write config");
    let out = tessera(&path, &["check-config"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let file = path.display().to_string();
    assert_eq!(
        lines,
        [
            format!(
                "{file}:9:31: security.throttle.login_pair_lockout_after: must be more than login_free_failures (5)"
            ),
            format!(
                "{file}:10:23: security.throttle.login_ip_lockout: \"never\" is not a duration; write a number \
                 and a unit, like 90s, 15m, 12h or 30d"
            ),
        ],
        "{stderr}"
    );
}

/// A browser that reaches Tessera through a proxy on 127.0.0.1 which forwards for `client`.
fn through_proxy(client: &str) -> reqwest::Client {
    browser_forwarding(Ipv4Addr::LOCALHOST, client)
}

/// Behind a trusted proxy each client it forwards for has its own counts and its own address
/// in the audit log; a peer that is not trusted cannot choose its address with the header.
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_counted_and_audited_apart() {
    let server = server(&format!("{QUICK_LOCKOUT}server:\n  trusted_proxies: [127.0.0.1/32]\n")).await;
    let jane = jane(&server).await;
    // The attacker wrote an address of their own in front; the proxy appended the real one.
    let attacker = through_proxy("203.0.113.66, 198.51.100.7");
    for _ in 0..2 {
        let (status, _, body) = attempt(&server, &attacker, "jane", "a-wrong-guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, _, _) = attempt(&server, &attacker, "jane", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the attacker's pair is locked");

    let owner = through_proxy("203.0.113.5");
    let (status, _, body) = attempt(&server, &owner, "jane", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "Jane, through the same proxy, signs in:\n{body}"
    );

    let events = server.store.recent_events(50).await.expect("recent_events");
    let lockout = events
        .iter()
        .find(|e| e.kind == "user.lockout")
        .expect("the lockout is audited");
    assert_eq!(lockout.detail["key"], pair_key(&jane.id.to_string(), "198.51.100.7"));
    assert_eq!(
        lockout.ip.as_deref(),
        Some("198.51.100.7"),
        "the forwarded client, not the proxy"
    );
    let login = events
        .iter()
        .find(|e| e.kind == "user.login")
        .expect("the login is audited");
    assert_eq!(login.ip.as_deref(), Some("203.0.113.5"));
    for (ip, counted) in [("198.51.100.7", true), ("203.0.113.66", false), ("127.0.0.1", false)] {
        let key = pair_key(&jane.id.to_string(), ip);
        let count = server
            .store
            .throttle_state(throttle_scope::LOGIN_PAIR, &key)
            .await
            .expect("throttle_state");
        assert_eq!(
            count.is_some(),
            counted,
            "failures counted for {ip}: only the forwarded client"
        );
    }

    // From a peer that is not a trusted proxy the header is ignored: a new address per request
    // does not escape the count of the one it comes from.
    let untrusted = Ipv4Addr::new(127, 0, 0, 9);
    for i in 0..3 {
        let client = browser_forwarding(untrusted, &format!("192.0.2.{i}"));
        let (status, _, _) = attempt(&server, &client, "jane", "another-wrong-guess").await;
        let expected = if i < 2 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "attempt {i} from {untrusted} with a forged header");
    }
}
