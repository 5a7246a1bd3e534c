//! Upstream logins over HTTP: `/login/{upstream}` starts one, `/login/{upstream}/callback`
//! finishes it with the provider and hands the identity to the accounts service (the
//! pipeline), and the account page connects and disconnects providers. The connector's
//! per-login secrets (OAuth 1.0a token secret, PKCE verifier, nonce) stay server-side, sealed,
//! on a single-use row bound to this browser.

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tessera_core::UserId;
use tessera_core::identity::{LoginPurpose, UpstreamLogin};
use tessera_core::secret_token;
use tessera_upstream::{Identity, UpstreamError};
use time::OffsetDateTime;

use super::{Form, NoFields, message, see_other};
use crate::accounts::{self, LoginMethod, Outcome, Stop, UpstreamSignIn};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::next_url::safe_next;
use crate::session::{SessionCookie, SignedIn, read_cookie};
use crate::sign_in;
use crate::state::AppState;
use crate::upstream::{self, Connector};

const STATE_COOKIE: &str = "tessera_upstream_state";

fn callback_url(state: &AppState, id: &str) -> Result<url::Url, AppError> {
    url::Url::parse(&state.config.public_url(&format!("/login/{id}/callback")))
        .map_err(|e| AppError::internal(e.to_string()))
}

/// The state cookie lives only on `/login/{id}` (the start and its callback).
fn state_cookie_path(id: &str) -> String {
    format!("/login/{id}")
}

/// What a connector's failure becomes: a page that names the upstream by its label.
fn failed(connector: &Connector) -> impl FnOnce(UpstreamError) -> AppError + '_ {
    |error| AppError::Upstream {
        label: connector.upstream.label.clone(),
        error,
    }
}

async fn begin(
    state: &AppState,
    csrf: &CsrfCookie,
    id: &str,
    purpose: LoginPurpose,
    user: Option<UserId>,
    next: Option<String>,
) -> Result<Response, AppError> {
    let connector = state.upstreams.get(id).ok_or(AppError::NotFound)?;
    let token = secret_token::generate();
    let state_digest = secret_token::digest(&token);
    let start = connector
        .connector
        .login_url(&callback_url(state, id)?, &token)
        .await
        .map_err(failed(connector))?;
    let sealed_data =
        upstream::seal_login_data(&state.config.master_key, id, &state_digest, start.state_data.as_bytes());
    state
        .store
        .create_upstream_login(&UpstreamLogin {
            sealed_data,
            state_digest,
            upstream: id.to_owned(),
            browser: csrf.browser_binding(),
            purpose,
            user_id: user,
            next,
            expires_at: OffsetDateTime::now_utc() + state.config.upstream_login_ttl,
        })
        .await?;
    // OAuth 1.0a callbacks carry no `state`: this cookie finds the login again (and for
    // OAuth 2 it must agree with the `state` parameter, binding the callback to this browser).
    let lifetime = time::Duration::try_from(state.config.upstream_login_ttl).unwrap_or(time::Duration::MAX);
    let cookie = crate::cookies::set(state, STATE_COOKIE, &token, &state_cookie_path(id), Some(lifetime));
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, start.redirect_url.to_string()), (SET_COOKIE, cookie)],
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
    activate: Option<String>,
}

/// `GET /login/{upstream}`: sign in (or, with `activate`, activate a hybrid registration).
pub async fn start(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    Path(id): Path<String>,
    Query(q): Query<StartQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    if q.activate.is_some() {
        let user = crate::upstream::activation::user_of(&state, &csrf, &headers)
            .ok_or_else(|| AppError::BadRequest(tr!("activation-expired")))?;
        return begin(&state, &csrf, &id, LoginPurpose::Link, Some(user), None).await;
    }
    begin(
        &state,
        &csrf,
        &id,
        LoginPurpose::Login,
        None,
        safe_next(q.next.as_deref()),
    )
    .await
}

/// `POST /account/connect/{upstream}`: link another provider to the signed-in account.
pub async fn connect(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(NoFields {}): Form<NoFields>,
) -> Result<Response, AppError> {
    begin(
        &state,
        &csrf,
        &id,
        LoginPurpose::Link,
        Some(signed_in.user.id),
        Some("/account".into()),
    )
    .await
}

fn expired(state: &AppState) -> Result<Response, AppError> {
    message(
        state,
        StatusCode::BAD_REQUEST,
        &tr!("upstream-expired-title"),
        &tr!("upstream-expired"),
        Some(("/login", &tr!("error-back-to-login"))),
    )
}

/// Why the pipeline stopped this sign-in with `label`, as a 409 page.
fn stopped(state: &AppState, stop: &Stop, label: &str) -> Result<Response, AppError> {
    message(
        state,
        StatusCode::CONFLICT,
        &tr!("upstream-stopped-title"),
        &stop.message(label),
        Some(("/login", &tr!("error-back-to-login"))),
    )
}

