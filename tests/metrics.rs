//! Prometheus metrics on the metrics listener: requests by route template, logins, tokens,
//! refresh reuse, the pool and the queue, build and process metrics; names that follow
//! Prometheus' rules (checked by `promtool check metrics` when it is there, and by the rules
//! below always).

use std::collections::BTreeMap;

use reqwest::StatusCode;

use crate::oidc::{CALLBACK, DEMO_SECRET, clients_yaml, code_for, person, token_request};
use crate::support::people::{PASSWORD, log_in};
use crate::support::server::{TestServer, browser};

/// The sample lines of a scrape: `name{labels}` → value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(series, value)| (series.to_owned(), value.parse().unwrap_or(f64::NAN)))
        .collect()
}

async fn scrape(metrics: &str) -> String {
    let response = reqwest::get(format!("{metrics}/metrics")).await.expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4");
    response.text().await.expect("text")
}

#[tokio::test]
async fn requests_logins_tokens_and_reuse_are_counted_by_route_template() {
    let server = TestServer::start_configured(&clients_yaml("http://127.0.0.1:9/never")).await;
    let metrics = server.metrics_listener().await;
    person(&server).await;
    let browser = browser();
    assert_eq!(
        log_in(&server, &browser, "jane", "not her password", None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let code = code_for(&server, &browser, "demo-app", CALLBACK, "openid offline_access", "").await;
    let demo = Some(("demo-app", DEMO_SECRET));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, tokens, _) = token_request(&server, demo, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
    let again = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    assert_eq!(token_request(&server, demo, &again).await.0, StatusCode::OK);
    // The rotated token presented again: reuse, and the family is revoked.
    assert_eq!(token_request(&server, demo, &again).await.0, StatusCode::BAD_REQUEST);
    // Paths that match no route, and a method nobody registered, keep the series bounded.
    for path in ["/no/such/page", "/another-random-1234"] {
        assert_eq!(
            browser.get(server.url(path)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
    let brew = reqwest::Method::from_bytes(b"BREW").unwrap();
    browser.request(brew, server.url("/token")).send().await.unwrap();
    // An unknown link: its own page, counted under the route's template.
    assert_eq!(
        browser
            .get(server.url("/email/confirm/some-token-value"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );

    let text = scrape(&metrics).await;
    let s = samples(&text);
    let value = |series: &str| {
        s.get(series)
            .copied()
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    assert_eq!(
        value(r#"tessera_logins_total{method="password",result="wrong_credentials"}"#),
        1.0
    );
    assert_eq!(
        value(r#"tessera_logins_total{method="password",result="success"}"#),
        1.0
    );
    assert_eq!(value(r#"tessera_tokens_issued_total{grant="authorization_code"}"#), 1.0);
    assert_eq!(value(r#"tessera_tokens_issued_total{grant="refresh_token"}"#), 1.0);
    assert_eq!(value("tessera_refresh_reuse_detected_total"), 1.0);
    assert_eq!(
        value(r#"http_requests_total{method="POST",route="/token",status="200"}"#),
        2.0
    );
    assert_eq!(
        value(r#"http_requests_total{method="POST",route="/token",status="400"}"#),
        1.0
    );
    assert_eq!(
        value(r#"http_requests_total{method="GET",route="unmatched",status="404"}"#),
        2.0
    );
    assert_eq!(
        value(r#"http_requests_total{method="other",route="/token",status="405"}"#),
        1.0
    );
    // The template, never the token in the path.
    assert!(!text.contains("some-token-value"), "{text}");
    assert_eq!(
        value(r#"http_requests_total{method="GET",route="/email/confirm/{token}",status="400"}"#),
        1.0
    );
    assert_eq!(
        value(r#"http_request_duration_seconds_count{method="POST",route="/token"}"#),
        3.0
    );
    assert!(value(r#"http_request_duration_seconds_bucket{method="POST",route="/token",le="+Inf"}"#) >= 3.0);
    assert_eq!(
        value(&format!(
            r#"tessera_build_info{{version="{}"}}"#,
            env!("CARGO_PKG_VERSION")
        )),
        1.0
    );
    assert_eq!(value("tessera_database_up"), 1.0);
    assert!(value("tessera_db_pool_max_connections") >= 1.0);
    assert!(value("tessera_db_pool_connections") >= 1.0);
    assert!(s.keys().any(|k| k.starts_with("tessera_jobs{state=")), "{text}");
    assert!(value("process_resident_memory_bytes") > 1_000_000.0);
    assert!(value("process_start_time_seconds") > 1_600_000_000.0);
    // Counters never go down: a second scrape has at least the first one's counts.
    let later = samples(&scrape(&metrics).await);
    assert!(later["tessera_refresh_reuse_detected_total"] >= 1.0);

    check_names(&text);
}

/// Prometheus' naming rules (https://prometheus.io/docs/practices/naming/ and the text
/// exposition format): every family has HELP and TYPE, counters end in `_total`, names and
/// labels use the allowed characters and no reserved `__` prefix, units are base units.
/// Then `promtool check metrics` when it is installed (CI sets TESSERA_PROMTOOL).
fn check_names(text: &str) {
    let mut typed = BTreeMap::new();
    let mut helped = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("#"), Some("TYPE"), Some(name)) => {
                typed.insert(name.to_owned(), words.next().unwrap_or_default().to_owned());
            }
            (Some("#"), Some("HELP"), Some(name)) => helped.push(name.to_owned()),
            _ => {}
        }
    }
    let valid_name = |n: &str| {
        n.chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()))
            && !n.starts_with("__")
    };
    for (name, kind) in &typed {
        assert!(valid_name(name), "metric name {name}");
        assert!(helped.contains(name), "{name} has no HELP");
        assert_eq!(
            kind == "counter",
            name.ends_with("_total"),
            "{name} is a {kind}: only counters end in _total"
        );
        for unit in ["milliseconds", "ms", "kilobytes", "megabytes", "minutes"] {
            assert!(!name.contains(unit), "{name}: use base units (seconds, bytes)");
        }
    }
    for series in samples(text).keys() {
        if let Some((_, labels)) = series.split_once('{') {
            for pair in labels.trim_end_matches('}').split("\",") {
                let label = pair.split('=').next().unwrap_or_default();
                assert!(valid_name(label) && label != "__name__", "label {label} in {series}");
            }
        }
    }
    promtool(text);
}

fn promtool(text: &str) {
    let explicit = std::env::var("TESSERA_PROMTOOL").ok();
    let tool = explicit.clone().unwrap_or_else(|| "promtool".to_owned());
    let child = std::process::Command::new(&tool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if explicit.is_none() => {
            eprintln!("NOTE: promtool not found ({e}); the naming rules were checked without it");
            return;
        }
        Err(e) => panic!("TESSERA_PROMTOOL={tool}: {e}"),
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to promtool");
    let out = child.wait_with_output().expect("promtool");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The metrics name no account and hold no secret, whatever the requests carried.
#[tokio::test]
async fn metrics_hold_no_secret_and_no_account_name() {
    let server = TestServer::start_configured(&clients_yaml("http://127.0.0.1:9/never")).await;
    let metrics = server.metrics_listener().await;
    person(&server).await;
    assert_eq!(
        log_in(&server, &browser(), "jane", PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
    let text = scrape(&metrics).await;
    assert!(!text.contains(PASSWORD) && !text.contains("jane"), "{text}");
}
