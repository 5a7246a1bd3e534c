//! IdentityStore: upstream identities linked to local accounts, what an upstream login fills
//! in, friends lists, activation, and the upstream logins in flight.

use serde_json::json;
use tessera_core::identity::{IdentityStore, LinkedIdentity, LoginPurpose, UpstreamLogin};
use tessera_core::jobs::Effects;

use super::*;

/// A linked identity as a provider would describe it (linked a day ago).
pub(super) fn identity(provider: &str, subject: &str, user: UserId) -> LinkedIdentity {
    let at = OffsetDateTime::now_utc() - Duration::days(1);
    LinkedIdentity {
        provider: provider.to_owned(),
        subject: subject.to_owned(),
        user_id: user,
        username: Some(format!("{provider}-{subject}")),
        email: None,
        email_verified: false,
        profile: json!({ "id": subject }),
        tokens_sealed: None,
        linked_at: at,
        updated_at: at,
    }
}

async fn link(store: &SqlStore, provider: &str, subject: &str, user: UserId) {
    store
        .link_identity(&identity(provider, subject, user), &Effects::none())
        .await
        .expect("link_identity");
}

/// (provider, subject) of every identity linked to `user`, as `identities_of` lists them.
async fn linked(store: &SqlStore, user: UserId) -> Vec<(String, String)> {
    let identities = store.identities_of(user).await.expect("identities_of");
    identities.into_iter().map(|i| (i.provider, i.subject)).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(p, s)| (p.to_string(), s.to_string())).collect()
}

async fn known_people(store: &SqlStore, user: UserId) -> Vec<String> {
    let people = store.people_you_may_know(user).await.expect("people_you_may_know");
    people.into_iter().map(|u| u.username).collect()
}

#[tokio::test]
async fn a_linked_identity_reads_back_field_for_field() {
    for (backend, db) in each_backend("a_linked_identity_reads_back_field_for_field").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let full = LinkedIdentity {
            username: Some("Jane Ünïcødé".into()),
            email: Some("Jane@Upstream.example".into()),
            email_verified: true,
            profile: json!({ "id": "42", "name": "Jane \"J\" Doe", "friends": [1, 2], "nested": { "ok": true } }),
            tokens_sealed: Some(vec![0, 1, 2, 254, 255]),
            updated_at: OffsetDateTime::now_utc() - Duration::hours(2) + Duration::milliseconds(700),
            ..identity("oidc", "42", jane.id)
        };
        store
            .link_identity(&full, &Effects::none())
            .await
            .expect("link_identity");
        let read = store.identity("oidc", "42").await.unwrap().expect("linked");
        assert_eq!(
            (read.provider.as_str(), read.subject.as_str()),
            ("oidc", "42"),
            "{backend}: key"
        );
        assert_eq!(read.user_id, jane.id, "{backend}: account");
        assert_eq!(read.username, full.username, "{backend}: upstream username");
        assert_eq!(read.email, full.email, "{backend}: upstream address as given");
        assert!(read.email_verified, "{backend}: email_verified");
        assert_eq!(read.profile, full.profile, "{backend}: profile");
        assert_eq!(read.tokens_sealed, full.tokens_sealed, "{backend}: sealed token bytes");
        assert_eq!(read.linked_at, to_second(full.linked_at), "{backend}: linked_at");
        assert_eq!(read.updated_at, to_second(full.updated_at), "{backend}: updated_at");

        assert!(
            store.identity("oidc", "43").await.unwrap().is_none(),
            "{backend}: another subject"
        );
        assert!(
            store.identity("twitter", "42").await.unwrap().is_none(),
            "{backend}: same subject elsewhere"
        );
        assert!(
            store.identities_of(UserId::new()).await.unwrap().is_empty(),
            "{backend}: unknown account"
        );
    }
}

#[tokio::test]
async fn identities_of_lists_an_accounts_identities_by_provider_then_link_time() {
    let test = "identities_of_lists_an_accounts_identities_by_provider_then_link_time";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        let now = OffsetDateTime::now_utc();
        for (provider, subject, days_ago) in [
            ("twitter", "t-late", 1),
            ("facebook", "f", 5),
            ("twitter", "t-early", 3),
        ] {
            let linked_at = now - Duration::days(days_ago);
            let i = LinkedIdentity {
                linked_at,
                ..identity(provider, subject, jane.id)
            };
            store.link_identity(&i, &Effects::none()).await.expect("link_identity");
        }
        link(&store, "twitter", "johns", john.id).await;
        let expected = pairs(&[("facebook", "f"), ("twitter", "t-early"), ("twitter", "t-late")]);
        assert_eq!(linked(&store, jane.id).await, expected, "{backend}: jane's");
        assert_eq!(
            linked(&store, john.id).await,
            pairs(&[("twitter", "johns")]),
            "{backend}: john's"
        );
    }
}

