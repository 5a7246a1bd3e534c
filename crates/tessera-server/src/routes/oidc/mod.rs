//! The OpenID Connect provider's HTTP surface. Discovery is the source of truth for the
//! endpoints (OIDC Discovery §3).

pub mod authorize;
pub mod consent;
pub mod discovery;
pub mod introspect;
pub mod revoke;
pub mod token;
pub mod userinfo;

use axum::http::{HeaderMap, header};
use tessera_oidc::{ClientAuth, OAuthError};

use serde::Deserialize;
use tessera_oidc::storage::PendingAuthorization;
use time::OffsetDateTime;

use crate::config::ClientConfig;
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::state::AppState;

/// Parameters of an `application/x-www-form-urlencoded` body (the token, introspection and
/// revocation endpoints accept nothing else: RFC 6749 §3.2, RFC 7662 §2.1, RFC 7009 §2.1).
pub fn form_params(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::OAuth(OAuthError::invalid_request(
            "send the parameters as application/x-www-form-urlencoded",
        )));
    }
    Ok(url::form_urlencoded::parse(body).into_owned().collect())
}

/// Authenticates the calling client (client_secret_basic, client_secret_post or none).
pub fn authenticated_client<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> Result<(&'s ClientConfig, ClientAuth), AppError> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    Ok(state.provider.authenticate(authorization, params)?)
}

pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// JSON with `Cache-Control: no-store` (RFC 6749 §5.1: token responses must not be cached).
pub fn no_store_json(value: impl serde::Serialize) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = axum::Json(value).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, axum::http::HeaderValue::from_static("no-cache"));
    response
}

pub fn continue_path(id: &str) -> String {
    format!("/authorize/continue?id={}", urlencoding::encode(id))
}

#[derive(Deserialize)]
pub struct PendingId {
    pub id: String,
}

/// The pending request, if it is live and belongs to this browser.
pub async fn load_pending(state: &AppState, csrf: &CsrfCookie, id: &str) -> Result<PendingAuthorization, AppError> {
    let expired = || {
        AppError::BadRequest(
            "This sign-in request has expired or was started in another browser. Return to the app and sign in again."
                .into(),
        )
    };
    let pending = state
        .store
        .pending(id, OffsetDateTime::now_utc())
        .await?
        .ok_or_else(expired)?;
    if pending.browser != csrf.browser_binding() {
        return Err(expired());
    }
    Ok(pending)
}
