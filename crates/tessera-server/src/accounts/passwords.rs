//! Password hashing off the async runtime: at most `limit` hashes run at once on the blocking
//! pool, and the rest wait on a semaphore. A burst of logins therefore queues politely
//! instead of occupying every runtime worker, and `/healthz` keeps answering.

use std::sync::Arc;

use tessera_core::password::{self, Argon2Cost, Verification};
use tokio::sync::Semaphore;

use super::AccountError;

#[derive(Clone)]
pub struct PasswordPool {
    cost: Argon2Cost,
    permits: Arc<Semaphore>,
}

impl PasswordPool {
    pub fn new(cost: Argon2Cost, limit: usize) -> Self {
        Self {
            cost,
            permits: Arc::new(Semaphore::new(limit.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Argon2Cost) -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AccountError::internal("password pool closed"))?;
        let cost = self.cost;
        tokio::task::spawn_blocking(move || work(cost))
            .await
            .map_err(|e| AccountError::internal(format!("password task failed: {e}")))
    }

    pub async fn hash(&self, password: String) -> Result<String, AccountError> {
        self.run(move |cost| password::hash_password(&cost, &password))
            .await?
            .map_err(|e| AccountError::internal(e.to_string()))
    }

    pub async fn verify(&self, stored: String, candidate: String) -> Result<Verification, AccountError> {
        self.run(move |cost| password::verify_password(&cost, &stored, &candidate))
            .await
    }

    /// Same cost as a verification, for unknown accounts (no timing oracle on usernames).
    pub async fn burn(&self, candidate: String) -> Result<(), AccountError> {
        self.run(move |cost| password::burn_equivalent_time(&cost, &candidate))
            .await
    }
}
