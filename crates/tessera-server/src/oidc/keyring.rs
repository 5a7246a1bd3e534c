//! Signing keys: generated here, sealed with the master key in the database, and rotated on
//! schedule. A new key is published in the JWKS `key_publish_before` ahead of signing anything
//! (relying parties cache the JWKS), and a retired key stays published until every token it
//! signed has expired. Rotation is elected through the database, so N nodes create one key.

use std::sync::Arc;
use std::time::Duration;

use tessera_core::oidc_store::{Rotation, StoredKey};
use tessera_core::store::Store;
use tessera_oidc::{SigningAlg, SigningKey};
use time::OffsetDateTime;
use tokio::sync::RwLock;

use crate::config::Config;
use crate::error::AppError;

/// A key as loaded from the store, unsealed.
#[derive(Clone)]
pub struct LoadedKey {
    pub key: SigningKey,
    pub activates_at: OffsetDateTime,
    pub retires_at: Option<OffsetDateTime>,
}

struct Cache {
    loaded_at: OffsetDateTime,
    keys: Vec<LoadedKey>,
}

pub struct KeyRing {
    master: [u8; 32],
    store: Arc<dyn Store>,
    cache: RwLock<Option<Cache>>,
}

/// How long a node trusts its cached copy of the key table before reading it again.
const CACHE_FOR: Duration = Duration::from_secs(30);

fn seal_context(kid: &str) -> String {
    format!("tessera signing key {kid}")
}

impl KeyRing {
    pub fn new(master: [u8; 32], store: Arc<dyn Store>) -> Self {
        Self {
            master,
            store,
            cache: RwLock::new(None),
        }
    }

    /// Algorithms to keep keys for: RS256 always (OIDC Discovery §3), plus whatever a client uses.
    pub fn algorithms(config: &Config) -> Vec<SigningAlg> {
        let mut algs = vec![SigningAlg::Rs256];
        for c in &config.clients {
            if !algs.contains(&c.client.id_token_alg) {
                algs.push(c.client.id_token_alg);
            }
        }
        algs
    }

    /// Creates or rotates keys that are due. Safe to call from every node at any time.
    pub async fn maintain(&self, config: &Config, force: bool) -> Result<Vec<String>, AppError> {
        let now = OffsetDateTime::now_utc();
        let mut created = Vec::new();
        let existing = self.load(now).await?;
        for alg in Self::algorithms(config) {
            let has_key = existing.iter().any(|k| k.key.alg() == alg);
            if has_key && !force && !self.rotation_due(&existing, alg, now, config) {
                continue;
            }
            let key = tokio::task::spawn_blocking(move || SigningKey::generate(alg))
                .await
                .map_err(|e| AppError::internal(format!("key generation task: {e}")))?
                .map_err(|e| AppError::internal(format!("key generation: {e}")))?;
            // The schedule counts from when the key exists, not from before generating it: an
            // RSA key can take a while on a busy machine, and `key_publish_before` must still
            // pass between publishing it and signing with it.
            let now = OffsetDateTime::now_utc();
            let since = if force {
                now + Duration::from_secs(1)
            } else {
                now - config.oidc.key_rotation
            };
            // The very first key signs at once: nothing can have cached a JWKS without it.
            let activates_at = if has_key {
                now + config.oidc.key_publish_before
            } else {
                now
            };
            let longest_token = config.oidc.id_token_ttl.max(config.oidc.access_token_ttl);
            let rotation = Rotation {
                new_key: StoredKey {
                    kid: key.kid().to_owned(),
                    alg: alg.as_str().to_owned(),
                    sealed_private: tessera_oidc::seal(&self.master, key.pkcs8(), &seal_context(key.kid())),
                    created_at: now,
                    activates_at,
                    retires_at: None,
                    expires_at: None,
                },
                unless_rotated_since: since,
                old_keys_expire_at: activates_at + longest_token + Duration::from_secs(60),
            };
            if self.store.rotate_key(&rotation).await? {
                tracing::info!(kid = key.kid(), alg = alg.as_str(), %activates_at, "signing key created");
                created.push(key.kid().to_owned());
            }
        }
        if !created.is_empty() {
            *self.cache.write().await = None;
        }
        Ok(created)
    }

    fn rotation_due(&self, keys: &[LoadedKey], alg: SigningAlg, now: OffsetDateTime, config: &Config) -> bool {
        let newest = keys.iter().filter(|k| k.key.alg() == alg).map(|k| k.activates_at).max();
        newest.is_none_or(|at| now - at >= config.oidc.key_rotation)
    }

    async fn load(&self, now: OffsetDateTime) -> Result<Vec<LoadedKey>, AppError> {
        if let Some(cache) = self.cache.read().await.as_ref()
            && now - cache.loaded_at < CACHE_FOR
        {
            return Ok(cache.keys.clone());
        }
        let stored = self.store.published_keys(now).await?;
        let mut keys = Vec::with_capacity(stored.len());
        for s in stored {
            let alg: SigningAlg = s
                .alg
                .parse()
                .map_err(|e| AppError::internal(format!("key {}: {e}", s.kid)))?;
            let der = tessera_oidc::open(&self.master, &s.sealed_private, &seal_context(&s.kid)).map_err(|_| {
                AppError::internal(format!(
                    "key {} cannot be unsealed: was secrets.master_key changed?",
                    s.kid
                ))
            })?;
            let key =
                SigningKey::from_pkcs8(s.kid.clone(), alg, &der).map_err(|e| AppError::internal(e.to_string()))?;
            keys.push(LoadedKey {
                key,
                activates_at: s.activates_at,
                retires_at: s.retires_at,
            });
        }
        *self.cache.write().await = Some(Cache {
            loaded_at: now,
            keys: keys.clone(),
        });
        Ok(keys)
    }

    /// Every published key (current, upcoming and retired-but-unexpired), for the JWKS.
    pub async fn published(&self) -> Result<Vec<SigningKey>, AppError> {
        Ok(self
            .load(OffsetDateTime::now_utc())
            .await?
            .into_iter()
            .map(|k| k.key)
            .collect())
    }

    /// The key that signs now for `alg`: the newest one already active and not retired.
    pub async fn signing_key(&self, alg: SigningAlg) -> Result<SigningKey, AppError> {
        let now = OffsetDateTime::now_utc();
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
        pick(&self.load(now).await?)
            .ok_or_else(|| AppError::internal(format!("no active {} signing key", alg.as_str())))
    }

    /// Verifies a JWT this server signed (any published key).
    pub async fn verify(&self, token: &str) -> Option<(serde_json::Value, serde_json::Value)> {
        let keys = self.published().await.ok()?;
        let refs: Vec<&SigningKey> = keys.iter().collect();
        match tessera_oidc::verify_jwt(token, &refs) {
            Ok(verified) => Some(verified),
            Err(tessera_oidc::JwtError::UnknownKid) => {
                *self.cache.write().await = None;
                let keys = self.published().await.ok()?;
                let refs: Vec<&SigningKey> = keys.iter().collect();
                tessera_oidc::verify_jwt(token, &refs).ok()
            }
            Err(_) => None,
        }
    }
}
