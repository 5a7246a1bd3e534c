//! What an administrator does to an account from the command line (`tessera user …`), as
//! outcomes for the CLI to print. Each change is one store transaction with its audit event
//! (kind `admin.*`, actor `cli`) and, where sessions end, the back-channel logout jobs for
//! the apps that were given tokens in them; a running node's job worker delivers those.

use serde_json::json;
use tessera_core::factors::FactorsRemoved;
use tessera_core::jobs::{Effects, NewJob};
use tessera_core::store::{Proof, Session, StoreError};
use tessera_core::{Email, User};

use crate::jobs::effects::{self, Actor};
use crate::oidc::backchannel;
use crate::state::AppState;

/// Who acted, in the audit log: the command line, from no address.
fn cli() -> Actor {
    Actor {
        ip: None,
        user_agent: Some("tessera-cli".to_owned()),
    }
}

/// An account's sessions ended: how many, and how many app logouts were queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Ended {
    pub sessions: u64,
    pub backchannel_logouts: usize,
}

/// The back-channel logout jobs for `sessions` of `user` (also for the account page, where a
/// person ends their own sessions).
pub(crate) async fn logouts_of(state: &AppState, user: &User, sessions: &[Session]) -> Result<Vec<NewJob>, StoreError> {
    let mut jobs = Vec::new();
    for session in sessions {
        jobs.extend(backchannel::logout_jobs(state, &session.id_digest, &user.id.to_string()).await?);
    }
    Ok(jobs)
}

fn event(state: &AppState, kind: &str, user: &User, detail: serde_json::Value) -> Effects {
    effects::event(state, kind, Some(user.id), detail, &cli())
}

/// Disables the account: no login, no helpdesk redirect, its sessions ended and its tokens
/// revoked, its apps told. Disabling a disabled account changes nothing more.
pub async fn disable(state: &AppState, user: &User) -> Result<(User, Ended), StoreError> {
    let sessions = state.store.sessions_of(user.id).await?;
    let logouts = logouts_of(state, user, &sessions).await?;
    let count = logouts.len();
    let mut fx = event(
        state,
        "admin.user_disabled",
        user,
        json!({ "username": user.username.as_str() }),
    );
    fx.jobs.extend(logouts);
    let user = state.store.set_active_with(user.id, false, &fx).await?;
    Ok((
        user,
        Ended {
            sessions: sessions.len() as u64,
            backchannel_logouts: count,
        },
    ))
}

pub async fn enable(state: &AppState, user: &User) -> Result<User, StoreError> {
    let fx = event(
        state,
        "admin.user_enabled",
        user,
        json!({ "username": user.username.as_str() }),
    );
    state.store.set_active_with(user.id, true, &fx).await
}

/// Ends every session of the account (sign-in needed again everywhere); tokens stay.
pub async fn end_sessions(state: &AppState, user: &User) -> Result<Ended, StoreError> {
    let sessions = state.store.sessions_of(user.id).await?;
    let logouts = logouts_of(state, user, &sessions).await?;
    let count = logouts.len();
    let mut fx = event(state, "admin.sessions_ended", user, json!({}));
    fx.jobs.extend(logouts);
    let sessions = state.store.end_sessions_with(user.id, &fx).await?;
    Ok(Ended {
        sessions,
        backchannel_logouts: count,
    })
}

/// Removes every second factor and recovery code of the account and ends its sessions (and
/// tells its apps); the person is mailed, since a reset they did not ask for is an alarm.
pub async fn reset_mfa(state: &AppState, user: &User) -> Result<(FactorsRemoved, Ended), StoreError> {
    let sessions = state.store.sessions_of(user.id).await?;
    let logouts = logouts_of(state, user, &sessions).await?;
    let count = logouts.len();
    let mut fx = event(state, "admin.mfa_reset", user, json!({}));
    fx.jobs.extend(logouts);
    fx.jobs.push(crate::accounts::notice(
        state,
        user.id,
        crate::accounts::Notice::FactorsReset,
    ));
    let removed = state.store.reset_factors_with(user.id, &fx).await?;
    let ended = Ended {
        sessions: removed.sessions,
        backchannel_logouts: count,
    };
    Ok((removed, ended))
}

