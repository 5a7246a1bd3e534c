//! Assembling the application: state from config, the router with its layers, and serving
//! with graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use tessera_core::secret::ExposeSecret;
use tessera_mail::{MailTransport, OutboxTransport, SmtpSettings, SmtpTransport};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::accounts::Accounts;
use crate::config::{Config, MailTransportConfig};
use crate::error::ErrorPage;
use crate::headers::{Https, security_headers};
use crate::reload::{Live, Reloader};
use crate::state::{AppState, Store};
use crate::templates::Templates;
use tessera_oidc::provider::SystemClock;

pub(crate) fn mail_transport(config: &Config) -> anyhow::Result<Arc<dyn MailTransport>> {
    let from = tessera_mail::parse_mailbox(&config.mail_from).map_err(anyhow::Error::msg)?;
    Ok(match &config.mail_transport {
        MailTransportConfig::Outbox { dir } => Arc::new(OutboxTransport::new(from, dir.clone())?),
        MailTransportConfig::Smtp(smtp) => Arc::new(SmtpTransport::new(
            from,
            SmtpSettings {
                host: smtp.host.clone(),
                port: smtp.port,
                username: smtp.username.clone(),
                password: smtp.password.as_ref().map(|p| p.expose_secret().to_owned()),
                security: smtp.security,
                timeout: smtp.timeout,
            },
        )?),
    })
}

/// The CSRF key (and the key of the account page's session handles) is derived from the
/// master key so rotating one rotates the other.
pub(crate) fn derive_key(master: &[u8; 32], purpose: &str) -> [u8; 32] {
    tessera_core::secret_token::hmac_sha256(master, purpose.as_bytes())
}

/// Compiles every page and mail template (theme first), as `serve` does at start.
pub fn check_templates(config: &Config) -> Result<(), String> {
    Templates::load(config).map(drop)
}

pub fn build_state(config: Config, store: Arc<dyn Store>) -> anyhow::Result<AppState> {
    let templates = Templates::load(&config).map_err(anyhow::Error::msg)?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let config = Arc::new(config);
    let jobs_wake = Arc::new(tokio::sync::Notify::new());
    Ok(AppState {
        provider: Arc::new(crate::oidc::provider(&config, store.clone(), Arc::new(SystemClock))),
        accounts: Arc::new(Accounts::new(config.clone(), store.clone(), jobs_wake.clone())),
        jobs_wake,
        upstreams: crate::upstream::Registry::new(&config, &upstream_http()?),
        metrics: Arc::default(),
        client_passes: Arc::default(),
        documents: Arc::new(crate::routes::oidc::discovery::Documents::new(&config)),
        http,
        mail: mail_transport(&config)?,
        templates: Arc::new(templates),
        csrf_key: derive_key(config.master_key.expose_secret(), "tessera csrf v1"),
        config,
        store,
    })
}

/// The client upstream connectors call providers with. Providers' APIs (GitHub's, for one)
/// refuse requests without a User-Agent.
pub(crate) fn upstream_http() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("Tessera/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The page router's half of the one error mapping: a response that carries an
/// [`ErrorPage`] becomes the themed HTML page.
async fn render_error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    let status = response.status();
    let rendered = match state.templates.page(
        "message.html",
        context! {
            title => page.title, message => page.message.clone(), is_error => true,
            link => page.link.map(|(href, text)| context! { href, text }),
        },
    ) {
        Ok(html) => (status, html).into_response(),
        Err(_) => (status, page.message).into_response(),
    };
    crate::error::with_error_headers(&response, rendered)
}

/// Renders the page (and any error page) in the language the request asks for (`i18n`).
async fn in_request_language(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let speaker = crate::i18n::for_request(state.templates.catalogs(), request.headers());
    let here = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    crate::templates::rendering_for(here, speaker.scope(next.run(request))).await
}

/// The API router's half: apps call these routes, not browsers, so an [`ErrorPage`] becomes
/// RFC 6749 §5.2-style JSON.
async fn render_error_json(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match response.extensions().get::<ErrorPage>() {
        Some(page) => {
            crate::error::with_error_headers(&response, crate::error::api_error_json(response.status(), page))
        }
        None => response,
    }
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    // Which router a route is on decides how its errors look (see `error.rs`).
    let api = crate::routes::api_routes()
        .method_not_allowed_fallback(|| async { crate::error::AppError::MethodNotAllowed })
        .layer(middleware::from_fn(render_error_json));
    crate::routes::page_routes()
        // Before the layers, so unknown paths get the same themed page as every other error.
        .fallback(|| async { crate::error::AppError::NotFound })
        .method_not_allowed_fallback(|| async { crate::error::AppError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::csrf::ensure_cookie,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), render_error_pages))
        // Outside the error pages: they are in the request's language too.
        .layer(middleware::from_fn_with_state(state.clone(), in_request_language))
        .merge(api)
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn_with_state(
            Https(state.config.secure_cookies()),
            security_headers,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %crate::access_log::loggable_path(request.uri().path()), request_id = %id)
        }))
        // Outside the request span (its line carries the same fields itself), inside the
        // request id and the client address it logs.
        .layer(middleware::from_fn_with_state(state.clone(), crate::access_log::log_request))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(middleware::from_fn_with_state(state.clone(), crate::client_address::find_client))
        .with_state(state)
}

