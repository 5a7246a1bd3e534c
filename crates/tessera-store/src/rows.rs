//! Row shapes as the database holds them, and their conversion into domain types.

use tessera_core::store::StoreError;
use tessera_core::{User, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// `SELECT` list for [`UserRow`], as a macro so queries stay `&'static str` (sqlx 0.9 refuses
/// dynamically built SQL without an audit marker).
macro_rules! select_user {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, username, email, email_verified, pending_email, first_name, last_name, is_active, is_staff, \
             is_superuser, awaiting_activation, password_hash, date_joined, last_login, attributes FROM users ",
            $($rest),*
        )
    };
}
pub(crate) use select_user;

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    username: String,
    email: Option<String>,
    email_verified: bool,
    pending_email: Option<String>,
    first_name: String,
    last_name: String,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
    awaiting_activation: bool,
    password_hash: Option<String>,
    date_joined: i64,
    last_login: Option<i64>,
    attributes: String,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        let attributes = serde_json::from_str(&row.attributes)
            .map_err(|e| StoreError::Other(format!("user {} has unreadable attributes: {e}", row.id)))?;
        Ok(User {
            id: user_id(&row.id)?,
            username: row.username,
            email: row.email,
            email_verified: row.email_verified,
            pending_email: row.pending_email,
            first_name: row.first_name,
            last_name: row.last_name,
            is_active: row.is_active,
            is_staff: row.is_staff,
            is_superuser: row.is_superuser,
            awaiting_activation: row.awaiting_activation,
            password_hash: row.password_hash,
            date_joined: from_unix(row.date_joined)?,
            last_login: row.last_login.map(from_unix).transpose()?,
            attributes,
        })
    }
}

pub(crate) fn user_id(text: &str) -> Result<UserId, StoreError> {
    Uuid::parse_str(text)
        .map(UserId)
        .map_err(|_| StoreError::Other(format!("stored user id {text:?} is not a UUID")))
}

pub(crate) fn from_unix(seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| StoreError::Other(format!("stored time {seconds} is out of range")))
}

pub(crate) fn to_unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

pub(crate) fn rows_into_users(rows: Vec<UserRow>) -> Result<Vec<User>, StoreError> {
    rows.into_iter().map(User::try_from).collect()
}
