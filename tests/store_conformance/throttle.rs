//! ThrottleStore: counts of failed logins, shared by every node.

use std::sync::Arc;

use tessera_core::store::{Throttle, ThrottlePolicy, ThrottleStore, pair_key, throttle_scope};

use super::*;

/// Free 2, then 10 s doubling up to 30 s, locked for 600 s from the 5th failure; 1 h window.
const POLICY: ThrottlePolicy = ThrottlePolicy {
    window_seconds: 3600,
    free_failures: 2,
    delay_base_seconds: 10,
    delay_max_seconds: 30,
    lockout_after: 5,
    lockout_seconds: 600,
};

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("valid time")
}

async fn fail(store: &SqlStore, scope: &str, key: &str, now: i64) -> Throttle {
    store
        .record_failure(scope, key, at(now), &POLICY)
        .await
        .expect("record_failure")
}

async fn state(store: &SqlStore, scope: &str, key: &str) -> Option<Throttle> {
    store.throttle_state(scope, key).await.expect("throttle_state")
}

#[tokio::test]
async fn record_failure_counts_and_blocks_as_the_policy_says() {
    for (backend, db) in each_backend("record_failure_counts_and_blocks_as_the_policy_says").await {
        let store = open(&db).await;
        let t0 = 1_700_000_000;
        assert_eq!(
            state(&store, "login_ip", "10.0.0.1").await,
            None,
            "{backend}: no count yet"
        );
        let mut seen = Vec::new();
        for i in 0..6 {
            let s = fail(&store, "login_ip", "10.0.0.1", t0 + i).await;
            assert_eq!(s.window_start, t0, "{backend}: the window starts at the first failure");
            seen.push((s.failures, s.blocked_until));
        }
        assert_eq!(
            seen,
            [
                (1, 0),
                (2, 0),
                (3, t0 + 2 + 10),
                (4, t0 + 3 + 20),
                (5, t0 + 4 + 600),
                (6, t0 + 5 + 600)
            ],
            "{backend}: free, delays, then the lockout"
        );
        let read = state(&store, "login_ip", "10.0.0.1").await.expect("the count");
        assert_eq!(
            read,
            Throttle {
                failures: 6,
                window_start: t0,
                blocked_until: t0 + 605
            },
            "{backend}: reads back"
        );
        assert_eq!(read.retry_after(at(t0 + 5)), Some(600), "{backend}: retry_after");
        assert_eq!(read.retry_after(at(t0 + 605)), None, "{backend}: over at blocked_until");
        assert_eq!(
            state(&store, "login_pair", "10.0.0.1").await,
            None,
            "{backend}: another scope, another count"
        );
        // A block never moves earlier: a weaker policy's failure leaves the lockout alone.
        let lenient = ThrottlePolicy {
            lockout_after: 0,
            ..POLICY
        };
        let s = store
            .record_failure("login_ip", "10.0.0.1", at(t0 + 6), &lenient)
            .await
            .expect("record_failure");
        assert_eq!((s.failures, s.blocked_until), (7, t0 + 605), "{backend}: block kept");
    }
}

#[tokio::test]
async fn a_new_window_starts_only_when_the_old_one_is_over_and_not_blocked() {
    let test = "a_new_window_starts_only_when_the_old_one_is_over_and_not_blocked";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let t0 = 1_700_000_000;
        fail(&store, "login_pair", "a|ip", t0).await;
        fail(&store, "login_pair", "a|ip", t0 + 1).await;
        let s = fail(&store, "login_pair", "a|ip", t0 + 3600).await;
        assert_eq!(s.failures, 3, "{backend}: still in the window at its last second");
        assert_eq!(s.blocked_until, t0 + 3610, "{backend}: and delayed");
        let s = fail(&store, "login_pair", "a|ip", t0 + 4000).await;
        assert_eq!(
            (s.failures, s.window_start, s.blocked_until),
            (1, t0 + 4000, 0),
            "{backend}: the window is over and nothing blocks: a new count"
        );
        for i in 1..5 {
            fail(&store, "login_pair", "a|ip", t0 + 4000 + i).await;
        }
        let locked = state(&store, "login_pair", "a|ip").await.expect("count");
        assert_eq!(locked.blocked_until, t0 + 4004 + 600, "{backend}: locked out");
        // Past the window but still locked (a long lockout): the count goes on.
        let long = ThrottlePolicy {
            lockout_seconds: 10_000,
            ..POLICY
        };
        let s = store
            .record_failure("login_pair", "a|ip", at(t0 + 4005), &long)
            .await
            .expect("record_failure");
        assert_eq!(s.blocked_until, t0 + 14_005, "{backend}: longer lockout");
        let s = fail(&store, "login_pair", "a|ip", t0 + 9000).await;
        assert_eq!(s.failures, 7, "{backend}: no new window while blocked");
    }
}

