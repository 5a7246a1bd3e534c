//! `tessera backup`: an online copy of a SQLite database (PostgreSQL has pg_dump).

use std::path::Path;

use tessera_core::store::{StoreError, StoreResult};

use crate::{Pool, SqlStore, map_sqlx};

impl SqlStore {
    /// SQLite: writes a consistent copy of the whole database (schema, migrations table and
    /// every row, as of one snapshot) to `file` with `VACUUM INTO`, while other connections
    /// keep reading and writing. `file` must not exist or be empty (SQLite refuses anything
    /// else). PostgreSQL has no such statement: back it up with `pg_dump`.
    pub async fn vacuum_into(&self, file: &Path) -> StoreResult<()> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(StoreError::Other(
                "VACUUM INTO is SQLite's; back PostgreSQL up with pg_dump".to_owned(),
            ));
        };
        let name = file
            .to_str()
            .ok_or_else(|| StoreError::Other(format!("{} is not a UTF-8 path", file.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(name)
            .execute(pool)
            .await
            .map(|_| ())
            .map_err(map_sqlx)
    }
}
