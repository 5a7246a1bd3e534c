//! UserStore: creating, finding, listing and editing accounts, passwords and logins.

use serde_json::json;
use time::macros::{datetime, offset};

use super::*;

#[tokio::test]
async fn a_created_account_reads_back_field_for_field() {
    for (backend, db) in each_backend("a_created_account_reads_back_field_for_field").await {
        let store = open(&db).await;
        let attributes = json!({ "locale": "fr", "list": [1, { "ok": true }], "note": "naïve ✓" });
        let new = NewUser {
            email_verified: true,
            first_name: "Zoë".into(),
            last_name: "O'Brien".into(),
            is_active: false,
            is_staff: true,
            is_superuser: true,
            password_hash: Some("$argon2id$v=19$stub".into()),
            date_joined: datetime!(2021-06-15 08:30:45.987654321 +02:00),
            last_login: Some(datetime!(2024-01-02 03:04:05.5 -05:00)),
            attributes: attributes.as_object().expect("an object").clone(),
            ..new_user("Zoë.OBrien", Some("Zoe@Example.com"))
        };
        let created = store.create_user(&new).await.expect("create_user");
        for (how, user) in [("create_user", created), ("user_by_id", reload(&store, new.id).await)] {
            let what = format!("{backend}: {how}");
            assert_eq!(user.id, new.id, "{what}: id");
            assert_eq!(user.username, "Zoë.OBrien", "{what}: the chosen spelling is kept");
            assert_eq!(user.email.as_deref(), Some("Zoe@example.com"), "{what}: email");
            assert!(user.email_verified, "{what}: email_verified");
            assert_eq!([&user.first_name, &user.last_name], ["Zoë", "O'Brien"], "{what}: names");
            let flags = [user.is_active, user.is_staff, user.is_superuser];
            assert_eq!(flags, [false, true, true], "{what}: active, staff, superuser");
            assert_eq!(user.password_hash, new.password_hash, "{what}: password hash");
            assert_eq!(user.date_joined, to_second(new.date_joined), "{what}: date_joined");
            assert_eq!(user.last_login, new.last_login.map(to_second), "{what}: last_login");
            assert_eq!(json!(user.attributes), attributes, "{what}: attributes");
        }
        let unknown = store.user_by_id(UserId::new()).await.expect("user_by_id");
        assert!(unknown.is_none(), "{backend}: an unknown id finds nobody");
    }
}

#[tokio::test]
async fn lookups_fold_case_including_non_ascii() {
    for (backend, db) in each_backend("lookups_fold_case_including_non_ascii").await {
        let store = open(&db).await;
        let zoe = create(&store, "Zoë", Some("Zoë.Ärger@Exämple.com")).await;
        create(&store, "someone", Some("someone@example.com")).await;
        for name in ["Zoë", "ZOË", "zoë", "  zOË "] {
            let found = found_by_username(&store, name).await;
            assert_eq!(found, Some(zoe.id), "{backend}: user_by_username({name:?})");
            let found = found_by_login(&store, name).await;
            assert_eq!(found, Some(zoe.id), "{backend}: user_by_login({name:?})");
        }
        for email in [
            "Zoë.Ärger@exämple.com",
            "ZOË.ÄRGER@EXÄMPLE.COM",
            " zoë.ärger@exämple.com ",
        ] {
            let found = found_by_login(&store, email).await;
            assert_eq!(found, Some(zoe.id), "{backend}: user_by_login({email:?})");
            let found = found_by_username(&store, email).await;
            assert_eq!(found, None, "{backend}: user_by_username({email:?}) ignores addresses");
        }
        for unknown in ["zoe", "Zoë.Ärger", "nobody@example.com", ""] {
            let found = found_by_username(&store, unknown).await;
            assert_eq!(found, None, "{backend}: user_by_username({unknown:?})");
            let found = found_by_login(&store, unknown).await;
            assert_eq!(found, None, "{backend}: user_by_login({unknown:?})");
        }
    }
}

