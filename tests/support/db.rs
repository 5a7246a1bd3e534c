//! Fresh databases for tests: a SQLite file in a temp folder, or a new PostgreSQL database on
//! the server named by TESSERA_TEST_POSTGRES_URL (created per test, so tests never share state).

use std::sync::Arc;

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
    let name = format!("tessera_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::postgres::PgConnection::connect(&admin_url)
        .await
        .expect("connect to TESSERA_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("TESSERA_TEST_POSTGRES_URL is a URL");
    url.set_path(&format!("/{name}"));
    Some(TestDb {
        url: url.to_string(),
        _dir: None,
    })
}

use sqlx::Connection;

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
