//! SecondFactorStore: authenticator apps, recovery codes, passkeys and the ceremonies in
//! flight; every single-use rule is one conditional statement, on both backends.

use serde_json::json;
use tessera_core::factors::{Ceremony, CeremonyPurpose, FactorSummary, SecondFactorStore, StoredPasskey};
use tessera_core::jobs::Effects;
use tessera_core::store::{AuditStore, NewEvent};

use super::*;

fn event(kind: &str, user: UserId) -> Effects {
    Effects {
        events: vec![NewEvent::new(kind, Some(user), json!({}))],
        jobs: Vec::new(),
    }
}

async fn kinds(store: &SqlStore) -> Vec<String> {
    let mut kinds: Vec<String> = store
        .recent_events(100)
        .await
        .expect("recent_events")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    kinds.sort();
    kinds
}

fn digests(tag: &str) -> Vec<String> {
    (0..3).map(|i| format!("{tag}-{i}")).collect()
}

fn passkey(id: &str, user: UserId, at: OffsetDateTime) -> StoredPasskey {
    StoredPasskey {
        credential_id: id.to_owned(),
        user_id: user,
        name: format!("key {id}"),
        passkey: json!({ "id": id }).to_string(),
        created_at: at,
        last_used_at: None,
    }
}

#[tokio::test]
async fn an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once() {
    for (backend, db) in
        each_backend("an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once").await
    {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        assert_eq!(
            store.factor_summary(jane.id).await.unwrap(),
            FactorSummary::default(),
            "{backend}"
        );
        assert!(store.totp_factor(jane.id).await.unwrap().is_none(), "{backend}");
        assert!(
            !store.accept_totp_step(jane.id, 5).await.unwrap(),
            "{backend}: no app, no step"
        );

        store.begin_totp(jane.id, "sealed-1", now).await.expect("begin_totp");
        store
            .begin_totp(jane.id, "sealed-2", now)
            .await
            .expect("a restart replaces it");
        let pending = store.totp_factor(jane.id).await.unwrap().expect("pending");
        assert_eq!(
            (pending.sealed_secret.as_str(), pending.confirmed),
            ("sealed-2", false),
            "{backend}"
        );
        assert!(
            !store.accept_totp_step(jane.id, 5).await.unwrap(),
            "{backend}: not yet confirmed"
        );
        assert!(
            !store.factor_summary(jane.id).await.unwrap().any(),
            "{backend}: pending is no factor"
        );

        let confirmed = store
            .confirm_totp_with(jane.id, 10, &digests("a"), now, &event("totp.on", jane.id))
            .await
            .unwrap();
        assert!(confirmed, "{backend}");
        let again = store
            .confirm_totp_with(jane.id, 11, &digests("b"), now, &event("totp.twice", jane.id))
            .await
            .unwrap();
        assert!(!again, "{backend}: confirmed once");
        assert_eq!(
            kinds(&store).await,
            ["totp.on"],
            "{backend}: effects only with the change"
        );
        let summary = store.factor_summary(jane.id).await.unwrap();
        assert!(
            summary.totp && summary.recovery_codes_left == 3,
            "{backend}: {summary:?}"
        );
        expect_conflict(
            store.begin_totp(jane.id, "sealed-3", now).await,
            "authenticator app",
            backend,
        );

        assert!(
            !store.accept_totp_step(jane.id, 10).await.unwrap(),
            "{backend}: the confirming step"
        );
        assert!(
            store.accept_totp_step(jane.id, 11).await.unwrap(),
            "{backend}: a newer step"
        );
        assert!(
            !store.accept_totp_step(jane.id, 11).await.unwrap(),
            "{backend}: the same step again"
        );
        assert!(
            !store.accept_totp_step(jane.id, 9).await.unwrap(),
            "{backend}: an older step"
        );

        assert!(
            store
                .remove_totp_with(jane.id, &event("totp.off", jane.id))
                .await
                .unwrap(),
            "{backend}"
        );
        assert!(
            !store
                .remove_totp_with(jane.id, &event("totp.gone", jane.id))
                .await
                .unwrap(),
            "{backend}"
        );
        assert_eq!(
            store.factor_summary(jane.id).await.unwrap(),
            FactorSummary::default(),
            "{backend}: the codes went with the last factor"
        );
        assert_eq!(kinds(&store).await, ["totp.off", "totp.on"], "{backend}");
    }
}

