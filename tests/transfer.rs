//! `tessera backup`, `tessera export` and `tessera import` through the real binary: a SQLite
//! installation exported while it serves and imported into PostgreSQL, where the same people
//! sign in and what was issued before still works; a backup a server runs on; and every
//! refusal, which changes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use openidconnect::JsonWebKey;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection;
use tessera_core::identity::{IdentityStore, LinkedIdentity};
use tessera_core::jobs::Effects;
use tessera_core::store::GroupStore;
use tessera_oidc::storage::GrantStore;
use tessera_server::config::parse_master_key;
use tessera_server::upstream;
use tessera_store::transfer::TABLES;
use time::OffsetDateTime;

use crate::admin::{json, ok, tessera};
use crate::oidc::{CALLBACK, DEMO_SECRET, clients_yaml, code_for, person, token_request};
use crate::support::db::{TestDb, fresh_postgres, fresh_sqlite, test_db};
use crate::support::people::{self, PASSWORD, log_in, signed_in};
use crate::support::server::{TEST_MASTER_KEY, TestServer, browser};

const BOB_PASSWORD: &str = "bobs own long passphrase";
/// Upstream tokens in the clear: they must reach the file only sealed.
const UPSTREAM_TOKENS: &[u8] = br#"{"access_token":"upstream-plaintext-token-4711"}"#;

fn server_yaml() -> String {
    clients_yaml("http://127.0.0.1:9/never")
}

/// A config file named `name` for the command line on the database at `url` (its master key
/// is the one `admin::tessera` passes in ADMIN_TEST_KEY, the test servers' key).
fn config_for(dir: &Path, name: &str, url: &str) -> PathBuf {
    let path = dir.join(format!("{name}.yaml"));
    let yaml =
        format!("issuer: http://127.0.0.1:1\ndatabase:\n  url: {url}\nsecrets:\n  master_key: ${{ADMIN_TEST_KEY}}\n");
    std::fs::write(&path, yaml).expect("write config");
    path
}

/// Runs a command that must fail with exit 1 (changing nothing) and returns its error output.
fn refused(config: &Path, args: &[&str]) -> String {
    let out = tessera(config, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "tessera {args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "tessera {args:?} printed a result");
    stderr
}

/// Rows per exported table, counted straight in the database at `url`.
async fn row_counts(url: &str) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        let count: i64 = if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect to SQLite");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut conn).await
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to PostgreSQL");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut conn).await
        }
        .expect("count rows");
        counts.push((table.name, count));
    }
    counts
}

/// The `tables` of a `--json` summary, in [`TABLES`] order.
fn summary_counts(summary: &Value) -> Vec<(&'static str, i64)> {
    TABLES
        .iter()
        .map(|t| (t.name, summary["tables"][t.name].as_i64().expect("a count per table")))
        .collect()
}

