use crate::templates::ser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use tessera_core::User;
use tessera_core::secret_token;
use tessera_core::store::{EmailTokenPurpose, Proof, throttle_scope};
use time::OffsetDateTime;

use super::new_password_problem;
use super::{Form, message, page, rejected, removals_text, too_long, too_many};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::state::AppState;
use crate::throttle;
use tessera_core::jobs::Effects;

pub async fn show_request(State(state): State<AppState>, csrf: CsrfCookie) -> Result<Response, AppError> {
    Ok(page(&state, &csrf, None, "password_reset_request.html", context! {})?.into_response())
}

#[derive(Deserialize)]
pub struct RequestForm {
    login: String,
}

/// Always answers the same way, so the form cannot be used to find out who has an account:
/// the same page, and the same single job whether or not the account exists (the worker looks
/// the account up), so neither timing nor job counters tell the two apart. Requests from one
/// IP are capped (`mail_per_ip`), and the worker caps the mails one account gets
/// (`mail_per_account`), so the form cannot be used to flood anyone's mailbox.
pub async fn request(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    actor: Actor,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let limit = state.config.throttle.mail_per_ip;
    if let Some(wait) = throttle::take(&state, throttle_scope::MAIL_IP, actor.ip_key(), limit).await? {
        let error = throttle::too_many_text(wait);
        let form = page(&state, &csrf, None, "password_reset_request.html", context! { error });
        return too_many(rejected(StatusCode::OK, form), wait);
    }
    if !too_long(&[&form.login]) {
        let job = effects::link_request(&state, &form.login, EmailTokenPurpose::ResetPassword);
        effects::emit(&state, Effects::job(job)).await?;
    }
    super::done(
        &state,
        &tr!("reset-sent-title"),
        &tr!("reset-sent"),
        Some(("/login", &tr!("link-log-in"))),
    )
}

fn dead_link(state: &AppState) -> Result<Response, AppError> {
    message(
        state,
        StatusCode::BAD_REQUEST,
        &tr!("reset-dead-link-title"),
        &tr!("reset-dead-link"),
        Some(("/password/reset", &tr!("reset-ask-again"))),
    )
}

fn form_page(
    state: &AppState,
    csrf: &CsrfCookie,
    token: &str,
    status: StatusCode,
    errors: &[String],
) -> Result<Response, AppError> {
    let extra = context! { token, errors => ser(errors), min_length => state.config.password_policy.min_length };
    rejected(status, page(state, csrf, None, "password_reset_form.html", extra))
}

pub async fn show_form(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let owner = state
        .store
        .email_token_owner(
            &secret_token::digest(&token),
            EmailTokenPurpose::ResetPassword,
            OffsetDateTime::now_utc(),
        )
        .await?;
    if owner.is_none() {
        return dead_link(&state);
    }
    form_page(&state, &csrf, &token, StatusCode::OK, &[])
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
    password2: String,
}

pub async fn reset(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    actor: Actor,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let digest = secret_token::digest(&token);
    let now = OffsetDateTime::now_utc();
    let Some(owner) = state
        .store
        .email_token_owner(&digest, EmailTokenPurpose::ResetPassword, now)
        .await?
    else {
        return dead_link(&state);
    };
    let refuse = |why: String| form_page(&state, &csrf, &token, StatusCode::BAD_REQUEST, &[why]);
    if too_long(&[&form.password, &form.password2]) {
        return refuse(tr!("password-far-too-long"));
    }
    // The policy needs the account (password must differ from the username); the link names it.
    let Some(user) = state.store.user_by_id(owner).await? else {
        return dead_link(&state);
    };
    if let Err(why) = new_password_problem(&state, &user, &form.password, &form.password2) {
        return refuse(why);
    }
    let hash = state.accounts.passwords().turn().await?.hash(form.password).await?;
    let events = |id| effects::event(&state, "password.reset", Some(id), serde_json::json!({}), &actor);
    match state.store.reset_password_with(&digest, &hash, now, &events).await? {
        Proof::Proven {
            user,
            removed_identities,
            ..
        } => password_changed(&state, &user, &removed_identities),
        Proof::AddressTaken | Proof::DeadLink => dead_link(&state),
    }
}

/// The reset is done; the person learns which upstream sign-ins it removed, if any.
fn password_changed(state: &AppState, user: &User, removed: &[(String, Option<String>)]) -> Result<Response, AppError> {
    tracing::info!(user = %user.id, removed = removed.len(), "password reset");
    let text = format!("{}{}", tr!("reset-done"), removals_text(state, removed, 0));
    super::done(
        state,
        &tr!("reset-done-title"),
        &text,
        Some(("/login", &tr!("link-log-in"))),
    )
}
