//! Second factors on the account page: set up an authenticator app (a QR code drawn here as
//! SVG, and the URI and secret as text), see and replace recovery codes, add and remove
//! passkeys. Removing a factor or replacing the codes needs re-authentication (ASVS 4.0.3
//! V2.2.3 / V3.7.1), like changing the email address.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use qrcodegen::{QrCode, QrCodeEcc};
use serde::Deserialize;
use tessera_core::factors::{RecoveryCodeSet, TotpSecret};

use super::account::reauthenticated;
use super::second_factor::{CeremonyAnswer, challenge_json, refusal_json};
use super::{Form, NextQuery, NoFields, message, page, rejected, see_other, too_long, too_many};
use crate::accounts::{PasswordCheck, TotpConfirmation};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::next_url::safe_next;
use crate::session::{SessionCookie, SignedIn};
use crate::sign_in;
use crate::state::AppState;
use crate::throttle;

/// How recent the session's sign-in must be to change the account's factors.
const FRESH_FOR_FACTOR_CHANGES: time::Duration = time::Duration::minutes(10);

/// A factor is a way in, so changing them needs more than a session cookie (ASVS 4.0.3
/// V3.7.1): for an account with a factor, a sign-in that used one within the last ten
/// minutes (else the second step again, back to `here`); for an account without, a sign-in
/// within the last ten minutes (else the login page again). `None`: go ahead.
async fn proof_for_factor_changes(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
    here: &str,
) -> Result<Option<Response>, AppError> {
    let fresh = time::OffsetDateTime::now_utc() - signed_in.session.auth_time <= FRESH_FOR_FACTOR_CHANGES;
    let used_mfa = signed_in.session.amr.split_whitespace().any(|m| m == "mfa");
    if state.accounts.factors_of(signed_in.user.id).await?.any() {
        if used_mfa && fresh {
            return Ok(None);
        }
        return sign_in::step_up(state, csrf, signed_in, here).await.map(Some);
    }
    if fresh {
        return Ok(None);
    }
    Ok(Some(see_other(&format!(
        "/login?reauth=1&next={}",
        urlencoding::encode(here)
    ))))
}

/// [`proof_for_factor_changes`] for the passkey script: 401 with what to do and where to go
/// (the second step's cookie, if one was started, comes along).
async fn proof_for_script(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
) -> Result<Option<Response>, AppError> {
    let Some(redirect) = proof_for_factor_changes(state, csrf, signed_in, "/account").await? else {
        return Ok(None);
    };
    let to = redirect
        .headers()
        .get(axum::http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/login")
        .to_owned();
    let body = serde_json::json!({
        "error": tr!("passkey-add-reauth"),
        "redirect": to,
    });
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    for cookie in redirect.headers().get_all(axum::http::header::SET_COOKIE) {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie.clone());
    }
    Ok(Some(response))
}

fn turned_off() -> AppError {
    AppError::BadRequest(tr!("mfa-turned-off"))
}

pub async fn show_totp(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if !state.config.mfa.enabled() {
        return Err(turned_off());
    }
    let next = safe_next(q.next.as_deref());
    let here = match &next {
        Some(n) => format!("{}?next={}", sign_in::ENROLL_PATH, urlencoding::encode(n)),
        None => sign_in::ENROLL_PATH.to_owned(),
    };
    if let Some(first) = proof_for_factor_changes(&state, &csrf, &signed_in, &here).await? {
        return Ok(first);
    }
    let user = &signed_in.user;
    if state.accounts.factors_of(user.id).await?.totp {
        return message(
            &state,
            StatusCode::OK,
            &tr!("totp-already-title"),
            &tr!("totp-already"),
            Some(("/account", &tr!("link-back-to-account"))),
        );
    }
    // A new secret each time the page is opened: one someone saw on this screen earlier is
    // never the one that ends up in the person's app.
    let secret = state.accounts.begin_totp(user).await?;
    totp_page(&state, &csrf, &signed_in, &secret, StatusCode::OK, next, None)
}

fn totp_page(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
    secret: &TotpSecret,
    status: StatusCode,
    next: Option<String>,
    error: Option<&str>,
) -> Result<Response, AppError> {
    let uri = secret.uri();
    let extra = context! {
        qr_svg => minijinja::Value::from_safe_string(qr_svg(&uri)),
        uri, secret => secret.base32_grouped(), next, error,
    };
    rejected(
        status,
        page(state, csrf, Some(&signed_in.user), "totp_setup.html", extra),
    )
}

