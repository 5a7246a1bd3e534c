//! RFC 6749 §4.4: the client acting for itself; no person, no ID or refresh token.

use crate::error::OAuthError;
use crate::provider::{Provider, ProviderResult, RegisteredClient, TokenResponse};
use crate::storage::AccessTokenRecord;

/// Scopes that only mean something for a person.
const PERSON_SCOPES: [&str; 2] = ["openid", "offline_access"];

impl Provider {
    /// Without `scope`, every scope the client registered except the person ones.
    pub(super) async fn client_credentials(
        &self,
        client: &RegisteredClient,
        scope: Option<Vec<String>>,
    ) -> ProviderResult<TokenResponse> {
        let registered = &client.client.scopes;
        let scopes = scope.unwrap_or_else(|| {
            registered
                .iter()
                .filter(|s| !PERSON_SCOPES.contains(&s.as_str()))
                .cloned()
                .collect()
        });
        if let Some(bad) = scopes
            .iter()
            .find(|s| PERSON_SCOPES.contains(&s.as_str()) || !registered.contains(s))
        {
            return Err(OAuthError::invalid_scope(format!(
                "scope {bad:?} is not available to this client with client_credentials"
            ))
            .into());
        }
        let mut record = AccessTokenRecord {
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: client.client.id.clone(),
            user_id: None,
            scopes: scopes.clone(),
            family_id: None,
            code_digest: None,
            sid: None,
            expires_at: self.now() + self.lifetimes.access_token_ttl,
        };
        let (access_token, expires_in) = self
            .mint_access_token(client, &client.client.id, &mut record, None)
            .await?;
        self.store.record_access_token(&record).await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token: None,
            id_token: None,
            scope: crate::scope::scope_string(&scopes),
        })
    }
}
