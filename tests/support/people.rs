//! People for server tests: the one cheap argon2 setting, an account builder, and browsers
//! that register or sign in through the real pages.
//!
//! ```ignore
//! let jane = person("jane").email("jane@example.com").confirmed().password(PASSWORD).create(&server).await;
//! let browser = signed_in(&server, "jane", PASSWORD).await;
//! ```

use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::password::{Argon2Cost, hash_password};
use tessera_core::store::{GroupStore, StoreError, UserStore};
use tessera_core::{Email, NewUser, User, Username};

use super::logs;
use super::server::{TestServer, browser, csrf_from};

/// The password the suites give their people.
pub const PASSWORD: &str = "correct horse battery";

/// Cheap argon2 so tests stay fast; the production defaults are covered by unit tests.
pub const FAST_ARGON2: Argon2Cost = Argon2Cost {
    memory_kib: 1024,
    iterations: 1,
    parallelism: 1,
};

/// [`FAST_ARGON2`] as a configuration fragment (a top-level `passwords:` key).
pub const FAST_PASSWORDS: &str = "passwords:\n  argon2: { memory_kib: 1024, iterations: 1, parallelism: 1 }\n";

/// A password hash as the server stores one, at [`FAST_ARGON2`] cost.
pub fn hash(password: &str) -> String {
    hash_password(&FAST_ARGON2, password).expect("hash_password")
}

/// An account to create straight in the store (no mail, no pages): start with
/// [`person`], add what the test needs, then [`Person::create`].
#[must_use = "a person is only stored by .create(&server)"]
pub struct Person {
    new: NewUser,
    groups: Vec<String>,
}

/// An active account named `username`, without address, password, names or groups yet.
pub fn person(username: &str) -> Person {
    Person {
        new: NewUser::new(
            Username::parse(username).unwrap_or_else(|e| panic!("username {username:?}: {e:?}")),
            None,
        ),
        groups: Vec::new(),
    }
}

impl Person {
    /// Its address (unconfirmed unless [`Person::confirmed`] is added too).
    pub fn email(mut self, address: &str) -> Self {
        self.new.email = Some(Email::parse(address).unwrap_or_else(|e| panic!("address {address:?}: {e:?}")));
        self
    }

    /// The address is proven, as after its confirmation link.
    pub fn confirmed(mut self) -> Self {
        self.new.email_verified = true;
        self
    }

    /// A password the login form accepts (hashed at [`FAST_ARGON2`] cost).
    pub fn password(mut self, password: &str) -> Self {
        let hash = hash(password);
        logs::secret(password);
        logs::secret(&hash);
        self.new.password_hash = Some(hash);
        self
    }

    pub fn names(mut self, first_name: &str, last_name: &str) -> Self {
        self.new.first_name = first_name.to_owned();
        self.new.last_name = last_name.to_owned();
        self
    }

    pub fn staff(mut self) -> Self {
        self.new.is_staff = true;
        self
    }

    /// An account attribute (what apps and helpdesks map claims from).
    pub fn attribute(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.new.attributes.insert(key.to_owned(), value.into());
        self
    }

    /// A membership; the group is created if it does not exist yet.
    pub fn group(mut self, name: &str) -> Self {
        self.groups.push(name.to_owned());
        self
    }

    /// Stores the account (and its memberships) in the server's store.
    pub async fn create(self, server: &TestServer) -> User {
        let username = self.new.username.as_str().to_owned();
        let user = server
            .store
            .create_user(&self.new)
            .await
            .unwrap_or_else(|e| panic!("create {username}: {e}"));
        for group in &self.groups {
            match server.store.create_group(group).await {
                Ok(()) | Err(StoreError::Conflict { .. }) => {}
                Err(e) => panic!("create group {group}: {e}"),
            }
            server
                .store
                .add_to_group(group, user.id)
                .await
                .unwrap_or_else(|e| panic!("add {username} to {group}: {e}"));
        }
        user
    }
}

/// Posts the registration form at `base` (a test server or a `tessera serve` process) in
/// `client`, as a person typing only the required fields does.
pub async fn register(
    base: &str,
    client: &reqwest::Client,
    username: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    logs::secret(password);
    let page = format!("{base}/register");
    let csrf = csrf_from(client, &page).await;
    let response = client
        .post(&page)
        .form(&[
            ("csrf", csrf),
            ("username", username.to_owned()),
            ("email", email.to_owned()),
            ("password", password.to_owned()),
            ("password2", password.to_owned()),
        ])
        .send()
        .await
        .expect("POST /register");
    // "Check your mail" is on /done (post/redirect/get); a sign-in's redirect stays.
    match response.headers().get(reqwest::header::LOCATION).map(|l| l.as_bytes()) {
        Some(b"/done") => crate::support::server::after_post(client, &page, response).await,
        _ => response,
    }
}

/// Posts the login form in `client`, with `next` when given.
pub async fn log_in(
    server: &TestServer,
    client: &reqwest::Client,
    login: &str,
    password: &str,
    next: Option<&str>,
) -> reqwest::Response {
    logs::secret(password);
    // The reset page always has a form, signed in or not.
    let csrf = csrf_from(client, &server.url("/password/reset")).await;
    let mut form = vec![("csrf", csrf.as_str()), ("login", login), ("password", password)];
    if let Some(next) = next {
        form.push(("next", next));
    }
    let response = client
        .post(server.url("/login"))
        .form(&form)
        .send()
        .await
        .expect("POST /login");
    logs::cookies_of(&response);
    response
}

/// A fresh browser signed in as `login`; panics if the login form refuses it.
pub async fn signed_in(server: &TestServer, login: &str, password: &str) -> reqwest::Client {
    let client = browser();
    let response = log_in(server, &client, login, password, None).await;
    let status = response.status();
    if status != StatusCode::SEE_OTHER {
        panic!(
            "{login} could not sign in ({status}):\n{}",
            response.text().await.unwrap_or_default()
        );
    }
    client
}
