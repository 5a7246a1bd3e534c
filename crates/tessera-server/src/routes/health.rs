use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// Liveness: the process answers. Never touches the database.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Prometheus text: job queue depth (shared, from the database) and this node's job runs.
/// Served only by the metrics listener (`metrics.listen`), never on the main port.
pub async fn metrics(
    State(state): State<AppState>,
) -> Result<impl axum::response::IntoResponse, crate::error::AppError> {
    let depth = state.store.job_counts().await?;
    let body = state.job_metrics.render(&depth);
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}

/// Readiness: the database answers too. 503 tells a load balancer to send traffic elsewhere.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
