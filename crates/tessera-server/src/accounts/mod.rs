//! The accounts service: password login, registration, upstream sign-in (the pipeline), and
//! connecting and disconnecting upstream accounts. It decides and writes (with the audit
//! events and jobs each change causes), and answers with outcome enums and [`AccountError`].
//! It knows nothing of requests, cookies, sessions or pages: the web layer extracts, calls one
//! method, starts a session where one is due, and turns the outcome into a response.

mod factors;
mod federation;
mod linking;
mod login;
mod passkeys;
mod passwords;
mod phrasing;
mod registration;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use tessera_core::store::StoreError;
use tokio::sync::Notify;

use crate::config::{Config, Upstream};
use crate::jobs::effects;
use crate::state::Store;

pub use factors::{CodeCheck, Notice, TotpConfirmation, notice};
pub use federation::{Outcome, Stop, UpstreamSignIn};
pub use linking::Disconnect;
pub use login::{LoginMethod, LoginOutcome, PasswordCheck};
pub use passkeys::{Challenge, PasskeyRefusal};
pub use passwords::PasswordPool;
pub use phrasing::{Phrased, names_too_long, passwords_differ, unsafe_text_errors};
pub use registration::{AfterRegistration, RegisterOutcome, Registration};

/// The service, shared by every request (held in the web state behind an `Arc`).
pub struct Accounts {
    store: Arc<dyn Store>,
    config: Arc<Config>,
    passwords: PasswordPool,
    /// Wakes this node's job worker when a change enqueued jobs.
    jobs_wake: Arc<Notify>,
    /// The WebAuthn relying party for passkeys (none when the issuer is not a domain).
    webauthn: Option<webauthn_rs::Webauthn>,
}

impl Accounts {
    /// The service over the shared store and configuration; its password pool is the only one
    /// (so `passwords.max_concurrent_hashes` bounds every hash the server computes).
    pub fn new(config: Arc<Config>, store: Arc<dyn Store>, jobs_wake: Arc<Notify>) -> Self {
        Self {
            passwords: PasswordPool::new(config.argon2, config.max_concurrent_hashes),
            webauthn: passkeys::relying_party(&config.issuer),
            store,
            config,
            jobs_wake,
        }
    }

    /// The service for a reloaded `config`: the same store, job wake-up and password pool
    /// (so the bound on concurrent hashes holds across the reload), at the new argon2 cost.
    pub fn reconfigured(&self, config: Arc<Config>) -> Self {
        Self {
            passwords: self.passwords.with_cost(config.argon2),
            webauthn: passkeys::relying_party(&config.issuer),
            store: Arc::clone(&self.store),
            config,
            jobs_wake: Arc::clone(&self.jobs_wake),
        }
    }

    /// The password-hashing pool, for the account pages that check or set a password.
    pub fn passwords(&self) -> &PasswordPool {
        &self.passwords
    }

    /// The `upstreams:` entry with this id, if it is (still) configured.
    fn configured_upstream(&self, id: &str) -> Option<&Upstream> {
        self.config.upstreams.iter().find(|u| u.id == id)
    }
}

impl effects::Context for Accounts {
    fn config(&self) -> &Config {
        &self.config
    }
    fn store(&self) -> &dyn Store {
        &*self.store
    }
    fn jobs_wake(&self) -> &Notify {
        &self.jobs_wake
    }
}

/// Why an account operation could not finish (a refusal the person can act on is an outcome,
/// not an error).
#[derive(Debug)]
pub enum AccountError {
    Store(StoreError),
    Internal(String),
}

impl AccountError {
    pub fn internal(cause: impl Into<String>) -> Self {
        Self::Internal(cause.into())
    }
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}
