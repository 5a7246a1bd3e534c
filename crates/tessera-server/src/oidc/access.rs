//! Access tokens presented by apps (userinfo, introspection, revocation): which are live.

use tessera_core::oidc_store::AccessTokenRecord;
use time::OffsetDateTime;

use crate::error::AppError;
use crate::state::AppState;

/// The access token's record, if the JWT is ours, unexpired, an access token, and not revoked.
pub async fn live_access_token(state: &AppState, token: &str) -> Result<Option<AccessTokenRecord>, AppError> {
    let Some((header, claims)) = state.keys.verify(token).await else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let ours = header["typ"] == tessera_oidc::TYP_ACCESS_TOKEN
        && claims["iss"] == state.config.issuer_str()
        && claims["exp"].as_i64().is_some_and(|exp| exp > now);
    let Some(jti) = claims["jti"].as_str().filter(|_| ours) else {
        return Ok(None);
    };
    Ok(match state.store.access_token(jti).await? {
        Some((record, false)) => Some(record),
        _ => None,
    })
}
