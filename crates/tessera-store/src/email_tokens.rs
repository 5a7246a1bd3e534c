use async_trait::async_trait;
use tessera_core::jobs::Effects;
use tessera_core::store::{
    EffectsFor, EmailToken, EmailTokenPurpose, EmailTokenStore, Proof, StoreError, StoreResult, UndoneChange, UserStore,
};
use tessera_core::{Email, UserId};
use time::OffsetDateTime;

use crate::jobs::commit_with_effects;
use crate::rows::{to_unix, user_id};
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

/// What proving an address removes from the account (see [`Proof`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Removal {
    /// The account had proven its address before, or the prover is signed in to it.
    Nothing,
    /// Upstream sign-ins connected after the account was created, and every session but
    /// the prover's own.
    LaterSignIns,
    /// Every upstream sign-in (sessions end with the reset).
    AllSignIns,
}

/// The account's address state, read inside `$tx`.
struct AccountRow {
    email_folded: Option<String>,
    verified: bool,
    pending_folded: Option<String>,
}

macro_rules! account_row {
    ($tx:expr, $user:expr) => {{
        let row: Option<(Option<String>, bool, Option<String>)> =
            sqlx::query_as("SELECT email_folded, email_verified, pending_email_folded FROM users WHERE id = $1")
                .bind($user)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(map_sqlx)?;
        row.map(|(email_folded, verified, pending_folded)| AccountRow {
            email_folded,
            verified,
            pending_folded,
        })
    }};
}

/// Proves `$folded` for account `$user` inside `$tx`: `None` when another account proved it
/// first (the caller returns without committing); otherwise removes what `$removal` says,
/// ends other accounts' claims on the address, and yields (removed identities, ended sessions).
macro_rules! prove_address {
    ($tx:expr, $user:expr, $folded:expr, $removal:expr, $keep_session:expr) => {{
        let taken: Option<(String,)> =
            sqlx::query_as("SELECT id FROM users WHERE email_folded = $1 AND email_verified AND id <> $2 LIMIT 1")
                .bind($folded)
                .bind($user)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(map_sqlx)?;
        if taken.is_some() {
            None
        } else {
            let mut removed: Vec<(String, Option<String>)> = Vec::new();
            let mut ended = 0;
            if $removal != Removal::Nothing {
                let sql = if $removal == Removal::AllSignIns {
                    "DELETE FROM identities WHERE user_id = $1 RETURNING provider, subject, username"
                } else {
                    "DELETE FROM identities WHERE user_id = $1 AND NOT founding RETURNING provider, subject, username"
                };
                let gone: Vec<(String, String, Option<String>)> = sqlx::query_as(sql)
                    .bind($user)
                    .fetch_all(&mut *$tx)
                    .await
                    .map_err(map_sqlx)?;
                for (provider, subject, username) in gone {
                    // The friends list came with the identity; it goes with it.
                    sqlx::query("DELETE FROM contacts WHERE provider = $1 AND subject = $2")
                        .bind(&provider)
                        .bind(&subject)
                        .execute(&mut *$tx)
                        .await
                        .map_err(map_sqlx)?;
                    removed.push((provider, username));
                }
                ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest IS DISTINCT FROM $2")
                    .bind($user)
                    .bind($keep_session)
                    .execute(&mut *$tx)
                    .await
                    .map_err(map_sqlx)?
                    .rows_affected();
            }
            crate::users::release_claims!($tx, $user, $folded);
            Some((removed, ended))
        }
    }};
}

