//! `/revoke` (RFC 7009). Revoking a refresh token revokes its whole family and the access
//! tokens it issued; revoking an access token revokes that token. The answer is 200 whether
//! or not the token was known (§2.2), so the endpoint cannot be used to test tokens.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tessera_core::secret_token;
use tessera_oidc::OAuthError;

use super::{authenticated_client, form_params, param};
use crate::error::AppError;
use crate::oidc::access::live_access_token;
use crate::state::AppState;

pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let params = form_params(&headers, &body)?;
    let (client, _) = authenticated_client(&state, &headers, &params)?;
    let token =
        param(&params, "token").ok_or_else(|| AppError::OAuth(OAuthError::invalid_request("token is required")))?;
    if let Some((refresh, _)) = state.store.refresh_token(&secret_token::digest(token)).await? {
        if refresh.authorization.client_id == client.client.id {
            state.store.revoke_family(&refresh.family_id).await?;
        }
    } else if let Some(record) = live_access_token(&state, token).await?
        && record.client_id == client.client.id
    {
        state.store.revoke_access_token(&record.jti).await?;
    }
    Ok(StatusCode::OK.into_response())
}
