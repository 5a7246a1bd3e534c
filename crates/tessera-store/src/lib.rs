//! SQLite and PostgreSQL behind the store traits of `tessera-core`.
//!
//! The SQL is written once: both backends accept `$n` placeholders, `ON CONFLICT`,
//! `RETURNING` and the same column types (times are Unix seconds, ids are text), and the
//! [`on_pool!`] macro expands each query for whichever pool is configured. The one
//! conformance suite in `tests/` runs against both.

mod audit;
mod backup;
mod email_tokens;
mod error;
mod factors;
mod group_commit;
mod groups;
mod identities;
mod jobs;
mod oidc;
pub mod reseal;
mod rows;
mod schema;
mod sessions;
mod throttle;
pub mod transfer;
mod users;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tessera_core::store::{Health, PoolStatus, StoreError, StoreResult};

pub use error::map_sqlx;
pub use schema::{Migration, SchemaStatus};

/// Runs `$body` with `$pool` bound to the configured pool, whichever backend it is.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Write transactions. On SQLite they start with `BEGIN IMMEDIATE`, taking the write lock up
/// front: a deferred transaction that reads first cannot upgrade once another writer has
/// committed and fails at once with SQLITE_BUSY_SNAPSHOT instead of waiting for the busy timeout.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a URL points at, decided once from its scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

pub struct SqlStore {
    pool: Pool,
    /// Writes access-token records in batches (group commit).
    access_tokens: group_commit::AccessTokenWriter,
    /// SQLite's one writer at a time, queued here in arrival order for the busiest write
    /// transactions (token issuance and rotation, the access-token batches) instead of in
    /// SQLite's busy handler, which sleeps 1 ms, 2 ms, … up to 100 ms between tries: under
    /// load that sleeping, not the writes, was what a refresh waited for (docs/benchmarks.md).
    sqlite_writes: Arc<tokio::sync::Mutex<()>>,
}

/// How long a request waits for a SQLite connection before the store reports itself
/// unavailable. A local file is never "away": a wait is contention (as the busy timeout's).
const SQLITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The same for PostgreSQL, which lives across a network and can be gone: while it refuses
/// connections the driver keeps retrying until this passes, so every request would hang for
/// it. Three quarters of a second keeps an outage a 503 within a second (a load balancer's
/// retry elsewhere, a client's retry later), and is far more than a healthy pool of 16 ever
/// makes a request wait.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(750);

impl SqlStore {
    /// Connects (creating a SQLite file and its folder when missing) without migrating.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = match Backend::of_url(url) {
            Some(Backend::Sqlite) => Pool::Sqlite(connect_sqlite(url).await?),
            Some(Backend::Postgres) => Pool::Postgres(connect_postgres(url).await?),
            None => {
                return Err(StoreError::Other(
                    "database.url must start with sqlite:// or postgres://".into(),
                ));
            }
        };
        let sqlite_writes = Arc::new(tokio::sync::Mutex::new(()));
        let access_tokens = group_commit::AccessTokenWriter::start(pool.clone(), sqlite_writes.clone());
        Ok(Self {
            pool,
            access_tokens,
            sqlite_writes,
        })
    }

    /// The turn to write on SQLite (see `sqlite_writes`); PostgreSQL needs none.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.pool {
            Pool::Sqlite(_) => Some(self.sqlite_writes.lock().await),
            Pool::Postgres(_) => None,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

async fn connect_sqlite(url: &str) -> StoreResult<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Other(format!("database.url is not a valid SQLite URL: {e}")))?
        .create_if_missing(true)
        // WAL lets readers proceed while one writer commits; the busy timeout makes
        // concurrent writers queue instead of failing with SQLITE_BUSY.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(parent) = Path::new(options.get_filename()).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Unavailable(format!("cannot create the folder {}: {e}", parent.display())))?;
    }
    SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(SQLITE_ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(map_sqlx)
}

async fn connect_postgres(url: &str) -> StoreResult<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Other(format!("database.url is not a valid PostgreSQL URL: {e}")))?;
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(map_sqlx)
}

#[async_trait]
impl Health for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()).map_err(map_sqlx))
    }

    async fn schema_mismatch(&self) -> StoreResult<Option<String>> {
        Ok(self.schema_status().await?.mismatch())
    }

    fn pool_status(&self) -> PoolStatus {
        on_pool!(self, pool => PoolStatus {
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        })
    }
}
