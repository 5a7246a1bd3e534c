//! `tessera secrets rotate-master-key` as an operator runs it: real `tessera serve` and CLI
//! processes on one config file and database (the backend TESSERA_TEST_BACKEND chooses).
//! After a rotation the tokens signed before still verify under the new key, every upstream
//! value opens with it, and the old key no longer starts the server; every refusal leaves
//! the sealed columns byte-identical.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine;
use serde_json::Value;
use sqlx::Connection;
use tessera_core::factors::{SecondFactorStore, totp_seal_context};
use tessera_core::identity::{IdentityStore, LinkedIdentity, LoginPurpose, UpstreamLogin};
use tessera_core::jobs::Effects;
use tessera_core::secret::ExposeSecret;
use tessera_core::store::UserStore;
use tessera_core::{NewUser, UserId, Username, seal};
use tessera_server::config::{MasterKey, parse_master_key};
use tessera_server::upstream;
use time::OffsetDateTime;

use crate::support::db::{TestDb, open, test_db};
use crate::support::people::FAST_PASSWORDS;
use crate::support::server::TEST_MASTER_KEY;

/// base64 of "rotated-test-master-key-32-bytes".
const NEW_KEY: &str = "cm90YXRlZC10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXM=";
/// base64 of "unrelated-test-master-key-32byte": neither the old nor the new key.
const UNRELATED_KEY: &str = "dW5yZWxhdGVkLXRlc3QtbWFzdGVyLWtleS0zMmJ5dGU=";
/// Where the config reads secrets.master_key from, and where the new key is handed over.
const CURRENT_KEY_VAR: &str = "ROTATION_TEST_KEY";
const NEW_KEY_VAR: &str = "ROTATION_NEW_KEY";

const CLIENT: &str = "rotation-app";
const CLIENT_SECRET: &str = "rotation-app-secret-0123456789";

const TOKENS: &[u8] = br#"{"access_token":"upstream-access"}"#;
const LEGACY_TOKENS: &[u8] = br#"{"access_token":"sealed-before-bound-contexts"}"#;
const LOGIN_DATA: &[u8] = b"pkce verifier";
/// The fixed context upstream tokens were sealed with before they were bound to their row
/// (`LEGACY_TOKENS_CONTEXT` in tessera-server's upstream module), as old rows still hold.
const LEGACY_CONTEXT: &str = "tessera upstream tokens";

fn key(text: &str) -> MasterKey {
    parse_master_key(text).expect("a test key")
}

/// One database and one config file whose secrets.master_key is `${ROTATION_TEST_KEY}`: each
/// process started on it gets the key the test chooses.
struct Deployment {
    db: TestDb,
    config: PathBuf,
    base: String,
    _dir: tempfile::TempDir,
}

