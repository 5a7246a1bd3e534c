//! Logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.4); delivering them is the web
//! crate's job.

use super::{Provider, ProviderError, ProviderResult, RegisteredClient};
use crate::jwt::TYP_LOGOUT_TOKEN;

impl Provider {
    /// A signed logout token telling `client` that session `sid` of `sub` ended.
    pub async fn logout_token(&self, client: &RegisteredClient, sub: &str, sid: &str) -> ProviderResult<String> {
        let claims = crate::logout_token_claims(
            &self.issuer,
            &client.client.id,
            sub,
            sid,
            &uuid::Uuid::new_v4().to_string(),
            self.now().unix_timestamp(),
        );
        let key = self.keys.signing_key(client.client.id_token_alg).await?;
        key.sign_jwt(TYP_LOGOUT_TOKEN, &claims)
            .map_err(|e| ProviderError::Internal(e.to_string()))
    }
}