#[tokio::test]
async fn an_identity_links_to_one_account_only_and_a_refused_link_writes_nothing() {
    let test = "an_identity_links_to_one_account_only_and_a_refused_link_writes_nothing";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        link(&store, "twitter", "1", jane.id).await;
        for (who, user) in [("another account", john.id), ("the same account", jane.id)] {
            let again = LinkedIdentity {
                username: Some("changed".into()),
                ..identity("twitter", "1", user)
            };
            let result = store.link_identity(&again, &Effects::none()).await;
            expect_conflict(result, "identity", &format!("{backend}: linking again to {who}"));
        }
        let kept = store.identity("twitter", "1").await.unwrap().expect("still linked");
        assert_eq!(kept.user_id, jane.id, "{backend}: still jane's");
        assert_eq!(kept.username.as_deref(), Some("twitter-1"), "{backend}: unchanged");
        assert!(linked(&store, john.id).await.is_empty(), "{backend}: john got nothing");

        let orphan = store
            .link_identity(&identity("twitter", "2", UserId::new()), &Effects::none())
            .await;
        assert!(orphan.is_err(), "{backend}: linking to an unknown account: {orphan:?}");
        assert!(
            store.identity("twitter", "2").await.unwrap().is_none(),
            "{backend}: nothing stored"
        );
    }
}

#[tokio::test]
async fn create_user_with_identity_creates_both_or_neither() {
    for (backend, db) in each_backend("create_user_with_identity_creates_both_or_neither").await {
        let store = open(&db).await;
        let new = new_user("jane", Some("jane@example.com"));
        let jane = store
            .create_user_with_identity(&new, &identity("twitter", "1", new.id), &Effects::none())
            .await
            .expect("create_user_with_identity");
        assert_eq!(
            (jane.id, jane.username.as_str()),
            (new.id, "jane"),
            "{backend}: the account"
        );
        assert_eq!(
            linked(&store, jane.id).await,
            pairs(&[("twitter", "1")]),
            "{backend}: its identity"
        );

        // The identity is someone else's already: no account either.
        let taken = new_user("john", None);
        let result = store
            .create_user_with_identity(&taken, &identity("twitter", "1", taken.id), &Effects::none())
            .await;
        expect_conflict(result, "identity", &format!("{backend}: an identity linked already"));
        assert_eq!(
            found_by_username(&store, "john").await,
            None,
            "{backend}: no account for john"
        );

        // The username is taken: no identity either.
        let clash = new_user("JANE", None);
        let result = store
            .create_user_with_identity(&clash, &identity("facebook", "9", clash.id), &Effects::none())
            .await;
        expect_conflict(result, "username", &format!("{backend}: a username taken"));
        assert!(
            store.identity("facebook", "9").await.unwrap().is_none(),
            "{backend}: no identity"
        );
        assert_eq!(usernames(&store).await, ["jane"], "{backend}: one account");
    }
}

