//! Effects (audit events and jobs) are written in the same transaction as the change that
//! causes them: with it, or not at all when the change is refused.

use EmailTokenPurpose::{ConfirmEmail, ResetPassword, UndoEmailChange};
use serde_json::json;
use tessera_core::identity::{IdentityStore, LinkedIdentity};
use tessera_core::jobs::{Effects, JobStore, NewJob};
use tessera_core::store::{AuditStore, NewEvent, Proof, UndoneChange};

use super::*;

/// One audit event `TAG.event` (about `user`) and one job `TAG.job`.
fn effects(tag: &str, user: Option<UserId>) -> Effects {
    Effects {
        events: vec![NewEvent::new(&format!("{tag}.event"), user, json!({ "tag": tag }))],
        jobs: vec![NewJob::new(&format!("{tag}.job"), json!({ "tag": tag })).key(tag)],
    }
}

/// The tags whose effects were written, each as (event's user, event tag, job tag).
async fn written(store: &SqlStore) -> Vec<(Option<UserId>, String)> {
    let events = store.recent_events(100).await.expect("recent_events");
    let jobs = store.jobs(None, 100).await.expect("jobs");
    let mut tags: Vec<_> = events
        .iter()
        .map(|e| (e.user_id, e.kind.trim_end_matches(".event").to_owned()))
        .collect();
    tags.sort_by(|a, b| a.1.cmp(&b.1));
    let mut job_tags: Vec<_> = jobs
        .iter()
        .map(|j| j.kind.trim_end_matches(".job").to_owned())
        .collect();
    job_tags.sort();
    let event_tags: Vec<_> = tags.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(
        event_tags, job_tags,
        "every change wrote its event and its job together"
    );
    tags
}

fn tags(written: &[(Option<UserId>, String)]) -> Vec<&str> {
    written.iter().map(|(_, t)| t.as_str()).collect()
}

#[tokio::test]
async fn create_user_with_writes_its_effects_only_with_the_account() {
    for (backend, db) in each_backend("create_user_with_writes_its_effects_only_with_the_account").await {
        let store = open(&db).await;
        let new = new_user("jane", Some("jane@example.com"));
        store
            .create_user_with(&new, &effects("created", Some(new.id)))
            .await
            .expect("create_user_with");
        assert_eq!(
            written(&store).await,
            [(Some(new.id), "created".to_owned())],
            "{backend}"
        );

        let taken = new_user("JANE", None);
        let result = store
            .create_user_with(&taken, &effects("refused", Some(taken.id)))
            .await;
        expect_conflict(result, "username", &format!("{backend}: a taken username"));
        assert_eq!(
            tags(&written(&store).await),
            ["created"],
            "{backend}: nothing of the refusal"
        );
    }
}

#[tokio::test]
async fn account_changes_write_their_effects_only_when_they_happen() {
    for (backend, db) in each_backend("account_changes_write_their_effects_only_when_they_happen").await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "old").await;
        create_verified(&store, "john", "john@example.com", "johns").await;
        let ghost = UserId::new();

        let update = profile("Jane", "Doe");
        store
            .update_profile_with(jane.id, &update, &effects("profile", Some(jane.id)))
            .await
            .unwrap();
        let result = store
            .update_profile_with(ghost, &update, &effects("ghost-profile", None))
            .await;
        expect_not_found(result, &format!("{backend}: update_profile_with of an unknown account"));

        store
            .set_password_with(jane.id, "new", None, &effects("password", Some(jane.id)))
            .await
            .unwrap();
        assert_eq!(password_of(&store, jane.id).await.as_deref(), Some("new"), "{backend}");
        let result = store
            .set_password_with(ghost, "x", None, &effects("ghost-password", None))
            .await;
        expect_not_found(result, &format!("{backend}: set_password_with of an unknown account"));

        let new = email("jane@elsewhere.example");
        store
            .request_email_change(jane.id, &new, &effects("change", Some(jane.id)))
            .await
            .unwrap();
        let taken = email("john@example.com");
        let result = store
            .request_email_change(jane.id, &taken, &effects("taken-change", None))
            .await;
        expect_conflict(result, "email", &format!("{backend}: a change to john's address"));
        let result = store
            .request_email_change(ghost, &new, &effects("ghost-change", None))
            .await;
        expect_not_found(result, &format!("{backend}: a change of an unknown account"));

        let expected = ["change", "password", "profile"];
        assert_eq!(
            tags(&written(&store).await),
            expected,
            "{backend}: only the changes that happened"
        );
    }
}

