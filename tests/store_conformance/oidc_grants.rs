//! CodeStore, GrantStore, KeyStore, PendingStore, TokenStore: remembered consent and what withdrawing it ends; the clean-up of expired
//! records; and the account changes whose doc comments promise that app tokens end.

use EmailTokenPurpose::{ResetPassword, UndoEmailChange};
use tessera_core::jobs::Effects;
use tessera_core::store::{AuditStore, UndoneChange};
use tessera_oidc::storage::{CodeStore, CodeUse, GrantStore, PendingStore, TokenStore};

use super::oidc_fixtures::{
    access_token, all_dead, all_live, authorization, pending, redeem, refresh_token, stored_code, stored_code_until,
};
use super::*;

fn scopes(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[tokio::test]
async fn a_grant_round_trips_and_saving_it_again_replaces_it() {
    for (backend, db) in each_backend("a_grant_round_trips_and_saving_it_again_replaces_it").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        let then = OffsetDateTime::now_utc() - Duration::days(3);
        assert!(
            store.grant(jane.id, "demo-app").await.unwrap().is_none(),
            "{backend}: no consent yet"
        );
        assert!(
            store.grants_of(jane.id).await.unwrap().is_empty(),
            "{backend}: none at all"
        );

        let first = scopes(&["openid", "profile"]);
        store
            .save_grant(jane.id, "zeta-app", &first, then)
            .await
            .expect("save_grant");
        store
            .save_grant(jane.id, "demo-app", &first, then)
            .await
            .expect("save_grant");
        let grant = store.grant(jane.id, "demo-app").await.unwrap().expect("saved");
        assert_eq!(grant.client_id, "demo-app", "{backend}: client");
        assert_eq!(grant.scopes, first, "{backend}: scopes");
        assert_eq!(grant.granted_at, to_second(then), "{backend}: granted_at");

        let now = OffsetDateTime::now_utc();
        let wider = scopes(&["openid", "profile", "email", "offline_access"]);
        store
            .save_grant(jane.id, "demo-app", &wider, now)
            .await
            .expect("save_grant again");
        let grant = store.grant(jane.id, "demo-app").await.unwrap().expect("saved");
        assert_eq!(
            (grant.scopes, grant.granted_at),
            (wider, to_second(now)),
            "{backend}: replaced"
        );

        let mut clients: Vec<_> = store
            .grants_of(jane.id)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.client_id)
            .collect();
        clients.sort();
        assert_eq!(clients, ["demo-app", "zeta-app"], "{backend}: one grant per app");
        assert!(
            store.grants_of(john.id).await.unwrap().is_empty(),
            "{backend}: john consented to nothing"
        );
        assert!(
            store.grant(john.id, "demo-app").await.unwrap().is_none(),
            "{backend}: per person"
        );
        let orphan = store.save_grant(UserId::new(), "demo-app", &first, now).await;
        assert!(orphan.is_err(), "{backend}: a grant of an unknown account: {orphan:?}");
    }
}

