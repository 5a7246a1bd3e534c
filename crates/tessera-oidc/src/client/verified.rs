//! The presented secrets an argon2 client-secret hash accepted lately. argon2 costs tens of
//! milliseconds of CPU by design, which a client authenticating on every `/token` call would
//! otherwise pay each time; a secret remembered here skips it.
//!
//! Each hash has its own cache (see [`super::ClientSecret::hashed`]), so an entry can only
//! ever vouch for the client and the hash it was verified against. Entries are HMAC-SHA256
//! tags under a random key made with the cache and kept only in memory, never the secret
//! itself: a memory dump shows no client secret, and a tag is worthless anywhere else. Only
//! successes are remembered (a wrong secret always pays argon2), each for [`TTL`], and at most
//! [`CAPACITY`] of them, the oldest evicted first.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tessera_core::secret::{ExposeSecret, Secret};
use tessera_core::secret_token::{constant_time_eq, hmac_sha256, random_token};

/// How long a verified secret is remembered. While an entry lives, someone holding a copy of
/// the process's memory (key and tags) could test guesses at HMAC speed instead of argon2's;
/// after it, only the argon2 hash is left. A client calling more often than this pays argon2
/// once per period.
pub(super) const TTL: Duration = Duration::from_secs(10 * 60);

/// At most this many remembered secrets. A hash accepts one secret, so in practice there is
/// one entry; the bound keeps the memory a local fact instead of an argument about argon2.
pub(super) const CAPACITY: usize = 1024;

/// Random bytes of the HMAC key (256 bits, as the HMAC-SHA256 output).
const KEY_BYTES: usize = 32;

pub(super) struct VerifiedSecrets {
    key: Secret,
    /// Oldest first.
    entries: Mutex<VecDeque<Entry>>,
}

struct Entry {
    tag: [u8; 32],
    verified_at: Instant,
}

impl Entry {
    fn fresh(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.verified_at) < TTL
    }
}

impl VerifiedSecrets {
    pub(super) fn new() -> Self {
        VerifiedSecrets {
            key: Secret::new(random_token(KEY_BYTES)),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// Whether `given` verified less than [`TTL`] before `now`. Tags are compared in constant
    /// time, like every secret-derived value.
    pub(super) fn contains(&self, given: &str, now: Instant) -> bool {
        let tag = self.tag(given);
        self.entries()
            .iter()
            .any(|e| e.fresh(now) && constant_time_eq(&e.tag, &tag))
    }

    /// Remembers that `given` verified at `now`, dropping expired entries and, when full, the
    /// oldest one.
    pub(super) fn remember(&self, given: &str, now: Instant) {
        let tag = self.tag(given);
        let mut entries = self.entries();
        entries.retain(|e| e.fresh(now) && !constant_time_eq(&e.tag, &tag));
        while entries.len() >= CAPACITY {
            entries.pop_front();
        }
        entries.push_back(Entry { tag, verified_at: now });
    }

    fn tag(&self, given: &str) -> [u8; 32] {
        hmac_sha256(self.key.expose_secret().as_bytes(), given.as_bytes())
    }

    /// The entries; a panic elsewhere while they were locked leaves them consistent (every
    /// change is one `VecDeque` call), so a poisoned lock is used as it is.
    fn entries(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_secret_is_a_hit_and_another_is_a_miss() {
        let cache = VerifiedSecrets::new();
        let now = Instant::now();
        assert!(!cache.contains("s3cret-s3cret-s3cret", now));
        cache.remember("s3cret-s3cret-s3cret", now);
        assert!(cache.contains("s3cret-s3cret-s3cret", now + Duration::from_secs(1)));
        assert!(!cache.contains("s3cret-s3cret-s3creT", now));
        assert!(!cache.contains("", now));
        // Another cache (another client's hash) has its own key and entries.
        assert!(!VerifiedSecrets::new().contains("s3cret-s3cret-s3cret", now));
    }

    #[test]
    fn entries_expire_after_the_ttl_and_a_new_verification_renews_them() {
        let cache = VerifiedSecrets::new();
        let start = Instant::now();
        cache.remember("secret", start);
        assert!(cache.contains("secret", start + TTL - Duration::from_millis(1)));
        assert!(!cache.contains("secret", start + TTL));
        cache.remember("secret", start + TTL);
        assert!(cache.contains("secret", start + TTL + Duration::from_secs(60)));
        assert_eq!(cache.entries().len(), 1, "renewing replaces the old entry");
    }

    #[test]
    fn the_cache_is_bounded_and_evicts_the_oldest() {
        let cache = VerifiedSecrets::new();
        let now = Instant::now();
        for i in 0..=CAPACITY {
            cache.remember(&format!("secret-{i}"), now);
        }
        assert_eq!(cache.entries().len(), CAPACITY);
        assert!(!cache.contains("secret-0", now), "the oldest went first");
        assert!(cache.contains("secret-1", now));
        assert!(cache.contains(&format!("secret-{CAPACITY}"), now));
    }
}
