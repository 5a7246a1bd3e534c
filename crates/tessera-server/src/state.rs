use std::sync::Arc;

use tessera_core::factors::SecondFactorStore;
use tessera_core::identity::IdentityStore;
use tessera_core::jobs::JobStore;
use tessera_core::store::{AuditStore, EmailTokenStore, GroupStore, Health, SessionStore, ThrottleStore, UserStore};
use tessera_mail::MailTransport;
use tessera_oidc::storage::OidcStore;

use crate::accounts::Accounts;
use crate::config::Config;
use crate::templates::Templates;

/// What every handler can reach. Cheap to clone (all shared).
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub mail: Arc<dyn MailTransport>,
    pub templates: Arc<Templates>,
    /// Password login, registration, upstream sign-in and linking (and the password pool).
    pub accounts: Arc<Accounts>,
    /// Derived from the master key; keys the CSRF MAC.
    pub csrf_key: [u8; 32],
    /// The OpenID Connect provider (its key ring too).
    pub provider: Arc<tessera_oidc::provider::Provider>,
    /// Outbound HTTP (back-channel logout, webhooks).
    pub http: reqwest::Client,
    /// Wakes this node's job worker when it enqueues something.
    pub jobs_wake: Arc<tokio::sync::Notify>,
    /// The process's Prometheus registry: lives as long as the process, whatever is reloaded.
    pub metrics: Arc<crate::metrics::Metrics>,
    pub upstreams: crate::upstream::Registry,
    /// Clients (by id and IP address) that just authenticated on this node.
    pub client_passes: Arc<crate::throttle::RecentPasses>,
    /// The discovery document and the JWKS, rendered.
    pub documents: Arc<crate::routes::oidc::discovery::Documents>,
}

/// Everything the web layer needs, as one object: the account stores of `tessera-core` and the
/// provider's storage of `tessera-oidc`, all implemented by `tessera-store`.
pub trait Store:
    UserStore
    + GroupStore
    + SessionStore
    + EmailTokenStore
    + AuditStore
    + OidcStore
    + JobStore
    + IdentityStore
    + ThrottleStore
    + SecondFactorStore
    + Health
{
}
impl<T> Store for T where
    T: UserStore
        + GroupStore
        + SessionStore
        + EmailTokenStore
        + AuditStore
        + OidcStore
        + JobStore
        + IdentityStore
        + ThrottleStore
        + SecondFactorStore
        + Health
{
}
