use async_trait::async_trait;
use tessera_core::store::{EffectsFor, EmailToken, EmailTokenPurpose, EmailTokenStore, StoreResult, UserStore};
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use crate::jobs::write_effects;
use crate::rows::{to_unix, user_id};
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

#[async_trait]
impl EmailTokenStore for SqlStore {
    async fn create_email_token(&self, t: &EmailToken) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO email_tokens (digest, user_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&t.digest).bind(t.user_id.to_string()).bind(t.purpose.as_str()).bind(&t.email).bind(to_unix(t.expires_at))
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn email_token_owner(
        &self,
        digest: &str,
        purpose: EmailTokenPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<UserId>> {
        let row: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT user_id FROM email_tokens WHERE digest = $1 AND purpose = $2 AND expires_at > $3")
                .bind(digest).bind(purpose.as_str()).bind(to_unix(now))
                .fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(|(id,)| user_id(&id)).transpose()
    }

    async fn confirm_email_with(
        &self,
        digest: &str,
        now: OffsetDateTime,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Option<User>> {
        let confirmed: Option<String> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            // DELETE … RETURNING makes the link single-use even under concurrent clicks.
            let token: Option<(String, String)> = sqlx::query_as(
                "DELETE FROM email_tokens WHERE digest = $1 AND purpose = 'confirm_email' AND expires_at > $2 \
                 RETURNING user_id, email",
            )
            .bind(digest).bind(to_unix(now)).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            let mut confirmed = None;
            if let Some((user, email)) = token {
                // Only the address the link was sent to can be confirmed by it, compared the
                // way the store compares addresses everywhere else (folded, not byte for byte).
                let changed = sqlx::query("UPDATE users SET email_verified = TRUE WHERE id = $1 AND email_folded = $2")
                    .bind(&user).bind(email.to_lowercase()).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
                if changed > 0 {
                    write_effects!(tx, effects(user_id(&user)?));
                    confirmed = Some(user);
                }
            }
            tx.commit().await.map_err(map_sqlx)?;
            confirmed
        });
        match confirmed {
            Some(id) => self.user_by_id(user_id(&id)?).await,
            None => Ok(None),
        }
    }

    async fn reset_password_with(
        &self,
        digest: &str,
        new_hash: &str,
        now: OffsetDateTime,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Option<User>> {
        let reset: Option<String> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let token: Option<(String,)> = sqlx::query_as(
                "DELETE FROM email_tokens WHERE digest = $1 AND purpose = 'reset_password' AND expires_at > $2 \
                 RETURNING user_id",
            )
            .bind(digest).bind(to_unix(now)).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            if let Some((user,)) = &token {
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user).bind(new_hash).execute(&mut *tx).await.map_err(map_sqlx)?;
                sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = 'reset_password'")
                    .bind(user).execute(&mut *tx).await.map_err(map_sqlx)?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user).execute(&mut *tx).await.map_err(map_sqlx)?;
                crate::oidc::revoke_tokens_of_user!(tx, user);
                write_effects!(tx, effects(user_id(user)?));
            }
            tx.commit().await.map_err(map_sqlx)?;
            token.map(|(user,)| user)
        });
        match reset {
            Some(id) => self.user_by_id(user_id(&id)?).await,
            None => Ok(None),
        }
    }
}
