//! SessionStore: signed-in browsers, their activity and their clean-up.

use super::*;

#[tokio::test]
async fn a_session_round_trips_and_can_be_touched_and_deleted() {
    for (backend, db) in each_backend("a_session_round_trips_and_can_be_touched_and_deleted").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let new = Session {
            amr: "pwd otp".into(),
            ..session("digest-1", jane.id, now, now + Duration::hours(12))
        };
        store.create_session(&new).await.expect("create_session");

        let read = store
            .session("digest-1")
            .await
            .expect("session")
            .expect("the new session");
        assert_eq!(read.id_digest, "digest-1", "{backend}: digest");
        assert_eq!(read.user_id, jane.id, "{backend}: owner");
        assert_eq!(read.created_at, to_second(new.created_at), "{backend}: created_at");
        assert_eq!(
            read.last_seen_at,
            to_second(new.last_seen_at),
            "{backend}: last_seen_at"
        );
        assert_eq!(read.expires_at, to_second(new.expires_at), "{backend}: expires_at");
        assert_eq!(read.auth_time, to_second(new.auth_time), "{backend}: auth_time");
        assert_eq!(read.amr, "pwd otp", "{backend}: amr");

        let duplicate = store.create_session(&new).await;
        assert!(
            matches!(duplicate, Err(StoreError::Conflict { .. })),
            "{backend}: same digest twice: {duplicate:?}"
        );

        let seen = now + Duration::minutes(7);
        store.touch_session("digest-1", seen).await.expect("touch_session");
        let touched = store.session("digest-1").await.expect("session").expect("still there");
        assert_eq!(touched.last_seen_at, to_second(seen), "{backend}: touched");
        assert_eq!(
            touched.expires_at, read.expires_at,
            "{backend}: touching never extends the absolute end"
        );
        assert_eq!(touched.created_at, read.created_at, "{backend}: created_at unchanged");

        store.delete_session("digest-1").await.expect("delete_session");
        assert!(!has_session(&store, "digest-1").await, "{backend}: deleted");
        store.delete_session("digest-1").await.expect("deleting twice is fine");
        store
            .touch_session("digest-1", seen)
            .await
            .expect("touching a deleted session is harmless");
        assert!(
            !has_session(&store, "digest-1").await,
            "{backend}: touching does not resurrect"
        );
        assert!(!has_session(&store, "never-existed").await, "{backend}: unknown digest");
    }
}

#[tokio::test]
async fn a_session_needs_an_existing_account() {
    for (backend, db) in each_backend("a_session_needs_an_existing_account").await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        let result = store
            .create_session(&session("orphan", UserId::new(), now, now + Duration::hours(1)))
            .await;
        assert!(
            result.is_err(),
            "{backend}: a session of an unknown account must be refused"
        );
        assert!(!has_session(&store, "orphan").await, "{backend}: nothing stored");
    }
}

#[tokio::test]
async fn delete_stale_sessions_removes_expired_and_idle_sessions_only() {
    for (backend, db) in each_backend("delete_stale_sessions_removes_expired_and_idle_sessions_only").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let idle_before = now - Duration::minutes(30);
        let sessions = [
            ("live", now - Duration::minutes(1), now + Duration::hours(1)),
            ("seen-right-at-the-idle-limit", idle_before, now + Duration::hours(1)),
            ("expired", now - Duration::seconds(5), now - Duration::seconds(1)),
            ("ends-right-now", now, now),
            ("idle", idle_before - Duration::seconds(1), now + Duration::hours(1)),
            (
                "long-idle-and-expired",
                now - Duration::days(3),
                now - Duration::days(2),
            ),
        ];
        for (digest, last_seen_at, expires_at) in sessions {
            store
                .create_session(&session(digest, jane.id, last_seen_at, expires_at))
                .await
                .expect("create_session");
        }
        let removed = store
            .delete_stale_sessions(now, idle_before)
            .await
            .expect("delete_stale_sessions");
        assert_eq!(removed, 4, "{backend}: removed count");
        for (digest, _, _) in sessions {
            let kept = matches!(digest, "live" | "seen-right-at-the-idle-limit");
            assert_eq!(has_session(&store, digest).await, kept, "{backend}: {digest} kept?");
        }
        let again = store
            .delete_stale_sessions(now, idle_before)
            .await
            .expect("delete_stale_sessions");
        assert_eq!(again, 0, "{backend}: nothing left to remove");
    }
}

