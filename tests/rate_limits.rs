//! Requests anyone can make that cost someone else something are capped (hardening issue,
//! item 1; ASVS 4.0.3 V11.1.4): reset, resend and registration requests per IP, the mails one
//! account gets per window, and helpdesk sign-ins per account. Refusals are 429 with
//! `Retry-After` and a page that says when to try again; answers never reveal who has an
//! account.

use std::net::Ipv4Addr;
use std::time::Duration;

use reqwest::StatusCode;
use tessera_core::store::UserStore;

use crate::support::people::{FAST_PASSWORDS, PASSWORD, person, signed_in};
use crate::support::server::{self, TestServer, csrf_of, settled};

const TOO_MANY: &str = "Too many attempts. Try again in";
const RESET_NOTICE: &str = "If an account with that username or email exists, we sent a link";

async fn server(throttle: &str) -> TestServer {
    TestServer::start_configured(&format!("{FAST_PASSWORDS}security:\n  throttle:\n{throttle}")).await
}

/// A browser whose connections come from 127.0.3.`n` (any of 127.0.0.0/8 on Linux).
fn browser_from(n: u8) -> reqwest::Client {
    server::browser_from(Ipv4Addr::new(127, 0, 3, n))
}

/// A password reset request for `login`.
async fn reset(server: &TestServer, client: &reqwest::Client, login: &str) -> (StatusCode, Option<String>, String) {
    post(
        server,
        client,
        "/password/reset",
        "/password/reset",
        &[("login", login)],
    )
    .await
}

/// The fields of a valid registration.
fn registration<'a>(username: &'a str, email: &'a str) -> [(&'static str, &'a str); 4] {
    [
        ("username", username),
        ("email", email),
        ("password", "a long enough password"),
        ("password2", "a long enough password"),
    ]
}

/// Posts `fields` to `action` with the CSRF token of `page`: status, Retry-After, body.
async fn post(
    server: &TestServer,
    client: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let html = client.get(server.url(page)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(server.url(action)).form(&form).send().await.unwrap();
    let response = crate::support::server::after_post(client, &server.url(action), response).await;
    let status = response.status();
    let wait = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, wait, response.text().await.unwrap())
}

fn mails_to<'m>(mails: &'m [String], to: &str) -> Vec<&'m String> {
    let header = format!("To: {to}");
    mails
        .iter()
        .filter(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&header)))
        .collect()
}

#[tokio::test]
async fn a_hundred_reset_requests_for_one_address_send_at_most_the_configured_mails() {
    // No IP cap, so only the per-account cap can stop the flood.
    let server = server("    mail_per_account: 3\n    mail_per_ip: 0\n").await;
    person("jane")
        .email("jane@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    for i in 0..100u8 {
        // By name and by address, from many IPs: every way of asking counts against the account.
        let login = if i % 2 == 0 { "jane" } else { "JANE@example.com" };
        let (status, wait, body) = reset(&server, &browser_from(i + 1), login).await;
        assert_eq!((status, wait), (StatusCode::OK, None), "request {i}");
        assert!(body.contains(RESET_NOTICE), "request {i}: the same answer every time");
    }
    settled(&server.store, Duration::from_secs(30)).await;
    let mails = server.mails();
    assert_eq!(
        mails_to(&mails, "jane@example.com").len(),
        3,
        "three mails, not a hundred"
    );
}

#[tokio::test]
async fn reset_resend_and_registration_from_one_ip_are_capped_with_a_page_that_says_when() {
    let server = server("    mail_per_ip: 4\n    mail_window: 10m\n").await;
    let flooder = browser_from(1);
    for i in 0..4 {
        let (status, _, _) = reset(&server, &flooder, "someone").await;
        assert_eq!(status, StatusCode::OK, "request {i} is within the cap");
    }
    let (status, wait, body) = reset(&server, &flooder, "someone").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = wait.expect("Retry-After").parse().expect("seconds");
    assert!((500..=600).contains(&wait), "until the 10-minute window ends: {wait}");
    assert!(body.contains(TOO_MANY) && body.contains("minutes"), "{body}");
    assert!(body.contains("name=\"login\""), "the form again: {body}");
    assert!(!body.contains(RESET_NOTICE), "{body}");

    // The same count covers the other forms that mail someone.
    let (status, wait, body) = post(
        &server,
        &flooder,
        "/login",
        "/email/confirm/resend",
        &[("login", "someone")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(wait.is_some() && body.contains(TOO_MANY), "{body}");
    let fields = registration("newcomer", "newcomer@example.com");
    let (status, wait, body) = post(&server, &flooder, "/register", "/register", &fields).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(wait.is_some() && body.contains(TOO_MANY), "{body}");
    assert!(
        body.contains("value=\"newcomer@example.com\""),
        "the form again, as typed: {body}"
    );
    assert!(
        server.store.user_by_username("newcomer").await.unwrap().is_none(),
        "nothing created"
    );

    // Another IP is not affected.
    let (status, _, body) = reset(&server, &browser_from(2), "someone").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(RESET_NOTICE));
}

#[tokio::test]
async fn registering_with_a_proven_address_answers_like_a_new_account_and_tells_its_owner() {
    let server = server("    mail_per_account: 2\n").await;
    person("june")
        .email("june@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    let register = |username: &'static str, email: &'static str, n: u8| {
        let server = &server;
        async move {
            post(
                server,
                &browser_from(n),
                "/register",
                "/register",
                &registration(username, email),
            )
            .await
        }
    };
    let (new_status, _, new_page) = register("fresh", "fresh@example.com", 1).await;
    let (taken_status, _, taken_page) = register("intruder", "June@Example.com", 2).await;
    assert_eq!(new_status, StatusCode::OK);
    assert_eq!(taken_status, new_status, "the status does not tell");
    assert_eq!(taken_page, new_page, "nor does the page");
    assert!(server.store.user_by_username("intruder").await.unwrap().is_none());

    for n in 3..8 {
        register("intruder", "june@example.com", n).await;
    }
    settled(&server.store, Duration::from_secs(30)).await;
    let mails = server.mails();
    let to_june = mails_to(&mails, "june@example.com");
    assert_eq!(to_june.len(), 2, "the owner is told, within the mail cap");
    assert!(
        to_june[0].contains("Someone tried to register with your address"),
        "{}",
        to_june[0]
    );
    assert!(to_june[0].contains("no new account was made"), "{}", to_june[0]);
    assert_eq!(mails_to(&mails, "fresh@example.com").len(), 1, "the confirmation link");
}

#[tokio::test]
async fn helpdesk_sign_ins_are_capped_per_account() {
    let targets = "remote_auth:\n  - { id: jwt, kind: zendesk_jwt, url: 'https://example.zendesk.com', secret: '${ZENDESK_SECRET}', delivery: get }\n";
    let server = TestServer::start_configured(&format!(
        "{FAST_PASSWORDS}security:\n  throttle:\n    helpdesk_per_account: 3\n    helpdesk_window: 1m\n{targets}"
    ))
    .await;
    person("zoe")
        .email("zoe@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    let client = signed_in(&server, "zoe", PASSWORD).await;
    for i in 0..3 {
        let r = client.get(server.url("/remote-auth/jwt")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in {i}");
    }
    let r = client.get(server.url("/remote-auth/jwt")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body = r.text().await.unwrap();
    assert!(body.contains(TOO_MANY), "{body}");
    assert!(!body.contains("example.zendesk.com/access"), "no assertion: {body}");
}