#[tokio::test]
async fn a_username_may_not_be_another_accounts_email_or_the_reverse() {
    let test = "a_username_may_not_be_another_accounts_email_or_the_reverse";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        // Logins take a username or an email: one string must never name two accounts.
        let alice = create(&store, "alice", Some("Shared@example.com")).await;
        let result = store.create_user(&new_user("shared@Example.com", None)).await;
        expect_conflict(
            result,
            "username",
            &format!("{backend}: username equal to another's email"),
        );
        let mailer = create(&store, "bob@example.com", None).await;
        let result = store.create_user(&new_user("carol", Some("BOB@example.com"))).await;
        expect_conflict(
            result,
            "email",
            &format!("{backend}: email equal to another's username"),
        );
        for login in ["shared@example.com", "SHARED@EXAMPLE.COM"] {
            assert_eq!(
                found_by_login(&store, login).await,
                Some(alice.id),
                "{backend}: user_by_login({login:?})"
            );
        }
        assert_eq!(
            found_by_login(&store, "Bob@Example.com").await,
            Some(mailer.id),
            "{backend}: username login"
        );
        assert_eq!(
            store.list_users().await.unwrap().len(),
            2,
            "{backend}: nothing half-written"
        );
    }
}

#[tokio::test]
async fn a_username_taken_in_another_case_is_a_conflict_and_writes_nothing() {
    let test = "a_username_taken_in_another_case_is_a_conflict_and_writes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        create(&store, "Jane", Some("jane@example.com")).await;
        create(&store, "Zoë", None).await;
        let attempts = [
            ("JANE", "other@example.com"),
            ("jane", "x@example.com"),
            ("ZOË", "z@example.com"),
        ];
        for (taken, email) in attempts {
            let result = store.create_user(&new_user(taken, Some(email))).await;
            expect_conflict(result, "username", &format!("{backend}: create_user({taken:?})"));
            let stray = found_by_login(&store, email).await;
            assert_eq!(stray, None, "{backend}: the refused {taken:?} left a row behind");
        }
        assert_eq!(usernames(&store).await, ["Jane", "Zoë"], "{backend}: accounts");
    }
}

#[tokio::test]
async fn an_email_taken_in_another_case_is_a_conflict_and_writes_nothing() {
    let test = "an_email_taken_in_another_case_is_a_conflict_and_writes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        create(&store, "jane", Some("Jane@Example.com")).await;
        create(&store, "zoe", Some("Zoë@example.com")).await;
        let attempts = [
            ("john", "JANE@example.com"),
            ("jim", "jane@EXAMPLE.COM"),
            ("zed", "ZOË@example.com"),
        ];
        for (username, taken) in attempts {
            let result = store.create_user(&new_user(username, Some(taken))).await;
            expect_conflict(result, "email", &format!("{backend}: create_user with {taken:?}"));
            let stray = found_by_username(&store, username).await;
            assert_eq!(stray, None, "{backend}: the refused {username:?} left a row behind");
        }
        assert_eq!(usernames(&store).await, ["jane", "zoe"], "{backend}: accounts");
    }
}

#[tokio::test]
async fn several_accounts_may_have_no_email() {
    for (backend, db) in each_backend("several_accounts_may_have_no_email").await {
        let store = open(&db).await;
        for name in ["anna", "ben", "cleo"] {
            let user = create(&store, name, None).await;
            assert_eq!(user.email, None, "{backend}: {name} has no address");
        }
        assert_eq!(usernames(&store).await, ["anna", "ben", "cleo"], "{backend}: accounts");
    }
}

#[tokio::test]
async fn list_users_orders_by_username_ignoring_case() {
    for (backend, db) in each_backend("list_users_orders_by_username_ignoring_case").await {
        let store = open(&db).await;
        assert!(usernames(&store).await.is_empty(), "{backend}: a fresh store is empty");
        for name in ["carol", "Zoë", "Bob", "dave", "alice", "zed", "Carl"] {
            create(&store, name, None).await;
        }
        let expected = ["alice", "Bob", "Carl", "carol", "dave", "zed", "Zoë"];
        assert_eq!(usernames(&store).await, expected, "{backend}: list_users order");
    }
}

