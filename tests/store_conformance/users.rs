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
        // Only a proven address is taken (an unproven claim never blocks: see proofs.rs).
        create_verified(&store, "jane", "Jane@Example.com", "h").await;
        create_verified(&store, "zoe", "Zoë@example.com", "h").await;
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
async fn update_profile_changes_the_names_and_nothing_else() {
    let test = "update_profile_changes_the_names_and_nothing_else";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "Jane@example.com", "h").await;
        let updated = store
            .update_profile(jane.id, &profile("Jane", "Doe"))
            .await
            .expect("update_profile");
        assert_eq!([&updated.first_name, &updated.last_name], ["Jane", "Doe"], "{backend}");
        let stored = reload(&store, jane.id).await;
        assert_eq!(
            stored.email.as_deref(),
            Some("Jane@example.com"),
            "{backend}: address kept"
        );
        assert!(stored.email_verified, "{backend}: verification kept");
        let result = store.update_profile(UserId::new(), &profile("X", "Y")).await;
        expect_not_found(result, &format!("{backend}: update_profile of an unknown account"));
        assert_eq!(usernames(&store).await, ["jane"], "{backend}: nothing was created");
    }
}

#[tokio::test]
async fn an_email_change_waits_for_its_confirmation_and_the_old_address_stays() {
    let test = "an_email_change_waits_for_its_confirmation_and_the_old_address_stays";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "h").await;
        let asked = store
            .request_email_change(
                jane.id,
                &email("Jane@Elsewhere.org"),
                &tessera_core::jobs::Effects::none(),
            )
            .await
            .expect("request_email_change");
        assert_eq!(
            asked.email.as_deref(),
            Some("jane@example.com"),
            "{backend}: old address stays"
        );
        assert!(asked.email_verified, "{backend}: and stays proven");
        assert_eq!(
            asked.pending_email.as_deref(),
            Some("Jane@elsewhere.org"),
            "{backend}: pending"
        );
        assert_eq!(
            found_by_login(&store, "jane@example.com").await,
            Some(jane.id),
            "{backend}: login by old"
        );
        assert_eq!(
            found_by_login(&store, "jane@elsewhere.org").await,
            None,
            "{backend}: not by pending"
        );

        // A pending address blocks nobody: another account may register with it.
        let other = create(&store, "other", Some("jane@elsewhere.org")).await;
        assert_eq!(other.email.as_deref(), Some("jane@elsewhere.org"), "{backend}");

        issue_to(
            &store,
            "change",
            &asked,
            "Jane@elsewhere.org",
            EmailTokenPurpose::ConfirmEmailChange,
            OffsetDateTime::now_utc() + Duration::hours(1),
        )
        .await;
        issue(
            &store,
            "old-reset",
            &asked,
            EmailTokenPurpose::ResetPassword,
            OffsetDateTime::now_utc() + Duration::hours(1),
        )
        .await;
        let moved = proven(
            store
                .confirm_email("change", OffsetDateTime::now_utc())
                .await
                .expect("confirm"),
        )
        .expect("the change's link works");
        assert_eq!(
            moved.email.as_deref(),
            Some("Jane@elsewhere.org"),
            "{backend}: new address"
        );
        assert!(moved.email_verified, "{backend}: proven by the link");
        assert_eq!(moved.pending_email, None, "{backend}: nothing pending");
        assert_eq!(
            found_by_login(&store, "jane@elsewhere.org").await,
            Some(jane.id),
            "{backend}: the prover wins"
        );
        assert_eq!(
            found_by_login(&store, "jane@example.com").await,
            None,
            "{backend}: old address gone"
        );
        assert_eq!(
            owner(&store, "old-reset", EmailTokenPurpose::ResetPassword).await,
            None,
            "{backend}: old link dead"
        );
    }
}

