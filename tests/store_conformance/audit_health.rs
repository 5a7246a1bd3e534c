//! AuditStore and Health.

use serde_json::json;
use tessera_core::store::{AuditStore, Health, NewEvent};

use super::*;

#[tokio::test]
async fn recent_events_come_newest_first_and_round_trip() {
    for (backend, db) in each_backend("recent_events_come_newest_first_and_round_trip").await {
        let store = open(&db).await;
        assert!(
            store.recent_events(10).await.expect("recent_events").is_empty(),
            "{backend}: empty log"
        );
        let jane = create(&store, "jane", None).await;
        let start = OffsetDateTime::now_utc() - Duration::minutes(10);
        let events = [
            NewEvent {
                at: start,
                ..NewEvent::new("account.created", Some(jane.id), json!({ "by": "admin" }))
            },
            NewEvent {
                ip: Some("2001:db8::1".into()),
                user_agent: Some("Mozilla/5.0 (X11; Linux) ✓".into()),
                at: start + Duration::seconds(1) + Duration::milliseconds(600),
                ..NewEvent::new(
                    "login.failed",
                    None,
                    json!({ "login": "Zoë", "why": ["no such account"], "n": 3 }),
                )
            },
            NewEvent {
                at: start + Duration::minutes(2),
                ..NewEvent::new("login", Some(jane.id), json!({}))
            },
        ];
        for event in &events {
            store.record_event(event).await.expect("record_event");
        }
        let recent = store.recent_events(10).await.expect("recent_events");
        let kinds: Vec<_> = recent.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["login", "login.failed", "account.created"],
            "{backend}: newest first"
        );
        assert!(recent.windows(2).all(|w| w[0].id > w[1].id), "{backend}: ids descend");
        for (read, written) in recent.iter().zip(events.iter().rev()) {
            let what = format!("{backend}: event {}", written.kind);
            assert_eq!(read.user_id, written.user_id, "{what}: user");
            assert_eq!(read.detail, written.detail, "{what}: detail");
            assert_eq!(read.ip, written.ip, "{what}: ip");
            assert_eq!(read.user_agent, written.user_agent, "{what}: user agent");
            assert_eq!(read.at, to_second(written.at), "{what}: time to the second");
        }
        let newest_two: Vec<_> = store
            .recent_events(2)
            .await
            .expect("recent_events")
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            newest_two,
            ["login", "login.failed"],
            "{backend}: the limit keeps the newest"
        );
    }
}

#[tokio::test]
async fn ping_reaches_the_database() {
    for (backend, db) in each_backend("ping_reaches_the_database").await {
        let store = open(&db).await;
        store
            .ping()
            .await
            .unwrap_or_else(|e| panic!("{backend}: ping failed: {e}"));
    }
}

#[tokio::test]
async fn pool_status_counts_open_and_idle_connections_within_the_maximum() {
    for (backend, db) in each_backend("pool_status_counts_open_and_idle").await {
        let store = open(&db).await;
        store.ping().await.expect("ping");
        let status = store.pool_status();
        assert!(
            status.open >= 1,
            "{backend}: the ping's connection stays open: {status:?}"
        );
        assert!(
            status.idle <= status.open && status.open <= status.max,
            "{backend}: {status:?}"
        );
        assert!(status.max >= 8, "{backend}: {status:?}");
    }
}

#[tokio::test]
async fn schema_mismatch_is_none_when_migrated_and_names_a_migration_from_a_newer_release() {
    for (backend, db) in each_backend("schema_mismatch_is_none_when_migrated").await {
        let store = open(&db).await;
        assert_eq!(store.schema_mismatch().await.expect("status"), None, "{backend}");
        crate::support::db::execute(
            &db.url,
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             SELECT 9999, 'from the future', installed_on, TRUE, checksum, 0 FROM _sqlx_migrations WHERE version = 1",
            &[],
        )
        .await;
        let mismatch = store.schema_mismatch().await.expect("status").expect("a mismatch");
        assert!(
            mismatch.starts_with("the database schema is newer than this tessera: it has migration 9999"),
            "{backend}: {mismatch}"
        );
    }
}

#[tokio::test]
async fn events_keep_one_accounts_or_those_since_a_time_newest_first() {
    use tessera_core::store::EventFilter;
    for (backend, db) in each_backend("events_keep_one_accounts_or_those_since").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let old = OffsetDateTime::now_utc() - time::Duration::days(2);
        for (kind, user, at) in [
            ("old", Some(jane.id), old),
            ("janes", Some(jane.id), OffsetDateTime::now_utc()),
            ("nobodys", None, OffsetDateTime::now_utc()),
        ] {
            let mut event = NewEvent::new(kind, user, serde_json::json!({}));
            event.at = at;
            store.record_event(&event).await.expect("record");
        }
        let kinds = |events: Vec<tessera_core::store::Event>| events.into_iter().map(|e| e.kind).collect::<Vec<_>>();
        let filter = |user, since, limit| EventFilter { user, since, limit };
        assert_eq!(
            kinds(store.events(&filter(Some(jane.id), None, 10)).await.expect("events")),
            ["janes", "old"],
            "{backend}"
        );
        let day_ago = OffsetDateTime::now_utc() - time::Duration::days(1);
        assert_eq!(
            kinds(store.events(&filter(None, Some(day_ago), 10)).await.expect("events")),
            ["nobodys", "janes"],
            "{backend}"
        );
        assert_eq!(
            kinds(
                store
                    .events(&filter(Some(jane.id), Some(day_ago), 10))
                    .await
                    .expect("events")
            ),
            ["janes"],
            "{backend}"
        );
        assert_eq!(
            kinds(store.events(&filter(None, None, 1)).await.expect("events")),
            ["nobodys"],
            "{backend}"
        );
    }
}
