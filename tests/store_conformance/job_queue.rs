//! JobStore: the durable queue. Idempotent enqueueing, leases that pass to another worker
//! when they expire, completion and failure by the lease holder only, retry and clean-up.

use std::collections::BTreeMap;

use serde_json::json;
use tessera_core::jobs::{Job, JobState, JobStore, NewJob};

use super::*;

const LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// Enqueues a job of `kind` due at `run_at`; returns it as stored.
async fn enqueue_at(store: &SqlStore, kind: &str, run_at: OffsetDateTime) -> Job {
    let job = NewJob::new(kind, json!({ "kind": kind })).key(kind).at(run_at);
    assert!(store.enqueue(&job).await.expect("enqueue"), "{kind} is new");
    job_of_kind(store, kind).await
}

async fn job_of_kind(store: &SqlStore, kind: &str) -> Job {
    let jobs = store.jobs(None, 1000).await.expect("jobs");
    jobs.into_iter()
        .find(|j| j.kind == kind)
        .unwrap_or_else(|| panic!("a job {kind}"))
}

async fn claim(store: &SqlStore, worker: &str, now: OffsetDateTime, limit: i64) -> Vec<String> {
    let jobs = store.claim(worker, now, LEASE, limit).await.expect("claim");
    let mut kinds: Vec<String> = jobs.into_iter().map(|j| j.kind).collect();
    kinds.sort();
    kinds
}

async fn counts(store: &SqlStore) -> BTreeMap<&'static str, i64> {
    let counts = store.job_counts().await.expect("job_counts");
    counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| (s.as_str(), n))
        .collect()
}

#[tokio::test]
async fn enqueue_is_idempotent_by_key_and_the_job_reads_back() {
    for (backend, db) in each_backend("enqueue_is_idempotent_by_key_and_the_job_reads_back").await {
        let store = open(&db).await;
        let before = OffsetDateTime::now_utc();
        let run_at = before - Duration::minutes(1) - Duration::milliseconds(300);
        let payload = json!({ "to": "jane@example.com", "name": "Zoë ✓", "n": [1, 2] });
        let job = NewJob {
            max_attempts: 3,
            ..NewJob::new("mail.link", payload.clone()).key("welcome:jane").at(run_at)
        };
        assert!(store.enqueue(&job).await.expect("enqueue"), "{backend}: a new key");
        let again = NewJob::new("mail.other", json!({})).key("welcome:jane");
        assert!(
            !store.enqueue(&again).await.expect("enqueue"),
            "{backend}: the key again"
        );

        let jobs = store.jobs(None, 10).await.expect("jobs");
        assert_eq!(jobs.len(), 1, "{backend}: one job for the key: {jobs:?}");
        let read = &jobs[0];
        assert_eq!(read.kind, "mail.link", "{backend}: the first one's kind");
        assert_eq!(read.payload, payload, "{backend}: payload");
        assert_eq!(read.idempotency_key.as_deref(), Some("welcome:jane"), "{backend}: key");
        assert_eq!(read.state, JobState::Queued, "{backend}: queued");
        assert_eq!((read.attempts, read.max_attempts), (0, 3), "{backend}: attempts");
        assert_eq!(read.run_at, to_second(run_at), "{backend}: run_at");
        assert_eq!(read.last_error, None, "{backend}: no error");
        let made = read.created_at;
        let after = OffsetDateTime::now_utc();
        assert!(
            to_second(before) <= made && made <= after,
            "{backend}: created now: {made}"
        );

        // Without a key, the same job may be queued any number of times.
        for _ in 0..2 {
            assert!(
                store.enqueue(&NewJob::new("tick", json!({}))).await.unwrap(),
                "{backend}: no key"
            );
        }
        assert_eq!(store.jobs(None, 10).await.unwrap().len(), 3, "{backend}: three jobs");
    }
}

