use async_trait::async_trait;
use tessera_core::jobs::Effects;
use tessera_core::store::{ImportFailure, ImportSummary, ImportedAccount, StoreError, StoreResult, UserStore};
use tessera_core::username::{fold_for_lookup, skeleton_of};
use tessera_core::{Email, NewUser, ProfileUpdate, User, UserId};
use time::OffsetDateTime;

use crate::jobs::commit_with_effects;
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
     date_joined, last_login, attributes, username_skeleton, awaiting_activation) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

/// Import updates everything but the id, so a re-run converges on the dump's content.
/// `$1 = $1` and `$16 = $16` only keep the id and skeleton parameters referenced, so both
/// statements share one bind list. The skeleton is a function of `username_folded`, which
/// the update matches on, so it never changes here.
const UPDATE_IMPORTED_USER: &str = "UPDATE users SET username = $2, email = $4, email_folded = $5, \
     email_verified = $6, first_name = $7, last_name = $8, is_active = $9, is_staff = $10, \
     is_superuser = $11, password_hash = $12, date_joined = $13, last_login = $14, attributes = $15 \
     WHERE username_folded = $3 AND $1 = $1 AND $16 = $16 AND $17 = $17";

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
            .bind($new.username.skeleton())
            .bind($new.awaiting_activation)
    };
}
pub(crate) use bind_new_user;

/// Inserts an account inside `$tx`. Logins accept a username or an email, so one account's
/// username must never equal another's email (usernames may contain `@`). An address another
/// account merely claims (unconfirmed) does not block the new account; one it proved does.
macro_rules! insert_user {
    ($tx:expr, $new:expr) => {{
        // A username that looks like a taken one (the same TR39 skeleton, e.g. Cyrillic
        // `аdmin` next to `admin`) is taken; the unique index on `username_skeleton` backs this
        // check up against a concurrent insert.
        let look_alike: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE username_skeleton = $1 LIMIT 1")
            .bind($new.username.skeleton())
            .fetch_optional(&mut *$tx)
            .await
            .map_err($crate::map_sqlx)?;
        if look_alike.is_some() {
            return Err(tessera_core::store::StoreError::Conflict { field: "username" });
        }
        let email = $crate::users::folded_email($new);
        let username_is_an_email: Option<(String,)> =
            sqlx::query_as("SELECT id FROM users WHERE email_folded = $1 LIMIT 1")
                .bind($new.username.folded())
                .fetch_optional(&mut *$tx)
                .await
                .map_err($crate::map_sqlx)?;
        if username_is_an_email.is_some() {
            return Err(tessera_core::store::StoreError::Conflict { field: "username" });
        }
        let email_is_taken: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM users WHERE username_folded = $1 OR (email_folded = $1 AND email_verified) LIMIT 1",
        )
        .bind(email.as_deref())
        .fetch_optional(&mut *$tx)
        .await
        .map_err($crate::map_sqlx)?;
        if email_is_taken.is_some() {
            return Err(tessera_core::store::StoreError::Conflict { field: "email" });
        }
        bind_new_user!(sqlx::query($crate::users::INSERT_USER), $new)
            .execute(&mut *$tx)
            .await
            .map_err($crate::map_sqlx)?;
        if let (true, Some(email)) = ($new.email_verified, &email) {
            $crate::users::release_claims!($tx, $new.id.to_string(), email);
        }
    }};
}
pub(crate) use insert_user;

