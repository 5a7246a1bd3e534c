//! Administering an account with the `tessera` binary while a server runs on the same
//! database: disable and enable, end sessions, revoke tokens, flags, show and sessions, each
//! with `--json`; the running node delivers the back-channel logouts the commands queue.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::store::AuditStore;

use crate::oidc::{CALLBACK, DEMO_SECRET, clients_yaml, code_for, person, token_request};
use crate::support::db::test_db;
use crate::support::people::{PASSWORD, log_in, signed_in};
use crate::support::server::{TEST_MASTER_KEY, TestServer, backchannel_receiver, browser};

/// A server and a config file for the command line on the same database.
async fn server_and_config(test: &str, backchannel: &str) -> (TestServer, tempfile::TempDir, PathBuf) {
    let db = test_db(test).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("tessera.yaml");
    let yaml = format!(
        "issuer: http://127.0.0.1:1\ndatabase:\n  url: {}\nsecrets:\n  master_key: ${{ADMIN_TEST_KEY}}\n{}",
        db.url,
        clients_yaml(backchannel)
    );
    std::fs::write(&config, yaml).expect("write config");
    (
        TestServer::start_with(db, &clients_yaml(backchannel)).await,
        dir,
        config,
    )
}

fn tessera(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .env("TESSERA_CONFIG", config)
        .env("ADMIN_TEST_KEY", TEST_MASTER_KEY)
        .output()
        .expect("run tessera")
}

/// Runs a command that must succeed and returns its standard output.
fn ok(config: &Path, args: &[&str]) -> String {
    let out = tessera(config, args);
    assert!(
        out.status.success(),
        "tessera {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn json(config: &Path, args: &[&str]) -> Value {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    serde_json::from_str(&ok(config, &with_json)).expect("one JSON object")
}

/// Jane's tokens from a code flow in `browser`: (access, refresh).
async fn tokens(server: &TestServer, browser: &reqwest::Client) -> (String, String) {
    let code = code_for(server, browser, "demo-app", CALLBACK, "openid offline_access", "").await;
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, answer, _) = token_request(server, Some(("demo-app", DEMO_SECRET)), &grant).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let field = |name: &str| answer[name].as_str().expect(name).to_owned();
    (field("access_token"), field("refresh_token"))
}

async fn refresh_status(server: &TestServer, refresh: &str) -> StatusCode {
    let grant = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    token_request(server, Some(("demo-app", DEMO_SECRET)), &grant).await.0
}

async fn userinfo_status(server: &TestServer, access: &str) -> StatusCode {
    reqwest::Client::new()
        .get(server.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .expect("userinfo")
        .status()
}

async fn account_page_status(server: &TestServer, browser: &reqwest::Client) -> StatusCode {
    browser
        .get(server.url("/account"))
        .send()
        .await
        .expect("account")
        .status()
}

#[tokio::test]
async fn disable_ends_sessions_and_tokens_tells_the_app_and_refuses_logins_until_enabled() {
    let (backchannel, mut logouts) = backchannel_receiver().await;
    let (server, _dir, config) = server_and_config("admin_disable", &backchannel).await;
    let jane = person(&server).await;
    let janes = signed_in(&server, "jane", PASSWORD).await;
    let (access, refresh) = tokens(&server, &janes).await;

    let disabled = json(&config, &["user", "disable", "JANE"]);
    assert_eq!(disabled["disabled"], "jane");
    assert_eq!(disabled["ended"]["sessions"], 1, "{disabled}");
    assert_eq!(disabled["ended"]["backchannel_logouts"], 1, "{disabled}");
    let token = tokio::time::timeout(Duration::from_secs(10), logouts.recv())
        .await
        .expect("the running node delivers the queued back-channel logout")
        .expect("a logout token");
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            token.split('.').nth(1).expect("a JWT"),
        )
        .expect("base64url"),
    )
    .expect("claims");
    assert_eq!(claims["sub"], jane.id.to_string());

    assert_eq!(
        account_page_status(&server, &janes).await,
        StatusCode::SEE_OTHER,
        "session ended"
    );
    assert_eq!(
        refresh_status(&server, &refresh).await,
        StatusCode::BAD_REQUEST,
        "refresh revoked"
    );
    assert_eq!(
        userinfo_status(&server, &access).await,
        StatusCode::UNAUTHORIZED,
        "access revoked"
    );
    let refused = log_in(&server, &browser(), "jane", PASSWORD, None).await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "a disabled account cannot sign in"
    );
    assert!(
        !json(&config, &["user", "show", "jane"])["is_active"]
            .as_bool()
            .expect("is_active")
    );

    assert_eq!(ok(&config, &["user", "enable", "jane"]), "enabled jane");
    let again = browser();
    assert_eq!(
        log_in(&server, &again, "jane", PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        refresh_status(&server, &refresh).await,
        StatusCode::BAD_REQUEST,
        "old tokens stay revoked"
    );

    let events = server.store.recent_events(50).await.expect("events");
    for kind in ["admin.user_disabled", "admin.user_enabled"] {
        let event = events
            .iter()
            .find(|e| e.kind == kind)
            .unwrap_or_else(|| panic!("{kind} audited"));
        assert_eq!(event.user_id, Some(jane.id));
        assert_eq!(event.user_agent.as_deref(), Some("tessera-cli"));
    }
}

