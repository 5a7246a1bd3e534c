//! GroupStore: named groups and their members.

use tessera_core::Group;
use tessera_core::store::GroupStore;

use super::*;

fn names_and_members(groups: Vec<Group>) -> Vec<(String, Vec<String>)> {
    groups.into_iter().map(|g| (g.name, g.members)).collect()
}

#[tokio::test]
async fn create_group_refuses_a_duplicate_name() {
    for (backend, db) in each_backend("create_group_refuses_a_duplicate_name").await {
        let store = open(&db).await;
        store.create_group("eng").await.expect("create_group");
        expect_conflict(
            store.create_group("eng").await,
            "group",
            &format!("{backend}: second create_group"),
        );
        let groups = names_and_members(store.list_groups().await.expect("list_groups"));
        assert_eq!(groups, [("eng".to_owned(), vec![])], "{backend}: one empty group");
    }
}

#[tokio::test]
async fn add_to_group_needs_the_group_and_may_be_repeated() {
    for (backend, db) in each_backend("add_to_group_needs_the_group_and_may_be_repeated").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        expect_not_found(
            store.add_to_group("nope", jane.id).await,
            &format!("{backend}: unknown group"),
        );
        assert!(
            store.list_groups().await.expect("list_groups").is_empty(),
            "{backend}: no group was made up"
        );
        assert!(
            store.groups_of(jane.id).await.expect("groups_of").is_empty(),
            "{backend}: no membership"
        );

        store.create_group("eng").await.expect("create_group");
        store.add_to_group("eng", jane.id).await.expect("add_to_group");
        store.add_to_group("eng", jane.id).await.expect("adding twice is fine");
        let groups = names_and_members(store.list_groups().await.expect("list_groups"));
        assert_eq!(
            groups,
            [("eng".to_owned(), vec!["jane".to_owned()])],
            "{backend}: one membership"
        );

        let unknown = store.add_to_group("eng", UserId::new()).await;
        assert!(
            unknown.is_err(),
            "{backend}: adding an unknown account must fail, got {unknown:?}"
        );
        assert_eq!(
            store.groups_of(jane.id).await.expect("groups_of"),
            ["eng"],
            "{backend}: groups_of"
        );
    }
}

#[tokio::test]
async fn remove_from_group_says_whether_the_person_was_a_member() {
    for (backend, db) in each_backend("remove_from_group_says_whether_the_person_was_a_member").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        store.create_group("eng").await.expect("create_group");
        store.add_to_group("eng", jane.id).await.expect("add_to_group");
        store.add_to_group("eng", john.id).await.expect("add_to_group");

        assert!(
            store.remove_from_group("eng", jane.id).await.expect("remove"),
            "{backend}: jane was a member"
        );
        assert!(
            !store.remove_from_group("eng", jane.id).await.expect("remove"),
            "{backend}: not any more"
        );
        assert!(
            !store.remove_from_group("nope", john.id).await.expect("remove"),
            "{backend}: unknown group"
        );
        assert!(
            store.groups_of(jane.id).await.expect("groups_of").is_empty(),
            "{backend}: jane's groups"
        );
        assert_eq!(
            store.groups_of(john.id).await.expect("groups_of"),
            ["eng"],
            "{backend}: john stays"
        );
    }
}

#[tokio::test]
async fn list_groups_sorts_groups_and_members() {
    for (backend, db) in each_backend("list_groups_sorts_groups_and_members").await {
        let store = open(&db).await;
        let [alice, bob, carol] = [
            create(&store, "Alice", None).await,
            create(&store, "bob", None).await,
            create(&store, "Carol", None).await,
        ];
        for name in ["ops", "eng", "empty"] {
            store.create_group(name).await.expect("create_group");
        }
        for (group, user) in [
            ("eng", &carol),
            ("eng", &alice),
            ("eng", &bob),
            ("ops", &bob),
            ("ops", &alice),
        ] {
            store.add_to_group(group, user.id).await.expect("add_to_group");
        }
        let groups = names_and_members(store.list_groups().await.expect("list_groups"));
        let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let expected = [
            ("empty".to_owned(), vec![]),
            ("eng".to_owned(), owned(&["Alice", "bob", "Carol"])),
            ("ops".to_owned(), owned(&["Alice", "bob"])),
        ];
        assert_eq!(
            groups, expected,
            "{backend}: groups by name, members by username ignoring case"
        );
        assert_eq!(
            store.groups_of(alice.id).await.expect("groups_of"),
            ["eng", "ops"],
            "{backend}: alice"
        );
        assert_eq!(
            store.groups_of(carol.id).await.expect("groups_of"),
            ["eng"],
            "{backend}: carol"
        );
    }
}

#[tokio::test]
async fn delete_group_and_rename_group_keep_the_accounts_and_refuse_what_does_not_fit() {
    for (backend, db) in each_backend("delete_group_and_rename_group").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        for group in ["eng", "ops"] {
            store.create_group(group).await.expect("create_group");
            store.add_to_group(group, jane.id).await.expect("add");
        }
        store.rename_group("eng", "dev").await.expect("rename");
        assert_eq!(
            store.groups_of(jane.id).await.expect("groups_of"),
            ["dev", "ops"],
            "{backend}"
        );
        expect_conflict(
            store.rename_group("dev", "ops").await,
            "group",
            &format!("{backend}: taken"),
        );
        expect_not_found(store.rename_group("eng", "x").await, &format!("{backend}: unknown"));
        assert_eq!(
            store.groups_of(jane.id).await.expect("groups_of"),
            ["dev", "ops"],
            "{backend}: unchanged"
        );
        assert!(store.delete_group("dev").await.expect("delete"), "{backend}");
        assert!(
            !store.delete_group("dev").await.expect("delete"),
            "{backend}: gone already"
        );
        assert_eq!(store.groups_of(jane.id).await.expect("groups_of"), ["ops"], "{backend}");
        assert!(
            store.user_by_id(jane.id).await.expect("read").is_some(),
            "{backend}: the account stays"
        );
    }
}
