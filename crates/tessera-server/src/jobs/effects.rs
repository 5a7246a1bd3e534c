//! The audit events and jobs a change causes. Built here, written by the store in the same
//! transaction as the change, so a registration can never lose (or invent) its welcome mail.

use serde_json::{Value, json};
use tessera_core::jobs::{Effects, NewJob};
use tessera_core::store::{EmailTokenPurpose, NewEvent, SESSION_USER_AGENT_MAX, StoreError};
use tessera_core::{NewUser, UserId};
use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::config::{Config, EmailConfirmation};
use crate::state::{AppState, Store};

/// What building and writing effects needs: the configuration (webhooks, job attempts), the
/// store, and the wake-up of this node's worker. The web state has them, and so has the
/// accounts service, which must not depend on the web state.
pub trait Context {
    fn config(&self) -> &Config;
    fn store(&self) -> &dyn Store;
    fn jobs_wake(&self) -> &Notify;
}

impl Context for AppState {
    fn config(&self) -> &Config {
        &self.config
    }
    fn store(&self) -> &dyn Store {
        &*self.store
    }
    fn jobs_wake(&self) -> &Notify {
        &self.jobs_wake
    }
}

/// Who acted, from the request (for the audit log, and the device a session starts on).
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub ip: Option<String>,
    /// The request's `User-Agent`, cut to [`SESSION_USER_AGENT_MAX`] characters (what a
    /// session keeps); the audit log keeps [`LOGGED_USER_AGENT_MAX`] of it.
    pub user_agent: Option<String>,
}

/// How much of a `User-Agent` the audit and access logs keep, in characters.
const LOGGED_USER_AGENT_MAX: usize = 300;

impl Actor {
    /// The request's `User-Agent`, cut to 300 characters (for the audit and access logs).
    pub fn user_agent_of(headers: &axum::http::HeaderMap) -> Option<String> {
        user_agent_cut(headers, LOGGED_USER_AGENT_MAX)
    }

    /// The address counts are keyed by (`unknown` when the connection has none).
    pub fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        // The client `client_address::find_client` found (behind a trusted proxy, the
        // address it forwarded for), else the TCP peer.
        let ip = parts
            .extensions
            .get::<crate::client_address::ClientAddress>()
            .map(|c| c.ip)
            .or_else(|| {
                parts
                    .extensions
                    .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                    .map(|c| c.0.ip())
            })
            .map(|ip| ip.to_string());
        let user_agent = user_agent_cut(&parts.headers, SESSION_USER_AGENT_MAX);
        Ok(Self { ip, user_agent })
    }
}

fn user_agent_cut(headers: &axum::http::HeaderMap, max: usize) -> Option<String> {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(max).collect())
}

/// An audit event plus a webhook job for every webhook subscribed to its kind.
pub fn event(cx: &impl Context, kind: &str, user: Option<UserId>, detail: Value, actor: &Actor) -> Effects {
    let id = uuid::Uuid::new_v4().to_string();
    let at = OffsetDateTime::now_utc();
    let mut effects = Effects {
        events: vec![NewEvent {
            kind: kind.to_owned(),
            user_id: user,
            detail: detail.clone(),
            ip: actor.ip.clone(),
            user_agent: actor
                .user_agent
                .as_deref()
                .map(|ua| ua.chars().take(LOGGED_USER_AGENT_MAX).collect()),
            at,
        }],
        jobs: Vec::new(),
    };
    for hook in cx
        .config()
        .webhooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == kind))
    {
        let body = json!({
            "id": id,
            "type": kind,
            "created_at": at.unix_timestamp(),
            "user_id": user.map(|u| u.to_string()),
            "data": detail,
        });
        let payload = json!({ "url": hook.url.as_str(), "body": body });
        effects
            .jobs
            .push(job(cx, "webhook", payload).key(format!("webhook:{id}:{}", hook.url)));
    }
    effects
}

pub fn job(cx: &impl Context, kind: &str, mut payload: Value) -> NewJob {
    // A mail goes out in the language of the request that asked for it; a mail someone else's
    // registration attempt causes goes out in the default language, not the stranger's.
    if kind.starts_with("mail.")
        && kind != "mail.registration_attempt"
        && let Some(fields) = payload.as_object_mut()
    {
        fields.insert("lang".into(), crate::i18n::current().tag().into());
    }
    let mut job = NewJob::new(kind, payload);
    job.max_attempts = cx.config().jobs.max_attempts;
    job
}

