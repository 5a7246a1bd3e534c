//! Password hashing off the async runtime: at most `limit` hashes run at once on the blocking
//! pool, and the rest wait on a semaphore. A burst of logins therefore queues politely
//! instead of occupying every runtime worker, and `/healthz` keeps answering.

use std::sync::Arc;

use tessera_core::password::{self, Argon2Cost, Verification};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::AccountError;

#[derive(Clone)]
pub struct PasswordPool {
    cost: Argon2Cost,
    permits: Arc<Semaphore>,
}

/// A place in the pool: while it is held, this caller's hashes run and at most `limit - 1`
/// others'. Holding one across a check and what follows it (a login's throttle check, the
/// verification, the failure's count) bounds how many attempts are between the two at once.
pub struct Turn {
    cost: Argon2Cost,
    _permit: OwnedSemaphorePermit,
}

impl PasswordPool {
    pub fn new(cost: Argon2Cost, limit: usize) -> Self {
        Self {
            cost,
            permits: Arc::new(Semaphore::new(limit.max(1))),
        }
    }

    /// The same pool (its places, taken or free) hashing at `cost` from now on: a reloaded
    /// configuration changes the cost, while the limit stays the one the server started with.
    pub fn with_cost(&self, cost: Argon2Cost) -> Self {
        Self {
            cost,
            permits: Arc::clone(&self.permits),
        }
    }

    /// Waits for a place in the pool.
    pub async fn turn(&self) -> Result<Turn, AccountError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| AccountError::internal("password pool closed"))?;
        Ok(Turn {
            cost: self.cost,
            _permit: permit,
        })
    }
}

impl Turn {
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Argon2Cost) -> T + Send + 'static,
    ) -> Result<T, AccountError> {
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
