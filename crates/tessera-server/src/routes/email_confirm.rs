use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_core::User;
use tessera_core::secret_token;
use tessera_core::store::{EmailTokenPurpose, Proof, UndoneChange, throttle_scope};
use time::OffsetDateTime;

use super::{Form, message, removals_text, too_long};
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::session::MaybeSignedIn;
use crate::state::AppState;
use crate::throttle;
use tessera_core::jobs::Effects;

/// Following the mailed link proves the person reads that mailbox. The browser's session (if
/// it is signed in to the same account) tells the store that the prover is the holder.
pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let digest = secret_token::digest(&token);
    let now = OffsetDateTime::now_utc();
    // A registration's confirmation link (not a change's) brings the welcome that waited for
    // it. Read before the link is used up; the welcome is written only if this use proves the
    // address, in the same transaction, and its idempotency key keeps it to one per account
    // however often (or however concurrently) the link is opened.
    let first_proof = state
        .store
        .email_token_owner(&digest, EmailTokenPurpose::ConfirmEmail, now)
        .await?
        .is_some();
    let events = |id| {
        let mut fx = effects::event(&state, "email.confirmed", Some(id), serde_json::json!({}), &actor);
        if first_proof {
            fx.jobs.extend(effects::welcome_on_confirmation(&state, id));
        }
        fx
    };
    let prover = signed_in.as_ref().map(|s| s.session.id_digest.as_str());
    let proof = state.store.confirm_email_with(&digest, now, prover, &events).await?;
    state.jobs_wake.notify_waiters();
    match proof {
        Proof::Proven {
            user,
            removed_identities,
            ended_sessions,
        } => {
            let own_session = signed_in.is_some_and(|s| s.user.id == user.id);
            confirmed(&state, &user, &removed_identities, ended_sessions, own_session)
        }
        Proof::AddressTaken => address_taken(&state),
        Proof::DeadLink => dead_link(&state),
    }
}

/// The address is confirmed; the person learns what that ended, and where to go next
/// (their account if this browser is signed in to it, else the login).
fn confirmed(
    state: &AppState,
    user: &User,
    removed: &[(String, Option<String>)],
    ended_sessions: u64,
    own_session: bool,
) -> Result<Response, AppError> {
    tracing::info!(user = %user.id, removed = removed.len(), ended_sessions, "email confirmed");
    let text = format!(
        "{}{}",
        tr!("confirm-done", address = user.email.as_deref().unwrap_or_default()),
        removals_text(state, removed, ended_sessions)
    );
    let link = if own_session {
        ("/account", tr!("link-your-account"))
    } else {
        ("/login", tr!("link-log-in"))
    };
    message(
        state,
        StatusCode::OK,
        &tr!("confirm-done-title"),
        &text,
        Some((link.0, &link.1)),
    )
}

/// Another account confirmed the address first; this one cannot have it.
fn address_taken(state: &AppState) -> Result<Response, AppError> {
    message(
        state,
        StatusCode::CONFLICT,
        &tr!("confirm-taken-title"),
        &tr!("confirm-taken"),
        Some(("/login", &tr!("link-log-in"))),
    )
}

fn dead_link(state: &AppState) -> Result<Response, AppError> {
    message(
        state,
        StatusCode::BAD_REQUEST,
        &tr!("link-dead-title"),
        &tr!("confirm-dead-link"),
        Some(("/login", &tr!("link-log-in"))),
    )
}

/// The link mailed to the old address when a change was requested: cancels it, or reverts a
/// change that was already confirmed (which also signs every browser out).
pub async fn undo_change(
    State(state): State<AppState>,
    actor: Actor,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let events = |id| effects::event(&state, "email.change_undone", Some(id), serde_json::json!({}), &actor);
    let undone = state
        .store
        .undo_email_change_with(&secret_token::digest(&token), OffsetDateTime::now_utc(), &events)
        .await?;
    let (status, title, text) = undo_outcome(undone);
    message(
        &state,
        status,
        &title,
        &text,
        Some(("/password/reset", &tr!("link-reset-password"))),
    )
}

/// The status, title and text of the page that tells how the undo went.
fn undo_outcome(undone: Option<UndoneChange>) -> (StatusCode, String, String) {
    match undone {
        Some(UndoneChange::Cancelled(user)) => {
            tracing::info!(user = %user.id, "email change cancelled from the old address");
            (StatusCode::OK, tr!("undo-cancelled-title"), tr!("undo-cancelled"))
        }
        Some(UndoneChange::Reverted(user)) => {
            tracing::warn!(user = %user.id, "email change reverted from the old address");
            (StatusCode::OK, tr!("undo-reverted-title"), tr!("undo-reverted"))
        }
        Some(UndoneChange::AddressTaken) => (StatusCode::CONFLICT, tr!("undo-taken-title"), tr!("undo-taken")),
        None => (StatusCode::BAD_REQUEST, tr!("link-dead-title"), tr!("undo-dead-link")),
    }
}

#[derive(Deserialize)]
pub struct ResendForm {
    login: String,
}

/// Sends a fresh confirmation link. The answer, and the one job it queues, are the same
/// whether or not the account exists, so it reveals nothing (the worker looks it up). Capped
/// per IP here and per account in the worker, like password reset requests.
pub async fn resend(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<ResendForm>,
) -> Result<Response, AppError> {
    let limit = state.config.throttle.mail_per_ip;
    if let Some(retry_after_seconds) = throttle::take(&state, throttle_scope::MAIL_IP, actor.ip_key(), limit).await? {
        return Err(AppError::Throttled { retry_after_seconds });
    }
    if !too_long(&[&form.login]) {
        let job = effects::link_request(&state, &form.login, EmailTokenPurpose::ConfirmEmail);
        effects::emit(&state, Effects::job(job)).await?;
    }
    super::done(
        &state,
        &tr!("resend-done-title"),
        &tr!("resend-done"),
        Some(("/login", &tr!("link-log-in"))),
    )
}
