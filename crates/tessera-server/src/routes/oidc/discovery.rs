use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::config::KNOWN_SCOPES;
use crate::error::AppError;
use crate::state::AppState;

fn cacheable(value: serde_json::Value) -> Response {
    let mut response = axum::Json(value).into_response();
    // Short, so a rotation's new key reaches relying parties well within key_publish_before.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

pub async fn configuration(State(state): State<AppState>) -> Response {
    let scopes: Vec<String> = KNOWN_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    cacheable(tessera_oidc::provider_metadata(
        state.config.issuer_str(),
        &crate::oidc::algorithms(&state.config),
        &scopes,
    ))
}

pub async fn jwks(State(state): State<AppState>) -> Result<Response, AppError> {
    let keys = state.provider.keys().published().await?;
    let refs: Vec<_> = keys.iter().collect();
    Ok(cacheable(tessera_oidc::jwks(&refs)))
}
