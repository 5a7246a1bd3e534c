//! Many writers on one store at once (SQLite relies on WAL and its busy timeout here).

use std::sync::Arc;

use tessera_core::store::GroupStore;

use super::*;

/// Starts every job on its own task before awaiting any; results in input order.
async fn all_at_once<T, F>(jobs: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = jobs.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.expect("the task did not panic"));
    }
    results
}

/// `create_user` for every account, all at once.
async fn create_all_at_once(store: &Arc<SqlStore>, accounts: Vec<NewUser>) -> Vec<StoreResult<User>> {
    all_at_once(accounts.into_iter().map(|new| {
        let store = Arc::clone(store);
        async move { store.create_user(&new).await }
    }))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_distinct_accounts_all_succeed() {
    for (backend, db) in each_backend("concurrent_creates_of_distinct_accounts_all_succeed").await {
        let store = open(&db).await;
        let names: Vec<_> = (0..20).map(|i| format!("user{i:02}")).collect();
        let accounts = names
            .iter()
            .map(|name| new_user(name, Some(&format!("{name}@example.com"))));
        let results = create_all_at_once(&store, accounts.collect()).await;
        for (i, result) in results.iter().enumerate() {
            assert!(result.is_ok(), "{backend}: create #{i} failed: {result:?}");
        }
        assert_eq!(usernames(&store).await, names, "{backend}: all twenty stored");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_username_have_exactly_one_winner() {
    let test = "concurrent_creates_of_one_username_have_exactly_one_winner";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let accounts = (0..10).map(|i| new_user("racer", Some(&format!("racer{i}@example.com"))));
        let results = create_all_at_once(&store, accounts.collect()).await;
        let winners = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1, "{backend}: exactly one create succeeds: {results:?}");
        for result in results.into_iter().filter(|r| r.is_err()) {
            expect_conflict(result, "username", &format!("{backend}: a losing create"));
        }
        assert_eq!(usernames(&store).await, ["racer"], "{backend}: one account stored");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_additions_to_one_group_all_succeed() {
    for (backend, db) in each_backend("concurrent_additions_to_one_group_all_succeed").await {
        let store = open(&db).await;
        store.create_group("crowd").await.expect("create_group");
        let mut members = Vec::new();
        for i in 0..20 {
            members.push(create(&store, &format!("member{i:02}"), None).await);
        }
        let results = all_at_once(members.iter().map(|member| {
            let (store, id) = (Arc::clone(&store), member.id);
            async move { store.add_to_group("crowd", id).await }
        }))
        .await;
        for (i, result) in results.iter().enumerate() {
            assert!(result.is_ok(), "{backend}: add_to_group #{i} failed: {result:?}");
        }
        let groups = store.list_groups().await.expect("list_groups");
        let names: Vec<_> = members.into_iter().map(|m| m.username).collect();
        assert_eq!(groups[0].members, names, "{backend}: every member added");
    }
}
