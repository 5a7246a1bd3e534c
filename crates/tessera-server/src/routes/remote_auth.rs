//! Helpdesk remote authentication (`/remote-auth/{target}`): the helpdesk sends the person
//! here, they sign in if needed, and we send them back with a signed assertion. Signing is
//! in `tessera-remote-auth`; this module decides who may go and how they are delivered.

use std::collections::HashMap;

use crate::templates::ser;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use tessera_core::User;
use tessera_core::store::throttle_scope;
use tessera_remote_auth::{Delivery, FreshTimestamp, Person, RemoteAuthError, TargetKind, return_to_allowed};
use time::OffsetDateTime;
use uuid::Uuid;

use super::message;
use crate::config::{AccessRule, ExternalIdSource, RemoteAuthTarget, TimestampSource};
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::session::{self, MaybeSignedIn, SessionCookie};
use crate::state::AppState;
use crate::throttle;

fn find<'a>(state: &'a AppState, id: &str) -> Result<&'a RemoteAuthTarget, AppError> {
    state
        .config
        .remote_auth
        .iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound)
}

/// The timestamp to sign: Zendesk's legacy schemes sign the one Zendesk sent; the other
/// kinds, and legacy targets with `timestamp: now` when none was sent, use the clock.
fn timestamp(target: &RemoteAuthTarget, query: &HashMap<String, String>) -> Result<FreshTimestamp, AppError> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let legacy = target.kind.is_legacy_md5();
    match query.get("timestamp").map(|t| t.trim()).filter(|t| !t.is_empty()) {
        Some(sent) if legacy => fresh_timestamp(target, sent, now),
        _ if !legacy || target.timestamp == TimestampSource::Now => Ok(FreshTimestamp::current(now)),
        _ => Err(AppError::BadRequest(tr!("helpdesk-no-timestamp"))),
    }
}

/// The helpdesk's timestamp, when it is a number of seconds within the target's window
/// around now, so a captured link cannot be signed for a time far ahead or long past.
///
/// A refusal is a page here, not a redirect: Zendesk's `kind=error&message=` convention
/// runs the other way (helpdesk to Tessera's logout URL), and bouncing through that URL
/// would end the Tessera session when `logout_ends_session` is set.
fn fresh_timestamp(target: &RemoteAuthTarget, sent: &str, now: i64) -> Result<FreshTimestamp, AppError> {
    let seconds = sent
        .parse::<i64>()
        .ok()
        .filter(|t| *t > 0)
        .ok_or_else(|| AppError::BadRequest(tr!("helpdesk-not-seconds")))?;
    FreshTimestamp::within(seconds, now, target.timestamp_window).map_err(|e| {
        tracing::info!(target = %target.id, timestamp = seconds, now, "refused a helpdesk timestamp outside the window");
        AppError::BadRequest(tr!("helpdesk-out-of-date", reason = e.to_string()))
    })
}

async fn allowed(state: &AppState, target: &RemoteAuthTarget, user: &User) -> Result<bool, AppError> {
    Ok(match &target.access {
        AccessRule::Everyone => true,
        AccessRule::Staff => user.is_staff || user.is_superuser,
        AccessRule::Groups(wanted) => {
            let groups = state.store.groups_of(user.id).await?;
            groups.iter().any(|g| wanted.contains(g))
        }
    })
}

