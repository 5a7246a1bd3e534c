//! Durable background jobs: what a change causes (`effects`), the worker that runs jobs with
//! leases and retries (`worker`), and what each kind of job does (`handlers`).

pub mod effects;
pub mod handlers;
pub mod worker;
