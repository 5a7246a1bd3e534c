//! What each kind of job does. A handler returns `Err(reason)` to be retried (the reason is
//! stored on the job); doing nothing because the account is gone is a success.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use tessera_core::jobs::Job;
use tessera_core::store::EmailTokenPurpose;
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use crate::mailer;
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Job) -> Result<(), String> {
    match job.kind.as_str() {
        "mail.link" => {
            let purpose = match job.payload["purpose"].as_str() {
                Some("confirm_email") => EmailTokenPurpose::ConfirmEmail,
                Some("reset_password") => EmailTokenPurpose::ResetPassword,
                other => return Err(format!("unknown link purpose {other:?}")),
            };
            match account(state, &job.payload).await? {
                Some(user) => mailer::deliver_link(state, &user, purpose).await,
                None => Ok(()),
            }
        }
        "mail.welcome" => match account(state, &job.payload).await? {
            Some(user) => mailer::deliver(state, &user, "email/welcome", "Welcome").await,
            None => Ok(()),
        },
        // Cancelled by the account's absence: deleted or disabled since it was scheduled.
        "mail.followup" => match account(state, &job.payload).await? {
            Some(user) if user.is_active => mailer::deliver(state, &user, "email/followup", "How is it going?").await,
            _ => Ok(()),
        },
        "webhook" => webhook(state, &job.payload).await,
        other => Err(format!("unknown job kind {other:?}")),
    }
}

async fn account(state: &AppState, payload: &Value) -> Result<Option<User>, String> {
    let id = payload["user_id"]
        .as_str()
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .ok_or("job has no user_id")?;
    state.store.user_by_id(UserId(id)).await.map_err(|e| e.to_string())
}

/// Hex HMAC-SHA256 over `timestamp + "." + body`, keyed with the webhook's secret. Binding the
/// timestamp lets receivers refuse replays of old deliveries.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn webhook(state: &AppState, payload: &Value) -> Result<(), String> {
    let url = payload["url"].as_str().ok_or("webhook job without url")?;
    // The secret is looked up now, never stored in the queue.
    let hook = state
        .config
        .webhooks
        .iter()
        .find(|h| h.url.as_str() == url)
        .ok_or_else(|| format!("no webhook for {url} is configured any more"))?;
    let body = payload["body"].to_string();
    let timestamp = OffsetDateTime::now_utc().unix_timestamp();
    let response = state
        .http
        .post(hook.url.clone())
        .timeout(hook.timeout)
        .header("content-type", "application/json")
        .header("x-tessera-timestamp", timestamp.to_string())
        .header("x-tessera-signature", webhook_signature(&hook.secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("webhook {url} unreachable: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("webhook {url} answered {}", response.status()))
    }
}