#[tokio::test]
async fn update_identity_refreshes_what_the_upstream_says_and_keeps_the_link() {
    let test = "update_identity_refreshes_what_the_upstream_says_and_keeps_the_link";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let original = identity("oidc", "42", jane.id);
        store.link_identity(&original, &Effects::none()).await.unwrap();
        link(&store, "oidc", "43", jane.id).await;
        let now = OffsetDateTime::now_utc();
        let fresh = LinkedIdentity {
            username: Some("jane.renamed".into()),
            email: Some("jane@new.example".into()),
            email_verified: true,
            profile: json!({ "id": "42", "name": "Jane R." }),
            tokens_sealed: Some(vec![9, 8, 7]),
            updated_at: now,
            // Neither the owner nor the link time is the upstream's to change.
            user_id: UserId::new(),
            linked_at: now,
            ..original.clone()
        };
        store.update_identity(&fresh).await.expect("update_identity");
        let read = store.identity("oidc", "42").await.unwrap().expect("still linked");
        assert_eq!(read.username.as_deref(), Some("jane.renamed"), "{backend}: username");
        assert_eq!(read.email.as_deref(), Some("jane@new.example"), "{backend}: email");
        assert!(read.email_verified, "{backend}: email_verified");
        assert_eq!(read.profile, fresh.profile, "{backend}: profile");
        assert_eq!(read.tokens_sealed, Some(vec![9, 8, 7]), "{backend}: tokens");
        assert_eq!(read.updated_at, to_second(now), "{backend}: updated_at");
        assert_eq!(read.user_id, jane.id, "{backend}: still jane's");
        assert_eq!(
            read.linked_at,
            to_second(original.linked_at),
            "{backend}: linked_at kept"
        );
        let other = store.identity("oidc", "43").await.unwrap().unwrap();
        assert_eq!(
            other.username.as_deref(),
            Some("oidc-43"),
            "{backend}: another identity untouched"
        );

        let ghost = identity("oidc", "never-linked", jane.id);
        let result = store.update_identity(&ghost).await;
        assert!(
            matches!(result, Ok(()) | Err(StoreError::NotFound(_))),
            "{backend}: updating an unknown identity: {result:?}"
        );
        assert!(
            store.identity("oidc", "never-linked").await.unwrap().is_none(),
            "{backend}: not created"
        );
    }
}

#[tokio::test]
async fn fill_profile_and_fill_attributes_never_overwrite() {
    for (backend, db) in each_backend("fill_profile_and_fill_attributes_never_overwrite").await {
        let store = open(&db).await;
        let attributes = json!({ "locale": "fr", "team": "" });
        let set = NewUser {
            first_name: "Jane".into(),
            attributes: attributes.as_object().unwrap().clone(),
            ..new_user("jane", None)
        };
        let jane = store.create_user(&set).await.unwrap();
        let bare = create(&store, "john", None).await;

        store.fill_profile(jane.id, "Janet", "Doe").await.expect("fill_profile");
        let read = reload(&store, jane.id).await;
        assert_eq!(
            [&read.first_name, &read.last_name],
            ["Jane", "Doe"],
            "{backend}: only the empty name"
        );
        store.fill_profile(bare.id, "John", "").await.expect("fill_profile");
        let read = reload(&store, bare.id).await;
        assert_eq!([&read.first_name, &read.last_name], ["John", ""], "{backend}: john");

        let upstream = json!({ "locale": "en", "team": "ops", "bio": "hello ✓", "links": [1, 2] });
        store
            .fill_attributes(jane.id, upstream.as_object().unwrap())
            .await
            .expect("fill_attributes");
        let read = reload(&store, jane.id).await;
        let expected = json!({ "locale": "fr", "team": "", "bio": "hello ✓", "links": [1, 2] });
        assert_eq!(
            json!(read.attributes),
            expected,
            "{backend}: only attributes not set yet"
        );
        store
            .fill_attributes(jane.id, &serde_json::Map::new())
            .await
            .expect("nothing to fill");
        assert_eq!(
            json!(reload(&store, jane.id).await.attributes),
            expected,
            "{backend}: unchanged"
        );
        assert!(
            reload(&store, bare.id).await.attributes.is_empty(),
            "{backend}: john untouched"
        );

        let ghost = UserId::new();
        let profile = store.fill_profile(ghost, "X", "Y").await;
        assert!(
            matches!(profile, Ok(()) | Err(StoreError::NotFound(_))),
            "{backend}: {profile:?}"
        );
        let filled = store.fill_attributes(ghost, upstream.as_object().unwrap()).await;
        assert!(
            matches!(filled, Ok(()) | Err(StoreError::NotFound(_))),
            "{backend}: {filled:?}"
        );
        assert_eq!(
            usernames(&store).await,
            ["jane", "john"],
            "{backend}: no account made up"
        );
    }
}