#[tokio::test]
async fn sessions_tokens_flags_and_show_from_the_command_line() {
    let (backchannel, _logouts) = backchannel_receiver().await;
    let (server, _dir, config) = server_and_config("admin_sessions", &backchannel).await;
    person(&server).await;
    let laptop = signed_in(&server, "jane", PASSWORD).await;
    let phone = signed_in(&server, "jane", PASSWORD).await;

    let shown = json(&config, &["user", "show", "jane"]);
    assert_eq!(shown["username"], "jane");
    assert_eq!(shown["sessions"], 2);
    assert_eq!(shown["groups"], serde_json::json!(["staff-team"]));
    assert!(shown.get("password_hash").is_none(), "never the hash: {shown}");
    let text = ok(&config, &["user", "show", "jane"]);
    assert!(
        text.contains("email       jane@example.com") && text.contains("sessions    2"),
        "{text}"
    );

    let listed = ok(&config, &["user", "sessions", "jane", "--json"]);
    let sessions: Vec<Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(sessions.len(), 2, "{listed}");
    assert!(
        sessions
            .iter()
            .all(|s| s["amr"] == "pwd" && s["sid"].as_str().is_some_and(|sid| sid.len() > 20))
    );

    let (access, refresh) = tokens(&server, &laptop).await;
    assert_eq!(
        ok(&config, &["user", "revoke-tokens", "jane"]),
        "revoked every code and token of jane"
    );
    assert_eq!(userinfo_status(&server, &access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh_status(&server, &refresh).await, StatusCode::BAD_REQUEST);
    assert_eq!(
        account_page_status(&server, &phone).await,
        StatusCode::OK,
        "sessions stay"
    );

    let ended = ok(&config, &["user", "end-sessions", "jane"]);
    assert!(ended.starts_with("jane: 2 sessions ended"), "{ended}");
    for browser in [&laptop, &phone] {
        assert_eq!(account_page_status(&server, browser).await, StatusCode::SEE_OTHER);
    }

    let flags = json(&config, &["user", "set-flags", "jane", "--superuser", "true"]);
    assert_eq!(
        (flags["is_staff"].as_bool(), flags["is_superuser"].as_bool()),
        (Some(true), Some(true))
    );
    let flags = json(&config, &["user", "set-flags", "jane", "--superuser", "false"]);
    assert_eq!(
        (flags["is_staff"].as_bool(), flags["is_superuser"].as_bool()),
        (Some(true), Some(false))
    );
}

#[tokio::test]
async fn an_unknown_account_or_a_bad_flag_is_a_clear_error_that_changes_nothing() {
    let (backchannel, _logouts) = backchannel_receiver().await;
    let (server, _dir, config) = server_and_config("admin_errors", &backchannel).await;
    person(&server).await;
    for command in ["show", "disable", "enable", "sessions", "end-sessions", "revoke-tokens"] {
        let out = tessera(&config, &["user", command, "nobody"]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim(),
            "error: no account with the username \"nobody\"; tessera user list shows them",
            "{command}"
        );
    }
    let out = tessera(&config, &["user", "set-flags", "jane", "--staff", "maybe"]);
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'maybe'"));
    let shown = json(&config, &["user", "show", "jane"]);
    assert_eq!(
        (shown["is_staff"].as_bool(), shown["is_active"].as_bool()),
        (Some(false), Some(true))
    );
}
