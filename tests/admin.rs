//! Administering an account with the `tessera` binary while a server runs on the same
//! database: disable and enable, end sessions, revoke tokens, flags, show and sessions, each
//! with `--json`; the running node delivers the back-channel logouts the commands queue.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::store::{AuditStore, SessionStore};

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

pub(crate) fn tessera(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .env("TESSERA_CONFIG", config)
        .env("ADMIN_TEST_KEY", TEST_MASTER_KEY)
        .output()
        .expect("run tessera")
}

/// Runs a command that must succeed and returns its standard output.
pub(crate) fn ok(config: &Path, args: &[&str]) -> String {
    let started = std::time::Instant::now();
    let out = tessera(config, args);
    assert!(
        out.status.success(),
        "tessera {args:?} (after {:?}): {}",
        started.elapsed(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub(crate) fn json(config: &Path, args: &[&str]) -> Value {
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

// Multi-threaded: the in-process server (and its job worker, which may be inside a write
// transaction) keeps running while this thread waits for a `tessera` command on the same
// SQLite file; on one thread that wait would hold the server's lock until the command's
// busy timeout ran out ("database is locked").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

/// How many rows of `table` refer to the account `id` (an UPDATE that changes nothing counts
/// them on either backend without a typed query).
async fn rows_of(server: &TestServer, table: &str, column: &str, id: &str) -> u64 {
    let sql = format!("UPDATE {table} SET {column} = {column} WHERE {column} = $1");
    server.execute_sql(&sql, &[id.into()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_the_account_and_everything_that_refers_to_it_and_tells_the_app() {
    use tessera_core::identity::{IdentityStore, LinkedIdentity};
    use tessera_core::jobs::{Effects, JobStore, NewJob};

    let (backchannel, mut logouts) = backchannel_receiver().await;
    let (server, _dir, config) = server_and_config("admin_delete", &backchannel).await;
    let jane = person(&server).await;
    let id = jane.id.to_string();
    let janes = signed_in(&server, "jane", PASSWORD).await;
    let (access, refresh) = tokens(&server, &janes).await;
    let now = time::OffsetDateTime::now_utc();
    let identity = LinkedIdentity {
        provider: "twitter".into(),
        subject: "jane-t".into(),
        user_id: jane.id,
        username: Some("jane_t".into()),
        email: None,
        email_verified: false,
        profile: serde_json::json!({}),
        tokens_sealed: None,
        linked_at: now,
        updated_at: now,
    };
    server
        .store
        .link_identity(&identity, &Effects::none())
        .await
        .expect("link");
    server
        .store
        .set_contacts("twitter", "jane-t", &["friend".to_owned()])
        .await
        .expect("contacts");
    let later = now + time::Duration::days(1);
    let mail = NewJob::new("mail.followup", serde_json::json!({ "user_id": id })).at(later);
    server.store.enqueue(&mail).await.expect("a pending mail for jane");
    let other = NewJob::new("mail.followup", serde_json::json!({ "user_id": "someone-else" })).at(later);
    server
        .store
        .enqueue(&other)
        .await
        .expect("a pending mail for someone else");
    // A failed login leaves throttle counts keyed by her id.
    log_in(&server, &browser(), "jane", "not her password", None).await;

    // Not on a terminal and no --yes: refused, nothing changed.
    let refused = tessera(&config, &["user", "delete", "jane"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot be undone; add --yes"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(account_page_status(&server, &janes).await, StatusCode::OK);

    let deleted = json(&config, &["user", "delete", "jane", "--yes"]);
    assert_eq!(deleted["deleted"], "jane");
    assert_eq!(deleted["ended"]["sessions"], 1, "{deleted}");
    assert_eq!(deleted["ended"]["backchannel_logouts"], 1, "{deleted}");
    tokio::time::timeout(Duration::from_secs(10), logouts.recv())
        .await
        .expect("the app hears of the deletion")
        .expect("a logout token");

    for (table, column) in [
        ("users", "id"),
        ("sessions", "user_id"),
        ("identities", "user_id"),
        ("grants", "user_id"),
        ("authorization_codes", "user_id"),
        ("refresh_tokens", "user_id"),
        ("refresh_families", "user_id"),
        ("access_tokens", "user_id"),
        ("group_members", "user_id"),
        ("email_tokens", "user_id"),
    ] {
        assert_eq!(
            rows_of(&server, table, column, &id).await,
            0,
            "{table} keeps nothing of jane"
        );
    }
    assert_eq!(
        rows_of(&server, "contacts", "subject", "jane-t").await,
        0,
        "her friends list"
    );
    let throttles = server
        .execute_sql(
            "UPDATE throttles SET subject = subject WHERE subject = $1 OR subject LIKE $2",
            &[id.as_str().into(), format!("{id}|%").as_str().into()],
        )
        .await;
    assert_eq!(throttles, 0, "her throttle counts");
    let pending = server
        .execute_sql(
            "UPDATE jobs SET state = state WHERE kind = 'mail.followup' AND state = 'queued'",
            &[],
        )
        .await;
    assert_eq!(pending, 1, "only someone else's mail is still queued");

    assert_eq!(account_page_status(&server, &janes).await, StatusCode::SEE_OTHER);
    assert_eq!(userinfo_status(&server, &access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh_status(&server, &refresh).await, StatusCode::BAD_REQUEST);
    let gone = tessera(&config, &["user", "show", "jane"]);
    assert_eq!(gone.status.code(), Some(1));

    // The audit trail keeps the deletion; the name is free again.
    let events = server.store.recent_events(50).await.expect("events");
    let event = events
        .iter()
        .find(|e| e.kind == "admin.user_deleted")
        .expect("deletion audited");
    assert_eq!(event.user_id, Some(jane.id));
    assert_eq!(event.user_agent.as_deref(), Some("tessera-cli"));
    let again = json(&config, &["user", "create", "--username", "jane", "--no-password"]);
    assert_eq!(again["username"], "jane");
    assert_ne!(again["id"], id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_sign_ins_and_accounts_without_email_from_the_command_line() {
    use tessera_core::identity::{IdentityStore, LinkedIdentity};
    use tessera_core::jobs::Effects;
    use tessera_core::store::UserStore;

    let (backchannel, _logouts) = backchannel_receiver().await;
    let (server, dir, config) = server_and_config("admin_addresses", &backchannel).await;
    person(&server).await;

    // An account for someone who will only sign in upstream: no address, no password.
    let bob = json(&config, &["user", "create", "--username", "bob", "--no-password"]);
    assert_eq!(
        (bob["email"].is_null(), bob["email_verified"].as_bool()),
        (true, Some(false)),
        "{bob}"
    );
    let set = json(&config, &["user", "set-email", "bob", "Bob@Example.com"]);
    assert_eq!(
        (set["email"].as_str(), set["email_verified"].as_bool()),
        (Some("Bob@example.com"), Some(true))
    );
    let taken = tessera(&config, &["user", "set-email", "bob", "JANE@example.com"]);
    assert_eq!(taken.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&taken.stderr).trim(),
        "error: another account has confirmed that email address; nothing was changed"
    );
    let bad = tessera(&config, &["user", "set-email", "bob", "not an address"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        json(&config, &["user", "show", "bob"])["email"],
        "Bob@example.com",
        "unchanged"
    );

    // Imported from Django: unconfirmed unless the source proved the addresses.
    let dump = dir.path().join("users.json");
    std::fs::write(&dump, crate::cli::DJANGO_DUMP.replace("jane", "carol")).expect("dump");
    let dump = dump.to_str().expect("path");
    ok(&config, &["user", "import", "--format", "django-json", dump]);
    assert_eq!(json(&config, &["user", "show", "carol"])["email_verified"], false);
    let confirmed = json(&config, &["user", "confirm-email", "carol"]);
    assert_eq!(confirmed["email_verified"], true, "{confirmed}");
    std::fs::write(
        dir.path().join("more.json"),
        crate::cli::DJANGO_DUMP
            .replace("jane", "dora")
            .replace("\"bob\"", "\"eve\""),
    )
    .expect("dump");
    let more = dir.path().join("more.json");
    ok(
        &config,
        &[
            "user",
            "import",
            "--format",
            "django-json",
            "--emails-confirmed",
            more.to_str().expect("path"),
        ],
    );
    assert_eq!(json(&config, &["user", "show", "dora"])["email_verified"], true);
    assert!(json(&config, &["user", "show", "eve"])["email"].is_null());
    let without = tessera(&config, &["user", "confirm-email", "eve"]);
    assert_eq!(without.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&without.stderr).trim(),
        "error: the account has no email address"
    );

    // Unlinking a provider.
    let carol = server
        .store
        .user_by_username("carol")
        .await
        .expect("store")
        .expect("carol");
    let now = time::OffsetDateTime::now_utc();
    let identity = LinkedIdentity {
        provider: "twitter".into(),
        subject: "carol-t".into(),
        user_id: carol.id,
        username: None,
        email: None,
        email_verified: false,
        profile: serde_json::json!({}),
        tokens_sealed: None,
        linked_at: now,
        updated_at: now,
    };
    server
        .store
        .link_identity(&identity, &Effects::none())
        .await
        .expect("link");
    let unlinked = json(&config, &["user", "unlink", "carol", "twitter"]);
    assert_eq!(unlinked["subjects"], serde_json::json!(["carol-t"]));
    assert_eq!(
        json(&config, &["user", "show", "carol"])["identities"],
        serde_json::json!([])
    );
    let again = tessera(&config, &["user", "unlink", "carol", "twitter"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("carol has no sign-in through \"twitter\""));
    let events = server.store.recent_events(50).await.expect("events");
    for kind in ["admin.email_set", "admin.email_confirmed", "identity.unlinked"] {
        assert!(events.iter().any(|e| e.kind == kind), "{kind} audited");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_keys_clients_and_the_audit_log_from_the_command_line() {
    let (backchannel, _logouts) = backchannel_receiver().await;
    let (server, _dir, config) = server_and_config("admin_lists", &backchannel).await;
    person(&server).await;

    ok(&config, &["group", "rename", "staff-team", "support"]);
    let groups = ok(&config, &["group", "list", "--json"]);
    let support: Value = serde_json::from_str(groups.lines().next().expect("a group")).expect("JSON");
    assert_eq!(support, serde_json::json!({ "name": "support", "members": ["jane"] }));
    assert_eq!(
        json(&config, &["user", "show", "jane"])["groups"],
        serde_json::json!(["support"])
    );
    ok(&config, &["group", "create", "agents"]);
    let clash = tessera(&config, &["group", "rename", "support", "agents"]);
    assert_eq!(clash.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&clash.stderr).contains("exists already"));
    assert_eq!(ok(&config, &["group", "delete", "support"]), "deleted group support");
    assert_eq!(
        json(&config, &["user", "show", "jane"])["groups"],
        serde_json::json!([])
    );
    let unknown = tessera(&config, &["group", "delete", "support"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr).trim(),
        "error: no group named \"support\"; tessera group list shows them"
    );

    // The running server made its signing keys; the list shows them, never private parts.
    let keys = ok(&config, &["keys", "list", "--json"]);
    let keys: Vec<Value> = keys.lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert!(
        keys.iter().any(|k| k["alg"] == "RS256" && k["state"] == "signing"),
        "{keys:?}"
    );
    assert!(keys.iter().all(|k| k.get("sealed_private").is_none()));

    let clients = ok(&config, &["clients", "list", "--json"]);
    assert!(!clients.contains(DEMO_SECRET), "never a secret: {clients}");
    let demo: Value = serde_json::from_str(clients.lines().next().expect("a client")).expect("JSON");
    assert_eq!(
        (demo["client_id"].as_str(), demo["kind"].as_str()),
        (Some("demo-app"), Some("confidential"))
    );
    let text = ok(&config, &["clients", "list"]);
    assert!(
        text.lines().any(|l| l.starts_with("spa\t") && l.contains("\tpublic\t")),
        "{text}"
    );

    log_in(&server, &browser(), "jane", PASSWORD, None).await;
    let audit = ok(&config, &["audit", "list", "--user", "jane", "--since", "1h", "--json"]);
    let events: Vec<Value> = audit.lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert!(events.iter().any(|e| e["kind"] == "user.login"), "{audit}");
    assert!(events.iter().all(|e| e["user_id"].is_string()));
    let future = ok(&config, &["audit", "list", "--since", "2999-01-01T00:00:00Z"]);
    assert_eq!(future, "", "nothing that late");
    let text = ok(&config, &["audit", "list", "--limit", "1"]);
    assert_eq!(text.lines().count(), 1);
    let bad = tessera(&config, &["audit", "list", "--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("give a time such as"));
}

/// `user mfa` lists an account's second factors; `user reset-mfa` removes every one of them
/// and the recovery codes, ends the sessions (telling the apps) and mails the person, in one
/// transaction with its audit event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_mfa_removes_every_factor_ends_the_sessions_and_mails_the_person() {
    use tessera_core::factors::{RecoveryCodeSet, SecondFactorStore, StoredPasskey};
    use tessera_core::jobs::Effects;
    let (backchannel, _logouts) = backchannel_receiver().await;
    let (server, _dir, config) = server_and_config("admin_reset_mfa", &backchannel).await;
    let jane = person(&server).await;
    let _browser = signed_in(&server, "jane", PASSWORD).await;
    let now = time::OffsetDateTime::now_utc();
    let codes = RecoveryCodeSet::generate();
    server.store.begin_totp(jane.id, "c2VhbGVk", now).await.unwrap();
    assert!(
        server
            .store
            .confirm_totp_with(jane.id, 1, &codes.digests, now, &Effects::none())
            .await
            .unwrap()
    );
    let passkey = StoredPasskey {
        credential_id: "cred-1".into(),
        user_id: jane.id,
        name: "Laptop".into(),
        passkey: "{}".into(),
        created_at: now,
        last_used_at: None,
    };
    server.store.add_passkey_with(&passkey, &Effects::none()).await.unwrap();

    let listed = json(&config, &["user", "mfa", "jane"]);
    assert!(listed["totp"]["created_at"].is_string(), "{listed}");
    assert_eq!(listed["recovery_codes_left"], 10);
    assert_eq!(listed["passkeys"][0]["name"], "Laptop");
    assert_eq!(listed["passkeys"][0]["last_used_at"], Value::Null);
    let text = ok(&config, &["user", "mfa", "jane"]);
    assert!(
        text.contains("authenticator app\tsince ") && text.contains("passkey\tLaptop"),
        "{text}"
    );

    for command in ["mfa", "reset-mfa"] {
        let out = tessera(&config, &["user", command, "nobody"]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no account with the username \"nobody\""));
    }
    assert!(
        server.store.factor_summary(jane.id).await.unwrap().any(),
        "an error changed nothing"
    );

    let reset = json(&config, &["user", "reset-mfa", "jane"]);
    assert_eq!(reset["totp"], true, "{reset}");
    assert_eq!(reset["passkeys"], 1);
    assert_eq!(reset["recovery_codes"], 10);
    assert_eq!(reset["ended"]["sessions"], 1);
    assert_eq!(
        server.store.factor_summary(jane.id).await.unwrap(),
        tessera_core::factors::FactorSummary::default()
    );
    assert!(server.store.sessions_of(jane.id).await.unwrap().is_empty());
    let events = server.store.recent_events(20).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == "admin.mfa_reset" && e.user_id == Some(jane.id))
    );
    server.state.jobs_wake.notify_waiters();
    crate::support::server::settled(&server.store, Duration::from_secs(20)).await;
    assert!(
        server
            .mails()
            .iter()
            .any(|m| m.contains("Your second factors were removed")),
        "the person is told"
    );
    let after = json(&config, &["user", "mfa", "jane"]);
    assert_eq!(after["totp"], Value::Null);
    assert_eq!(after["passkeys"], serde_json::json!([]));
    // And the login is a plain password login again.
    let b = browser();
    let r = log_in(&server, &b, "jane", PASSWORD, None).await;
    assert_eq!(crate::support::server::location(&r), "/account");
}
