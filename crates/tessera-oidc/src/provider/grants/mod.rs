//! The token endpoint's grants (RFC 6749 §4), one file each.

mod authorization_code;
mod client_credentials;
mod refresh_token;

use super::{Provider, ProviderResult, RegisteredClient, TokenResponse};
use crate::token::TokenRequest;

impl Provider {
    /// Runs a token request from an authenticated client: the grant must be one the client
    /// registered (RFC 6749 §5.2 `unauthorized_client`), then the grant's own rules.
    pub async fn token(&self, client: &RegisteredClient, request: TokenRequest) -> ProviderResult<TokenResponse> {
        crate::check_grant_allowed(&client.client, &request)?;
        match request {
            TokenRequest::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                self.authorization_code(client, &code, redirect_uri.as_deref(), code_verifier.as_deref())
                    .await
            }
            TokenRequest::RefreshToken { refresh_token, scope } => {
                self.refresh(client, &refresh_token, scope.as_deref()).await
            }
            TokenRequest::ClientCredentials { scope } => self.client_credentials(client, scope).await,
        }
    }
}
