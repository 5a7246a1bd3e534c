//! `/token` (RFC 6749 §3.2): authorization_code (with PKCE), refresh_token (rotating), and
//! client_credentials. Every refusal is an RFC 6749 §5.2 JSON error.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use tessera_core::oidc_store::{AccessTokenRecord, CodeUse, RefreshUse};
use tessera_core::secret_token;
use tessera_oidc::{OAuthError, TokenRequest};
use time::OffsetDateTime;

use super::{authenticated_client, form_params, no_store_json};
use crate::config::ClientConfig;
use crate::error::AppError;
use crate::oidc::issue::{self, Family, TokenResponse};
use crate::state::AppState;

fn oauth(e: OAuthError) -> AppError {
    AppError::OAuth(e)
}

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let params = form_params(&headers, &body)?;
    let (client, _) = authenticated_client(&state, &headers, &params)?;
    let request = tessera_oidc::parse_token_request(&params).map_err(oauth)?;
    tessera_oidc::check_grant_allowed(&client.client, &request).map_err(oauth)?;
    let response = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => authorization_code(&state, client, &code, redirect_uri.as_deref(), code_verifier.as_deref()).await?,
        TokenRequest::RefreshToken { refresh_token, scope } => {
            refresh(&state, client, &refresh_token, scope.as_deref()).await?
        }
        TokenRequest::ClientCredentials { scope } => client_credentials(&state, client, scope).await?,
    };
    Ok(no_store_json(response))
}

/// RFC 6749 §4.1.3. The code is used up by the first attempt, even one that fails a check
/// below: a stolen code cannot be retried with guessed verifiers.
async fn authorization_code(
    state: &AppState,
    client: &ClientConfig,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<TokenResponse, AppError> {
    let digest = secret_token::digest(code);
    let stored = match state.store.use_code(&digest, OffsetDateTime::now_utc()).await? {
        CodeUse::First(stored) => stored,
        CodeUse::Unknown => {
            return Err(oauth(OAuthError::invalid_grant(
                "the authorization code is invalid or expired",
            )));
        }
        CodeUse::Replayed => {
            tracing::warn!(client = %client.client.id, "authorization code replayed; tokens issued from it revoked");
            return Err(oauth(OAuthError::invalid_grant(
                "the authorization code was already used; every token issued with it has been revoked",
            )));
        }
    };
    if stored.authorization.client_id != client.client.id {
        return Err(oauth(OAuthError::invalid_grant(
            "the authorization code was issued to another client",
        )));
    }
    tessera_oidc::check_redirect_uri(&stored.redirect_uri, redirect_uri).map_err(oauth)?;
    tessera_oidc::check_pkce(stored.code_challenge.as_deref(), verifier).map_err(oauth)?;
    issue::for_person(
        state,
        client,
        &stored.authorization,
        stored.nonce.as_deref(),
        Family::New {
            code_digest: stored.digest.clone(),
        },
    )
    .await
}

/// RFC 6749 §6 with rotation (OAuth 2.0 Security BCP §4.14.2). Checks that need no state
/// change come first, so a token presented by the wrong client is left untouched.
async fn refresh(
    state: &AppState,
    client: &ClientConfig,
    token: &str,
    scope: Option<&[String]>,
) -> Result<TokenResponse, AppError> {
    let digest = secret_token::digest(token);
    let Some((stored, _)) = state.store.refresh_token(&digest).await? else {
        return Err(oauth(OAuthError::invalid_grant("the refresh token is invalid")));
    };
    if stored.authorization.client_id != client.client.id {
        return Err(oauth(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        )));
    }
    let scopes = tessera_oidc::scope::narrow_scopes(&stored.authorization.scopes, scope).map_err(oauth)?;
    let current = match state
        .store
        .use_refresh_token(&digest, OffsetDateTime::now_utc())
        .await?
    {
        RefreshUse::Rotated(current) => current,
        RefreshUse::Unknown => return Err(oauth(OAuthError::invalid_grant("the refresh token has expired"))),
        RefreshUse::Revoked => return Err(oauth(OAuthError::invalid_grant("the refresh token has been revoked"))),
        RefreshUse::Reused { .. } => {
            tracing::warn!(client = %client.client.id, "refresh token reused; its family revoked");
            return Err(oauth(OAuthError::invalid_grant(
                "the refresh token was already used; for safety every token of this login has been revoked",
            )));
        }
    };
    let mut authorization = current.authorization.clone();
    authorization.scopes = scopes;
    let family = Family::Continue {
        family_id: current.family_id.clone(),
        family_expires_at: current.family_expires_at,
    };
    issue::for_person(state, client, &authorization, None, family).await
}

/// RFC 6749 §4.4: the client acting for itself; no person, no ID or refresh token.
async fn client_credentials(
    state: &AppState,
    client: &ClientConfig,
    scope: Option<Vec<String>>,
) -> Result<TokenResponse, AppError> {
    let person_scopes = ["openid", "offline_access"];
    let scopes = match scope {
        Some(scopes) => scopes,
        None => client
            .client
            .scopes
            .iter()
            .filter(|s| !person_scopes.contains(&s.as_str()))
            .cloned()
            .collect(),
    };
    if let Some(bad) = scopes
        .iter()
        .find(|s| person_scopes.contains(&s.as_str()) || !client.client.scopes.contains(s))
    {
        return Err(oauth(OAuthError::invalid_scope(format!(
            "scope {bad:?} is not available to this client with client_credentials"
        ))));
    }
    let record = AccessTokenRecord {
        jti: uuid::Uuid::new_v4().to_string(),
        client_id: client.client.id.clone(),
        user_id: None,
        scopes: scopes.clone(),
        family_id: None,
        code_digest: None,
        sid: None,
        expires_at: OffsetDateTime::now_utc() + state.config.oidc.access_token_ttl,
    };
    let (access_token, expires_in) = issue::sign_access_token(state, client, &client.client.id, &record, None).await?;
    state.store.record_access_token(&record).await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        refresh_token: None,
        id_token: None,
        scope: tessera_oidc::scope::scope_string(&scopes),
    })
}
