//! The key schedule, with an in-memory key store and a clock the test moves.

use std::collections::HashMap;
use std::sync::Mutex;

use tessera_core::store::StoreResult;
use time::macros::datetime;

use super::*;
use crate::provider::FixedClock;

/// The store's key-table contract (see `tessera-store`'s `rotate_key`), in memory.
#[derive(Default)]
struct MemoryKeys {
    keys: Mutex<Vec<StoredKey>>,
    last_rotated: Mutex<HashMap<String, OffsetDateTime>>,
}

#[async_trait::async_trait]
impl KeyStore for MemoryKeys {
    async fn published_keys(&self, now: OffsetDateTime) -> StoreResult<Vec<StoredKey>> {
        let keys = self.keys.lock().unwrap();
        Ok(keys
            .iter()
            .filter(|k| k.expires_at.is_none_or(|e| e > now))
            .cloned()
            .collect())
    }

    async fn rotate_key(&self, r: &Rotation) -> StoreResult<bool> {
        let new = &r.new_key;
        let mut last = self.last_rotated.lock().unwrap();
        let previous = last.get(&new.alg).copied().unwrap_or(OffsetDateTime::UNIX_EPOCH);
        if previous >= r.unless_rotated_since {
            return Ok(false);
        }
        last.insert(new.alg.clone(), new.created_at);
        let mut keys = self.keys.lock().unwrap();
        for k in keys.iter_mut().filter(|k| k.alg == new.alg) {
            if k.retires_at.is_none_or(|at| at > new.activates_at) {
                k.retires_at = Some(new.activates_at);
                k.expires_at = Some(r.old_keys_expire_at);
            }
        }
        keys.push(new.clone());
        Ok(true)
    }
}

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

fn policy() -> KeyPolicy {
    KeyPolicy {
        algorithms: vec![SigningAlg::EdDsa],
        rotation: 30 * DAY,
        publish_before: DAY,
        longest_token: HOUR,
    }
}

fn ring() -> (KeyRing, Arc<FixedClock>, Arc<MemoryKeys>) {
    let clock = Arc::new(FixedClock::at(datetime!(2026-01-01 0:00 UTC)));
    let store = Arc::new(MemoryKeys::default());
    let ring = KeyRing::new(Secret::from_bytes([7; 32]), store.clone(), clock.clone());
    (ring, clock, store)
}

#[tokio::test]
async fn the_first_key_signs_at_once_and_a_rotation_is_published_a_day_before_it_signs() {
    let (ring, clock, _) = ring();
    let first = ring.maintain(&policy(), false).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(ring.signing_key(SigningAlg::EdDsa).await.unwrap().kid(), first[0]);
    assert!(ring.maintain(&policy(), false).await.unwrap().is_empty(), "not due yet");

    clock.advance(30 * DAY + Duration::from_secs(60));
    let second = ring.maintain(&policy(), false).await.unwrap();
    assert_eq!(second.len(), 1);
    let published: Vec<String> = ring
        .published()
        .await
        .unwrap()
        .iter()
        .map(|k| k.kid().to_owned())
        .collect();
    assert_eq!(published, [first[0].clone(), second[0].clone()], "both in the JWKS");
    assert_eq!(
        ring.signing_key(SigningAlg::EdDsa).await.unwrap().kid(),
        first[0],
        "the new key waits"
    );

    clock.advance(DAY + Duration::from_secs(1));
    assert_eq!(ring.signing_key(SigningAlg::EdDsa).await.unwrap().kid(), second[0]);
    // The retired key stays published for the longest token (+ a minute), then leaves.
    clock.advance(HOUR + Duration::from_secs(120));
    let published: Vec<String> = ring
        .published()
        .await
        .unwrap()
        .iter()
        .map(|k| k.kid().to_owned())
        .collect();
    assert_eq!(published, [second[0].clone()]);
}