impl Deployment {
    async fn new(test: &str) -> Self {
        let db = test_db(test).await;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("tessera.yaml");
        // No metrics listener: its default port may be taken by another run on this machine.
        let yaml = format!(
            "issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}\nmetrics:\n  listen: off\n\
             database:\n  url: {}\nsecrets:\n  master_key: ${{{CURRENT_KEY_VAR}}}\nemail:\n  transport:\n    \
             kind: outbox\n    dir: {}\n{FAST_PASSWORDS}clients:\n  - id: {CLIENT}\n    secret: {CLIENT_SECRET}\n    \
             redirect_uris: ['http://127.0.0.1:9000/callback']\n    grant_types: [authorization_code, client_credentials]\n    \
             scopes: [openid]\n",
            db.url,
            dir.path().join("outbox").display()
        );
        std::fs::write(&config, yaml).expect("write config");
        let deployment = Self {
            db,
            config,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let migrated = deployment.tessera(TEST_MASTER_KEY, &["migrate"], &[]);
        assert!(
            migrated.status.success(),
            "{}",
            String::from_utf8_lossy(&migrated.stderr)
        );
        deployment
    }

    /// `tessera ARGS` with `current` as secrets.master_key and `env` set besides.
    fn tessera(&self, current: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
        command
            .args(args)
            .env("TESSERA_CONFIG", &self.config)
            .env(CURRENT_KEY_VAR, current)
            .env_remove(NEW_KEY_VAR)
            .envs(env.iter().copied());
        command.output().expect("run tessera")
    }

    /// `tessera secrets rotate-master-key` from the test key, with ROTATION_NEW_KEY set to
    /// `new` (unset for `None`).
    fn rotate(&self, new: Option<&str>, extra: &[&str]) -> Output {
        let args = [
            &["secrets", "rotate-master-key", "--new-key-env", NEW_KEY_VAR][..],
            extra,
        ]
        .concat();
        let env: Vec<(&str, &str)> = new.map(|k| (NEW_KEY_VAR, k)).into_iter().collect();
        self.tessera(TEST_MASTER_KEY, &args, &env)
    }

    /// `tessera serve` with `current` as the master key, once it answers.
    async fn serve(&self, current: &str) -> tokio::process::Child {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
            .arg("serve")
            .env("TESSERA_CONFIG", &self.config)
            .env(CURRENT_KEY_VAR, current)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start tessera serve");
        for _ in 0..400 {
            if let Some(status) = child.try_wait().expect("poll tessera serve") {
                panic!("tessera serve stopped at start: {status}");
            }
            if reqwest::get(self.url("/healthz"))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return child;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tessera serve did not start");
    }

    /// `tessera serve` with `current` as the master key, expected to refuse: what it printed.
    async fn serve_refused(&self, current: &str) -> Output {
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
            .arg("serve")
            .env("TESSERA_CONFIG", &self.config)
            .env(CURRENT_KEY_VAR, current)
            .kill_on_drop(true)
            .output();
        tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("tessera serve refuses promptly")
            .expect("run tessera serve")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every sealed column with the key of its row, as the database holds them.
    async fn sealed_columns(&self) -> Vec<String> {
        let mut all = Vec::new();
        for sql in SEALED_COLUMNS {
            all.extend(texts(&self.db.url, sql).await);
        }
        all
    }
}

const SEALED_COLUMNS: [&str; 4] = [
    "SELECT kid || ' ' || sealed_private FROM signing_keys ORDER BY kid",
    "SELECT provider || ' ' || subject || ' ' || COALESCE(tokens_sealed, '-') FROM identities ORDER BY provider, subject",
    "SELECT state_digest || ' ' || sealed_data FROM upstream_logins ORDER BY state_digest",
    "SELECT user_id || ' ' || sealed_secret FROM totp_factors ORDER BY user_id",
];

/// The authenticator-app secret seeded for jane.
const TOTP_SECRET: &[u8] = b"12345678901234567890";

/// The one text column of every row `sql` selects, read straight from the database.
async fn texts(url: &str, sql: &'static str) -> Vec<String> {
    let rows = if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect to SQLite");
        sqlx::query_scalar(sql).fetch_all(&mut conn).await
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to PostgreSQL");
        sqlx::query_scalar(sql).fetch_all(&mut conn).await
    };
    rows.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// SIGTERM, then wait for the process to end.
async fn stop(mut child: tokio::process::Child) {
    let pid = child.id().expect("running").to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("tessera serve stops promptly")
        .expect("wait");
    assert!(status.success(), "tessera serve exit status {status:?}");
}

fn identity(user: UserId, provider: &str, subject: &str, tokens: Vec<u8>) -> LinkedIdentity {
    let now = OffsetDateTime::now_utc();
    LinkedIdentity {
        provider: provider.into(),
        subject: subject.into(),
        user_id: user,
        username: None,
        email: None,
        email_verified: false,
        profile: serde_json::json!({}),
        tokens_sealed: Some(tokens),
        linked_at: now,
        updated_at: now,
    }
}

/// Jane with a twitter identity (tokens under the bound context), a facebook one (tokens under
/// the legacy context) and an upstream login in flight, all sealed under `sealed_with`.
async fn seed_upstream(db: &TestDb, sealed_with: &MasterKey) {
    let store = open(db).await;
    let jane = store
        .create_user(&NewUser::new(Username::parse("jane").expect("username"), None))
        .await
        .expect("create jane");
    let current = upstream::seal_tokens(sealed_with, "twitter", "1001", TOKENS);
    let legacy = seal::seal(sealed_with.expose_secret(), LEGACY_TOKENS, LEGACY_CONTEXT);
    for i in [
        identity(jane.id, "twitter", "1001", current),
        identity(jane.id, "facebook", "2002", legacy),
    ] {
        store.link_identity(&i, &Effects::none()).await.expect("link identity");
    }
    let login = UpstreamLogin {
        state_digest: "digest-1".into(),
        upstream: "twitter".into(),
        browser: "browser-digest".into(),
        purpose: LoginPurpose::Login,
        user_id: None,
        next: None,
        sealed_data: upstream::seal_login_data(sealed_with, "twitter", "digest-1", LOGIN_DATA),
        expires_at: OffsetDateTime::now_utc() + Duration::from_secs(900),
    };
    store
        .create_upstream_login(&login)
        .await
        .expect("create upstream login");
    let totp = seal::seal(sealed_with.expose_secret(), TOTP_SECRET, &totp_seal_context(jane.id));
    let totp = base64::engine::general_purpose::STANDARD.encode(totp);
    store
        .begin_totp(jane.id, &totp, OffsetDateTime::now_utc())
        .await
        .expect("an authenticator app");
    store.close().await;
}

/// The upstream values seeded by [`seed_upstream`] open with `new` only, each under the
/// context bound to its row (the legacy one too).
async fn assert_upstream_sealed_under(db: &TestDb, new: &MasterKey, old: &MasterKey) {
    let store = open(db).await;
    let sealed = |provider: &'static str, subject: &'static str| {
        let store = store.clone();
        async move {
            store
                .identity(provider, subject)
                .await
                .expect("read identity")
                .and_then(|i| i.tokens_sealed)
                .expect("tokens kept")
        }
    };
    let twitter = sealed("twitter", "1001").await;
    assert_eq!(upstream::open_tokens(new, "twitter", "1001", &twitter).unwrap(), TOKENS);
    assert!(
        upstream::open_tokens(old, "twitter", "1001", &twitter).is_err(),
        "not under the old key"
    );
    let facebook = sealed("facebook", "2002").await;
    let bound = upstream::tokens_context("facebook", "2002");
    assert_eq!(
        seal::open(new.expose_secret(), &facebook, &bound).unwrap(),
        LEGACY_TOKENS,
        "legacy tokens are re-sealed under the context of their row"
    );
    let login = store
        .take_upstream_login("digest-1", OffsetDateTime::now_utc())
        .await
        .expect("read upstream login")
        .expect("login kept");
    assert_eq!(upstream::open_login_data(new, &login).unwrap(), LOGIN_DATA);
    assert!(upstream::open_login_data(old, &login).is_err());
    let jane = store.user_by_username("jane").await.expect("read jane").expect("jane");
    let totp = store
        .totp_factor(jane.id)
        .await
        .expect("read the app")
        .expect("app kept");
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(totp.sealed_secret)
        .expect("base64");
    let context = totp_seal_context(jane.id);
    assert_eq!(seal::open(new.expose_secret(), &sealed, &context).unwrap(), TOTP_SECRET);
    assert!(
        seal::open(old.expose_secret(), &sealed, &context).is_err(),
        "not under the old key"
    );
    store.close().await;
}

async fn access_token(deployment: &Deployment) -> String {
    let body: Value = reqwest::Client::new()
        .post(deployment.url("/token"))
        .basic_auth(CLIENT, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("POST /token")
        .json()
        .await
        .expect("token response");
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {body}"))
        .to_owned()
}

async fn introspect(deployment: &Deployment, token: &str) -> Value {
    reqwest::Client::new()
        .post(deployment.url("/introspect"))
        .basic_auth(CLIENT, Some(CLIENT_SECRET))
        .form(&[("token", token)])
        .send()
        .await
        .expect("POST /introspect")
        .json()
        .await
        .expect("introspection response")
}

async fn jwks(deployment: &Deployment) -> Value {
    reqwest::get(deployment.url("/jwks"))
        .await
        .expect("GET /jwks")
        .json()
        .await
        .expect("JWKS")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Neither key (nor the one that opens nothing) ever shows in what the command printed.
fn assert_no_key_in(output: &Output) {
    let printed = format!("{}{}", text(&output.stdout), text(&output.stderr));
    for secret in [TEST_MASTER_KEY, NEW_KEY, UNRELATED_KEY] {
        assert!(!printed.contains(secret), "a key was printed:\n{printed}");
    }
}

#[tokio::test]
async fn after_a_rotation_old_tokens_verify_and_the_old_key_is_refused() {
    let deployment = Deployment::new("after_a_rotation_old_tokens_verify_and_the_old_key_is_refused").await;
    let (old, new) = (key(TEST_MASTER_KEY), key(NEW_KEY));
    let server = deployment.serve(TEST_MASTER_KEY).await;
    let token = access_token(&deployment).await;
    let keys_before = jwks(&deployment).await;
    stop(server).await;
    seed_upstream(&deployment.db, &old).await;

    let out = deployment.rotate(Some(NEW_KEY), &["--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_key_in(&out);
    let summary: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let signing_keys = keys_before["keys"].as_array().expect("keys").len();
    assert_eq!(
        summary,
        serde_json::json!({ "signing_keys": signing_keys, "upstream_tokens": 2, "upstream_logins": 1, "totp_secrets": 1 })
    );
    assert_upstream_sealed_under(&deployment.db, &new, &old).await;

    let server = deployment.serve(NEW_KEY).await;
    let answer = introspect(&deployment, &token).await;
    assert_eq!(answer["active"], true, "a token signed before the rotation: {answer}");
    assert_eq!(
        jwks(&deployment).await,
        keys_before,
        "the same key material under the same kids"
    );
    stop(server).await;

    let refused = deployment.serve_refused(TEST_MASTER_KEY).await;
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("cannot prepare signing keys: key ")
            && stderr.contains("cannot be unsealed: was secrets.master_key changed?")
            && stderr.contains("tessera secrets rotate-master-key"),
        "{stderr}"
    );
    assert!(!stderr.contains("Internal("), "no debug formatting: {stderr}");
    assert_no_key_in(&refused);
}

#[tokio::test]
async fn every_refusal_leaves_the_sealed_values_byte_identical() {
    let deployment = Deployment::new("every_refusal_leaves_the_sealed_values_byte_identical").await;
    let made = deployment.tessera(TEST_MASTER_KEY, &["keys", "rotate"], &[]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    seed_upstream(&deployment.db, &key(TEST_MASTER_KEY)).await;
    let before = deployment.sealed_columns().await;
    assert!(before.len() >= 4, "signing key, identities and a login: {before:#?}");

    let refusals: [(Option<&str>, &str); 4] = [
        (
            None,
            "error: --new-key-env ROTATION_NEW_KEY: the environment variable ROTATION_NEW_KEY is not set; \
             export the new key in it (make one with `openssl rand -base64 32`); nothing was changed",
        ),
        (
            Some("not base64!"),
            "error: --new-key-env ROTATION_NEW_KEY: the value of ROTATION_NEW_KEY is not base64; \
             generate one with `openssl rand -base64 32`; nothing was changed",
        ),
        (
            Some("c2hvcnQ="),
            "error: --new-key-env ROTATION_NEW_KEY: the value of ROTATION_NEW_KEY must be 32 bytes once \
             decoded, not 5; generate one with `openssl rand -base64 32`; nothing was changed",
        ),
        (
            Some(TEST_MASTER_KEY),
            "error: --new-key-env ROTATION_NEW_KEY: the value of ROTATION_NEW_KEY is the current \
             secrets.master_key; make a new key with `openssl rand -base64 32`; nothing was changed",
        ),
    ];
    let usage = deployment.tessera(
        TEST_MASTER_KEY,
        &["secrets", "rotate-master-key", "--new-key-env", "NOT-A-NAME"],
        &[],
    );
    assert_eq!(usage.status.code(), Some(2), "{}", text(&usage.stderr));
    assert!(text(&usage.stderr).contains("name of an environment variable"));
    for (new, message) in refusals {
        let out = deployment.rotate(new, &[]);
        assert_eq!(out.status.code(), Some(1), "{new:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr).trim(), message);
        assert!(out.stdout.is_empty(), "{new:?}: {}", text(&out.stdout));
        assert!(!text(&out.stderr).contains("c2hvcnQ="), "the bad value is not echoed");
        assert_no_key_in(&out);
        assert_eq!(
            deployment.sealed_columns().await,
            before,
            "{new:?} changed a sealed value"
        );
    }

    // One value sealed under a key that is neither: the whole rotation is refused.
    let store = open(&deployment.db).await;
    let jane = store.user_by_username("jane").await.unwrap().expect("jane");
    let foreign = upstream::seal_tokens(&key(UNRELATED_KEY), "instagram", "3003", TOKENS);
    store
        .link_identity(&identity(jane.id, "instagram", "3003", foreign), &Effects::none())
        .await
        .expect("link identity");
    store.close().await;
    let before = deployment.sealed_columns().await;
    let out = deployment.rotate(Some(NEW_KEY), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let config = deployment.config.display();
    assert_eq!(
        text(&out.stderr).lines().collect::<Vec<_>>(),
        [
            "error: these sealed values do not open with the current secrets.master_key, so nothing was changed:",
            "error:   upstream tokens of the instagram account \"3003\"",
            &format!(
                "error: secrets.master_key in {config} must be the key these were sealed with (after an earlier \
                 rotation, the new one); a value that no key opens is damaged: delete or repair it first"
            ),
        ]
    );
    assert_no_key_in(&out);
    assert_eq!(deployment.sealed_columns().await, before, "nothing was re-sealed");
}
