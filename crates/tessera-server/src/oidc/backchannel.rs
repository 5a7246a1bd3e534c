//! OpenID Connect Back-Channel Logout 1.0: when a session ends, every client that received
//! tokens in it and registered a `backchannel_logout_uri` gets a signed logout token. Sent in
//! the background with retries; the person's browser never waits for it.

use std::time::Duration;

use crate::state::AppState;

const ATTEMPTS: u32 = 3;

pub async fn notify(state: &AppState, sid: &str, sub: &str) {
    let clients = match state.store.clients_of_session(sid).await {
        Ok(clients) => clients,
        Err(e) => {
            tracing::warn!(error = %e, "back-channel logout: cannot list the session's clients");
            return;
        }
    };
    for client_id in clients {
        let Some(client) = state.config.client(&client_id) else {
            continue;
        };
        let Some(uri) = client.client.backchannel_logout_uri.clone() else {
            continue;
        };
        let (state, sid, sub, client) = (state.clone(), sid.to_owned(), sub.to_owned(), client.clone());
        tokio::spawn(async move {
            let token = match state.provider.logout_token(&client, &sub, &sid).await {
                Ok(token) => token,
                Err(e) => {
                    tracing::warn!(client = %client.client.id, error = %e, "back-channel logout: cannot sign a logout token");
                    return;
                }
            };
            for attempt in 1..=ATTEMPTS {
                // §2.5: POST application/x-www-form-urlencoded with logout_token; 200 means done.
                let sent = state
                    .http
                    .post(uri.clone())
                    .form(&[("logout_token", token.as_str())])
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        tracing::info!(client = %client.client.id, "back-channel logout delivered");
                        return;
                    }
                    Ok(r) => {
                        tracing::warn!(client = %client.client.id, status = %r.status(), attempt, "back-channel logout refused")
                    }
                    Err(e) => {
                        tracing::warn!(client = %client.client.id, error = %e, attempt, "back-channel logout failed")
                    }
                }
                if attempt < ATTEMPTS {
                    tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                }
            }
        });
    }
}