/// The QR code of `text` as an SVG image: one path of dark modules with a four-module quiet
/// zone (ISO/IEC 18004), scaled by the page's CSS. No image crate, no external service.
fn qr_svg(text: &str) -> String {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return String::new();
    };
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" class=\"qr\" role=\"img\" \
         aria-label=\"{label}\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
        label = minijinja::HtmlEscape(&tr!("totp-qr-label"))
    )
}

#[derive(Deserialize)]
pub struct ConfirmTotp {
    code: String,
    next: Option<String>,
}

pub async fn confirm_totp(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    SessionCookie(old_cookie): SessionCookie,
    actor: Actor,
    Form(form): Form<ConfirmTotp>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let next = safe_next(form.next.as_deref());
    if too_long(&[&form.code]) {
        return Err(AppError::BadRequest(tr!("code-too-long")));
    }
    if let Some(first) = proof_for_factor_changes(&state, &csrf, &signed_in, sign_in::ENROLL_PATH).await? {
        return Ok(first);
    }
    let had_factor = state.accounts.factors_of(user.id).await?.any();
    match state.accounts.confirm_totp(user, &form.code, &actor).await? {
        TotpConfirmation::NotStarted => Ok(see_other("/account/totp")),
        TotpConfirmation::Wrong => {
            let error = "That code is not right. Enter the six digits your app shows now (check the phone's clock \
                         if it keeps failing).";
            totp_again(&state, &csrf, &signed_in, next, error, StatusCode::UNAUTHORIZED).await
        }
        TotpConfirmation::Throttled { retry_after_seconds } => {
            let error = throttle::too_many_text(retry_after_seconds);
            let shown = totp_again(&state, &csrf, &signed_in, next, &error, StatusCode::OK).await;
            too_many(shown, retry_after_seconds)
        }
        TotpConfirmation::Confirmed(codes) if had_factor => {
            // The session already used a factor (see `proof_for_factor_changes`).
            let to = next.unwrap_or_else(|| "/account".to_owned());
            codes_page(&state, &csrf, user, &codes, &to, true)
        }
        TotpConfirmation::Confirmed(codes) => {
            // The first factor: other browsers signed in with the password alone are signed
            // out, and this session is upgraded (a new id) by the factor just proven, so an
            // app that asked for one can continue.
            state
                .store
                .end_other_sessions(user.id, &signed_in.session.id_digest)
                .await?;
            let mut amr: Vec<&str> = signed_in.session.amr.split_whitespace().collect();
            amr.extend(["otp", "mfa"].iter().filter(|m| !signed_in.session.amr.contains(**m)));
            let detail = serde_json::json!({ "method": "enrollment", "second_factor": "totp" });
            let done = sign_in::complete(&state, old_cookie.as_deref(), &actor, user, &amr, detail, next).await?;
            let mut response = codes_page(&state, &csrf, user, &codes, &done.target, true)?;
            sign_in::append_cookies(&mut response, &done.cookies);
            Ok(response)
        }
    }
}

/// The setup page again, with what was wrong with the code.
async fn totp_again(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
    next: Option<String>,
    error: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    match state.accounts.pending_totp(&signed_in.user).await? {
        Some(secret) => totp_page(state, csrf, signed_in, &secret, status, next, Some(error)),
        None => Ok(see_other("/account/totp")),
    }
}

/// The recovery codes, shown once (with a text file to download); `continue_to` is where
/// the person goes next.
fn codes_page(
    state: &AppState,
    csrf: &CsrfCookie,
    user: &tessera_core::User,
    codes: &RecoveryCodeSet,
    continue_to: &str,
    new_app: bool,
) -> Result<Response, AppError> {
    let file = format!(
        "{}\n{}\n\n{}\n",
        tr!(
            "codes-file-title",
            username = user.username.as_str(),
            site = state.config.issuer_str()
        ),
        tr!("codes-file-explain"),
        codes.codes.join("\n")
    );
    let download = format!("data:text/plain;charset=utf-8,{}", urlencoding::encode(&file));
    // A refresh goes on rather than posting for another set of codes.
    let extra = context! { codes => codes.codes.clone(), download, continue_to, new_app, refresh_to => continue_to };
    let html = page(state, csrf, Some(user), "recovery_codes.html", extra)?;
    // Shown once: never from a cache.
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], html).into_response())
}