#[async_trait]
impl EmailTokenStore for SqlStore {
    async fn create_email_token(&self, t: &EmailToken) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO email_tokens (digest, user_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&t.digest).bind(t.user_id.to_string()).bind(t.purpose.as_str()).bind(&t.email).bind(to_unix(t.expires_at))
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn email_token_owner(
        &self,
        digest: &str,
        purpose: EmailTokenPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<UserId>> {
        let row: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT user_id FROM email_tokens WHERE digest = $1 AND purpose = $2 AND expires_at > $3")
                .bind(digest).bind(purpose.as_str()).bind(to_unix(now))
                .fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(|(id,)| user_id(&id)).transpose()
    }

    async fn confirm_email_with(
        &self,
        digest: &str,
        now: OffsetDateTime,
        prover_session: Option<&str>,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Proof> {
        let proven = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            // DELETE … RETURNING makes the link single-use even under concurrent clicks.
            let token: Option<(String, String, String)> = sqlx::query_as(
                "DELETE FROM email_tokens WHERE digest = $1 AND purpose IN ('confirm_email', 'confirm_email_change') \
                 AND expires_at > $2 RETURNING user_id, email, purpose",
            )
            .bind(digest).bind(to_unix(now)).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            let Some((user, email, purpose)) = token else { return Ok(Proof::DeadLink) };
            let Some(account) = account_row!(tx, &user) else { return Ok(Proof::DeadLink) };
            // Only the address the link was sent to can be confirmed by it, compared the way
            // the store compares addresses everywhere else (folded, not byte for byte).
            let folded = email.to_lowercase();
            let change = purpose == EmailTokenPurpose::ConfirmEmailChange.as_str();
            let still_asked = if change {
                account.pending_folded.as_deref() == Some(folded.as_str())
            } else {
                account.email_folded.as_deref() == Some(folded.as_str())
            };
            if !still_asked {
                tx.commit().await.map_err(map_sqlx)?;
                return Ok(Proof::DeadLink);
            }
            let prover_is_holder = match prover_session {
                Some(session) => sqlx::query_as::<_, (String,)>("SELECT user_id FROM sessions WHERE id_digest = $1 AND user_id = $2")
                    .bind(session).bind(&user).fetch_optional(&mut *tx).await.map_err(map_sqlx)?.is_some(),
                None => false,
            };
            // Sign-ins attached while no address was proven were attached by someone who had
            // not proven one; unless the prover is signed in as this account (then it is them),
            // all but the one the account was made with go, and so do other browsers' sessions.
            let removal = if account.verified || prover_is_holder {
                Removal::Nothing
            } else {
                Removal::LaterSignIns
            };
            let Some((removed_identities, ended_sessions)) = prove_address!(tx, &user, &folded, removal, prover_session) else {
                return Ok(Proof::AddressTaken);
            };
            if change {
                sqlx::query(
                    "UPDATE users SET email = $2, email_folded = $3, email_verified = TRUE, pending_email = NULL, \
                     pending_email_folded = NULL WHERE id = $1",
                )
                .bind(&user).bind(&email).bind(&folded).execute(&mut *tx).await.map_err(map_sqlx)?;
                // Links mailed to the old address (reset, confirmation) end with it; undo stays.
                sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose IN ('reset_password', 'confirm_email')")
                    .bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?;
            } else {
                sqlx::query("UPDATE users SET email_verified = TRUE WHERE id = $1")
                    .bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?;
            }
            commit_with_effects!(tx, effects(user_id(&user)?))?;
            (user, removed_identities, ended_sessions)
        });
        self.proof(proven).await
    }

