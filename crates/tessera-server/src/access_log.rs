//! One line per request at `info`, for admins, fail2ban and log pipelines: method, path,
//! status, latency, client address, user agent, request id, and the account when one is
//! known (ASVS 4.0.3 V7.1.3, V7.2: who did what, from where, when).
//!
//! The path is logged without its query (codes, states and hints travel there) and with the
//! single-use tokens of mail links cut out ([`loggable_path`]), so no line holds a secret.
//! The account is the signed-in person (the session extractors note it in the request's
//! [`AccountSlot`]) or the person a handler just signed in ([`SignedInAs`] on the response).

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tessera_core::UserId;

use crate::client_address::ClientAddress;
use crate::jobs::effects::Actor;
use crate::state::AppState;

/// Filled by whatever learns, while handling the request, whose it is.
#[derive(Clone, Default)]
pub struct AccountSlot(Arc<OnceLock<UserId>>);

impl AccountSlot {
    /// Notes `user` as the request's account, if the request has a slot (the first note wins).
    pub fn note(extensions: &axum::http::Extensions, user: UserId) {
        if let Some(slot) = extensions.get::<AccountSlot>() {
            let _ = slot.0.set(user);
        }
    }
}

/// On a response: the account the request just signed in (there was no session before).
#[derive(Clone, Copy)]
pub struct SignedInAs(pub UserId);

/// The path to log: without single-use secrets (email links).
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/email/confirm/", "/email/undo/", "/password/reset/"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return format!("{prefix}…");
        }
    }
    path.to_owned()
}

/// Middleware: runs the request, writes its line and counts it in the request metrics
/// (by route template, from axum's [`MatchedPath`], so label values stay bounded).
pub async fn log_request(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let slot = AccountSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let client = request.extensions().get::<ClientAddress>().map(|c| c.ip);
    let user_agent = Actor::user_agent_of(request.headers()).unwrap_or_else(|| "-".to_owned());
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();

    let response = next.run(request).await;
    let took = started.elapsed();
    let route = route
        .as_ref()
        .map_or(crate::metrics::UNMATCHED_ROUTE, MatchedPath::as_str);
    state.metrics.observe_request(route, &method, response.status(), took);

    let account = response
        .extensions()
        .get::<SignedInAs>()
        .map(|s| s.0)
        .or_else(|| slot.0.get().copied());
    tracing::info!(
        target: "tessera::access",
        %method,
        %path,
        status = response.status().as_u16(),
        latency_ms = took.as_millis() as u64,
        ip = %client.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
        %user_agent,
        %request_id,
        account = %account.map_or_else(|| "-".to_owned(), |id| id.to_string()),
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn mail_link_tokens_are_cut_from_paths() {
        assert_eq!(loggable_path("/password/reset/abc123"), "/password/reset/…");
        assert_eq!(loggable_path("/email/confirm/abc123"), "/email/confirm/…");
        assert_eq!(loggable_path("/email/undo/abc123"), "/email/undo/…");
        assert_eq!(loggable_path("/password/reset"), "/password/reset");
        assert_eq!(loggable_path("/login"), "/login");
    }
}
