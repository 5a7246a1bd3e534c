//! `security.throttle`: how failures slow down and lock out (password logins per account and
//! IP pair, per IP and per account; client authentications per client and IP; one-time codes
//! per account) and how often anyone may make Tessera send mail or sign into a helpdesk.
//! The counts live in the database, so every node applies them.

use std::time::Duration;

use serde_saphyr::Spanned;
use tessera_core::store::{RateLimit, ThrottlePolicy};

use super::Checker;
use super::raw::{RawSecurity, RawThrottle, S};

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

/// Everything `security.throttle` sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttles {
    pub login: LoginThrottle,
    /// Failed client authentications of one client id from one IP: delays, then a lockout.
    pub client: ThrottlePolicy,
    /// Failed one-time codes of one account: delays, then a lockout.
    pub code: ThrottlePolicy,
    /// Reset, resend and registration requests from one IP.
    pub mail_per_ip: RateLimit,
    /// Reset, confirmation and "someone tried to register" mails to one account.
    pub mail_per_account: RateLimit,
    /// Helpdesk sign-ins of one account.
    pub helpdesk_per_account: RateLimit,
}

impl Throttles {
    /// The longest window any count uses: a count whose window started longer ago than this
    /// (and is not blocked) is over, whatever its scope.
    pub fn longest_window(&self) -> std::time::Duration {
        let windows = [
            self.login.pair.window_seconds,
            self.login.ip.window_seconds,
            self.login.account.window_seconds,
            self.client.window_seconds,
            self.code.window_seconds,
            self.mail_per_ip.window_seconds,
            self.mail_per_account.window_seconds,
            self.helpdesk_per_account.window_seconds,
        ];
        let longest = windows.into_iter().max().unwrap_or(0);
        std::time::Duration::from_secs(u64::try_from(longest).unwrap_or(0))
    }
}

const HOUR: i64 = 3600;
const LOCKOUT: i64 = 900;

/// Delays that double from 1 s to at most a minute past the free failures, then a lockout.
const fn delays_then_lockout(free_failures: i64, lockout_after: i64) -> ThrottlePolicy {
    ThrottlePolicy {
        window_seconds: HOUR,
        free_failures,
        delay_base_seconds: 1,
        delay_max_seconds: 60,
        lockout_after,
        lockout_seconds: LOCKOUT,
    }
}

const fn lockout_only(lockout_after: i64) -> ThrottlePolicy {
    ThrottlePolicy {
        free_failures: 0,
        delay_base_seconds: 0,
        delay_max_seconds: 0,
        ..delays_then_lockout(0, lockout_after)
    }
}

impl Default for Throttles {
    fn default() -> Self {
        Self {
            login: LoginThrottle {
                pair: delays_then_lockout(5, 20),
                ip: lockout_only(100),
                account: lockout_only(1000),
            },
            client: delays_then_lockout(10, 50),
            code: delays_then_lockout(3, 10),
            mail_per_ip: RateLimit {
                max: 30,
                window_seconds: HOUR,
            },
            mail_per_account: RateLimit {
                max: 5,
                window_seconds: HOUR,
            },
            helpdesk_per_account: RateLimit {
                max: 60,
                window_seconds: 600,
            },
        }
    }
}

const KEY: &str = "security.throttle";

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// A positive duration under `security.throttle`, in seconds.
fn secs(c: &mut Checker, name: &str, value: Option<&S>, default: i64) -> i64 {
    let default = Duration::from_secs(u64::try_from(default).unwrap_or(0));
    seconds(c.duration(&format!("{KEY}.{name}"), value, default))
}

/// `security.throttle`, defaults for what is not given; problems are recorded on `c`.
pub(super) fn throttles(raw: Option<&RawSecurity>, c: &mut Checker) -> Throttles {
    let defaults = Throttles::default();
    let Some(raw) = raw.and_then(|s| s.throttle.as_ref()) else {
        return defaults;
    };
    let window = secs(c, "login_window", raw.login_window.as_ref(), HOUR);
    let (base, max) = delays(raw, c, &defaults.login.pair);
    let with_delays = |p: ThrottlePolicy| ThrottlePolicy {
        window_seconds: window,
        delay_base_seconds: base,
        delay_max_seconds: max,
        ..p
    };
    let pair = failures(
        c,
        ["login_free_failures", "login_pair_lockout_after", "login_pair_lockout"],
        [&raw.login_free_failures, &raw.login_pair_lockout_after],
        raw.login_pair_lockout.as_ref(),
        with_delays(defaults.login.pair),
    );
    let client = failures(
        c,
        ["client_free_failures", "client_lockout_after", "client_lockout"],
        [&raw.client_free_failures, &raw.client_lockout_after],
        raw.client_lockout.as_ref(),
        with_delays(defaults.client),
    );
    let code = failures(
        c,
        ["code_free_failures", "code_lockout_after", "code_lockout"],
        [&raw.code_free_failures, &raw.code_lockout_after],
        raw.code_lockout.as_ref(),
        with_delays(defaults.code),
    );
    let lockout = |c: &mut Checker, name: &str, after: &Option<Spanned<u32>>, time: Option<&S>, d: ThrottlePolicy| {
        ThrottlePolicy {
            window_seconds: window,
            lockout_after: count(c, &format!("{name}_lockout_after"), after.as_ref(), d.lockout_after, 0),
            lockout_seconds: secs(c, &format!("{name}_lockout"), time, d.lockout_seconds),
            ..d
        }
    };
    let login = LoginThrottle {
        pair,
        ip: lockout(
            c,
            "login_ip",
            &raw.login_ip_lockout_after,
            raw.login_ip_lockout.as_ref(),
            defaults.login.ip,
        ),
        account: lockout(
            c,
            "login_account",
            &raw.login_account_lockout_after,
            raw.login_account_lockout.as_ref(),
            defaults.login.account,
        ),
    };
    let mail_window = secs(
        c,
        "mail_window",
        raw.mail_window.as_ref(),
        defaults.mail_per_ip.window_seconds,
    );
    let rate =
        |c: &mut Checker, name: &str, value: &Option<Spanned<u32>>, window_seconds: i64, d: RateLimit| RateLimit {
            max: count(c, name, value.as_ref(), d.max, 0),
            window_seconds,
        };
    let helpdesk_window = secs(
        c,
        "helpdesk_window",
        raw.helpdesk_window.as_ref(),
        defaults.helpdesk_per_account.window_seconds,
    );
    Throttles {
        login,
        client,
        code,
        mail_per_ip: rate(c, "mail_per_ip", &raw.mail_per_ip, mail_window, defaults.mail_per_ip),
        mail_per_account: rate(
            c,
            "mail_per_account",
            &raw.mail_per_account,
            mail_window,
            defaults.mail_per_account,
        ),
        helpdesk_per_account: rate(
            c,
            "helpdesk_per_account",
            &raw.helpdesk_per_account,
            helpdesk_window,
            defaults.helpdesk_per_account,
        ),
    }
}

