//! `tessera keys …`: the OpenID Connect signing keys.

use std::sync::Arc;

use clap::Subcommand;
use tessera_oidc::provider::SystemClock;
use tessera_oidc::storage::{KeyStore, StoredKey};
use time::OffsetDateTime;

use super::{CliResult, ConfigArg, Failure, load_config, open_store, rfc3339};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a new signing key for every algorithm now. It is published at once and signs
    /// after `oidc.key_publish_before`; the old key stays published until its tokens expire.
    Rotate {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// The published keys (never their private parts): id, algorithm, state and schedule.
    List {
        #[command(flatten)]
        config: ConfigArg,
        /// One JSON object per key instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: KeysCommand) -> CliResult {
    match command {
        KeysCommand::Rotate { config } => rotate(&config).await,
        KeysCommand::List { config, json } => list(&config, json).await,
    }
}

async fn rotate(config: &ConfigArg) -> CliResult {
    let config = load_config(&config.config)?;
    // Only the store and the key ring: no templates, mail transport or HTTP clients.
    let store = open_store(&config).await?;
    let keys = tessera_server::oidc::key_ring(&config, store, Arc::new(SystemClock));
    let created = keys
        .maintain(&tessera_server::oidc::key_policy(&config), true)
        .await
        .map_err(|e| Failure::Internal(e.to_string()))?;
    for kid in created {
        println!("created signing key {kid}");
    }
    Ok(())
}

/// Where a key is in its life: published ahead of signing, signing, or kept published
/// after retiring so tokens it signed still verify.
fn state_of(key: &StoredKey, now: OffsetDateTime) -> &'static str {
    if key.activates_at > now {
        "next"
    } else if key.retires_at.is_some_and(|at| at <= now) {
        "retired"
    } else {
        "signing"
    }
}

async fn list(config: &ConfigArg, json: bool) -> CliResult {
    let config = load_config(&config.config)?;
    let store = open_store(&config).await?;
    let now = OffsetDateTime::now_utc();
    let when = |t: Option<OffsetDateTime>| t.map_or_else(|| "-".to_owned(), rfc3339);
    for key in store.published_keys(now).await? {
        let state = state_of(&key, now);
        if json {
            let line = serde_json::json!({
                "kid": key.kid, "alg": key.alg, "state": state, "created_at": rfc3339(key.created_at),
                "signs_from": rfc3339(key.activates_at), "retires_at": key.retires_at.map(rfc3339),
                "published_until": key.expires_at.map(rfc3339),
            });
            println!("{line}");
        } else {
            println!(
                "{}\t{}\t{state}\tsigns from {}\tretires {}\tpublished until {}",
                key.kid,
                key.alg,
                rfc3339(key.activates_at),
                when(key.retires_at),
                when(key.expires_at)
            );
        }
    }
    Ok(())
}
