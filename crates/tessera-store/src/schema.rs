//! Which migrations this binary carries against which the database has applied, so that only
//! `tessera migrate` changes the schema and everything else refuses a schema it was not
//! built for (older: tables it needs are missing; newer: a later release changed them).

use sqlx::migrate::Migrator;
use tessera_core::store::{StoreError, StoreResult};

use crate::{Pool, SqlStore, map_sqlx};

static SQLITE: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("../../migrations/postgres");

/// One migration this binary carries.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Migration {
    pub version: i64,
    pub description: String,
    /// Applied in the database.
    pub applied: bool,
    /// Applied, but from a file that differs from this binary's (edited after release).
    pub changed: bool,
}

/// The schema as this binary sees it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SchemaStatus {
    pub migrations: Vec<Migration>,
    /// Versions the database has that this binary does not know: a newer release migrated it.
    pub unknown: Vec<i64>,
}

impl SchemaStatus {
    pub fn pending(&self) -> impl Iterator<Item = &Migration> {
        self.migrations.iter().filter(|m| !m.applied)
    }

    /// What is wrong, in an admin's words with what to run; `None` when the schema is the
    /// one this binary was built for.
    pub fn mismatch(&self) -> Option<String> {
        let name = |m: &Migration| format!("{:04} ({})", m.version, m.description);
        if let Some(&newest) = self.unknown.iter().max() {
            return Some(format!(
                "the database schema is newer than this tessera: it has migration {newest:04}, which this \
                 release does not know; run the release that applied it, or restore the backup taken before \
                 the upgrade (see docs/operations.md, Upgrades and rollback)"
            ));
        }
        if let Some(changed) = self.migrations.iter().find(|m| m.changed) {
            return Some(format!(
                "migration {} in the database differs from this release's copy; the schema was made by \
                 another build — restore a backup or run the build that made it",
                name(changed)
            ));
        }
        let pending: Vec<String> = self.pending().map(name).collect();
        (!pending.is_empty()).then(|| {
            format!(
                "the database schema is older than this tessera: migration {} {} not applied; run \
                 `tessera migrate` (or `tessera serve --migrate`) first",
                pending.join(", "),
                if pending.len() == 1 { "is" } else { "are" }
            )
        })
    }
}

impl SqlStore {
    fn migrator(&self) -> &'static Migrator {
        match self.pool {
            Pool::Sqlite(_) => &SQLITE,
            Pool::Postgres(_) => &POSTGRES,
        }
    }

    /// The schema version this binary was built for: its last migration (an export's header
    /// carries it, and an import needs the same).
    pub fn schema_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Applies every pending migration of this backend (embedded at build time), then fills
    /// the columns only Rust can compute (username skeletons, migration 0007).
    pub async fn migrate(&self) -> StoreResult<()> {
        let result = match &self.pool {
            Pool::Sqlite(pool) => SQLITE.run(pool).await,
            Pool::Postgres(pool) => POSTGRES.run(pool).await,
        };
        result.map_err(|e| StoreError::Other(format!("migration failed: {e}")))?;
        crate::users::backfill_username_skeletons(self).await
    }

    /// The migrations this binary carries, which are applied, and any the database has that
    /// it does not know. Reads only; a database never migrated has none applied.
    pub async fn schema_status(&self) -> StoreResult<SchemaStatus> {
        let applied = self.applied_migrations().await?;
        let migrations: Vec<Migration> = self
            .migrator()
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| {
                let found = applied.iter().find(|(version, _)| *version == m.version);
                Migration {
                    version: m.version,
                    description: m.description.to_string(),
                    applied: found.is_some(),
                    changed: found.is_some_and(|(_, checksum)| checksum.as_slice() != &*m.checksum),
                }
            })
            .collect();
        let unknown = applied
            .iter()
            .map(|(version, _)| *version)
            .filter(|v| !migrations.iter().any(|m| m.version == *v))
            .collect();
        Ok(SchemaStatus { migrations, unknown })
    }

    /// (version, checksum) of every successful migration, from sqlx's own table.
    async fn applied_migrations(&self) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        const APPLIED: &str = "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version";
        match &self.pool {
            Pool::Sqlite(pool) => {
                let exists: Option<(String,)> =
                    sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                        .fetch_optional(pool)
                        .await
                        .map_err(map_sqlx)?;
                if exists.is_none() {
                    return Ok(Vec::new());
                }
                sqlx::query_as(APPLIED).fetch_all(pool).await.map_err(map_sqlx)
            }
            Pool::Postgres(pool) => {
                let (exists,): (bool,) = sqlx::query_as("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                    .fetch_one(pool)
                    .await
                    .map_err(map_sqlx)?;
                if !exists {
                    return Ok(Vec::new());
                }
                sqlx::query_as(APPLIED).fetch_all(pool).await.map_err(map_sqlx)
            }
        }
    }
}