#[tokio::test]
async fn claim_leases_due_jobs_up_to_the_limit_and_never_twice_while_leased() {
    let test = "claim_leases_due_jobs_up_to_the_limit_and_never_twice_while_leased";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        assert!(
            claim(&store, "w1", now, 10).await.is_empty(),
            "{backend}: an empty queue"
        );
        enqueue_at(&store, "due-a", now - Duration::minutes(2)).await;
        enqueue_at(&store, "due-b", now - Duration::minutes(1)).await;
        enqueue_at(&store, "due-now", now).await;
        enqueue_at(&store, "later", now + Duration::hours(1)).await;

        let first = store.claim("w1", now, LEASE, 2).await.expect("claim");
        assert_eq!(first.len(), 2, "{backend}: the limit: {first:?}");
        for job in &first {
            assert_eq!((job.state, job.attempts), (JobState::Running, 1), "{backend}: {job:?}");
        }
        let rest = claim(&store, "w2", now, 10).await;
        assert_eq!(rest.len(), 1, "{backend}: only the third due job: {rest:?}");
        let mut all: Vec<String> = first.into_iter().map(|j| j.kind).chain(rest).collect();
        all.sort();
        assert_eq!(
            all,
            ["due-a", "due-b", "due-now"],
            "{backend}: each due job once, never `later`"
        );
        let within_lease = now + Duration::seconds(30);
        assert!(
            claim(&store, "w3", within_lease, 10).await.is_empty(),
            "{backend}: all leased"
        );
        assert_eq!(
            counts(&store).await,
            BTreeMap::from([("queued", 1), ("running", 3)]),
            "{backend}"
        );

        let job = job_of_kind(&store, "later").await;
        assert_eq!(job.state, JobState::Queued, "{backend}: not due, not touched");
        // Due at its run_at, when the others' leases have long expired too.
        let all = ["due-a", "due-b", "due-now", "later"];
        assert_eq!(
            claim(&store, "w3", job.run_at, 10).await,
            all,
            "{backend}: due at its run_at"
        );
    }
}

#[tokio::test]
async fn an_expired_lease_passes_to_another_worker_and_only_the_holder_may_finish() {
    let test = "an_expired_lease_passes_to_another_worker_and_only_the_holder_may_finish";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        let job = enqueue_at(&store, "hook", now - Duration::seconds(5)).await;
        assert!(
            !store.complete(&job.id, "w1", now).await.unwrap(),
            "{backend}: not claimed yet"
        );
        assert!(
            !store.fail(&job.id, "w1", "x", None).await.unwrap(),
            "{backend}: not claimed yet"
        );
        assert_eq!(claim(&store, "w1", now, 1).await, ["hook"], "{backend}: w1 takes it");

        // w1 died: once its lease is over, w2 gets the job, with one more attempt counted.
        let after_lease = now + Duration::seconds(61);
        let taken = store.claim("w2", after_lease, LEASE, 10).await.unwrap();
        assert_eq!(taken.len(), 1, "{backend}: w2 takes it over");
        assert_eq!(
            (taken[0].id.as_str(), taken[0].attempts),
            (job.id.as_str(), 2),
            "{backend}"
        );
        assert!(
            !store.complete(&job.id, "w1", after_lease).await.unwrap(),
            "{backend}: w1 lost it"
        );
        assert!(
            !store.fail(&job.id, "w1", "late", None).await.unwrap(),
            "{backend}: w1 lost it"
        );
        assert_eq!(
            job_of_kind(&store, "hook").await.state,
            JobState::Running,
            "{backend}: w2's still"
        );

        assert!(
            store.complete(&job.id, "w2", after_lease).await.unwrap(),
            "{backend}: the holder"
        );
        let done = job_of_kind(&store, "hook").await;
        assert_eq!((done.state, done.last_error), (JobState::Done, None), "{backend}: done");
        assert!(
            !store.complete(&job.id, "w2", after_lease).await.unwrap(),
            "{backend}: not twice"
        );
        let much_later = after_lease + Duration::days(1);
        assert!(
            claim(&store, "w3", much_later, 10).await.is_empty(),
            "{backend}: done stays done"
        );
        assert!(
            !store.complete("unknown", "w2", now).await.unwrap(),
            "{backend}: unknown id"
        );
    }
}

