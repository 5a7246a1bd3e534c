//! Minting tokens: RFC 9068 access tokens (JWT, `jti` recorded so they can be revoked and
//! introspected), ID tokens (OIDC Core §2), and rotating refresh tokens.

use serde::Serialize;
use tessera_core::oidc_store::{AccessTokenRecord, Authorization, Issuance, IssueGuard, NewRefreshToken};
use tessera_core::secret_token;
use tessera_oidc::{IdTokenInput, OAuthError, TYP_ACCESS_TOKEN, TYP_ID_TOKEN};
use time::OffsetDateTime;

use super::subject::subject;
use crate::config::ClientConfig;
use crate::error::AppError;
use crate::state::AppState;

/// The token endpoint's success body (RFC 6749 §5.1, OIDC Core §3.1.3.3).
#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub scope: String,
}

/// Where a refresh token, if any, belongs.
pub enum Family {
    /// Start a family (after an authorization code), expiring `refresh_token_ttl` from now.
    New { code_digest: String },
    /// Continue one (after a refresh), keeping its absolute end.
    Continue {
        family_id: String,
        family_expires_at: OffsetDateTime,
    },
}

/// Issues access, ID and (when allowed) refresh tokens for a person's authorization.
pub async fn for_person(
    state: &AppState,
    client: &ClientConfig,
    auth: &Authorization,
    nonce: Option<&str>,
    family: Family,
) -> Result<TokenResponse, AppError> {
    let now = OffsetDateTime::now_utc();
    let user = state
        .store
        .user_by_id(auth.user_id)
        .await?
        .filter(|u| u.is_active)
        .ok_or_else(|| AppError::OAuth(OAuthError::invalid_grant("the account no longer exists or is disabled")))?;
    let wants_refresh = client
        .client
        .grant_types
        .contains(&tessera_oidc::GrantType::RefreshToken)
        && (auth.scopes.iter().any(|s| s == "offline_access") || client.refresh_without_offline_access);
    let (guard, family_id, family_expires_at, code_digest) = match family {
        Family::New { code_digest } => (
            IssueGuard::Code(code_digest.clone()),
            tessera_oidc::random_token(),
            now + state.config.oidc.refresh_token_ttl,
            Some(code_digest),
        ),
        Family::Continue {
            family_id,
            family_expires_at,
        } => (
            IssueGuard::Family(family_id.clone()),
            family_id,
            family_expires_at,
            None,
        ),
    };
    let record = AccessTokenRecord {
        jti: uuid::Uuid::new_v4().to_string(),
        client_id: client.client.id.clone(),
        user_id: Some(user.id),
        scopes: auth.scopes.clone(),
        family_id: wants_refresh.then(|| family_id.clone()),
        code_digest: code_digest.clone(),
        sid: Some(auth.sid.clone()),
        expires_at: now + state.config.oidc.access_token_ttl,
    };
    let (access_token, expires_in) = sign_access_token(
        state,
        client,
        &user.id.to_string(),
        &record,
        Some(auth.auth_time.unix_timestamp()),
    )
    .await?;
    let id_token = if auth.scopes.iter().any(|s| s == "openid") {
        Some(id_token(state, client, &user, auth, nonce, &access_token, now).await?)
    } else {
        None
    };
    let refresh_token = wants_refresh.then(tessera_oidc::random_token);
    let issuance = Issuance {
        guard,
        access_token: record,
        refresh_token: refresh_token.as_ref().map(|token| NewRefreshToken {
            digest: secret_token::digest(token),
            family_id,
            authorization: auth.clone(),
            code_digest,
            issued_at: now,
            family_expires_at,
            expires_at: (now + state.config.oidc.refresh_token_idle).min(family_expires_at),
        }),
    };
    // Nothing signed above is valid until it is recorded here, and it is not recorded when
    // the code or family was revoked meanwhile (a concurrent replay or reuse).
    if !state.store.issue_tokens(&issuance).await? {
        return Err(AppError::OAuth(OAuthError::invalid_grant(
            "this authorization was revoked while the tokens were being issued (the code or refresh token was \
             used twice); sign in again",
        )));
    }
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        refresh_token,
        id_token,
        scope: tessera_oidc::scope::scope_string(&auth.scopes),
    })
}

/// The ID token (OIDC Core §2) for this authorization, bound to its access token (`at_hash`).
async fn id_token(
    state: &AppState,
    client: &ClientConfig,
    user: &tessera_core::User,
    auth: &Authorization,
    nonce: Option<&str>,
    access_token: &str,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    let subject = subject(state, user, client, &auth.scopes).await?;
    let alg = client.client.id_token_alg;
    let claims = tessera_oidc::id_token_claims(&IdTokenInput {
        issuer: state.config.issuer_str(),
        client_id: &client.client.id,
        subject: &subject,
        scopes: &auth.scopes,
        auth_time: auth.auth_time.unix_timestamp(),
        nonce,
        access_token: Some(access_token),
        alg,
        sid: Some(&auth.sid),
        amr: &auth.amr,
        acr: None,
        now: now.unix_timestamp(),
        ttl_seconds: state.config.oidc.id_token_ttl.as_secs() as i64,
    });
    let key = state.keys.signing_key(alg).await?;
    key.sign_jwt(TYP_ID_TOKEN, &claims)
        .map_err(|e| AppError::internal(e.to_string()))
}

/// Signs an RFC 9068 access token with the client's algorithm; the caller records its `jti`.
pub async fn sign_access_token(
    state: &AppState,
    client: &ClientConfig,
    sub: &str,
    record: &AccessTokenRecord,
    auth_time: Option<i64>,
) -> Result<(String, u64), AppError> {
    let now = OffsetDateTime::now_utc();
    let ttl = state.config.oidc.access_token_ttl.as_secs();
    let claims = tessera_oidc::access_token_claims(
        state.config.issuer_str(),
        &client.client.id,
        sub,
        &client.client.id,
        &record.scopes,
        &record.jti,
        auth_time,
        now.unix_timestamp(),
        ttl as i64,
    );
    let key = state.keys.signing_key(client.client.id_token_alg).await?;
    let token = key
        .sign_jwt(TYP_ACCESS_TOKEN, &claims)
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok((token, ttl))
}

/// The `sid` claim for a session: derived from the stored digest, so it names the session
/// without being able to resume it.
pub fn sid_of(session_digest: &str) -> String {
    secret_token::digest(session_digest)
}
