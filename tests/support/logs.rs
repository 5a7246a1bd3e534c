//! The log of the whole test run, written by the server's own subscriber at its most verbose
//! levels, and the secrets the run used, none of which may appear in it (ASVS 4.0.3 V7.1.1,
//! V7.1.2: no credentials, session tokens or other secrets in logs).
//!
//! Every [`TestServer`](super::server::TestServer) logs here, and the fixtures that see a
//! secret pass it to [`secret`] (passwords typed into forms, session cookies, client secrets,
//! codes and tokens from `/token`, links from mail). `logs::` tests check what they did;
//! with `TESSERA_TEST_LOG_DIR` set (scripts/test.sh sets it), each test process also writes
//! its log and its secrets there, and `logs::the_whole_run_wrote_no_secret_to_its_log` checks
//! every process's files once the suites have finished.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;

use super::server::TEST_MASTER_KEY;

/// Everything at `debug` and the Tessera crates and request traces at `trace`: more than an
/// admin would turn on, so a secret at any level shows up here.
const VERBOSE: &str = "debug,tessera_server=trace,tessera_oidc=trace,tessera_store=trace,tessera_core=trace,\
tessera_upstream=trace,tessera_mail=trace,tessera_remote_auth=trace,tower_http=trace,lettre=trace,sqlx=info,\
hyper=info,hyper_util=info,h2=info,reqwest=debug,rustls=info";

/// The secrets every suite configures.
const FIXED: [&str; 2] = [TEST_MASTER_KEY, "zd-shared-secret"];

struct Capture {
    log: Arc<Mutex<Vec<u8>>>,
    secrets: Mutex<HashSet<String>>,
    secrets_file: Option<Mutex<std::fs::File>>,
}

/// Where the global subscriber writes: the in-memory log, and the process's file if any.
#[derive(Clone)]
struct Sink {
    log: Arc<Mutex<Vec<u8>>>,
    file: Option<Arc<Mutex<std::fs::File>>>,
}

impl std::io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.log.lock().expect("log").extend_from_slice(bytes);
        if let Some(file) = &self.file {
            file.lock().expect("log file").write_all(bytes)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for Sink {
    type Writer = Sink;

    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

static CAPTURE: OnceLock<Capture> = OnceLock::new();

/// The directory scripts/test.sh collects the run's logs in, when it is set.
fn log_dir() -> Option<PathBuf> {
    std::env::var_os("TESSERA_TEST_LOG_DIR").map(PathBuf::from)
}

fn file_in(dir: &std::path::Path, kind: &str) -> std::fs::File {
    std::fs::create_dir_all(dir).expect("create TESSERA_TEST_LOG_DIR");
    std::fs::File::create(dir.join(format!("{kind}-{}.txt", std::process::id()))).expect("create log file")
}

/// Installs the capturing subscriber for this process (once); servers call it as they start.
pub fn capture() {
    capture_state();
}

fn capture_state() -> &'static Capture {
    CAPTURE.get_or_init(|| {
        let dir = log_dir();
        let log = Arc::default();
        let sink = Sink {
            log: Arc::clone(&log),
            file: dir.as_deref().map(|d| Arc::new(Mutex::new(file_in(d, "log")))),
        };
        let subscriber = tessera_server::log_subscriber(tessera_server::config::LogFormat::Text, VERBOSE, false, sink);
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        let capture = Capture {
            log,
            secrets: Mutex::default(),
            secrets_file: dir.as_deref().map(|d| Mutex::new(file_in(d, "secrets"))),
        };
        for fixed in FIXED {
            capture.add(fixed);
        }
        capture
    })
}

impl Capture {
    fn add(&self, value: &str) {
        // Short values (the weak passwords the policy tests type, like `password`) would match
        // innocent text; every real secret here is longer.
        if value.len() < 12 || !self.secrets.lock().expect("secrets").insert(value.to_owned()) {
            return;
        }
        if let Some(file) = &self.secrets_file {
            writeln!(file.lock().expect("secrets file"), "{value}").expect("write secrets file");
        }
    }
}

/// Marks `value` as a secret that must never be logged.
pub fn secret(value: &str) {
    capture_state().add(value);
}

/// Marks every secret-bearing member of a JSON answer (tokens, codes, client secrets).
pub fn secrets_in(answer: &Value) {
    for key in ["access_token", "refresh_token", "id_token", "code", "client_secret"] {
        if let Some(value) = answer.get(key).and_then(Value::as_str) {
            secret(value);
        }
    }
}

/// Marks the values of the cookies a response sets (sessions, CSRF tokens, login state).
pub fn cookies_of(response: &reqwest::Response) {
    for header in response.headers().get_all(reqwest::header::SET_COOKIE) {
        let Some(value) = header.to_str().ok().and_then(|c| c.split(';').next()?.split_once('=')) else {
            continue;
        };
        secret(value.1);
    }
}

/// This process's log so far.
pub fn this_process_log() -> String {
    String::from_utf8_lossy(&capture_state().log.lock().expect("log")).into_owned()
}

/// This process's secrets so far.
pub fn this_process_secrets() -> Vec<String> {
    capture_state()
        .secrets
        .lock()
        .expect("secrets")
        .iter()
        .cloned()
        .collect()
}

/// What `log` gives away: each of `secrets` found in it (one pass, however many secrets),
/// and anything shaped like a JWT (`eyJ…`.`eyJ…`.…: ID, access and logout tokens are never
/// logged whole).
pub fn leaks(log: &str, secrets: &[String]) -> Vec<String> {
    let finder = aho_corasick::AhoCorasick::new(secrets).expect("secrets searchable");
    let mut found: Vec<String> = finder
        .find_overlapping_iter(log)
        .map(|m| secrets[m.pattern().as_usize()].clone())
        .chain(jwt_shaped(log).map(str::to_owned))
        .collect();
    found.sort();
    found.dedup();
    found
}

fn jwt_shaped(log: &str) -> impl Iterator<Item = &str> {
    let is_b64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    log.match_indices("eyJ").filter_map(move |(start, _)| {
        let rest = &log[start..];
        let end = rest.find(|c: char| !is_b64url(c) && c != '.').unwrap_or(rest.len());
        let candidate = &rest[..end];
        let parts: Vec<&str> = candidate.split('.').collect();
        (parts.len() >= 3 && parts[1].starts_with("eyJ") && parts.iter().all(|p| !p.is_empty())).then_some(candidate)
    })
}

/// A failure message for `leaks`: each leaked value with the first lines that hold it.
pub fn explain(log: &str, leaks: &[String]) -> String {
    let mut text = String::new();
    for leak in leaks {
        text.push_str(&format!("{leak:?} is in the log:\n"));
        for line in log.lines().filter(|l| l.contains(leak.as_str())).take(3) {
            text.push_str(&format!("    {line}\n"));
        }
    }
    text
}
