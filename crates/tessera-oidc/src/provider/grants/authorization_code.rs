//! RFC 6749 §4.1.3: a code for tokens, with PKCE (RFC 7636) and the exact redirect URI.

use tessera_core::secret_token;

use crate::error::OAuthError;
use crate::provider::issue::Family;
use crate::provider::{Provider, ProviderResult, RegisteredClient, TokenResponse};
use crate::storage::CodeUse;

impl Provider {
    /// The code is used up by the first attempt, even one that fails a check below: a stolen
    /// code cannot be retried with guessed verifiers. A second use revokes what the first one
    /// issued (RFC 6749 §4.1.2).
    pub(super) async fn authorization_code(
        &self,
        client: &RegisteredClient,
        code: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
    ) -> ProviderResult<TokenResponse> {
        let digest = secret_token::digest(code);
        let stored = match self.store.use_code(&digest, self.now()).await? {
            CodeUse::First(stored) => stored,
            CodeUse::Unknown => {
                return Err(OAuthError::invalid_grant("the authorization code is invalid or expired").into());
            }
            CodeUse::Replayed => {
                tracing::warn!(client = %client.client.id, "authorization code replayed; tokens issued from it revoked");
                return Err(OAuthError::invalid_grant(
                    "the authorization code was already used; every token issued with it has been revoked",
                )
                .into());
            }
        };
        if stored.authorization.client_id != client.client.id {
            return Err(OAuthError::invalid_grant("the authorization code was issued to another client").into());
        }
        crate::check_redirect_uri(&stored.redirect_uri, redirect_uri)?;
        crate::check_pkce(stored.code_challenge.as_deref(), verifier)?;
        let family = Family::New {
            code_digest: stored.digest.clone(),
        };
        self.for_person(client, &stored.authorization, stored.nonce.as_deref(), family)
            .await
    }
}
