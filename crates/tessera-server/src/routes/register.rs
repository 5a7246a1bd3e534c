use crate::templates::ser;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use tessera_core::account::MAX_NAME_LEN;
use tessera_core::store::StoreError;
use tessera_core::{Email, NewUser, User, Username};

use super::login::activation_page;
use super::{Form, NextQuery, capitalize, message, page, rejected, see_other, too_long, unsafe_text_errors};
use crate::config::{EmailConfirmation, RegistrationMode};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::next_url::safe_next;
use crate::session::{self, MaybeSignedIn, SessionCookie};
use crate::state::AppState;

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

fn closed(state: &AppState) -> Result<Response, AppError> {
    let text = match state.config.registration {
        RegistrationMode::SocialOnly => {
            "New accounts are created by signing in with one of the providers on the login page."
        }
        _ => "New accounts are created by an administrator on this server.",
    };
    message(
        state,
        StatusCode::FORBIDDEN,
        "Registration is closed",
        text,
        Some(("/login", "Log in")),
    )
}

fn accepts_registrations(state: &AppState) -> bool {
    matches!(
        state.config.registration,
        RegistrationMode::Open | RegistrationMode::Hybrid
    )
}

pub async fn show(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if !accepts_registrations(&state) {
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

/// Every problem with the form at once, phrased for the person filling it in.
fn validate(state: &AppState, form: &RegisterForm) -> Result<(Username, Email), Vec<String>> {
    let mut errors = Vec::new();
    let username = Username::parse(&form.username)
        .map_err(|e| errors.push(capitalize(&e.to_string())))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.push(capitalize(&e.to_string())))
        .ok();
    if form.first_name.chars().count() > MAX_NAME_LEN || form.last_name.chars().count() > MAX_NAME_LEN {
        errors.push(format!("Names are at most {MAX_NAME_LEN} characters."));
    }
    errors.extend(unsafe_text_errors(&form.first_name, &form.last_name, &form.email));
    if let Err(why) = state
        .config
        .password_policy
        .check(&form.password, form.username.trim(), Some(form.email.trim()))
    {
        errors.push(capitalize(&why));
    } else if form.password != form.password2 {
        errors.push("The two passwords differ; type the same password twice.".into());
    }
    match (username, email) {
        (Some(u), Some(e)) if errors.is_empty() => Ok((u, e)),
        _ => Err(errors),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    SessionCookie(old_cookie): SessionCookie,
    actor: Actor,
    Form(mut form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    if !accepts_registrations(&state) {
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
    let (username, email) = match validate(&state, &form) {
        Ok(valid) => valid,
        Err(errors) => return form_page(&state, &csrf, StatusCode::BAD_REQUEST, &form, &errors),
    };
    let new = new_account(&state, &form, username, email).await?;
    let effects = effects::registered(&state, &new, &actor);
    let user = match state.store.create_user_with(&new, &effects).await {
        Ok(user) => user,
        Err(StoreError::Conflict { field }) => {
            let errors = [taken(field).to_owned()];
            return form_page(&state, &csrf, StatusCode::CONFLICT, &form, &errors);
        }
        Err(e) => return Err(e.into()),
    };
    state.jobs_wake.notify_waiters();
    tracing::info!(user = %user.id, "account registered");
    after_registration(&state, &csrf, old_cookie.as_deref(), &user, form.next).await
}

/// The form again, emptied of the text fields (one of them is far too long to show back).
fn far_too_long(state: &AppState, csrf: &CsrfCookie, mut form: RegisterForm) -> Result<Response, AppError> {
    let errors = ["A field is far too long; shorten it and try again.".to_owned()];
    form.username.truncate(0);
    form.email.truncate(0);
    form.first_name.truncate(0);
    form.last_name.truncate(0);
    form_page(state, csrf, StatusCode::BAD_REQUEST, &form, &errors)
}

/// The account to create from a valid form, with its password hashed.
async fn new_account(
    state: &AppState,
    form: &RegisterForm,
    username: Username,
    email: Email,
) -> Result<NewUser, AppError> {
    let mut new = NewUser::new(username, Some(email));
    new.first_name = form.first_name.trim().to_owned();
    new.last_name = form.last_name.trim().to_owned();
    new.password_hash = Some(state.passwords.hash(form.password.clone()).await?);
    // Hybrid: the account waits, inactive, until the person connects an upstream account.
    let hybrid = state.config.registration == RegistrationMode::Hybrid;
    new.is_active = !hybrid;
    new.awaiting_activation = hybrid;
    Ok(new)
}

/// Why the store refused the new account, by the field that clashed.
fn taken(field: &str) -> &'static str {
    match field {
        "email" => "An account with that email address already exists. Log in, or reset its password.",
        _ => "That username is taken, or looks too much like one that is; choose another.",
    }
}

/// What follows a registration: connecting a provider (hybrid), confirming the address,
/// or straight in with a new session.
async fn after_registration(
    state: &AppState,
    csrf: &CsrfCookie,
    old_cookie: Option<&str>,
    user: &User,
    next: Option<String>,
) -> Result<Response, AppError> {
    if state.config.registration == RegistrationMode::Hybrid {
        return activation_page(state, csrf, StatusCode::OK, user.id);
    }
    if state.config.email_confirmation == EmailConfirmation::Required {
        return message(
            state,
            StatusCode::OK,
            "Check your mail",
            "We sent a confirmation link to your email address. Open it, then log in.",
            Some(("/login", "Log in")),
        );
    }
    let (cookie, _) = session::start(state, old_cookie, user, "pwd").await?;
    let target = next.unwrap_or_else(|| "/account".to_owned());
    Ok((StatusCode::SEE_OTHER, [(LOCATION, target), (SET_COOKIE, cookie)]).into_response())
}