#[tokio::test]
async fn revoke_grant_forgets_the_consent_and_ends_that_apps_tokens_for_that_person_only() {
    let test = "revoke_grant_forgets_the_consent_and_ends_that_apps_tokens_for_that_person_only";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        let now = OffsetDateTime::now_utc();
        for (user, client) in [(&jane, "demo-app"), (&jane, "other-app"), (&john, "demo-app")] {
            store
                .save_grant(user.id, client, &scopes(&["openid"]), now)
                .await
                .unwrap();
        }
        stored_code(&store, "jane-demo", authorization(jane.id, "demo-app", "sid-j")).await;
        let jane_demo = redeem(&store, "jane-demo").await;
        stored_code(&store, "jane-demo-unused", authorization(jane.id, "demo-app", "sid-j")).await;
        stored_code(&store, "jane-other", authorization(jane.id, "other-app", "sid-j")).await;
        let jane_other = redeem(&store, "jane-other").await;
        stored_code(&store, "john-demo", authorization(john.id, "demo-app", "sid-k")).await;
        let john_demo = redeem(&store, "john-demo").await;

        assert!(
            store.revoke_grant(jane.id, "demo-app").await.unwrap(),
            "{backend}: there was one"
        );
        assert!(
            store.grant(jane.id, "demo-app").await.unwrap().is_none(),
            "{backend}: forgotten"
        );
        assert!(
            all_dead(&store, &jane_demo).await,
            "{backend}: jane's demo-app tokens end"
        );
        let unused = store.use_code("jane-demo-unused", now).await.unwrap();
        assert!(
            matches!(unused, CodeUse::Unknown),
            "{backend}: and her unused code: {unused:?}"
        );
        assert!(
            all_live(&store, &jane_other).await,
            "{backend}: her other app keeps its tokens"
        );
        assert!(
            store.grant(jane.id, "other-app").await.unwrap().is_some(),
            "{backend}: and consent"
        );
        assert!(
            all_live(&store, &john_demo).await,
            "{backend}: john's demo-app tokens stay"
        );
        assert!(
            store.grant(john.id, "demo-app").await.unwrap().is_some(),
            "{backend}: john's consent"
        );
        assert!(
            !store.revoke_grant(jane.id, "demo-app").await.unwrap(),
            "{backend}: not any more"
        );
        assert!(
            !store.revoke_grant(UserId::new(), "demo-app").await.unwrap(),
            "{backend}: unknown"
        );
    }
}

#[tokio::test]
async fn purge_expired_deletes_what_has_expired_and_keeps_what_is_live() {
    let test = "purge_expired_deletes_what_has_expired_and_keeps_what_is_live";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let auth = authorization(jane.id, "demo-app", "sid-1");
        for (id, ends) in [
            ("old-request", now - Duration::minutes(1)),
            ("live-request", now + Duration::minutes(5)),
        ] {
            store.create_pending(&pending(id, "demo-app", ends)).await.unwrap();
        }
        let old_at = access_token("old-at", &auth, None, None);
        let old_at = tessera_oidc::storage::AccessTokenRecord {
            expires_at: now - Duration::minutes(1),
            ..old_at
        };
        store.record_access_token(&old_at).await.unwrap();
        store
            .record_access_token(&access_token("live-at", &auth, None, None))
            .await
            .unwrap();
        // Used codes: one expired two days ago, one a minute ago (kept a day, so that a late
        // replay still revokes what it issued), one live.
        for (digest, ends) in [
            ("ancient-code", now - Duration::days(2)),
            ("recent-code", now - Duration::minutes(1)),
        ] {
            stored_code_until(&store, digest, auth.clone(), ends).await;
            store.use_code(digest, now).await.unwrap();
        }
        stored_code(&store, "live-code", auth.clone()).await;
        let live = redeem(&store, "live-code").await;
        let ended_family = tessera_oidc::storage::Issuance {
            guard: tessera_oidc::storage::IssueGuard::Code("live-code".into()),
            access_token: access_token("family-at", &auth, Some("old-family"), Some("live-code")),
            refresh_token: Some(tessera_oidc::storage::NewRefreshToken {
                family_expires_at: now - Duration::seconds(1),
                expires_at: now - Duration::seconds(1),
                ..refresh_token("old-rt", "old-family", &auth, Some("live-code"))
            }),
        };
        assert!(
            store.issue_tokens(&ended_family).await.unwrap(),
            "{backend}: an ended family"
        );

        let removed = store
            .purge_expired(now, now - Duration::days(1))
            .await
            .expect("purge_expired");
        assert!(removed >= 5, "{backend}: removed {removed}");
        let earlier = now - Duration::minutes(20);
        assert!(
            store.pending("old-request", earlier).await.unwrap().is_none(),
            "{backend}: deleted"
        );
        assert!(
            store.pending("live-request", now).await.unwrap().is_some(),
            "{backend}: kept"
        );
        assert!(
            store.access_token("old-at").await.unwrap().is_none(),
            "{backend}: expired jti"
        );
        assert!(
            store.access_token("live-at").await.unwrap().is_some(),
            "{backend}: live jti"
        );
        assert!(
            store.refresh_token("old-rt").await.unwrap().is_none(),
            "{backend}: ended family"
        );
        assert!(
            all_live(&store, &live).await,
            "{backend}: the live family and its access token"
        );
        let ancient = store.use_code("ancient-code", now).await.unwrap();
        assert!(
            matches!(ancient, CodeUse::Unknown),
            "{backend}: long-expired code deleted: {ancient:?}"
        );
        let recent = store.use_code("recent-code", now).await.unwrap();
        assert!(
            matches!(recent, CodeUse::Replayed),
            "{backend}: a recent code is still known: {recent:?}"
        );
        assert_eq!(
            store.purge_expired(now, now - Duration::days(1)).await.unwrap(),
            0,
            "{backend}: nothing left to purge"
        );
    }
}

