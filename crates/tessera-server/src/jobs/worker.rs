//! The in-process worker: claims due jobs with a lease, runs up to `jobs.workers` at once,
//! and records the outcome. A failure is retried with exponential backoff and jitter until
//! `max_attempts`, then the job is dead with its reason. A job whose node died mid-run is
//! claimed again when its lease runs out, so jobs are at least once; idempotency keys and the
//! lease check on completion keep the normal path exactly once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::RngExt;
use tessera_core::jobs::Job;
use time::OffsetDateTime;
use tokio::sync::{Semaphore, watch};

use super::handlers;
use crate::reload::Live;
use crate::state::AppState;

/// Delay before attempt `attempts + 1`: 2^attempts seconds (capped at an hour), ±25 %.
pub fn backoff(attempts: i32) -> Duration {
    let base = 2f64.powi(attempts.clamp(0, 12)).min(3600.0);
    let jitter = rand::rng().random_range(0.75..1.25);
    Duration::from_secs_f64(base * jitter)
}

/// Runs jobs, each with the configuration `live` holds when it is claimed, until `stop`
/// turns true; then claims no more and returns once the jobs in flight have finished (the
/// caller bounds that wait by the shutdown deadline). `jobs.workers` is read once (a reload
/// keeps it until a restart).
pub async fn run(live: Live, mut stop: watch::Receiver<bool>) {
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let workers = live.state().config.jobs.workers;
    let slots = Arc::new(Semaphore::new(workers));
    while !*stop.borrow() {
        let free = slots.available_permits();
        if free == 0 {
            // Every slot is busy: claim again as soon as one frees up (claiming sooner would
            // only hold leases on jobs that cannot run yet).
            tokio::select! {
                permit = slots.clone().acquire_owned() => drop(permit),
                _ = stop.changed() => {}
            }
            continue;
        }
        let state = live.state();
        let claimed = match state
            .store
            .claim(&worker, OffsetDateTime::now_utc(), state.config.jobs.lease, free as i64)
            .await
        {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim jobs");
                Vec::new()
            }
        };
        // Fewer than asked for: nothing else is due now.
        let drained = claimed.len() < free;
        for job in claimed {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            let (state, worker) = (state.clone(), worker.clone());
            tokio::spawn(async move {
                execute(&state, &worker, job).await;
                drop(permit);
            });
        }
        if drained {
            // Sleep until the poll interval passes, this node enqueues something, or it stops.
            let _ = tokio::time::timeout(state.config.jobs.poll_interval, async {
                tokio::select! {
                    () = state.jobs_wake.notified() => {}
                    _ = stop.changed() => {}
                }
            })
            .await;
        }
    }
    // Every slot back means every job in flight has finished and recorded its outcome.
    let in_flight = workers - slots.available_permits();
    if in_flight > 0 {
        tracing::info!(jobs = in_flight, "waiting for jobs in flight to finish");
    }
    let _ = slots.acquire_many(u32::try_from(workers).unwrap_or(u32::MAX)).await;
}

async fn execute(state: &AppState, worker: &str, job: Job) {
    let started = Instant::now();
    let outcome = handlers::run(state, &job).await;
    let took = started.elapsed();
    let recorded = match outcome {
        Ok(()) => {
            state.metrics.observe_job(&job.kind, "done", took);
            state.store.complete(&job.id, worker, OffsetDateTime::now_utc()).await
        }
        Err(reason) => {
            let retry_at = (job.attempts < job.max_attempts).then(|| OffsetDateTime::now_utc() + backoff(job.attempts));
            let outcome = if retry_at.is_some() { "retry" } else { "dead" };
            state.metrics.observe_job(&job.kind, outcome, took);
            tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %reason, outcome, "job failed");
            state.store.fail(&job.id, worker, &reason, retry_at).await
        }
    };
    match recorded {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(job = %job.id, "job outcome not recorded: its lease had expired and another worker took it")
        }
        Err(e) => tracing::error!(job = %job.id, error = %e, "cannot record job outcome"),
    }
}
