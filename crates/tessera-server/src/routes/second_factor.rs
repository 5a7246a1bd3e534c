//! The second step of a login (`/login/second-factor`: an authenticator code, a recovery
//! code or a passkey) and passkey sign-in (`/passkeys/sign-in…`, with no password from the
//! login page, or as the second step). The decisions are the accounts service's; the
//! session starts in [`crate::sign_in`].

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use serde_json::json;

use super::{Form, NoFields, page, rejected, see_other, too_many};
use crate::accounts::{CodeCheck, PasskeyRefusal};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::session::SessionCookie;
use crate::sign_in::{self, Pending};
use crate::state::AppState;
use crate::throttle;

pub async fn show(State(state): State<AppState>, csrf: CsrfCookie, headers: HeaderMap) -> Result<Response, AppError> {
    let Some(pending) = sign_in::pending(&state, &csrf, &headers).await? else {
        return Ok(see_other("/login"));
    };
    second_step_page(&state, &csrf, &pending, StatusCode::OK, None, None).await
}

async fn second_step_page(
    state: &AppState,
    csrf: &CsrfCookie,
    pending: &Pending,
    status: StatusCode,
    error: Option<&str>,
    retry_after: Option<u64>,
) -> Result<Response, AppError> {
    let factors = state.accounts.factors_of(pending.user.id).await?;
    let extra = context! {
        error,
        totp => factors.totp,
        passkeys => factors.passkeys > 0 && state.accounts.passkeys_available(),
        recovery_codes => factors.recovery_codes_left > 0,
    };
    let shown = rejected(status, page(state, csrf, None, "second_factor.html", extra));
    match retry_after {
        Some(seconds) => too_many(shown, seconds),
        None => shown,
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn submit(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    headers: HeaderMap,
    SessionCookie(old_cookie): SessionCookie,
    actor: Actor,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(pending) = sign_in::pending(&state, &csrf, &headers).await? else {
        return expired(&state);
    };
    if super::too_long(&[&form.code]) || form.code.trim().is_empty() {
        let error = tr!("second-step-enter-code");
        return second_step_page(&state, &csrf, &pending, StatusCode::BAD_REQUEST, Some(&error), None).await;
    }
    let check = state.accounts.check_code(&pending.user, &form.code, &actor).await?;
    state.metrics.observe_login("second_factor", check_metric(&check));
    match check {
        CodeCheck::Wrong => {
            let error = "That code is not right, or was already used. Enter the code your app shows now, or an \
                         unused recovery code.";
            second_step_page(&state, &csrf, &pending, StatusCode::UNAUTHORIZED, Some(error), None).await
        }
        CodeCheck::Throttled { retry_after_seconds } => {
            let error = throttle::too_many_text(retry_after_seconds);
            second_step_page(
                &state,
                &csrf,
                &pending,
                StatusCode::OK,
                Some(&error),
                Some(retry_after_seconds),
            )
            .await
        }
        CodeCheck::Totp | CodeCheck::RecoveryCode { .. } => {
            let factor = if check == CodeCheck::Totp {
                "totp"
            } else {
                "recovery_code"
            };
            match sign_in::finish_second_step(&state, old_cookie.as_deref(), &actor, pending, &["otp"], factor).await? {
                Some(done) => Ok(done.see_other()),
                None => expired(&state),
            }
        }
    }
}

fn check_metric(check: &CodeCheck) -> &'static str {
    match check {
        CodeCheck::Totp | CodeCheck::RecoveryCode { .. } => "success",
        CodeCheck::Wrong => "wrong_credentials",
        CodeCheck::Throttled { .. } => "throttled",
    }
}

fn expired(state: &AppState) -> Result<Response, AppError> {
    super::message(
        state,
        StatusCode::BAD_REQUEST,
        &tr!("second-step-expired-title"),
        &tr!("second-step-expired"),
        Some(("/login", &tr!("link-sign-in"))),
    )
}

/// The options for `navigator.credentials.get`: for the account of this browser's second
/// step when there is one, else for any passkey (passwordless).
pub async fn sign_in_options(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    headers: HeaderMap,
    Form(NoFields {}): Form<NoFields>,
) -> Result<Response, AppError> {
    let pending = sign_in::pending(&state, &csrf, &headers).await?;
    let browser = csrf.browser_binding();
    let started = state
        .accounts
        .start_passkey_sign_in(pending.as_ref().map(|p| &p.user), &browser)
        .await?;
    Ok(challenge_json(started))
}

pub fn challenge_json(started: Result<crate::accounts::Challenge, PasskeyRefusal>) -> Response {
    match started {
        Ok(c) => axum::Json(json!({ "ceremony": c.ceremony, "options": c.options })).into_response(),
        Err(refusal) => refusal_json(&refusal),
    }
}

/// A refused ceremony, for the script to show: 400 with the reason in words.
pub fn refusal_json(refusal: &PasskeyRefusal) -> Response {
    let status = match refusal {
        PasskeyRefusal::Unavailable => StatusCode::NOT_FOUND,
        PasskeyRefusal::Unknown | PasskeyRefusal::WrongAccount => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    };
    (status, axum::Json(json!({ "error": refusal.text() }))).into_response()
}

#[derive(Deserialize)]
pub struct CeremonyAnswer {
    ceremony: String,
    /// The credential as JSON (`PublicKeyCredential.toJSON()`).
    credential: String,
    /// A passkey's name (registration only).
    #[serde(default)]
    pub name: String,
    /// Where a passwordless sign-in continues (the login page's `next`).
    #[serde(default)]
    next: Option<String>,
}

impl CeremonyAnswer {
    pub fn parts(&self) -> (&str, &str) {
        (&self.ceremony, &self.credential)
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    headers: HeaderMap,
    SessionCookie(old_cookie): SessionCookie,
    actor: Actor,
    Form(answer): Form<CeremonyAnswer>,
) -> Result<Response, AppError> {
    let pending = sign_in::pending(&state, &csrf, &headers).await?;
    let browser = csrf.browser_binding();
    let expected = pending.as_ref().map(|p| p.user.id);
    let verified = state
        .accounts
        .finish_passkey_sign_in(expected, &browser, &answer.ceremony, &answer.credential)
        .await?;
    state.metrics.observe_login(
        "passkey",
        if verified.is_ok() {
            "success"
        } else {
            "wrong_credentials"
        },
    );
    let signed_in = match verified {
        Ok(s) => s,
        Err(refusal) => return Ok(refusal_json(&refusal)),
    };
    let amr: Vec<&str> = signed_in.amr.clone();
    if let Some(pending) = pending {
        return match sign_in::finish_second_step(&state, old_cookie.as_deref(), &actor, pending, &amr, "passkey")
            .await?
        {
            Some(done) => Ok(done.json()),
            None => Ok(refusal_json(&PasskeyRefusal::Expired)),
        };
    }
    let Some(user) = state.store.user_by_id(signed_in.user).await?.filter(|u| u.is_active) else {
        return Ok(refusal_json(&PasskeyRefusal::Unknown));
    };
    let detail = json!({ "method": "passkey", "passkey": signed_in.credential_name });
    // The login page's `next`; `complete` keeps it only if it is a safe local path.
    let done = sign_in::complete(&state, old_cookie.as_deref(), &actor, &user, &amr, detail, answer.next).await?;
    Ok(done.json())
}
