//! The durable job queue's domain: what a job is, and the side effects (audit events and jobs)
//! a change writes in the same transaction as itself, so there are no lost or phantom jobs.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::store::{NewEvent, StoreResult};

#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// At most one job per key, ever: enqueueing a key again is a no-op.
    pub idempotency_key: Option<String>,
    pub run_at: OffsetDateTime,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: &str, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.to_owned(),
            payload,
            idempotency_key: None,
            run_at: OffsetDateTime::now_utc(),
            max_attempts: 5,
        }
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn at(mut self, run_at: OffsetDateTime) -> Self {
        self.run_at = run_at;
        self
    }
}

/// What a change causes, written atomically with it.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    pub events: Vec<NewEvent>,
    pub jobs: Vec<NewJob>,
}

impl Effects {
    pub fn none() -> Self {
        Self::default()
    }

    /// Just one job (a request whose only effect is a mail).
    pub fn job(job: NewJob) -> Self {
        Self {
            events: Vec::new(),
            jobs: vec![job],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    /// Gave up after `max_attempts`; `last_error` says why. `tessera jobs retry` revives it.
    Dead,
}

impl JobState {
    /// Every state, in the order a job goes through them.
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Done, Self::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: Option<String>,
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// False when a job with the same idempotency key already exists.
    async fn enqueue(&self, job: &NewJob) -> StoreResult<bool>;
    /// Takes up to `limit` due jobs (queued and due, or running with an expired lease: the
    /// worker that had it died) and leases them to `worker` until `now + lease`.
    async fn claim(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: std::time::Duration,
        limit: i64,
    ) -> StoreResult<Vec<Job>>;
    /// Marks the job done, if `worker` still holds its lease. Returns whether it did.
    async fn complete(&self, id: &str, worker: &str, now: OffsetDateTime) -> StoreResult<bool>;
    /// Records a failure: back to the queue at `retry_at`, or dead when `None`.
    async fn fail(&self, id: &str, worker: &str, error: &str, retry_at: Option<OffsetDateTime>) -> StoreResult<bool>;
    async fn jobs(&self, state: Option<JobState>, limit: i64) -> StoreResult<Vec<Job>>;
    /// Dead (or queued) job back to the queue now with a fresh attempt budget.
    async fn retry_job(&self, id: &str) -> StoreResult<bool>;
    /// Deletes finished jobs (done, and dead when `include_dead`) older than `before`.
    async fn purge_jobs(&self, before: OffsetDateTime, include_dead: bool) -> StoreResult<u64>;
    async fn job_counts(&self) -> StoreResult<Vec<(JobState, i64)>>;
}