pub fn mail_link(cx: &impl Context, user: UserId, purpose: EmailTokenPurpose) -> NewJob {
    job(
        cx,
        "mail.link",
        json!({ "user_id": user.to_string(), "purpose": purpose.as_str() }),
    )
}

/// The two mails of an email change, addressed when it is asked for: the confirmation to the
/// new address and, when there is one, the undo notice to the old one. The undo notice must
/// reach the old address even if the change is confirmed before the mail goes out.
pub fn email_change_mails(cx: &impl Context, user: UserId, old: Option<&str>, new: &str) -> Vec<NewJob> {
    let addressed = |purpose: EmailTokenPurpose, to: &str| {
        job(
            cx,
            "mail.link",
            json!({ "user_id": user.to_string(), "purpose": purpose.as_str(), "to": to, "new_address": new }),
        )
    };
    let mut jobs = vec![addressed(EmailTokenPurpose::ConfirmEmailChange, new)];
    jobs.extend(old.map(|old| addressed(EmailTokenPurpose::UndoEmailChange, old)));
    jobs
}

/// A link asked for by login name (reset, resend): the worker decides whether an account
/// gets it, so the request looks the same for every name (no account enumeration).
pub fn link_request(cx: &impl Context, login: &str, purpose: EmailTokenPurpose) -> NewJob {
    job(
        cx,
        "mail.link_request",
        json!({ "login": login.trim(), "purpose": purpose.as_str() }),
    )
}

/// "Someone tried to register with your address", for the account that has proven it (the
/// worker looks it up by the address, like a link request).
pub fn registration_attempt(cx: &impl Context, address: &str) -> NewJob {
    job(cx, "mail.registration_attempt", json!({ "login": address }))
}

/// The welcome mail (`actions.welcome_email`), at most once per account: its idempotency key
/// `welcome:<user>` makes a second enqueueing (a second node, a link used twice) a no-op.
pub fn welcome(cx: &impl Context, user: UserId) -> Option<NewJob> {
    let id = user.to_string();
    cx.config()
        .actions
        .welcome_email
        .then(|| job(cx, "mail.welcome", json!({ "user_id": id })).key(format!("welcome:{id}")))
}

/// Whether a new account's welcome waits until its address is proven: when password logins
/// wait for that (`registration.email_confirmation: required`), the welcome comes with the
/// confirmation (see [`welcome_on_confirmation`]) rather than to an address nobody has shown
/// to be theirs, ahead of an account that cannot be used yet.
fn welcome_waits_for_proof(cx: &impl Context, user: &NewUser) -> bool {
    cx.config().email_confirmation == EmailConfirmation::Required && !user.email_verified
}

/// The welcome that an account's first confirmation link brings, when
/// [`welcome_waits_for_proof`] held it back at registration (with confirmation optional it
/// went out then, and nothing is added).
pub fn welcome_on_confirmation(cx: &impl Context, user: UserId) -> Option<NewJob> {
    (cx.config().email_confirmation == EmailConfirmation::Required)
        .then(|| welcome(cx, user))
        .flatten()
}

/// A new account: the event, its confirmation mail, and the configured welcome (unless it
/// waits for the confirmation) and follow-up.
pub fn registered(cx: &impl Context, user: &NewUser, actor: &Actor) -> Effects {
    let mut effects = event(
        cx,
        "user.registered",
        Some(user.id),
        json!({ "username": user.username.as_str(), "is_new": true }),
        actor,
    );
    if user.email.is_some() && !user.email_verified {
        effects
            .jobs
            .push(mail_link(cx, user.id, EmailTokenPurpose::ConfirmEmail));
    }
    let id = user.id.to_string();
    if user.email.is_some() && !welcome_waits_for_proof(cx, user) {
        effects.jobs.extend(welcome(cx, user.id));
    }
    if let (Some(after), Some(_)) = (cx.config().actions.followup_after, &user.email) {
        let at = OffsetDateTime::now_utc() + after;
        effects.jobs.push(
            job(cx, "mail.followup", json!({ "user_id": id }))
                .key(format!("followup:{id}"))
                .at(at),
        );
    }
    effects
}

/// Writes effects that accompany no stored change (a login attempt, a request for a link).
pub async fn emit(cx: &impl Context, effects: Effects) -> Result<(), StoreError> {
    for e in &effects.events {
        cx.store().record_event(e).await?;
    }
    for j in &effects.jobs {
        cx.store().enqueue(j).await?;
    }
    if !effects.jobs.is_empty() {
        cx.jobs_wake().notify_waiters();
    }
    Ok(())
}
