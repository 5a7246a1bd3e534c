//! Live configuration reload: on SIGHUP, or `POST /-/reload` on the metrics listener (what
//! `tessera reload` sends), the server reads its configuration file again and, when the file
//! passes every check `tessera check-config` makes, serves it from the next request on.
//!
//! [`Live`] holds the state and router in force. The main port's app loads the current router
//! per request, so a keep-alive connection sees a new configuration on its next request and
//! nothing is dropped: requests in flight finish on the state they started with. A file that
//! fails a check changes nothing. What is bound to the process stays across a reload: the
//! store, the job and request counters, the job wake-up, the CSRF key, the password pool and
//! the signing-key ring with its cache. Settings bound at start (see [`keep_restart_only`]) keep
//! their running values until a restart, and a reload names the ones the file changed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use tessera_core::secret::ExposeSecret;
use tokio::sync::{Mutex, watch};
use tower::ServiceExt;

use crate::config::{self, Config, ProcessEnv};
use crate::state::AppState;
use crate::templates::Templates;

/// The state in force and the router built on it, swapped together.
#[derive(Clone)]
struct Serving {
    state: AppState,
    router: Router,
}

/// The configuration in force: what the main port, the job worker and the periodic clean-up
/// read each time they start something. Cheap to clone (shared).
#[derive(Clone)]
pub struct Live {
    current: Arc<watch::Sender<Serving>>,
}

impl Live {
    pub fn new(state: AppState) -> Self {
        let router = crate::server::router(state.clone());
        Self {
            current: Arc::new(watch::Sender::new(Serving { state, router })),
        }
    }

    /// The state in force now.
    pub fn state(&self) -> AppState {
        self.current.borrow().state.clone()
    }

    fn install(&self, state: AppState) {
        let router = crate::server::router(state.clone());
        self.current.send_replace(Serving { state, router });
    }

    /// The main port's app: each request goes to the router in force when it arrives.
    pub(crate) fn app(&self) -> Router {
        let live = self.clone();
        Router::new().fallback_service(tower::service_fn(move |request: Request| {
            let router = live.current.borrow().router.clone();
            router.oneshot(request)
        }))
    }
}

impl From<AppState> for Live {
    fn from(state: AppState) -> Self {
        Self::new(state)
    }
}

/// What a reload did: the answer of `POST /-/reload`, which `tessera reload` prints.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The new configuration is in force; `warnings` are its `check-config` warnings and the
    /// restart-only settings it changed, one line each.
    Reloaded { warnings: Vec<String> },
    /// Nothing changed; each problem is one line, `FILE:LINE:COL: message` as `check-config`
    /// prints it.
    Refused { problems: Vec<String> },
}

/// Reloads the configuration file the server started with, one reload at a time.
#[derive(Clone)]
pub struct Reloader {
    inner: Arc<Source>,
}

struct Source {
    live: Live,
    path: PathBuf,
    /// Two reloads at once would race to install; the second waits and reads the file again.
    one_at_a_time: Mutex<()>,
}

impl Reloader {
    pub fn new(live: Live, path: PathBuf) -> Self {
        Self {
            inner: Arc::new(Source {
                live,
                path,
                one_at_a_time: Mutex::new(()),
            }),
        }
    }