/// Jane (proven `jane@example.com`) with live tokens of two apps; john with his own.
async fn two_people_with_tokens(
    store: &SqlStore,
) -> (User, Vec<super::oidc_fixtures::Issued>, super::oidc_fixtures::Issued) {
    let jane = create_verified(store, "jane", "jane@example.com", "old").await;
    let john = create_verified(store, "john", "john@example.com", "johns").await;
    let mut janes = Vec::new();
    for client in ["demo-app", "other-app"] {
        let digest = format!("jane-{client}");
        stored_code(store, &digest, authorization(jane.id, client, "sid-j")).await;
        janes.push(redeem(store, &digest).await);
    }
    stored_code(store, "john-demo", authorization(john.id, "demo-app", "sid-k")).await;
    let johns = redeem(store, "john-demo").await;
    (jane, janes, johns)
}

#[tokio::test]
async fn a_password_reset_revokes_every_app_token_of_the_account() {
    for (backend, db) in each_backend("a_password_reset_revokes_every_app_token_of_the_account").await {
        let store = open(&db).await;
        let (jane, janes, johns) = two_people_with_tokens(&store).await;
        stored_code(&store, "jane-unused", authorization(jane.id, "demo-app", "sid-j")).await;
        issue(
            &store,
            "reset",
            &jane,
            ResetPassword,
            OffsetDateTime::now_utc() + Duration::hours(1),
        )
        .await;
        let proof = store
            .reset_password("reset", "new", OffsetDateTime::now_utc())
            .await
            .unwrap();
        assert!(proven(proof).is_some(), "{backend}: the reset worked");
        for issued in &janes {
            assert!(all_dead(&store, issued).await, "{backend}: {issued:?} ended");
        }
        let unused = store.use_code("jane-unused", OffsetDateTime::now_utc()).await.unwrap();
        assert!(
            matches!(unused, CodeUse::Unknown),
            "{backend}: her unused code too: {unused:?}"
        );
        assert!(all_live(&store, &johns).await, "{backend}: john's tokens stay");
    }
}

#[tokio::test]
async fn undoing_a_confirmed_email_change_revokes_the_accounts_app_tokens() {
    let test = "undoing_a_confirmed_email_change_revokes_the_accounts_app_tokens";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let (jane, janes, johns) = two_people_with_tokens(&store).await;
        let later = OffsetDateTime::now_utc() + Duration::hours(1);
        let asked = store
            .request_email_change(jane.id, &email("thief@example.com"), &Effects::none())
            .await
            .unwrap();
        issue_to(&store, "undo", &asked, "jane@example.com", UndoEmailChange, later).await;
        issue_to(
            &store,
            "change",
            &asked,
            "thief@example.com",
            EmailTokenPurpose::ConfirmEmailChange,
            later,
        )
        .await;
        assert!(proven(store.confirm_email("change", OffsetDateTime::now_utc()).await.unwrap()).is_some());
        let undone = store
            .undo_email_change_with("undo", OffsetDateTime::now_utc(), &|_| Effects::none())
            .await
            .unwrap();
        assert!(
            matches!(undone, Some(UndoneChange::Reverted(_))),
            "{backend}: {undone:?}"
        );
        for issued in &janes {
            assert!(all_dead(&store, issued).await, "{backend}: {issued:?} ended");
        }
        assert!(all_live(&store, &johns).await, "{backend}: john's tokens stay");
    }
}

