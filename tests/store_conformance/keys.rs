//! Signing-key rotation is elected through the database: however many nodes try at once,
//! one rotation happens per period.

use tessera_oidc::storage::{CodeStore, GrantStore, KeyStore, PendingStore, TokenStore, Rotation, StoredKey};
use time::{Duration, OffsetDateTime};

use crate::support::db::{each_backend, open};

fn rotation(kid: &str, now: OffsetDateTime) -> Rotation {
    Rotation {
        new_key: StoredKey {
            kid: kid.into(),
            alg: "RS256".into(),
            sealed_private: vec![1, 2, 3],
            created_at: now,
            activates_at: now,
            retires_at: None,
            expires_at: None,
        },
        unless_rotated_since: now - Duration::days(30),
        old_keys_expire_at: now + Duration::hours(2),
    }
}

#[tokio::test]
async fn concurrent_rotations_elect_exactly_one() {
    for (backend, db) in each_backend("concurrent_rotations_elect_exactly_one").await {
        let store = open(&db).await;
        let now = OffsetDateTime::now_utc();
        let attempts: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.rotate_key(&rotation(&format!("k{i}"), now)).await })
            })
            .collect();
        let mut won = 0;
        for a in attempts {
            if a.await.unwrap().unwrap_or_else(|e| panic!("{backend}: {e}")) {
                won += 1;
            }
        }
        assert_eq!(won, 1, "{backend}: one node rotates");
        assert_eq!(store.published_keys(now).await.unwrap().len(), 1, "{backend}");
        // A later, due rotation retires the first key and keeps it published until it expires.
        let later = now + Duration::days(31);
        assert!(store.rotate_key(&rotation("next", later)).await.unwrap(), "{backend}");
        let keys = store.published_keys(later).await.unwrap();
        assert_eq!(keys.len(), 2, "{backend}");
        assert!(
            keys.iter()
                .any(|k| k.kid != "next" && k.retires_at == Some(later.replace_nanosecond(0).unwrap())),
            "{backend}: {keys:?}"
        );
        assert_eq!(
            store.published_keys(later + Duration::hours(3)).await.unwrap().len(),
            1,
            "{backend}: expired key gone"
        );
    }
}
