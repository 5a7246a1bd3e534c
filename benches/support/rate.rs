//! The ceilings: how often `work` runs per second on `threads` threads with no server around
//! it (raw signatures, raw argon2 hashes), to divide the endpoints' figures by.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub fn per_second(threads: usize, seconds: u64, work: impl Fn() + Clone + Send + 'static) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (done, work) = (done.clone(), work.clone());
            std::thread::spawn(move || {
                while start.elapsed() < Duration::from_secs(seconds) {
                    work();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().expect("worker"));
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}
