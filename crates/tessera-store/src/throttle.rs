//! Counts of failed logins. The count moves in one `INSERT … ON CONFLICT … DO UPDATE …
//! RETURNING` (the row is locked from there to the commit), and the block the new count earns
//! is set in the same transaction and only ever moves later, so concurrent failures on any
//! number of nodes each count once and never shorten a block.

use async_trait::async_trait;
use tessera_core::UserId;
use tessera_core::store::{StoreResult, Throttle, ThrottlePolicy, ThrottleStore, pair_key, throttle_scope};
use time::OffsetDateTime;

use crate::rows::to_unix;
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

/// A new window starts when the current one is over and the key is not blocked ($3: now,
/// $4: the earliest window start still current).
const RECORD: &str = "INSERT INTO throttles (scope, subject, failures, window_start, blocked_until) \
     VALUES ($1, $2, 1, $3, 0) \
     ON CONFLICT (scope, subject) DO UPDATE SET \
     failures = CASE WHEN throttles.window_start < $4 AND throttles.blocked_until <= $3 \
         THEN 1 ELSE throttles.failures + 1 END, \
     window_start = CASE WHEN throttles.window_start < $4 AND throttles.blocked_until <= $3 \
         THEN $3 ELSE throttles.window_start END, \
     blocked_until = CASE WHEN throttles.window_start < $4 AND throttles.blocked_until <= $3 \
         THEN 0 ELSE throttles.blocked_until END \
     RETURNING failures, window_start, blocked_until";

const BLOCK: &str = "UPDATE throttles SET blocked_until = $3 WHERE scope = $1 AND subject = $2 AND blocked_until < $3";

#[async_trait]
impl ThrottleStore for SqlStore {
    async fn record_failure(
        &self,
        scope: &str,
        key: &str,
        now: OffsetDateTime,
        policy: &ThrottlePolicy,
    ) -> StoreResult<Throttle> {
        let whole_seconds_after = to_unix(now) + i64::from(now.nanosecond() > 0);
        let now = to_unix(now);
        let current_since = if policy.window_seconds > 0 {
            now.saturating_sub(policy.window_seconds)
        } else {
            i64::MIN
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let (failures, window_start, blocked_until): (i64, i64, i64) = sqlx::query_as(RECORD)
                .bind(scope).bind(key).bind(now).bind(current_since)
                .fetch_one(&mut *tx).await.map_err(map_sqlx)?;
            let mut state = Throttle { failures, window_start, blocked_until };
            let block = policy.block_seconds(failures);
            if block > 0 {
                // From the next whole second: counts are in whole seconds, and a block must
                // never be shorter than the policy says.
                let until = whole_seconds_after.saturating_add(block);
                sqlx::query(BLOCK).bind(scope).bind(key).bind(until)
                    .execute(&mut *tx).await.map_err(map_sqlx)?;
                state.blocked_until = state.blocked_until.max(until);
            }
            tx.commit().await.map_err(map_sqlx)?;
            Ok(state)
        })
    }

    async fn throttle_state(&self, scope: &str, key: &str) -> StoreResult<Option<Throttle>> {
        let row: Option<(i64, i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT failures, window_start, blocked_until FROM throttles WHERE scope = $1 AND subject = $2")
                .bind(scope).bind(key).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        Ok(row.map(|(failures, window_start, blocked_until)| Throttle {
            failures,
            window_start,
            blocked_until,
        }))
    }

    async fn blocked_until(&self, keys: &[(&str, &str)]) -> StoreResult<i64> {
        if keys.is_empty() {
            return Ok(0);
        }
        let sql = blocked_until_query(keys.len());
        let until: Option<i64> = on_pool!(self, pool => {
            // Built from placeholders only: every value is bound.
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()));
            for (scope, key) in keys {
                query = query.bind(*scope).bind(*key);
            }
            query.fetch_one(pool).await.map_err(map_sqlx)?
        });
        Ok(until.unwrap_or(0))
    }

    async fn clear_throttle(&self, scope: &str, key: &str) -> StoreResult<bool> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM throttles WHERE scope = $1 AND subject = $2")
                .bind(scope).bind(key).execute(pool).await
                .map(|r| r.rows_affected() > 0).map_err(map_sqlx)
        })
    }

    async fn purge_throttles(&self, now: OffsetDateTime, window_started_before: OffsetDateTime) -> StoreResult<u64> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM throttles WHERE blocked_until <= $1 AND window_start < $2")
                .bind(to_unix(now)).bind(to_unix(window_started_before)).execute(pool).await
                .map(|r| r.rows_affected()).map_err(map_sqlx)
        })
    }

    async fn clear_account_throttles(&self, user: UserId) -> StoreResult<u64> {
        let id = user.to_string();
        let prefix = pair_key(&id, "");
        on_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM throttles WHERE (scope = $1 AND subject = $2) \
                 OR (scope = $3 AND substr(subject, 1, length($4)) = $4)",
            )
            .bind(throttle_scope::LOGIN_ACCOUNT).bind(&id).bind(throttle_scope::LOGIN_PAIR).bind(&prefix)
            .execute(pool).await.map(|r| r.rows_affected()).map_err(map_sqlx)
        })
    }
}

/// `SELECT max(blocked_until)` over `n` (scope, subject) pairs: each pair is a primary-key
/// lookup, so the read costs one round trip however many counts a request has.
fn blocked_until_query(n: usize) -> String {
    let pairs: Vec<String> = (0..n)
        .map(|i| format!("(scope = ${} AND subject = ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    format!("SELECT max(blocked_until) FROM throttles WHERE {}", pairs.join(" OR "))
}