/// The metrics listener's app: `/metrics` and nothing else (every other path is 404), with
/// none of the page layers. Kept off the main port (see `routes::metrics_routes`).
pub fn metrics_router(state: AppState) -> Router {
    crate::routes::metrics_routes()
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        .layer(middleware::from_fn_with_state(Https(false), security_headers))
        .with_state(state)
}

/// Serves `/metrics` on its own listener (`metrics.listen`) until the task is stopped, and
/// `POST /-/reload` with a `reloader`; the `serve` command runs it beside [`serve`] and
/// stops it when that returns.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
    reloader: Option<Reloader>,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "metrics are served at /metrics");
    }
    let app = match reloader {
        Some(reloader) => crate::reload::routes(reloader).merge(metrics_router(state)),
        None => metrics_router(state),
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}

/// Creates or rotates the signing keys that are due.
pub(crate) async fn maintain_keys(state: &AppState) -> Result<Vec<String>, tessera_oidc::provider::ProviderError> {
    let policy = crate::oidc::key_policy(&state.config);
    state.provider.keys().maintain(&policy, false).await
}

/// Serves until SIGTERM or Ctrl-C, then stops accepting and lets requests in flight finish.
/// Each request, job and clean-up round uses the configuration `live` holds when it starts.
pub async fn serve(listener: tokio::net::TcpListener, live: impl Into<Live>) -> std::io::Result<()> {
    let live = live.into();
    let state = live.state();
    // Signing keys exist before the first request (every node may try; one creates them).
    if let Err(e) = maintain_keys(&state).await {
        return Err(std::io::Error::other(format!("cannot prepare signing keys: {e}")));
    }
    // Development only: the fake upstream providers, on their own port, for this process's life.
    // Without the `sandbox` feature the config refuses `sandbox:`, so there is nothing to start.
    #[cfg(feature = "sandbox")]
    let _sandbox = match state.config.sandbox {
        Some(addr) => Some(
            tessera_sandbox::start(addr, tessera_sandbox::SandboxOptions::default())
                .await
                .map_err(|e| std::io::Error::other(format!("cannot start the sandbox on {addr}: {e}")))?,
        ),
        None => None,
    };
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, issuer = state.config.issuer_str(), "Tessera is listening");
    }
    let cleanup = tokio::spawn(clean_up_periodically(live.clone()));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut worker = tokio::spawn(crate::jobs::worker::run(live.clone(), stop));
    let limits = state.config.limits;
    // Requests and jobs drain together, both within `server.shutdown_deadline` of the signal.
    let signal = async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    };
    let stopped_at = crate::listener::serve_until(listener, live.app(), limits, signal).await;
    let left = limits.shutdown_deadline.saturating_sub(stopped_at.elapsed());
    if tokio::time::timeout(left, &mut worker).await.is_err() {
        // Their leases expire and another node (or this one, restarted) runs them again.
        tracing::warn!("the shutdown deadline passed; jobs still running are abandoned");
        worker.abort();
    }
    cleanup.abort();
    Ok(())
}

/// Expired sessions, codes, tokens and finished counts are removed in the background so the
/// tables do not grow without bound.
async fn clean_up_periodically(live: Live) {
    loop {
        let state = live.state();
        let now = time::OffsetDateTime::now_utc();
        match state
            .store
            .delete_stale_sessions(now, now - state.config.session_idle)
            .await
        {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "session clean-up failed"),
        }
        let codes_expired_by = now - state.config.oidc.code_replay_window;
        match state.store.purge_expired(now, codes_expired_by).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired codes, tokens and sign-in requests removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "token clean-up failed"),
        }
        match state
            .store
            .purge_throttles(now, now - state.config.throttle.longest_window())
            .await
        {
            Ok(n) if n > 0 => tracing::info!(removed = n, "finished failure and request counts removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "count clean-up failed"),
        }
        match state.store.delete_stale_ceremonies(now).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired second-step and passkey ceremonies removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "ceremony clean-up failed"),
        }
        match state.store.purge_jobs(now - state.config.jobs.retention, false).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "finished jobs removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "job clean-up failed"),
        }
        if let Err(e) = maintain_keys(&state).await {
            tracing::warn!(error = ?e, "key rotation check failed");
        }
        // The interval in force now (a reload may change it).
        tokio::time::sleep(state.config.cleanup_interval).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
