//! Proving an address (confirmation, reset, undo) against account pre-hijacking (Sudhodanan &
//! Paverd, USENIX Security 2022): an unproven claim never blocks the address's owner, and
//! proving it removes what whoever held it unproven attached.

use EmailTokenPurpose::{ConfirmEmail, ResetPassword, UndoEmailChange};
use tessera_core::identity::IdentityStore;

use super::identities::identity;
use tessera_core::jobs::Effects;
use tessera_core::store::{Proof, UndoneChange};

use super::*;

fn in_an_hour() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::hours(1)
}

/// An account made by signing in with `provider` (its founding sign-in), with an unproven
/// address, that later connected a second provider and is signed in twice.
async fn account_with_sign_ins(store: &SqlStore, name: &str, address: &str) -> User {
    let new = new_user(name, Some(address));
    let user = store
        .create_user_with_identity(&new, &identity("twitter", name, new.id), &Effects::none())
        .await
        .expect("create_user_with_identity");
    store
        .link_identity(&identity("facebook", name, user.id), &Effects::none())
        .await
        .expect("link_identity");
    for n in 1..=2 {
        sign_in(store, &format!("{name}-session-{n}"), user.id).await;
    }
    user
}

async fn providers(store: &SqlStore, user: UserId) -> Vec<String> {
    let mut linked: Vec<String> = store
        .identities_of(user)
        .await
        .expect("identities_of")
        .into_iter()
        .map(|i| i.provider)
        .collect();
    linked.sort();
    linked
}

async fn confirm(store: &SqlStore, digest: &str, prover: Option<&str>) -> Proof {
    let now = OffsetDateTime::now_utc();
    store
        .confirm_email_with(digest, now, prover, &|_| Effects::none())
        .await
        .expect("confirm_email_with")
}

#[tokio::test]
async fn an_unproven_claim_never_blocks_the_owner_and_the_owners_proof_ends_it() {
    let test = "an_unproven_claim_never_blocks_the_owner_and_the_owners_proof_ends_it";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let squatter = NewUser {
            date_joined: OffsetDateTime::now_utc() - Duration::minutes(5),
            ..new_user("squatter", Some("victim@example.com"))
        };
        let squatter = store.create_user(&squatter).await.expect("create_user");
        issue(&store, "squatter-confirm", &squatter, ConfirmEmail, in_an_hour()).await;
        issue(&store, "squatter-reset", &squatter, ResetPassword, in_an_hour()).await;
        let victim = create(&store, "victim", Some("Victim@Example.com")).await;
        assert_eq!(
            found_by_login(&store, "victim@example.com").await,
            Some(victim.id),
            "{backend}: newest claim"
        );

        issue(&store, "victim-confirm", &victim, ConfirmEmail, in_an_hour()).await;
        let proof = confirm(&store, "victim-confirm", None).await;
        assert!(matches!(proof, Proof::Proven { .. }), "{backend}: {proof:?}");
        for dead in ["squatter-confirm", "squatter-reset"] {
            let purpose = if dead.ends_with("reset") {
                ResetPassword
            } else {
                ConfirmEmail
            };
            assert_eq!(
                owner(&store, dead, purpose).await,
                None,
                "{backend}: {dead} ended with the proof"
            );
        }
        assert!(
            !reload(&store, squatter.id).await.email_verified,
            "{backend}: the squatter proved nothing"
        );

        // Once proven, the address is the prover's: a new claim is refused, and a link mailed
        // later for an old claim (a resend) cannot prove it again.
        expect_conflict(
            store.create_user(&new_user("late", Some("victim@example.com"))).await,
            "email",
            &format!("{backend}: a claim after the proof"),
        );
        issue(&store, "squatter-resend", &squatter, ConfirmEmail, in_an_hour()).await;
        let proof = confirm(&store, "squatter-resend", None).await;
        assert!(matches!(proof, Proof::AddressTaken), "{backend}: {proof:?}");
        assert!(
            !reload(&store, squatter.id).await.email_verified,
            "{backend}: nothing changed"
        );
        assert_eq!(
            found_by_login(&store, "VICTIM@example.com").await,
            Some(victim.id),
            "{backend}: the prover"
        );
    }
}

