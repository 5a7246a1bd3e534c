//! CodeStore, GrantStore, KeyStore, PendingStore, TokenStore, up to the code: signing keys, pending authorization requests, and codes that
//! can be issued once per request and used once.

use tessera_oidc::storage::{CodeStore, CodeUse, GrantStore, KeyStore, PendingStore, PromptFlags, Rotation, StoredKey};

use super::oidc_fixtures::{authorization, code, pending, redeem, stored_code, stored_code_until};
use super::*;

fn key(kid: &str, alg: &str, at: OffsetDateTime) -> StoredKey {
    StoredKey {
        kid: kid.to_owned(),
        alg: alg.to_owned(),
        sealed_private: format!("sealed {kid} \u{0}\u{ff}").into_bytes(),
        created_at: at,
        activates_at: at + Duration::minutes(10),
        retires_at: None,
        expires_at: None,
    }
}

fn rotation(new_key: StoredKey, unless_rotated_since: OffsetDateTime, old_keys_expire_at: OffsetDateTime) -> Rotation {
    Rotation {
        new_key,
        unless_rotated_since,
        old_keys_expire_at,
    }
}

async fn kids(store: &SqlStore, now: OffsetDateTime) -> Vec<String> {
    let keys = store.published_keys(now).await.expect("published_keys");
    keys.into_iter().map(|k| k.kid).collect()
}

#[tokio::test]
async fn published_keys_round_trip_oldest_first_per_algorithm_until_they_expire() {
    let test = "published_keys_round_trip_oldest_first_per_algorithm_until_they_expire";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let t0 = OffsetDateTime::now_utc() - Duration::days(100);
        assert!(kids(&store, t0).await.is_empty(), "{backend}: no key in a fresh store");
        let first = key("rs-1", "RS256", t0);
        let never = t0 - Duration::days(1);
        assert!(
            store.rotate_key(&rotation(first.clone(), never, t0)).await.unwrap(),
            "{backend}: first RS256 key"
        );
        let es = key("es-1", "ES256", t0 + Duration::days(1));
        assert!(
            store.rotate_key(&rotation(es, never, t0)).await.unwrap(),
            "{backend}: ES256 rotates on its own"
        );

        let read = store.published_keys(t0).await.expect("published_keys");
        let stored = read.iter().find(|k| k.kid == "rs-1").expect("rs-1 is published");
        assert_eq!(stored.alg, "RS256", "{backend}: alg");
        assert_eq!(
            stored.sealed_private, first.sealed_private,
            "{backend}: sealed key bytes"
        );
        assert_eq!(stored.created_at, to_second(first.created_at), "{backend}: created_at");
        assert_eq!(
            stored.activates_at,
            to_second(first.activates_at),
            "{backend}: activates_at"
        );
        assert_eq!(
            (stored.retires_at, stored.expires_at),
            (None, None),
            "{backend}: still signing"
        );

        // A due rotation of RS256 retires rs-1 at the new key's activation; ES256 is untouched.
        let t1 = t0 + Duration::days(40);
        let second = key("rs-2", "RS256", t1);
        let expire_old = t1 + Duration::hours(2);
        let due = rotation(second.clone(), t1 - Duration::days(30), expire_old);
        assert!(store.rotate_key(&due).await.unwrap(), "{backend}: a due rotation");
        assert_eq!(
            kids(&store, t1).await,
            ["rs-1", "es-1", "rs-2"],
            "{backend}: oldest first"
        );
        let keys = store.published_keys(t1).await.unwrap();
        let old = keys.iter().find(|k| k.kid == "rs-1").unwrap();
        assert_eq!(
            old.retires_at,
            Some(to_second(second.activates_at)),
            "{backend}: rs-1 retires"
        );
        assert_eq!(
            old.expires_at,
            Some(to_second(expire_old)),
            "{backend}: and leaves the JWKS then"
        );
        let es = keys.iter().find(|k| k.kid == "es-1").unwrap();
        assert_eq!(
            (es.retires_at, es.expires_at),
            (None, None),
            "{backend}: es-1 untouched"
        );

        let at_expiry = to_second(expire_old);
        assert_eq!(
            kids(&store, at_expiry).await,
            ["es-1", "rs-2"],
            "{backend}: gone from its expiry on"
        );
        assert_eq!(
            kids(&store, at_expiry - Duration::seconds(1)).await,
            ["rs-1", "es-1", "rs-2"],
            "{backend}: published up to then"
        );
    }
}

