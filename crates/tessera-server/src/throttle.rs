//! Applying `security.throttle` (ASVS 4.0.3 V2.2.1 anti-automation, V11.1.4 business-logic
//! limits). Two kinds of count share one table, so every node sees the same numbers:
//!
//! - **failures** (password logins, client authentications, one-time codes): an attempt is
//!   refused unchecked while any of its counts is blocked; a failure is charged to each count
//!   and earns the delay or lockout its policy gives; crossing a lockout threshold is audited.
//! - **rates** (mails anyone may ask for, helpdesk sign-ins): every request is charged, and
//!   one past the limit is refused until the window ends. The charge and the verdict are one
//!   atomic statement, so concurrent requests on any number of nodes cannot overshoot.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use tessera_core::UserId;
use tessera_core::store::{RateLimit, StoreError, Throttle, ThrottlePolicy, throttle_scope};
use time::OffsetDateTime;

use crate::jobs::effects::{self, Actor, Context};

/// One count an attempt is charged to.
pub struct Count<'a> {
    pub scope: &'static str,
    pub key: &'a str,
    pub policy: ThrottlePolicy,
    /// The account the count is about, for the lockout's audit event (`None` for an IP's or
    /// a client's count).
    pub user: Option<UserId>,
}

/// How long a key that just authenticated skips the read of its count (see [`RecentPasses`]).
const PASS_FRESH_FOR: Duration = Duration::from_secs(2);

/// Counted keys at most: past it the memory starts again empty (only a cost, never a hole).
const PASSES_KEPT: usize = 10_000;

/// Keys (a client id and an IP address) that authenticated successfully within the last
/// [`PASS_FRESH_FOR`], so that their next attempt on this node skips the one read of
/// `blocked_until` the throttle costs: on `/token`, `/introspect` and `/revoke` that read
/// was a database round trip per request for every well-behaved client.
///
/// Why it is safe: only a key whose last attempt *succeeded* is remembered, and a failure
/// forgets it before it is counted, so a guesser (whose attempts fail) is checked against the
/// shared count on every attempt. A lockout set by another node reaches a remembered key
/// here at most [`PASS_FRESH_FOR`] later, and only a caller from that IP holding the right
/// secret could have been let through meanwhile.
#[derive(Default)]
pub struct RecentPasses {
    seen: Mutex<HashMap<String, Instant>>,
}

impl RecentPasses {
    /// Whether `key` authenticated within [`PASS_FRESH_FOR`] on this node.
    pub fn fresh(&self, key: &str) -> bool {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.get(key).is_some_and(|at| at.elapsed() < PASS_FRESH_FOR)
    }

    pub fn passed(&self, key: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= PASSES_KEPT {
            seen.clear();
        }
        seen.insert(key.to_owned(), Instant::now());
    }

    pub fn failed(&self, key: &str) {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}

/// Whole seconds until every count lets an attempt through (one read); `None`: none blocks.
pub async fn retry_after(cx: &impl Context, counts: &[Count<'_>]) -> Result<Option<u64>, StoreError> {
    let keys: Vec<(&str, &str)> = counts.iter().map(|c| (c.scope, c.key)).collect();
    let blocked_until = cx.store().blocked_until(&keys).await?;
    let state = Throttle {
        failures: 0,
        window_start: 0,
        blocked_until,
    };
    Ok(state.retry_after(OffsetDateTime::now_utc()))
}

/// A failure, charged to every count; returns each count as it now stands. A count crossing
/// its lockout threshold is logged and audited (`user.lockout`, or `client.lockout` for a
/// client's count) with its scope and key.
pub async fn record_failure(
    cx: &impl Context,
    counts: &[Count<'_>],
    actor: &Actor,
) -> Result<Vec<Throttle>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let mut states = Vec::with_capacity(counts.len());
    for count in counts {
        let state = cx
            .store()
            .record_failure(count.scope, count.key, now, &count.policy)
            .await?;
        if count.policy.locks_out_at(state.failures) {
            let kind = lockout_event(count.scope);
            tracing::warn!(
                kind,
                scope = count.scope,
                key = count.key,
                failures = state.failures,
                "lockout"
            );
            let detail = json!({
                "scope": count.scope,
                "key": count.key,
                "failures": state.failures,
                "blocked_until": state.blocked_until,
            });
            effects::emit(cx, effects::event(cx, kind, count.user, detail, actor)).await?;
        }
        states.push(state);
    }
    Ok(states)
}

/// Charges an attempt before it is checked (a success clears the count again): each
/// attempt gets its own place in the count from one atomic statement, so however many arrive
/// at once, none past the lockout threshold is checked. `Some(seconds)` refuses this one.
pub async fn charge_first(cx: &impl Context, counts: &[Count<'_>], actor: &Actor) -> Result<Option<u64>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let states = record_failure(cx, counts, actor).await?;
    let past_lockout = counts
        .iter()
        .zip(&states)
        .filter(|(c, s)| c.policy.lockout_after > 0 && s.failures > c.policy.lockout_after)
        .map(|(_, s)| s.retry_after(now).unwrap_or(1))
        .max();
    Ok(past_lockout)
}

fn lockout_event(scope: &str) -> &'static str {
    if scope == throttle_scope::CLIENT {
        "client.lockout"
    } else {
        "user.lockout"
    }
}

/// Charges one request to a rate limit: `Some(seconds to wait)` when it is over the limit
/// (the request must not go ahead), `None` when it may. A limit of 0 charges nothing.
pub async fn take(
    cx: &impl Context,
    scope: &'static str,
    key: &str,
    limit: RateLimit,
) -> Result<Option<u64>, StoreError> {
    if limit.max <= 0 {
        return Ok(None);
    }
    let now = OffsetDateTime::now_utc();
    let state = cx.store().record_failure(scope, key, now, &limit.counting()).await?;
    let wait = limit.retry_after(&state, now);
    if wait.is_some() && state.failures == limit.max + 1 {
        tracing::warn!(scope, key, max = limit.max, "rate limit reached");
    }
    Ok(wait)
}

/// What a person is told when a count refused them.
pub fn too_many_text(retry_after_seconds: u64) -> String {
    tr!("throttled", wait = wait_text(retry_after_seconds))
}

/// "Try again in …" for a person: minutes, or seconds under two minutes.
fn wait_text(seconds: u64) -> String {
    match seconds {
        0..=119 => tr!("wait-seconds", count = seconds.max(1)),
        _ => tr!("wait-minutes", count = seconds.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::wait_text;

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_text(1), "1 second");
        assert_eq!(wait_text(45), "45 seconds");
        assert_eq!(wait_text(119), "119 seconds");
        assert_eq!(wait_text(120), "2 minutes");
        assert_eq!(wait_text(901), "16 minutes");
    }
}