/// Once an account has proven `$folded`, other accounts' unproven claims on it end, inside
/// `$tx`: links mailed to it for them stop working and their pending changes to it are
/// dropped, so the address can only ever be proven for one account.
macro_rules! release_claims {
    ($tx:expr, $owner:expr, $folded:expr) => {{
        for sql in [
            "DELETE FROM email_tokens WHERE user_id <> $1 AND purpose IN ('confirm_email', 'reset_password') \
             AND user_id IN (SELECT id FROM users WHERE email_folded = $2)",
            "DELETE FROM email_tokens WHERE user_id <> $1 AND purpose = 'confirm_email_change' \
             AND user_id IN (SELECT id FROM users WHERE pending_email_folded = $2)",
            "UPDATE users SET pending_email = NULL, pending_email_folded = NULL WHERE id <> $1 AND pending_email_folded = $2",
        ] {
            sqlx::query(sql).bind(&$owner).bind($folded).execute(&mut *$tx).await.map_err($crate::map_sqlx)?;
        }
    }};
}
pub(crate) use release_claims;

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user_with(&self, new: &NewUser, effects: &Effects) -> StoreResult<User> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            insert_user!(tx, new);
            commit_with_effects!(tx, effects)?;
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
            sqlx::query_as(sql).bind(fold_for_lookup(username)).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(User::try_from).transpose()
    }

    async fn user_by_login(&self, username_or_email: &str) -> StoreResult<Option<User>> {
        // Usernames are stored NFKC-normalised; addresses as typed (lower-cased), so each is
        // looked up by its own folding.
        let sql = select_user!(
            "WHERE username_folded = $1 OR email_folded = $2 "
            "ORDER BY CASE WHEN username_folded = $1 THEN 0 WHEN email_verified THEN 1 ELSE 2 END, date_joined DESC, id LIMIT 1"
        );
        let as_email = username_or_email.trim().to_lowercase();
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(fold_for_lookup(username_or_email)).bind(as_email).fetch_optional(pool).await.map_err(map_sqlx)?
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
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let changed = sqlx::query("UPDATE users SET first_name = $2, last_name = $3 WHERE id = $1")
                .bind(id.to_string()).bind(&update.first_name).bind(&update.last_name)
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound("user"));
            }
            commit_with_effects!(tx, effects)?;
        });
        self.user_by_id(id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn request_email_change(&self, id: UserId, email: &Email, effects: &Effects) -> StoreResult<User> {
        let folded = email.as_str().to_lowercase();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let taken: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM users WHERE id <> $2 AND (username_folded = $1 OR (email_folded = $1 AND email_verified)) LIMIT 1",
            )
            .bind(&folded).bind(id.to_string()).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            if taken.is_some() {
                return Err(StoreError::Conflict { field: "email" });
            }
            let changed = sqlx::query("UPDATE users SET pending_email = $2, pending_email_folded = $3 WHERE id = $1")
                .bind(id.to_string()).bind(email.as_str()).bind(&folded)
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound("user"));
            }
            // A link for an earlier request must not confirm this one.
            sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = 'confirm_email_change'")
                .bind(id.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?;
            commit_with_effects!(tx, effects)?;
        });
        self.user_by_id(id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn cancel_email_change(&self, id: UserId) -> StoreResult<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let cancelled = sqlx::query(
                "UPDATE users SET pending_email = NULL, pending_email_folded = NULL WHERE id = $1 AND pending_email IS NOT NULL",
            )
            .bind(id.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected() > 0;
            sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = 'confirm_email_change'")
                .bind(id.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?;
            tx.commit().await.map_err(map_sqlx)?;
            Ok(cancelled)
        })
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
            commit_with_effects!(tx, effects)
        })
    }

    async fn set_active_with(&self, id: UserId, active: bool, effects: &Effects) -> StoreResult<User> {
        let text_id = id.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let changed = sqlx::query("UPDATE users SET is_active = $2, awaiting_activation = FALSE WHERE id = $1")
                .bind(&text_id).bind(active).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound("user"));
            }
            if !active {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(&text_id).execute(&mut *tx).await.map_err(map_sqlx)?;
                crate::oidc::revoke_tokens_of_user!(tx, &text_id);
            }
            commit_with_effects!(tx, effects)?;
        });
        self.user_by_id(id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn set_flags_with(&self, id: UserId, staff: bool, superuser: bool, effects: &Effects) -> StoreResult<User> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let changed = sqlx::query("UPDATE users SET is_staff = $2, is_superuser = $3 WHERE id = $1")
                .bind(id.to_string()).bind(staff || superuser).bind(superuser)
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound("user"));
            }
            commit_with_effects!(tx, effects)?;
        });
        self.user_by_id(id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn delete_user_with(&self, id: UserId, effects: &Effects) -> StoreResult<()> {
        let text_id = id.to_string();
        let throttle_pairs = tessera_core::store::pair_key(&text_id, "");
        // serde_json writes `"user_id":"…"` without spaces, and the id is a fixed-form UUID,
        // so this matches exactly the jobs about this account.
        let in_payload = format!("%\"user_id\":\"{text_id}\"%");
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            // Rows without a foreign key to users go first; the rest cascade with the account.
            for sql in [
                "DELETE FROM contacts WHERE (provider, subject) IN (SELECT provider, subject FROM identities WHERE user_id = $1)",
                "DELETE FROM access_tokens WHERE user_id = $1",
                "DELETE FROM upstream_logins WHERE user_id = $1",
            ] {
                sqlx::query(sql).bind(&text_id).execute(&mut *tx).await.map_err(map_sqlx)?;
            }
            sqlx::query("DELETE FROM throttles WHERE subject = $1 OR substr(subject, 1, length($2)) = $2")
                .bind(&text_id).bind(&throttle_pairs).execute(&mut *tx).await.map_err(map_sqlx)?;
            // Mail to the person not sent yet (its payload may hold their address). A post on
            // their behalf cancels itself once the identity is gone; webhooks and back-channel
            // logouts, which tell others about the account, still go.
            sqlx::query("DELETE FROM jobs WHERE state = 'queued' AND kind LIKE 'mail.%' AND payload LIKE $1")
                .bind(&in_payload).execute(&mut *tx).await.map_err(map_sqlx)?;
            let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(&text_id).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if deleted == 0 {
                return Err(StoreError::NotFound("user"));
            }
            commit_with_effects!(tx, effects)
        })
    }

    async fn revoke_tokens_with(&self, id: UserId, effects: &Effects) -> StoreResult<()> {
        let text_id = id.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            crate::oidc::revoke_tokens_of_user!(tx, &text_id);
            commit_with_effects!(tx, effects)
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
                // The same rules as create_user, for other accounts: no look-alike username…
                let look_alike: Option<(String,)> = sqlx::query_as(
                    "SELECT id FROM users WHERE username_skeleton = $1 AND username_folded <> $2 LIMIT 1",
                )
                .bind(new.username.skeleton()).bind(new.username.folded()).fetch_optional(&mut *tx).await.map_err(at)?;
                if look_alike.is_some() {
                    return Err(ImportFailure { index: Some(index), error: StoreError::Conflict { field: "username" } });
                }
                // …and no username that is another account's email, or the reverse.
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

/// Migration 0007 added `username_skeleton`, which SQL cannot compute (TR39 needs the
/// confusables table), so [`SqlStore::migrate`] fills it here for every row without one: rows
/// from before 0007, or written by an older binary during a rolling upgrade. Idempotent.
///
/// Two existing accounts may already look alike. The older one gets the skeleton, so new
/// look-alikes of both are still refused; the younger keeps NULL (both accounts keep
/// working) and is reported, so an admin can decide whether one is an impersonation.
pub(crate) async fn backfill_username_skeletons(store: &SqlStore) -> StoreResult<()> {
    on_pool!(store, pool => {
        let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
        let missing: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, username_folded FROM users WHERE username_skeleton IS NULL ORDER BY date_joined, id",
        )
        .fetch_all(&mut *tx).await.map_err(map_sqlx)?;
        for (id, folded) in missing {
            let filled = sqlx::query(
                "UPDATE users SET username_skeleton = $2 WHERE id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM users WHERE username_skeleton = $2)",
            )
            .bind(&id).bind(skeleton_of(&folded))
            .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if filled == 0 {
                tracing::warn!(user = %id, "this account's username looks like an older account's (same TR39 skeleton); both keep working, new look-alikes are refused");
            }
        }
        tx.commit().await.map_err(map_sqlx)
    })
}