/// Sign-ins and token requests against `server` until stopped; how many completed.
struct Load {
    done: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Load {
    /// Starts, and returns once the first round has completed.
    async fn start(server: &Arc<TestServer>) -> Self {
        let done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let (server, done, stop) = (server.clone(), done.clone(), stop.clone());
            async move {
                while !stop.load(Ordering::Relaxed) {
                    let login = log_in(&server, &browser(), "bob", BOB_PASSWORD, None).await;
                    assert_eq!(login.status(), StatusCode::SEE_OTHER, "bob signs in under load");
                    let grant = [("grant_type", "client_credentials")];
                    let (status, answer, _) = token_request(&server, Some(("demo-app", DEMO_SECRET)), &grant).await;
                    assert_eq!(status, StatusCode::OK, "{answer}");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let load = Self { done, stop, task };
        while load.rounds() == 0 {
            assert!(!load.task.is_finished(), "the load stopped at once");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        load
    }

    /// Runs `command` again until a round of sign-ins and token requests completed while it
    /// ran (a fast command may otherwise fall between two rounds), and returns its result.
    fn overlapping<T>(&self, mut command: impl FnMut() -> T) -> T {
        for _ in 0..50 {
            let before = self.rounds();
            let result = command();
            if self.rounds() > before {
                return result;
            }
        }
        panic!("in 50 runs, the server never answered a request while the command ran");
    }

    fn rounds(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    async fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.expect("the load ran without failing");
    }
}

/// Jane (password, group, attribute, a linked Twitter account whose tokens are sealed) and
/// Bob (password), on `server`.
async fn people_on(server: &TestServer) -> tessera_core::User {
    let jane = person(server).await;
    people::person("bob")
        .email("bob@example.com")
        .confirmed()
        .password(BOB_PASSWORD)
        .create(server)
        .await;
    let master = parse_master_key(TEST_MASTER_KEY).expect("the test key");
    let now = OffsetDateTime::now_utc();
    let link = LinkedIdentity {
        provider: "twitter".into(),
        subject: "1001".into(),
        user_id: jane.id,
        username: Some("jane_tw".into()),
        email: None,
        email_verified: false,
        profile: serde_json::json!({"screen_name": "jane_tw"}),
        tokens_sealed: Some(upstream::seal_tokens(&master, "twitter", "1001", UPSTREAM_TOKENS)),
        linked_at: now,
        updated_at: now,
    };
    server
        .store
        .link_identity(&link, &Effects::none())
        .await
        .expect("link identity");
    jane
}

/// Jane's tokens from a code flow with consent: (access, refresh, ID token).
async fn janes_tokens(server: &TestServer) -> (String, String, String) {
    let code = code_for(server, &browser(), "demo-app", CALLBACK, "openid offline_access", "").await;
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, answer, _) = token_request(server, Some(("demo-app", DEMO_SECRET)), &grant).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let field = |name: &str| answer[name].as_str().expect(name).to_owned();
    (field("access_token"), field("refresh_token"), field("id_token"))
}

fn base64url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}

/// Checks `token`'s RS256 signature against `server`'s published keys, independently of
/// Tessera (openidconnect's JWK type verifies it).
async fn verify_with_jwks(server: &TestServer, token: &str) {
    let jwks: CoreJsonWebKeySet = reqwest::get(server.url("/jwks"))
        .await
        .expect("GET /jwks")
        .json()
        .await
        .expect("a JWKS");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWS");
    let header: Value = serde_json::from_slice(&base64url(parts[0])).expect("a JOSE header");
    assert_eq!(header["alg"], "RS256");
    let key = jwks
        .keys()
        .iter()
        .find(|k| JsonWebKey::key_id(*k).map(|id| id.as_str()) == header["kid"].as_str())
        .unwrap_or_else(|| panic!("kid {} is published", header["kid"]));
    JsonWebKey::verify_signature(
        key,
        &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
        &base64url(parts[2]),
    )
    .expect("the signature verifies with the published key");
}

async fn published_kids(server: &TestServer) -> Vec<String> {
    let jwks: Value = reqwest::get(server.url("/jwks"))
        .await
        .expect("GET /jwks")
        .json()
        .await
        .expect("a JWKS");
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect();
    kids.sort();
    kids
}

// Multi-threaded: the server and the load run on the workers while this thread waits for the
// `tessera` commands (see tests/admin.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_from_sqlite_under_load_imports_into_postgresql_where_everyone_and_everything_works() {
    let Some(target) = fresh_postgres("transfer::an_export_from_sqlite_under_load_imports_into_postgresql").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let source = fresh_sqlite();
    let source_config = config_for(dir.path(), "source", &source.url);
    let target_config = config_for(dir.path(), "target", &target.url);
    let server = Arc::new(TestServer::start_with(source, &server_yaml()).await);
    let jane = people_on(&server).await;
    let (access, refresh, id_token) = janes_tokens(&server).await;
    let kids_before = published_kids(&server).await;

    let load = Load::start(&server).await;
    let file = dir.path().join("moved.jsonl");
    let path = file.to_str().expect("UTF-8 path");
    let exported = load.overlapping(|| json(&source_config, &["export", path, "--force"]));
    load.stop().await;

    let text = std::fs::read_to_string(&file).expect("read the export");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert_eq!(lines[0]["format"], "tessera-export");
    assert_eq!(lines[0]["format_version"], 1);
    assert_eq!(lines[0]["schema_version"], server.store.schema_version());
    assert_eq!(lines[0]["backend"], "sqlite");
    assert!(lines[0]["exported_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(lines.last().expect("an end line")["end"]["rows"], exported["rows"]);
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l["table"].is_string() && l["row"].is_object())
    );
    drop(server);
    for secret in [
        PASSWORD,
        BOB_PASSWORD,
        DEMO_SECRET,
        TEST_MASTER_KEY,
        "upstream-plaintext-token-4711",
        &access,
        &refresh,
        &id_token,
    ] {
        assert!(!text.contains(secret), "a secret in the clear in the export");
    }
    let exported_counts = summary_counts(&exported);
    for table in [
        "users",
        "user_groups",
        "group_members",
        "identities",
        "grants",
        "refresh_tokens",
        "signing_keys",
    ] {
        let count = exported_counts.iter().find(|(t, _)| *t == table).expect("counted").1;
        assert!(count > 0, "{table} was exported: {exported}");
    }

    ok(&target_config, &["migrate"]);
    let imported = json(&target_config, &["import", path]);
    assert_eq!(imported, exported, "the import read every row the export wrote");
    assert_eq!(
        row_counts(&target.url).await,
        exported_counts,
        "the database holds them"
    );

    let target_url = target.url.clone();
    let moved = TestServer::start_with(target, &server_yaml()).await;
    assert_eq!(
        published_kids(&moved).await,
        kids_before,
        "the same signing keys, unsealed with the same master key"
    );
    signed_in(&moved, "jane", PASSWORD).await;
    signed_in(&moved, "bob", BOB_PASSWORD).await;
    let wrong = log_in(&moved, &browser(), "jane", BOB_PASSWORD, None).await;
    assert_ne!(wrong.status(), StatusCode::SEE_OTHER, "only the right password");
    verify_with_jwks(&moved, &access).await;
    verify_with_jwks(&moved, &id_token).await;
    let grant = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
    let (status, answer, _) = token_request(&moved, Some(("demo-app", DEMO_SECRET)), &grant).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the refresh token issued before the export refreshes: {answer}"
    );