#[tokio::test]
async fn an_email_change_refuses_a_proven_address_or_a_username_and_changes_nothing() {
    let test = "an_email_change_refuses_a_proven_address_or_a_username_and_changes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        create_verified(&store, "jane", "jane@example.com", "h").await;
        create(&store, "bob@example.com", None).await;
        let john = create_verified(&store, "john", "john@example.com", "h").await;
        for taken in ["JANE@example.com", "bob@example.com"] {
            let result = store
                .request_email_change(john.id, &email(taken), &tessera_core::jobs::Effects::none())
                .await;
            expect_conflict(result, "email", &format!("{backend}: change to {taken}"));
            let stored = reload(&store, john.id).await;
            assert_eq!(stored.email.as_deref(), Some("john@example.com"), "{backend}: address");
            assert_eq!(stored.pending_email, None, "{backend}: nothing pending");
        }
        let result = store
            .request_email_change(
                UserId::new(),
                &email("x@example.com"),
                &tessera_core::jobs::Effects::none(),
            )
            .await;
        expect_not_found(result, &format!("{backend}: change of an unknown account"));
    }
}

#[tokio::test]
async fn cancel_email_change_drops_the_pending_address_and_its_link() {
    let test = "cancel_email_change_drops_the_pending_address_and_its_link";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create_verified(&store, "jane", "jane@example.com", "h").await;
        let asked = store
            .request_email_change(jane.id, &email("new@example.com"), &tessera_core::jobs::Effects::none())
            .await
            .expect("request");
        issue_to(
            &store,
            "change",
            &asked,
            "new@example.com",
            EmailTokenPurpose::ConfirmEmailChange,
            OffsetDateTime::now_utc() + Duration::hours(1),
        )
        .await;
        assert!(
            store.cancel_email_change(jane.id).await.expect("cancel"),
            "{backend}: there was one"
        );
        assert!(
            !store.cancel_email_change(jane.id).await.expect("cancel"),
            "{backend}: now there is none"
        );
        assert_eq!(reload(&store, jane.id).await.pending_email, None, "{backend}");
        let proof = store
            .confirm_email("change", OffsetDateTime::now_utc())
            .await
            .expect("confirm");
        assert!(
            proven(proof).is_none(),
            "{backend}: the cancelled change's link is dead"
        );
        assert_eq!(
            reload(&store, jane.id).await.email.as_deref(),
            Some("jane@example.com"),
            "{backend}"
        );
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

#[tokio::test]
async fn a_username_that_looks_like_a_taken_one_is_a_conflict_and_writes_nothing() {
    let test = "a_username_that_looks_like_a_taken_one_is_a_conflict_and_writes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        for name in ["eve", "admin", "paypal"] {
            create(&store, name, Some(&format!("{name}@example.com"))).await;
        }
        // Unicode TR39 confusables: fullwidth (also folded by NFKC), Cyrillic, mixed script.
        let look_alikes = ["ｅｖｅ", "аdmin", "АDMIN", "pаypal", "paypa1", "ρaypal"];
        for (i, look_alike) in look_alikes.iter().enumerate() {
            let email = format!("other{i}@example.com");
            let result = store.create_user(&new_user(look_alike, Some(&email))).await;
            expect_conflict(result, "username", &format!("{backend}: create_user({look_alike:?})"));
            let stray = found_by_login(&store, &email).await;
            assert_eq!(stray, None, "{backend}: the refused {look_alike:?} left a row behind");
        }
        assert_eq!(
            usernames(&store).await,
            ["admin", "eve", "paypal"],
            "{backend}: accounts"
        );
        // NFKC at look-up too: fullwidth finds the plain account.
        let eve = found_by_username(&store, "eve").await;
        assert_eq!(
            found_by_login(&store, "ＥＶＥ").await,
            eve,
            "{backend}: user_by_login(ＥＶＥ)"
        );
        assert_eq!(
            found_by_username(&store, "ｅｖｅ").await,
            eve,
            "{backend}: user_by_username(ｅｖｅ)"
        );
        assert_eq!(
            found_by_username(&store, "аdmin").await,
            None,
            "{backend}: look-alikes do not log in"
        );
    }
}

