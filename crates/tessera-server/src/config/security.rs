//! `security.throttle`: how failed password logins slow down and lock out, per account and IP
//! pair, per IP and per account. The counts live in the database, so every node applies them.

use std::time::Duration;

use serde_saphyr::Spanned;
use tessera_core::store::ThrottlePolicy;

use super::Checker;
use super::raw::RawSecurity;

/// The three counts a password login is throttled by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginThrottle {
    /// One account (or login name no account has) from one IP: delays, then a lockout.
    pub pair: ThrottlePolicy,
    /// One IP across accounts: a lockout only (`lockout_after` 0: never).
    pub ip: ThrottlePolicy,
    /// One account from anywhere: a lockout only, after a much higher count.
    pub account: ThrottlePolicy,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let pair = ThrottlePolicy {
            window_seconds: 3600,
            free_failures: 5,
            delay_base_seconds: 1,
            delay_max_seconds: 60,
            lockout_after: 20,
            lockout_seconds: 900,
        };
        let lockout_only = |after| ThrottlePolicy {
            free_failures: 0,
            delay_base_seconds: 0,
            delay_max_seconds: 0,
            lockout_after: after,
            ..pair
        };
        Self {
            pair,
            ip: lockout_only(100),
            account: lockout_only(1000),
        }
    }
}

const KEY: &str = "security.throttle";

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// `security.throttle`, defaults for what is not given; problems are recorded on `c`.
pub(super) fn login_throttle(raw: Option<&RawSecurity>, c: &mut Checker) -> LoginThrottle {
    let mut t = LoginThrottle::default();
    let Some(raw) = raw.and_then(|s| s.throttle.as_ref()) else {
        return t;
    };
    let secs = |c: &mut Checker, name: &str, value: &Option<_>, default: i64| {
        let default = Duration::from_secs(u64::try_from(default).unwrap_or(0));
        seconds(c.duration(&format!("{KEY}.{name}"), value.as_ref(), default))
    };
    let window = secs(c, "login_window", &raw.login_window, t.pair.window_seconds);
    let base = secs(c, "login_delay_base", &raw.login_delay_base, t.pair.delay_base_seconds);
    let max = secs(c, "login_delay_max", &raw.login_delay_max, t.pair.delay_max_seconds);
    if let Some(at) = &raw.login_delay_max
        && max < base
    {
        c.problem(
            at,
            format!("{KEY}.login_delay_max: must be at least login_delay_base ({base}s)"),
        );
    }
    let free = count(
        c,
        "login_free_failures",
        raw.login_free_failures.as_ref(),
        t.pair.free_failures,
        0,
    );
    let pair_after = count(
        c,
        "login_pair_lockout_after",
        raw.login_pair_lockout_after.as_ref(),
        t.pair.lockout_after,
        1,
    );
    if let Some(at) = &raw.login_pair_lockout_after
        && pair_after <= free
    {
        c.problem(
            at,
            format!("{KEY}.login_pair_lockout_after: must be more than login_free_failures ({free})"),
        );
    }
    let ip_after = count(
        c,
        "login_ip_lockout_after",
        raw.login_ip_lockout_after.as_ref(),
        t.ip.lockout_after,
        0,
    );
    let account_after = count(
        c,
        "login_account_lockout_after",
        raw.login_account_lockout_after.as_ref(),
        t.account.lockout_after,
        0,
    );
    t.pair = ThrottlePolicy {
        window_seconds: window,
        free_failures: free,
        delay_base_seconds: base,
        delay_max_seconds: max,
        lockout_after: pair_after,
        lockout_seconds: secs(c, "login_pair_lockout", &raw.login_pair_lockout, t.pair.lockout_seconds),
    };
    t.ip.window_seconds = window;
    t.ip.lockout_after = ip_after;
    t.ip.lockout_seconds = secs(c, "login_ip_lockout", &raw.login_ip_lockout, t.ip.lockout_seconds);
    t.account.window_seconds = window;
    t.account.lockout_after = account_after;
    t.account.lockout_seconds = secs(
        c,
        "login_account_lockout",
        &raw.login_account_lockout,
        t.account.lockout_seconds,
    );
    t
}

/// A count between `min` and 1 000 000.
fn count(c: &mut Checker, name: &str, value: Option<&Spanned<u32>>, default: i64, min: u32) -> i64 {
    let Some(v) = value else {
        return default;
    };
    if (min..=1_000_000).contains(&v.value) {
        i64::from(v.value)
    } else {
        let off = if min == 0 { " (0: never)" } else { "" };
        c.problem(v, format!("{KEY}.{name}: choose between {min} and 1000000{off}"));
        default
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    const BASE: &str = "issuer: http://localhost:8080\ndatabase:\n  url: sqlite://x.db\nsecrets:\n  master_key: dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=\n";

    fn messages(extra: &str) -> Vec<String> {
        let env = std::collections::HashMap::<String, String>::new();
        match parse(&format!("{BASE}{extra}"), &env) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.into_iter().map(|p| p.message).collect(),
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let env = std::collections::HashMap::<String, String>::new();
        let config = parse(BASE, &env).expect("valid");
        assert_eq!(config.login_throttle, LoginThrottle::default());
        assert_eq!(config.login_throttle.pair.free_failures, 5);
        assert_eq!(config.login_throttle.ip.lockout_after, 100);
        assert_eq!(config.login_throttle.account.lockout_after, 1000);
    }

    #[test]
    fn bad_values_name_their_key() {
        let got = messages("security:\n  throttle:\n    login_delay_base: soon\n    login_delay_max: 0s\n");
        assert!(got[0].starts_with("security.throttle.login_delay_base:"), "{got:?}");
        assert!(got[1].starts_with("security.throttle.login_delay_max:"), "{got:?}");
        let got = messages("security:\n  throttle:\n    login_free_failures: 5\n    login_pair_lockout_after: 5\n");
        assert_eq!(
            got,
            ["security.throttle.login_pair_lockout_after: must be more than login_free_failures (5)"]
        );
        let got = messages("security:\n  throttle:\n    login_delay_base: 10s\n    login_delay_max: 5s\n");
        assert_eq!(
            got,
            ["security.throttle.login_delay_max: must be at least login_delay_base (10s)"]
        );
        let got = messages("security:\n  throttle:\n    login_frees: 5\n");
        assert!(got[0].contains("login_frees"), "{got:?}");
        assert!(messages("security:\n  throttle:\n    login_ip_lockout_after: 0\n").is_empty());
    }
}
