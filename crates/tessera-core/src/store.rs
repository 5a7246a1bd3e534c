//! Narrow storage traits. `tessera-store` implements them for SQLite and PostgreSQL; the web
//! layer only sees these. Every method that changes more than one row is one transaction.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::Email;
use crate::account::{Group, NewUser, ProfileUpdate, User, UserId};
use crate::jobs::Effects;

/// Effects that depend on which account a link turned out to belong to.
pub type EffectsFor<'a> = dyn Fn(UserId) -> Effects + Send + Sync + 'a;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A unique rule was hit; `field` names it ("username", "email", "group", …).
    #[error("that {field} is already taken")]
    Conflict { field: &'static str },
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The database could not be reached or timed out; worth retrying later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("storage error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
        self.create_user_with(new, &Effects::none()).await
    }
    /// Creates the account and writes `effects` in the same transaction.
    async fn create_user_with(&self, new: &NewUser, effects: &Effects) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>>;
    /// Case-insensitive.
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    /// Username or email, case-insensitive; a username match wins over an email match, and
    /// the account that proved the address over accounts that merely claim it (several may;
    /// then the newest, as the one most likely being set up right now).
    async fn user_by_login(&self, username_or_email: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    async fn update_profile(&self, id: UserId, update: &ProfileUpdate) -> StoreResult<User> {
        self.update_profile_with(id, update, &Effects::none()).await
    }
    async fn update_profile_with(&self, id: UserId, update: &ProfileUpdate, effects: &Effects) -> StoreResult<User>;
    /// Records `email` as the account's pending address (replacing any earlier request) and
    /// writes `effects` (its confirmation mail, the notice to the current address). The current
    /// address stays until the link is used. `Conflict { field: "email" }` when another account
    /// has proven that address or uses it as its username.
    async fn request_email_change(&self, id: UserId, email: &Email, effects: &Effects) -> StoreResult<User>;
    /// Drops the pending address and its confirmation links; `false` if there was none.
    async fn cancel_email_change(&self, id: UserId) -> StoreResult<bool>;
    /// Sets a new password, invalidates every outstanding reset link and ends every session
    /// of the account except `keep_session` (the digest of the one making the change).
    async fn set_password(&self, id: UserId, hash: &str, keep_session: Option<&str>) -> StoreResult<()> {
        self.set_password_with(id, hash, keep_session, &Effects::none()).await
    }
    async fn set_password_with(
        &self,
        id: UserId,
        hash: &str,
        keep_session: Option<&str>,
        effects: &Effects,
    ) -> StoreResult<()>;
    /// Replaces a legacy hash after a successful login, only if it is still `old_hash`.
    async fn upgrade_password_hash(&self, id: UserId, old_hash: &str, new_hash: &str) -> StoreResult<()>;
    /// Enables or disables the account, with `effects`, in one transaction. Disabling also
    /// ends every session and revokes every code and token the account holds, so nothing
    /// issued before keeps working. Either way the account no longer awaits activation (an
    /// admin's decision stands: activation never re-enables a disabled account).
    async fn set_active_with(&self, id: UserId, active: bool, effects: &Effects) -> StoreResult<User>;
    /// Sets the staff and superuser flags (a superuser is always staff).
    async fn set_flags_with(&self, id: UserId, staff: bool, superuser: bool, effects: &Effects) -> StoreResult<User>;
    /// Revokes every code and token the account holds; its sessions stay.
    async fn revoke_tokens_with(&self, id: UserId, effects: &Effects) -> StoreResult<()>;
    /// Deletes the account and everything that refers to it (upstream identities and their
    /// friends lists, sessions, consents, codes and tokens, mail links, upstream logins in
    /// flight, throttle counts, its pending mail and post jobs) in one transaction with
    /// `effects`. Audit events stay: they are the record of what happened, deletion included.
    async fn delete_user_with(&self, id: UserId, effects: &Effects) -> StoreResult<()>;
    async fn record_login(&self, id: UserId, at: OffsetDateTime) -> StoreResult<()>;
    /// Inserts or updates (by case-insensitive username) every account in one transaction,
    /// creating missing groups and adding memberships (never removing any).
    async fn import_users(&self, accounts: &[ImportedAccount]) -> Result<ImportSummary, ImportFailure>;
}

/// Why an import was rolled back; `index` is the 0-based position of the offending account.
#[derive(Debug, thiserror::Error)]
#[error("{}{error}", index.map(|i| format!("account #{i}: ")).unwrap_or_default())]
pub struct ImportFailure {
    pub index: Option<usize>,
    pub error: StoreError,
}

impl ImportFailure {
    pub fn whole(error: StoreError) -> Self {
        Self { index: None, error }
    }
}

#[derive(Debug, Clone)]
pub struct ImportedAccount {
    pub user: NewUser,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
}

#[async_trait]
pub trait GroupStore: Send + Sync {
    async fn create_group(&self, name: &str) -> StoreResult<()>;
    async fn add_to_group(&self, group: &str, user: UserId) -> StoreResult<()>;
    /// Returns whether the person was a member.
    async fn remove_from_group(&self, group: &str, user: UserId) -> StoreResult<bool>;
    async fn list_groups(&self) -> StoreResult<Vec<Group>>;
    async fn groups_of(&self, user: UserId) -> StoreResult<Vec<String>>;
    /// Deletes the group and its memberships (not its members); whether it existed.
    async fn delete_group(&self, name: &str) -> StoreResult<bool>;
    /// Renames the group, keeping its members. `NotFound("group")` for an unknown `old`,
    /// `Conflict { field: "group" }` when `new` exists.
    async fn rename_group(&self, old: &str, new: &str) -> StoreResult<()>;
}

/// A signed-in browser. Only the digest of the cookie value is stored.
#[derive(Clone, Debug)]
pub struct Session {
    pub id_digest: String,
    pub user_id: UserId,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// Absolute end, whatever the activity.
    pub expires_at: OffsetDateTime,
    pub auth_time: OffsetDateTime,
    /// How the person proved who they are (RFC 8176 values, e.g. "pwd").
    pub amr: String,
    /// The browser's `User-Agent` when the session started, at most
    /// [`SESSION_USER_AGENT_MAX`] characters, so the person can tell their sessions apart
    /// (ASVS 4.0.3 V3.3.4); `None` when it sent none (and for sessions from before 0011).
    pub user_agent: Option<String>,
    /// The client's address when the session started (behind a trusted proxy, the address it
    /// forwarded for).
    pub ip: Option<String>,
}

/// The longest `User-Agent` a session keeps, in characters.
pub const SESSION_USER_AGENT_MAX: usize = 512;

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    async fn session(&self, id_digest: &str) -> StoreResult<Option<Session>>;
    async fn touch_session(&self, id_digest: &str, at: OffsetDateTime) -> StoreResult<()>;
    async fn delete_session(&self, id_digest: &str) -> StoreResult<()>;
    /// The account's sessions, newest first.
    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<Session>>;
    /// Ends every session of the account, with `effects`, in one transaction; returns how many.
    async fn end_sessions_with(&self, user: UserId, effects: &Effects) -> StoreResult<u64>;
    /// Every session of the account but `keep` (its first second factor: browsers signed in
    /// without it are signed out).
    async fn end_other_sessions(&self, user: UserId, keep: &str) -> StoreResult<u64> {
        self.end_other_sessions_with(user, keep, &Effects::none()).await
    }
    /// Ends every session of the account but `keep`, in one transaction with `effects`, which
    /// are written only when at least one session ended; returns how many.
    async fn end_other_sessions_with(&self, user: UserId, keep: &str, effects: &Effects) -> StoreResult<u64>;
    /// Ends the session `id_digest` if it is one of `user`'s, in one transaction with
    /// `effects`, which are written only then; `false` (and nothing written) for a session of
    /// another account or none.
    async fn end_session_with(&self, user: UserId, id_digest: &str, effects: &Effects) -> StoreResult<bool>;
    /// Removes sessions past their absolute end or idle since `idle_before`.
    async fn delete_stale_sessions(&self, now: OffsetDateTime, idle_before: OffsetDateTime) -> StoreResult<u64>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailTokenPurpose {
    /// Proves the account's current address (after registration, or a resend).
    ConfirmEmail,
    ResetPassword,
    /// Proves a pending new address; using it makes that address the account's.
    ConfirmEmailChange,
    /// Mailed to the old address when a change is requested: cancels or reverts it.
    UndoEmailChange,
}

impl EmailTokenPurpose {
    pub const ALL: [EmailTokenPurpose; 4] = [
        Self::ConfirmEmail,
        Self::ResetPassword,
        Self::ConfirmEmailChange,
        Self::UndoEmailChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmEmail => "confirm_email",
            Self::ResetPassword => "reset_password",
            Self::ConfirmEmailChange => "confirm_email_change",
            Self::UndoEmailChange => "undo_email_change",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// What using a mailed link that proves an address did. Proving an address the account had
/// not proven before removes what was attached to it by whoever held it unproven (account
/// pre-hijacking, Sudhodanan & Paverd, USENIX Security 2022): the person is told what went.
#[derive(Clone, Debug)]
pub enum Proof {
    Proven {
        user: Box<User>,
        /// Upstream sign-ins removed, as (provider id, upstream username).
        removed_identities: Vec<(String, Option<String>)>,
        /// Sessions ended (other browsers signed in to the account).
        ended_sessions: u64,
    },
    /// Unknown, used, expired, or sent to an address the account no longer has.
    DeadLink,
    /// Another account proved this address first; nothing was changed.
    AddressTaken,
}

/// A single-use link sent by mail. `email` is the address it was sent to: a confirmation
/// only counts if the account still has that address.
#[derive(Clone, Debug)]
pub struct EmailToken {
    pub digest: String,
    pub user_id: UserId,
    pub purpose: EmailTokenPurpose,
    pub email: String,
    pub expires_at: OffsetDateTime,
}

#[async_trait]
pub trait EmailTokenStore: Send + Sync {
    async fn create_email_token(&self, token: &EmailToken) -> StoreResult<()>;
    /// Whose live link this is, without using it up (to decide whether to show the reset form).
    async fn email_token_owner(
        &self,
        digest: &str,
        purpose: EmailTokenPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<UserId>>;
    /// Uses up a confirmation link (current or pending address) and proves the address,
    /// atomically. `prover_session` is the digest of the session of the browser that opened
    /// the link, if any: when it is signed in to this very account, the prover is whoever
    /// attached its sign-ins, so they stay; otherwise sign-ins connected while the address was
    /// unproven (not the one the account was created with) and other sessions are removed.
    async fn confirm_email(&self, digest: &str, now: OffsetDateTime) -> StoreResult<Proof> {
        self.confirm_email_with(digest, now, None, &|_| Effects::none()).await
    }
    /// `effects` are written only if the address was proven.
    async fn confirm_email_with(
        &self,
        digest: &str,
        now: OffsetDateTime,
        prover_session: Option<&str>,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Proof>;
    /// Uses up a reset link, sets the password, proves the address, kills other reset links,
    /// every session and the account's app tokens. When the address had not been proven
    /// before, every upstream sign-in goes too: none was attached by the mailbox's owner.
    async fn reset_password(&self, digest: &str, new_hash: &str, now: OffsetDateTime) -> StoreResult<Proof> {
        self.reset_password_with(digest, new_hash, now, &|_| Effects::none())
            .await
    }
    async fn reset_password_with(
        &self,
        digest: &str,
        new_hash: &str,
        now: OffsetDateTime,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Proof>;
    /// Uses up an undo link mailed to the old address: a pending change is dropped; a change
    /// already confirmed is reverted to the old (now proven) address, every session ends and
    /// app tokens are revoked, since someone else may have made it. `None` for a dead link.
    async fn undo_email_change_with(
        &self,
        digest: &str,
        now: OffsetDateTime,
        effects: &EffectsFor<'_>,
    ) -> StoreResult<Option<UndoneChange>>;
    /// An administrator vouches that `email` is the account's (as `tessera user create`
    /// does): it becomes the proven address at once, with `effects`. A pending change and the
    /// links mailed for another address end; other accounts' claims on it end as a
    /// confirmation ends them. `AddressTaken` when another account proved it first.
    async fn vouch_for_address_with(&self, user: UserId, email: &Email, effects: &Effects) -> StoreResult<Proof>;
}

/// What an undo link did.
#[derive(Clone, Debug)]
pub enum UndoneChange {
    /// The change was still pending and is now dropped.
    Cancelled(User),
    /// The change had been confirmed; the old address is back and every session ended.
    Reverted(User),
    /// The change had been confirmed and the old address is now another account's.
    AddressTaken,
}

/// An entry for the append-only audit log. Never put secrets, hashes or tokens in `detail`.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub kind: String,
    pub user_id: Option<UserId>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub at: OffsetDateTime,
}

impl NewEvent {
    pub fn new(kind: &str, user_id: Option<UserId>, detail: serde_json::Value) -> Self {
        Self {
            kind: kind.to_owned(),
            user_id,
            detail,
            ip: None,
            user_agent: None,
            at: OffsetDateTime::now_utc(),
        }
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub user_id: Option<UserId>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Which audit events to read: all of them, or one account's, or those since a time.
#[derive(Clone, Copy, Debug)]
pub struct EventFilter {
    pub user: Option<UserId>,
    pub since: Option<OffsetDateTime>,
    pub limit: i64,
}

impl EventFilter {
    pub fn newest(limit: i64) -> Self {
        Self {
            user: None,
            since: None,
            limit,
        }
    }
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn record_event(&self, event: &NewEvent) -> StoreResult<()>;
    /// The events `filter` selects, newest first.
    async fn events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>>;
    /// The newest `limit` events, newest first.
    async fn recent_events(&self, limit: i64) -> StoreResult<Vec<Event>> {
        self.events(&EventFilter::newest(limit)).await
    }
}

#[async_trait]
pub trait Health: Send + Sync {
    /// A cheap round trip to the database.
    async fn ping(&self) -> StoreResult<()>;
    /// What is wrong with the database schema for this binary (older or newer than it was
    /// built for), with what to run; `None` when it is the right one.
    async fn schema_mismatch(&self) -> StoreResult<Option<String>>;
    /// The connection pool as it is now, for metrics; never waits for the database.
    fn pool_status(&self) -> PoolStatus;
}

/// How many database connections a node holds and may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Open connections, busy or idle.
    pub open: u32,
    /// Open connections waiting for work.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// What failures and requests are counted against (`scope`, with its `key`).
pub mod throttle_scope {
    /// Failed password logins of one account from one IP address: key [`pair_key`](super::pair_key).
    pub const LOGIN_PAIR: &str = "login_pair";
    /// Failed password logins from one IP address, whatever the account: key the address.
    pub const LOGIN_IP: &str = "login_ip";
    /// Failed password logins of one account, from anywhere: key its user id.
    pub const LOGIN_ACCOUNT: &str = "login_account";
    /// Failed client authentications of one client id from one IP address: key
    /// [`pair_key`](super::pair_key) of the id and the address.
    pub const CLIENT: &str = "client";
    /// Failed one-time codes (second factors) of one account: key its user id.
    pub const CODE: &str = "code";
    /// Requests that mail a link (reset, resend, registration) from one IP address: key the address.
    pub const MAIL_IP: &str = "mail_ip";
    /// Mails to one account that anyone may ask for: key its user id.
    pub const MAIL_ACCOUNT: &str = "mail_account";
    /// Helpdesk redirects of one account: key its user id.
    pub const HELPDESK: &str = "helpdesk";
}

/// The key of a count of one thing from one IP address: `"{thing}|{ip}"` (for `login_pair`
/// the thing is the user id or, for a name no account has, the folded login name).
pub fn pair_key(thing: &str, ip: &str) -> String {
    format!("{thing}|{ip}")
}

/// At most `max` requests per key in a window of `window_seconds` (from the window's first
/// request), counted in the same store as failures. `max` 0: no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub max: i64,
    pub window_seconds: i64,
}

impl RateLimit {
    /// The failure policy that counts requests and never blocks by itself: the verdict is
    /// taken from the count ([`RateLimit::retry_after`]), so the window is never extended by
    /// refused requests and always ends `window_seconds` after it started.
    pub fn counting(&self) -> ThrottlePolicy {
        ThrottlePolicy {
            window_seconds: self.window_seconds,
            free_failures: 0,
            delay_base_seconds: 0,
            delay_max_seconds: 0,
            lockout_after: 0,
            lockout_seconds: 0,
        }
    }

    /// Whole seconds until the window ends when the request that brought the count to
    /// `state` is over the limit; `None` when it is within it.
    pub fn retry_after(&self, state: &Throttle, now: OffsetDateTime) -> Option<u64> {
        if self.max <= 0 || state.failures <= self.max {
            return None;
        }
        let ends = state.window_start.saturating_add(self.window_seconds);
        let left = ends - now.unix_timestamp();
        Some(u64::try_from(left).unwrap_or(0).max(1))
    }
}

/// How failures of one (scope, key) turn into a block, in seconds. Zero turns a part off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// A failure after the window (counted from the first failure) starts a new count,
    /// unless the key is blocked at that moment.
    pub window_seconds: i64,
    /// Failures that cost nothing; each further one blocks for a delay.
    pub free_failures: i64,
    /// The delay after the first failure past the free ones; it doubles with each more.
    pub delay_base_seconds: i64,
    pub delay_max_seconds: i64,
    /// From this many failures on, each failure locks the key for `lockout_seconds`.
    pub lockout_after: i64,
    pub lockout_seconds: i64,
}

impl ThrottlePolicy {
    /// How long the `failures`-th failure of a window blocks the key.
    pub fn block_seconds(&self, failures: i64) -> i64 {
        if self.lockout_after > 0 && failures >= self.lockout_after {
            return self.lockout_seconds;
        }
        let past_free = failures - self.free_failures;
        if past_free <= 0 || self.delay_base_seconds <= 0 {
            return 0;
        }
        let doublings = u32::try_from(past_free - 1).unwrap_or(u32::MAX).min(40);
        self.delay_base_seconds
            .saturating_mul(1_i64 << doublings)
            .min(self.delay_max_seconds.max(self.delay_base_seconds))
    }

    /// Whether the `failures`-th failure is the one that crosses the lockout threshold.
    pub fn locks_out_at(&self, failures: i64) -> bool {
        self.lockout_after > 0 && failures == self.lockout_after
    }
}

/// The count of one (scope, key) as the store has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// Failures in the current window.
    pub failures: i64,
    /// Unix seconds of the window's first failure.
    pub window_start: i64,
    /// Unix seconds; no attempt is checked before this (0: not blocked).
    pub blocked_until: i64,
}

impl Throttle {
    /// Whole seconds until the block ends (rounded up), or `None` when not blocked at `now`.
    pub fn retry_after(&self, now: OffsetDateTime) -> Option<u64> {
        let left = self.blocked_until - now.unix_timestamp();
        u64::try_from(left).ok().filter(|s| *s > 0)
    }
}

/// Counts of failed attempts, shared by every node. Each call is one atomic statement or
/// transaction: concurrent failures on any number of nodes each count once.
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Counts one failure (starting a new window when the last one is over and the key is not
    /// blocked) and blocks the key as `policy` says for the new count; a block only ever
    /// moves later. Returns the count after this failure.
    async fn record_failure(
        &self,
        scope: &str,
        key: &str,
        now: OffsetDateTime,
        policy: &ThrottlePolicy,
    ) -> StoreResult<Throttle>;
    /// The count as it stands (whether or not its window is over), `None` when there is none.
    async fn throttle_state(&self, scope: &str, key: &str) -> StoreResult<Option<Throttle>>;
    /// The latest `blocked_until` (Unix seconds) of the given (scope, key) counts, in one
    /// read; 0 when none is blocked or counted.
    async fn blocked_until(&self, keys: &[(&str, &str)]) -> StoreResult<i64>;
    /// Forgets the count of one key; `false` if there was none.
    async fn clear_throttle(&self, scope: &str, key: &str) -> StoreResult<bool>;
    /// Removes counts that no longer matter: not blocked at `now`, and their window started
    /// before `window_started_before` (now minus the longest window any policy uses: the next
    /// failure would start a new count anyway). Returns how many went.
    async fn purge_throttles(&self, now: OffsetDateTime, window_started_before: OffsetDateTime) -> StoreResult<u64>;
    /// Forgets the account's `login_account` count and every `login_pair` count of the account
    /// (keys starting with `"{user_id}|"`); returns how many counts went.
    async fn clear_account_throttles(&self, user: UserId) -> StoreResult<u64>;
}

#[cfg(test)]
mod tests {
    use super::{RateLimit, Throttle, ThrottlePolicy};
    use time::OffsetDateTime;

    #[test]
    fn a_rate_limit_refuses_past_its_max_until_the_window_ends() {
        let limit = RateLimit {
            max: 3,
            window_seconds: 600,
        };
        assert_eq!(limit.counting().block_seconds(1_000), 0);
        let now = OffsetDateTime::from_unix_timestamp(10_000).unwrap();
        let state = |failures| Throttle {
            failures,
            window_start: 9_900,
            blocked_until: 0,
        };
        assert_eq!(limit.retry_after(&state(3), now), None);
        assert_eq!(limit.retry_after(&state(4), now), Some(500));
        let late = OffsetDateTime::from_unix_timestamp(10_600).unwrap();
        assert_eq!(
            limit.retry_after(&state(4), late),
            Some(1),
            "never 0: the header says wait"
        );
        let off = RateLimit { max: 0, ..limit };
        assert_eq!(off.retry_after(&state(1_000), now), None);
    }

    #[test]
    fn delays_double_past_the_free_failures_up_to_the_cap_then_lock_out() {
        let policy = ThrottlePolicy {
            window_seconds: 3600,
            free_failures: 5,
            delay_base_seconds: 1,
            delay_max_seconds: 60,
            lockout_after: 20,
            lockout_seconds: 900,
        };
        let blocks: Vec<i64> = (1..=21).map(|n| policy.block_seconds(n)).collect();
        assert_eq!(
            blocks,
            [
                0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60, 60, 900, 900
            ]
        );
        assert!(policy.locks_out_at(20) && !policy.locks_out_at(21) && !policy.locks_out_at(19));
        let lockout_only = ThrottlePolicy {
            delay_base_seconds: 0,
            ..policy
        };
        assert_eq!(lockout_only.block_seconds(19), 0);
        assert_eq!(lockout_only.block_seconds(1_000_000), 900);
        let never = ThrottlePolicy {
            lockout_after: 0,
            ..policy
        };
        assert_eq!(never.block_seconds(i64::MAX), 60);
    }
}
