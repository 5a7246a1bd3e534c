//! Prometheus metrics (text exposition format 0.0.4), served only on `metrics.listen`.
//!
//! One registry per process, made once and kept for the process's life (a configuration
//! reload keeps it, so counters never go back to zero while the process runs). Requests are
//! counted by the access-log middleware, logins and tokens by their routes, jobs by the
//! worker; the job queue and the database pool are read when scraped, the queue with a
//! deadline so `/metrics` answers while the database is gone (`tessera_database_up 0`).
//!
//! These are operator-only. Reset and resend requests each queue one `mail.link_request`
//! job whoever they name, so counts do not reveal accounts, but durations differ (a mail was
//! sent or not). That is why `/metrics` is never on the main port. Do not add metrics that
//! move differently for known and unknown accounts to anything public.
//!
//! Label values are bounded: routes are axum's route templates (`/email/confirm/{token}`),
//! never raw paths, and anything that matched no route is `unmatched`; methods outside the
//! standard ones are `other`; login results, grants and job outcomes are fixed sets.

use std::time::Duration;

use axum::http::StatusCode;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use tessera_core::jobs::JobState;
use tessera_core::store::PoolStatus;

/// Seconds. From 1 ms (static documents) to 10 s (an argon2 login on a busy node, a slow
/// upstream provider); Prometheus' defaults with the low end extended.
const REQUEST_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Seconds. Jobs talk to mail servers and webhooks: up to their timeouts.
const JOB_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// The route label of a request no route matched (404s of any path).
pub const UNMATCHED_ROUTE: &str = "unmatched";

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    logins: IntCounterVec,
    tokens_issued: IntCounterVec,
    refresh_reuse: IntCounter,
    jobs_processed: IntCounterVec,
    job_duration: HistogramVec,
    jobs: IntGaugeVec,
    database_up: IntGauge,
    pool_open: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
}

