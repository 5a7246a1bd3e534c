use async_trait::async_trait;
use tessera_core::jobs::Effects;
use tessera_core::store::{ImportFailure, ImportSummary, ImportedAccount, StoreError, StoreResult, UserStore};
use tessera_core::{NewUser, ProfileUpdate, User, UserId};
use time::OffsetDateTime;

use crate::jobs::write_effects;
use crate::rows::{UserRow, rows_into_users, select_user, to_unix};
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

pub(crate) fn folded_email(new: &NewUser) -> Option<String> {
    new.email.as_ref().map(|e| e.as_str().to_lowercase())
}

pub(crate) fn attributes_json(new: &NewUser) -> String {
    serde_json::Value::Object(new.attributes.clone()).to_string()
}

pub(crate) const INSERT_USER: &str = "INSERT INTO users (id, username, username_folded, email, email_folded, \
     email_verified, first_name, last_name, is_active, is_staff, is_superuser, password_hash, \
     date_joined, last_login, attributes) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

/// Import updates everything but the id, so a re-run converges on the dump's content.
/// `$1 = $1` only keeps the id parameter referenced, so both statements share one bind list.
const UPDATE_IMPORTED_USER: &str = "UPDATE users SET username = $2, email = $4, email_folded = $5, \
     email_verified = $6, first_name = $7, last_name = $8, is_active = $9, is_staff = $10, \
     is_superuser = $11, password_hash = $12, date_joined = $13, last_login = $14, attributes = $15 \
     WHERE username_folded = $3 AND $1 = $1";

macro_rules! bind_new_user {
    ($query:expr, $new:expr) => {
        $query
            .bind($new.id.to_string())
            .bind($new.username.as_str())
            .bind($new.username.folded())
            .bind($new.email.as_ref().map(|e| e.as_str().to_owned()))
            .bind($crate::users::folded_email($new))
            .bind($new.email_verified)
            .bind(&$new.first_name)
            .bind(&$new.last_name)
            .bind($new.is_active)
            .bind($new.is_staff)
            .bind($new.is_superuser)
            .bind($new.password_hash.as_deref())
            .bind(to_unix($new.date_joined))
            .bind($new.last_login.map(to_unix))
            .bind($crate::users::attributes_json($new))
    };
}
pub(crate) use bind_new_user;

