//! CodeStore, GrantStore, KeyStore, PendingStore, TokenStore, from the code on: issuing tokens behind a live guard, refresh-token rotation
//! and reuse detection, access-token records and their revocation.

use tessera_oidc::storage::{CodeStore, Issuance, IssueGuard, RefreshUse, TokenStore};

use super::oidc_fixtures::{
    Issued, access_revoked, access_token, all_dead, all_live, authorization, redeem, refresh, refresh_dead,
    refresh_token, rotate, stored_code, successor_of,
};
use super::*;

/// Jane with one redeemed code of `demo-app` in session `sid-1`.
async fn jane_with_tokens(store: &SqlStore) -> (User, Issued) {
    let jane = create(store, "jane", None).await;
    stored_code(store, "code", authorization(jane.id, "demo-app", "sid-1")).await;
    let issued = redeem(store, "code").await;
    (jane, issued)
}

#[tokio::test]
async fn issued_tokens_read_back_and_a_replayed_code_revokes_them() {
    for (backend, db) in each_backend("issued_tokens_read_back_and_a_replayed_code_revokes_them").await {
        let store = open(&db).await;
        let (jane, issued) = jane_with_tokens(&store).await;
        let (record, revoked) = store.access_token(&issued.jti).await.unwrap().expect("recorded");
        assert!(!revoked, "{backend}: live");
        assert_eq!(record.client_id, "demo-app", "{backend}: client");
        assert_eq!(record.user_id, Some(jane.id), "{backend}: user");
        assert_eq!(
            record.family_id.as_deref(),
            Some(issued.family.as_str()),
            "{backend}: family"
        );
        assert_eq!(record.code_digest.as_deref(), Some("code"), "{backend}: code");
        assert_eq!(record.sid.as_deref(), Some("sid-1"), "{backend}: sid");
        let (token, dead) = store.refresh_token(&issued.refresh).await.unwrap().expect("stored");
        assert!(!dead, "{backend}: live");
        assert_eq!(token.family_id, issued.family, "{backend}: family");
        assert_eq!(token.authorization.user_id, jane.id, "{backend}: user");
        assert_eq!(
            token.authorization.scopes,
            ["openid", "profile", "offline_access"],
            "{backend}"
        );

        // The family's later tokens are the code's too: a replay takes them all.
        let refreshed = refresh(&store, &issued.refresh).await;
        let replay = store.use_code("code", OffsetDateTime::now_utc()).await.unwrap();
        assert!(
            matches!(replay, tessera_oidc::storage::CodeUse::Replayed),
            "{backend}: {replay:?}"
        );
        assert!(
            all_dead(&store, &issued).await,
            "{backend}: the code's own tokens are revoked"
        );
        assert!(
            all_dead(&store, &refreshed).await,
            "{backend}: and its family's later ones"
        );
    }
}

#[tokio::test]
async fn issue_tokens_writes_nothing_once_its_guard_is_revoked() {
    for (backend, db) in each_backend("issue_tokens_writes_nothing_once_its_guard_is_revoked").await {
        let store = open(&db).await;
        let (_, issued) = jane_with_tokens(&store).await;
        let a = store
            .refresh_token(&issued.refresh)
            .await
            .unwrap()
            .unwrap()
            .0
            .authorization;
        // The code was replayed meanwhile: a late response for it must not be written.
        store.use_code("code", OffsetDateTime::now_utc()).await.unwrap();
        let late = Issuance {
            guard: IssueGuard::Code("code".into()),
            access_token: access_token("late-at", &a, Some("late-family"), Some("code")),
            refresh_token: Some(refresh_token("late-rt", "late-family", &a, Some("code"))),
        };
        assert!(!store.issue_tokens(&late).await.unwrap(), "{backend}: revoked code");
        assert!(
            store.access_token("late-at").await.unwrap().is_none(),
            "{backend}: no access token"
        );
        assert!(
            store.refresh_token("late-rt").await.unwrap().is_none(),
            "{backend}: no refresh token"
        );

        // Likewise for a family revoked between a rotation and its response.
        let jane = a.user_id;
        stored_code(&store, "code-2", authorization(jane, "demo-app", "sid-2")).await;
        let second = redeem(&store, "code-2").await;
        rotate(&store, &second.refresh, OffsetDateTime::now_utc()).await;
        store.revoke_family(&second.family).await.expect("revoke_family");
        let late = Issuance {
            guard: IssueGuard::Family(second.family.clone()),
            access_token: access_token("late-at-2", &a, Some(&second.family), None),
            refresh_token: Some(refresh_token("late-rt-2", &second.family, &a, None)),
        };
        assert!(!store.issue_tokens(&late).await.unwrap(), "{backend}: revoked family");
        assert!(store.access_token("late-at-2").await.unwrap().is_none(), "{backend}");
        assert!(store.refresh_token("late-rt-2").await.unwrap().is_none(), "{backend}");

        let unknown = Issuance {
            guard: IssueGuard::Family("no-such-family".into()),
            access_token: access_token("ghost-at", &a, Some("no-such-family"), None),
            refresh_token: None,
        };
        assert!(!store.issue_tokens(&unknown).await.unwrap(), "{backend}: unknown guard");
        assert!(store.access_token("ghost-at").await.unwrap().is_none(), "{backend}");
    }
}