/// The event an admin change carries, to see that it is written with the change.
fn admin_effects(kind: &str, user: UserId) -> Effects {
    Effects {
        events: vec![tessera_core::store::NewEvent::new(
            kind,
            Some(user),
            serde_json::json!({}),
        )],
        jobs: Vec::new(),
    }
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_and_enabling_keeps_them_ended() {
    let test = "disabling_an_account_ends_its_sessions_and_tokens_and_enabling_keeps_them_ended";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let (jane, janes, johns) = two_people_with_tokens(&store).await;
        let now = OffsetDateTime::now_utc();
        let john = store.user_by_username("john").await.unwrap().expect("john");
        store
            .create_session(&session("jane-laptop", jane.id, now, now + Duration::hours(1)))
            .await
            .unwrap();
        store
            .create_session(&session("john-laptop", john.id, now, now + Duration::hours(1)))
            .await
            .unwrap();

        let off = store
            .set_active_with(jane.id, false, &admin_effects("admin.user_disabled", jane.id))
            .await
            .unwrap();
        assert!(!off.is_active, "{backend}: disabled");
        assert!(
            !has_session(&store, "jane-laptop").await,
            "{backend}: her session ended"
        );
        for issued in &janes {
            assert!(all_dead(&store, issued).await, "{backend}: {issued:?} revoked");
        }
        assert!(
            has_session(&store, "john-laptop").await,
            "{backend}: john's session stays"
        );
        assert!(all_live(&store, &johns).await, "{backend}: john's tokens stay");

        let on = store
            .set_active_with(jane.id, true, &admin_effects("admin.user_enabled", jane.id))
            .await
            .unwrap();
        assert!(on.is_active && !on.awaiting_activation, "{backend}: enabled");
        for issued in &janes {
            assert!(all_dead(&store, issued).await, "{backend}: enabling revives nothing");
        }
        let kinds: Vec<String> = store
            .recent_events(10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            ["admin.user_enabled", "admin.user_disabled"],
            "{backend}: one event each"
        );
        let ghost = store
            .set_active_with(UserId::new(), false, &admin_effects("ghost", jane.id))
            .await;
        expect_not_found(ghost, &format!("{backend}: set_active_with of an unknown account"));
        assert_eq!(
            store.recent_events(10).await.unwrap().len(),
            2,
            "{backend}: a refused change writes no event"
        );
    }
}

#[tokio::test]
async fn revoke_tokens_with_revokes_one_accounts_tokens_and_keeps_its_sessions() {
    for (backend, db) in each_backend("revoke_tokens_with_revokes_one_accounts_tokens_and_keeps_its_sessions").await {
        let store = open(&db).await;
        let (jane, janes, johns) = two_people_with_tokens(&store).await;
        let now = OffsetDateTime::now_utc();
        store
            .create_session(&session("jane-laptop", jane.id, now, now + Duration::hours(1)))
            .await
            .unwrap();
        store
            .revoke_tokens_with(jane.id, &admin_effects("admin.tokens_revoked", jane.id))
            .await
            .unwrap();
        for issued in &janes {
            assert!(all_dead(&store, issued).await, "{backend}: {issued:?} revoked");
        }
        assert!(all_live(&store, &johns).await, "{backend}: john's tokens stay");
        assert!(has_session(&store, "jane-laptop").await, "{backend}: her session stays");
        assert!(
            store.user_by_id(jane.id).await.unwrap().expect("jane").is_active,
            "{backend}: still active"
        );
        let events = store.recent_events(10).await.unwrap();
        assert_eq!(events.len(), 1, "{backend}: its event");
        assert_eq!(events[0].kind, "admin.tokens_revoked");
    }
}
