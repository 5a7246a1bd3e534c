//! The provider's [`Directory`]: clients from the configuration, and the signed-in person as
//! OpenID Connect claims see them, from the account store.

use std::sync::Arc;

use async_trait::async_trait;
use tessera_core::store::StoreResult;
use tessera_core::{User, UserId};
use tessera_oidc::Subject;
use tessera_oidc::provider::{Directory, RegisteredClient};

use crate::config::Config;
use crate::state::Store;

/// Clients and accounts, as the provider sees them.
pub struct Accounts {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
}

#[async_trait]
impl Directory for Accounts {
    fn client(&self, id: &str) -> Option<&RegisteredClient> {
        self.config.client(id)
    }

    /// Claims about an active account for `client`: standard ones by scope (filtered in
    /// `tessera-oidc`), the `groups` claim, and the account attributes this client maps to
    /// claims of its own. A disabled or deleted account has none.
    async fn subject(
        &self,
        user: UserId,
        client: &RegisteredClient,
        scopes: &[String],
    ) -> StoreResult<Option<Subject>> {
        let Some(user) = self.store.user_by_id(user).await?.filter(|u| u.is_active) else {
            return Ok(None);
        };
        let groups = if scopes.iter().any(|s| s == "groups") {
            self.store.groups_of(user.id).await?
        } else {
            Vec::new()
        };
        Ok(Some(subject(&user, client, groups)))
    }
}

fn subject(user: &User, client: &RegisteredClient, groups: Vec<String>) -> Subject {
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let full = format!("{} {}", user.first_name.trim(), user.last_name.trim());
    let extra = client
        .claims
        .iter()
        .filter_map(|(attribute, claim)| user.attributes.get(attribute).map(|v| (claim.clone(), v.clone())))
        .collect();
    Subject {
        sub: user.id.to_string(),
        preferred_username: user.username.clone(),
        name: non_empty(&full),
        given_name: non_empty(&user.first_name),
        family_name: non_empty(&user.last_name),
        picture: user
            .attributes
            .get("picture")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        email: user.email.clone(),
        email_verified: user.email_verified,
        updated_at: None,
        groups,
        extra,
    }
}