#[tokio::test]
async fn unlink_identity_removes_only_that_accounts_identity() {
    for (backend, db) in each_backend("unlink_identity_removes_only_that_accounts_identity").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let john = create(&store, "john", None).await;
        link(&store, "twitter", "j", jane.id).await;
        link(&store, "facebook", "j", jane.id).await;
        link(&store, "twitter", "k", john.id).await;

        assert!(
            !store.unlink_identity(jane.id, "twitter", "k").await.unwrap(),
            "{backend}: john's"
        );
        assert_eq!(
            linked(&store, john.id).await,
            pairs(&[("twitter", "k")]),
            "{backend}: john keeps it"
        );
        assert!(
            store.unlink_identity(jane.id, "twitter", "j").await.unwrap(),
            "{backend}: jane's"
        );
        assert_eq!(
            linked(&store, jane.id).await,
            pairs(&[("facebook", "j")]),
            "{backend}: the other stays"
        );
        assert!(
            store.identity("twitter", "j").await.unwrap().is_none(),
            "{backend}: gone"
        );
        assert!(
            !store.unlink_identity(jane.id, "twitter", "j").await.unwrap(),
            "{backend}: not twice"
        );
        assert!(
            !store.unlink_identity(jane.id, "nowhere", "x").await.unwrap(),
            "{backend}: unknown"
        );
    }
}

#[tokio::test]
async fn people_you_may_know_are_active_accounts_linked_to_friends_on_the_same_provider() {
    let test = "people_you_may_know_are_active_accounts_linked_to_friends_on_the_same_provider";
    for (backend, db) in each_backend(test).await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let [carol, bob, dave, erin] = [
            create(&store, "carol", None).await,
            create(&store, "Bob", None).await,
            create(&store, "dave", None).await,
            store
                .create_user(&NewUser {
                    is_active: false,
                    awaiting_activation: true,
                    ..new_user("erin", None)
                })
                .await
                .unwrap(),
        ];
        link(&store, "twitter", "jane-t", jane.id).await;
        link(&store, "facebook", "jane-f", jane.id).await;
        link(&store, "twitter", "carol-t", carol.id).await;
        link(&store, "facebook", "bob-f", bob.id).await;
        link(&store, "facebook", "dave-f", dave.id).await; // listed as a twitter friend only
        link(&store, "twitter", "erin-t", erin.id).await;
        assert!(
            known_people(&store, jane.id).await.is_empty(),
            "{backend}: no friends list yet"
        );

        let twitter_friends = ["carol-t", "dave-f", "erin-t", "stranger", "jane-t", "carol-t"].map(String::from);
        store
            .set_contacts("twitter", "jane-t", &twitter_friends)
            .await
            .expect("set_contacts");
        store
            .set_contacts("facebook", "jane-f", &["bob-f".to_owned()])
            .await
            .expect("set_contacts");
        let expected = ["Bob", "carol"];
        assert_eq!(
            known_people(&store, jane.id).await,
            expected,
            "{backend}: by username, no one twice"
        );
        assert!(
            known_people(&store, carol.id).await.is_empty(),
            "{backend}: friends lists are one-way"
        );

        // A new list replaces the old one; unlinking an identity drops the list it brought.
        store
            .set_contacts("twitter", "jane-t", &["erin-t".to_owned()])
            .await
            .unwrap();
        assert_eq!(
            known_people(&store, jane.id).await,
            ["Bob"],
            "{backend}: carol left the list"
        );
        assert!(store.unlink_identity(jane.id, "facebook", "jane-f").await.unwrap());
        link(&store, "facebook", "jane-f", jane.id).await;
        assert!(
            known_people(&store, jane.id).await.is_empty(),
            "{backend}: bob's list went with it"
        );
        store
            .set_contacts("twitter", "jane-t", &[])
            .await
            .expect("an empty list");
        store.activate_user(erin.id).await.unwrap();
        assert!(reload(&store, erin.id).await.is_active, "{backend}: erin is active now");
        assert!(
            known_people(&store, jane.id).await.is_empty(),
            "{backend}: the empty list holds"
        );
    }
}