#[tokio::test]
async fn a_rotation_that_is_not_due_changes_nothing() {
    for (backend, db) in each_backend("a_rotation_that_is_not_due_changes_nothing").await {
        let store = open(&db).await;
        let t0 = OffsetDateTime::now_utc() - Duration::days(10);
        let first = rotation(key("rs-1", "RS256", t0), t0 - Duration::days(1), t0);
        assert!(store.rotate_key(&first).await.unwrap(), "{backend}: first key");
        // Another node rotated since `unless_rotated_since`: this one must not.
        let late = rotation(
            key("rs-late", "RS256", t0 + Duration::days(1)),
            t0,
            t0 + Duration::days(2),
        );
        assert!(!store.rotate_key(&late).await.unwrap(), "{backend}: not due");
        let keys = store.published_keys(t0 + Duration::days(1)).await.unwrap();
        assert_eq!(keys.len(), 1, "{backend}: no key added: {keys:?}");
        assert_eq!(
            (keys[0].retires_at, keys[0].expires_at),
            (None, None),
            "{backend}: none retired"
        );
    }
}

#[tokio::test]
async fn a_pending_request_round_trips_until_it_expires() {
    for (backend, db) in each_backend("a_pending_request_round_trips_until_it_expires").await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        let full = tessera_oidc::storage::PendingAuthorization {
            scopes: ["openid", "email", "offline_access"].map(String::from).to_vec(),
            state: Some("xyz ✓".into()),
            nonce: Some("n-0S6_WzA2Mj".into()),
            code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
            prompt: PromptFlags {
                none: false,
                login: true,
                consent: true,
                select_account: true,
            },
            max_age: Some(300),
            acr_values: vec!["urn:x:mfa".into(), "urn:x:pwd".into()],
            login_hint: Some("jane@example.com".into()),
            hint_subject: Some("0b6e6c86-sub".into()),
            session_at_start: Some("session-digest".into()),
            ..pending("req-full", "demo-app", now + Duration::minutes(10))
        };
        store.create_pending(&full).await.expect("create_pending");
        let bare = pending("req-bare", "other-app", now + Duration::minutes(10));
        store.create_pending(&bare).await.expect("create_pending");

        let read = store.pending("req-full", now).await.unwrap().expect("the live request");
        assert_eq!(read.browser, full.browser, "{backend}: browser");
        assert_eq!(read.client_id, "demo-app", "{backend}: client");
        assert_eq!(read.redirect_uri, full.redirect_uri, "{backend}: redirect_uri");
        assert_eq!(read.scopes, full.scopes, "{backend}: scopes, in order");
        assert_eq!(
            (&read.state, &read.nonce),
            (&full.state, &full.nonce),
            "{backend}: state, nonce"
        );
        assert_eq!(read.code_challenge, full.code_challenge, "{backend}: code_challenge");
        assert_eq!(read.prompt, full.prompt, "{backend}: prompt flags");
        assert_eq!(read.max_age, Some(300), "{backend}: max_age");
        assert_eq!(read.login_hint, full.login_hint, "{backend}: login_hint");
        assert_eq!(read.hint_subject, full.hint_subject, "{backend}: hint_subject");
        assert_eq!(
            read.session_at_start, full.session_at_start,
            "{backend}: session_at_start"
        );
        assert!(!read.consented, "{backend}: not consented yet");
        assert_eq!(read.created_at, to_second(full.created_at), "{backend}: created_at");
        assert_eq!(read.expires_at, to_second(full.expires_at), "{backend}: expires_at");

        let read = store.pending("req-bare", now).await.unwrap().expect("the bare request");
        assert_eq!(read.prompt, PromptFlags::default(), "{backend}: no prompt");
        let nothing = (&read.state, &read.nonce, &read.code_challenge, &read.login_hint);
        assert_eq!(
            nothing,
            (&None, &None, &None, &None),
            "{backend}: optional fields stay empty"
        );
        assert_eq!(read.max_age, None, "{backend}: no max_age");

        let duplicate = store.create_pending(&bare).await;
        assert!(duplicate.is_err(), "{backend}: the same id twice: {duplicate:?}");
        let later = to_second(full.expires_at);
        assert!(
            store.pending("req-full", later).await.unwrap().is_none(),
            "{backend}: expired"
        );
        assert!(
            store.pending("unknown", now).await.unwrap().is_none(),
            "{backend}: unknown id"
        );
    }
}

#[tokio::test]
async fn mark_consented_and_delete_pending_touch_only_their_request() {
    for (backend, db) in each_backend("mark_consented_and_delete_pending_touch_only_their_request").await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        for id in ["req-a", "req-b"] {
            store
                .create_pending(&pending(id, "demo-app", now + Duration::minutes(5)))
                .await
                .unwrap();
        }
        store.mark_consented("req-a").await.expect("mark_consented");
        store.mark_consented("req-a").await.expect("marking twice is fine");
        store
            .mark_consented("unknown")
            .await
            .expect("marking an unknown request is harmless");
        let consented = |id: &'static str| {
            let store = store.clone();
            async move { store.pending(id, now).await.unwrap().map(|p| p.consented) }
        };
        assert_eq!(consented("req-a").await, Some(true), "{backend}: req-a consented");
        assert_eq!(consented("req-b").await, Some(false), "{backend}: req-b untouched");
        assert_eq!(consented("unknown").await, None, "{backend}: nothing made up");

        store.delete_pending("req-a").await.expect("delete_pending");
        assert_eq!(consented("req-a").await, None, "{backend}: deleted");
        store.delete_pending("req-a").await.expect("deleting twice is fine");
        store
            .delete_pending("unknown")
            .await
            .expect("deleting an unknown request is harmless");
        assert_eq!(consented("req-b").await, Some(false), "{backend}: req-b still there");
    }
}