/// Inserts an account inside `$tx`. Logins accept a username or an email, so one account's
/// username must never equal another's email (usernames may contain `@`).
macro_rules! insert_user {
    ($tx:expr, $new:expr) => {{
        let clash: Option<(String,)> =
            sqlx::query_as("SELECT id FROM users WHERE email_folded = $1 OR username_folded = $2 LIMIT 1")
                .bind($new.username.folded())
                .bind($crate::users::folded_email($new))
                .fetch_optional(&mut *$tx)
                .await
                .map_err($crate::map_sqlx)?;
        if clash.is_some() {
            let field = if $new.username.as_str().contains('@') {
                "username"
            } else {
                "email"
            };
            return Err(tessera_core::store::StoreError::Conflict { field });
        }
        bind_new_user!(sqlx::query($crate::users::INSERT_USER), $new)
            .execute(&mut *$tx)
            .await
            .map_err($crate::map_sqlx)?;
    }};
}
pub(crate) use insert_user;

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user_with(&self, new: &NewUser, effects: &Effects) -> StoreResult<User> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            insert_user!(tx, new);
            write_effects!(tx, effects);
            tx.commit().await.map_err(map_sqlx)?;
        });
        self.user_by_id(new.id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>> {
        let sql = select_user!("WHERE id = $1");
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(id.to_string()).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(User::try_from).transpose()
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let sql = select_user!("WHERE username_folded = $1");
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(username.trim().to_lowercase()).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(User::try_from).transpose()
    }

    async fn user_by_login(&self, username_or_email: &str) -> StoreResult<Option<User>> {
        let sql = select_user!(
            "WHERE username_folded = $1 OR email_folded = $1 "
            "ORDER BY CASE WHEN username_folded = $1 THEN 0 ELSE 1 END LIMIT 1"
        );
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(username_or_email.trim().to_lowercase()).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(User::try_from).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let sql = select_user!("ORDER BY username_folded");
        let rows: Vec<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(sql).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows_into_users(rows)
    }

    async fn update_profile_with(&self, id: UserId, update: &ProfileUpdate, effects: &Effects) -> StoreResult<User> {
        let email = update.email.as_ref().map(|e| e.as_str().to_owned());
        let folded = email.as_ref().map(|e| e.to_lowercase());
        // A changed address is unproven until its confirmation link is used.
        let sql = "UPDATE users SET first_name = $2, last_name = $3, \
                   email_verified = CASE WHEN email_folded IS NOT DISTINCT FROM $5 THEN email_verified ELSE FALSE END, \
                   email = $4, email_folded = $5 WHERE id = $1";
        let changed = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let previous: Option<(Option<String>,)> = sqlx::query_as("SELECT email_folded FROM users WHERE id = $1")
                .bind(id.to_string()).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            let Some((previous,)) = previous else { return Err(StoreError::NotFound("user")) };
            let clash: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE username_folded = $1 AND id <> $2")
                .bind(folded.as_deref()).bind(id.to_string()).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            if clash.is_some() {
                return Err(StoreError::Conflict { field: "email" });
            }
            let changed = sqlx::query(sql)
                .bind(id.to_string())
                .bind(&update.first_name)
                .bind(&update.last_name)
                .bind(email.as_deref())
                .bind(folded.as_deref())
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if previous != folded {
                // A reset link mailed to the old address must not outlive the change.
                sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = 'reset_password'")
                    .bind(id.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?;
            }
            write_effects!(tx, effects);
            tx.commit().await.map_err(map_sqlx)?;
            changed
        });
        if changed == 0 {
            return Err(StoreError::NotFound("user"));
        }
        self.user_by_id(id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn set_password_with(
        &self,
        id: UserId,
        hash: &str,
        keep_session: Option<&str>,
        effects: &Effects,
    ) -> StoreResult<()> {
        let id = id.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let changed = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(&id).bind(hash).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound("user"));
            }
            sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = 'reset_password'")
                .bind(&id).execute(&mut *tx).await.map_err(map_sqlx)?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest IS DISTINCT FROM $2")
                .bind(&id).bind(keep_session).execute(&mut *tx).await.map_err(map_sqlx)?;
            crate::oidc::revoke_tokens_of_user!(tx, &id);
            write_effects!(tx, effects);
            tx.commit().await.map_err(map_sqlx)
        })
    }

    async fn upgrade_password_hash(&self, id: UserId, old_hash: &str, new_hash: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
                .bind(id.to_string()).bind(old_hash).bind(new_hash)
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn record_login(&self, id: UserId, at: OffsetDateTime) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE users SET last_login = $2 WHERE id = $1")
                .bind(id.to_string()).bind(to_unix(at))
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn import_users(&self, accounts: &[ImportedAccount]) -> Result<ImportSummary, ImportFailure> {
        let mut summary = ImportSummary::default();
        let now = OffsetDateTime::now_utc().unix_timestamp();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(|e| ImportFailure::whole(map_sqlx(e)))?;
            for (index, account) in accounts.iter().enumerate() {
                let new = &account.user;
                let at = |e| ImportFailure { index: Some(index), error: map_sqlx(e) };
                // The same username/email cross rule as create_user, for other accounts.
                let clash: Option<(String,)> = sqlx::query_as(
                    "SELECT id FROM users WHERE (email_folded = $1 OR username_folded = $2) AND username_folded <> $1 LIMIT 1",
                )
                .bind(new.username.folded()).bind(folded_email(new)).fetch_optional(&mut *tx).await.map_err(at)?;
                if clash.is_some() {
                    let field = if new.username.as_str().contains('@') { "username" } else { "email" };
                    return Err(ImportFailure { index: Some(index), error: StoreError::Conflict { field } });
                }
                let updated = bind_new_user!(sqlx::query(UPDATE_IMPORTED_USER), new)
                    .execute(&mut *tx).await.map_err(at)?.rows_affected();
                if updated == 0 {
                    bind_new_user!(sqlx::query(INSERT_USER), new).execute(&mut *tx).await.map_err(at)?;
                    summary.created += 1;
                } else {
                    summary.updated += 1;
                }
                for group in &account.groups {
                    sqlx::query("INSERT INTO user_groups (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(group).bind(now).execute(&mut *tx).await.map_err(at)?;
                    sqlx::query(
                        "INSERT INTO group_members (group_name, user_id) \
                         SELECT $1, id FROM users WHERE username_folded = $2 ON CONFLICT DO NOTHING",
                    )
                    .bind(group).bind(new.username.folded()).execute(&mut *tx).await.map_err(at)?;
                }
            }
            tx.commit().await.map_err(|e| ImportFailure::whole(map_sqlx(e)))?;
        });
        Ok(summary)
    }
}
