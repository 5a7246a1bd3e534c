//! Upstream logins: the connectors built from `upstreams:`, and the pipeline that turns an
//! upstream identity into one local account.

pub mod activation;
pub mod pipeline;

use std::sync::Arc;

use tessera_upstream::CallbackConnector;

use crate::config::{Config, Upstream};

pub struct Connector {
    pub upstream: Upstream,
    pub connector: Box<dyn CallbackConnector>,
}

#[derive(Clone, Default)]
pub struct Registry {
    connectors: Arc<Vec<Connector>>,
}

impl Registry {
    pub fn new(config: &Config, http: &reqwest::Client) -> Self {
        let connectors = config
            .upstreams
            .iter()
            .map(|u| Connector {
                upstream: u.clone(),
                connector: tessera_upstream::open(u.config.clone(), http.clone()),
            })
            .collect();
        Self {
            connectors: Arc::new(connectors),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.upstream.id == id)
    }

    /// (id, label) of every upstream, for login buttons.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.connectors
            .iter()
            .map(|c| (c.upstream.id.clone(), c.upstream.label.clone()))
            .collect()
    }

    pub fn label(&self, id: &str) -> String {
        self.get(id).map_or_else(|| id.to_owned(), |c| c.upstream.label.clone())
    }
}

/// Sealing context for upstream tokens at rest.
pub const TOKENS_CONTEXT: &str = "tessera upstream tokens";
/// Sealing context for per-login protocol data (OAuth1 token secret, PKCE verifier, nonce).
pub const LOGIN_CONTEXT: &str = "tessera upstream login";
