//! What the web crate gives the OpenID Connect provider (`tessera_oidc::provider`): the
//! directory of clients and accounts it serves, the key schedule from the configuration, and
//! the delivery of back-channel logout tokens. The provider's decisions are in `tessera-oidc`;
//! HTTP is in `routes::oidc`.

pub mod backchannel;
pub mod directory;

use std::sync::Arc;

use tessera_core::secret::Secret;
use tessera_oidc::SigningAlg;
use tessera_oidc::provider::{Clock, KeyPolicy, KeyRing, Provider};
use tessera_oidc::storage::KeyStore;

use crate::config::Config;
use crate::state::Store;

/// Algorithms to keep keys for: RS256 always (OIDC Discovery §3), plus whatever a client uses.
pub fn algorithms(config: &Config) -> Vec<SigningAlg> {
    let mut algs = vec![SigningAlg::Rs256];
    for c in &config.clients {
        if !algs.contains(&c.client.id_token_alg) {
            algs.push(c.client.id_token_alg);
        }
    }
    algs
}

/// The key schedule the configuration asks for.
pub fn key_policy(config: &Config) -> KeyPolicy {
    KeyPolicy {
        algorithms: algorithms(config),
        rotation: config.oidc.key_rotation,
        publish_before: config.oidc.key_publish_before,
        longest_token: config.oidc.id_token_ttl.max(config.oidc.access_token_ttl),
    }
}

/// The key ring over `store`, sealed with the configured master key. All `tessera keys
/// rotate` needs.
pub fn key_ring(config: &Config, store: Arc<dyn KeyStore>, clock: Arc<dyn Clock>) -> KeyRing {
    KeyRing::new(Secret::clone(&config.master_key), store, clock)
}

/// The provider for this configuration and store.
pub fn provider(config: &Arc<Config>, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Provider {
    let keys = Arc::new(key_ring(config, store.clone(), clock.clone()));
    let directory = accounts_directory(config, store.clone());
    Provider::new(config.issuer_str(), config.oidc.clone(), store, directory, keys, clock)
        .with_acr(config.mfa.acr.clone())
}

/// `running` serving a reloaded configuration: its key ring (and cache) stays, the clients
/// and settings are the new ones.
pub fn reconfigured(running: &Provider, config: &Arc<Config>, store: Arc<dyn Store>) -> Provider {
    running
        .reconfigured(
            config.issuer_str(),
            config.oidc.clone(),
            accounts_directory(config, store),
        )
        .with_acr(config.mfa.acr.clone())
}

fn accounts_directory(config: &Arc<Config>, store: Arc<dyn Store>) -> Arc<directory::Accounts> {
    Arc::new(directory::Accounts {
        config: config.clone(),
        store,
    })
}
