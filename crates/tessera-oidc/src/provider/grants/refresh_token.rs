//! RFC 6749 §6 with rotation (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).

use tessera_core::secret_token;

use crate::error::OAuthError;
use crate::provider::issue::Family;
use crate::provider::{Provider, ProviderError, ProviderResult, RegisteredClient, TokenResponse};
use crate::storage::RefreshUse;

impl Provider {
    /// Checks that need no state change come first, so a token presented by the wrong client
    /// is left untouched; a reused token revokes its whole family.
    pub(super) async fn refresh(
        &self,
        client: &RegisteredClient,
        token: &str,
        scope: Option<&[String]>,
    ) -> ProviderResult<TokenResponse> {
        let digest = secret_token::digest(token);
        let Some((stored, _)) = self.store.refresh_token(&digest).await? else {
            return Err(OAuthError::invalid_grant("the refresh token is invalid").into());
        };
        if stored.authorization.client_id != client.client.id {
            return Err(OAuthError::invalid_grant("the refresh token was issued to another client").into());
        }
        let mut authorization = stored.authorization.clone();
        authorization.scopes = crate::scope::narrow_scopes(&stored.authorization.scopes, scope)?;
        let family = Family::Continue {
            family_id: stored.family_id.clone(),
            family_expires_at: stored.family_expires_at,
        };
        // The successor is signed first and written with the rotation, in one transaction: a
        // rotation whose successor could not be written (the database went away in between)
        // would leave the client holding a rotated token, and its retry would look like theft
        // and revoke the family (found by tests/chaos.rs).
        let (successor, response) = self.prepare_for_person(client, &authorization, None, family).await?;
        match self.store.rotate_refresh_token(&digest, self.now(), &successor).await? {
            RefreshUse::Rotated(_) => Ok(response),
            RefreshUse::Unknown => Err(OAuthError::invalid_grant("the refresh token has expired").into()),
            RefreshUse::Revoked => Err(OAuthError::invalid_grant("the refresh token has been revoked").into()),
            RefreshUse::Reused { .. } => {
                tracing::warn!(client = %client.client.id, "refresh token reused; its family revoked");
                Err(ProviderError::RefreshTokenReused(OAuthError::invalid_grant(
                    "the refresh token was already used; for safety every token of this login has been revoked",
                )))
            }
        }
    }
}
