use std::sync::Arc;

use tessera_core::store::Store;
use tessera_mail::MailTransport;

use crate::config::Config;
use crate::password_pool::PasswordPool;
use crate::templates::Templates;

/// What every handler can reach. Cheap to clone (all shared).
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub mail: Arc<dyn MailTransport>,
    pub templates: Arc<Templates>,
    pub passwords: PasswordPool,
    /// Derived from the master key; keys the CSRF MAC.
    pub csrf_key: [u8; 32],
    pub keys: Arc<crate::oidc::keyring::KeyRing>,
    /// Outbound HTTP (back-channel logout, webhooks).
    pub http: reqwest::Client,
    /// Wakes this node's job worker when it enqueues something.
    pub jobs_wake: Arc<tokio::sync::Notify>,
    pub job_metrics: Arc<crate::jobs::metrics::JobMetrics>,
    pub upstreams: crate::upstream::Registry,
}