    async fn reset_password_with(
        &self,
        digest: &str,
        new_hash: &str,
        now: OffsetDateTime,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Proof> {
        let proven = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let token: Option<(String, String)> = sqlx::query_as(
                "DELETE FROM email_tokens WHERE digest = $1 AND purpose = 'reset_password' AND expires_at > $2 \
                 RETURNING user_id, email",
            )
            .bind(digest).bind(to_unix(now)).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            let Some((user, email)) = token else { return Ok(Proof::DeadLink) };
            let Some(account) = account_row!(tx, &user) else { return Ok(Proof::DeadLink) };
            let folded = email.to_lowercase();
            if account.email_folded.as_deref() != Some(folded.as_str()) {
                tx.commit().await.map_err(map_sqlx)?;
                return Ok(Proof::DeadLink);
            }
            // The mailbox's owner takes the account over without knowing how it was set up:
            // if the address was not proven before, no sign-in on it was theirs.
            let removal = if account.verified { Removal::Nothing } else { Removal::AllSignIns };
            let Some((removed_identities, ended_sessions)) = prove_address!(tx, &user, &folded, removal, None::<&str>) else {
                return Ok(Proof::AddressTaken);
            };
            sqlx::query("UPDATE users SET password_hash = $2, email_verified = TRUE WHERE id = $1")
                .bind(&user).bind(new_hash).execute(&mut *tx).await.map_err(map_sqlx)?;
            sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = 'reset_password'")
                .bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?;
            let signed_out = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            crate::oidc::revoke_tokens_of_user!(tx, &user);
            commit_with_effects!(tx, effects(user_id(&user)?))?;
            (user, removed_identities, ended_sessions + signed_out)
        });
        self.proof(proven).await
    }

    async fn vouch_for_address_with(&self, user: UserId, email: &Email, effects: &Effects) -> StoreResult<Proof> {
        let id = user.to_string();
        let folded = email.as_str().to_lowercase();
        let proven = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let Some(account) = account_row!(tx, &id) else { return Err(StoreError::NotFound("user")) };
            // The admin vouches for the account as a whole, as `user create` does: no sign-in
            // is removed, unlike a confirmation link that anyone holding the address can use.
            let Some((removed_identities, ended_sessions)) = prove_address!(tx, &id, &folded, Removal::Nothing, None::<&str>) else {
                return Ok(Proof::AddressTaken);
            };
            sqlx::query(
                "UPDATE users SET email = $2, email_folded = $3, email_verified = TRUE, pending_email = NULL, \
                 pending_email_folded = NULL WHERE id = $1",
            )
            .bind(&id).bind(email.as_str()).bind(&folded).execute(&mut *tx).await.map_err(map_sqlx)?;
            let purposes = if account.email_folded.as_deref() == Some(folded.as_str()) {
                // Same address: only the pending change's links end.
                "DELETE FROM email_tokens WHERE user_id = $1 AND purpose IN ('confirm_email', 'confirm_email_change')"
            } else {
                // Links mailed to the old or the pending address end with them.
                "DELETE FROM email_tokens WHERE user_id = $1 AND purpose IN ('reset_password', 'confirm_email', 'confirm_email_change')"
            };
            sqlx::query(purposes).bind(&id).execute(&mut *tx).await.map_err(map_sqlx)?;
            commit_with_effects!(tx, effects)?;
            (id, removed_identities, ended_sessions)
        });
        self.proof(proven).await
    }

    async fn undo_email_change_with(
        &self,
        digest: &str,
        now: OffsetDateTime,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Option<UndoneChange>> {
        let undone = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let token: Option<(String, String)> = sqlx::query_as(
                "DELETE FROM email_tokens WHERE digest = $1 AND purpose = 'undo_email_change' AND expires_at > $2 \
                 RETURNING user_id, email",
            )
            .bind(digest).bind(to_unix(now)).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            let Some((user, old_email)) = token else { return Ok(None) };
            let Some(account) = account_row!(tx, &user) else { return Ok(None) };
            let old_folded = old_email.to_lowercase();
            sqlx::query("UPDATE users SET pending_email = NULL, pending_email_folded = NULL WHERE id = $1")
                .bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?;
            sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = 'confirm_email_change'")
                .bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?;
            let reverted = account.email_folded.as_deref() != Some(old_folded.as_str());
            if reverted {
                // Following the link proves the old mailbox; whoever switched the address
                // away from it may hold this account, so every session and app token ends.
                if prove_address!(tx, &user, &old_folded, Removal::Nothing, None::<&str>).is_none() {
                    return Ok(Some(UndoneChange::AddressTaken));
                }
                sqlx::query("UPDATE users SET email = $2, email_folded = $3, email_verified = TRUE WHERE id = $1")
                    .bind(&user).bind(&old_email).bind(&old_folded).execute(&mut *tx).await.map_err(map_sqlx)?;
                sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose IN ('reset_password', 'confirm_email')")
                    .bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(&user).execute(&mut *tx).await.map_err(map_sqlx)?;
                crate::oidc::revoke_tokens_of_user!(tx, &user);
            }
            commit_with_effects!(tx, effects(user_id(&user)?))?;
            (user, reverted)
        });
        let (user, reverted) = undone;
        let user = self
            .user_by_id(user_id(&user)?)
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        Ok(Some(if reverted {
            UndoneChange::Reverted(user)
        } else {
            UndoneChange::Cancelled(user)
        }))
    }
}

impl SqlStore {
    async fn proof(&self, proven: (String, Vec<(String, Option<String>)>, u64)) -> StoreResult<Proof> {
        let (user, removed_identities, ended_sessions) = proven;
        let user = self
            .user_by_id(user_id(&user)?)
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        Ok(Proof::Proven {
            user: Box::new(user),
            removed_identities,
            ended_sessions,
        })
    }
}
