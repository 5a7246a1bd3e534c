//! No account enumeration by timing (hardening issue, item 2; OWASP ASVS 4.0.3 V2.2.x,
//! Authentication Cheat Sheet): the login, password-reset, registration and confirmation-resend forms take
//! about as long for an account that exists as for one that does not. The answers themselves
//! are compared in `pages` and `jobs`; here, medians of many interleaved tries must be within
//! 30 % of each other. The server hashes at a cost that dominates a request (about 10 ms), so a
//! missing dummy hash for unknown names would show as a several-fold difference.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::support::people::{person, register};
use crate::support::server::{self, TestServer, csrf_of, settled};

const TRIES: usize = 21;
const COST: &str = "passwords:\n  argon2: { memory_kib: 8192, iterations: 2, parallelism: 1 }\n";

/// A browser from its own loopback address (so no per-address limit ever applies).
fn browser_from(n: usize) -> reqwest::Client {
    server::browser_from(Ipv4Addr::new(127, 0, 2 + (n / 250) as u8, 1 + (n % 250) as u8))
}

/// The time the form's POST takes (its page is fetched first, untimed, for the CSRF token),
/// with the answer's status.
async fn timed_post(
    server: &TestServer,
    n: usize,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (Duration, StatusCode) {
    let client = browser_from(n);
    let html = client.get(server.url(page)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let start = Instant::now();
    let response = client.post(server.url(action)).form(&form).send().await.unwrap();
    let status = response.status();
    response.bytes().await.unwrap();
    let elapsed = start.elapsed();
    // The mail a request queues is sent in the background; let it finish before the next
    // request is timed, so it does not slow that one instead.
    settled(&server.store, Duration::from_secs(10)).await;
    (elapsed, status)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs `known` and `unknown` alternately TRIES times each (so drift hits both alike) and
/// checks the statuses match and the medians are within 30 %.
async fn compare(
    server: &TestServer,
    what: &str,
    page: &str,
    action: &str,
    known: &[(&str, &str)],
    unknown: &[(&str, &str)],
) {
    compare_each(server, what, page, action, |_| known.to_vec(), |_| unknown.to_vec()).await;
}

/// [`compare`] with the fields of the `i`-th try from `known(i)` and `unknown(i)`; a second
/// round's tries are numbered on from the first's (`TRIES..2 * TRIES`), so fields that must be
/// new each time (a username) are new in a second round too.
async fn compare_each<'f>(
    server: &TestServer,
    what: &str,
    page: &str,
    action: &str,
    known: impl Fn(usize) -> Vec<(&'f str, &'f str)>,
    unknown: impl Fn(usize) -> Vec<(&'f str, &'f str)>,
) {
    // The rest of the suite shares the two cores; a measurement it disturbed is taken again
    // once (from fresh addresses), and the second must hold.
    for round in 0..2 {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for i in 0..TRIES {
            let n = round * 2 * TRIES + 2 * i;
            let k = round * TRIES + i;
            let (t, known_status) = timed_post(server, n, page, action, &known(k)).await;
            let (u, unknown_status) = timed_post(server, n + 1, page, action, &unknown(k)).await;
            assert_eq!(known_status, unknown_status, "{what}: the status tells");
            a.push(t);
            b.push(u);
        }
        let (a, b) = (median(a), median(b));
        let ratio = a.as_secs_f64().max(b.as_secs_f64()) / a.as_secs_f64().min(b.as_secs_f64());
        if ratio <= 1.3 {
            return;
        }
        assert!(
            round == 0,
            "{what}: medians {a:?} (existing) vs {b:?} (unknown), ratio {ratio:.2}"
        );
    }
}

#[tokio::test]
async fn login_reset_and_resend_take_as_long_for_unknown_accounts() {
    let server = TestServer::start_configured(COST).await;
    // Registered through the form, so the stored hash has the server's cost (as in production).
    let response = register(
        &server.base,
        &browser_from(999),
        "jane",
        "jane@example.com",
        "correct horse 1",
    )
    .await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );

    compare(
        &server,
        "login",
        "/login",
        "/login",
        &[("login", "jane"), ("password", "wrong password 1")],
        &[("login", "nobody"), ("password", "wrong password 1")],
    )
    .await;
    compare(
        &server,
        "password reset",
        "/password/reset",
        "/password/reset",
        &[("login", "jane@example.com")],
        &[("login", "nobody@example.com")],
    )
    .await;
    // A new username each time, with an address another account has proven or a new one.
    person("june")
        .email("june@example.com")
        .confirmed()
        .create(&server)
        .await;
    // Enough for both rounds of `compare_each`.
    let names: Vec<String> = (0..4 * TRIES).map(|i| format!("newcomer{i}")).collect();
    let addresses: Vec<String> = (0..2 * TRIES).map(|i| format!("newcomer{i}@example.com")).collect();
    let registration = |username: &'static str, email: &'static str| {
        vec![
            ("username", username),
            ("email", email),
            ("password", "correct horse 2"),
            ("password2", "correct horse 2"),
        ]
    };
    let leak = |s: &String| -> &'static str { Box::leak(s.clone().into_boxed_str()) };
    compare_each(
        &server,
        "registration",
        "/register",
        "/register",
        |i| registration(leak(&names[2 * i]), "june@example.com"),
        |i| registration(leak(&names[2 * i + 1]), leak(&addresses[i])),
    )
    .await;
    compare(
        &server,
        "confirmation resend",
        "/login",
        "/email/confirm/resend",
        &[("login", "jane@example.com")],
        &[("login", "nobody@example.com")],
    )
    .await;
}
