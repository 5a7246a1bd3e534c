//! The audit events and jobs a change causes. Built here, written by the store in the same
//! transaction as the change, so a registration can never lose (or invent) its welcome mail.

use serde_json::{Value, json};
use tessera_core::jobs::{Effects, NewJob};
use tessera_core::store::{EmailTokenPurpose, NewEvent};
use tessera_core::{NewUser, UserId};
use time::OffsetDateTime;

use crate::state::AppState;

/// Who acted, from the request (for the audit log).
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(300).collect());
        Ok(Self { ip, user_agent })
    }
}

/// An audit event plus a webhook job for every webhook subscribed to its kind.
pub fn event(state: &AppState, kind: &str, user: Option<UserId>, detail: Value, actor: &Actor) -> Effects {
    let id = uuid::Uuid::new_v4().to_string();
    let at = OffsetDateTime::now_utc();
    let mut effects = Effects {
        events: vec![NewEvent {
            kind: kind.to_owned(),
            user_id: user,
            detail: detail.clone(),
            ip: actor.ip.clone(),
            user_agent: actor.user_agent.clone(),
            at,
        }],
        jobs: Vec::new(),
    };
    for hook in state
        .config
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
            .push(job(state, "webhook", payload).key(format!("webhook:{id}:{}", hook.url)));
    }
    effects
}

pub fn job(state: &AppState, kind: &str, payload: Value) -> NewJob {
    let mut job = NewJob::new(kind, payload);
    job.max_attempts = state.config.jobs.max_attempts;
    job
}

pub fn mail_link(state: &AppState, user: UserId, purpose: EmailTokenPurpose) -> NewJob {
    job(
        state,
        "mail.link",
        json!({ "user_id": user.to_string(), "purpose": purpose.as_str() }),
    )
}

/// The two mails of an email change, addressed when it is asked for: the confirmation to the
/// new address and, when there is one, the undo notice to the old one. The undo notice must
/// reach the old address even if the change is confirmed before the mail goes out.
pub fn email_change_mails(state: &AppState, user: UserId, old: Option<&str>, new: &str) -> Vec<NewJob> {
    let addressed = |purpose: EmailTokenPurpose, to: &str| {
        job(
            state,
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
pub fn link_request(state: &AppState, login: &str, purpose: EmailTokenPurpose) -> NewJob {
    job(
        state,
        "mail.link_request",
        json!({ "login": login.trim(), "purpose": purpose.as_str() }),
    )
}

/// A new account: the event, its confirmation mail, and the configured welcome and follow-up.
pub fn registered(state: &AppState, user: &NewUser, actor: &Actor) -> Effects {
    let mut effects = event(
        state,
        "user.registered",
        Some(user.id),
        json!({ "username": user.username.as_str(), "is_new": true }),
        actor,
    );
    if user.email.is_some() && !user.email_verified {
        effects
            .jobs
            .push(mail_link(state, user.id, EmailTokenPurpose::ConfirmEmail));
    }
    let id = user.id.to_string();
    if state.config.actions.welcome_email && user.email.is_some() {
        effects
            .jobs
            .push(job(state, "mail.welcome", json!({ "user_id": id })).key(format!("welcome:{id}")));
    }
    if let (Some(after), Some(_)) = (state.config.actions.followup_after, &user.email) {
        let at = OffsetDateTime::now_utc() + after;
        effects.jobs.push(
            job(state, "mail.followup", json!({ "user_id": id }))
                .key(format!("followup:{id}"))
                .at(at),
        );
    }
    effects
}

/// Writes effects that accompany no stored change (a login attempt, a request for a link).
pub async fn emit(state: &AppState, effects: Effects) -> Result<(), crate::error::AppError> {
    for e in &effects.events {
        state.store.record_event(e).await?;
    }
    for j in &effects.jobs {
        state.store.enqueue(j).await?;
    }
    if !effects.jobs.is_empty() {
        state.jobs_wake.notify_waiters();
    }
    Ok(())
}
