//! EmailTokenStore: single-use confirmation and password-reset links.

use EmailTokenPurpose::{ConfirmEmail, ConfirmEmailChange, ResetPassword};

use super::*;

fn in_an_hour() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::hours(1)
}

fn a_minute_ago() -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::minutes(1)
}

/// Uses a confirmation link now; whose address it confirmed.
async fn confirm(store: &SqlStore, digest: &str) -> Option<User> {
    let now = OffsetDateTime::now_utc();
    proven(store.confirm_email(digest, now).await.expect("confirm_email"))
}

/// Uses a reset link now; whose password it set.
async fn reset(store: &SqlStore, digest: &str, new_hash: &str) -> Option<User> {
    let now = OffsetDateTime::now_utc();
    proven(
        store
            .reset_password(digest, new_hash, now)
            .await
            .expect("reset_password"),
    )
}

async fn is_verified(store: &SqlStore, id: UserId) -> bool {
    reload(store, id).await.email_verified
}

#[tokio::test]
async fn email_token_owner_respects_purpose_and_expiry_without_using_the_link() {
    let test = "email_token_owner_respects_purpose_and_expiry_without_using_the_link";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", Some("jane@example.com")).await;
        let now = OffsetDateTime::now_utc();
        issue(&store, "confirm", &jane, ConfirmEmail, in_an_hour()).await;
        issue(&store, "reset", &jane, ResetPassword, in_an_hour()).await;
        issue(&store, "expired", &jane, ResetPassword, a_minute_ago()).await;
        issue(&store, "ends-now", &jane, ResetPassword, now).await;

        for _ in 0..2 {
            let found = owner(&store, "confirm", ConfirmEmail).await;
            assert_eq!(found, Some(jane.id), "{backend}: live confirmation link");
            let found = owner(&store, "reset", ResetPassword).await;
            assert_eq!(found, Some(jane.id), "{backend}: live reset link");
        }
        let found = owner(&store, "confirm", ResetPassword).await;
        assert_eq!(found, None, "{backend}: a confirmation link is no reset link");
        let found = owner(&store, "reset", ConfirmEmail).await;
        assert_eq!(found, None, "{backend}: a reset link is no confirmation link");
        let found = owner(&store, "expired", ResetPassword).await;
        assert_eq!(found, None, "{backend}: expired link");
        let found = owner(&store, "unknown", ResetPassword).await;
        assert_eq!(found, None, "{backend}: unknown digest");
        let found = store.email_token_owner("ends-now", ResetPassword, now).await;
        assert_eq!(
            found.expect("owner"),
            None,
            "{backend}: a link is dead from its expiry on"
        );
        let earlier = now - Duration::minutes(2);
        let found = store.email_token_owner("expired", ResetPassword, earlier).await;
        let found = found.expect("email_token_owner");
        assert_eq!(
            found,
            Some(jane.id),
            "{backend}: expiry is judged at the caller's `now`"
        );
    }
}

#[tokio::test]
async fn confirm_email_is_single_use_and_marks_the_address_verified() {
    let test = "confirm_email_is_single_use_and_marks_the_address_verified";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", Some("jane@example.com")).await;
        let john = create(&store, "john", Some("john@example.com")).await;
        issue(&store, "confirm", &jane, ConfirmEmail, in_an_hour()).await;
        issue(&store, "reset", &jane, ResetPassword, in_an_hour()).await;

        assert!(
            confirm(&store, "reset").await.is_none(),
            "{backend}: a reset link cannot confirm"
        );
        assert!(!is_verified(&store, jane.id).await, "{backend}: still unverified");
        let found = owner(&store, "reset", ResetPassword).await;
        assert_eq!(found, Some(jane.id), "{backend}: the reset link is intact");

        let confirmed = confirm(&store, "confirm").await.expect("a live confirmation link");
        assert_eq!(confirmed.id, jane.id, "{backend}: whose address");
        assert!(confirmed.email_verified, "{backend}: the returned account is verified");
        assert!(is_verified(&store, jane.id).await, "{backend}: stored as verified");
        assert!(!is_verified(&store, john.id).await, "{backend}: john untouched");
        assert!(confirm(&store, "confirm").await.is_none(), "{backend}: single use");
        let found = owner(&store, "confirm", ConfirmEmail).await;
        assert_eq!(found, None, "{backend}: used up");
        assert!(confirm(&store, "unknown").await.is_none(), "{backend}: unknown digest");
    }
}

#[tokio::test]
async fn confirm_email_refuses_an_expired_link() {
    for (backend, db) in each_backend("confirm_email_refuses_an_expired_link").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", Some("jane@example.com")).await;
        issue(&store, "old", &jane, ConfirmEmail, a_minute_ago()).await;
        assert!(
            confirm(&store, "old").await.is_none(),
            "{backend}: expired link refused"
        );
        assert!(!is_verified(&store, jane.id).await, "{backend}: still unverified");
    }
}