#[tokio::test]
async fn one_pending_request_issues_one_code() {
    for (backend, db) in each_backend("one_pending_request_issues_one_code").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        store
            .create_pending(&pending("req", "demo-app", now + Duration::minutes(5)))
            .await
            .unwrap();
        let first = code(
            "code-1",
            authorization(jane.id, "demo-app", "sid-1"),
            now + Duration::minutes(1),
        );
        assert!(
            store.issue_code("req", &first).await.expect("issue_code"),
            "{backend}: first"
        );
        assert!(
            store.pending("req", now).await.unwrap().is_none(),
            "{backend}: the request ended"
        );

        let second = code(
            "code-2",
            authorization(jane.id, "demo-app", "sid-1"),
            now + Duration::minutes(1),
        );
        assert!(
            !store.issue_code("req", &second).await.expect("issue_code"),
            "{backend}: second"
        );
        assert!(
            !store.issue_code("never-was", &second).await.unwrap(),
            "{backend}: unknown request"
        );
        let unused = store.use_code("code-2", now).await.expect("use_code");
        assert!(
            matches!(unused, CodeUse::Unknown),
            "{backend}: code-2 was never stored: {unused:?}"
        );
        let used = store.use_code("code-1", now).await.expect("use_code");
        assert!(matches!(used, CodeUse::First(_)), "{backend}: code-1 works: {used:?}");
    }
}

#[tokio::test]
async fn use_code_gives_the_code_once_then_reports_the_replay() {
    for (backend, db) in each_backend("use_code_gives_the_code_once_then_reports_the_replay").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let issued = stored_code(&store, "code", authorization(jane.id, "demo-app", "sid-1")).await;
        let CodeUse::First(used) = store.use_code("code", now).await.expect("use_code") else {
            panic!("{backend}: the first use gets the code");
        };
        assert_eq!(used.digest, "code", "{backend}: digest");
        assert_eq!(used.redirect_uri, issued.redirect_uri, "{backend}: redirect_uri");
        assert_eq!(used.nonce, issued.nonce, "{backend}: nonce");
        assert_eq!(used.code_challenge, issued.code_challenge, "{backend}: code_challenge");
        assert_eq!(used.expires_at, to_second(issued.expires_at), "{backend}: expires_at");
        let (a, b) = (&used.authorization, &issued.authorization);
        assert_eq!(
            (&a.client_id, a.user_id, &a.sid),
            (&b.client_id, b.user_id, &b.sid),
            "{backend}"
        );
        assert_eq!(
            (&a.scopes, &a.amr),
            (&b.scopes, &b.amr),
            "{backend}: scopes and amr, in order"
        );
        assert_eq!(a.auth_time, to_second(b.auth_time), "{backend}: auth_time");

        for n in 2..=3 {
            let again = store.use_code("code", now).await.expect("use_code");
            assert!(matches!(again, CodeUse::Replayed), "{backend}: use #{n}: {again:?}");
        }
        let unknown = store.use_code("never-issued", now).await.expect("use_code");
        assert!(matches!(unknown, CodeUse::Unknown), "{backend}: unknown: {unknown:?}");
    }
}

#[tokio::test]
async fn an_expired_or_withdrawn_code_is_unknown_at_its_first_use() {
    for (backend, db) in each_backend("an_expired_or_withdrawn_code_is_unknown_at_its_first_use").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let auth = authorization(jane.id, "demo-app", "sid-1");
        stored_code_until(&store, "expired", auth.clone(), now - Duration::seconds(1)).await;
        let used = store.use_code("expired", now).await.expect("use_code");
        assert!(matches!(used, CodeUse::Unknown), "{backend}: expired: {used:?}");

        // Consent withdrawn between the code and its redemption: the code is dead.
        stored_code(&store, "withdrawn", auth.clone()).await;
        store.revoke_grant(jane.id, "demo-app").await.expect("revoke_grant");
        let used = store.use_code("withdrawn", now).await.expect("use_code");
        assert!(matches!(used, CodeUse::Unknown), "{backend}: withdrawn: {used:?}");

        // A code of another app or person is not caught by that.
        let other = stored_code(&store, "other-app", authorization(jane.id, "other-app", "sid-1")).await;
        let issued = redeem(&store, &other.digest).await;
        assert!(
            super::oidc_fixtures::all_live(&store, &issued).await,
            "{backend}: other app's tokens"
        );
    }
}
