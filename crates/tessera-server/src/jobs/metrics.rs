//! Counters for `/metrics` (Prometheus text format 0.0.4). Queue depth is read from the
//! database at scrape time, so every node reports the shared queue.
//!
//! These counters are operator-only. Reset and resend requests each queue one
//! `mail.link_request` job whoever they name, so counts do not reveal accounts, but durations
//! differ (a mail was sent or not). That is why `/metrics` is served on its own listener
//! (`metrics.listen`, loopback by default) and never on the main port. Do not add counters
//! that requests move differently for known and unknown accounts to anything public.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
pub struct JobMetrics {
    /// (kind, outcome) → count
    processed: Mutex<BTreeMap<(String, &'static str), u64>>,
    /// kind → (seconds summed, count)
    durations: Mutex<BTreeMap<String, (f64, u64)>>,
}

impl JobMetrics {
    pub fn record(&self, kind: &str, outcome: &'static str, took: Duration) {
        if let Ok(mut p) = self.processed.lock() {
            *p.entry((kind.to_owned(), outcome)).or_default() += 1;
        }
        if let Ok(mut d) = self.durations.lock() {
            let e = d.entry(kind.to_owned()).or_default();
            e.0 += took.as_secs_f64();
            e.1 += 1;
        }
    }

    pub fn render(&self, depth: &[(tessera_core::jobs::JobState, i64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP tessera_jobs Jobs in the queue by state.\n# TYPE tessera_jobs gauge\n");
        for (state, n) in depth {
            out.push_str(&format!("tessera_jobs{{state=\"{}\"}} {n}\n", state.as_str()));
        }
        out.push_str("# HELP tessera_jobs_processed_total Job runs by kind and outcome on this node.\n# TYPE tessera_jobs_processed_total counter\n");
        if let Ok(p) = self.processed.lock() {
            for ((kind, outcome), n) in p.iter() {
                out.push_str(&format!(
                    "tessera_jobs_processed_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {n}\n"
                ));
            }
        }
        out.push_str("# HELP tessera_job_duration_seconds Time spent running jobs on this node.\n# TYPE tessera_job_duration_seconds summary\n");
        if let Ok(d) = self.durations.lock() {
            for (kind, (sum, count)) in d.iter() {
                out.push_str(&format!("tessera_job_duration_seconds_sum{{kind=\"{kind}\"}} {sum}\n"));
                out.push_str(&format!(
                    "tessera_job_duration_seconds_count{{kind=\"{kind}\"}} {count}\n"
                ));
            }
        }
        out
    }
}
