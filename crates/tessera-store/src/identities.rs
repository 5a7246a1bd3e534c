use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tessera_core::identity::{IdentityStore, LinkedIdentity, LoginPurpose, UpstreamLogin};
use tessera_core::jobs::Effects;
use tessera_core::store::{StoreError, StoreResult, UserStore};
use tessera_core::{NewUser, User, UserId};
use time::OffsetDateTime;

use crate::jobs::commit_with_effects;
use crate::rows::{UserRow, from_unix, rows_into_users, select_user, to_unix, user_id};
use crate::users::{bind_new_user, insert_user};
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

type IdentityRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    String,
    Option<String>,
    i64,
    i64,
);
const IDENTITY_COLUMNS: &str =
    "provider, subject, user_id, username, email, email_verified, profile, tokens_sealed, linked_at, updated_at";

fn identity(r: IdentityRow) -> StoreResult<LinkedIdentity> {
    let (provider, subject, user, username, email, email_verified, profile, tokens, linked_at, updated_at) = r;
    Ok(LinkedIdentity {
        user_id: user_id(&user)?,
        profile: serde_json::from_str(&profile).map_err(|e| StoreError::Other(format!("identity profile: {e}")))?,
        tokens_sealed: tokens
            .map(|t| STANDARD.decode(t))
            .transpose()
            .map_err(|_| StoreError::Other("identity tokens are not base64".into()))?,
        provider,
        subject,
        username,
        email,
        email_verified,
        linked_at: from_unix(linked_at)?,
        updated_at: from_unix(updated_at)?,
    })
}

const INSERT_IDENTITY: &str = "INSERT INTO identities (provider, subject, user_id, username, email, email_verified, profile, tokens_sealed, linked_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

macro_rules! bind_identity {
    ($query:expr, $i:expr) => {
        $query
            .bind(&$i.provider)
            .bind(&$i.subject)
            .bind($i.user_id.to_string())
            .bind($i.username.as_deref())
            .bind($i.email.as_deref())
            .bind($i.email_verified)
            .bind($i.profile.to_string())
            .bind($i.tokens_sealed.as_ref().map(|t| STANDARD.encode(t)))
            .bind(to_unix($i.linked_at))
            .bind(to_unix($i.updated_at))
    };
}

fn conflict_as_identity(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { field: "value" } => StoreError::Conflict { field: "identity" },
        other => other,
    }
}

#[async_trait]
impl IdentityStore for SqlStore {
    async fn identity(&self, provider: &str, subject: &str) -> StoreResult<Option<LinkedIdentity>> {
        let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities WHERE provider = $1 AND subject = $2");
        let row: Option<IdentityRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(provider).bind(subject).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(identity).transpose()
    }