#[tokio::test]
async fn activate_user_activates_only_an_account_waiting_for_it() {
    for (backend, db) in each_backend("activate_user_activates_only_an_account_waiting_for_it").await {
        let store = open(&db).await;
        let attributes = json!({ "locale": "fr" });
        let waiting = NewUser {
            is_active: false,
            awaiting_activation: true,
            attributes: attributes.as_object().unwrap().clone(),
            ..new_user("jane", None)
        };
        let jane = store.create_user(&waiting).await.unwrap();
        let read = reload(&store, jane.id).await;
        assert!(
            !read.is_active && read.awaiting_activation,
            "{backend}: waits: {read:?}"
        );
        // An account an admin disabled does not wait for activation: it must stay disabled.
        let disabled = NewUser {
            is_active: false,
            ..new_user("john", None)
        };
        let john = store.create_user(&disabled).await.unwrap();

        store.activate_user(jane.id).await.expect("activate_user");
        let read = reload(&store, jane.id).await;
        assert!(read.is_active, "{backend}: active");
        assert!(!read.awaiting_activation, "{backend}: no longer waiting");
        assert_eq!(json!(read.attributes), attributes, "{backend}: attributes kept");
        store.activate_user(jane.id).await.expect("activating twice is fine");
        assert!(reload(&store, jane.id).await.is_active, "{backend}: still active");

        store.activate_user(john.id).await.expect("activate_user");
        let read = reload(&store, john.id).await;
        assert!(!read.is_active, "{backend}: a disabled account stays disabled");
        assert!(!read.awaiting_activation, "{backend}: and does not start waiting");

        let unknown = store.activate_user(UserId::new()).await;
        assert!(
            matches!(unknown, Ok(()) | Err(StoreError::NotFound(_))),
            "{backend}: an unknown account: {unknown:?}"
        );
        assert_eq!(
            usernames(&store).await,
            ["jane", "john"],
            "{backend}: no account made up"
        );
    }
}

#[tokio::test]
async fn an_upstream_login_is_taken_once_while_it_is_live() {
    for (backend, db) in each_backend("an_upstream_login_is_taken_once_while_it_is_live").await {
        let store = open(&db).await;
        let jane = create(&store, "jane", None).await;
        let now = OffsetDateTime::now_utc();
        let link_login = UpstreamLogin {
            state_digest: "state-link".into(),
            upstream: "twitter".into(),
            browser: "browser-digest".into(),
            purpose: LoginPurpose::Link,
            user_id: Some(jane.id),
            next: Some("/account?tab=connections".into()),
            sealed_data: vec![0, 1, 2, 250, 255],
            expires_at: now + Duration::minutes(10),
        };
        store
            .create_upstream_login(&link_login)
            .await
            .expect("create_upstream_login");
        let plain = UpstreamLogin {
            state_digest: "state-login".into(),
            purpose: LoginPurpose::Login,
            user_id: None,
            next: None,
            ..link_login.clone()
        };
        store
            .create_upstream_login(&plain)
            .await
            .expect("create_upstream_login");
        let expired = UpstreamLogin {
            state_digest: "state-old".into(),
            expires_at: now,
            ..plain.clone()
        };
        store
            .create_upstream_login(&expired)
            .await
            .expect("create_upstream_login");
        assert!(
            store.create_upstream_login(&plain).await.is_err(),
            "{backend}: the same state twice"
        );

        let taken = store
            .take_upstream_login("state-link", now)
            .await
            .unwrap()
            .expect("live");
        assert_eq!(taken.state_digest, "state-link", "{backend}: state");
        assert_eq!(
            (taken.upstream.as_str(), taken.browser.as_str()),
            ("twitter", "browser-digest"),
            "{backend}"
        );
        assert_eq!(taken.purpose, LoginPurpose::Link, "{backend}: purpose");
        assert_eq!(taken.user_id, Some(jane.id), "{backend}: the account to link to");
        assert_eq!(taken.next, link_login.next, "{backend}: next");
        assert_eq!(taken.sealed_data, link_login.sealed_data, "{backend}: sealed bytes");
        assert_eq!(
            taken.expires_at,
            to_second(link_login.expires_at),
            "{backend}: expires_at"
        );
        assert!(
            store.take_upstream_login("state-link", now).await.unwrap().is_none(),
            "{backend}: single use"
        );

        let taken = store
            .take_upstream_login("state-login", now)
            .await
            .unwrap()
            .expect("live");
        assert_eq!(
            (taken.purpose, taken.user_id, taken.next),
            (LoginPurpose::Login, None, None),
            "{backend}"
        );
        let at_expiry = to_second(expired.expires_at);
        assert!(
            store
                .take_upstream_login("state-old", at_expiry)
                .await
                .unwrap()
                .is_none(),
            "{backend}: expired"
        );
        let earlier = at_expiry - Duration::minutes(1);
        assert!(
            store.take_upstream_login("state-old", earlier).await.unwrap().is_some(),
            "{backend}: expiry is judged at the caller's `now`, and a dead attempt did not use it up"
        );
        assert!(
            store.take_upstream_login("unknown", now).await.unwrap().is_none(),
            "{backend}: unknown"
        );
    }
}
