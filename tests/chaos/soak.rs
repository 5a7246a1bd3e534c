//! Scenario 5: a steady mixed load for a bounded time, watching latency, memory and the
//! tables the clean-up owns.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::load::{Phase, Worker};
use super::nodes::{create_jane, node_config, sandbox};
use super::seconds;
use crate::support::db::execute;
use crate::support::pg_cluster::PrivatePostgres;
use crate::support::process::{ServeProcess, free_port};

/// One window of the soak: what was answered in it and the node's state at its end.
struct Window {
    requests: usize,
    errors: usize,
    p99: Duration,
    rss_mib: u64,
    tables: BTreeMap<&'static str, i64>,
}

/// The tables whose size the clean-up bounds, as the soak watches them.
const SOAK_TABLES: [&str; 8] = [
    "sessions",
    "access_tokens",
    "refresh_tokens",
    "authorization_codes",
    "auth_requests",
    "upstream_logins",
    "email_tokens",
    "jobs",
];

async fn table_sizes(database: &str) -> BTreeMap<&'static str, i64> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let mut sizes = BTreeMap::new();
    for table in SOAK_TABLES {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut db)
            .await
            .expect("count");
        sizes.insert(table, n);
    }
    sizes
}

async fn jobs_by_kind(database: &str) -> Vec<(String, String, i64)> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    sqlx::query_as("SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state")
        .fetch_all(&mut db)
        .await
        .expect("jobs")
}

fn resident_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