#[tokio::test]
async fn a_link_confirms_only_the_address_it_was_sent_to() {
    let test = "a_link_confirms_only_the_address_it_was_sent_to";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", Some("jane@example.com")).await;
        issue(&store, "to-current", &jane, ConfirmEmail, in_an_hour()).await;
        store
            .request_email_change(
                jane.id,
                &email("jane@first.example"),
                &tessera_core::jobs::Effects::none(),
            )
            .await
            .expect("request");
        let first = reload(&store, jane.id).await;
        issue_to(
            &store,
            "to-first",
            &first,
            "jane@first.example",
            ConfirmEmailChange,
            in_an_hour(),
        )
        .await;
        store
            .request_email_change(
                jane.id,
                &email("jane@second.example"),
                &tessera_core::jobs::Effects::none(),
            )
            .await
            .expect("request");
        assert!(
            confirm(&store, "to-first").await.is_none(),
            "{backend}: a link for an earlier request must not confirm a later one"
        );
        let confirmed = confirm(&store, "to-current").await.expect("the current address's link");
        assert_eq!(
            confirmed.email.as_deref(),
            Some("jane@example.com"),
            "{backend}: address"
        );
        assert!(confirmed.email_verified, "{backend}: the current address is proven");
        assert_eq!(
            confirmed.pending_email.as_deref(),
            Some("jane@second.example"),
            "{backend}: the pending address still waits for its own link"
        );
    }
}

#[tokio::test]
async fn confirm_email_accepts_the_same_address_spelled_in_another_case() {
    let test = "confirm_email_accepts_the_same_address_spelled_in_another_case";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", Some("Jane@example.com")).await;
        // Addresses compare case-insensitively everywhere in the store.
        issue_to(&store, "confirm", &jane, "JANE@example.com", ConfirmEmail, in_an_hour()).await;
        let confirmed = confirm(&store, "confirm").await.map(|u| u.id);
        assert_eq!(confirmed, Some(jane.id), "{backend}: same mailbox, other spelling");
        assert!(is_verified(&store, jane.id).await, "{backend}: stored as verified");
    }
}

#[tokio::test]
async fn reset_password_is_single_use_and_ends_every_session() {
    for (backend, db) in each_backend("reset_password_is_single_use_and_ends_every_session").await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "old").await;
        let john = create_verified(&store, "john", "john@example.com", "johns").await;
        for digest in ["jane-1", "jane-2"] {
            sign_in(&store, digest, jane.id).await;
        }
        sign_in(&store, "john-1", john.id).await;
        issue(&store, "reset-1", &jane, ResetPassword, in_an_hour()).await;
        issue(&store, "reset-2", &jane, ResetPassword, in_an_hour()).await;
        issue(&store, "confirm", &jane, ConfirmEmail, in_an_hour()).await;
        issue(&store, "john-reset", &john, ResetPassword, in_an_hour()).await;

        let done = reset(&store, "reset-1", "new").await.expect("a live reset link");
        assert_eq!(done.id, jane.id, "{backend}: whose password");
        assert_eq!(done.password_hash.as_deref(), Some("new"), "{backend}: returned hash");
        assert_eq!(password_of(&store, jane.id).await.as_deref(), Some("new"), "{backend}");
        for gone in ["jane-1", "jane-2"] {
            assert!(!has_session(&store, gone).await, "{backend}: session {gone} must end");
        }
        for used in ["reset-1", "reset-2"] {
            let found = owner(&store, used, ResetPassword).await;
            assert_eq!(found, None, "{backend}: {used} is dead");
            let again = reset(&store, used, "again").await;
            assert!(again.is_none(), "{backend}: {used} cannot be used again");
        }
        assert_eq!(password_of(&store, jane.id).await.as_deref(), Some("new"), "{backend}");
        let found = owner(&store, "confirm", ConfirmEmail).await;
        assert_eq!(
            found,
            Some(jane.id),
            "{backend}: the confirmation link is no reset link"
        );
        assert!(
            has_session(&store, "john-1").await,
            "{backend}: john's session is untouched"
        );
        let found = owner(&store, "john-reset", ResetPassword).await;
        assert_eq!(found, Some(john.id), "{backend}: john's reset link is untouched");
        assert_eq!(
            password_of(&store, john.id).await.as_deref(),
            Some("johns"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn reset_password_refuses_expired_or_confirmation_links_and_changes_nothing() {
    let test = "reset_password_refuses_expired_or_confirmation_links_and_changes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "old").await;
        sign_in(&store, "jane-1", jane.id).await;
        issue(&store, "expired", &jane, ResetPassword, a_minute_ago()).await;
        issue(&store, "confirm", &jane, ConfirmEmail, in_an_hour()).await;
        for digest in ["expired", "confirm", "unknown"] {
            let what = format!("{backend}: reset_password with {digest:?}");
            assert!(reset(&store, digest, "new").await.is_none(), "{what}: refused");
            let hash = password_of(&store, jane.id).await;
            assert_eq!(hash.as_deref(), Some("old"), "{what}: password unchanged");
            assert!(has_session(&store, "jane-1").await, "{what}: sessions untouched");
        }
        let found = owner(&store, "confirm", ConfirmEmail).await;
        assert_eq!(found, Some(jane.id), "{backend}: the confirmation link is intact");
    }
}