    assert_eq!(moved.store.groups_of(jane.id).await.expect("groups"), ["staff-team"]);
    assert!(
        moved.store.grant(jane.id, "demo-app").await.expect("grant").is_some(),
        "the consent"
    );
    let links = moved.store.identities_of(jane.id).await.expect("identities");
    let sealed = links[0].tokens_sealed.as_deref().expect("tokens");
    let master = parse_master_key(TEST_MASTER_KEY).expect("the test key");
    assert_eq!(
        upstream::open_tokens(&master, "twitter", "1001", sealed).expect("opens with the master key"),
        UPSTREAM_TOKENS,
        "the upstream link's tokens arrived sealed and intact"
    );
    // Audit events keep their ids, and new ones continue after them (the identity sequence
    // was set past the imported ids).
    let audit_before = row_counts(&target_url).await;
    signed_in(&moved, "jane", PASSWORD).await;
    let audit_after = row_counts(&target_url).await;
    let events = |counts: &[(&str, i64)]| counts.iter().find(|(t, _)| *t == "audit_events").expect("counted").1;
    assert!(
        events(&audit_after) > events(&audit_before),
        "new audit events are written after the import"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_is_a_database_a_server_runs_on_with_the_same_people() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = fresh_sqlite();
    let config = config_for(dir.path(), "source", &source.url);
    let server = Arc::new(TestServer::start_with(source, &server_yaml()).await);
    people_on(&server).await;
    let load = Load::start(&server).await;
    let file = dir.path().join("backup.db");
    let path = file.to_str().expect("UTF-8 path");
    let printed = load.overlapping(|| ok(&config, &["backup", path, "--force"]));
    assert!(
        printed.starts_with(&format!("backed up the database to {path} (")),
        "{printed}"
    );
    load.stop().await;
    drop(server);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("the backup").permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "only its owner reads password hashes and sealed keys"
        );
    }

    let restored = config_for(dir.path(), "restored", &format!("sqlite://{path}"));
    let status = ok(&restored, &["migrate", "--status"]);
    assert!(status.lines().all(|l| l.contains("\tapplied\t")), "{status}");
    let copy = TestServer::start_with(TestDb::external(format!("sqlite://{path}")), &server_yaml()).await;
    signed_in(&copy, "jane", PASSWORD).await;
    signed_in(&copy, "bob", BOB_PASSWORD).await;
}