/// `login_delay_base` and `login_delay_max` (shared by every count that delays).
fn delays(raw: &RawThrottle, c: &mut Checker, d: &ThrottlePolicy) -> (i64, i64) {
    let base = secs(
        c,
        "login_delay_base",
        raw.login_delay_base.as_ref(),
        d.delay_base_seconds,
    );
    let max = secs(c, "login_delay_max", raw.login_delay_max.as_ref(), d.delay_max_seconds);
    if let Some(at) = &raw.login_delay_max
        && max < base
    {
        c.problem(
            at,
            format!("{KEY}.login_delay_max: must be at least login_delay_base ({base}s)"),
        );
    }
    (base, max)
}

/// A count that delays past its free failures and locks out later: `names` are the keys of
/// the free failures, the lockout threshold and the lockout's length.
fn failures(
    c: &mut Checker,
    names: [&str; 3],
    [free, after]: [&Option<Spanned<u32>>; 2],
    lockout: Option<&S>,
    d: ThrottlePolicy,
) -> ThrottlePolicy {
    let [free_name, after_name, lockout_name] = names;
    let free_failures = count(c, free_name, free.as_ref(), d.free_failures, 0);
    let lockout_after = count(c, after_name, after.as_ref(), d.lockout_after, 1);
    if let Some(at) = after
        && lockout_after <= free_failures
    {
        c.problem(
            at,
            format!("{KEY}.{after_name}: must be more than {free_name} ({free_failures})"),
        );
    }
    ThrottlePolicy {
        free_failures,
        lockout_after,
        lockout_seconds: secs(c, lockout_name, lockout, d.lockout_seconds),
        ..d
    }
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
        assert_eq!(config.throttle, Throttles::default());
        let t = config.throttle;
        assert_eq!(t.login.pair.free_failures, 5);
        assert_eq!(t.login.ip.lockout_after, 100);
        assert_eq!(t.login.account.lockout_after, 1000);
        assert_eq!((t.client.free_failures, t.client.lockout_after), (10, 50));
        assert_eq!((t.code.free_failures, t.code.lockout_after), (3, 10));
        assert_eq!((t.mail_per_account.max, t.mail_per_account.window_seconds), (5, 3600));
        assert_eq!(t.mail_per_ip.max, 30);
        assert_eq!(
            (t.helpdesk_per_account.max, t.helpdesk_per_account.window_seconds),
            (60, 600)
        );
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
        let got = messages(
            "security:\n  throttle:\n    client_free_failures: 9\n    client_lockout_after: 3\n    code_lockout: never\n    mail_per_account: 2000000\n",
        );
        assert_eq!(
            got[0],
            "security.throttle.client_lockout_after: must be more than client_free_failures (9)"
        );
        assert!(got[1].starts_with("security.throttle.code_lockout:"), "{got:?}");
        assert_eq!(
            got[2],
            "security.throttle.mail_per_account: choose between 0 and 1000000 (0: never)"
        );
    }

    #[test]
    fn every_count_can_be_set() {
        let env = std::collections::HashMap::<String, String>::new();
        let yaml = format!(
            "{BASE}security:\n  throttle:\n    login_window: 10m\n    login_delay_base: 2s\n    client_free_failures: 1\n    client_lockout_after: 2\n    client_lockout: 1m\n    code_free_failures: 0\n    code_lockout_after: 4\n    mail_window: 1d\n    mail_per_ip: 7\n    mail_per_account: 0\n    helpdesk_window: 1m\n    helpdesk_per_account: 3\n"
        );
        let t = parse(&yaml, &env).expect("valid").throttle;
        assert_eq!(
            t.client,
            ThrottlePolicy {
                window_seconds: 600,
                free_failures: 1,
                delay_base_seconds: 2,
                delay_max_seconds: 60,
                lockout_after: 2,
                lockout_seconds: 60
            }
        );
        assert_eq!(
            (t.code.free_failures, t.code.lockout_after, t.code.delay_base_seconds),
            (0, 4, 2)
        );
        assert_eq!(
            t.mail_per_ip,
            RateLimit {
                max: 7,
                window_seconds: 86_400
            }
        );
        assert_eq!(t.mail_per_account.max, 0);
        assert_eq!(
            t.helpdesk_per_account,
            RateLimit {
                max: 3,
                window_seconds: 60
            }
        );
        assert_eq!(t.login.ip.window_seconds, 600);
    }
}
