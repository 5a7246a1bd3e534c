use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// Liveness: the process answers. Never touches the database.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Prometheus text (see [`crate::metrics`]). Served only by the metrics listener
/// (`metrics.listen`), never on the main port. Always 200: when the database does not answer
/// within [`READINESS_DEADLINE`] the queue gauges are left out and `tessera_database_up` is 0,
/// so a scrape still brings this node's counters and the outage itself.
pub async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    let jobs = match tokio::time::timeout(READINESS_DEADLINE, state.store.job_counts()).await {
        Ok(Ok(counts)) => Some(counts),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "metrics: the job queue cannot be read");
            None
        }
        Err(_) => {
            tracing::warn!("metrics: the database did not answer within 1 s");
            None
        }
    };
    let snapshot = crate::metrics::StoreSnapshot {
        jobs,
        pool: state.store.pool_status(),
    };
    let body = state.metrics.render(&snapshot);
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// How long readiness may take: a load balancer must hear "not ready" quickly when the
/// database is gone, not after the pool's connection timeout.
const READINESS_DEADLINE: std::time::Duration = std::time::Duration::from_secs(1);

/// Readiness: the database answers, within [`READINESS_DEADLINE`], with the schema this
/// binary was built for. 503 tells a load balancer to send traffic elsewhere.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let checked = tokio::time::timeout(READINESS_DEADLINE, async {
        state.store.ping().await?;
        state.store.schema_mismatch().await
    })
    .await;
    match checked {
        Ok(Ok(None)) => (StatusCode::OK, "ready"),
        Ok(Ok(Some(mismatch))) => {
            tracing::warn!(%mismatch, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database schema mismatch")
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("readiness check failed: the database did not answer within 1 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