/// Backup refusals: an existing file (unless --force), a folder that does not exist, and a
/// PostgreSQL database (when one is configured here). Each leaves the files as they were.
#[tokio::test]
async fn backup_refuses_an_existing_file_a_missing_folder_and_postgresql() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = fresh_sqlite();
    let config = config_for(dir.path(), "source", &source.url);
    ok(&config, &["migrate"]);
    let file = dir.path().join("backup.db");
    let path = file.to_str().expect("UTF-8 path");
    std::fs::write(&file, "an older backup").expect("write");

    let error = refused(&config, &["backup", path]);
    assert_eq!(
        error,
        format!("error: {path} exists; choose a new name, or pass --force to replace it\n")
    );
    assert_eq!(std::fs::read(&file).expect("read"), b"an older backup");
    ok(&config, &["backup", path, "--force"]);
    assert!(
        std::fs::read(&file).expect("read").starts_with(b"SQLite format 3\0"),
        "replaced by --force"
    );

    let missing = dir.path().join("no-such-folder").join("backup.db");
    let error = refused(&config, &["backup", missing.to_str().expect("UTF-8 path")]);
    assert!(
        error.starts_with(&format!("error: cannot write {}: ", missing.display())),
        "{error}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 2, "no partial file is left behind: {names:?}");

    let Some(postgres) = fresh_postgres("transfer::backup_refuses_postgresql").await else {
        return;
    };
    let pg_config = config_for(dir.path(), "postgres", &postgres.url);
    let pg_file = dir.path().join("pg-backup.db");
    let error = refused(&pg_config, &["backup", pg_file.to_str().expect("UTF-8 path")]);
    assert!(error.contains("this one is PostgreSQL"), "{error}");
    assert!(error.contains("`pg_dump --format=custom`"), "{error}");
    assert!(error.contains("`tessera export`"), "{error}");
    assert!(!pg_file.exists());
}

/// An export of a small installation on the backend TESSERA_TEST_BACKEND chooses: the file's
/// lines, and the config of an empty migrated database to import them into.
struct Refusals {
    lines: Vec<String>,
    target: PathBuf,
    target_url: String,
    dir: tempfile::TempDir,
    _dbs: (TestDb, TestServer),
}

impl Refusals {
    async fn new(test: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let source_db = test_db(test).await;
        let source = config_for(dir.path(), "source", &source_db.url);
        let server = TestServer::start_with(source_db, &server_yaml()).await;
        people_on(&server).await;
        let file = dir.path().join("export.jsonl");
        ok(&source, &["export", file.to_str().expect("UTF-8 path")]);
        let lines = std::fs::read_to_string(&file)
            .expect("read")
            .lines()
            .map(str::to_owned)
            .collect();
        let target_db = test_db(test).await;
        let target_url = target_db.url.clone();
        let target = config_for(dir.path(), "target", &target_url);
        ok(&target, &["migrate"]);
        Self {
            lines,
            target,
            target_url,
            dir,
            _dbs: (target_db, server),
        }
    }

