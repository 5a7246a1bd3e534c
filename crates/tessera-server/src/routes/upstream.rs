//! Upstream logins over HTTP: `/login/{upstream}` starts one, `/login/{upstream}/callback`
//! finishes it through the pipeline, and the account page connects and disconnects
//! providers. The connector's per-login secrets (OAuth 1.0a token secret, PKCE verifier,
//! nonce) stay server-side, sealed, on a single-use row bound to this browser.

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tessera_core::identity::{LoginPurpose, UpstreamLogin};
use tessera_core::secret_token;
use tessera_core::{User, UserId};
use time::OffsetDateTime;

use super::{Form, NoFields, message};
use crate::config::RegistrationMode;
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::next_url::safe_next;
use crate::session::{self, SessionCookie, SignedIn, read_cookie};
use crate::state::AppState;
use crate::upstream::{self, pipeline};

const STATE_COOKIE: &str = "tessera_upstream_state";
const LOGIN_TTL: time::Duration = time::Duration::minutes(15);

fn callback_url(state: &AppState, id: &str) -> Result<url::Url, AppError> {
    url::Url::parse(&state.config.public_url(&format!("/login/{id}/callback")))
        .map_err(|e| AppError::internal(e.to_string()))
}

/// The state cookie lives only on `/login/{id}` (the start and its callback).
fn state_cookie_path(id: &str) -> String {
    format!("/login/{id}")
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
    let start = match connector.connector.login_url(&callback_url(state, id)?, &token).await {
        Ok(start) => start,
        Err(error) => {
            return Err(AppError::Upstream {
                label: connector.upstream.label.clone(),
                error,
            });
        }
    };
    state
        .store
        .create_upstream_login(&UpstreamLogin {
            sealed_data: upstream::seal_login_data(
                &state.config.master_key,
                id,
                &state_digest,
                start.state_data.as_bytes(),
            ),
            state_digest,
            upstream: id.to_owned(),
            browser: csrf.browser_binding(),
            purpose,
            user_id: user,
            next,
            expires_at: OffsetDateTime::now_utc() + LOGIN_TTL,
        })
        .await?;
    // OAuth 1.0a callbacks carry no `state`: this cookie finds the login again (and for
    // OAuth 2 it must agree with the `state` parameter, binding the callback to this browser).
    let cookie = crate::cookies::set(state, STATE_COOKIE, &token, &state_cookie_path(id), Some(LOGIN_TTL));
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
        let user = crate::upstream::activation::user_of(&state, &csrf, &headers).ok_or_else(|| {
            AppError::BadRequest("This activation link has expired. Log in or register again.".into())
        })?;
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
        "This sign-in has expired",
        "This sign-in was not started in this browser, was already used, or took too long. Please start again.",
        Some(("/login", "Back to the login page")),
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
        return expired(&state);
    };
    let data = upstream::open_login_data(&state.config.master_key, &login)
        .map_err(|_| AppError::internal("upstream login data cannot be unsealed"))?;
    let data = String::from_utf8(data).map_err(|_| AppError::internal("upstream login data is not text"))?;
    let label = connector.upstream.label.clone();
    let identity = connector
        .connector
        .handle_callback(&callback_url(&state, &id)?, &query, &data)
        .await
        .map_err(|error| AppError::Upstream {
            label: label.clone(),
            error,
        })?;
    let link_to: Option<User> = match login.user_id {
        Some(uid) => state.store.user_by_id(uid).await?,
        None => None,
    };
    let outcome = match pipeline::run(&state, &login.purpose, link_to.as_ref(), &identity, &actor).await? {
        Ok(outcome) => outcome,
        Err(stop) => {
            let text = stop.message(&label);
            return message(
                &state,
                StatusCode::CONFLICT,
                "Sign-in stopped",
                &text,
                Some(("/login", "Back to the login page")),
            );
        }
    };
    if let Some(friends) = &identity.friends {
        state
            .store
            .set_contacts(&identity.provider, &identity.subject, friends)
            .await?;
    }
    finish(&state, old_cookie.as_deref(), &actor, &id, login, outcome).await
}

/// The login in flight this callback belongs to, used up, if the browser that started it is
/// the one coming back; `None` for an expired, replayed or foreign callback.
async fn take_login(
    state: &AppState,
    csrf: &CsrfCookie,
    connector: &crate::upstream::Connector,
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

/// After the pipeline: back to the account page for a connection, else a new session (and,
/// for a hybrid registration, the activation connecting a provider stands for).
async fn finish(
    state: &AppState,
    old_cookie: Option<&str>,
    actor: &Actor,
    id: &str,
    login: UpstreamLogin,
    outcome: pipeline::Outcome,
) -> Result<Response, AppError> {
    let clear = crate::cookies::clear(state, STATE_COOKIE, &state_cookie_path(id));
    let user = outcome.user;
    // Only an account still waiting for its first activation: never one an admin disabled.
    let activating = login.purpose == LoginPurpose::Link
        && !user.is_active
        && state.config.registration == RegistrationMode::Hybrid
        && user.awaiting_activation;
    if activating {
        state.store.activate_user(user.id).await?;
    }
    if login.purpose == LoginPurpose::Link && !activating {
        return Ok((
            StatusCode::SEE_OTHER,
            [(LOCATION, "/account".to_owned()), (SET_COOKIE, clear)],
        )
            .into_response());
    }
    let (session_cookie, _) = session::start(state, old_cookie, &user, "fed").await?;
    state.store.record_login(user.id, OffsetDateTime::now_utc()).await?;
    let detail = serde_json::json!({ "method": "fed", "provider": id, "is_new": outcome.is_new, "new_association": outcome.new_association });
    effects::emit(state, effects::event(state, "user.login", Some(user.id), detail, actor)).await?;
    let target = login
        .next
        .and_then(|n| safe_next(Some(&n)))
        .unwrap_or_else(|| "/account".to_owned());
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, target)]).into_response();
    for c in [session_cookie, clear] {
        if let Ok(v) = c.parse() {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
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
    let user = &signed_in.user;
    // Ways in that still work: a usable password, or links to upstreams still configured.
    let usable_password = user
        .password_hash
        .as_deref()
        .is_some_and(|h| h.starts_with("$argon2") || h.starts_with("pbkdf2_sha256$"));
    let identities = state.store.identities_of(user.id).await?;
    let other_ways = identities
        .iter()
        .filter(|i| !(i.provider == form.provider && i.subject == form.subject))
        .filter(|i| state.upstreams.get(&i.provider).is_some())
        .count();
    if !usable_password && other_ways == 0 {
        return message(
            &state,
            StatusCode::CONFLICT,
            "Not disconnected",
            "This is your only way to log in. Set a password first (\"Forgot your password?\" mails you a link) or connect another provider.",
            Some(("/account", "Back to your account")),
        );
    }
    if state
        .store
        .unlink_identity(user.id, &form.provider, &form.subject)
        .await?
    {
        let detail = serde_json::json!({ "provider": form.provider });
        effects::emit(
            &state,
            effects::event(&state, "identity.unlinked", Some(user.id), detail, &actor),
        )
        .await?;
    }
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/account")]).into_response())
}