#[derive(Deserialize)]
pub struct Reauthenticated {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    credential_id: String,
}

/// `Ok(())` when the person re-authenticated, else the page that says why not.
async fn require_reauthentication(
    state: &AppState,
    signed_in: &SignedIn,
    form: &Reauthenticated,
    actor: &Actor,
) -> Result<Result<(), Response>, AppError> {
    if too_long(&[&form.current_password, &form.credential_id]) {
        return Err(AppError::BadRequest(tr!("field-too-long")));
    }
    let refused = |text: &str, status| {
        message(
            state,
            status,
            &tr!("not-changed-title"),
            text,
            Some(("/account", &tr!("link-back-to-account"))),
        )
    };
    match reauthenticated(state, signed_in, &form.current_password, actor).await? {
        PasswordCheck::Right => Ok(Ok(())),
        PasswordCheck::Wrong => Ok(Err(refused(
            &if signed_in.user.password_hash.is_some() {
                tr!("factors-need-password")
            } else {
                tr!("factors-need-sign-in")
            },
            StatusCode::UNAUTHORIZED,
        )?)),
        PasswordCheck::Throttled { retry_after_seconds } => Ok(Err(too_many(
            refused(&throttle::too_many_text(retry_after_seconds), StatusCode::OK),
            retry_after_seconds,
        )?)),
    }
}

pub async fn remove_totp(
    State(state): State<AppState>,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<Reauthenticated>,
) -> Result<Response, AppError> {
    if let Err(page) = require_reauthentication(&state, &signed_in, &form, &actor).await? {
        return Ok(page);
    }
    state.accounts.remove_totp(&signed_in.user, &actor).await?;
    super::to_account_with(&state, &tr!("totp-removed"))
}

pub async fn regenerate_codes(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<Reauthenticated>,
) -> Result<Response, AppError> {
    if let Err(page) = require_reauthentication(&state, &signed_in, &form, &actor).await? {
        return Ok(page);
    }
    let codes = state
        .accounts
        .regenerate_recovery_codes(&signed_in.user, &actor)
        .await?;
    codes_page(&state, &csrf, &signed_in.user, &codes, "/account", false)
}

pub async fn passkey_options(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    Form(NoFields {}): Form<NoFields>,
) -> Result<Response, AppError> {
    if let Some(first) = proof_for_script(&state, &csrf, &signed_in).await? {
        return Ok(first);
    }
    let started = state
        .accounts
        .start_passkey_registration(&signed_in.user, &csrf.browser_binding())
        .await?;
    Ok(challenge_json(started))
}

pub async fn add_passkey(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
    Form(answer): Form<CeremonyAnswer>,
) -> Result<Response, AppError> {
    let (ceremony, credential) = answer.parts();
    let had_factor = state.accounts.factors_of(signed_in.user.id).await?.any();
    let added = state
        .accounts
        .finish_passkey_registration(
            &signed_in.user,
            &csrf.browser_binding(),
            ceremony,
            &answer.name,
            credential,
            &actor,
        )
        .await?;
    match added {
        Ok(p) => {
            if !had_factor {
                // The first factor: browsers signed in with the password alone are signed out.
                state
                    .store
                    .end_other_sessions(signed_in.user.id, &signed_in.session.id_digest)
                    .await?;
            }
            Ok(axum::Json(serde_json::json!({ "added": p.name, "redirect": "/account" })).into_response())
        }
        Err(refusal) => Ok(refusal_json(&refusal)),
    }
}

pub async fn remove_passkey(
    State(state): State<AppState>,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<Reauthenticated>,
) -> Result<Response, AppError> {
    if let Err(page) = require_reauthentication(&state, &signed_in, &form, &actor).await? {
        return Ok(page);
    }
    let removed = state
        .accounts
        .remove_passkey(&signed_in.user, &form.credential_id, &actor)
        .await?;
    if removed {
        return super::to_account_with(&state, &tr!("passkey-removed"));
    }
    message(
        &state,
        StatusCode::NOT_FOUND,
        &tr!("not-changed-title"),
        &tr!("passkey-not-yours"),
        Some(("/account", &tr!("link-back-to-account"))),
    )
}
