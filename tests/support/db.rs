//! Fresh databases for tests: a SQLite file in a temp folder, or a new PostgreSQL database on
//! the server named by TESSERA_TEST_POSTGRES_URL (created per test, so tests never share state).
//!
//! Which one a server test gets is [`test_db`]'s choice: TESSERA_TEST_BACKEND=postgres makes
//! it PostgreSQL, anything else (or nothing) SQLite. Store tests that must prove both backends
//! use [`each_backend`] instead, whatever TESSERA_TEST_BACKEND says.

use std::sync::Arc;

use sqlx::Connection;
use tessera_store::SqlStore;

/// A database URL plus whatever keeps it alive (the temp folder for SQLite).
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn fresh_sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
    TestDb { url, _dir: Some(dir) }
}

/// `None` (after printing why) when TESSERA_TEST_POSTGRES_URL is not set.
pub async fn fresh_postgres(test: &str) -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("TESSERA_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED {test} on PostgreSQL: TESSERA_TEST_POSTGRES_URL is not set (.ci/run sets it)");
        return None;
    };
    Some(new_postgres_database(&admin_url).await)
}

async fn new_postgres_database(admin_url: &str) -> TestDb {
    let name = format!("tessera_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .expect("connect to TESSERA_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(admin_url).expect("TESSERA_TEST_POSTGRES_URL is a URL");
    url.set_path(&format!("/{name}"));
    TestDb {
        url: url.to_string(),
        _dir: None,
    }
}

/// The backend TESSERA_TEST_BACKEND asks server tests to run on: "sqlite" (the default) or
/// "postgres". Panics on any other value, so a typo never silently means SQLite.
pub fn chosen_backend() -> &'static str {
    match std::env::var("TESSERA_TEST_BACKEND").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => "sqlite",
        Ok("postgres") => "postgres",
        Ok(other) => panic!("TESSERA_TEST_BACKEND={other:?}: expected \"sqlite\" or \"postgres\""),
    }
}

/// A fresh database for `test` on the backend TESSERA_TEST_BACKEND chooses (see
/// [`chosen_backend`]). With TESSERA_TEST_BACKEND=postgres, TESSERA_TEST_POSTGRES_URL must
/// be set: the test panics rather than quietly falling back to SQLite.
pub async fn test_db(test: &str) -> TestDb {
    match chosen_backend() {
        "postgres" => {
            let Ok(admin_url) = std::env::var("TESSERA_TEST_POSTGRES_URL") else {
                panic!(
                    "{test}: TESSERA_TEST_BACKEND=postgres needs TESSERA_TEST_POSTGRES_URL \
                     (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
                );
            };
            new_postgres_database(&admin_url).await
        }
        _ => fresh_sqlite(),
    }
}

/// Every backend available here: SQLite always, PostgreSQL when configured.
pub async fn each_backend(test: &str) -> Vec<(&'static str, TestDb)> {
    let mut dbs = vec![("sqlite", fresh_sqlite())];
    if let Some(pg) = fresh_postgres(test).await {
        dbs.push(("postgres", pg));
    }
    dbs
}

pub async fn open(db: &TestDb) -> Arc<SqlStore> {
    let store = SqlStore::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    Arc::new(store)
}

impl TestDb {
    /// A URL the test does not own (e.g. one that points nowhere).
    pub fn external(url: String) -> Self {
        Self { url, _dir: None }
    }
}

/// A value bound to a `$n` placeholder of [`execute`].
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(text)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

impl From<bool> for Arg<'_> {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match *arg {
                Arg::Text(text) => query.bind(text),
                Arg::Int(n) => query.bind(n),
                Arg::Bool(b) => query.bind(b),
            };
        }
        query
    }};
}

/// Runs one SQL statement straight on the test database at `url`, whichever backend it is
/// (as an admin or an older Tessera would, behind the store's back); returns the rows it
/// changed. The SQL uses `$1`-style placeholders, which both backends accept. sqlx's `Any`
/// driver cannot be used here, so this picks SqliteConnection or PgConnection by the scheme.
pub async fn execute(url: &str, sql: &str, args: &[Arg<'_>]) -> u64 {
    let result = if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect to SQLite");
        bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
            .execute(&mut conn)
            .await
            .map(|r| r.rows_affected())
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to PostgreSQL");
        bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
            .execute(&mut conn)
            .await
            .map(|r| r.rows_affected())
    } else {
        panic!("execute: {url} is neither a SQLite nor a PostgreSQL URL");
    };
    result.unwrap_or_else(|e| panic!("{sql}: {e}"))
}
