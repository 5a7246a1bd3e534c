//! Server-side sessions. The cookie holds 32 random bytes; the table holds their SHA-256, the
//! account, and the idle and absolute deadlines. A new id is issued at every login (no
//! session fixation) and logout deletes the row.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header::GetAll};
use tessera_core::User;
use tessera_core::secret_token;
use tessera_core::store::{SESSION_USER_AGENT_MAX, Session};
use time::OffsetDateTime;

use crate::access_log::AccountSlot;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::state::AppState;

/// Reads one cookie from the request's `Cookie` headers (RFC 6265 §5.4 syntax).
pub fn read_cookie(headers: GetAll<'_, HeaderValue>, name: &str) -> Option<String> {
    headers
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub fn cookie_name(state: &AppState) -> &'static str {
    // The __Host- prefix pins the cookie to this exact origin over HTTPS (RFC 6265bis §4.1.3.2).
    if state.config.secure_cookies() {
        "__Host-tessera_session"
    } else {
        "tessera_session"
    }
}

/// A signed-in person and their session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    pub session: Session,
}

/// Starts a session and returns the `Set-Cookie` value. Any session the browser already had
/// is ended first, so a pre-login id can never become a logged-in one. The session keeps the
/// device and address it started from (`actor`), for the person's list of sessions (ASVS
/// 4.0.3 V3.3.4).
pub async fn start(
    state: &AppState,
    parts_cookie: Option<&str>,
    user: &User,
    amr: &str,
    actor: &Actor,
) -> Result<(String, Session), AppError> {
    if let Some(old) = parts_cookie {
        state.store.delete_session(&secret_token::digest(old)).await?;
    }
    let token = secret_token::generate();
    let now = OffsetDateTime::now_utc();
    let session = Session {
        id_digest: secret_token::digest(&token),
        user_id: user.id,
        created_at: now,
        last_seen_at: now,
        expires_at: now + state.config.session_absolute,
        auth_time: now,
        amr: amr.to_owned(),
        user_agent: actor
            .user_agent
            .as_deref()
            .map(|ua| ua.chars().take(SESSION_USER_AGENT_MAX).collect()),
        ip: actor.ip.clone(),
    };
    state.store.create_session(&session).await?;
    let max_age = i64::try_from(state.config.session_absolute.as_secs()).unwrap_or(i64::MAX);
    let cookie = crate::cookies::set(
        state,
        cookie_name(state),
        &token,
        "/",
        Some(time::Duration::seconds(max_age)),
    );
    Ok((cookie, session))
}

/// Ends the session (if any) and returns the `Set-Cookie` value that clears the cookie.
pub async fn end(state: &AppState, cookie: Option<&str>) -> Result<String, AppError> {
    if let Some(token) = cookie {
        state.store.delete_session(&secret_token::digest(token)).await?;
    }
    Ok(crate::cookies::clear(state, cookie_name(state), "/"))
}

pub fn session_cookie(state: &AppState, parts: &Parts) -> Option<String> {
    read_cookie(parts.headers.get_all(COOKIE), cookie_name(state)).filter(|v| !v.is_empty())
}

/// Loads the signed-in person, if the cookie names a live session of an active account.
pub async fn current(state: &AppState, cookie: Option<&str>) -> Result<Option<SignedIn>, AppError> {
    let Some(token) = cookie else { return Ok(None) };
    let digest = secret_token::digest(token);
    let Some(session) = state.store.session(&digest).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    if now >= session.expires_at || now - session.last_seen_at > state.config.session_idle {
        state.store.delete_session(&digest).await?;
        return Ok(None);
    }
    let Some(user) = state.store.user_by_id(session.user_id).await? else {
        return Ok(None);
    };
    if !user.is_active {
        return Ok(None);
    }
    // Writing on every request would serialize SQLite writers: a session is touched again
    // after a quarter of its idle timeout (at most a minute), so one in use never goes idle,
    // however short the timeout is configured (a fixed minute let 20 s sessions die in use:
    // tests/chaos.rs's soak).
    if now - session.last_seen_at > touch_after(state.config.session_idle) {
        state.store.touch_session(&digest, now).await?;
    }
    Ok(Some(SignedIn { user, session }))
}

/// How stale a session's last-seen time may get before a request writes it again.
fn touch_after(idle: std::time::Duration) -> time::Duration {
    time::Duration::try_from(idle / 4)
        .unwrap_or(time::Duration::MAX)
        .min(time::Duration::minutes(1))
}

/// `Option<SignedIn>` for pages that work either way.
pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie = session_cookie(state, parts);
        let signed_in = current(state, cookie.as_deref()).await?;
        if let Some(s) = &signed_in {
            AccountSlot::note(&parts.extensions, s.user.id);
        }
        Ok(Self(signed_in))
    }
}

/// Pages that need a login: without one, the person is sent to `/login?next=<this page>`.
impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie = session_cookie(state, parts);
        match current(state, cookie.as_deref()).await? {
            Some(signed_in) => {
                AccountSlot::note(&parts.extensions, signed_in.user.id);
                Ok(signed_in)
            }
            None => {
                let next = parts.uri.path_and_query().map_or("/account", |p| p.as_str()).to_owned();
                Err(AppError::NeedsLogin { next })
            }
        }
    }
}

/// The raw session cookie, for handlers that rotate or end it.
pub struct SessionCookie(pub Option<String>);

impl FromRequestParts<AppState> for SessionCookie {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(session_cookie(state, parts)))
    }
}