#[tokio::test]
async fn mailed_links_write_their_effects_only_when_they_work() {
    for (backend, db) in each_backend("mailed_links_write_their_effects_only_when_they_work").await {
        let store = open(&db).await;
        let later = OffsetDateTime::now_utc() + Duration::hours(1);
        let earlier = OffsetDateTime::now_utc() - Duration::minutes(1);
        let now = OffsetDateTime::now_utc;
        let squatter = create(&store, "squatter", Some("jane@example.com")).await;
        let jane = create(&store, "jane", Some("jane@example.com")).await;
        issue(&store, "squatter-confirm", &squatter, ConfirmEmail, later).await;
        issue(&store, "jane-confirm", &jane, ConfirmEmail, later).await;
        issue(&store, "old-reset", &jane, ResetPassword, earlier).await;

        let for_owner = |tag: &'static str| move |user: UserId| effects(tag, Some(user));
        let dead = store
            .confirm_email_with("unknown", now(), None, &for_owner("dead-confirm"))
            .await;
        assert!(matches!(dead, Ok(Proof::DeadLink)), "{backend}: {dead:?}");
        let proof = store
            .confirm_email_with("jane-confirm", now(), None, &for_owner("confirmed"))
            .await;
        assert!(matches!(proof, Ok(Proof::Proven { .. })), "{backend}: {proof:?}");
        // The squatter's link was ended by jane's proof; a resend finds the address taken.
        issue(&store, "squatter-resend", &squatter, ConfirmEmail, later).await;
        let taken = store
            .confirm_email_with("squatter-resend", now(), None, &for_owner("taken"))
            .await;
        assert!(matches!(taken, Ok(Proof::AddressTaken)), "{backend}: {taken:?}");

        let expired = store
            .reset_password_with("old-reset", "h", now(), &for_owner("dead-reset"))
            .await;
        assert!(matches!(expired, Ok(Proof::DeadLink)), "{backend}: {expired:?}");
        assert_eq!(
            password_of(&store, jane.id).await,
            None,
            "{backend}: no password was set"
        );
        issue(&store, "reset", &jane, ResetPassword, later).await;
        let reset = store
            .reset_password_with("reset", "h", now(), &for_owner("reset"))
            .await;
        assert!(matches!(reset, Ok(Proof::Proven { .. })), "{backend}: {reset:?}");

        let dead = store
            .undo_email_change_with("unknown", now(), &for_owner("dead-undo"))
            .await;
        assert!(matches!(dead, Ok(None)), "{backend}: {dead:?}");
        store
            .request_email_change(jane.id, &email("new@example.com"), &Effects::none())
            .await
            .unwrap();
        issue(&store, "undo", &jane, UndoEmailChange, later).await;
        let undone = store.undo_email_change_with("undo", now(), &for_owner("undone")).await;
        assert!(
            matches!(undone, Ok(Some(UndoneChange::Cancelled(_)))),
            "{backend}: {undone:?}"
        );

        let expected = [
            (Some(jane.id), "confirmed".to_owned()),
            (Some(jane.id), "reset".to_owned()),
            (Some(jane.id), "undone".to_owned()),
        ];
        assert_eq!(
            written(&store).await,
            expected,
            "{backend}: for the link's owner, when it worked"
        );
    }
}

#[tokio::test]
async fn identity_links_write_their_effects_only_when_linked() {
    for (backend, db) in each_backend("identity_links_write_their_effects_only_when_linked").await {
        let store = open(&db).await;
        let at = OffsetDateTime::now_utc();
        let identity = |subject: &str, user: UserId| LinkedIdentity {
            provider: "twitter".into(),
            subject: subject.into(),
            user_id: user,
            username: None,
            email: None,
            email_verified: false,
            profile: json!({}),
            tokens_sealed: None,
            linked_at: at,
            updated_at: at,
        };
        let new = new_user("jane", None);
        let jane = store
            .create_user_with_identity(&new, &identity("1", new.id), &effects("joined", Some(new.id)))
            .await
            .expect("create_user_with_identity");
        let refused = new_user("john", None);
        let result = store
            .create_user_with_identity(&refused, &identity("1", refused.id), &effects("refused-join", None))
            .await;
        expect_conflict(result, "identity", &format!("{backend}: an identity linked already"));

        store
            .link_identity(&identity("2", jane.id), &effects("linked", Some(jane.id)))
            .await
            .unwrap();
        let result = store
            .link_identity(&identity("2", jane.id), &effects("refused-link", None))
            .await;
        expect_conflict(result, "identity", &format!("{backend}: linking twice"));
        assert_eq!(tags(&written(&store).await), ["joined", "linked"], "{backend}");
    }
}

fn linked(subject: &str, user: UserId) -> LinkedIdentity {
    let at = OffsetDateTime::now_utc();
    LinkedIdentity {
        provider: "twitter".into(),
        subject: subject.into(),
        user_id: user,
        username: None,
        email: None,
        email_verified: false,
        profile: json!({}),
        tokens_sealed: None,
        linked_at: at,
        updated_at: at,
    }
}

