//! Signing keys: generated here, sealed with the master key in the database, and rotated on
//! schedule. A new key is published in the JWKS `publish_before` ahead of signing anything
//! (relying parties cache the JWKS), and a retired key stays published until every token it
//! signed has expired. Rotation is elected through the database, so N nodes create one key.

use std::sync::Arc;
use std::time::Duration;

use tessera_core::seal;
use tessera_core::secret::{ExposeSecret, Secret};
use time::OffsetDateTime;
use tokio::sync::RwLock;

use super::{Clock, ProviderError, ProviderResult};
use crate::error::JwtError;
use crate::keys::{SigningAlg, SigningKey};
use crate::storage::{KeyStore, Rotation, StoredKey};

/// When keys are made and how long they live.
#[derive(Clone, Debug)]
pub struct KeyPolicy {
    /// Algorithms to keep a signing key for.
    pub algorithms: Vec<SigningAlg>,
    /// A key signs this long before the next one replaces it.
    pub rotation: Duration,
    /// A new key is published this long before it signs.
    pub publish_before: Duration,
    /// The longest lifetime of a token a key signs: a retired key stays published this long.
    pub longest_token: Duration,
}

/// A key as loaded from the store, unsealed.
#[derive(Clone)]
struct LoadedKey {
    key: SigningKey,
    activates_at: OffsetDateTime,
    retires_at: Option<OffsetDateTime>,
}

struct Cache {
    loaded_at: OffsetDateTime,
    keys: Vec<LoadedKey>,
}

/// The signing keys of every node, read through a short cache.
pub struct KeyRing {
    master: Secret<[u8; 32]>,
    store: Arc<dyn KeyStore>,
    clock: Arc<dyn Clock>,
    cache: RwLock<Option<Cache>>,
}

/// How long a node trusts its cached copy of the key table before reading it again.
const CACHE_FOR: Duration = Duration::from_secs(30);

/// The AAD a key is sealed with: its own `kid`, so a sealed key cannot be moved to another row.
fn seal_context(kid: &str) -> String {
    format!("tessera signing key {kid}")
}

fn internal(what: impl std::fmt::Display) -> ProviderError {
    ProviderError::Internal(what.to_string())
}

