//! `/token` (RFC 6749 §3.2): authorization_code (with PKCE), refresh_token (rotating), and
//! client_credentials, run by the provider. Every refusal is an RFC 6749 §5.2 JSON error.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{authenticated_client, form_params, no_store_json};
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::state::AppState;

pub async fn token(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let params = form_params(&headers, &body)?;
    let (client, _) = authenticated_client(&state, &headers, &params, &actor).await?;
    let request = tessera_oidc::parse_token_request(&params).map_err(AppError::OAuth)?;
    let grant = request.grant_type().as_str();
    let response = state.provider.token(client, request).await;
    state.metrics.observe_token(grant, &response);
    Ok(no_store_json(response?))
}