/// A small SVG: one line chart per series, over the windows.
fn soak_svg(windows: &[Window], window: Duration) -> String {
    let series: [(&str, Vec<f64>); 3] = [
        (
            "requests/s",
            windows
                .iter()
                .map(|w| w.requests as f64 / window.as_secs_f64())
                .collect(),
        ),
        (
            "p99 (ms)",
            windows.iter().map(|w| w.p99.as_secs_f64() * 1000.0).collect(),
        ),
        ("RSS (MiB)", windows.iter().map(|w| w.rss_mib as f64).collect()),
    ];
    let (width, height) = (600.0, 150.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n",
        height * 3.0 + 30.0
    );
    for (row, (name, values)) in series.iter().enumerate() {
        let top = row as f64 * (height + 10.0) + 10.0;
        let max = values.iter().copied().fold(f64::MIN, f64::max).max(1.0);
        let step = if values.len() > 1 {
            (width - 80.0) / (values.len() - 1) as f64
        } else {
            0.0
        };
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1}",
                    60.0 + i as f64 * step,
                    top + height - 20.0 - v / max * (height - 40.0)
                )
            })
            .collect();
        svg.push_str(&format!(
            "<text x=\"5\" y=\"{:.0}\">{name} (max {max:.1})</text>\n<rect x=\"60\" y=\"{:.0}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ccc\"/>\n<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"{}\"/>\n",
            top + 12.0,
            top + 20.0,
            width - 80.0,
            height - 40.0,
            points.join(" ")
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Scenario 5: a steady mixed load on one node for a bounded time (1 minute in 10-second
/// windows by default; `scripts/chaos/soak` runs 10 minutes in 1-minute windows): no 5xx,
/// the p99 per window printed, resident memory at the end within 10% of after the first
/// window, and the tables the clean-up owns bounded by their configured lifetimes (short ones
/// here, cleaned every 5 s). Writes the table and an SVG plot of throughput, p99 and RSS to
/// target/chaos/soak/ (or TESSERA_CHAOS_OUT).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_soak_keeps_latency_memory_and_tables_bounded() {
    let Some(cluster) = PrivatePostgres::start() else {
        return;
    };
    let total = seconds("TESSERA_CHAOS_SOAK_SECONDS", 60);
    let window = seconds("TESSERA_CHAOS_SOAK_WINDOW_SECONDS", 10);
    let rate: u64 = std::env::var("TESSERA_CHAOS_SOAK_RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    execute(&cluster.admin_url(), "CREATE DATABASE tessera", &[]).await;
    let database = cluster.url_of("tessera");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let sandbox = sandbox().await;
    let config = node_config(dir.path(), port, &database, &sandbox);
    // Short lifetimes, so the clean-up has work within the soak (the test clients' config
    // already has an `oidc:` section: these go into it). The mix abandons some sign-ins at
    // the provider and some consents: their pending rows must go too.
    let short = "sessions:\n  idle_timeout: 20s\n  upstream_login_ttl: 20s\nlinks:\n  confirm_email_ttl: 20s\njobs:\n  retention: 10s\n  poll_interval: 1s\n\
                 actions:\n  welcome_email: true\nserver:\n  cleanup_interval: 5s\n";
    let yaml = std::fs::read_to_string(&config).unwrap().replace(
        "oidc:\n",
        "oidc:\n  access_token_ttl: 10s\n  id_token_ttl: 10s\n  authorization_ttl: 20s\n  code_ttl: 10s\n  code_replay_window: 10s\n  \
         refresh_token_ttl: 20s\n  refresh_token_idle: 15s\n",
    );
    std::fs::write(&config, format!("{yaml}{short}")).unwrap();
    let node = ServeProcess::start(&config, port).await;
    create_jane(&config);
    let base = node.url("");
    // Eight workers with the whole mix (each signed in, with its own refresh family), taking
    // the ticks in turn.
    let mut workers = Vec::new();
    for id in 0..8 {
        let worker = Worker::signed_in(
            id,
            std::slice::from_ref(&base),
            watch::channel(Phase::Up).1,
            Arc::default(),
        )
        .await;
        workers.push(Arc::new(tokio::sync::Mutex::new(worker)));
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(16));
    let outcomes = Arc::new(Mutex::new(BTreeMap::<(&'static str, u16), u64>::new()));
    let latencies = Arc::new(Mutex::new(Vec::<(Duration, u16)>::new()));
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    let started = Instant::now();
    let mut window_started = Instant::now();
    let mut windows = Vec::new();
    let mut n = 0u64;
    while started.elapsed() < total {
        ticker.tick().await;
        let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
        let (base, answers, outcomes) = (base.clone(), Arc::clone(&latencies), Arc::clone(&outcomes));
        let worker = Arc::clone(&workers[n as usize % workers.len()]);
        n += 1;
        tokio::spawn(async move {
            let began = Instant::now();
            // Each worker's own operations go round the mix (a worker takes every 8th tick).
            let (operation, status) = worker.lock().await.one(&base, n as usize / 8).await;
            *outcomes
                .lock()
                .expect("outcomes")
                .entry((operation, status))
                .or_default() += 1;
            answers.lock().expect("latencies").push((began.elapsed(), status));
            drop(permit);
        });
        if window_started.elapsed() >= window {
            let mut answered = std::mem::take(&mut *latencies.lock().expect("latencies"));
            answered.sort();
            let errors = answered.iter().filter(|(_, s)| *s >= 500 || *s == 0).count();
            let p99 = answered
                .get(answered.len().saturating_sub(1) * 99 / 100)
                .map_or(Duration::ZERO, |(d, _)| *d);
            windows.push(Window {
                requests: answered.len(),
                errors,
                p99,
                rss_mib: resident_mib(node.pid()),
                tables: table_sizes(&database).await,
            });
            window_started = Instant::now();
        }
    }
    let _ = Arc::clone(&slots).acquire_many_owned(16).await;

    eprintln!("== soak: {total:?} at {rate} requests/s, windows of {window:?}");
    eprintln!("window\trequests\terrors\tp99_ms\trss_mib\t{}", SOAK_TABLES.join("\t"));
    let mut table = String::new();
    for (i, w) in windows.iter().enumerate() {
        let sizes: Vec<String> = SOAK_TABLES.iter().map(|t| w.tables[t].to_string()).collect();
        let line = format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            i + 1,
            w.requests,
            w.errors,
            w.p99.as_millis(),
            w.rss_mib,
            sizes.join("\t")
        );
        eprintln!("{line}");
        table.push_str(&line);
        table.push('\n');
    }
    let out = std::env::var_os("TESSERA_CHAOS_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chaos/soak"));
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("soak.tsv"), table).expect("write the table");
    std::fs::write(out.join("soak.svg"), soak_svg(&windows, window)).expect("write the plot");
    eprintln!("table and plot in {}", out.display());
    eprintln!(
        "answers by operation and status: {:?}",
        outcomes.lock().expect("outcomes")
    );
    eprintln!("jobs at the end by kind and state: {:?}", jobs_by_kind(&database).await);

    assert!(windows.len() >= 3, "the soak ran for several windows");
    assert!(
        windows.iter().all(|w| w.errors == 0),
        "5xx or failed requests during the soak"
    );
    let outcomes = outcomes.lock().expect("outcomes");
    let refused: Vec<_> = outcomes
        .iter()
        .filter(|((_, status), _)| !matches!(status, 200 | 303))
        .collect();
    assert!(refused.is_empty(), "operations that did not succeed: {refused:?}");
    let warm = windows[0].rss_mib;
    let end = windows.last().expect("a window").rss_mib;
    assert!(
        end * 10 <= warm * 11,
        "resident memory grew from {warm} MiB to {end} MiB"
    );
    // Bounded: past the lifetimes (20 s at most) plus a clean-up round, no table keeps growing.
    let settled: Vec<&Window> = windows.iter().skip(3).collect();
    if let (Some(first), Some(last)) = (settled.first(), settled.last()) {
        for table in SOAK_TABLES {
            let (from, to) = (first.tables[table], last.tables[table]);
            assert!(to <= from + from / 5 + 20, "{table} grew from {from} to {to} rows");
        }
    }
}
