use std::time::Duration;

use async_trait::async_trait;
use tessera_core::jobs::{Job, JobState, JobStore, NewJob};
use tessera_core::store::{StoreError, StoreResult};
use time::OffsetDateTime;

use crate::rows::{from_unix, to_unix};
use crate::{Backend, BeginWrite, SqlStore, map_sqlx, on_pool};

pub(crate) const INSERT_JOB: &str = "INSERT INTO jobs (id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, created_at) \
     VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING";

pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO audit_events (kind, user_id, detail, ip, user_agent, at) VALUES ($1, $2, $3, $4, $5, $6)";

/// Writes a change's audit events and jobs inside its transaction (`$tx`), commits it, and
/// then logs the events (`audit::log_recorded`): only what was stored is logged. Evaluates
/// to `StoreResult<()>`; a failed statement returns from the enclosing function.
macro_rules! commit_with_effects {
    ($tx:expr, $effects:expr) => {{
        let effects = $effects;
        for e in &effects.events {
            sqlx::query($crate::jobs::INSERT_EVENT)
                .bind(&e.kind)
                .bind(e.user_id.map(|id| id.to_string()))
                .bind(e.detail.to_string())
                .bind(e.ip.as_deref())
                .bind(e.user_agent.as_deref())
                .bind(e.at.unix_timestamp())
                .execute(&mut *$tx)
                .await
                .map_err($crate::map_sqlx)?;
        }
        for j in &effects.jobs {
            sqlx::query($crate::jobs::INSERT_JOB)
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(&j.kind)
                .bind(j.payload.to_string())
                .bind(j.idempotency_key.as_deref())
                .bind(j.max_attempts)
                .bind(j.run_at.unix_timestamp())
                .bind(time::OffsetDateTime::now_utc().unix_timestamp())
                .execute(&mut *$tx)
                .await
                .map_err($crate::map_sqlx)?;
        }
        $tx.commit().await.map_err($crate::map_sqlx)?;
        $crate::audit::log_recorded(&effects.events);
        Ok::<(), tessera_core::store::StoreError>(())
    }};
}
pub(crate) use commit_with_effects;

type JobRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i32,
    i32,
    i64,
    Option<String>,
    i64,
);
const JOB_COLUMNS: &str =
    "id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, last_error, created_at";

fn job(r: JobRow) -> StoreResult<Job> {
    let (id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, last_error, created_at) = r;
    Ok(Job {
        payload: serde_json::from_str(&payload).map_err(|e| StoreError::Other(format!("job {id} payload: {e}")))?,
        state: JobState::parse(&state).ok_or_else(|| StoreError::Other(format!("job {id} has state {state:?}")))?,
        id,
        kind,
        idempotency_key,
        attempts,
        max_attempts,
        run_at: from_unix(run_at)?,
        last_error,
        created_at: from_unix(created_at)?,
    })
}

/// Claiming: due queued jobs, or running ones whose lease expired. PostgreSQL skips rows other
/// nodes are claiming right now (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time
/// (BEGIN IMMEDIATE), so the same statement without the locking clause is already exclusive.
const CLAIM_PG: &str = "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $3) OR (state = 'running' AND locked_until < $3) \
     ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, last_error, created_at";
const CLAIM_SQLITE: &str = "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $3) OR (state = 'running' AND locked_until < $3) \
     ORDER BY run_at LIMIT $4) \
     RETURNING id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, last_error, created_at";

#[async_trait]
impl JobStore for SqlStore {
    async fn enqueue(&self, j: &NewJob) -> StoreResult<bool> {
        on_pool!(self, pool => {
            sqlx::query(INSERT_JOB)
                .bind(uuid::Uuid::new_v4().to_string()).bind(&j.kind).bind(j.payload.to_string()).bind(j.idempotency_key.as_deref())
                .bind(j.max_attempts).bind(to_unix(j.run_at)).bind(to_unix(OffsetDateTime::now_utc()))
                .execute(pool).await.map(|r| r.rows_affected() == 1).map_err(map_sqlx)
        })
    }

    async fn claim(&self, worker: &str, now: OffsetDateTime, lease: Duration, limit: i64) -> StoreResult<Vec<Job>> {
        let sql = match self.backend() {
            Backend::Postgres => CLAIM_PG,
            Backend::Sqlite => CLAIM_SQLITE,
        };
        let rows: Vec<JobRow> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let rows = sqlx::query_as(sql)
                .bind(worker).bind(to_unix(now + lease)).bind(to_unix(now)).bind(limit)
                .fetch_all(&mut *tx).await.map_err(map_sqlx)?;
            tx.commit().await.map_err(map_sqlx)?;
            rows
        });
        rows.into_iter().map(job).collect()
    }

    async fn complete(&self, id: &str, worker: &str, now: OffsetDateTime) -> StoreResult<bool> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = 'done', finished_at = $3, locked_by = NULL, locked_until = NULL, last_error = NULL \
                         WHERE id = $1 AND state = 'running' AND locked_by = $2")
                .bind(id).bind(worker).bind(to_unix(now))
                .execute(pool).await.map(|r| r.rows_affected() == 1).map_err(map_sqlx)
        })
    }

    async fn fail(&self, id: &str, worker: &str, error: &str, retry_at: Option<OffsetDateTime>) -> StoreResult<bool> {
        let (state, run_at) = match retry_at {
            Some(at) => ("queued", Some(to_unix(at))),
            None => ("dead", None),
        };
        on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = $3, run_at = COALESCE($4, run_at), last_error = $5, locked_by = NULL, locked_until = NULL \
                         WHERE id = $1 AND state = 'running' AND locked_by = $2")
                .bind(id).bind(worker).bind(state).bind(run_at).bind(error)
                .execute(pool).await.map(|r| r.rows_affected() == 1).map_err(map_sqlx)
        })
    }

    async fn jobs(&self, state: Option<JobState>, limit: i64) -> StoreResult<Vec<Job>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE $1 IS NULL OR state = $1 ORDER BY created_at DESC, id LIMIT $2"
        );
        let rows: Vec<JobRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(state.map(JobState::as_str)).bind(limit).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows.into_iter().map(job).collect()
    }

    async fn retry_job(&self, id: &str) -> StoreResult<bool> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, locked_by = NULL, locked_until = NULL \
                         WHERE id = $1 AND state IN ('dead', 'queued')")
                .bind(id).bind(to_unix(OffsetDateTime::now_utc()))
                .execute(pool).await.map(|r| r.rows_affected() == 1).map_err(map_sqlx)
        })
    }

    async fn purge_jobs(&self, before: OffsetDateTime, include_dead: bool) -> StoreResult<u64> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM jobs WHERE (state = 'done' OR (state = 'dead' AND $2)) AND COALESCE(finished_at, created_at) < $1")
                .bind(to_unix(before)).bind(include_dead)
                .execute(pool).await.map(|r| r.rows_affected()).map_err(map_sqlx)
        })
    }

    async fn job_counts(&self) -> StoreResult<Vec<(JobState, i64)>> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state").fetch_all(pool).await.map_err(map_sqlx)?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| JobState::parse(&s).map(|s| (s, n)))
            .collect())
    }
}
