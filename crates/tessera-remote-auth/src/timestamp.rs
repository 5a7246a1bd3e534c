//! The time a sign-in link is signed for, checked against the clock.
//!
//! Every signer takes a [`FreshTimestamp`] rather than a bare number, so a
//! caller cannot sign a timestamp it has not compared with the current time.
//! Without the check, a link signed for a timestamp ten years ahead would
//! stay valid at a helpdesk that only refuses old timestamps (CWE-294,
//! authentication bypass by capture-replay). The crate has no clock: the
//! caller passes "now".

use std::time::Duration;

use crate::RemoteAuthError;

/// A Unix timestamp (seconds) known to be close to the current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreshTimestamp(i64);

impl FreshTimestamp {
    /// The default window either side of now: five minutes, enough for the
    /// person to sign in to Tessera on the way, and close to the "few
    /// minutes" of clock skew Zendesk allows for a JWT's `iat`.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5 * 60);

    /// Accepts `timestamp` (from the helpdesk's request) when it is at most
    /// `window` before or after `now`.
    pub fn within(timestamp: i64, now: i64, window: Duration) -> Result<Self, RemoteAuthError> {
        let skew_seconds = timestamp.saturating_sub(now);
        let window_seconds = window.as_secs();
        if skew_seconds.unsigned_abs() > window_seconds {
            return Err(RemoteAuthError::TimestampOutsideWindow {
                skew_seconds,
                window_seconds,
            });
        }
        Ok(FreshTimestamp(timestamp))
    }

    /// The caller's own reading of the clock, fresh by definition (JWT `iat`,
    /// Freshdesk, and legacy targets configured with `timestamp: now`).
    pub const fn current(now: i64) -> Self {
        FreshTimestamp(now)
    }

    /// The timestamp in Unix seconds.
    pub const fn seconds(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const MINUTE: i64 = 60;
    const TEN_YEARS: i64 = 10 * 365 * 24 * 60 * MINUTE;

    fn check(timestamp: i64) -> Result<FreshTimestamp, RemoteAuthError> {
        FreshTimestamp::within(timestamp, NOW, FreshTimestamp::DEFAULT_WINDOW)
    }

    #[test]
    fn one_minute_old_is_fresh() {
        assert_eq!(check(NOW - MINUTE).map(FreshTimestamp::seconds), Ok(NOW - MINUTE));
        assert!(check(NOW).is_ok());
        assert!(check(NOW + 5 * MINUTE).is_ok(), "the window's edge is inside");
        assert!(check(NOW - 5 * MINUTE).is_ok());
    }

    #[test]
    fn six_minutes_old_and_ten_years_ahead_are_refused() {
        assert_eq!(
            check(NOW - 6 * MINUTE),
            Err(RemoteAuthError::TimestampOutsideWindow {
                skew_seconds: -6 * MINUTE,
                window_seconds: 300,
            })
        );
        let err = check(NOW + TEN_YEARS).unwrap_err();
        assert_eq!(
            err,
            RemoteAuthError::TimestampOutsideWindow {
                skew_seconds: TEN_YEARS,
                window_seconds: 300,
            }
        );
        assert!(err.to_string().contains("ahead of Tessera's clock"), "{err}");
        assert!(check(NOW - 6 * MINUTE).unwrap_err().to_string().contains("behind"));
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        assert!(check(i64::MAX).is_err());
        assert!(check(i64::MIN).is_err());
        assert!(check(0).is_err());
        let wide = FreshTimestamp::within(NOW - 3600, NOW, Duration::from_secs(3600));
        assert!(wide.is_ok(), "the window is configurable");
    }
}