pub async fn callback(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    SessionCookie(old_cookie): SessionCookie,
    actor: Actor,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let connector = state.upstreams.get(&id).ok_or(AppError::NotFound)?;
    let query: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let Some(login) = take_login(&state, &csrf, connector, &id, &query, &headers).await? else {
        state.metrics.observe_login("upstream", "expired");
        return expired(&state);
    };
    let identity = identity_from(&state, connector, &id, &query, &login)
        .await
        .inspect_err(|_| state.metrics.observe_login("upstream", "failure"))?;
    let outcome = state
        .accounts
        .upstream_sign_in(&login.purpose, login.user_id, &identity, &actor)
        .await?;
    match outcome {
        UpstreamSignIn::Stopped(stop) => {
            state.metrics.observe_login("upstream", "refused");
            stopped(&state, &stop, &connector.upstream.label)
        }
        UpstreamSignIn::Connected => {
            let clear = clear_state_cookie(&state, &id);
            Ok((
                StatusCode::SEE_OTHER,
                [(LOCATION, "/account".to_owned()), (SET_COOKIE, clear)],
            )
                .into_response())
        }
        UpstreamSignIn::SignedIn(outcome) => {
            state.metrics.observe_login("upstream", "success");
            signed_in(&state, &csrf, old_cookie.as_deref(), &actor, &id, login.next, *outcome).await
        }
    }
}

/// What the provider says about the person: the connector finishes the login with the data
/// sealed when it started.
async fn identity_from(
    state: &AppState,
    connector: &Connector,
    id: &str,
    query: &[(String, String)],
    login: &UpstreamLogin,
) -> Result<Identity, AppError> {
    let data = upstream::open_login_data(&state.config.master_key, login)
        .map_err(|_| AppError::internal("upstream login data cannot be unsealed"))?;
    let data = String::from_utf8(data).map_err(|_| AppError::internal("upstream login data is not text"))?;
    connector
        .connector
        .handle_callback(&callback_url(state, id)?, query, &data)
        .await
        .map_err(failed(connector))
}

/// The login in flight this callback belongs to, used up, if the browser that started it is
/// the one coming back; `None` for an expired, replayed or foreign callback.
async fn take_login(
    state: &AppState,
    csrf: &CsrfCookie,
    connector: &Connector,
    id: &str,
    query: &[(String, String)],
    headers: &axum::http::HeaderMap,
) -> Result<Option<UpstreamLogin>, AppError> {
    let cookie = read_cookie(headers.get_all(axum::http::header::COOKIE), STATE_COOKIE);
    let from_query = query.iter().find(|(k, _)| k == "state").map(|(_, v)| v.clone());
    let token = if connector.connector.callback_has_state() {
        // RFC 6749 §10.12: the state must come back, and from the browser that started it.
        match (from_query, cookie) {
            (Some(q), Some(c)) if secret_token::constant_time_eq(q.as_bytes(), c.as_bytes()) => Some(q),
            _ => None,
        }
    } else {
        cookie
    };
    let Some(token) = token else { return Ok(None) };
    let login = state
        .store
        .take_upstream_login(&secret_token::digest(&token), OffsetDateTime::now_utc())
        .await?;
    Ok(login.filter(|l| l.upstream == id && l.browser == csrf.browser_binding()))
}

/// The state cookie's work is done once the callback has used its login.
fn clear_state_cookie(state: &AppState, id: &str) -> String {
    crate::cookies::clear(state, STATE_COOKIE, &state_cookie_path(id))
}

/// The account the sign-in went to: its session (or second step), then on to `next`.
async fn signed_in(
    state: &AppState,
    csrf: &CsrfCookie,
    old_cookie: Option<&str>,
    actor: &Actor,
    id: &str,
    next: Option<String>,
    outcome: Outcome,
) -> Result<Response, AppError> {
    let user = outcome.user;
    let method = LoginMethod::Upstream {
        provider: id,
        is_new: outcome.is_new,
        new_association: outcome.new_association,
    };
    let next = next.and_then(|n| safe_next(Some(&n)));
    let mut response = sign_in::first_factor(state, csrf, old_cookie, actor, &user, &method, next).await?;
    sign_in::append_cookies(&mut response, &[clear_state_cookie(state, id)]);
    Ok(response)
}

#[derive(Deserialize)]
pub struct Disconnect {
    provider: String,
    subject: String,
}

/// Refused when it would leave the account with no way to log in.
pub async fn disconnect(
    State(state): State<AppState>,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<Disconnect>,
) -> Result<Response, AppError> {
    match state
        .accounts
        .disconnect(&signed_in.user, &form.provider, &form.subject, &actor)
        .await?
    {
        accounts::Disconnect::OnlyWayIn => message(
            &state,
            StatusCode::CONFLICT,
            &tr!("disconnect-only-way-title"),
            &tr!("disconnect-only-way"),
            Some(("/account", &tr!("link-back-to-account"))),
        ),
        accounts::Disconnect::Done => Ok(see_other("/account")),
    }
}
