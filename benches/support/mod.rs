//! What both benchmarks need: Tessera on a loopback port with one confirmed account, `bench`.

pub mod rate;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tessera_core::password::{Argon2Cost, hash_password};
use tessera_core::store::UserStore;
use tessera_core::{Email, NewUser, Username};

/// The bench account's password.
pub const PASSWORD: &str = "correct horse battery";

/// A running server: its base URL, and the directory its database (for SQLite) and outbox
/// live in, kept for the server's life.
pub struct Server {
    pub base: String,
    _dir: tempfile::TempDir,
}

/// Starts Tessera on `database_url` (a fresh SQLite file in its own directory when `None`)
/// with `extra_yaml` appended to the configuration, and the `bench` account hashed at `cost`;
/// returns once `/healthz` answers.
pub async fn start(database_url: Option<String>, extra_yaml: &str, cost: Argon2Cost) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let database_url = database_url.unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.path().display()));
    let yaml = format!(
        "issuer: http://{addr}\ndatabase:\n  url: {database_url}\nsecrets:\n  master_key: ${{KEY}}\nlogging:\n  level: warn\n\
email:\n  transport:\n    kind: outbox\n    dir: {}\n{extra_yaml}",
        dir.path().join("outbox").display()
    );
    let env = HashMap::from([(
        "KEY".to_string(),
        "YmVuY2gtb25seS1tYXN0ZXIta2V5LTMyLWJ5dGVzISE=".to_string(),
    )]);
    let config = tessera_server::config::parse(&yaml, &env).expect("config");
    let store = Arc::new(
        tessera_store::SqlStore::connect(&config.database_url)
            .await
            .expect("db"),
    );
    store.migrate().await.expect("migrate");
    let mut user = NewUser::new(
        Username::parse("bench").unwrap(),
        Some(Email::parse("bench@example.com").unwrap()),
    );
    user.email_verified = true;
    user.password_hash = Some(hash_password(&cost, PASSWORD).unwrap());
    store.create_user(&user).await.expect("user");
    let state = tessera_server::build_state(config, store).expect("state");
    tokio::spawn(tessera_server::serve(listener, state));
    let base = format!("http://{addr}");
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { base, _dir: dir }
}

/// The CSRF token in a page's form.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF field")
        .to_owned()
}