    /// Reloads on every SIGHUP from now on. The handler is in place when this returns, so a
    /// SIGHUP can no longer end the process (its default action).
    pub fn reload_on_hangup(&self) -> std::io::Result<()> {
        let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        let reloader = self.clone();
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading the configuration");
                reloader.reload().await;
            }
        });
        Ok(())
    }

    /// Reads, checks and installs the file, and logs the outcome. In its own task, so a
    /// caller that goes away (a closed connection) cannot stop it half-way.
    pub async fn reload(&self) -> Outcome {
        let reloader = self.clone();
        tokio::spawn(async move { reloader.reload_now().await })
            .await
            .unwrap_or_else(|e| Outcome::Refused {
                problems: vec![format!("the reload failed inside Tessera: {e}")],
            })
    }

    async fn reload_now(&self) -> Outcome {
        let _turn = self.inner.one_at_a_time.lock().await;
        let outcome = match self.next_state().await {
            Ok((state, warnings)) => {
                crate::logging::set_level(&state.config.log_level);
                self.inner.live.install(state);
                Outcome::Reloaded { warnings }
            }
            Err(problems) => Outcome::Refused { problems },
        };
        self.log(&outcome);
        outcome
    }

    fn file(&self) -> String {
        self.inner.path.display().to_string()
    }

    /// The state for the file as it is now, with its warnings; or every problem that refuses it.
    async fn next_state(&self) -> Result<(AppState, Vec<String>), Vec<String>> {
        let file = self.file();
        let loaded = config::load(&self.inner.path, &ProcessEnv)
            .map_err(|e| e.to_string().lines().map(str::to_owned).collect::<Vec<_>>())?;
        let running = self.inner.live.state();
        let (config, kept) = keep_restart_only(&running.config, loaded);
        let mut warnings: Vec<String> = config.warnings.iter().map(|w| w.located(&file)).collect();
        if !kept.is_empty() {
            warnings.push(format!(
                "{file}: these settings need a restart and keep their running values until then: {}",
                kept.join(", ")
            ));
        }
        let state = reconfigured(&running, config).map_err(|e| vec![format!("{file}: {e:#}")])?;
        // A new client may sign with an algorithm no key exists for yet.
        crate::server::maintain_keys(&state)
            .await
            .map_err(|e| vec![format!("{file}: cannot prepare signing keys for its clients: {e}")])?;
        Ok((state, warnings))
    }

    fn log(&self, outcome: &Outcome) {
        let file = self.file();
        match outcome {
            Outcome::Reloaded { warnings } => {
                for line in warnings {
                    tracing::warn!("warning: {line}");
                }
                tracing::info!(file, "configuration reloaded");
            }
            Outcome::Refused { problems } => {
                for line in problems {
                    tracing::error!("{line}");
                }
                tracing::error!(file, "configuration not reloaded: the running one stays in force");
            }
        }
    }
}

/// `next` with the running value of every setting bound when the server starts (the
/// listeners, the database pool, the master key that opened the signing keys, the log format,
/// the password pool, the job worker's slots, the sandbox, the connection limits), and the
/// names of those whose value in `next` differed.
fn keep_restart_only(running: &Config, mut next: Config) -> (Config, Vec<&'static str>) {
    let mut kept = Vec::new();
    let mut keep = |key: &'static str, differs: bool| {
        if differs {
            kept.push(key);
        }
    };
    keep("listen", running.listen != next.listen);
    keep("metrics.listen", running.metrics_listen != next.metrics_listen);
    keep("database.url", running.database_url != next.database_url);
    keep(
        "secrets.master_key",
        running.master_key.expose_secret() != next.master_key.expose_secret(),
    );
    keep("sandbox", running.sandbox != next.sandbox);
    keep("logging.format", running.log_format != next.log_format);
    keep(
        "passwords.max_concurrent_hashes",
        running.max_concurrent_hashes != next.max_concurrent_hashes,
    );
    keep("jobs.workers", running.jobs.workers != next.jobs.workers);
    // The connection loop reads both when it starts (listener.rs).
    keep(
        "server.header_read_timeout",
        running.limits.header_read_timeout != next.limits.header_read_timeout,
    );
    keep(
        "server.shutdown_deadline",
        running.limits.shutdown_deadline != next.limits.shutdown_deadline,
    );
    next.listen = running.listen;
    next.metrics_listen = running.metrics_listen;
    next.database_url.clone_from(&running.database_url);
    next.master_key = running.master_key.clone();
    next.sandbox = running.sandbox;
    next.log_format = running.log_format;
    next.max_concurrent_hashes = running.max_concurrent_hashes;
    next.jobs.workers = running.jobs.workers;
    next.limits = running.limits;
    (next, kept)
}