#[tokio::test]
async fn clear_throttle_forgets_one_key_only() {
    for (backend, db) in each_backend("clear_throttle_forgets_one_key_only").await {
        let store = open(&db).await;
        let now = 1_700_000_000;
        fail(&store, "login_pair", "a|ip", now).await;
        fail(&store, "login_ip", "a|ip", now).await;
        fail(&store, "login_pair", "b|ip", now).await;
        assert!(
            store
                .clear_throttle("login_pair", "a|ip")
                .await
                .expect("clear_throttle"),
            "{backend}: there was a count"
        );
        assert!(
            !store
                .clear_throttle("login_pair", "a|ip")
                .await
                .expect("clear_throttle"),
            "{backend}: gone"
        );
        assert_eq!(state(&store, "login_pair", "a|ip").await, None, "{backend}: cleared");
        assert!(
            state(&store, "login_ip", "a|ip").await.is_some(),
            "{backend}: other scope kept"
        );
        assert!(
            state(&store, "login_pair", "b|ip").await.is_some(),
            "{backend}: other key kept"
        );
        let s = fail(&store, "login_pair", "a|ip", now + 1).await;
        assert_eq!(s.failures, 1, "{backend}: counting starts again");
    }
}

#[tokio::test]
async fn clear_account_throttles_forgets_the_accounts_counts_only() {
    for (backend, db) in each_backend("clear_account_throttles_forgets_the_accounts_counts_only").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await.id.to_string();
        let bob = create(&store, "bob", None).await.id.to_string();
        let now = 1_700_000_000;
        for key in [
            pair_key(&jane, "10.0.0.1"),
            pair_key(&jane, "::1"),
            pair_key(&bob, "10.0.0.1"),
        ] {
            fail(&store, throttle_scope::LOGIN_PAIR, &key, now).await;
        }
        fail(&store, throttle_scope::LOGIN_ACCOUNT, &jane, now).await;
        fail(&store, throttle_scope::LOGIN_ACCOUNT, &bob, now).await;
        fail(&store, throttle_scope::LOGIN_IP, "10.0.0.1", now).await;
        // A pair of a name no account has, which merely starts like jane's id.
        fail(&store, throttle_scope::LOGIN_PAIR, &format!("{jane}x|10.0.0.1"), now).await;

        let jane_id = found_by_username(&store, "jane").await.expect("jane");
        let cleared = store
            .clear_account_throttles(jane_id)
            .await
            .expect("clear_account_throttles");
        assert_eq!(cleared, 3, "{backend}: jane's two pairs and her account count");
        for key in [pair_key(&jane, "10.0.0.1"), pair_key(&jane, "::1")] {
            assert_eq!(
                state(&store, throttle_scope::LOGIN_PAIR, &key).await,
                None,
                "{backend}: {key}"
            );
        }
        assert_eq!(
            state(&store, throttle_scope::LOGIN_ACCOUNT, &jane).await,
            None,
            "{backend}"
        );
        for (scope, key) in [
            (throttle_scope::LOGIN_PAIR, pair_key(&bob, "10.0.0.1")),
            (throttle_scope::LOGIN_ACCOUNT, bob.clone()),
            (throttle_scope::LOGIN_IP, "10.0.0.1".to_owned()),
            (throttle_scope::LOGIN_PAIR, format!("{jane}x|10.0.0.1")),
        ] {
            assert!(
                state(&store, scope, &key).await.is_some(),
                "{backend}: {scope} {key} kept"
            );
        }
        assert_eq!(
            store
                .clear_account_throttles(jane_id)
                .await
                .expect("clear_account_throttles"),
            0,
            "{backend}: nothing left"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_failures_each_count_once() {
    for (backend, db) in each_backend("concurrent_failures_each_count_once").await {
        let store = open(&db).await;
        let now = 1_700_000_000;
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let store = Arc::clone(&store);
                tokio::spawn(async move { fail(&store, "login_ip", "10.9.9.9", now).await })
            })
            .collect();
        let mut counts = Vec::new();
        for task in tasks {
            counts.push(task.await.expect("the task did not panic").failures);
        }
        counts.sort_unstable();
        assert_eq!(
            counts,
            (1..=30).collect::<Vec<i64>>(),
            "{backend}: each failure saw its own count"
        );
        let s = state(&store, "login_ip", "10.9.9.9").await.expect("count");
        assert_eq!(s.failures, 30, "{backend}: thirty counted");
        assert_eq!(
            s.blocked_until,
            now + 600,
            "{backend}: locked out once past the threshold"
        );
    }
}

