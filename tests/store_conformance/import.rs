//! UserStore::import_users: one transaction that inserts or updates by username and adds
//! group memberships, or writes nothing at all.

use tessera_core::store::{GroupStore, ImportFailure, ImportSummary};

use super::*;

/// Every group with its members, as `list_groups` gives them.
async fn groups(store: &SqlStore) -> Vec<(String, Vec<String>)> {
    store
        .list_groups()
        .await
        .expect("list_groups")
        .into_iter()
        .map(|g| (g.name, g.members))
        .collect()
}

fn group(name: &str, members: &[&str]) -> (String, Vec<String>) {
    (name.to_owned(), members.iter().map(|m| m.to_string()).collect())
}

#[tokio::test]
async fn import_creates_accounts_groups_and_memberships() {
    for (backend, db) in each_backend("import_creates_accounts_groups_and_memberships").await {
        let store = open(&db).await;
        let accounts = [
            imported("alice", Some("alice@example.com"), &["staff", "eng"]),
            imported("Bob", Some("bob@example.com"), &["eng"]),
            imported("carol", None, &[]),
        ];
        let summary = store.import_users(&accounts).await.expect("import_users");
        assert_eq!(
            summary,
            ImportSummary { created: 3, updated: 0 },
            "{backend}: first import"
        );
        assert_eq!(
            usernames(&store).await,
            ["alice", "Bob", "carol"],
            "{backend}: accounts"
        );
        for account in &accounts {
            let stored = reload(&store, account.user.id).await;
            assert_eq!(
                stored.username,
                account.user.username.as_str(),
                "{backend}: the dump's id is kept"
            );
        }
        let expected = [group("eng", &["alice", "Bob"]), group("staff", &["alice"])];
        assert_eq!(groups(&store).await, expected, "{backend}: groups and members");
        let alices = store.groups_of(accounts[0].user.id).await.expect("groups_of");
        assert_eq!(alices, ["eng", "staff"], "{backend}: alice's groups");
    }
}

#[tokio::test]
async fn importing_again_updates_in_place_and_never_removes_memberships() {
    for (backend, db) in each_backend("importing_again_updates_in_place_and_never_removes_memberships").await {
        let store = open(&db).await;
        let dave = create(&store, "dave", Some("dave@example.com")).await;
        let accounts = [
            imported("alice", Some("alice@example.com"), &["staff", "eng"]),
            imported("Bob", Some("bob@example.com"), &["eng"]),
            imported("Dave", Some("dave@example.com"), &["eng"]),
        ];
        let first = store.import_users(&accounts).await.expect("first import");
        assert_eq!(
            first,
            ImportSummary { created: 2, updated: 1 },
            "{backend}: dave already existed"
        );
        let ids = |users: Vec<User>| users.into_iter().map(|u| u.id).collect::<Vec<_>>();
        let ids_before = ids(store.list_users().await.expect("list_users"));
        let groups_before = groups(&store).await;

        let again = store.import_users(&accounts).await.expect("second import");
        assert_eq!(
            again,
            ImportSummary { created: 0, updated: 3 },
            "{backend}: re-running the same dump"
        );
        assert_eq!(
            ids(store.list_users().await.expect("list_users")),
            ids_before,
            "{backend}: same ids"
        );
        assert_eq!(
            groups(&store).await,
            groups_before,
            "{backend}: no duplicate memberships"
        );
        assert_eq!(
            reload(&store, dave.id).await.username,
            "Dave",
            "{backend}: dave keeps his id"
        );

        // A later dump: fresh ids, another spelling, changed fields, a new group, fewer groups.
        let changed = [ImportedAccount {
            user: NewUser {
                first_name: "Alicia".into(),
                is_staff: true,
                ..new_user("ALICE", Some("alicia@example.com"))
            },
            groups: vec!["ops".into()],
        }];
        let third = store.import_users(&changed).await.expect("third import");
        assert_eq!(
            third,
            ImportSummary { created: 0, updated: 1 },
            "{backend}: matched by folded username"
        );
        let alice = store
            .user_by_username("alice")
            .await
            .expect("user_by_username")
            .expect("alice");
        assert_eq!(alice.id, ids_before[0], "{backend}: alice keeps her first id");
        assert_eq!(alice.username, "ALICE", "{backend}: the dump's spelling wins");
        assert_eq!(alice.first_name, "Alicia", "{backend}: fields updated");
        assert!(alice.is_staff, "{backend}: flags updated");
        assert_eq!(
            alice.email.as_deref(),
            Some("alicia@example.com"),
            "{backend}: address updated"
        );
        let alices = store.groups_of(alice.id).await.expect("groups_of");
        assert_eq!(
            alices,
            ["eng", "ops", "staff"],
            "{backend}: memberships only ever added"
        );
        assert_eq!(usernames(&store).await.len(), 3, "{backend}: no account added");
    }
}

