//! The password login page: the accounts service checks the password, this starts the session.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::{Form, NextQuery, activation_page, page, rejected, see_other, too_long, too_many};
use crate::accounts::{LoginMethod, LoginOutcome};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::next_url::safe_next;
use crate::session::{MaybeSignedIn, SessionCookie};
use crate::sign_in;
use crate::state::AppState;
use crate::throttle;

pub async fn show(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref());
    if signed_in.is_some() && q.reauth.is_none() {
        return Ok(see_other(next.as_deref().unwrap_or("/account")));
    }
    let hint: String = q.login_hint.unwrap_or_default().chars().take(254).collect();
    login_page(&state, &csrf, StatusCode::OK, next, &hint, None, false)
}

fn login_page(
    state: &AppState,
    csrf: &CsrfCookie,
    status: StatusCode,
    next: Option<String>,
    login: &str,
    error: Option<&str>,
    unconfirmed: bool,
) -> Result<Response, AppError> {
    let extra = context! {
        next, login, error, unconfirmed,
        registration_open => state.accounts.accepts_registrations(),
        passkeys => state.accounts.passkeys_available(),
        upstreams => crate::templates::ser(state.upstreams.buttons()),
    };
    rejected(status, page(state, csrf, None, "login.html", extra))
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    SessionCookie(old_cookie): SessionCookie,
    actor: Actor,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    if too_long(&[&form.login, &form.password]) {
        let error = Some(tr!("login-too-long"));
        return login_page(
            &state,
            &csrf,
            StatusCode::BAD_REQUEST,
            next,
            "",
            error.as_deref(),
            false,
        );
    }
    let login = form.login.as_str();
    let outcome = state.accounts.password_login(login, &form.password, &actor).await?;
    state.metrics.observe_login("password", outcome.metric_result());
    let refuse = |status, error: &str, unconfirmed| {
        login_page(&state, &csrf, status, next.clone(), login, Some(error), unconfirmed)
    };
    match outcome {
        LoginOutcome::WrongCredentials => refuse(StatusCode::UNAUTHORIZED, &tr!("login-wrong"), false),
        // The right password proves it is them: let them finish activating.
        LoginOutcome::AwaitingActivation(id) => activation_page(&state, &csrf, StatusCode::FORBIDDEN, id),
        LoginOutcome::Disabled => refuse(StatusCode::FORBIDDEN, &tr!("login-disabled"), false),
        LoginOutcome::Unconfirmed => refuse(StatusCode::FORBIDDEN, &tr!("login-unconfirmed"), true),
        LoginOutcome::Throttled { retry_after_seconds } => {
            let error = throttle::too_many_text(retry_after_seconds);
            too_many(refuse(StatusCode::OK, &error, false), retry_after_seconds)
        }
        LoginOutcome::SignedIn(user) => {
            tracing::info!(user = %user.id, "password login");
            let method = LoginMethod::Password;
            sign_in::first_factor(&state, &csrf, old_cookie.as_deref(), &actor, &user, &method, next).await
        }
    }
}