fn attribute(user: &User, name: Option<&String>) -> Option<String> {
    match user.attributes.get(name?)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn person(target: &RemoteAuthTarget, user: &User, email: String) -> Person {
    let map = &target.attributes;
    let tags = match map.tags.as_ref().and_then(|name| user.attributes.get(name)) {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Some(serde_json::Value::String(s)) => s
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        _ => Vec::new(),
    };
    Person {
        name: user.display_name(),
        email,
        external_id: match target.external_id {
            ExternalIdSource::Username => user.username.clone(),
            ExternalIdSource::UserId => user.id.to_string(),
        },
        organization: attribute(user, map.organization.as_ref()),
        tags,
        remote_photo_url: None,
        locale: None,
        role: attribute(user, map.role.as_ref()),
        phone: attribute(user, map.phone.as_ref()),
    }
}

pub async fn start(
    State(state): State<AppState>,
    Path(target_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    csrf: crate::csrf::CsrfCookie,
    actor: Actor,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let target = find(&state, &target_id)?;
    let timestamp = timestamp(target, &query)?;
    // Through the login (or the second step) and back here, with timestamp and return_to intact.
    let here = uri.path_and_query().map_or(uri.path(), |p| p.as_str()).to_owned();
    let Some(signed_in) = signed_in else {
        return Err(AppError::NeedsLogin { next: here });
    };
    let user = &signed_in.user;
    // A helpdesk sign-in is a sign-in like an app's: the policy's second factor first.
    let used_mfa = signed_in.session.amr.split_whitespace().any(|m| m == "mfa");
    if !used_mfa && state.accounts.policy_wants_mfa(user).await? {
        return crate::sign_in::step_up(&state, &csrf, &signed_in, &here).await;
    }
    check_access(&state, target, user).await?;
    let email = confirmed_email(user)?;
    check_rate(&state, user).await?;
    let return_to = return_to(target, &query);
    let person = person(target, user, email);
    let delivery = match sign(target, &person, timestamp, return_to) {
        Ok(delivery) => delivery,
        Err(refusal) => return refuse(&state, target, user, &actor, &refusal).await,
    };
    let detail = serde_json::json!({ "target": target.id, "kind": target.kind.as_str() });
    effects::emit(
        &state,
        effects::event(&state, "remote_auth.redirect", Some(user.id), detail, &actor),
    )
    .await?;
    deliver(&state, target, delivery)
}

/// Refuses a person the target's access rule keeps out.
async fn check_access(state: &AppState, target: &RemoteAuthTarget, user: &User) -> Result<(), AppError> {
    if allowed(state, target, user).await? {
        return Ok(());
    }
    tracing::info!(user = %user.id, target = %target.id, "remote auth refused by access rule");
    Err(AppError::Forbidden(tr!(
        "helpdesk-not-allowed",
        target = target.id.as_str()
    )))
}

/// Caps how many signed assertions one account gets (`security.throttle.helpdesk_per_account`):
/// each is a credential for the helpdesk, and a stolen session or a script should not be
/// able to mint them without end.
async fn check_rate(state: &AppState, user: &User) -> Result<(), AppError> {
    let limit = state.config.throttle.helpdesk_per_account;
    let key = user.id.to_string();
    match throttle::take(state, throttle_scope::HELPDESK, &key, limit).await? {
        Some(retry_after_seconds) => Err(AppError::Throttled { retry_after_seconds }),
        None => Ok(()),
    }
}

/// The address to hand the helpdesk: an unconfirmed one would let anyone appear there as
/// someone else.
fn confirmed_email(user: &User) -> Result<String, AppError> {
    user.email
        .clone()
        .filter(|_| user.email_verified)
        .ok_or_else(|| AppError::BadRequest(tr!("helpdesk-needs-email")))
}

/// The helpdesk's `return_to`, unless it is empty or points away from the helpdesk.
fn return_to<'q>(target: &RemoteAuthTarget, query: &'q HashMap<String, String>) -> Option<&'q str> {
    query.get("return_to").map(String::as_str).filter(|r| !r.is_empty()).filter(|r| {
        let ok = return_to_allowed(&target.url, r);
        if !ok {
            tracing::warn!(target = %target.id, return_to = %r, "dropped a return_to that points away from the helpdesk");
        }
        ok
    })
}

/// Sends the person to the helpdesk: a redirect, or an auto-submitting form.
fn deliver(state: &AppState, target: &RemoteAuthTarget, delivery: Delivery) -> Result<Response, AppError> {
    match delivery {
        Delivery::Redirect(url) => Ok(Redirect::to(url.as_str()).into_response()),
        Delivery::PostForm { action, fields } => {
            let html = state.templates.page(
                "remote_auth_post.html",
                context! { action => action.as_str(), fields => ser(&fields), target => target.id.clone() },
            )?;
            Ok(html.into_response())
        }
    }
}

