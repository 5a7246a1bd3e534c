//! `/introspect` (RFC 7662): client-authenticated; a client only learns about its own tokens
//! (anything else is simply `active: false`, §2.2). The rules are the provider's.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use tessera_oidc::OAuthError;

use super::{authenticated_client, form_params, no_store_json, param};
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::state::AppState;

pub async fn introspect(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let params = form_params(&headers, &body)?;
    let (client, _) = authenticated_client(&state, &headers, &params, &actor).await?;
    let token =
        param(&params, "token").ok_or_else(|| AppError::OAuth(OAuthError::invalid_request("token is required")))?;
    Ok(no_store_json(state.provider.introspect(client, token).await?))
}
