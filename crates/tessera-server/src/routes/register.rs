//! The registration page: the accounts service validates and creates the account, this shows
//! the form again or what comes next.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use tessera_core::User;

use super::{Form, NextQuery, activation_page, message, page, rejected, see_other, too_long, too_many};
use crate::access_log::SignedInAs;
use crate::accounts::{AfterRegistration, LoginMethod, RegisterOutcome, Registration};
use crate::config::RegistrationMode;
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::next_url::safe_next;
use crate::session::{self, MaybeSignedIn, SessionCookie};
use crate::state::AppState;
use crate::templates::ser;
use crate::throttle;

#[derive(Deserialize, Serialize, Default)]
pub struct RegisterForm {
    username: String,
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(skip_serializing)]
    password: String,
    #[serde(skip_serializing)]
    password2: String,
    next: Option<String>,
}

impl RegisterForm {
    /// What the accounts service checks and creates the account from.
    fn registration(&self) -> Registration<'_> {
        Registration {
            username: &self.username,
            email: &self.email,
            first_name: &self.first_name,
            last_name: &self.last_name,
            password: &self.password,
            password2: &self.password2,
        }
    }
}

fn closed(state: &AppState) -> Result<Response, AppError> {
    let text = match state.config.registration {
        RegistrationMode::SocialOnly => tr!("register-closed-social"),
        _ => tr!("register-closed-admin"),
    };
    message(
        state,
        StatusCode::FORBIDDEN,
        &tr!("register-closed-title"),
        &text,
        Some(("/login", &tr!("link-log-in"))),
    )
}

pub async fn show(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if !state.accounts.accepts_registrations() {
        return closed(&state);
    }
    if signed_in.is_some() {
        return Ok(see_other("/account"));
    }
    let form = RegisterForm {
        next: safe_next(q.next.as_deref()),
        ..Default::default()
    };
    form_page(&state, &csrf, StatusCode::OK, &form, &[])
}

fn form_page(
    state: &AppState,
    csrf: &CsrfCookie,
    status: StatusCode,
    form: &RegisterForm,
    errors: &[String],
) -> Result<Response, AppError> {
    let extra = context! { form => ser(form), errors => ser(errors), next => form.next.clone(), min_length => state.config.password_policy.min_length };
    rejected(status, page(state, csrf, None, "register.html", extra))
}

pub async fn submit(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    SessionCookie(old_cookie): SessionCookie,
    actor: Actor,
    Form(mut form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    if !state.accounts.accepts_registrations() {
        return closed(&state);
    }
    form.next = safe_next(form.next.as_deref());
    if too_long(&[
        &form.username,
        &form.email,
        &form.first_name,
        &form.last_name,
        &form.password,
        &form.password2,
    ]) {
        return far_too_long(&state, &csrf, form);
    }
    match state.accounts.register(&form.registration(), &actor).await? {
        RegisterOutcome::Invalid(errors) => form_page(&state, &csrf, StatusCode::BAD_REQUEST, &form, &errors),
        RegisterOutcome::Taken(why) => form_page(&state, &csrf, StatusCode::CONFLICT, &form, &[why]),
        RegisterOutcome::AddressInUse => check_your_mail(&state),
        RegisterOutcome::Throttled { retry_after_seconds } => {
            let errors = [throttle::too_many_text(retry_after_seconds)];
            too_many(
                form_page(&state, &csrf, StatusCode::OK, &form, &errors),
                retry_after_seconds,
            )
        }
        RegisterOutcome::Registered { user, then } => {
            after_registration(&state, &csrf, old_cookie.as_deref(), &actor, &user, then, form.next).await
        }
    }
}

/// The answer to a registration that waits for confirmation, and to one whose address is
/// already someone's (whose owner gets a mail instead): the same for both.
fn check_your_mail(state: &AppState) -> Result<Response, AppError> {
    super::done(
        state,
        &tr!("register-check-mail-title"),
        &tr!("register-check-mail"),
        Some(("/login", &tr!("link-log-in"))),
    )
}

/// The form again, emptied of the text fields (one of them is far too long to show back).
fn far_too_long(state: &AppState, csrf: &CsrfCookie, mut form: RegisterForm) -> Result<Response, AppError> {
    let errors = [tr!("register-far-too-long")];
    form.username.truncate(0);
    form.email.truncate(0);
    form.first_name.truncate(0);
    form.last_name.truncate(0);
    form_page(state, csrf, StatusCode::BAD_REQUEST, &form, &errors)
}

/// What follows a registration: connecting a provider (hybrid), confirming the address,
/// or straight in with a new session.
async fn after_registration(
    state: &AppState,
    csrf: &CsrfCookie,
    old_cookie: Option<&str>,
    actor: &Actor,
    user: &User,
    then: AfterRegistration,
    next: Option<String>,
) -> Result<Response, AppError> {
    match then {
        AfterRegistration::Activate => activation_page(state, csrf, StatusCode::OK, user.id),
        AfterRegistration::ConfirmEmail => check_your_mail(state),
        AfterRegistration::SignIn => {
            let amr = LoginMethod::Password.amr();
            let (cookie, _) = session::start(state, old_cookie, user, amr, actor).await?;
            let target = crate::sign_in::target_after(state, user, &[amr], next).await?;
            Ok((
                StatusCode::SEE_OTHER,
                Extension(SignedInAs(user.id)),
                [(LOCATION, target), (SET_COOKIE, cookie)],
            )
                .into_response())
        }
    }
}