#[tokio::test]
async fn update_profile_keeps_verification_for_the_same_address_in_any_case() {
    let test = "update_profile_keeps_verification_for_the_same_address_in_any_case";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "Jane@example.com", "h").await;
        for email in ["Jane@example.com", "JANE@EXAMPLE.COM", "jane@example.com"] {
            let what = format!("{backend}: update_profile to {email:?}");
            let update = profile("Jane", "Doe", Some(email));
            let updated = store.update_profile(jane.id, &update).await.expect("update_profile");
            assert!(updated.email_verified, "{what}: the same address stays verified");
            let spelled = update.email.map(|e| e.as_str().to_owned());
            assert_eq!(updated.email, spelled, "{what}: the new spelling is kept");
            assert_eq!([&updated.first_name, &updated.last_name], ["Jane", "Doe"], "{what}");
            let stored = reload(&store, jane.id).await;
            assert!(stored.email_verified, "{what}: stored verification");
            assert_eq!(stored.email, updated.email, "{what}: stored address");
        }
    }
}

#[tokio::test]
async fn update_profile_with_another_address_clears_verification() {
    for (backend, db) in each_backend("update_profile_with_another_address_clears_verification").await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "h").await;
        let update = profile("", "", Some("jane@elsewhere.org"));
        let moved = store.update_profile(jane.id, &update).await.expect("update_profile");
        assert_eq!(
            moved.email.as_deref(),
            Some("jane@elsewhere.org"),
            "{backend}: new address"
        );
        assert!(!moved.email_verified, "{backend}: a new address is unverified");
        assert!(
            !reload(&store, jane.id).await.email_verified,
            "{backend}: stored as unverified"
        );
        let found = found_by_login(&store, "JANE@ELSEWHERE.ORG").await;
        assert_eq!(found, Some(jane.id), "{backend}: found by the new address");
        let found = found_by_login(&store, "jane@example.com").await;
        assert_eq!(found, None, "{backend}: the old address finds nobody");

        let other = create_verified(&store, "other", "other@example.com", "h").await;
        let cleared = store.update_profile(other.id, &profile("", "", None)).await;
        let cleared = cleared.expect("update_profile without an address");
        assert_eq!(cleared.email, None, "{backend}: address removed");
        assert!(!cleared.email_verified, "{backend}: no address, nothing verified");
        let reused = create(&store, "newcomer", Some("other@example.com")).await;
        assert_eq!(
            reused.email.as_deref(),
            Some("other@example.com"),
            "{backend}: reusable"
        );
    }
}

#[tokio::test]
async fn update_profile_refuses_another_accounts_address_and_changes_nothing() {
    let test = "update_profile_refuses_another_accounts_address_and_changes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "h").await;
        let john = NewUser {
            first_name: "John".into(),
            ..new_user("john", Some("john@example.com"))
        };
        let john = store.create_user(&john).await.expect("create_user");
        let update = profile("Johnny", "Smith", Some("JANE@example.com"));
        let result = store.update_profile(john.id, &update).await;
        expect_conflict(
            result,
            "email",
            &format!("{backend}: update_profile onto jane's address"),
        );
        let john_now = reload(&store, john.id).await;
        assert_eq!(
            [&john_now.first_name, &john_now.last_name],
            ["John", ""],
            "{backend}: names"
        );
        assert_eq!(
            john_now.email.as_deref(),
            Some("john@example.com"),
            "{backend}: address"
        );
        let jane_now = reload(&store, jane.id).await;
        assert_eq!(
            jane_now.email.as_deref(),
            Some("jane@example.com"),
            "{backend}: jane's address"
        );
        assert!(jane_now.email_verified, "{backend}: jane still verified");
    }
}

#[tokio::test]
async fn update_profile_of_an_unknown_account_is_not_found() {
    for (backend, db) in each_backend("update_profile_of_an_unknown_account_is_not_found").await {
        let store = open(&db).await;
        create(&store, "jane", Some("jane@example.com")).await;
        let update = profile("X", "Y", Some("x@example.com"));
        let result = store.update_profile(UserId::new(), &update).await;
        expect_not_found(result, &format!("{backend}: update_profile"));
        assert_eq!(usernames(&store).await, ["jane"], "{backend}: nothing was created");
    }
}