#[tokio::test]
async fn import_refuses_a_look_alike_of_another_account_and_writes_nothing() {
    let test = "import_refuses_a_look_alike_of_another_account_and_writes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        create(&store, "admin", Some("admin@example.com")).await;
        let accounts = [imported("newcomer", None, &[]), imported("аdmin", None, &["staff"])];
        match store.import_users(&accounts).await {
            Err(tessera_core::store::ImportFailure {
                index: Some(1),
                error: StoreError::Conflict { field: "username" },
            }) => {}
            other => panic!("{backend}: expected a username conflict at #1, got {other:?}"),
        }
        assert_eq!(
            usernames(&store).await,
            ["admin"],
            "{backend}: the import was rolled back"
        );
        // The account itself (same folded name) is updated, not refused as its own look-alike.
        let summary = store
            .import_users(&[imported("Admin", Some("root@example.com"), &[])])
            .await;
        assert_eq!(summary.expect("re-import").updated, 1, "{backend}");
        assert_eq!(usernames(&store).await, ["Admin"], "{backend}");
    }
}

#[tokio::test]
async fn migrate_fills_the_skeletons_of_accounts_from_before_migration_0007() {
    let test = "migrate_fills_the_skeletons_of_accounts_from_before_migration_0007";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let old = NewUser {
            date_joined: datetime!(2020-01-01 00:00 UTC),
            ..new_user("admin", Some("admin@example.com"))
        };
        store.create_user(&old).await.expect("create_user");
        // As before 0007 (or from an older binary mid-upgrade): no skeleton stored, so a
        // look-alike gets in. Then both lose theirs, as if both predated the migration.
        run_sql(
            &db,
            "UPDATE users SET username_skeleton = NULL WHERE username_folded = $1",
            "admin",
        )
        .await;
        create(&store, "аdmin", Some("cyrillic@example.com")).await;
        run_sql(
            &db,
            "UPDATE users SET username_skeleton = NULL WHERE username_folded <> $1",
            "",
        )
        .await;

        store.migrate().await.expect("migrate again");
        let skeleton = Username::parse("admin").unwrap().skeleton();
        assert_eq!(
            stored_skeleton(&db, "admin").await,
            Some(skeleton),
            "{backend}: the older account has it"
        );
        assert_eq!(
            stored_skeleton(&db, "аdmin").await,
            None,
            "{backend}: the younger look-alike keeps NULL"
        );
        store.migrate().await.expect("migrate is idempotent");
        assert_eq!(
            usernames(&store).await,
            ["admin", "аdmin"],
            "{backend}: both accounts keep working"
        );
        let result = store
            .create_user(&new_user("ＡＤＭＩＮ", Some("third@example.com")))
            .await;
        expect_conflict(
            result,
            "username",
            &format!("{backend}: a new look-alike after the backfill"),
        );
    }
}

/// Runs one statement straight on the database, as an older Tessera or an admin would.
async fn run_sql(db: &crate::support::db::TestDb, sql: &str, bind: &str) {
    crate::support::db::execute(&db.url, sql, &[bind.into()]).await;
}

/// The `username_skeleton` column of the account with this folded username.
async fn stored_skeleton(db: &crate::support::db::TestDb, folded: &str) -> Option<String> {
    use sqlx::Connection;
    let sql = "SELECT username_skeleton FROM users WHERE username_folded = $1";
    let row: (Option<String>,) = if db.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        sqlx::query_as(sql).bind(folded).fetch_one(&mut conn).await.expect(sql)
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query_as(sql).bind(folded).fetch_one(&mut conn).await.expect(sql)
    };
    row.0
}

#[tokio::test]
async fn set_flags_with_makes_every_superuser_staff_and_refuses_an_unknown_account() {
    let test = "set_flags_with_makes_every_superuser_staff_and_refuses_an_unknown_account";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let none = tessera_core::jobs::Effects::none();
        let both = store.set_flags_with(jane.id, false, true, &none).await.unwrap();
        assert!(both.is_staff && both.is_superuser, "{backend}: a superuser is staff");
        let staff = store.set_flags_with(jane.id, true, false, &none).await.unwrap();
        assert!(staff.is_staff && !staff.is_superuser, "{backend}: staff only");
        let neither = store.set_flags_with(jane.id, false, false, &none).await.unwrap();
        assert!(!neither.is_staff && !neither.is_superuser, "{backend}: neither");
        assert!(!reload(&store, jane.id).await.is_staff, "{backend}: stored");
        let ghost = store.set_flags_with(UserId::new(), true, true, &none).await;
        expect_not_found(ghost, &format!("{backend}: set_flags_with of an unknown account"));
    }
}
