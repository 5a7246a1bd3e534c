//! Group commit of access-token records: the `jti` of every access token (so it can be
//! revoked and introspected) is written by one task that takes whatever records are waiting
//! and inserts them with one statement, instead of one statement (and, on SQLite, one turn
//! at the file's write lock and one WAL commit) per token. Under load the batches grow by
//! themselves; alone, a record is written at once, so nothing waits for a timer.
//!
//! Durability is unchanged: a caller is answered only after the statement holding its record
//! has committed (an autocommit INSERT), so a token is never handed out before its record
//! is as durable as any other write (SQLite: WAL with `synchronous=NORMAL`; PostgreSQL:
//! `synchronous_commit` as the server is configured). A failed batch fails every token in
//! it, and none of them is handed out; when the database is unavailable, so do the records
//! that queued meanwhile (they have waited long enough). docs/benchmarks.md, "What made it
//! faster".

use std::sync::Arc;
use tessera_core::store::{StoreError, StoreResult};
use tessera_oidc::storage::AccessTokenRecord;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::Pool;
use crate::error::map_sqlx;
use crate::rows::to_unix;

/// Rows per statement: 8 bound values each, far below SQLite's 32 766 and PostgreSQL's
/// 65 535 parameters per statement.
const MAX_BATCH: usize = 512;

/// Records waiting for the writer; a full queue makes callers wait (back-pressure, no
/// unbounded memory under overload).
const QUEUE: usize = 4 * MAX_BATCH;

type Waiting = (AccessTokenRecord, oneshot::Sender<StoreResult<()>>);

pub(crate) struct AccessTokenWriter {
    queue: mpsc::Sender<Waiting>,
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the access-token writer has stopped (the server is shutting down)".into())
}

impl AccessTokenWriter {
    /// Starts the writer task on the current runtime; it ends when the writer is dropped.
    pub(crate) fn start(pool: Pool, sqlite_writes: Arc<Mutex<()>>) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(pool, sqlite_writes, waiting));
        Self { queue }
    }

    /// Returns once `record` is committed.
    pub(crate) async fn record(&self, record: AccessTokenRecord) -> StoreResult<()> {
        let (done, answer) = oneshot::channel();
        self.queue.send((record, done)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_batches(pool: Pool, sqlite_writes: Arc<Mutex<()>>, mut waiting: mpsc::Receiver<Waiting>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // SQLite's one writer: queued with the store's other busy writes (`write_turn`).
        let _turn = match pool {
            Pool::Sqlite(_) => Some(sqlite_writes.lock().await),
            Pool::Postgres(_) => None,
        };
        let written = insert(&pool, &batch).await;
        if matches!(written, Err(StoreError::Unavailable(_))) {
            // Records that queued while that batch waited for a database that is not there
            // share its answer rather than wait as long again in a batch of their own: a
            // lost database is a 503 within a second (docs/reliability.md), not two waits.
            while let Ok(queued) = waiting.try_recv() {
                batch.push(queued);
            }
        }
        for (_, done) in batch.drain(..) {
            let _ = done.send(written.clone());
        }
    }
}

async fn insert(pool: &Pool, batch: &[Waiting]) -> StoreResult<()> {
    macro_rules! insert_into {
        ($pool:expr) => {{
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO access_tokens (jti, client_id, user_id, scopes, family_id, code_digest, sid, revoked, expires_at) ",
            );
            insert.push_values(batch, |mut row, (t, _)| {
                row.push_bind(t.jti.clone())
                    .push_bind(t.client_id.clone())
                    .push_bind(t.user_id.map(|u| u.to_string()))
                    .push_bind(crate::oidc::join(&t.scopes))
                    .push_bind(t.family_id.clone())
                    .push_bind(t.code_digest.clone())
                    .push_bind(t.sid.clone())
                    .push_bind(false)
                    .push_bind(to_unix(t.expires_at));
            });
            insert.build().execute($pool).await.map(|_| ()).map_err(map_sqlx)
        }};
    }
    match pool {
        Pool::Sqlite(pool) => insert_into!(pool),
        Pool::Postgres(pool) => insert_into!(pool),
    }
}
