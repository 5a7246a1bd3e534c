//! `/revoke` (RFC 7009). The answer is 200 whether or not the token was known (§2.2), so the
//! endpoint cannot be used to test tokens; the rules are the provider's.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tessera_oidc::OAuthError;

use super::{authenticated_client, form_params, param};
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::state::AppState;

pub async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let params = form_params(&headers, &body)?;
    let (client, _) = authenticated_client(&state, &headers, &params, &actor).await?;
    let token =
        param(&params, "token").ok_or_else(|| AppError::OAuth(OAuthError::invalid_request("token is required")))?;
    state.provider.revoke(client, token).await?;
    Ok(StatusCode::OK.into_response())
}
