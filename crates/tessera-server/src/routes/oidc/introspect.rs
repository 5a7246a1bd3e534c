//! `/introspect` (RFC 7662): client-authenticated; a client only learns about its own tokens
//! (anything else is simply `active: false`, §2.2).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use tessera_core::secret_token;
use tessera_oidc::OAuthError;
use time::OffsetDateTime;

use super::{authenticated_client, form_params, no_store_json, param};
use crate::error::AppError;
use crate::oidc::access::live_access_token;
use crate::state::AppState;

/// The account's username while it exists and is active; a disabled account's tokens are
/// reported inactive.
async fn username(state: &AppState, id: tessera_core::UserId) -> Option<String> {
    state
        .store
        .user_by_id(id)
        .await
        .ok()
        .flatten()
        .filter(|u| u.is_active)
        .map(|u| u.username)
}

pub async fn introspect(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let params = form_params(&headers, &body)?;
    let (client, _) = authenticated_client(&state, &headers, &params)?;
    // RFC 7662 §2.1: the caller must be authenticated; a public client proves nothing.
    if client.client.secret.is_none() {
        return Err(AppError::OAuth(OAuthError::invalid_client(
            "introspection needs a confidential client",
        )));
    }
    let token =
        param(&params, "token").ok_or_else(|| AppError::OAuth(OAuthError::invalid_request("token is required")))?;
    let inactive = || no_store_json(json!({ "active": false }));

    if let Some(record) = live_access_token(&state, token).await? {
        if record.client_id != client.client.id {
            return Ok(inactive());
        }
        let sub = record
            .user_id
            .map_or_else(|| record.client_id.clone(), |u| u.to_string());
        let name = match record.user_id {
            Some(id) => match username(&state, id).await {
                Some(name) => Some(name),
                None => return Ok(inactive()),
            },
            None => None,
        };
        return Ok(no_store_json(json!({
            "active": true,
            "token_type": "Bearer",
            "scope": tessera_oidc::scope::scope_string(&record.scopes),
            "client_id": record.client_id,
            "sub": sub,
            "username": name,
            "exp": record.expires_at.unix_timestamp(),
            "iss": state.config.issuer_str(),
            "jti": record.jti,
        })));
    }
    let now = OffsetDateTime::now_utc();
    if let Some((refresh, dead)) = state.store.refresh_token(&secret_token::digest(token)).await? {
        let live = !dead && refresh.expires_at > now && refresh.family_expires_at > now;
        if !live || refresh.authorization.client_id != client.client.id {
            return Ok(inactive());
        }
        let Some(name) = username(&state, refresh.authorization.user_id).await else {
            return Ok(inactive());
        };
        let a = &refresh.authorization;
        return Ok(no_store_json(json!({
            "active": true,
            "token_type": "refresh_token",
            "scope": tessera_oidc::scope::scope_string(&a.scopes),
            "client_id": a.client_id,
            "sub": a.user_id.to_string(),
            "username": name,
            "exp": refresh.expires_at.unix_timestamp(),
            "iss": state.config.issuer_str(),
        })));
    }
    Ok(inactive())
}