/// The state for `config`, keeping what belongs to the process from `running`. Every field is
/// named, so a field added to [`AppState`] has to be decided here.
fn reconfigured(running: &AppState, config: Config) -> anyhow::Result<AppState> {
    let templates = Templates::load(&config).map_err(anyhow::Error::msg)?;
    let mail = crate::server::mail_transport(&config)?;
    let config = Arc::new(config);
    Ok(AppState {
        provider: Arc::new(crate::oidc::reconfigured(
            &running.provider,
            &config,
            running.store.clone(),
        )),
        accounts: Arc::new(running.accounts.reconfigured(config.clone())),
        upstreams: crate::upstream::Registry::new(&config, &crate::server::upstream_http()?),
        mail,
        templates: Arc::new(templates),
        documents: Arc::new(crate::routes::oidc::discovery::Documents::new(&config)),
        config,
        store: running.store.clone(),
        csrf_key: running.csrf_key,
        http: running.http.clone(),
        jobs_wake: running.jobs_wake.clone(),
        metrics: running.metrics.clone(),
        // Remembered passes were checked against the old throttle policy.
        client_passes: Arc::default(),
    })
}

/// `POST /-/reload`, for the metrics listener.
pub(crate) fn routes(reloader: Reloader) -> Router {
    Router::new()
        .route("/-/reload", post(reload_by_request))
        .with_state(reloader)
}

/// Only a process on this machine may ask: the metrics listener may face a network.
async fn reload_by_request(State(reloader): State<Reloader>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if !is_local(peer) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({
                "error": "reloads are accepted from this machine only (a loopback address)"
            })),
        )
            .into_response();
    }
    let outcome = reloader.reload().await;
    let status = match outcome {
        Outcome::Reloaded { .. } => StatusCode::OK,
        Outcome::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    };
    (status, axum::Json(outcome)).into_response()
}

fn is_local(peer: SocketAddr) -> bool {
    peer.ip().to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_peers_may_reload() {
        for local in ["127.0.0.1:5000", "127.9.9.9:1", "[::1]:5000", "[::ffff:127.0.0.1]:5000"] {
            assert!(is_local(local.parse().unwrap()), "{local}");
        }
        for remote in [
            "10.0.0.1:5000",
            "[::ffff:10.0.0.1]:5000",
            "[2001:db8::1]:5000",
            "0.0.0.0:1",
        ] {
            assert!(!is_local(remote.parse().unwrap()), "{remote}");
        }
    }

    fn config(extra: &str) -> Config {
        let yaml = format!(
            "issuer: http://127.0.0.1:8080\ndatabase:\n  url: sqlite://x.db\nsecrets:\n  master_key: {}\n{extra}",
            "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE="
        );
        config::parse(&yaml, &std::collections::HashMap::<String, String>::new()).expect("valid test config")
    }

    #[test]
    fn restart_only_settings_keep_their_running_values_and_are_named() {
        let running = config("listen: 127.0.0.1:8080\nlogging:\n  level: info\n");
        let next = config(
            "listen: 127.0.0.1:9090\nlogging:\n  level: debug\n  format: json\njobs:\n  workers: 7\n\
             passwords:\n  max_concurrent_hashes: 9\nserver:\n  shutdown_deadline: 5s\n",
        );
        let (kept, named) = keep_restart_only(&running, next);
        assert_eq!(
            named,
            [
                "listen",
                "logging.format",
                "passwords.max_concurrent_hashes",
                "jobs.workers",
                "server.shutdown_deadline"
            ]
        );
        assert_eq!(kept.listen, running.listen);
        assert_eq!(kept.log_format, running.log_format);
        assert_eq!(kept.jobs.workers, running.jobs.workers);
        assert_eq!(kept.max_concurrent_hashes, running.max_concurrent_hashes);
        assert_eq!(kept.limits.shutdown_deadline, running.limits.shutdown_deadline);
        assert_eq!(kept.log_level, "debug", "reloadable settings take the new value");
    }

    #[test]
    fn an_unchanged_file_names_nothing() {
        let (_, named) = keep_restart_only(&config(""), config(""));
        assert!(named.is_empty(), "{named:?}");
    }
}