#[tokio::test]
async fn set_password_ends_other_sessions_and_reset_links_of_that_account_only() {
    let test = "set_password_ends_other_sessions_and_reset_links_of_that_account_only";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let later = OffsetDateTime::now_utc() + Duration::hours(1);
        let jane = create_verified(&store, "jane", "jane@example.com", "old").await;
        let john = create_verified(&store, "john", "john@example.com", "johns").await;
        for digest in ["jane-1", "jane-2", "jane-3"] {
            sign_in(&store, digest, jane.id).await;
        }
        sign_in(&store, "john-1", john.id).await;
        issue(&store, "jane-reset-1", &jane, EmailTokenPurpose::ResetPassword, later).await;
        issue(&store, "jane-reset-2", &jane, EmailTokenPurpose::ResetPassword, later).await;
        issue(&store, "jane-confirm", &jane, EmailTokenPurpose::ConfirmEmail, later).await;
        issue(&store, "john-reset", &john, EmailTokenPurpose::ResetPassword, later).await;

        store
            .set_password(jane.id, "new", Some("jane-2"))
            .await
            .expect("set_password");
        assert_eq!(password_of(&store, jane.id).await.as_deref(), Some("new"), "{backend}");
        assert!(
            has_session(&store, "jane-2").await,
            "{backend}: the session making the change"
        );
        for gone in ["jane-1", "jane-3"] {
            assert!(!has_session(&store, gone).await, "{backend}: {gone} must end");
        }
        for gone in ["jane-reset-1", "jane-reset-2"] {
            let live = owner(&store, gone, EmailTokenPurpose::ResetPassword).await;
            assert_eq!(live, None, "{backend}: {gone} must be dead");
        }
        let confirm = owner(&store, "jane-confirm", EmailTokenPurpose::ConfirmEmail).await;
        assert_eq!(
            confirm,
            Some(jane.id),
            "{backend}: a confirmation link is not a reset link"
        );
        assert!(
            has_session(&store, "john-1").await,
            "{backend}: john's session is untouched"
        );
        let johns = owner(&store, "john-reset", EmailTokenPurpose::ResetPassword).await;
        assert_eq!(johns, Some(john.id), "{backend}: john's reset link is untouched");
        assert_eq!(
            password_of(&store, john.id).await.as_deref(),
            Some("johns"),
            "{backend}"
        );

        store
            .set_password(jane.id, "newer", None)
            .await
            .expect("set_password, no session kept");
        assert!(
            !has_session(&store, "jane-2").await,
            "{backend}: every session of jane ends"
        );
        assert!(has_session(&store, "john-1").await, "{backend}: john still signed in");

        let result = store.set_password(UserId::new(), "x", None).await;
        expect_not_found(result, &format!("{backend}: set_password of an unknown account"));
    }
}

#[tokio::test]
async fn upgrade_password_hash_replaces_only_the_expected_hash() {
    for (backend, db) in each_backend("upgrade_password_hash_replaces_only_the_expected_hash").await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "legacy").await;
        let other = create_verified(&store, "other", "other@example.com", "legacy").await;
        // (old hash given, new hash, what jane's hash must be afterwards)
        let steps = [
            ("stale", "modern", "legacy"),
            ("legacy", "modern", "modern"),
            // A password change that raced ahead must not be undone by a late upgrade.
            ("legacy", "late", "modern"),
        ];
        for (old, new, expected) in steps {
            store
                .upgrade_password_hash(jane.id, old, new)
                .await
                .expect("upgrade_password_hash");
            let hash = password_of(&store, jane.id).await;
            assert_eq!(hash.as_deref(), Some(expected), "{backend}: upgrade from {old:?}");
        }
        let others = password_of(&store, other.id).await;
        assert_eq!(others.as_deref(), Some("legacy"), "{backend}: other accounts untouched");
    }
}

#[tokio::test]
async fn record_login_stores_the_time_to_the_second() {
    for (backend, db) in each_backend("record_login_stores_the_time_to_the_second").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        assert_eq!(jane.last_login, None, "{backend}: never signed in");
        let first = OffsetDateTime::now_utc().to_offset(offset!(+05:30));
        let second = first + Duration::minutes(90) + Duration::milliseconds(250);
        for at in [first, second] {
            store.record_login(jane.id, at).await.expect("record_login");
            let stored = reload(&store, jane.id).await.last_login;
            assert_eq!(stored, Some(to_second(at)), "{backend}: login at {at}");
        }
        assert_eq!(
            reload(&store, john.id).await.last_login,
            None,
            "{backend}: john untouched"
        );
    }
}