impl KeyRing {
    pub fn new(master: Secret<[u8; 32]>, store: Arc<dyn KeyStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            master,
            store,
            clock,
            cache: RwLock::new(None),
        }
    }

    /// Creates or rotates keys that are due (all of them when `force`); returns the new kids.
    /// Safe to call from every node at any time.
    pub async fn maintain(&self, policy: &KeyPolicy, force: bool) -> ProviderResult<Vec<String>> {
        let existing = self.load(self.clock.now()).await?;
        let mut created = Vec::new();
        for &alg in &policy.algorithms {
            let has_key = existing.iter().any(|k| k.key.alg() == alg);
            if has_key && !force && !rotation_due(&existing, alg, self.clock.now(), policy) {
                continue;
            }
            if let Some(kid) = self.create(alg, has_key, policy, force).await? {
                created.push(kid);
            }
        }
        if !created.is_empty() {
            *self.cache.write().await = None;
        }
        Ok(created)
    }

    /// Generates a key for `alg` and offers the rotation to the store; the kid when this node
    /// won the election.
    async fn create(
        &self,
        alg: SigningAlg,
        has_key: bool,
        policy: &KeyPolicy,
        force: bool,
    ) -> ProviderResult<Option<String>> {
        let key = tokio::task::spawn_blocking(move || SigningKey::generate(alg))
            .await
            .map_err(|e| internal(format!("key generation task: {e}")))?
            .map_err(|e| internal(format!("key generation: {e}")))?;
        // The schedule counts from when the key exists, not from before generating it: an RSA
        // key can take a while on a busy machine, and `publish_before` must still pass between
        // publishing it and signing with it.
        let now = self.clock.now();
        let since = if force {
            now + Duration::from_secs(1)
        } else {
            // A table that never saw a rotation reads as one at the Unix epoch: a rotation
            // period reaching back before it must still find the first key due.
            earlier(now, policy.rotation).max(OffsetDateTime::UNIX_EPOCH + Duration::from_secs(1))
        };
        // The very first key signs at once: nothing can have cached a JWKS without it.
        let activates_at = if has_key {
            later(now, policy.publish_before)
        } else {
            now
        };
        let rotation = Rotation {
            new_key: StoredKey {
                kid: key.kid().to_owned(),
                alg: alg.as_str().to_owned(),
                sealed_private: seal::seal(self.master.expose_secret(), key.pkcs8(), &seal_context(key.kid())),
                created_at: now,
                activates_at,
                retires_at: None,
                expires_at: None,
            },
            unless_rotated_since: since,
            old_keys_expire_at: later(
                activates_at,
                policy.longest_token.saturating_add(Duration::from_secs(60)),
            ),
        };
        if !self.store.rotate_key(&rotation).await? {
            return Ok(None);
        }
        tracing::info!(kid = key.kid(), alg = alg.as_str(), %activates_at, "signing key created");
        Ok(Some(key.kid().to_owned()))
    }

    async fn load(&self, now: OffsetDateTime) -> ProviderResult<Vec<LoadedKey>> {
        if let Some(cache) = self.cache.read().await.as_ref()
            && now - cache.loaded_at < CACHE_FOR
        {
            return Ok(cache.keys.clone());
        }
        let stored = self.store.published_keys(now).await?;
        let keys = stored
            .iter()
            .map(|s| self.unseal(s))
            .collect::<ProviderResult<Vec<_>>>()?;
        *self.cache.write().await = Some(Cache {
            loaded_at: now,
            keys: keys.clone(),
        });
        Ok(keys)
    }

    fn unseal(&self, stored: &StoredKey) -> ProviderResult<LoadedKey> {
        let alg: SigningAlg = stored
            .alg
            .parse()
            .map_err(|e| internal(format!("key {}: {e}", stored.kid)))?;
        let der = seal::open(
            self.master.expose_secret(),
            &stored.sealed_private,
            &seal_context(&stored.kid),
        )
        .map_err(|_| {
            internal(format!(
                "key {} cannot be unsealed: was secrets.master_key changed? After `tessera secrets \
                 rotate-master-key`, every node needs the new key in secrets.master_key; otherwise \
                 put back the key the signing keys were sealed with",
                stored.kid
            ))
        })?;
        let key = SigningKey::from_pkcs8(stored.kid.clone(), alg, &der).map_err(internal)?;
        Ok(LoadedKey {
            key,
            activates_at: stored.activates_at,
            retires_at: stored.retires_at,
        })
    }

    /// A stored key's sealed private part opened with `old` and sealed again with `new`, for
    /// `tessera secrets rotate-master-key`: the same key under the same kid, so every token it
    /// signed still verifies.
    pub fn reseal(
        old: &Secret<[u8; 32]>,
        new: &Secret<[u8; 32]>,
        kid: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, seal::SealError> {
        let context = seal_context(kid);
        let der = seal::open(old.expose_secret(), sealed, &context)?;
        Ok(seal::seal(new.expose_secret(), &der, &context))
    }

    /// Every published key (current, upcoming and retired-but-unexpired), for the JWKS.
    pub async fn published(&self) -> ProviderResult<Vec<SigningKey>> {
        Ok(self.load(self.clock.now()).await?.into_iter().map(|k| k.key).collect())
    }

    /// The key that signs now for `alg`: the newest one already active and not retired.
    pub async fn signing_key(&self, alg: SigningAlg) -> ProviderResult<SigningKey> {
        let now = self.clock.now();
        let pick = |keys: &[LoadedKey]| {
            keys.iter()
                .filter(|k| k.key.alg() == alg && k.activates_at <= now && k.retires_at.is_none_or(|r| r > now))
                .max_by_key(|k| k.activates_at)
                .map(|k| k.key.clone())
        };
        if let Some(key) = pick(&self.load(now).await?) {
            return Ok(key);
        }
        // A key may have just become active on another node's schedule: read again once.
        *self.cache.write().await = None;
        pick(&self.load(now).await?).ok_or_else(|| internal(format!("no active {} signing key", alg.as_str())))
    }

    /// Applies `rule` (one of [`crate::presented`]) to a token this server signed, with every
    /// published key. An unknown `kid` reads the keys again once: another node may have just
    /// published a new one. `None` when the token is not acceptable; a store failure is an
    /// error, never "invalid" (the token may well be good).
    pub async fn check<T>(&self, rule: impl Fn(&[&SigningKey]) -> Result<T, JwtError>) -> ProviderResult<Option<T>> {
        let keys = self.published().await?;
        match rule(&keys.iter().collect::<Vec<_>>()) {
            Ok(accepted) => Ok(Some(accepted)),
            Err(JwtError::UnknownKid) => {
                *self.cache.write().await = None;
                let keys = self.published().await?;
                Ok(rule(&keys.iter().collect::<Vec<_>>()).ok())
            }
            Err(_) => Ok(None),
        }
    }
}

/// `t + d`, or the last time there is rather than a panic, however long `d` is: the policy's
/// durations come from the configuration, and two of them are added together here.
fn later(t: OffsetDateTime, d: Duration) -> OffsetDateTime {
    t.saturating_add(time::Duration::try_from(d).unwrap_or(time::Duration::MAX))
}

/// `t - d`, or the first time there is.
fn earlier(t: OffsetDateTime, d: Duration) -> OffsetDateTime {
    t.saturating_sub(time::Duration::try_from(d).unwrap_or(time::Duration::MAX))
}

fn rotation_due(keys: &[LoadedKey], alg: SigningAlg, now: OffsetDateTime, policy: &KeyPolicy) -> bool {
    let newest = keys.iter().filter(|k| k.key.alg() == alg).map(|k| k.activates_at).max();
    newest.is_none_or(|at| now - at >= policy.rotation)
}

#[cfg(test)]
#[path = "keyring_tests.rs"]
mod tests;