#[tokio::test]
async fn delete_user_with_removes_the_account_and_its_rows_only_and_writes_its_effects() {
    for (backend, db) in each_backend("delete_user_with_removes_the_account_and_its_rows").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", Some("jane@example.com")).await;
        let bob = create(&store, "bob", Some("bob@example.com")).await;
        for (user, subject) in [(&jane, "j"), (&bob, "b")] {
            store
                .link_identity(&linked(subject, user.id), &Effects::none())
                .await
                .expect("link");
            store
                .set_contacts("twitter", subject, &["f".to_owned()])
                .await
                .expect("contacts");
            sign_in(&store, &format!("s-{subject}"), user.id).await;
            let later = OffsetDateTime::now_utc() + time::Duration::days(1);
            let mail = NewJob::new("mail.followup", json!({ "user_id": user.id.to_string() })).at(later);
            store.enqueue(&mail).await.expect("enqueue");
        }
        store
            .delete_user_with(jane.id, &effects("deleted", Some(jane.id)))
            .await
            .expect("delete");
        assert!(store.user_by_id(jane.id).await.expect("read").is_none(), "{backend}");
        assert!(
            store.identity("twitter", "j").await.expect("read").is_none(),
            "{backend}"
        );
        assert!(!has_session(&store, "s-j").await, "{backend}");
        assert!(
            store.identity("twitter", "b").await.expect("read").is_some(),
            "{backend}: bob's stays"
        );
        assert!(has_session(&store, "s-b").await, "{backend}: bob's session stays");
        let queued: Vec<_> = store
            .jobs(None, 100)
            .await
            .expect("jobs")
            .into_iter()
            .filter(|j| j.kind == "mail.followup")
            .map(|j| j.payload["user_id"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(queued, [bob.id.to_string()], "{backend}: only jane's mail went");
        let kinds = || async {
            let events = store.recent_events(10).await.expect("events");
            events.into_iter().map(|e| e.kind).collect::<Vec<_>>()
        };
        assert_eq!(kinds().await, ["deleted.event"], "{backend}");
        expect_not_found(
            store.delete_user_with(jane.id, &effects("again", Some(jane.id))).await,
            &format!("{backend}: gone already"),
        );
        assert_eq!(
            kinds().await,
            ["deleted.event"],
            "{backend}: a refused delete writes nothing"
        );
    }
}

#[tokio::test]
async fn vouch_for_address_with_proves_it_or_refuses_one_another_account_proved() {
    for (backend, db) in each_backend("vouch_for_address_with_proves_it_or_refuses").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", Some("jane@example.com")).await;
        create_verified(&store, "bob", "bob@example.com", "x").await;
        let proof = store
            .vouch_for_address_with(
                jane.id,
                &email("Jane.New@example.com"),
                &effects("vouched", Some(jane.id)),
            )
            .await
            .expect("vouch");
        let user = proven(proof).unwrap_or_else(|| panic!("{backend}: proven"));
        assert_eq!(
            (user.email.as_deref(), user.email_verified),
            (Some("Jane.New@example.com"), true),
            "{backend}"
        );
        let taken = store
            .vouch_for_address_with(jane.id, &email("BOB@example.com"), &effects("taken", Some(jane.id)))
            .await
            .expect("vouch");
        assert!(matches!(taken, Proof::AddressTaken), "{backend}");
        assert_eq!(
            reload(&store, jane.id).await.email.as_deref(),
            Some("Jane.New@example.com"),
            "{backend}"
        );
        assert_eq!(
            written(&store).await,
            [(Some(jane.id), "vouched".to_owned())],
            "{backend}"
        );
        expect_not_found(
            store
                .vouch_for_address_with(UserId::new(), &email("x@example.com"), &Effects::none())
                .await,
            &format!("{backend}: unknown account"),
        );
    }
}

#[tokio::test]
async fn unlink_identity_with_writes_its_effects_only_when_a_link_went() {
    for (backend, db) in each_backend("unlink_identity_with_writes_its_effects_only").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        store
            .link_identity(&linked("j", jane.id), &Effects::none())
            .await
            .expect("link");
        store
            .set_contacts("twitter", "j", &["f".to_owned()])
            .await
            .expect("contacts");
        assert!(
            !store
                .unlink_identity_with(jane.id, "twitter", "other", &effects("none", Some(jane.id)))
                .await
                .expect("unlink"),
            "{backend}"
        );
        assert!(
            store
                .unlink_identity_with(jane.id, "twitter", "j", &effects("unlinked", Some(jane.id)))
                .await
                .expect("unlink"),
            "{backend}"
        );
        assert!(
            store.identity("twitter", "j").await.expect("read").is_none(),
            "{backend}"
        );
        assert_eq!(
            written(&store).await,
            [(Some(jane.id), "unlinked".to_owned())],
            "{backend}"
        );
    }
}