    /// `lines` as a file, imported into the target: the error, after checking that the
    /// target is still empty.
    async fn import_refused(&self, lines: &[String]) -> String {
        let file = self.dir.path().join("edited.jsonl");
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&file, text).expect("write");
        let error = refused(&self.target, &["import", file.to_str().expect("UTF-8 path")]);
        assert!(
            row_counts(&self.target_url).await.iter().all(|(_, n)| *n == 0),
            "nothing was imported after: {error}"
        );
        error
            .trim_end()
            .strip_prefix(&format!("error: {}: ", file.display()))
            .unwrap_or(&error)
            .to_owned()
    }

    /// The lines with line `number` (1-based) replaced by `with`.
    fn with_line(&self, number: usize, with: &str) -> Vec<String> {
        let mut lines = self.lines.clone();
        lines[number - 1] = with.to_owned();
        lines
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_a_bad_file_or_a_database_in_use_and_imports_nothing() {
    let case = Refusals::new("transfer::import_refusals").await;
    // The index of the end line, which is also the line number of the last row.
    let end = case.lines.len() - 1;
    let header: Value = serde_json::from_str(&case.lines[0]).expect("header");

    let mut other_format = header.clone();
    other_format["format_version"] = 2.into();
    let error = case.import_refused(&case.with_line(1, &other_format.to_string())).await;
    assert_eq!(
        error,
        "line 1: format version 2 is not one this tessera reads (it reads 1); import with the release that \
         wrote the file, or export again with this one; nothing was imported"
    );
    let current = header["schema_version"].as_i64().expect("a schema version");
    let mut older = header.clone();
    older["schema_version"] = (current - 1).into();
    let error = case.import_refused(&case.with_line(1, &older.to_string())).await;
    assert!(
        error.starts_with(&format!(
            "line 1: the file was exported at schema version {:04} and this tessera's is {current:04}: run \
             `tessera migrate` with this release on the source database",
            current - 1
        )),
        "{error}"
    );
    let error = case
        .import_refused(&case.with_line(1, r#"{"issuer": "not an export"}"#))
        .await;
    assert!(error.starts_with("line 1: not a tessera-export header"), "{error}");

    // Cut inside the last row, cut before the end line, a value of the wrong kind, a row the
    // database refuses (a second copy of a row): each after rows that were already inserted.
    let cut = &case.lines[end - 1][..case.lines[end - 1].len() / 2];
    let error = case
        .import_refused(&[&case.lines[..end - 1], &[cut.to_owned()]].concat())
        .await;
    assert!(
        error.starts_with(&format!("line {end}: not a JSON object: ")),
        "{error}"
    );
    let error = case.import_refused(&case.lines[..end]).await;
    assert_eq!(
        error,
        format!(
            "line {}: the file ends here without its end line: it is truncated; export it again; nothing was imported",
            end + 1
        )
    );
    let users_line = case
        .lines
        .iter()
        .rposition(|l| l.starts_with(r#"{"table":"users""#))
        .expect("a user")
        + 1;
    let garbled = case.lines[users_line - 1].replace(r#""is_active":true"#, r#""is_active":"yes""#);
    let error = case.import_refused(&case.with_line(users_line, &garbled)).await;
    assert_eq!(
        error,
        format!(
            "line {users_line}: table users: column is_active: expected true or false or null, found \"yes\"; \
             nothing was imported"
        )
    );
    let twice = [&case.lines[..users_line], &case.lines[users_line - 1..]].concat();
    let error = case.import_refused(&twice).await;
    assert!(
        error.starts_with(&format!(
            "line {}: table users: the database refused the row: ",
            users_line + 1
        )),
        "{error}"
    );
    let error = case.import_refused(&[]).await;
    assert!(error.contains("the file is empty"), "{error}");

    // The whole file imports; a second import finds the database in use.
    let file = case.dir.path().join("whole.jsonl");
    std::fs::write(&file, case.lines.join("\n") + "\n").expect("write");
    let path = file.to_str().expect("UTF-8 path");
    ok(&case.target, &["import", path]);
    let after_first = row_counts(&case.target_url).await;
    let error = refused(&case.target, &["import", path]);
    assert!(
        error.contains("the database is not empty (rows in users (2)"),
        "{error}"
    );
    assert_eq!(
        row_counts(&case.target_url).await,
        after_first,
        "the second import changed nothing"
    );

    let missing = case.dir.path().join("missing.jsonl");
    let error = refused(&case.target, &["import", missing.to_str().expect("UTF-8 path")]);
    assert!(
        error.starts_with(&format!("error: cannot read {}: ", missing.display())),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_refuses_an_existing_file_a_missing_folder_and_a_column_it_does_not_know() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = test_db("transfer::export_refusals").await;
    let config = config_for(dir.path(), "source", &db.url);
    ok(&config, &["migrate"]);
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, "keep me").expect("write");
    let path = file.to_str().expect("UTF-8 path");
    let error = refused(&config, &["export", path]);
    assert_eq!(
        error,
        format!("error: {path} exists; choose a new name, or pass --force to replace it\n")
    );
    assert_eq!(std::fs::read(&file).expect("read"), b"keep me");
    ok(&config, &["export", path, "--force"]);
    assert!(
        std::fs::read_to_string(&file)
            .expect("read")
            .starts_with(r#"{"format":"tessera-export""#)
    );

    let missing = dir.path().join("no-such-folder").join("export.jsonl");
    let error = refused(&config, &["export", missing.to_str().expect("UTF-8 path")]);
    assert!(
        error.starts_with(&format!("error: cannot write {}: ", missing.display())),
        "{error}"
    );

    // A column added behind the release's back would be lost on the way: refused.
    crate::support::db::execute(&db.url, "ALTER TABLE users ADD COLUMN nickname TEXT", &[]).await;
    let moved = dir.path().join("with-nickname.jsonl");
    let error = refused(&config, &["export", moved.to_str().expect("UTF-8 path")]);
    assert!(
        error.contains("tables or columns this tessera does not know"),
        "{error}"
    );
    assert!(error.contains("users.nickname"), "{error}");
    assert!(!moved.exists(), "no file for a refused export");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 2, "no partial file is left behind: {names:?}");
}

/// `tessera export - | tessera import -`, as a shell pipe runs it: the file on standard
/// output, its summary on standard error, and the same counts on the other side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_to_standard_output_pipes_into_an_import_from_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source_db = test_db("transfer::pipe_source").await;
    let source = config_for(dir.path(), "source", &source_db.url);
    let server = TestServer::start_with(source_db, &server_yaml()).await;
    people_on(&server).await;
    let target_db = test_db("transfer::pipe_target").await;
    let target = config_for(dir.path(), "target", &target_db.url);
    ok(&target, &["migrate"]);

    let run = |config: &Path, args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"));
        command
            .args(args)
            .env("TESSERA_CONFIG", config)
            .env("ADMIN_TEST_KEY", TEST_MASTER_KEY)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    };
    let mut export = run(&source, &["export", "-"]).spawn().expect("start the export");
    let pipe = export.stdout.take().expect("the export's standard output");
    let import = run(&target, &["import", "-", "--json"])
        .stdin(pipe)
        .output()
        .expect("run the import");
    let export = export.wait_with_output().expect("run the export");
    let said = String::from_utf8_lossy(&export.stderr).into_owned();
    assert!(export.status.success(), "{said}");
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    let first = said.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("exported ") && first.ends_with(" rows to standard output"),
        "{said}"
    );
    let imported: Value = serde_json::from_slice(&import.stdout).expect("one JSON object");
    assert_eq!(first, format!("exported {} rows to standard output", imported["rows"]));
    assert_eq!(row_counts(&target_db.url).await, summary_counts(&imported));
    assert_eq!(imported["tables"]["users"], 2, "{imported}");
    drop(server);
}
