//! Hybrid registration's activation cookie: proves that this browser registered the account
//! within the hour, so `/login/{id}?activate=1` may link a provider to that inactive account.

use axum::http::HeaderMap;
use tessera_core::UserId;
use tessera_core::secret_token;
use time::OffsetDateTime;

use crate::csrf::CsrfCookie;
use crate::session::read_cookie;
use crate::state::AppState;

const ACTIVATION_COOKIE: &str = "tessera_activation";

/// How long an activation cookie is honoured (the MAC carries its issue time).
const ACTIVATION_TTL: i64 = 3600;

/// `{user}.{issued}.{mac}`: proves this browser registered that account within the hour.
pub fn cookie(state: &AppState, csrf: &CsrfCookie, user: UserId) -> String {
    let issued = OffsetDateTime::now_utc().unix_timestamp();
    let value = format!("{user}.{issued}.{}", mac(state, csrf, user, issued));
    crate::cookies::set(
        state,
        ACTIVATION_COOKIE,
        &value,
        "/login",
        Some(time::Duration::seconds(ACTIVATION_TTL)),
    )
}

fn mac(state: &AppState, csrf: &CsrfCookie, user: UserId, issued: i64) -> String {
    let signed = format!("activate:{user}:{issued}:{}", csrf.browser_binding());
    secret_token::hex_lower(&secret_token::hmac_sha256(&state.csrf_key, signed.as_bytes()))
}

fn user_in(state: &AppState, csrf: &CsrfCookie, value: &str) -> Option<UserId> {
    let mut parts = value.splitn(3, '.');
    let (user, issued, given) = (parts.next()?, parts.next()?, parts.next()?);
    let user = UserId(uuid::Uuid::parse_str(user).ok()?);
    let issued: i64 = issued.parse().ok()?;
    let fresh = OffsetDateTime::now_utc().unix_timestamp() - issued <= ACTIVATION_TTL;
    let genuine = secret_token::constant_time_eq(mac(state, csrf, user, issued).as_bytes(), given.as_bytes());
    (fresh && genuine).then_some(user)
}

/// The account this browser's activation cookie names, if it is genuine and fresh.
pub fn user_of(state: &AppState, csrf: &CsrfCookie, headers: &HeaderMap) -> Option<UserId> {
    read_cookie(headers.get_all(axum::http::header::COOKIE), ACTIVATION_COOKIE).and_then(|v| user_in(state, csrf, &v))
}
