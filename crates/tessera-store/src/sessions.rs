use async_trait::async_trait;
use tessera_core::UserId;
use tessera_core::jobs::Effects;
use tessera_core::store::{Session, SessionStore, StoreError, StoreResult};
use time::OffsetDateTime;

use crate::jobs::commit_with_effects;
use crate::rows::{from_unix, to_unix, user_id};
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

#[derive(sqlx::FromRow)]
struct SessionRow {
    id_digest: String,
    user_id: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    auth_time: i64,
    amr: String,
    user_agent: Option<String>,
    ip: Option<String>,
}

macro_rules! select_session {
    ($tail:literal) => {
        concat!(
            "SELECT id_digest, user_id, created_at, last_seen_at, expires_at, auth_time, amr, user_agent, ip \
             FROM sessions ",
            $tail
        )
    };
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;

    fn try_from(r: SessionRow) -> StoreResult<Self> {
        Ok(Session {
            user_id: user_id(&r.user_id)?,
            created_at: from_unix(r.created_at)?,
            last_seen_at: from_unix(r.last_seen_at)?,
            expires_at: from_unix(r.expires_at)?,
            auth_time: from_unix(r.auth_time)?,
            id_digest: r.id_digest,
            amr: r.amr,
            user_agent: r.user_agent,
            ip: r.ip,
        })
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, s: &Session) -> StoreResult<()> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (id_digest, user_id, created_at, last_seen_at, expires_at, auth_time, amr, \
                 user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&s.id_digest).bind(s.user_id.to_string()).bind(to_unix(s.created_at))
            .bind(to_unix(s.last_seen_at)).bind(to_unix(s.expires_at)).bind(to_unix(s.auth_time)).bind(&s.amr)
            .bind(s.user_agent.as_deref()).bind(s.ip.as_deref())
            .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn session(&self, id_digest: &str) -> StoreResult<Option<Session>> {
        let row: Option<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(select_session!("WHERE id_digest = $1"))
                .bind(id_digest).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(Session::try_from).transpose()
    }

    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<Session>> {
        let rows: Vec<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(select_session!("WHERE user_id = $1 ORDER BY created_at DESC, id_digest"))
                .bind(user.to_string()).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows.into_iter().map(Session::try_from).collect()
    }

    async fn end_sessions_with(&self, user: UserId, effects: &Effects) -> StoreResult<u64> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            commit_with_effects!(tx, effects)?;
            Ok(ended)
        })
    }

    async fn end_other_sessions_with(&self, user: UserId, keep: &str, effects: &Effects) -> StoreResult<u64> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest <> $2")
                .bind(user.to_string()).bind(keep)
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if ended == 0 {
                return Ok(0);
            }
            commit_with_effects!(tx, effects)?;
            Ok(ended)
        })
    }

    async fn end_session_with(&self, user: UserId, id_digest: &str, effects: &Effects) -> StoreResult<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest = $2")
                .bind(user.to_string()).bind(id_digest)
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if ended == 0 {
                return Ok(false);
            }
            commit_with_effects!(tx, effects)?;
            Ok(true)
        })
    }

    async fn touch_session(&self, id_digest: &str, at: OffsetDateTime) -> StoreResult<()> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_digest = $1")
                .bind(id_digest).bind(to_unix(at)).execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn delete_session(&self, id_digest: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE id_digest = $1")
                .bind(id_digest).execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn delete_stale_sessions(&self, now: OffsetDateTime, idle_before: OffsetDateTime) -> StoreResult<u64> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                .bind(to_unix(now)).bind(to_unix(idle_before))
                .execute(pool).await.map(|r| r.rows_affected()).map_err(map_sqlx)
        })
    }
}
