use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use tessera_core::password::Verification;
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use super::{Form, NextQuery, page, rejected, see_other, too_long};
use crate::config::{EmailConfirmation, RegistrationMode};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::next_url::safe_next;
use crate::session::{self, MaybeSignedIn, SessionCookie};
use crate::state::AppState;

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
        registration_open => matches!(state.config.registration, RegistrationMode::Open | RegistrationMode::Hybrid),
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

/// What a password check concluded.
pub enum PasswordLogin {
    Accepted(Box<User>),
    /// Wrong password or no such account: deliberately indistinguishable.
    Refused,
    Inactive,
    /// A hybrid registration that has not connected a provider yet.
    AwaitingActivation(UserId),
    Unconfirmed,
}

/// Checks a username-or-email and password, upgrading a legacy hash on success.
pub async fn check_password(state: &AppState, login: &str, password: &str) -> Result<PasswordLogin, AppError> {
    let user = state.store.user_by_login(login).await?;
    let Some((user, stored)) = user.and_then(|u| u.password_hash.clone().map(|h| (u, h))) else {
        state.passwords.burn(password.to_owned()).await?;
        return Ok(PasswordLogin::Refused);
    };
    let verdict = state.passwords.verify(stored.clone(), password.to_owned()).await?;
    let Verification::Valid { needs_rehash } = verdict else {
        return Ok(PasswordLogin::Refused);
    };
    if needs_rehash {
        let upgraded = state.passwords.hash(password.to_owned()).await?;
        state.store.upgrade_password_hash(user.id, &stored, &upgraded).await?;
    }
    if !user.is_active {
        if user.awaiting_activation {
            return Ok(PasswordLogin::AwaitingActivation(user.id));
        }
        return Ok(PasswordLogin::Inactive);
    }
    let needs_confirmation = state.config.email_confirmation == EmailConfirmation::Required;
    if needs_confirmation && user.email.is_some() && !user.email_verified {
        return Ok(PasswordLogin::Unconfirmed);
    }
    Ok(PasswordLogin::Accepted(Box::new(user)))
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
        let error = Some("That username or password is too long.");
        return login_page(&state, &csrf, StatusCode::BAD_REQUEST, next, "", error, false);
    }
    let login = form.login.as_str();
    let outcome = check_password(&state, login, &form.password).await?;
    if !matches!(outcome, PasswordLogin::Accepted(_)) {
        record_failed_login(&state, login, &actor).await?;
    }
    let refuse = |status, error: &str, unconfirmed| {
        login_page(&state, &csrf, status, next.clone(), login, Some(error), unconfirmed)
    };
    match outcome {
        PasswordLogin::Refused => refuse(StatusCode::UNAUTHORIZED, "Wrong username or password.", false),
        // The right password proves it is them: let them finish activating.
        PasswordLogin::AwaitingActivation(id) => activation_page(&state, &csrf, StatusCode::FORBIDDEN, id),
        PasswordLogin::Inactive => refuse(
            StatusCode::FORBIDDEN,
            "This account is disabled. Contact an administrator.",
            false,
        ),
        PasswordLogin::Unconfirmed => refuse(
            StatusCode::FORBIDDEN,
            "Please confirm your email address first: open the link we mailed you, or ask for a new one below.",
            true,
        ),
        PasswordLogin::Accepted(user) => start_session(&state, old_cookie.as_deref(), &actor, &user, next).await,
    }
}

/// The attempted name is kept (trimmed, bounded) so admins can see guessing; never the password.
async fn record_failed_login(state: &AppState, login: &str, actor: &Actor) -> Result<(), AppError> {
    let attempted: String = login.trim().chars().take(254).collect();
    let detail = serde_json::json!({ "login": attempted });
    effects::emit(state, effects::event(state, "user.login_failed", None, detail, actor)).await
}

/// Hybrid registration: the person proved who they are, so they may connect a provider to
/// activate the account (the cookie lets `/login/{id}?activate=1` find it).
pub(super) fn activation_page(
    state: &AppState,
    csrf: &CsrfCookie,
    status: StatusCode,
    id: UserId,
) -> Result<Response, AppError> {
    let buttons = state.upstreams.buttons();
    let html = page(
        state,
        csrf,
        None,
        "activate.html",
        context! { buttons => crate::templates::ser(&buttons) },
    )?;
    let cookie = crate::upstream::activation::cookie(state, csrf, id);
    Ok((status, [(SET_COOKIE, cookie)], html).into_response())
}

/// A new session for an accepted password, then on to `next`.
async fn start_session(
    state: &AppState,
    old_cookie: Option<&str>,
    actor: &Actor,
    user: &User,
    next: Option<String>,
) -> Result<Response, AppError> {
    let (cookie, _) = session::start(state, old_cookie, user, "pwd").await?;
    state.store.record_login(user.id, OffsetDateTime::now_utc()).await?;
    let detail = serde_json::json!({ "method": "pwd" });
    effects::emit(state, effects::event(state, "user.login", Some(user.id), detail, actor)).await?;
    tracing::info!(user = %user.id, "password login");
    let target = next.unwrap_or_else(|| "/account".to_owned());
    Ok((StatusCode::SEE_OTHER, [(LOCATION, target), (SET_COOKIE, cookie)]).into_response())
}
