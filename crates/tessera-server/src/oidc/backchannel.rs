//! OpenID Connect Back-Channel Logout 1.0: when a session ends, every client that received
//! tokens in it and registered a `backchannel_logout_uri` gets a signed logout token. Each
//! delivery is a durable job (one per client and session), so it survives a restart, is
//! retried by the job worker, and can be queued by a command that ends sessions (`tessera
//! user disable`) as well as by a browser's logout. The person's browser never waits for it.

use serde_json::json;
use tessera_core::jobs::NewJob;
use tessera_core::store::StoreError;
use tessera_oidc::provider::sid_of;

use crate::jobs::effects::{Context, job};
use crate::state::AppState;

pub const JOB_KIND: &str = "oidc.backchannel_logout";

/// The delivery jobs for the session whose cookie digest is `session_digest`, of account
/// `sub`: one per client it gave tokens to that asked to be told. Listed before the session
/// and its tokens go, since they are how the clients are found.
pub async fn logout_jobs(cx: &impl Context, session_digest: &str, sub: &str) -> Result<Vec<NewJob>, StoreError> {
    let sid = sid_of(session_digest);
    let clients = cx.store().clients_of_session(&sid).await?;
    Ok(clients
        .into_iter()
        .filter(|id| {
            cx.config()
                .client(id)
                .is_some_and(|c| c.client.backchannel_logout_uri.is_some())
        })
        .map(|client| {
            let key = format!("{JOB_KIND}:{client}:{sid}");
            job(cx, JOB_KIND, json!({ "client_id": client, "sid": sid, "sub": sub })).key(key)
        })
        .collect())
}

/// The job: signs the logout token and POSTs it (§2.5: form-encoded `logout_token`; a 2xx
/// means done). A client since removed from the config is skipped.
pub async fn deliver(state: &AppState, payload: &serde_json::Value) -> Result<(), String> {
    let field = |name: &str| {
        payload[name]
            .as_str()
            .ok_or_else(|| format!("{JOB_KIND} job is missing {name}"))
    };
    let (client_id, sid, sub) = (field("client_id")?, field("sid")?, field("sub")?);
    let Some(client) = state.config.client(client_id) else {
        return Ok(());
    };
    let Some(uri) = client.client.backchannel_logout_uri.clone() else {
        return Ok(());
    };
    let token = state
        .provider
        .logout_token(client, sub, sid)
        .await
        .map_err(|e| format!("cannot sign a logout token: {e}"))?;
    let answer = state
        .http
        .post(uri)
        .form(&[("logout_token", token.as_str())])
        .send()
        .await
        .map_err(|e| format!("back-channel logout to {client_id} failed: {}", e.without_url()))?;
    if !answer.status().is_success() {
        return Err(format!(
            "{client_id} refused the back-channel logout: HTTP {}",
            answer.status().as_u16()
        ));
    }
    tracing::info!(client = %client_id, "back-channel logout delivered");
    Ok(())
}
