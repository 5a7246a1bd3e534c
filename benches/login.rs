//! Password-login throughput against the raw argon2 rate, and `/healthz` latency under that
//! load. Run with `cargo bench --bench login` (release build); figures go to docs/benchmarks.md.
//!
//! - raw: argon2id hashes per second on all cores, no server (the ceiling for logins).
//! - login: concurrent POST /login (CSRF + form + verify + session insert) over loopback HTTP
//!   with the configured argon2 parameters (OWASP defaults), SQLite in WAL mode.
//! - healthz: latency percentiles of GET /healthz sampled while the login load runs.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use support::PASSWORD;
use tessera_core::password::{Argon2Cost, hash_password};

const SECONDS: u64 = 10;
const CONCURRENT_LOGINS: usize = 16;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cost = Argon2Cost::default();
    let raw = support::rate::per_second(cores, SECONDS, move || {
        hash_password(&cost, PASSWORD).expect("hash");
    });
    println!(
        "raw argon2id (m={} KiB, t={}, p={}) on {cores} threads: {raw:.1} hashes/s",
        cost.memory_kib, cost.iterations, cost.parallelism
    );

    let server = support::start(None, "", cost).await;
    let base = server.base.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let logins = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let clients: Vec<_> = (0..CONCURRENT_LOGINS)
        .map(|_| tokio::spawn(log_in_until_stopped(base.clone(), stop.clone(), logins.clone())))
        .collect();
    let probe = reqwest::Client::new();
    let mut latencies = Vec::new();
    while start.elapsed() < Duration::from_secs(SECONDS) {
        let t = Instant::now();
        probe.get(format!("{base}/healthz")).send().await.unwrap();
        latencies.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    for c in clients {
        c.await.unwrap();
    }
    let rate = logins.load(Ordering::Relaxed) as f64 / elapsed;
    latencies.sort();
    println!(
        "password logins ({CONCURRENT_LOGINS} concurrent clients): {rate:.1} logins/s = {:.0}% of the raw hash rate",
        100.0 * rate / raw
    );
    println!(
        "/healthz under that load ({} samples): p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().unwrap()
    );
}

/// One client logging in with the right password until `stop`, counting into `logins`.
async fn log_in_until_stopped(base: String, stop: Arc<AtomicBool>, logins: Arc<AtomicU64>) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/password/reset"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = support::csrf_of(&page);
    while !stop.load(Ordering::Relaxed) {
        let status = client
            .post(format!("{base}/login"))
            .form(&[("csrf", csrf.as_str()), ("login", "bench"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 303);
        logins.fetch_add(1, Ordering::Relaxed);
    }
}