#[tokio::test]
async fn keys_are_sealed_to_their_row_and_a_wrong_master_key_is_a_clear_error() {
    let (ring, clock, store) = ring();
    let kid = ring.maintain(&policy(), false).await.unwrap().remove(0);
    let sealed = store.keys.lock().unwrap()[0].sealed_private.clone();
    let der = ring.published().await.unwrap()[0].pkcs8().to_vec();
    assert!(
        !sealed.windows(der.len()).any(|w| w == der),
        "stored sealed, not as plain DER"
    );
    let other = KeyRing::new(Secret::from_bytes([8; 32]), store.clone(), clock.clone());
    let err = other.published().await.unwrap_err();
    assert!(
        err.to_string().contains(&kid) && err.to_string().contains("secrets.master_key"),
        "{err}"
    );
}

#[tokio::test]
async fn check_reads_the_keys_again_for_an_unknown_kid() {
    let (ring, clock, store) = ring();
    ring.maintain(&policy(), false).await.unwrap();
    ring.published().await.unwrap(); // cached now, and the clock stands still: the cache is fresh
    // Another node (same store) publishes a new key; our cache does not know it yet.
    let peer = KeyRing::new(Secret::from_bytes([7; 32]), store.clone(), clock.clone());
    let rotated = peer.maintain(&policy(), true).await.unwrap();
    let new_key = peer
        .published()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.kid() == rotated[0])
        .unwrap();
    let token = new_key.sign_jwt("JWT", &serde_json::json!({"n": 1})).unwrap();
    let kid = ring
        .check(|keys| crate::verify_jwt::<serde_json::Value>(&token, keys).map(|v| v.kid))
        .await
        .unwrap();
    assert_eq!(kid.as_deref(), Some(rotated[0].as_str()));
}

/// A key table that cannot be reached (the database is down).
struct UnreachableKeys;

#[async_trait::async_trait]
impl KeyStore for UnreachableKeys {
    async fn published_keys(&self, _: OffsetDateTime) -> StoreResult<Vec<StoredKey>> {
        Err(tessera_core::store::StoreError::Unavailable(
            "connection refused".into(),
        ))
    }

    async fn rotate_key(&self, _: &Rotation) -> StoreResult<bool> {
        Err(tessera_core::store::StoreError::Unavailable(
            "connection refused".into(),
        ))
    }
}

/// Replays the outage bug: with the key cache empty and the store down, checking a presented
/// token used to answer "not acceptable" (userinfo said `invalid_token` to a valid token); it
/// must be the store's error, which the web crate answers with 503.
#[tokio::test]
async fn an_unreachable_store_is_an_error_not_an_invalid_token() {
    let clock = Arc::new(FixedClock::at(datetime!(2026-01-01 0:00 UTC)));
    let ring = KeyRing::new(Secret::from_bytes([7; 32]), Arc::new(UnreachableKeys), clock);
    let outcome = ring
        .check(|keys| crate::verify_jwt::<serde_json::Value>("a.b.c", keys).map(|v| v.kid))
        .await;
    assert!(
        matches!(
            outcome,
            Err(ProviderError::Store(tessera_core::store::StoreError::Unavailable(_)))
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn no_policy_duration_is_too_long_to_schedule() {
    let (ring, clock, _) = ring();
    let endless = KeyPolicy {
        rotation: Duration::MAX,
        publish_before: Duration::MAX,
        longest_token: Duration::MAX,
        ..policy()
    };
    let first = ring.maintain(&endless, false).await.unwrap();
    assert_eq!(first.len(), 1, "the first key signs at once");
    clock.advance(DAY);
    assert!(ring.maintain(&endless, false).await.unwrap().is_empty(), "never due");
    let forced = ring.maintain(&endless, true).await.unwrap();
    assert_eq!(
        forced.len(),
        1,
        "a forced rotation schedules its key at the end of time"
    );
    assert_eq!(ring.signing_key(SigningAlg::EdDsa).await.unwrap().kid(), first[0]);
}