    async fn identities_of(&self, user: UserId) -> StoreResult<Vec<LinkedIdentity>> {
        let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities WHERE user_id = $1 ORDER BY provider, linked_at");
        let rows: Vec<IdentityRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user.to_string()).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows.into_iter().map(identity).collect()
    }

    async fn link_identity(&self, i: &LinkedIdentity, effects: &Effects) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            bind_identity!(sqlx::query(INSERT_IDENTITY), i).execute(&mut *tx).await.map_err(|e| conflict_as_identity(map_sqlx(e)))?;
            commit_with_effects!(tx, effects)
        })
    }

    async fn create_user_with_identity(
        &self,
        new: &NewUser,
        i: &LinkedIdentity,
        effects: &Effects,
    ) -> StoreResult<User> {
        // One transaction: the account never exists without the identity that created it.
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            insert_user!(tx, new);
            bind_identity!(sqlx::query(INSERT_IDENTITY), i).execute(&mut *tx).await.map_err(|e| conflict_as_identity(map_sqlx(e)))?;
            // The sign-in the account was made with: a later confirmation keeps it.
            sqlx::query("UPDATE identities SET founding = TRUE WHERE provider = $1 AND subject = $2")
                .bind(&i.provider).bind(&i.subject).execute(&mut *tx).await.map_err(map_sqlx)?;
            commit_with_effects!(tx, effects)?;
        });
        self.user_by_id(new.id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn update_identity(&self, i: &LinkedIdentity) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE identities SET username = $3, email = $4, email_verified = $5, profile = $6, tokens_sealed = $7, updated_at = $8 \
                 WHERE provider = $1 AND subject = $2",
            )
            .bind(&i.provider).bind(&i.subject).bind(i.username.as_deref()).bind(i.email.as_deref()).bind(i.email_verified)
            .bind(i.profile.to_string()).bind(i.tokens_sealed.as_ref().map(|t| STANDARD.encode(t))).bind(to_unix(i.updated_at))
            .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn fill_profile(&self, user: UserId, first_name: &str, last_name: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE users SET first_name = CASE WHEN first_name = '' THEN $2 ELSE first_name END, \
                 last_name = CASE WHEN last_name = '' THEN $3 ELSE last_name END WHERE id = $1",
            )
            .bind(user.to_string()).bind(first_name).bind(last_name)
            .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn fill_attributes(
        &self,
        user: UserId,
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<()> {
        if values.is_empty() {
            return Ok(());
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let row: Option<(String,)> = sqlx::query_as("SELECT attributes FROM users WHERE id = $1")
                .bind(user.to_string()).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            let Some((text,)) = row else { return Err(StoreError::NotFound("user")) };
            let mut attributes: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).map_err(|e| StoreError::Other(format!("user attributes: {e}")))?;
            for (k, v) in values {
                attributes.entry(k.clone()).or_insert_with(|| v.clone());
            }
            sqlx::query("UPDATE users SET attributes = $2 WHERE id = $1")
                .bind(user.to_string()).bind(serde_json::Value::Object(attributes).to_string())
                .execute(&mut *tx).await.map_err(map_sqlx)?;
            tx.commit().await.map_err(map_sqlx)
        })
    }

    async fn unlink_identity_with(
        &self,
        user: UserId,
        provider: &str,
        subject: &str,
        effects: &Effects,
    ) -> StoreResult<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let removed = sqlx::query("DELETE FROM identities WHERE user_id = $1 AND provider = $2 AND subject = $3")
                .bind(user.to_string()).bind(provider).bind(subject)
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected() > 0;
            if !removed {
                // Nothing happened, so nothing is recorded: the transaction is dropped.
                return Ok(false);
            }
            // The friends list came with the identity; it goes with it.
            sqlx::query("DELETE FROM contacts WHERE provider = $1 AND subject = $2")
                .bind(provider).bind(subject).execute(&mut *tx).await.map_err(map_sqlx)?;
            commit_with_effects!(tx, effects)?;
            Ok(true)
        })
    }

    async fn set_contacts(&self, provider: &str, subject: &str, friends: &[String]) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            sqlx::query("DELETE FROM contacts WHERE provider = $1 AND subject = $2")
                .bind(provider).bind(subject).execute(&mut *tx).await.map_err(map_sqlx)?;
            for friend in friends {
                sqlx::query("INSERT INTO contacts (provider, subject, friend_subject) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(provider).bind(subject).bind(friend).execute(&mut *tx).await.map_err(map_sqlx)?;
            }
            tx.commit().await.map_err(map_sqlx)
        })
    }

    async fn people_you_may_know(&self, user: UserId) -> StoreResult<Vec<User>> {
        let sql = select_user!(
            "WHERE is_active AND id <> $1 AND id IN (SELECT f.user_id FROM identities mine \
             JOIN contacts c ON c.provider = mine.provider AND c.subject = mine.subject \
             JOIN identities f ON f.provider = c.provider AND f.subject = c.friend_subject \
             WHERE mine.user_id = $1) ORDER BY username_folded"
        );
        let rows: Vec<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(user.to_string()).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows_into_users(rows)
    }

    async fn activate_user(&self, user: UserId) -> StoreResult<()> {
        // Only an account that waits for activation: never one an admin disabled.
        on_pool!(self, pool => {
            sqlx::query("UPDATE users SET is_active = TRUE, awaiting_activation = FALSE WHERE id = $1 AND awaiting_activation")
                .bind(user.to_string())
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn create_upstream_login(&self, l: &UpstreamLogin) -> StoreResult<()> {
        let purpose = match l.purpose {
            LoginPurpose::Login => "login",
            LoginPurpose::Link => "link",
        };
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO upstream_logins (state_digest, upstream, browser, purpose, user_id, next, sealed_data, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&l.state_digest).bind(&l.upstream).bind(&l.browser).bind(purpose).bind(l.user_id.map(|u| u.to_string()))
            .bind(l.next.as_deref()).bind(STANDARD.encode(&l.sealed_data)).bind(to_unix(l.expires_at))
            .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn take_upstream_login(&self, state_digest: &str, now: OffsetDateTime) -> StoreResult<Option<UpstreamLogin>> {
        type Row = (
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            i64,
        );
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "DELETE FROM upstream_logins WHERE state_digest = $1 AND expires_at > $2 \
                 RETURNING state_digest, upstream, browser, purpose, user_id, next, sealed_data, expires_at",
            )
            .bind(state_digest).bind(to_unix(now)).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(
            |(state_digest, upstream, browser, purpose, user, next, sealed, expires_at)| {
                Ok(UpstreamLogin {
                    state_digest,
                    upstream,
                    browser,
                    purpose: if purpose == "link" {
                        LoginPurpose::Link
                    } else {
                        LoginPurpose::Login
                    },
                    user_id: user.as_deref().map(user_id).transpose()?,
                    next,
                    sealed_data: STANDARD
                        .decode(sealed)
                        .map_err(|_| StoreError::Other("login data is not base64".into()))?,
                    expires_at: from_unix(expires_at)?,
                })
            },
        )
        .transpose()
    }
}
