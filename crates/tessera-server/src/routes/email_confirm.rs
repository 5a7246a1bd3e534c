use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_core::secret_token;
use tessera_core::store::EmailTokenPurpose;
use time::OffsetDateTime;

use super::{Form, message, too_long};
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::state::AppState;
use tessera_core::jobs::Effects;

/// Following the mailed link proves the person reads that mailbox.
pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let events = |id| effects::event(&state, "email.confirmed", Some(id), serde_json::json!({}), &actor);
    let confirmed = state
        .store
        .confirm_email_with(&secret_token::digest(&token), OffsetDateTime::now_utc(), &events)
        .await?;
    state.jobs_wake.notify_waiters();
    match confirmed {
        Some(user) => {
            tracing::info!(user = %user.id, "email confirmed");
            message(
                &state,
                StatusCode::OK,
                "Email address confirmed",
                "Thank you: your address is confirmed. You can log in now.",
                Some(("/login", "Log in")),
            )
        }
        None => message(
            &state,
            StatusCode::BAD_REQUEST,
            "This link does not work any more",
            "Confirmation links work once and expire, and only for the address they were sent to. Log in to ask for a new one.",
            Some(("/login", "Log in")),
        ),
    }
}

#[derive(Deserialize)]
pub struct ResendForm {
    login: String,
}

/// Sends a fresh confirmation link. The answer is the same whether or not the account
/// exists, so it reveals nothing.
pub async fn resend(State(state): State<AppState>, Form(form): Form<ResendForm>) -> Result<Response, AppError> {
    if !too_long(&[&form.login])
        && let Some(user) = state.store.user_by_login(&form.login).await?
        && user.is_active
        && !user.email_verified
    {
        let job = effects::mail_link(&state, user.id, EmailTokenPurpose::ConfirmEmail);
        effects::emit(
            &state,
            Effects {
                jobs: vec![job],
                ..Effects::none()
            },
        )
        .await?;
    }
    message(
        &state,
        StatusCode::OK,
        "Check your mail",
        "If that account is waiting for confirmation, a new link is on its way.",
        Some(("/login", "Log in")),
    )
}