#[tokio::test]
async fn blocks_start_at_the_next_whole_second_and_blocked_until_reads_many_keys_at_once() {
    for (backend, db) in each_backend("blocks_start_at_the_next_whole_second").await {
        let store = open(&db).await;
        let t0 = 1_700_000_000;
        let late_in_a_second = at(t0) + time::Duration::milliseconds(900);
        for _ in 0..3 {
            store
                .record_failure("login_ip", "10.0.0.9", late_in_a_second, &POLICY)
                .await
                .expect("record_failure");
        }
        let s = state(&store, "login_ip", "10.0.0.9").await.expect("counted");
        assert_eq!(
            s.blocked_until,
            t0 + 1 + 10,
            "{backend}: never shorter than the 10 s delay"
        );

        fail(&store, "login_pair", "a|10.0.0.9", t0).await;
        let keys = [
            ("login_pair", "a|10.0.0.9"),
            ("login_ip", "10.0.0.9"),
            ("login_account", "none"),
        ];
        assert_eq!(
            store.blocked_until(&keys).await.expect("blocked_until"),
            t0 + 11,
            "{backend}: the latest"
        );
        assert_eq!(
            store.blocked_until(&keys[2..]).await.expect("blocked_until"),
            0,
            "{backend}: none counted"
        );
        assert_eq!(
            store.blocked_until(&[]).await.expect("blocked_until"),
            0,
            "{backend}: nothing asked"
        );
    }
}

#[tokio::test]
async fn purge_throttles_removes_only_finished_unblocked_counts() {
    for (backend, db) in each_backend("purge_throttles_removes_only_finished_unblocked_counts").await {
        let store = open(&db).await;
        let t0 = 1_700_000_000;
        fail(&store, "login_ip", "old", t0).await;
        let long_lockout = ThrottlePolicy {
            lockout_after: 1,
            lockout_seconds: 7200,
            ..POLICY
        };
        store
            .record_failure("login_ip", "old-but-locked", at(t0), &long_lockout)
            .await
            .expect("record_failure");
        fail(&store, "login_ip", "current", t0 + 3000).await;
        let removed = store
            .purge_throttles(at(t0 + 3600), at(t0 + 3600 - 1800))
            .await
            .expect("purge_throttles");
        assert_eq!(removed, 1, "{backend}");
        assert_eq!(state(&store, "login_ip", "old").await, None, "{backend}: finished");
        assert!(
            state(&store, "login_ip", "old-but-locked").await.is_some(),
            "{backend}: still locked"
        );
        assert!(
            state(&store, "login_ip", "current").await.is_some(),
            "{backend}: window not over"
        );
    }
}
