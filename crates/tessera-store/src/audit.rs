use async_trait::async_trait;
use tessera_core::store::{AuditStore, Event, EventFilter, NewEvent, StoreError, StoreResult};

use crate::rows::{from_unix, to_unix, user_id};
use crate::{SqlStore, map_sqlx, on_pool};

type EventRow = (i64, String, Option<String>, String, Option<String>, Option<String>, i64);

/// One `info` line per audit event once it is stored, so log pipelines and fail2ban see the
/// same security events as the audit table (logins and their failures, lockouts, password
/// and address changes, links, consents, revocations, admin actions). `detail` never holds a
/// secret (see [`NewEvent`]).
pub(crate) fn log_recorded(events: &[NewEvent]) {
    for e in events {
        tracing::info!(
            target: "tessera::audit",
            kind = %e.kind,
            user = %e.user_id.map_or_else(|| "-".to_owned(), |id| id.to_string()),
            ip = %e.ip.as_deref().unwrap_or("-"),
            detail = %e.detail,
            "security event"
        );
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_event(&self, e: &NewEvent) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query(crate::jobs::INSERT_EVENT)
                .bind(&e.kind).bind(e.user_id.map(|id| id.to_string())).bind(e.detail.to_string())
                .bind(e.ip.as_deref()).bind(e.user_agent.as_deref()).bind(to_unix(e.at))
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)?
        });
        log_recorded(std::slice::from_ref(e));
        Ok(())
    }

    async fn events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>> {
        let user = filter.user.map(|id| id.to_string());
        let since = filter.since.map(to_unix);
        let rows: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, kind, user_id, detail, ip, user_agent, at FROM audit_events                  WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR at >= $2) ORDER BY id DESC LIMIT $3",
            )
            .bind(user).bind(since).bind(filter.limit).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows.into_iter()
            .map(|(id, kind, user, detail, ip, user_agent, at)| {
                Ok(Event {
                    id,
                    kind,
                    user_id: user.as_deref().map(user_id).transpose()?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::Other(format!("event {id} detail: {e}")))?,
                    ip,
                    user_agent,
                    at: from_unix(at)?,
                })
            })
            .collect()
    }
}
