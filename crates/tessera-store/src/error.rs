//! sqlx errors become the store's own: a unique violation names the field, connection
//! trouble is "unavailable" (the web layer answers 503), everything else is internal.

use sqlx::error::ErrorKind;
use tessera_core::store::StoreError;

pub fn map_sqlx(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.kind() == ErrorKind::UniqueViolation => {
            // PostgreSQL names the index; SQLite names the columns in the message.
            let what = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            let field = if what.contains("username") {
                "username"
            } else if what.contains("email") {
                "email"
            } else if what.contains("user_groups") || what.contains("group") {
                "group"
            } else {
                "value"
            };
            StoreError::Conflict { field }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
        sqlx::Error::Database(db)
            if is_connection_class(db.code().as_deref()) || is_sqlite_busy(db.code().as_deref()) =>
        {
            StoreError::Unavailable(error.to_string())
        }
        _ => StoreError::Other(error.to_string()),
    }
}

/// SQLITE_BUSY (5) and its extended codes (e.g. 517) after the busy timeout: contention, not a bug.
fn is_sqlite_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 5)
}

/// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention,
/// e.g. the server shutting down) mean "try again later", not a bug.
fn is_connection_class(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.starts_with("08") || c.starts_with("57P"))
}
