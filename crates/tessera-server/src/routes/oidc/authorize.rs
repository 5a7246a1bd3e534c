//! `/authorize` (GET and POST, OIDC Core §3.1.2.1) and `/authorize/continue`, the single
//! place every login step returns to. The provider decides; these turn its outcomes into
//! redirects and pages.

use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use tessera_oidc::provider::{Browser, Next, Person, Started};

use super::{PendingId, continue_path, load_pending};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::session::{MaybeSignedIn, SignedIn};
use crate::state::AppState;

pub async fn authorize(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw: &[u8] = if method == Method::POST {
        &body
    } else {
        query.as_deref().unwrap_or_default().as_bytes()
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw).into_owned().collect();
    let browser = Browser {
        binding: &csrf.browser_binding(),
        session: signed_in.as_ref().map(|s| s.session.id_digest.as_str()),
    };
    let ui_locales = crate::i18n::ui_locales_cookie(&state, &params);
    let started = state.provider.start_authorization(&params, browser).await?;
    Ok(match ui_locales {
        Some(cookie) => ([(axum::http::header::SET_COOKIE, cookie)], started_response(started)?).into_response(),
        None => started_response(started)?,
    })
}

fn started_response(started: Started) -> Result<Response, AppError> {
    match started {
        // RFC 6749 §4.1.2.1: with an unknown client or redirect URI we must not redirect;
        // we render the error ourselves.
        Started::ShowError { description } => Err(AppError::BadRequest(tr!(
            "authorize-unusable",
            description = description
        ))),
        Started::Redirect(url) => Ok(Redirect::to(url.as_str()).into_response()),
        Started::Pending { id } => Ok(Redirect::to(&continue_path(&id)).into_response()),
    }
}

pub async fn resume(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    Query(PendingId { id }): Query<PendingId>,
) -> Result<Response, AppError> {
    let pending = load_pending(&state, &csrf, &id).await?;
    let client = state.config.client(&pending.client_id).ok_or(AppError::NotFound)?;
    let policy_wants_mfa = match &signed_in {
        Some(s) => state.accounts.policy_wants_mfa(&s.user).await?,
        None => false,
    };
    let person = signed_in.as_ref().map(|s| person(s, policy_wants_mfa));
    match state.provider.next_step(client, &pending, person).await? {
        Next::Login { again } => {
            Ok(Redirect::to(&login_path(&pending.id, again, pending.login_hint.as_deref())).into_response())
        }
        Next::SecondFactor => {
            let signed_in = signed_in.as_ref().ok_or(AppError::NotFound)?;
            crate::sign_in::step_up(&state, &csrf, signed_in, &continue_path(&pending.id)).await
        }
        Next::Consent => Ok(Redirect::to(&format!("/consent?id={}", urlencoding::encode(&pending.id))).into_response()),
        Next::Redirect(url) => Ok(Redirect::to(url.as_str()).into_response()),
        Next::AlreadyCompleted => Err(AppError::BadRequest(tr!("authorize-already-completed"))),
    }
}

/// The signed-in person as the provider sees them.
fn person(s: &SignedIn, policy_wants_mfa: bool) -> Person<'_> {
    Person {
        user: s.user.id,
        session_digest: &s.session.id_digest,
        auth_time: s.session.auth_time,
        amr: &s.session.amr,
        policy_wants_mfa,
    }
}

/// The login page, coming back to the pending request; `again` asks for a fresh login.
fn login_path(pending_id: &str, again: bool, login_hint: Option<&str>) -> String {
    let mut login = url::form_urlencoded::Serializer::new(String::new());
    login.append_pair("next", &continue_path(pending_id));
    if again {
        login.append_pair("reauth", "1");
    }
    if let Some(hint) = login_hint {
        login.append_pair("login_hint", hint);
    }
    format!("/login?{}", login.finish())
}