#[tokio::test]
async fn sessions_of_lists_newest_first_and_end_sessions_with_ends_one_accounts_only() {
    let test = "sessions_of_lists_newest_first_and_end_sessions_with_ends_one_accounts_only";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        let now = OffsetDateTime::now_utc();
        let end = now + Duration::hours(1);
        store
            .create_session(&session("jane-old", jane.id, now - Duration::hours(2), end))
            .await
            .unwrap();
        store
            .create_session(&session("jane-new", jane.id, now, end))
            .await
            .unwrap();
        store
            .create_session(&session("john-1", john.id, now, end))
            .await
            .unwrap();

        let listed: Vec<String> = store
            .sessions_of(jane.id)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id_digest)
            .collect();
        assert_eq!(listed, ["jane-new", "jane-old"], "{backend}: hers, newest first");
        assert!(
            store.sessions_of(UserId::new()).await.unwrap().is_empty(),
            "{backend}: nobody's"
        );

        let effects = tessera_core::jobs::Effects {
            events: vec![tessera_core::store::NewEvent::new(
                "admin.sessions_ended",
                Some(jane.id),
                serde_json::json!({}),
            )],
            jobs: Vec::new(),
        };
        assert_eq!(
            store.end_sessions_with(jane.id, &effects).await.unwrap(),
            2,
            "{backend}: both ended"
        );
        assert!(
            store.sessions_of(jane.id).await.unwrap().is_empty(),
            "{backend}: none left"
        );
        assert!(has_session(&store, "john-1").await, "{backend}: john's stays");
        let events = tessera_core::store::AuditStore::recent_events(&*store, 5)
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{backend}: the event with the change");
        let none = tessera_core::jobs::Effects::none();
        assert_eq!(
            store.end_sessions_with(jane.id, &none).await.unwrap(),
            0,
            "{backend}: again, nothing"
        );
    }
}

#[tokio::test]
async fn a_session_keeps_the_device_and_address_it_started_from() {
    for (backend, db) in each_backend("a_session_keeps_the_device_and_address_it_started_from").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let user_agent = format!("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 {}", "x".repeat(450));
        let with_device = Session {
            user_agent: Some(user_agent.clone()),
            ip: Some("2001:db8::7".into()),
            ..session("with-device", jane.id, now, now + Duration::hours(1))
        };
        store.create_session(&with_device).await.expect("create_session");
        store
            .create_session(&session("without", jane.id, now, now + Duration::hours(1)))
            .await
            .expect("create_session");

        let read = store.session("with-device").await.unwrap().expect("stored");
        assert_eq!(
            read.user_agent.as_deref(),
            Some(user_agent.as_str()),
            "{backend}: the whole agent"
        );
        assert_eq!(read.ip.as_deref(), Some("2001:db8::7"), "{backend}: address");
        let bare = store.session("without").await.unwrap().expect("stored");
        assert_eq!((bare.user_agent, bare.ip), (None, None), "{backend}: neither is needed");
        let listed = store.sessions_of(jane.id).await.unwrap();
        assert!(
            listed
                .iter()
                .any(|s| s.id_digest == "with-device" && s.ip.as_deref() == Some("2001:db8::7")),
            "{backend}: sessions_of carries them too"
        );
    }
}

/// One event of `kind` about `user` and one job of the same kind, to see whether they were written.
fn ending(kind: &str, user: UserId) -> tessera_core::jobs::Effects {
    tessera_core::jobs::Effects {
        events: vec![tessera_core::store::NewEvent::new(
            kind,
            Some(user),
            serde_json::json!({}),
        )],
        jobs: vec![tessera_core::jobs::NewJob::new(kind, serde_json::json!({}))],
    }
}