/// The fault tests/chaos.rs found: the database went away between a rotation and the write
/// of its successor, the client kept its token (it got a 503), and its retry was taken for
/// theft. Here the successor cannot be written (its access token's id is taken): the
/// rotation must not happen either, and the token still rotates afterwards.
#[tokio::test]
async fn a_rotation_whose_successor_cannot_be_written_changes_nothing() {
    let test = "a_rotation_whose_successor_cannot_be_written_changes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let (_, issued) = jane_with_tokens(&store).await;
        let (mut successor, _) = successor_of(&store, &issued.refresh).await;
        successor.access_token.jti = issued.jti.clone();
        let failed = store
            .rotate_refresh_token(&issued.refresh, OffsetDateTime::now_utc(), &successor)
            .await;
        assert!(failed.is_err(), "{backend}: the successor's write fails: {failed:?}");
        assert!(
            all_live(&store, &issued).await,
            "{backend}: the presented token is untouched"
        );
        let written = store
            .refresh_token(&format!("{}+", issued.refresh))
            .await
            .expect("refresh_token");
        assert!(written.is_none(), "{backend}: no half of the successor");
        let again = refresh(&store, &issued.refresh).await;
        assert!(all_live(&store, &again).await, "{backend}: presented again, it rotates");
    }
}