/// Revokes every code, access token and refresh token of the account.
pub async fn revoke_tokens(state: &AppState, user: &User) -> Result<(), StoreError> {
    let fx = event(state, "admin.tokens_revoked", user, json!({}));
    state.store.revoke_tokens_with(user.id, &fx).await
}

/// Sets the staff and superuser flags; `None` keeps a flag as it is.
pub async fn set_flags(
    state: &AppState,
    user: &User,
    staff: Option<bool>,
    superuser: Option<bool>,
) -> Result<User, StoreError> {
    let superuser = superuser.unwrap_or(user.is_superuser);
    let staff = staff.unwrap_or(user.is_staff) || superuser;
    let fx = event(
        state,
        "admin.flags_changed",
        user,
        json!({ "is_staff": staff, "is_superuser": superuser }),
    );
    state.store.set_flags_with(user.id, staff, superuser, &fx).await
}

/// Deletes the account and everything that refers to it in one transaction, which also
/// queues the back-channel logouts of its sessions (they outlive the account: the apps must
/// still hear of it).
pub async fn delete(state: &AppState, user: &User) -> Result<Ended, StoreError> {
    let fx = event(
        state,
        "admin.user_deleted",
        user,
        json!({ "username": user.username.as_str() }),
    );
    delete_with(state, user, fx).await
}

/// Deletes the account as [`delete`] does, with `fx` (the audit event of whoever deletes it,
/// and any jobs of theirs) and the back-channel logouts of its sessions, in one transaction:
/// `tessera user delete` and the person's own "Delete my account" both end here.
pub(crate) async fn delete_with(state: &AppState, user: &User, mut fx: Effects) -> Result<Ended, StoreError> {
    let sessions = state.store.sessions_of(user.id).await?;
    let logouts = logouts_of(state, user, &sessions).await?;
    let count = logouts.len();
    fx.jobs.extend(logouts);
    state.store.delete_user_with(user.id, &fx).await?;
    Ok(Ended {
        sessions: sessions.len() as u64,
        backchannel_logouts: count,
    })
}

/// Makes `email` the account's confirmed address: the admin vouches for it, as `user create`
/// does. `Conflict { field: "email" }` when another account has proven it.
pub async fn set_email(state: &AppState, user: &User, email: &Email) -> Result<User, StoreError> {
    let fx = event(state, "admin.email_set", user, json!({ "email": email.as_str() }));
    proven(state.store.vouch_for_address_with(user.id, email, &fx).await?)
}

/// Marks the account's current address as confirmed. `NotFound("email")` when it has none.
pub async fn confirm_email(state: &AppState, user: &User) -> Result<User, StoreError> {
    let Some(address) = user.email.as_deref() else {
        return Err(StoreError::NotFound("email address"));
    };
    let email = Email::parse(address).map_err(|e| StoreError::Other(format!("the stored address: {e}")))?;
    let fx = event(state, "admin.email_confirmed", user, json!({ "email": address }));
    proven(state.store.vouch_for_address_with(user.id, &email, &fx).await?)
}

fn proven(proof: Proof) -> Result<User, StoreError> {
    match proof {
        Proof::Proven { user, .. } => Ok(*user),
        Proof::AddressTaken | Proof::DeadLink => Err(StoreError::Conflict { field: "email" }),
    }
}

/// Removes every link of the account to `provider`; the providers' subjects that went.
/// An admin may remove the last way in: the person then signs in after a password reset.
pub async fn unlink(state: &AppState, user: &User, provider: &str) -> Result<Vec<String>, StoreError> {
    let mut removed = Vec::new();
    for identity in state.store.identities_of(user.id).await? {
        if identity.provider != provider {
            continue;
        }
        let fx = event(state, "identity.unlinked", user, json!({ "provider": provider }));
        if state
            .store
            .unlink_identity_with(user.id, provider, &identity.subject, &fx)
            .await?
        {
            removed.push(identity.subject);
        }
    }
    Ok(removed)
}
