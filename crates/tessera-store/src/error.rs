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
            } else if what.contains("passkeys") {
                "passkey"
            } else if what.contains("user_groups") || what.contains("group") {
                "group"
            } else {
                "value"
            };
            StoreError::Conflict { field }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
        sqlx::Error::Database(db)
            if is_connection_class(db.code().as_deref()) || is_sqlite_unavailable(db.code().as_deref()) =>
        {
            StoreError::Unavailable(error.to_string())
        }
        _ => StoreError::Other(error.to_string()),
    }
}

/// SQLite result codes (with their extended codes in the high bits) that mean the database
/// cannot be used right now rather than a bug: BUSY (5) after the busy timeout, READONLY (8,
/// a file or folder whose permissions changed), IOERR (10), FULL (13, the disk), CANTOPEN
/// (14, the file or its folder went away).
fn is_sqlite_unavailable(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 8 | 10 | 13 | 14))
}

/// PostgreSQL SQLSTATEs that mean "the database is not there for us now", not a bug: class
/// 08 (connection exception), 57P (operator intervention: shutdown, a terminated backend),
/// 53 (insufficient resources: too many connections, disk full), 3D000 (the database was
/// dropped) and 28 (the role was dropped or its password changed).
fn is_connection_class(code: Option<&str>) -> bool {
    code.is_some_and(|c| {
        ["08", "57P", "53", "3D000", "28"]
            .iter()
            .any(|class| c.starts_with(class))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_database_or_role_is_unavailable_and_a_syntax_error_is_not() {
        for code in ["08006", "57P01", "53300", "3D000", "28P01", "28000"] {
            assert!(is_connection_class(Some(code)), "{code}");
        }
        for code in ["42601", "23505", "42P01"] {
            assert!(!is_connection_class(Some(code)), "{code}");
        }
        for code in ["5", "517", "8", "10", "266", "13", "14"] {
            assert!(is_sqlite_unavailable(Some(code)), "{code}");
        }
        for code in ["1", "19", "2067", "11"] {
            assert!(!is_sqlite_unavailable(Some(code)), "{code}");
        }
    }
}
