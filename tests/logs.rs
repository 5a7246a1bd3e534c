//! No secret reaches the log (ASVS 4.0.3 V7.1.1, V7.1.2; docs/security.md): every server in
//! the suite logs through the production subscriber at verbose levels into one capture (see
//! `support::logs`), and these tests look in it for every secret the suites used.

use std::time::Duration;

use base64::Engine;
use reqwest::StatusCode;

use crate::oidc::{CALLBACK, DEMO_SECRET, clients_yaml, code_for, person, token_request};
use crate::support::logs::{self, explain, leaks};
use crate::support::people::{PASSWORD, log_in, signed_in};
use crate::support::server::{TestServer, browser, settled, submit};
use crate::support::smtp::SmtpSink;

const SMTP_PASSWORD: &str = "smtp-relay-password-0123";

/// Signs in, fails to, runs the code flow, refreshes, calls userinfo, introspects and
/// revokes, guesses a client secret, asks for a reset mail over authenticated SMTP, follows
/// it, and signs into a helpdesk: then nothing any of it used is in the log.
#[tokio::test]
async fn a_day_of_sign_ins_tokens_mail_and_helpdesks_logs_no_secret() {
    let sink = SmtpSink::start().await;
    logs::secret(SMTP_PASSWORD);
    // As it crosses the wire in `AUTH PLAIN` (RFC 4616).
    logs::secret(&base64::engine::general_purpose::STANDARD.encode(format!("\0tessera\0{SMTP_PASSWORD}")));
    let yaml = format!(
        "{}email:\n  from: id@example.com\n  transport:\n    kind: smtp\n    host: 127.0.0.1\n    port: {}\n    \
         tls: none\n    username: tessera\n    password: {SMTP_PASSWORD}\n\
         remote_auth:\n  - {{ id: zendesk, kind: zendesk_jwt, url: 'https://example.zendesk.com', secret: '${{ZENDESK_SECRET}}' }}\n",
        clients_yaml("http://127.0.0.1:9/never"),
        sink.port
    );
    let server = TestServer::start_configured(&yaml).await;
    person(&server).await;

    // Passwords, right and wrong, and the session that follows.
    let stranger = browser();
    let wrong = log_in(&server, &stranger, "jane", "not-janes-password-123", None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let jane = signed_in(&server, "jane", PASSWORD).await;

    // The code flow with its tokens, then each token endpoint.
    let code = code_for(&server, &jane, "demo-app", CALLBACK, "openid email offline_access", "").await;
    let demo = Some(("demo-app", DEMO_SECRET));
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
    ];
    let (status, tokens, _) = token_request(&server, demo, &grant).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
    let (status, refreshed, _) = token_request(
        &server,
        demo,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let access = refreshed["access_token"].as_str().expect("an access token");
    let userinfo = reqwest::Client::new()
        .get(server.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .expect("userinfo");
    assert_eq!(userinfo.status(), StatusCode::OK);
    for endpoint in ["/introspect", "/revoke"] {
        let answer = reqwest::Client::new()
            .post(server.url(endpoint))
            .basic_auth("demo-app", Some(DEMO_SECRET))
            .form(&[("token", access)])
            .send()
            .await
            .expect(endpoint);
        assert_eq!(answer.status(), StatusCode::OK, "{endpoint}");
    }
    let guessed = "guessed-secret-0123456789";
    logs::secret(guessed);
    let (status, _, _) = token_request(
        &server,
        Some(("demo-app", guessed)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A reset mail over SMTP with a password, and its link.
    let reset = submit(
        &stranger,
        &server.url("/password/reset"),
        &server.url("/password/reset"),
        &[("login", "jane")],
    )
    .await;
    assert_eq!(reset.status(), StatusCode::OK);
    settled(&server.store, Duration::from_secs(20)).await;
    let credentials = sink.credentials.lock().unwrap().clone();
    assert_eq!(
        credentials.as_deref(),
        Some(format!("\0tessera\0{SMTP_PASSWORD}").as_str()),
        "SMTP authenticated"
    );
    let mail = sink
        .received()
        .pop()
        .expect("the reset mail")
        .data
        .replace("=\n", "")
        .replace("=3D", "=");
    let link_start = mail.find(&server.url("/password/reset/")).expect("a reset link");
    let link: String = mail[link_start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();
    logs::secret(link.rsplit('/').next().expect("the token"));
    let page = stranger.get(&link).send().await.expect("reset page");
    assert_eq!(page.status(), StatusCode::OK);

    // A helpdesk sign-in: a JWT signed with the shared secret.
    let helpdesk = jane
        .get(server.url("/remote-auth/zendesk"))
        .send()
        .await
        .expect("remote auth");
    let status = helpdesk.status();
    let body = helpdesk.text().await.unwrap_or_default();
    assert!(status.is_success() || status.is_redirection(), "{status}: {body}");

    let log = logs::this_process_log();
    for expected in [
        "password login",
        "mail handed to the SMTP server",
        "finished processing request",
    ] {
        assert!(
            log.contains(expected),
            "the capture holds the verbose log ({expected:?})"
        );
    }
    let leaked = leaks(&log, &logs::this_process_secrets());
    assert!(leaked.is_empty(), "{}", explain(&log, &leaked));
}

/// The whole run: scripts/test.sh runs this after the suites, with TESSERA_TEST_LOG_DIR
/// holding each test process's log and the secrets it used.
#[tokio::test]
#[ignore = "run by scripts/test.sh after the suites, over their logs"]
async fn the_whole_run_wrote_no_secret_to_its_log() {
    let dir = std::env::var_os("TESSERA_TEST_LOG_DIR")
        .map(std::path::PathBuf::from)
        .expect("set TESSERA_TEST_LOG_DIR to the directory the suites logged into");
    let (mut log, mut secrets) = (String::new(), Vec::new());
    for entry in std::fs::read_dir(&dir).expect("the log directory") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("a log or secrets file");
        match path.file_name().and_then(|n| n.to_str()) {
            Some(name) if name.starts_with("log-") => log.push_str(&text),
            Some(name) if name.starts_with("secrets-") => secrets.extend(text.lines().map(str::to_owned)),
            _ => {}
        }
    }
    assert!(
        log.len() > 100_000 && secrets.len() > 100,
        "the suites left too little to check in {}: {} bytes of log, {} secrets",
        dir.display(),
        log.len(),
        secrets.len()
    );
    secrets.sort();
    secrets.dedup();
    let leaked = leaks(&log, &secrets);
    assert!(leaked.is_empty(), "{}", explain(&log, &leaked));
    println!(
        "checked {} bytes of log for {} secrets: none found",
        log.len(),
        secrets.len()
    );
}

#[test]
fn the_leak_finder_finds_secrets_and_jwts_and_nothing_else() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJl";
    let log =
        format!("INFO request{{path=/token}}: ok\nWARN x: token={jwt} and pw=hunter2-hunter2\nINFO eyJ not a token\n");
    let secrets = vec!["hunter2-hunter2".to_owned(), "never-logged-value".to_owned()];
    assert_eq!(
        leaks(&log, &secrets),
        vec![jwt.to_owned(), "hunter2-hunter2".to_owned()]
    );
    assert!(leaks("INFO all fine eyJabc.def", &secrets).is_empty());
}

/// At the default level each request has one access line (method, path without its query,
/// status, latency, client, user agent, request id, account) and each audit event a
/// security-event line, behind a trusted proxy with the forwarded client's address.
#[tokio::test]
async fn requests_and_security_events_each_get_a_line_with_the_client_and_the_account() {
    let server = TestServer::start_configured(&format!(
        "{}server:\n  trusted_proxies: [127.0.0.1]\n",
        crate::support::people::FAST_PASSWORDS
    ))
    .await;
    let jane = person(&server).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", "198.51.100.23".parse().unwrap());
    headers.insert("user-agent", "LogCheck/1.0".parse().unwrap());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let wrong = log_in(&server, &client, "jane", "not-janes-password-456", None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = log_in(&server, &client, "jane", PASSWORD, None).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    let page = client.get(server.url("/account?tab=apps")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let request_id = page.headers()["x-request-id"].to_str().unwrap().to_owned();

    let log = logs::this_process_log();
    let id = jane.id.to_string();
    let access = log
        .lines()
        .find(|l| l.contains("tessera::access") && l.contains(&format!("request_id={request_id}")))
        .unwrap_or_else(|| panic!("no access line for {request_id}"));
    for field in [
        "method=GET",
        "path=/account ",
        "status=200",
        "latency_ms=",
        "ip=198.51.100.23",
        "user_agent=LogCheck/1.0",
        &format!("account={id}"),
    ] {
        assert!(access.contains(field), "{field:?} in {access}");
    }
    assert!(!access.contains("tab=apps"), "no query values: {access}");
    let signed_in = log
        .lines()
        .find(|l| {
            l.contains("tessera::access") && l.contains("path=/login ") && l.contains("status=303") && l.contains(&id)
        })
        .unwrap_or_else(|| panic!("the login's access line names the account it signed in"));
    assert!(signed_in.contains("method=POST"), "{signed_in}");
    // A failed login names no account (that would tell which names exist), only the client.
    for (kind, user) in [
        ("user.login_failed", "user=- "),
        ("user.login", &*format!("user={id} ")),
    ] {
        let line = log
            .lines()
            .find(|l| {
                l.contains("security event") && l.contains(&format!("kind={kind} ")) && l.contains("ip=198.51.100.23")
            })
            .unwrap_or_else(|| panic!("no security event line for {kind}"));
        assert!(line.contains(user), "{user:?} in {line}");
        assert!(line.contains(" INFO "), "at the default level: {line}");
    }
}