#[tokio::test]
async fn a_refresh_token_rotates_once_and_its_reuse_revokes_the_family() {
    let test = "a_refresh_token_rotates_once_and_its_reuse_revokes_the_family";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let (jane, issued) = jane_with_tokens(&store).await;
        stored_code(&store, "bystander", authorization(jane.id, "demo-app", "sid-2")).await;
        let bystander = redeem(&store, "bystander").await;

        let now = OffsetDateTime::now_utc();
        let (RefreshUse::Rotated(old), successor) = rotate(&store, &issued.refresh, now).await else {
            panic!("{backend}: a live token rotates");
        };
        assert_eq!(old.digest, issued.refresh, "{backend}: the token presented");
        assert_eq!(old.authorization.sid, "sid-1", "{backend}: its authorization");
        assert!(
            refresh_dead(&store, &issued.refresh).await,
            "{backend}: rotated means dead"
        );
        assert!(
            all_live(&store, &successor).await,
            "{backend}: the successor is written with the rotation"
        );

        // The rotated token comes back (it leaked): the whole family goes, nothing else.
        match rotate(&store, &issued.refresh, now).await.0 {
            RefreshUse::Reused { client_id } => assert_eq!(client_id, "demo-app", "{backend}"),
            other => panic!("{backend}: expected Reused, got {other:?}"),
        }
        assert!(all_dead(&store, &issued).await, "{backend}: the family's first tokens");
        assert!(all_dead(&store, &successor).await, "{backend}: and the successor");
        assert!(
            all_live(&store, &bystander).await,
            "{backend}: another family is untouched"
        );
        let again = rotate(&store, &successor.refresh, now).await.0;
        assert!(
            !matches!(again, RefreshUse::Rotated(_)),
            "{backend}: the successor is dead: {again:?}"
        );
        let unknown = rotate(&store, "never-issued", now).await.0;
        assert!(
            matches!(unknown, RefreshUse::Unknown),
            "{backend}: unknown: {unknown:?}"
        );
        assert!(
            store.refresh_token("never-issued").await.unwrap().is_none(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_revoked_or_expired_refresh_token_does_not_rotate() {
    for (backend, db) in each_backend("a_revoked_or_expired_refresh_token_does_not_rotate").await {
        let store = open(&db).await;
        let (jane, issued) = jane_with_tokens(&store).await;
        let now = OffsetDateTime::now_utc();
        store.revoke_family(&issued.family).await.expect("revoke_family");
        let used = rotate(&store, &issued.refresh, now).await.0;
        assert!(
            matches!(used, RefreshUse::Revoked),
            "{backend}: revoked on purpose: {used:?}"
        );
        assert!(refresh_dead(&store, &issued.refresh).await, "{backend}: still dead");

        // Past its own end, or its family's: not rotated, and nothing is revoked for it.
        stored_code(&store, "code-2", authorization(jane.id, "demo-app", "sid-2")).await;
        let second = redeem(&store, "code-2").await;
        for (what, at) in [
            ("its own end", now + Duration::days(7) + Duration::seconds(1)),
            ("its family's end", now + Duration::days(30) + Duration::seconds(1)),
        ] {
            let used = rotate(&store, &second.refresh, at).await.0;
            assert!(matches!(used, RefreshUse::Unknown), "{backend}: after {what}: {used:?}");
        }
        assert!(
            all_live(&store, &second).await,
            "{backend}: an expired token revokes nothing"
        );
        let used = rotate(&store, &second.refresh, now).await.0;
        assert!(
            matches!(used, RefreshUse::Rotated(_)),
            "{backend}: it was live all along: {used:?}"
        );
    }
}

#[tokio::test]
async fn revoke_family_ends_its_tokens_only() {
    for (backend, db) in each_backend("revoke_family_ends_its_tokens_only").await {
        let store = open(&db).await;
        let (jane, issued) = jane_with_tokens(&store).await;
        let successor = refresh(&store, &issued.refresh).await;
        stored_code(&store, "code-2", authorization(jane.id, "demo-app", "sid-1")).await;
        let other_family = redeem(&store, "code-2").await;

        store.revoke_family(&issued.family).await.expect("revoke_family");
        assert!(all_dead(&store, &issued).await, "{backend}: first tokens");
        assert!(all_dead(&store, &successor).await, "{backend}: rotated ones");
        assert!(
            all_live(&store, &other_family).await,
            "{backend}: another family of the same app"
        );
        store
            .revoke_family(&issued.family)
            .await
            .expect("revoking twice is fine");
        store
            .revoke_family("no-such-family")
            .await
            .expect("an unknown family is harmless");
        assert!(all_live(&store, &other_family).await, "{backend}: still untouched");
    }
}

#[tokio::test]
async fn an_access_token_record_round_trips_and_can_be_revoked_alone() {
    let test = "an_access_token_record_round_trips_and_can_be_revoked_alone";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        // Client credentials: nobody's token, from no code or family.
        let machine = tessera_oidc::storage::AccessTokenRecord {
            jti: "cc-1".into(),
            client_id: "backend-job".into(),
            user_id: None,
            scopes: vec!["reports:read".into(), "reports:write".into()],
            family_id: None,
            code_digest: None,
            sid: None,
            expires_at: now + Duration::minutes(5),
        };
        store.record_access_token(&machine).await.expect("record_access_token");
        let personal = access_token("at-1", &authorization(jane.id, "demo-app", "sid-1"), None, None);
        store.record_access_token(&personal).await.expect("record_access_token");

        let (read, revoked) = store.access_token("cc-1").await.unwrap().expect("recorded");
        assert!(!revoked, "{backend}: live");
        assert_eq!(read.client_id, "backend-job", "{backend}: client");
        assert_eq!(read.user_id, None, "{backend}: nobody's");
        assert_eq!(read.scopes, machine.scopes, "{backend}: scopes");
        let empty = (&read.family_id, &read.code_digest, &read.sid);
        assert_eq!(empty, (&None, &None, &None), "{backend}: no family, code or session");
        assert_eq!(read.expires_at, to_second(machine.expires_at), "{backend}: expires_at");
        let (read, _) = store.access_token("at-1").await.unwrap().expect("recorded");
        assert_eq!(
            (read.user_id, read.sid.as_deref()),
            (Some(jane.id), Some("sid-1")),
            "{backend}"
        );

        assert!(
            store.record_access_token(&machine).await.is_err(),
            "{backend}: the same jti twice"
        );
        store.revoke_access_token("cc-1").await.expect("revoke_access_token");
        assert!(access_revoked(&store, "cc-1").await, "{backend}: revoked");
        assert!(
            !access_revoked(&store, "at-1").await,
            "{backend}: another token is untouched"
        );
        store.revoke_access_token("cc-1").await.expect("revoking twice is fine");
        store
            .revoke_access_token("unknown")
            .await
            .expect("an unknown jti is harmless");
        assert!(
            store.access_token("unknown").await.unwrap().is_none(),
            "{backend}: unknown jti"
        );
    }
}

#[tokio::test]
async fn clients_of_session_names_each_app_once_from_access_or_refresh_tokens() {
    let test = "clients_of_session_names_each_app_once_from_access_or_refresh_tokens";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        assert!(
            store.clients_of_session("sid-1").await.unwrap().is_empty(),
            "{backend}: none yet"
        );
        // zeta: two codes redeemed; mid: only a refresh token left once the access-token
        // records are purged; alpha: an access token only; other: another session.
        for (digest, client, sid) in [
            ("z1", "zeta", "sid-1"),
            ("z2", "zeta", "sid-1"),
            ("m1", "mid", "sid-1"),
            ("o1", "other", "sid-2"),
        ] {
            stored_code(&store, digest, authorization(jane.id, client, sid)).await;
            redeem(&store, digest).await;
        }
        let purged_later = OffsetDateTime::now_utc() + Duration::hours(1);
        store
            .purge_expired(purged_later, purged_later - Duration::days(1))
            .await
            .expect("purge_expired");
        assert!(
            store.access_token("m1-at").await.unwrap().is_none(),
            "{backend}: m1's record is gone"
        );
        let alpha = access_token("alpha-at", &authorization(jane.id, "alpha", "sid-1"), None, None);
        store.record_access_token(&alpha).await.unwrap();

        let mut clients = store.clients_of_session("sid-1").await.expect("clients_of_session");
        clients.sort();
        assert_eq!(
            clients,
            ["alpha", "mid", "zeta"],
            "{backend}: refresh tokens outlive access tokens"
        );
        assert_eq!(store.clients_of_session("sid-2").await.unwrap(), ["other"], "{backend}");
        assert!(
            store.clients_of_session("unknown").await.unwrap().is_empty(),
            "{backend}"
        );
    }
}
