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
use tessera_core::password::Verification;
use tessera_core::store::{pair_key, throttle_scope};
use tessera_oidc::provider::ProviderError;
use tessera_oidc::{ClientAuth, OAuthError};

use serde::Deserialize;
use tessera_oidc::storage::PendingAuthorization;
use time::OffsetDateTime;

use crate::accounts::AccountError;
use crate::config::ClientConfig;
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::state::AppState;
use crate::throttle::{self, Count};

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

/// Authenticates the calling client (client_secret_basic, client_secret_post or none): the one
/// place `/token`, `/introspect` and `/revoke` do. The argon2 check of a `secret_hash` client
/// runs on the password pool, as a password login's does: off the async workers, and at most
/// `passwords.max_concurrent_hashes` at once.
///
/// Failures are counted per client id and IP address (`security.throttle.client_*`; RFC 6749
/// §2.3.1 and §10.10 ask for protection against guessing credentials at the token endpoint):
/// while the count is blocked, the request is refused (429) before its secret is looked at
/// (a key that just authenticated skips that read: [`throttle::RecentPasses`]).
pub async fn authenticated_client<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
    params: &[(String, String)],
    actor: &Actor,
) -> Result<(&'s ClientConfig, ClientAuth), AppError> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let auth = tessera_oidc::client_auth(authorization, params).map_err(AppError::OAuth)?;
    // Bounded: the id is whatever the caller sent.
    let claimed: String = auth.client_id().chars().take(200).collect();
    let key = pair_key(&claimed, actor.ip_key());
    let counts = [Count {
        scope: throttle_scope::CLIENT,
        key: &key,
        policy: state.config.throttle.client,
        user: None,
    }];
    if !state.client_passes.fresh(&key)
        && let Some(retry_after_seconds) = throttle::retry_after(state, &counts).await?
    {
        return Err(AppError::Throttled { retry_after_seconds });
    }
    let pool = state.accounts.passwords();
    let failed = |e: AccountError| ProviderError::Internal(format!("client secret check failed: {e:?}"));
    let argon2 = |phc, given| async move {
        let turn = pool.turn().await.map_err(failed)?;
        let verdict = turn.verify(phc, given).await.map_err(failed)?;
        Ok(matches!(verdict, Verification::Valid { .. }))
    };
    match state.provider.authenticate(&auth, argon2).await {
        Ok(client) => {
            state.client_passes.passed(&key);
            Ok((client, auth))
        }
        Err(ProviderError::OAuth(e)) if e.error == "invalid_client" => {
            state.client_passes.failed(&key);
            throttle::record_failure(state, &counts, actor).await?;
            Err(AppError::OAuth(e))
        }
        Err(e) => Err(e.into()),
    }
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
    let expired = || AppError::BadRequest(tr!("authorize-expired"));
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