#[tokio::test]
async fn a_recovery_code_is_used_once_and_a_new_set_replaces_the_old() {
    for (backend, db) in each_backend("a_recovery_code_is_used_once_and_a_new_set_replaces_the_old").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let bob = create(&store, "bob", None).await;
        let now = OffsetDateTime::now_utc();
        store
            .replace_recovery_codes_with(jane.id, &digests("a"), now, &Effects::none())
            .await
            .unwrap();
        let used = store
            .use_recovery_code_with(jane.id, "a-1", now, &event("code.used", jane.id))
            .await
            .unwrap();
        assert!(used, "{backend}");
        for (user, digest, why) in [(jane.id, "a-1", "used already"), (bob.id, "a-2", "another account's")] {
            let used = store
                .use_recovery_code_with(user, digest, now, &event("code.refused", user))
                .await
                .unwrap();
            assert!(!used, "{backend}: {why}");
        }
        assert_eq!(kinds(&store).await, ["code.used"], "{backend}");
        assert_eq!(
            store.factor_summary(jane.id).await.unwrap().recovery_codes_left,
            2,
            "{backend}"
        );
        store
            .replace_recovery_codes_with(jane.id, &digests("b"), now, &event("codes.new", jane.id))
            .await
            .unwrap();
        let old = store
            .use_recovery_code_with(jane.id, "a-0", now, &Effects::none())
            .await
            .unwrap();
        assert!(!old, "{backend}: the old set is gone");
        assert_eq!(
            store.factor_summary(jane.id).await.unwrap().recovery_codes_left,
            3,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session() {
    for (backend, db) in
        each_backend("a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session").await
    {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let bob = create(&store, "bob", None).await;
        let now = to_second(OffsetDateTime::now_utc());
        store
            .add_passkey_with(&passkey("k1", jane.id, now), &event("pk.added", jane.id))
            .await
            .unwrap();
        store
            .add_passkey_with(&passkey("k2", jane.id, now + Duration::seconds(1)), &Effects::none())
            .await
            .unwrap();
        let taken = store
            .add_passkey_with(&passkey("k1", bob.id, now), &event("pk.stolen", bob.id))
            .await;
        expect_conflict(taken, "passkey", backend);
        assert_eq!(
            kinds(&store).await,
            ["pk.added"],
            "{backend}: nothing written for the conflict"
        );

        let listed: Vec<String> = store
            .passkeys_of(jane.id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.credential_id)
            .collect();
        assert_eq!(listed, ["k1", "k2"], "{backend}: oldest first");
        let read = store.passkey("k1").await.unwrap().expect("k1");
        assert_eq!(
            (read.user_id, read.name.as_str(), read.created_at),
            (jane.id, "key k1", now),
            "{backend}"
        );
        assert!(read.last_used_at.is_none(), "{backend}");
        store
            .passkey_used("k1", "{\"counter\":2}", now + Duration::minutes(1))
            .await
            .unwrap();
        let used = store.passkey("k1").await.unwrap().expect("k1");
        assert_eq!(used.passkey, "{\"counter\":2}", "{backend}");
        assert_eq!(used.last_used_at, Some(now + Duration::minutes(1)), "{backend}");
        assert!(store.passkey("nope").await.unwrap().is_none(), "{backend}");

        assert!(
            !store.remove_passkey_with(bob.id, "k2", &Effects::none()).await.unwrap(),
            "{backend}: not bob's"
        );
        assert!(
            store
                .remove_passkey_with(jane.id, "k2", &Effects::none())
                .await
                .unwrap(),
            "{backend}"
        );

        store.begin_totp(jane.id, "sealed", now).await.unwrap();
        store
            .confirm_totp_with(jane.id, 1, &digests("a"), now, &Effects::none())
            .await
            .unwrap();
        store
            .add_passkey_with(&passkey("b1", bob.id, now), &Effects::none())
            .await
            .unwrap();
        sign_in(&store, "jane-1", jane.id).await;
        sign_in(&store, "jane-2", jane.id).await;
        sign_in(&store, "bob-1", bob.id).await;
        let ended = store.end_other_sessions(jane.id, "jane-1").await.unwrap();
        assert_eq!(ended, 1, "{backend}");
        assert!(
            has_session(&store, "jane-1").await && !has_session(&store, "jane-2").await,
            "{backend}"
        );

        let removed = store
            .reset_factors_with(jane.id, &event("reset", jane.id))
            .await
            .unwrap();
        assert!(removed.totp, "{backend}");
        assert_eq!(
            (removed.passkeys, removed.recovery_codes, removed.sessions),
            (1, 3, 1),
            "{backend}"
        );
        assert_eq!(
            store.factor_summary(jane.id).await.unwrap(),
            FactorSummary::default(),
            "{backend}"
        );
        assert!(has_session(&store, "bob-1").await, "{backend}: bob's session stays");
        assert_eq!(
            store.factor_summary(bob.id).await.unwrap().passkeys,
            1,
            "{backend}: bob's passkey stays"
        );
        assert!(kinds(&store).await.contains(&"reset".to_owned()), "{backend}");
    }
}

#[tokio::test]
async fn a_ceremony_is_read_until_taken_once_and_expired_ones_are_cleaned_up() {
    for (backend, db) in each_backend("a_ceremony_is_read_until_taken_once_and_expired_ones_are_cleaned_up").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let ceremony = |id: &str, user: Option<UserId>, expires_at: OffsetDateTime| Ceremony {
            id_digest: id.to_owned(),
            browser: "browser-1".into(),
            user_id: user,
            purpose: CeremonyPurpose::SecondStep,
            state: "{\"amr\":[\"pwd\"]}".into(),
            expires_at,
        };
        store
            .create_ceremony(&ceremony("c1", Some(jane.id), now + Duration::minutes(5)))
            .await
            .unwrap();
        store
            .create_ceremony(&ceremony("c2", None, now - Duration::seconds(1)))
            .await
            .unwrap();
        let read = store.ceremony("c1", now).await.unwrap().expect("c1");
        assert_eq!(
            (read.user_id, read.purpose, read.browser.as_str(), read.state.as_str()),
            (
                Some(jane.id),
                CeremonyPurpose::SecondStep,
                "browser-1",
                "{\"amr\":[\"pwd\"]}"
            ),
            "{backend}"
        );
        assert!(
            store.ceremony("c1", now).await.unwrap().is_some(),
            "{backend}: reading keeps it"
        );
        assert!(store.ceremony("c2", now).await.unwrap().is_none(), "{backend}: expired");
        assert!(
            store.take_ceremony("c2", now).await.unwrap().is_none(),
            "{backend}: expired is never taken"
        );
        assert!(store.take_ceremony("c1", now).await.unwrap().is_some(), "{backend}");
        assert!(
            store.take_ceremony("c1", now).await.unwrap().is_none(),
            "{backend}: taken once"
        );
        store
            .create_ceremony(&ceremony("c3", None, now - Duration::seconds(1)))
            .await
            .unwrap();
        store
            .create_ceremony(&ceremony("c4", None, now + Duration::minutes(5)))
            .await
            .unwrap();
        assert_eq!(
            store.delete_stale_ceremonies(now).await.unwrap(),
            1,
            "{backend}: c3 only"
        );
        assert!(store.ceremony("c4", now).await.unwrap().is_some(), "{backend}");
    }
}
