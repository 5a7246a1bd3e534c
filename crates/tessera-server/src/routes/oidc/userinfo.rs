//! `/userinfo` (OIDC Core §5.3), GET or POST, with a Bearer token in the header or (POST) in
//! the form body (RFC 6750 §2.1–2.2).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use tessera_oidc::OAuthError;

use super::no_store_json;
use crate::error::AppError;
use crate::state::AppState;

fn invalid(description: &str) -> AppError {
    AppError::OAuth(OAuthError::invalid_token(description))
}

/// `GET /api/contacts` (scope `contacts`): local accounts linked to the upstream ids in this
/// person's friends lists ("people you may know"), for the app to show.
pub async fn contacts(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let token = bearer(&headers).ok_or_else(|| invalid("an access token is required"))?;
    let record = state
        .provider
        .live_access_token(token)
        .await?
        .ok_or_else(|| invalid("the access token is invalid, expired or revoked"))?;
    if !record.scopes.iter().any(|s| s == "contacts") {
        return Err(AppError::OAuth(OAuthError::insufficient_scope(
            "this needs the contacts scope",
        )));
    }
    let user = record
        .user_id
        .ok_or_else(|| invalid("this access token does not belong to a person"))?;
    // The same checks as userinfo: a disabled account or an unregistered app gets nothing.
    state
        .store
        .user_by_id(user)
        .await?
        .filter(|u| u.is_active)
        .ok_or_else(|| invalid("the account is disabled"))?;
    state
        .config
        .client(&record.client_id)
        .ok_or_else(|| invalid("the app is no longer registered"))?;
    let people: Vec<serde_json::Value> = state
        .store
        .people_you_may_know(user)
        .await?
        .into_iter()
        .map(|u| serde_json::json!({ "sub": u.id.to_string(), "preferred_username": u.username, "name": u.display_name() }))
        .collect();
    Ok(no_store_json(serde_json::json!({ "contacts": people })))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let in_body = if method == Method::POST {
        url::form_urlencoded::parse(&body)
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned())
    } else {
        None
    };
    let token = match (bearer(&headers), in_body.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(AppError::OAuth(OAuthError::invalid_request(
                "send the access token in one place only (RFC 6750 §2)",
            )));
        }
        (Some(t), None) | (None, Some(t)) => t.to_owned(),
        (None, None) => {
            return Err(AppError::OAuth(OAuthError::missing_token(
                "an access token is required",
            )));
        }
    };
    Ok(no_store_json(state.provider.userinfo(&token).await?))
}
