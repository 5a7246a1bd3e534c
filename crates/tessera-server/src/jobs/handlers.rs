//! What each kind of job does. A handler returns `Err(reason)` to be retried (the reason is
//! stored on the job); doing nothing because the account is gone is a success.

use serde_json::Value;
use tessera_core::jobs::Job;
use tessera_core::secret::ExposeSecret;
use tessera_core::secret_token;
use tessera_core::store::{EmailTokenPurpose, throttle_scope};
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use crate::mailer;
use crate::state::AppState;
use crate::throttle;

pub async fn run(state: &AppState, job: &Job) -> Result<(), String> {
    // A mail is in the language of the request that queued it (`i18n`).
    let language = job.payload["lang"].as_str().unwrap_or_default();
    crate::i18n::Speaker::named(state.templates.catalogs(), language)
        .scope(run_job(state, job))
        .await
}

async fn run_job(state: &AppState, job: &Job) -> Result<(), String> {
    // Each mail job sends at most one message; its Message-ID is the same on every attempt.
    let mail_id = &mailer::job_message_id(state, &job.id);
    match job.kind.as_str() {
        "mail.link" => {
            let purpose = job.payload["purpose"].as_str();
            let Some(purpose) = purpose.and_then(EmailTokenPurpose::parse) else {
                return Err(format!("unknown link purpose {purpose:?}"));
            };
            let change = mailer::ChangeAddresses::from_payload(&job.payload);
            match account(state, &job.payload).await? {
                Some(user) => mailer::deliver_link(state, mail_id, &user, purpose, change).await,
                None => Ok(()),
            }
        }
        "mail.link_request" => link_request(state, mail_id, &job.payload).await,
        "mail.registration_attempt" => registration_attempt(state, mail_id, &job.payload).await,
        "mail.welcome" => match account(state, &job.payload).await? {
            Some(user) => mailer::deliver(state, mail_id, &user, "email/welcome", "mail-welcome-subject").await,
            None => Ok(()),
        },
        "mail.notice" => {
            let kind = job.payload["notice"].as_str().unwrap_or_default();
            let (template, subject) = crate::accounts::Notice::template_and_subject_id(kind)
                .ok_or_else(|| format!("unknown security notice {kind:?}"))?;
            match account(state, &job.payload).await? {
                Some(user) => mailer::deliver(state, mail_id, &user, template, subject).await,
                None => Ok(()),
            }
        }
        // Cancelled by the account's absence: deleted or disabled since it was scheduled.
        "mail.followup" => match account(state, &job.payload).await? {
            Some(user) if user.is_active => {
                mailer::deliver(state, mail_id, &user, "email/followup", "mail-followup-subject").await
            }
            _ => Ok(()),
        },
        // The account is gone by now: everything the mail needs is in the payload.
        mailer::ACCOUNT_DELETED_JOB => mailer::deliver_account_deleted(state, mail_id, &job.payload).await,
        crate::oidc::backchannel::JOB_KIND => crate::oidc::backchannel::deliver(state, &job.payload).await,
        "webhook" => webhook(state, &job.payload).await,
        "post_on_join" => post_on_join(state, &job.payload).await,
        other => Err(format!("unknown job kind {other:?}")),
    }
}

/// A reset or confirmation link asked for by login name: only an active account gets a reset
/// link, and only one waiting for confirmation a confirmation link; anything else is done.
async fn link_request(state: &AppState, mail_id: &str, payload: &Value) -> Result<(), String> {
    let (Some(login), Some(purpose)) = (
        payload["login"].as_str(),
        payload["purpose"].as_str().and_then(EmailTokenPurpose::parse),
    ) else {
        return Err("mail.link_request job is missing login or purpose".into());
    };
    let user = state.store.user_by_login(login).await.map_err(|e| e.to_string())?;
    let wanted = match purpose {
        EmailTokenPurpose::ResetPassword => user.filter(|u| u.is_active),
        EmailTokenPurpose::ConfirmEmail => user.filter(|u| u.is_active && !u.email_verified),
        _ => return Err(format!("{} links are not asked for by login name", purpose.as_str())),
    };
    match wanted {
        Some(user) if within_mail_limit(state, &user).await? => {
            mailer::deliver_link(state, mail_id, &user, purpose, None).await
        }
        _ => Ok(()),
    }
}

/// Tells the owner of an address that someone tried to register with it (see
/// `Accounts::register`); capped like reset links.
async fn registration_attempt(state: &AppState, mail_id: &str, payload: &Value) -> Result<(), String> {
    let address = payload["login"]
        .as_str()
        .ok_or("mail.registration_attempt job has no login")?;
    let owner = state.store.user_by_login(address).await.map_err(|e| e.to_string())?;
    match owner.filter(|u| u.email_verified) {
        Some(user) if within_mail_limit(state, &user).await? => {
            let subject = "mail-registration-attempt-subject";
            mailer::deliver(state, mail_id, &user, "email/registration_attempt", subject).await
        }
        _ => Ok(()),
    }
}

/// Whether one more mail that anyone may ask for (by typing the person's name or address)
/// may go to this account (`security.throttle.mail_per_account`); past the limit the job is
/// done without a mail, so a flood of requests cannot flood a mailbox.
async fn within_mail_limit(state: &AppState, user: &User) -> Result<bool, String> {
    let limit = state.config.throttle.mail_per_account;
    let key = user.id.to_string();
    let over = throttle::take(state, throttle_scope::MAIL_ACCOUNT, &key, limit)
        .await
        .map_err(|e| e.to_string())?;
    if over.is_some() {
        tracing::info!(user = %user.id, "mail limit reached: not sending");
    }
    Ok(over.is_none())
}

/// Posts through the person's own upstream token. A refusal (revoked token, no permission)
/// is retried and then dead-lettered with the upstream's reason; it never blocks anything.
async fn post_on_join(state: &AppState, payload: &Value) -> Result<(), String> {
    let (Some(provider), Some(subject), Some(text)) = (
        payload["provider"].as_str(),
        payload["subject"].as_str(),
        payload["text"].as_str(),
    ) else {
        return Err("post_on_join job is missing provider, subject or text".into());
    };
    let Some(identity) = state
        .store
        .identity(provider, subject)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(()); // disconnected since: nothing to post for
    };
    let connector = state
        .upstreams
        .get(provider)
        .ok_or_else(|| format!("upstream {provider:?} is not configured any more"))?;
    let sealed = identity.tokens_sealed.ok_or("no upstream tokens stored")?;
    // Opens only tokens sealed for this identity: another identity's, copied into this row,
    // are refused rather than posted with.
    let tokens = crate::upstream::open_tokens(&state.config.master_key, &identity.provider, &identity.subject, &sealed)
        .map_err(|e| e.to_string())?;
    let tokens: tessera_upstream::UpstreamTokens = serde_json::from_slice(&tokens).map_err(|e| e.to_string())?;
    connector
        .connector
        .post_status(&tokens, text)
        .await
        .map_err(|e| format!("{provider} refused the post: {e}"))
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
    let signed = format!("{timestamp}.{body}");
    secret_token::hex_lower(&secret_token::hmac_sha256(secret.as_bytes(), signed.as_bytes()))
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
    let signature = webhook_signature(hook.secret.expose_secret(), timestamp, &body);
    let response = state
        .http
        .post(hook.url.clone())
        .timeout(hook.timeout)
        .header("content-type", "application/json")
        .header("x-tessera-timestamp", timestamp.to_string())
        .header("x-tessera-signature", signature)
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