/// The kinds of the audit events and of the jobs written so far.
async fn kinds_written(store: &SqlStore) -> (Vec<String>, Vec<String>) {
    use tessera_core::jobs::JobStore;
    let events = tessera_core::store::AuditStore::recent_events(store, 50).await.unwrap();
    let jobs = store.jobs(None, 50).await.unwrap();
    let mut events: Vec<String> = events.into_iter().map(|e| e.kind).collect();
    let mut jobs: Vec<String> = jobs.into_iter().map(|j| j.kind).collect();
    events.sort();
    jobs.sort();
    (events, jobs)
}

#[tokio::test]
async fn end_session_with_ends_only_that_accounts_session_and_writes_its_effects_only_then() {
    let test = "end_session_with_ends_only_that_accounts_session_and_writes_its_effects_only_then";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        for (digest, user) in [("jane-1", jane.id), ("jane-2", jane.id), ("john-1", john.id)] {
            sign_in(&store, digest, user).await;
        }

        let ended = store
            .end_session_with(jane.id, "john-1", &ending("refused.other", jane.id))
            .await
            .expect("end_session_with");
        assert!(!ended, "{backend}: john's session is not jane's to end");
        assert!(has_session(&store, "john-1").await, "{backend}: john's stays");
        let unknown = store
            .end_session_with(jane.id, "never-existed", &ending("refused.unknown", jane.id))
            .await
            .expect("end_session_with");
        assert!(!unknown, "{backend}: no such session");
        assert_eq!(
            kinds_written(&store).await,
            (Vec::new(), Vec::new()),
            "{backend}: a refusal writes nothing"
        );

        let ended = store
            .end_session_with(jane.id, "jane-1", &ending("session.ended", jane.id))
            .await
            .expect("end_session_with");
        assert!(ended, "{backend}: her own session ends");
        assert!(!has_session(&store, "jane-1").await, "{backend}: gone");
        assert!(has_session(&store, "jane-2").await, "{backend}: her other one stays");
        assert!(has_session(&store, "john-1").await, "{backend}: john's stays");
        assert_eq!(
            kinds_written(&store).await,
            (vec!["session.ended".to_owned()], vec!["session.ended".to_owned()]),
            "{backend}: the event and the job with it"
        );

        let again = store
            .end_session_with(jane.id, "jane-1", &ending("again", jane.id))
            .await
            .expect("end_session_with");
        assert!(!again, "{backend}: ended once");
        assert_eq!(kinds_written(&store).await.0, ["session.ended"], "{backend}: once");
    }
}

#[tokio::test]
async fn end_other_sessions_with_keeps_one_session_and_writes_its_effects_only_when_some_ended() {
    let test = "end_other_sessions_with_keeps_one_session_and_writes_its_effects_only_when_some_ended";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        for (digest, user) in [
            ("jane-here", jane.id),
            ("jane-phone", jane.id),
            ("jane-laptop", jane.id),
            ("john-1", john.id),
        ] {
            sign_in(&store, digest, user).await;
        }

        let ended = store
            .end_other_sessions_with(jane.id, "jane-here", &ending("session.others_ended", jane.id))
            .await
            .expect("end_other_sessions_with");
        assert_eq!(ended, 2, "{backend}: her two others");
        let left: Vec<String> = store
            .sessions_of(jane.id)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id_digest)
            .collect();
        assert_eq!(left, ["jane-here"], "{backend}: this one stays");
        assert!(has_session(&store, "john-1").await, "{backend}: john's stays");
        assert_eq!(
            kinds_written(&store).await,
            (
                vec!["session.others_ended".to_owned()],
                vec!["session.others_ended".to_owned()]
            ),
            "{backend}: with its effects"
        );

        let none = store
            .end_other_sessions_with(jane.id, "jane-here", &ending("nothing", jane.id))
            .await
            .expect("end_other_sessions_with");
        assert_eq!(none, 0, "{backend}: nothing left to end");
        assert_eq!(
            kinds_written(&store).await.0,
            ["session.others_ended"],
            "{backend}: nothing written when nothing ended"
        );
        // Without effects (the first second factor's sign-out): the same rule.
        sign_in(&store, "jane-tablet", jane.id).await;
        assert_eq!(
            store.end_other_sessions(jane.id, "jane-here").await.unwrap(),
            1,
            "{backend}"
        );
        assert!(has_session(&store, "jane-here").await, "{backend}: kept");
    }
}