#[tokio::test]
async fn fail_requeues_at_the_retry_time_or_buries_the_job_with_its_reason() {
    let test = "fail_requeues_at_the_retry_time_or_buries_the_job_with_its_reason";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        let retried = enqueue_at(&store, "retried", now - Duration::seconds(1)).await;
        let buried = enqueue_at(&store, "buried", now - Duration::seconds(1)).await;
        assert_eq!(claim(&store, "w1", now, 10).await, ["buried", "retried"], "{backend}");

        let gave_up = store.fail(&buried.id, "w1", "550 no such mailbox", None).await.unwrap();
        assert!(gave_up, "{backend}: buried");
        let read = job_of_kind(&store, "buried").await;
        assert_eq!(read.state, JobState::Dead, "{backend}: dead");
        assert_eq!(
            read.last_error.as_deref(),
            Some("550 no such mailbox"),
            "{backend}: why"
        );
        assert!(
            !store.fail(&buried.id, "w1", "again", None).await.unwrap(),
            "{backend}: not running"
        );

        let retry_at = now + Duration::minutes(5);
        let failed = store
            .fail(&retried.id, "w1", "451 try again later", Some(retry_at))
            .await
            .unwrap();
        assert!(failed, "{backend}: the holder records a failure");
        let read = job_of_kind(&store, "retried").await;
        assert_eq!(read.state, JobState::Queued, "{backend}: back in the queue");
        assert_eq!(read.run_at, to_second(retry_at), "{backend}: at the retry time");
        assert_eq!(
            read.last_error.as_deref(),
            Some("451 try again later"),
            "{backend}: why"
        );
        assert_eq!(read.attempts, 1, "{backend}: one attempt so far");
        assert!(
            claim(&store, "w2", now + Duration::minutes(2), 10).await.is_empty(),
            "{backend}: not yet"
        );
        let again = store.claim("w2", retry_at, LEASE, 10).await.unwrap();
        assert_eq!(
            again.len(),
            1,
            "{backend}: due again at the retry time, the dead job never"
        );
        assert_eq!(
            (again[0].kind.as_str(), again[0].attempts),
            ("retried", 2),
            "{backend}: second attempt"
        );
        assert!(
            !store.fail(&retried.id, "w1", "x", None).await.unwrap(),
            "{backend}: w2 holds it"
        );
    }
}

#[tokio::test]
async fn jobs_filters_by_state_within_the_limit_and_job_counts_counts_each_state() {
    let test = "jobs_filters_by_state_within_the_limit_and_job_counts_counts_each_state";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        assert!(counts(&store).await.is_empty(), "{backend}: nothing in a fresh queue");
        let now = OffsetDateTime::now_utc();
        for kind in ["done", "dead", "running"] {
            enqueue_at(&store, kind, now - Duration::minutes(1)).await;
        }
        claim(&store, "w1", now, 10).await;
        for kind in ["queued-1", "queued-2"] {
            enqueue_at(&store, kind, now + Duration::hours(1)).await;
        }
        store
            .complete(&job_of_kind(&store, "done").await.id, "w1", now)
            .await
            .unwrap();
        store
            .fail(&job_of_kind(&store, "dead").await.id, "w1", "no", None)
            .await
            .unwrap();

        for (state, expected) in [
            (JobState::Queued, vec!["queued-1", "queued-2"]),
            (JobState::Running, vec!["running"]),
            (JobState::Done, vec!["done"]),
            (JobState::Dead, vec!["dead"]),
        ] {
            let jobs = store.jobs(Some(state), 100).await.expect("jobs");
            assert!(
                jobs.iter().all(|j| j.state == state),
                "{backend}: only {state:?}: {jobs:?}"
            );
            let mut kinds: Vec<String> = jobs.into_iter().map(|j| j.kind).collect();
            kinds.sort();
            assert_eq!(kinds, expected, "{backend}: {state:?}");
        }
        assert_eq!(store.jobs(None, 100).await.unwrap().len(), 5, "{backend}: every job");
        assert_eq!(store.jobs(None, 3).await.unwrap().len(), 3, "{backend}: the limit");
        assert_eq!(
            store.jobs(Some(JobState::Queued), 1).await.unwrap().len(),
            1,
            "{backend}"
        );
        let expected = BTreeMap::from([("dead", 1), ("done", 1), ("queued", 2), ("running", 1)]);
        assert_eq!(counts(&store).await, expected, "{backend}: job_counts");
    }
}