/// What `/metrics` reads from the store when scraped.
pub struct StoreSnapshot {
    /// Jobs per state, or `None` when the database did not answer in time.
    pub jobs: Option<Vec<(JobState, i64)>>,
    pub pool: PoolStatus,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let metrics = Self {
            http_requests: counter_vec(
                "http_requests_total",
                "HTTP requests answered, by route template, method and status.",
                &["route", "method", "status"],
            ),
            http_duration: histogram_vec(
                "http_request_duration_seconds",
                "Time to answer HTTP requests, by route template and method.",
                &["route", "method"],
                REQUEST_BUCKETS,
            ),
            logins: counter_vec(
                "tessera_logins_total",
                "Sign-in attempts by method (password, upstream) and result.",
                &["method", "result"],
            ),
            tokens_issued: counter_vec(
                "tessera_tokens_issued_total",
                "Token responses issued by the token endpoint, by grant type.",
                &["grant"],
            ),
            refresh_reuse: IntCounter::new(
                "tessera_refresh_reuse_detected_total",
                "Rotated refresh tokens presented again; each revoked its whole family.",
            )
            .expect("a valid metric"),
            jobs_processed: counter_vec(
                "tessera_jobs_processed_total",
                "Job runs on this node by kind and outcome.",
                &["kind", "outcome"],
            ),
            job_duration: histogram_vec(
                "tessera_job_duration_seconds",
                "Time spent running jobs on this node, by kind.",
                &["kind"],
                JOB_BUCKETS,
            ),
            jobs: IntGaugeVec::new(
                Opts::new(
                    "tessera_jobs",
                    "Jobs in the shared queue by state (absent while the database is down).",
                ),
                &["state"],
            )
            .expect("a valid metric"),
            database_up: gauge(
                "tessera_database_up",
                "1 when the database answered this scrape within 1 s, else 0.",
            ),
            pool_open: gauge(
                "tessera_db_pool_connections",
                "Database connections this node holds open.",
            ),
            pool_idle: gauge(
                "tessera_db_pool_idle_connections",
                "Open database connections waiting for work.",
            ),
            pool_max: gauge(
                "tessera_db_pool_max_connections",
                "The most database connections this node opens.",
            ),
            registry,
        };
        metrics.register_all();
        metrics
    }

    fn register_all(&self) {
        let build_info = IntGaugeVec::new(
            Opts::new("tessera_build_info", "Always 1; the labels say which Tessera this is."),
            &["version"],
        )
        .expect("a valid metric");
        build_info.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(build_info),
            Box::new(self.http_requests.clone()),
            Box::new(self.http_duration.clone()),
            Box::new(self.logins.clone()),
            Box::new(self.tokens_issued.clone()),
            Box::new(self.refresh_reuse.clone()),
            Box::new(self.jobs_processed.clone()),
            Box::new(self.job_duration.clone()),
            Box::new(self.jobs.clone()),
            Box::new(self.database_up.clone()),
            Box::new(self.pool_open.clone()),
            Box::new(self.pool_idle.clone()),
            Box::new(self.pool_max.clone()),
            // process_cpu_seconds_total, process_resident_memory_bytes, open fds, start time.
            Box::new(prometheus::process_collector::ProcessCollector::for_self()),
        ];
        for collector in collectors {
            // Names are fixed and distinct, so registering cannot fail.
            self.registry.register(collector).expect("distinct metric names");
        }
    }

    /// One answered HTTP request.
    pub fn observe_request(&self, route: &str, method: &axum::http::Method, status: StatusCode, took: Duration) {
        let method = bounded_method(method);
        // A status code is three digits (100..=999): a bounded label without formatting.
        self.http_requests
            .with_label_values(&[route, method, status.as_str()])
            .inc();
        self.http_duration
            .with_label_values(&[route, method])
            .observe(took.as_secs_f64());
    }

    /// One sign-in attempt: `method` is `password` or `upstream`, `result` one of a fixed set.
    pub fn observe_login(&self, method: &'static str, result: &'static str) {
        self.logins.with_label_values(&[method, result]).inc();
    }

    /// What the token endpoint answered for a grant.
    pub fn observe_token<T>(&self, grant: &'static str, result: &tessera_oidc::provider::ProviderResult<T>) {
        match result {
            Ok(_) => self.tokens_issued.with_label_values(&[grant]).inc(),
            Err(tessera_oidc::provider::ProviderError::RefreshTokenReused(_)) => self.refresh_reuse.inc(),
            Err(_) => {}
        }
    }

    /// One job run on this node.
    pub fn observe_job(&self, kind: &str, outcome: &'static str, took: Duration) {
        self.jobs_processed.with_label_values(&[kind, outcome]).inc();
        self.job_duration.with_label_values(&[kind]).observe(took.as_secs_f64());
    }

    /// The text a scrape gets, with the store's gauges as of now.
    pub fn render(&self, store: &StoreSnapshot) -> String {
        self.jobs.reset();
        match &store.jobs {
            Some(counts) => {
                self.database_up.set(1);
                // Every state has a series, 0 when empty, so `tessera_jobs{state="dead"} > 0`
                // alerts work from the first scrape.
                for state in JobState::ALL {
                    let n = counts.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n);
                    self.jobs.with_label_values(&[state.as_str()]).set(n);
                }
            }
            None => self.database_up.set(0),
        }
        self.pool_open.set(i64::from(store.pool.open));
        self.pool_idle.set(i64::from(store.pool.idle));
        self.pool_max.set(i64::from(store.pool.max));
        let mut out = Vec::new();
        // The text encoder only fails on a writer that fails; a Vec does not.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels).expect("a valid metric")
}

fn histogram_vec(name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets.to_vec()), labels).expect("a valid metric")
}

fn gauge(name: &str, help: &str) -> IntGauge {
    IntGauge::new(name, help).expect("a valid metric")
}

/// A request may carry any token as its method; only the standard ones become label values
/// (an attacker must not be able to grow the series without bound).
fn bounded_method(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusual_methods_share_one_label() {
        let odd = axum::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(bounded_method(&odd), "other");
        assert_eq!(bounded_method(&axum::http::Method::POST), "POST");
    }
}
