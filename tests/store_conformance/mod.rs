//! Storage conformance: every test runs against every backend `each_backend` offers (a fresh
//! SQLite file always, a fresh PostgreSQL database when TESSERA_TEST_POSTGRES_URL is set) and
//! checks what the doc comments of the `tessera_core::store` traits promise, bad paths included.
//! Each test owns its databases, so tests never depend on each other or on their order.

mod audit_health;
mod concurrency;
mod email_tokens;
mod groups;
mod import;
mod proofs;
mod sessions;
mod users;

use std::fmt::Debug;

use tessera_core::store::{
    EmailToken, EmailTokenPurpose, EmailTokenStore, ImportedAccount, Session, SessionStore, StoreError, StoreResult,
    UserStore,
};
use tessera_core::{Email, NewUser, ProfileUpdate, User, UserId, Username};
use tessera_store::SqlStore;
use time::{Duration, OffsetDateTime};

use crate::support::db::{each_backend, open};

/// A plain, active account joined now; panics on an invalid username or address.
fn new_user(username: &str, email: Option<&str>) -> NewUser {
    NewUser::new(
        Username::parse(username).expect("valid username"),
        email.map(|e| Email::parse(e).expect("valid email")),
    )
}

/// Creates a plain account and returns it as stored.
async fn create(store: &SqlStore, username: &str, email: Option<&str>) -> User {
    store
        .create_user(&new_user(username, email))
        .await
        .expect("create_user")
}

/// Creates an account whose address is already verified and whose password hash is `hash`.
async fn create_verified(store: &SqlStore, username: &str, email: &str, hash: &str) -> User {
    let new = NewUser {
        email_verified: true,
        password_hash: Some(hash.to_owned()),
        ..new_user(username, Some(email))
    };
    store.create_user(&new).await.expect("create_user")
}

/// The account as stored now; panics if it is gone.
async fn reload(store: &SqlStore, id: UserId) -> User {
    store
        .user_by_id(id)
        .await
        .expect("user_by_id")
        .expect("the account still exists")
}

/// Whom `user_by_username` finds for `username`.
async fn found_by_username(store: &SqlStore, username: &str) -> Option<UserId> {
    let user = store.user_by_username(username).await.expect("user_by_username");
    user.map(|u| u.id)
}

/// Whom `user_by_login` finds for `login`.
async fn found_by_login(store: &SqlStore, login: &str) -> Option<UserId> {
    let user = store.user_by_login(login).await.expect("user_by_login");
    user.map(|u| u.id)
}

/// The stored password hash of an account.
async fn password_of(store: &SqlStore, id: UserId) -> Option<String> {
    reload(store, id).await.password_hash
}

/// Usernames in the order `list_users` gives them.
async fn usernames(store: &SqlStore) -> Vec<String> {
    store
        .list_users()
        .await
        .expect("list_users")
        .into_iter()
        .map(|u| u.username)
        .collect()
}

fn profile(first_name: &str, last_name: &str) -> ProfileUpdate {
    ProfileUpdate {
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
    }
}

fn email(address: &str) -> Email {
    Email::parse(address).expect("valid email")
}

/// Stores a mail link for `user` sent to `address` (any address: a pending one, an old one).
async fn issue_to(
    store: &SqlStore,
    digest: &str,
    user: &User,
    address: &str,
    purpose: EmailTokenPurpose,
    expires_at: OffsetDateTime,
) {
    let token = EmailToken {
        digest: digest.to_owned(),
        user_id: user.id,
        purpose,
        email: address.to_owned(),
        expires_at,
    };
    store.create_email_token(&token).await.expect("create_email_token");
}

/// The account a proof proved, if the link worked.
fn proven(proof: tessera_core::store::Proof) -> Option<User> {
    match proof {
        tessera_core::store::Proof::Proven { user, .. } => Some(*user),
        _ => None,
    }
}

fn imported(username: &str, email: Option<&str>, groups: &[&str]) -> ImportedAccount {
    ImportedAccount {
        user: new_user(username, email),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    }
}

/// `OffsetDateTime` truncated to what the store keeps (whole seconds).
fn to_second(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).expect("0 is a valid nanosecond")
}

/// A session last seen at `last_seen_at` that ends at `expires_at`.
fn session(digest: &str, user: UserId, last_seen_at: OffsetDateTime, expires_at: OffsetDateTime) -> Session {
    Session {
        id_digest: digest.to_owned(),
        user_id: user,
        created_at: last_seen_at - Duration::minutes(5),
        last_seen_at,
        expires_at,
        auth_time: last_seen_at - Duration::minutes(5),
        amr: "pwd".to_owned(),
    }
}

/// Stores a session seen now that ends in a day.
async fn sign_in(store: &SqlStore, digest: &str, user: UserId) {
    let now = OffsetDateTime::now_utc();
    store
        .create_session(&session(digest, user, now, now + Duration::days(1)))
        .await
        .expect("create_session");
}

async fn has_session(store: &SqlStore, digest: &str) -> bool {
    store.session(digest).await.expect("session").is_some()
}

/// Stores a mail link for `user`'s current address that ends at `expires_at`.
async fn issue(store: &SqlStore, digest: &str, user: &User, purpose: EmailTokenPurpose, expires_at: OffsetDateTime) {
    let address = user.email.clone().expect("the account has an address");
    issue_to(store, digest, user, &address, purpose, expires_at).await;
}

/// Whose live link of `purpose` `digest` is right now.
async fn owner(store: &SqlStore, digest: &str, purpose: EmailTokenPurpose) -> Option<UserId> {
    store
        .email_token_owner(digest, purpose, OffsetDateTime::now_utc())
        .await
        .expect("email_token_owner")
}

fn expect_conflict<T: Debug>(result: StoreResult<T>, field: &str, what: &str) {
    match result {
        Err(StoreError::Conflict { field: got }) => {
            assert_eq!(got, field, "{what}: conflict names the wrong field")
        }
        other => panic!("{what}: expected Conflict {{ field: {field:?} }}, got {other:?}"),
    }
}

fn expect_not_found<T: Debug>(result: StoreResult<T>, what: &str) {
    assert!(
        matches!(result, Err(StoreError::NotFound(_))),
        "{what}: expected NotFound, got {result:?}"
    );
}

mod keys;