#[tokio::test]
async fn a_confirmation_removes_sign_ins_connected_before_any_proof_unless_the_holder_proves() {
    let test = "a_confirmation_removes_sign_ins_connected_before_any_proof_unless_the_holder_proves";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let held = account_with_sign_ins(&store, "held", "held@example.com").await;
        issue(&store, "held-confirm", &held, ConfirmEmail, in_an_hour()).await;
        let proof = confirm(&store, "held-confirm", None).await;
        let Proof::Proven {
            removed_identities,
            ended_sessions,
            ..
        } = proof
        else {
            panic!("{backend}: {proof:?}")
        };
        assert_eq!(
            removed_identities,
            [("facebook".to_owned(), Some("facebook-held".to_owned()))],
            "{backend}"
        );
        assert_eq!(ended_sessions, 2, "{backend}: every session ended");
        assert_eq!(
            providers(&store, held.id).await,
            ["twitter"],
            "{backend}: the founding sign-in stays"
        );

        // The same, opened in a browser signed in to that very account: nothing goes.
        let own = account_with_sign_ins(&store, "own", "own@example.com").await;
        issue(&store, "own-confirm", &own, ConfirmEmail, in_an_hour()).await;
        let proof = confirm(&store, "own-confirm", Some("own-session-1")).await;
        let Proof::Proven {
            removed_identities,
            ended_sessions,
            ..
        } = proof
        else {
            panic!("{backend}: {proof:?}")
        };
        assert!(
            removed_identities.is_empty() && ended_sessions == 0,
            "{backend}: the holder proved it"
        );
        assert_eq!(providers(&store, own.id).await, ["facebook", "twitter"], "{backend}");

        // Another account's session is no proof of holding this one.
        let other = account_with_sign_ins(&store, "other", "other@example.com").await;
        issue(&store, "other-confirm", &other, ConfirmEmail, in_an_hour()).await;
        let proof = confirm(&store, "other-confirm", Some("own-session-1")).await;
        assert!(
            matches!(&proof, Proof::Proven { removed_identities, .. } if removed_identities.len() == 1),
            "{backend}: {proof:?}"
        );
        assert!(
            has_session(&store, "own-session-1").await,
            "{backend}: the other account's session is untouched"
        );
    }
}

#[tokio::test]
async fn a_reset_through_an_unproven_address_removes_every_sign_in() {
    let test = "a_reset_through_an_unproven_address_removes_every_sign_in";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let squatted = account_with_sign_ins(&store, "squatted", "victim@example.com").await;
        issue(&store, "reset", &squatted, ResetPassword, in_an_hour()).await;
        let now = OffsetDateTime::now_utc();
        let proof = store
            .reset_password("reset", "victims-hash", now)
            .await
            .expect("reset_password");
        let Proof::Proven {
            user,
            removed_identities,
            ..
        } = proof
        else {
            panic!("{backend}: {proof:?}")
        };
        assert_eq!(removed_identities.len(), 2, "{backend}: {removed_identities:?}");
        assert!(
            providers(&store, user.id).await.is_empty(),
            "{backend}: no sign-in of the squatter is left"
        );
        assert!(user.email_verified, "{backend}: the reset proved the address");
        assert!(
            !has_session(&store, "squatted-session-1").await,
            "{backend}: sessions ended"
        );

        // A proven account's reset is an ordinary forgotten password: its sign-ins stay.
        let proven_account = account_with_sign_ins(&store, "proven", "proven@example.com").await;
        issue(&store, "confirm", &proven_account, ConfirmEmail, in_an_hour()).await;
        confirm(&store, "confirm", Some("proven-session-1")).await;
        issue(&store, "reset-2", &proven_account, ResetPassword, in_an_hour()).await;
        let proof = store.reset_password("reset-2", "h", now).await.expect("reset_password");
        assert!(
            matches!(&proof, Proof::Proven { removed_identities, .. } if removed_identities.is_empty()),
            "{backend}"
        );
        assert_eq!(
            providers(&store, proven_account.id).await,
            ["facebook", "twitter"],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn an_undo_link_cancels_a_pending_change_or_reverts_a_confirmed_one() {
    let test = "an_undo_link_cancels_a_pending_change_or_reverts_a_confirmed_one";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let undo = |digest: &'static str| {
            let store = store.clone();
            async move {
                let now = OffsetDateTime::now_utc();
                store
                    .undo_email_change_with(digest, now, &|_| Effects::none())
                    .await
                    .expect("undo")
            }
        };
        let jane = create_verified(&store, "jane", "jane@example.com", "h").await;
        store
            .request_email_change(jane.id, &email("new@example.com"), &Effects::none())
            .await
            .expect("request");
        issue_to(
            &store,
            "undo-1",
            &jane,
            "jane@example.com",
            UndoEmailChange,
            in_an_hour(),
        )
        .await;
        assert!(
            matches!(undo("undo-1").await, Some(UndoneChange::Cancelled(_))),
            "{backend}"
        );
        assert_eq!(
            reload(&store, jane.id).await.pending_email,
            None,
            "{backend}: cancelled"
        );
        assert!(undo("undo-1").await.is_none(), "{backend}: single use");

        // Confirmed by whoever controls the new mailbox, then undone from the old one.
        let asked = store
            .request_email_change(jane.id, &email("thief@example.com"), &Effects::none())
            .await
            .expect("request");
        issue_to(
            &store,
            "undo-2",
            &asked,
            "jane@example.com",
            UndoEmailChange,
            in_an_hour(),
        )
        .await;
        issue_to(
            &store,
            "change",
            &asked,
            "thief@example.com",
            EmailTokenPurpose::ConfirmEmailChange,
            in_an_hour(),
        )
        .await;
        sign_in(&store, "thief-session", jane.id).await;
        assert!(
            matches!(
                confirm(&store, "change", Some("thief-session")).await,
                Proof::Proven { .. }
            ),
            "{backend}"
        );
        assert_eq!(
            reload(&store, jane.id).await.email.as_deref(),
            Some("thief@example.com"),
            "{backend}"
        );
        let Some(UndoneChange::Reverted(user)) = undo("undo-2").await else {
            panic!("{backend}: not reverted")
        };
        assert_eq!(
            user.email.as_deref(),
            Some("jane@example.com"),
            "{backend}: the old address is back"
        );
        assert!(user.email_verified, "{backend}: proven by the undo link");
        assert!(
            !has_session(&store, "thief-session").await,
            "{backend}: every session ended"
        );
    }
}