#[tokio::test]
async fn retry_job_revives_dead_or_queued_jobs_only() {
    for (backend, db) in each_backend("retry_job_revives_dead_or_queued_jobs_only").await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        for kind in ["dead", "running", "done"] {
            enqueue_at(&store, kind, now - Duration::minutes(1)).await;
        }
        claim(&store, "w1", now, 10).await;
        let dead = job_of_kind(&store, "dead").await;
        store.fail(&dead.id, "w1", "gave up", None).await.unwrap();
        let done = job_of_kind(&store, "done").await;
        store.complete(&done.id, "w1", now).await.unwrap();
        let waiting = enqueue_at(&store, "waiting", now + Duration::days(1)).await;

        assert!(store.retry_job(&dead.id).await.unwrap(), "{backend}: a dead job");
        let revived = job_of_kind(&store, "dead").await;
        assert_eq!(
            (revived.state, revived.attempts),
            (JobState::Queued, 0),
            "{backend}: fresh budget"
        );
        let soon = OffsetDateTime::now_utc() + Duration::seconds(1);
        assert!(revived.run_at <= soon, "{backend}: due now: {revived:?}");
        assert!(store.retry_job(&waiting.id).await.unwrap(), "{backend}: a queued job");
        assert!(
            job_of_kind(&store, "waiting").await.run_at <= soon,
            "{backend}: due now too"
        );
        assert_eq!(
            claim(&store, "w2", soon, 10).await,
            ["dead", "waiting"],
            "{backend}: both run"
        );

        let running = job_of_kind(&store, "running").await;
        assert!(!store.retry_job(&running.id).await.unwrap(), "{backend}: running");
        assert!(!store.retry_job(&done.id).await.unwrap(), "{backend}: done");
        assert!(!store.retry_job("unknown").await.unwrap(), "{backend}: unknown");
        assert_eq!(
            job_of_kind(&store, "done").await.state,
            JobState::Done,
            "{backend}: untouched"
        );
        assert!(
            store.complete(&running.id, "w1", now).await.unwrap(),
            "{backend}: w1 still holds it"
        );
    }
}

#[tokio::test]
async fn purge_jobs_deletes_finished_jobs_before_the_cut_off_and_dead_ones_only_when_asked() {
    let test = "purge_jobs_deletes_finished_jobs_before_the_cut_off_and_dead_ones_only_when_asked";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        for kind in ["done-long-ago", "done-now", "dead", "running"] {
            enqueue_at(&store, kind, now - Duration::minutes(1)).await;
        }
        claim(&store, "w1", now, 10).await;
        let finish = |kind: &'static str, at: OffsetDateTime| {
            let store = store.clone();
            async move {
                store
                    .complete(&job_of_kind(&store, kind).await.id, "w1", at)
                    .await
                    .unwrap()
            }
        };
        assert!(finish("done-long-ago", now - Duration::days(10)).await);
        assert!(finish("done-now", now).await);
        store
            .fail(&job_of_kind(&store, "dead").await.id, "w1", "no", None)
            .await
            .unwrap();
        enqueue_at(&store, "queued", now - Duration::minutes(1)).await;

        let week_ago = now - Duration::days(7);
        assert_eq!(
            store.purge_jobs(week_ago, true).await.unwrap(),
            1,
            "{backend}: the old done job"
        );
        let tomorrow = now + Duration::days(1);
        assert_eq!(
            store.purge_jobs(tomorrow, false).await.unwrap(),
            1,
            "{backend}: the recent one"
        );
        let expected = BTreeMap::from([("dead", 1), ("queued", 1), ("running", 1)]);
        assert_eq!(counts(&store).await, expected, "{backend}: dead kept unless asked");
        assert_eq!(
            store.purge_jobs(tomorrow, true).await.unwrap(),
            1,
            "{backend}: now the dead one"
        );
        let expected = BTreeMap::from([("queued", 1), ("running", 1)]);
        assert_eq!(
            counts(&store).await,
            expected,
            "{backend}: unfinished jobs are never purged"
        );
    }
}