#[tokio::test]
async fn a_failed_import_names_the_account_and_writes_nothing() {
    for (backend, db) in each_backend("a_failed_import_names_the_account_and_writes_nothing").await {
        let store = open(&db).await;
        let existing = create_verified(&store, "existing", "existing@example.com", "h").await;
        store.create_group("before").await.expect("create_group");
        store.add_to_group("before", existing.id).await.expect("add_to_group");
        let groups_before = groups(&store).await;
        let accounts = [
            // Only proven addresses are unique (Django's own dumps may repeat an address).
            proven_import("ann", "ann@example.com", &["imported", "before"]),
            ImportedAccount {
                user: NewUser {
                    first_name: "Changed".into(),
                    ..new_user("Existing", Some("existing@example.com"))
                },
                groups: vec!["imported".into(), "second".into()],
            },
            proven_import("amy", "ANN@example.com", &["third"]),
            imported("zack", None, &["last"]),
        ];
        match store.import_users(&accounts).await {
            Err(ImportFailure {
                index: Some(2),
                error: StoreError::Conflict { field: "email" },
            }) => {}
            other => panic!("{backend}: expected an email conflict at account #2, got {other:?}"),
        }
        assert_eq!(
            usernames(&store).await,
            ["existing"],
            "{backend}: no imported account remains"
        );
        let existing_now = reload(&store, existing.id).await;
        assert_eq!(
            existing_now.first_name, "",
            "{backend}: the update of #1 was rolled back"
        );
        assert_eq!(existing_now.username, "existing", "{backend}: spelling rolled back");
        assert_eq!(
            groups(&store).await,
            groups_before,
            "{backend}: no group or membership remains"
        );
        assert_eq!(
            store.groups_of(existing.id).await.expect("groups_of"),
            ["before"],
            "{backend}"
        );

        // An address taken by an account outside the dump fails the same way.
        let clash = [
            imported("newbie", None, &["x"]),
            proven_import("other", "EXISTING@example.com", &[]),
        ];
        match store.import_users(&clash).await {
            Err(ImportFailure {
                index: Some(1),
                error: StoreError::Conflict { field: "email" },
            }) => {}
            other => panic!("{backend}: expected an email conflict at account #1, got {other:?}"),
        }
        assert_eq!(
            usernames(&store).await,
            ["existing"],
            "{backend}: nothing from the second dump"
        );
        assert_eq!(
            groups(&store).await,
            groups_before,
            "{backend}: no group from the second dump"
        );
    }
}

#[tokio::test]
async fn importing_nothing_is_a_no_op() {
    for (backend, db) in each_backend("importing_nothing_is_a_no_op").await {
        let store = open(&db).await;
        let summary = store.import_users(&[]).await.expect("import_users");
        assert_eq!(summary, ImportSummary::default(), "{backend}: empty import");
        assert!(usernames(&store).await.is_empty(), "{backend}: no accounts");
    }
}

fn proven_import(username: &str, email: &str, groups: &[&str]) -> ImportedAccount {
    let mut account = imported(username, Some(email), groups);
    account.user.email_verified = true;
    account
}