#[tokio::test]
async fn an_undo_link_that_is_dead_or_finds_the_old_address_taken_changes_nothing() {
    let test = "an_undo_link_that_is_dead_or_finds_the_old_address_taken_changes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let undo = |digest: &'static str| {
            let store = store.clone();
            async move {
                let now = OffsetDateTime::now_utc();
                store
                    .undo_email_change_with(digest, now, &|_| Effects::none())
                    .await
                    .expect("undo")
            }
        };
        let jane = create_verified(&store, "jane", "jane@example.com", "h").await;
        let asked = store
            .request_email_change(jane.id, &email("new@example.com"), &Effects::none())
            .await
            .expect("request");
        let a_minute_ago = OffsetDateTime::now_utc() - Duration::minutes(1);
        issue_to(
            &store,
            "expired",
            &asked,
            "jane@example.com",
            UndoEmailChange,
            a_minute_ago,
        )
        .await;
        issue_to(
            &store,
            "wrong-kind",
            &asked,
            "jane@example.com",
            ConfirmEmail,
            in_an_hour(),
        )
        .await;
        for dead in ["expired", "wrong-kind", "unknown"] {
            assert!(undo(dead).await.is_none(), "{backend}: {dead} is no undo link");
            let stored = reload(&store, jane.id).await;
            assert_eq!(
                stored.pending_email.as_deref(),
                Some("new@example.com"),
                "{backend}: {dead}"
            );
        }

        // The change went through, then someone else proved the old address: the undo link
        // cannot bring it back, and changes nothing.
        issue_to(
            &store,
            "undo",
            &asked,
            "jane@example.com",
            UndoEmailChange,
            in_an_hour(),
        )
        .await;
        let change = EmailTokenPurpose::ConfirmEmailChange;
        issue_to(&store, "change", &asked, "new@example.com", change, in_an_hour()).await;
        sign_in(&store, "jane-session", jane.id).await;
        assert!(matches!(
            confirm(&store, "change", Some("jane-session")).await,
            Proof::Proven { .. }
        ));
        let newcomer = create(&store, "newcomer", Some("jane@example.com")).await;
        issue(&store, "newcomer-confirm", &newcomer, ConfirmEmail, in_an_hour()).await;
        assert!(matches!(
            confirm(&store, "newcomer-confirm", None).await,
            Proof::Proven { .. }
        ));
        assert!(
            matches!(undo("undo").await, Some(UndoneChange::AddressTaken)),
            "{backend}: the old address is taken"
        );
        let stored = reload(&store, jane.id).await;
        assert_eq!(
            stored.email.as_deref(),
            Some("new@example.com"),
            "{backend}: the new address stays"
        );
        assert!(stored.email_verified, "{backend}: and stays proven");
        assert!(has_session(&store, "jane-session").await, "{backend}: no session ended");
        assert_eq!(
            found_by_login(&store, "jane@example.com").await,
            Some(newcomer.id),
            "{backend}: the old address is the newcomer's"
        );
    }
}
