//! Password hashing off the async runtime, on `limit` hashing threads of the pool's own; the
//! rest wait on a semaphore. A burst of logins therefore queues politely instead of occupying
//! every runtime worker, and `/healthz` keeps answering.
//!
//! Each hashing thread keeps its argon2 working memory between hashes
//! ([`tessera_core::password::Argon2Memory`]), so the node's memory for hashing is `limit ×
//! cost` however many logins come. Hashing on the runtime's blocking pool instead allocated
//! the memory afresh each time on whichever of its (many, short-lived) threads ran it, and the
//! allocator's per-thread arenas kept it: one node grew from 19 MiB to 135 MiB after ten
//! logins and to ~380 MiB in bursts.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tessera_core::password::{self, Argon2Cost, Argon2Memory, Verification};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::AccountError;

/// Work for a hashing thread, given that thread's memory.
type Work = Box<dyn FnOnce(&mut Argon2Memory) + Send>;

#[derive(Clone)]
pub struct PasswordPool {
    cost: Argon2Cost,
    permits: Arc<Semaphore>,
    hashers: Arc<Hashers>,
}

/// A place in the pool: while it is held, this caller's hashes run and at most `limit - 1`
/// others'. Holding one across a check and what follows it (a login's throttle check, the
/// verification, the failure's count) bounds how many attempts are between the two at once.
pub struct Turn {
    cost: Argon2Cost,
    hashers: Arc<Hashers>,
    _permit: OwnedSemaphorePermit,
}

/// The hashing threads: they take work from one queue; the semaphore keeps at most as many
/// pieces of work outstanding as there are threads. They end when the pool is dropped.
struct Hashers {
    queue: Mutex<mpsc::Sender<Work>>,
}

impl Hashers {
    fn start(threads: usize) -> Self {
        let (queue, work) = mpsc::channel::<Work>();
        let work = Arc::new(Mutex::new(work));
        for n in 0..threads {
            let work = Arc::clone(&work);
            let started = std::thread::Builder::new()
                .name(format!("tessera-hash-{n}"))
                .spawn(move || hash_until_closed(&work));
            if let Err(e) = started {
                // With none at all, every hash reports the error instead of hanging.
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Self {
            queue: Mutex::new(queue),
        }
    }

    fn submit(&self, work: Work) -> Result<(), AccountError> {
        let queue = self
            .queue
            .lock()
            .map_err(|_| AccountError::internal("password queue poisoned"))?;
        queue
            .send(work)
            .map_err(|_| AccountError::internal("no password hashing thread is running"))
    }
}

/// A hashing thread's life: one memory, reused for every hash it runs.
fn hash_until_closed(work: &Mutex<mpsc::Receiver<Work>>) {
    let mut memory = Argon2Memory::default();
    loop {
        let next = match work.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(next) = next else { return };
        // A panic in one hash loses that hash (its caller gets an error), not the thread.
        if std::panic::catch_unwind(AssertUnwindSafe(|| next(&mut memory))).is_err() {
            memory = Argon2Memory::default();
        }
    }
}

impl PasswordPool {
    pub fn new(cost: Argon2Cost, limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            cost,
            permits: Arc::new(Semaphore::new(limit)),
            hashers: Arc::new(Hashers::start(limit)),
        }
    }

    /// The same pool (its places, taken or free, and its threads) hashing at `cost` from now
    /// on: a reloaded configuration changes the cost, while the limit stays the one the
    /// server started with.
    pub fn with_cost(&self, cost: Argon2Cost) -> Self {
        Self {
            cost,
            permits: Arc::clone(&self.permits),
            hashers: Arc::clone(&self.hashers),
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
            hashers: Arc::clone(&self.hashers),
            _permit: permit,
        })
    }
}

impl Turn {
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Argon2Memory, &Argon2Cost) -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        let cost = self.cost;
        let (answer, answered) = oneshot::channel();
        self.hashers.submit(Box::new(move |memory| {
            let _ = answer.send(work(memory, &cost));
        }))?;
        answered
            .await
            .map_err(|_| AccountError::internal("a password hash failed"))
    }

    pub async fn hash(&self, password: String) -> Result<String, AccountError> {
        self.run(move |memory, cost| password::hash_password_in(memory, cost, &password))
            .await?
            .map_err(|e| AccountError::internal(e.to_string()))
    }

    pub async fn verify(&self, stored: String, candidate: String) -> Result<Verification, AccountError> {
        self.run(move |memory, cost| password::verify_password_in(memory, cost, &stored, &candidate))
            .await
    }

    /// Same cost as a verification, for unknown accounts (no timing oracle on usernames).
    pub async fn burn(&self, candidate: String) -> Result<(), AccountError> {
        self.run(move |memory, cost| password::burn_equivalent_time_in(memory, cost, &candidate))
            .await
    }
}
