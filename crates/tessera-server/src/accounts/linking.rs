//! Connecting and disconnecting upstream accounts, account side: what a connection activates,
//! and the rule that the last way to log in cannot be removed. (Connecting itself is the
//! pipeline's `connect_to`.)

use serde_json::json;
use tessera_core::User;

use super::{AccountError, Accounts};
use crate::config::RegistrationMode;
use crate::jobs::effects::{self, Actor};

/// What asking to disconnect an upstream account led to.
pub enum Disconnect {
    /// Disconnected (or it was not connected to this account: nothing to do).
    Done,
    /// Refused: it is the account's only way to log in.
    OnlyWayIn,
}

impl Accounts {
    /// Hybrid registration: connecting a provider activates the account. Only one still waiting
    /// for its first activation, never one an admin disabled. Whether it was activated.
    pub(super) async fn activate_if_awaiting(&self, user: &User) -> Result<bool, AccountError> {
        let activating =
            !user.is_active && self.config.registration == RegistrationMode::Hybrid && user.awaiting_activation;
        if activating {
            self.store.activate_user(user.id).await?;
        }
        Ok(activating)
    }

    /// Disconnects `user`'s link to (`provider`, `subject`), unless no way to log in would be left.
    pub async fn disconnect(
        &self,
        user: &User,
        provider: &str,
        subject: &str,
        actor: &Actor,
    ) -> Result<Disconnect, AccountError> {
        if !self.has_another_way_in(user, provider, subject).await? {
            return Ok(Disconnect::OnlyWayIn);
        }
        let detail = json!({ "provider": provider });
        let event = effects::event(self, "identity.unlinked", Some(user.id), detail, actor);
        self.store
            .unlink_identity_with(user.id, provider, subject, &event)
            .await?;
        Ok(Disconnect::Done)
    }

    /// Ways in that still work without this link: a usable password, or links to upstreams
    /// still configured (one whose upstream was removed cannot sign anyone in).
    async fn has_another_way_in(&self, user: &User, provider: &str, subject: &str) -> Result<bool, AccountError> {
        let usable_password = user
            .password_hash
            .as_deref()
            .is_some_and(|h| h.starts_with("$argon2") || h.starts_with("pbkdf2_sha256$"));
        let identities = self.store.identities_of(user.id).await?;
        Ok(usable_password
            || identities
                .iter()
                .filter(|i| !(i.provider == provider && i.subject == subject))
                .any(|i| self.configured_upstream(&i.provider).is_some()))
    }
}