/// The signed link or form for `person`, by the target's scheme. The signers themselves
/// refuse what their scheme cannot carry safely.
fn sign(
    target: &RemoteAuthTarget,
    person: &Person,
    timestamp: FreshTimestamp,
    return_to: Option<&str>,
) -> Result<Delivery, RemoteAuthError> {
    match target.kind {
        TargetKind::ZendeskMd5 => {
            tessera_remote_auth::zendesk_md5(&target.url, &target.secret, person, timestamp, return_to)
                .map(Delivery::Redirect)
        }
        TargetKind::ZendeskMd5Pipe => {
            tessera_remote_auth::zendesk_md5_pipe(&target.url, &target.secret, person, timestamp, return_to)
                .map(Delivery::Redirect)
        }
        TargetKind::Freshdesk => {
            tessera_remote_auth::freshdesk(&target.url, &target.secret, person, timestamp, return_to)
                .map(Delivery::Redirect)
        }
        TargetKind::ZendeskJwt => {
            let jti = Uuid::new_v4().to_string();
            tessera_remote_auth::zendesk_jwt(
                &target.url,
                &target.secret,
                person,
                timestamp,
                &jti,
                return_to,
                target.post_form,
            )
        }
    }
}

/// Nothing was signed: record why (never the secret or the link: the error holds
/// neither) and tell the person on a page, without sending them to the helpdesk.
async fn refuse(
    state: &AppState,
    target: &RemoteAuthTarget,
    user: &User,
    actor: &Actor,
    refusal: &RemoteAuthError,
) -> Result<Response, AppError> {
    tracing::info!(user = %user.id, target = %target.id, reason = %refusal, "remote auth refused to sign");
    let detail = serde_json::json!({
        "target": target.id,
        "kind": target.kind.as_str(),
        "reason": refusal.to_string(),
    });
    effects::emit(
        state,
        effects::event(state, "remote_auth.refused", Some(user.id), detail, actor),
    )
    .await?;
    message(
        state,
        StatusCode::BAD_REQUEST,
        &tr!("helpdesk-refused-title"),
        &tr!(
            "helpdesk-refused",
            target = target.id.as_str(),
            reason = refusal.to_string()
        ),
        Some(("/account", &tr!("link-your-account"))),
    )
}

/// Zendesk sends people here on sign-out, and with `kind=error&message=…` when it refused the
/// assertion; the message is shown (escaped) instead of looping back into the helpdesk.
pub async fn logout(
    State(state): State<AppState>,
    Path(target_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    SessionCookie(cookie): SessionCookie,
) -> Result<Response, AppError> {
    let target = find(&state, &target_id)?;
    let clear = if target.logout_ends_session {
        Some(session::end(&state, cookie.as_deref()).await?)
    } else {
        None
    };
    let mut response = if query.get("kind").map(String::as_str) == Some("error") {
        helpdesk_error(&state, target, &query)?
    } else {
        signed_out(&state, target)?
    };
    if let Some(value) = clear.and_then(|c| c.parse().ok()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

/// The helpdesk's reason for refusing the assertion, cut to a sane length.
fn helpdesk_error(
    state: &AppState,
    target: &RemoteAuthTarget,
    query: &HashMap<String, String>,
) -> Result<Response, AppError> {
    let text = query
        .get("message")
        .map_or_else(|| tr!("helpdesk-no-reason"), |m| m.chars().take(500).collect());
    tracing::warn!(target = %target.id, message = %text, "helpdesk reported a sign-in error");
    message(
        state,
        StatusCode::BAD_REQUEST,
        &tr!("helpdesk-error-title"),
        &text,
        Some(("/account", &tr!("link-your-account"))),
    )
}

fn signed_out(state: &AppState, target: &RemoteAuthTarget) -> Result<Response, AppError> {
    let text = if target.logout_ends_session {
        tr!("helpdesk-signed-out-both")
    } else {
        tr!("helpdesk-signed-out")
    };
    message(
        state,
        StatusCode::OK,
        &tr!("helpdesk-signed-out-title"),
        &text,
        Some(("/account", &tr!("link-your-account"))),
    )
}
