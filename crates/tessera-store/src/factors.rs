//! Second factors and the ceremonies in flight (see `tessera_core::factors`). Every rule that
//! makes something single-use is one conditional statement, so it holds on every node.

use async_trait::async_trait;
use tessera_core::UserId;
use tessera_core::factors::{
    Ceremony, CeremonyPurpose, FactorSummary, FactorsRemoved, SecondFactorStore, StoredPasskey, TotpFactor,
};
use tessera_core::jobs::Effects;
use tessera_core::store::{StoreError, StoreResult};
use time::OffsetDateTime;

use crate::jobs::commit_with_effects;
use crate::rows::{from_unix, to_unix, user_id};
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

/// Inside a write transaction: the account's recovery codes become exactly `digests`.
macro_rules! replace_codes {
    ($tx:expr, $id:expr, $digests:expr, $now:expr) => {{
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await
            .map_err(map_sqlx)?;
        for digest in $digests {
            sqlx::query("INSERT INTO recovery_codes (user_id, digest, created_at, used_at) VALUES ($1, $2, $3, NULL)")
                .bind($id)
                .bind(digest)
                .bind(to_unix($now))
                .execute(&mut *$tx)
                .await
                .map_err(map_sqlx)?;
        }
    }};
}

#[derive(sqlx::FromRow)]
struct PasskeyRow {
    credential_id: String,
    user_id: String,
    name: String,
    passkey: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl TryFrom<PasskeyRow> for StoredPasskey {
    type Error = StoreError;

    fn try_from(r: PasskeyRow) -> StoreResult<Self> {
        Ok(StoredPasskey {
            user_id: user_id(&r.user_id)?,
            created_at: from_unix(r.created_at)?,
            last_used_at: r.last_used_at.map(from_unix).transpose()?,
            credential_id: r.credential_id,
            name: r.name,
            passkey: r.passkey,
        })
    }
}

macro_rules! select_passkey {
    ($tail:literal) => {
        concat!(
            "SELECT credential_id, user_id, name, passkey, created_at, last_used_at FROM passkeys ",
            $tail
        )
    };
}

#[derive(sqlx::FromRow)]
struct CeremonyRow {
    id_digest: String,
    browser: String,
    user_id: Option<String>,
    purpose: String,
    state: String,
    expires_at: i64,
}

impl TryFrom<CeremonyRow> for Ceremony {
    type Error = StoreError;

    fn try_from(r: CeremonyRow) -> StoreResult<Self> {
        Ok(Ceremony {
            user_id: r.user_id.as_deref().map(user_id).transpose()?,
            purpose: CeremonyPurpose::parse(&r.purpose)
                .ok_or_else(|| StoreError::Other(format!("unknown ceremony purpose {:?}", r.purpose)))?,
            expires_at: from_unix(r.expires_at)?,
            id_digest: r.id_digest,
            browser: r.browser,
            state: r.state,
        })
    }
}

/// Recovery codes stand in for a factor: with the last one gone, they go too (a recovery
/// code alone must never be a second step).
const DELETE_CODES_WITHOUT_FACTOR: &str = "DELETE FROM recovery_codes WHERE user_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM totp_factors WHERE user_id = $1 AND confirmed) \
     AND NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = $1)";

#[async_trait]
impl SecondFactorStore for SqlStore {
    async fn factor_summary(&self, user: UserId) -> StoreResult<FactorSummary> {
        let (totp, passkeys, codes): (i64, i64, i64) = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM totp_factors WHERE user_id = $1 AND confirmed), \
                        (SELECT COUNT(*) FROM passkeys WHERE user_id = $1), \
                        (SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL)",
            )
            .bind(user.to_string()).fetch_one(pool).await.map_err(map_sqlx)?
        });
        Ok(FactorSummary {
            totp: totp > 0,
            passkeys: usize::try_from(passkeys).unwrap_or(0),
            recovery_codes_left: usize::try_from(codes).unwrap_or(0),
        })
    }

    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>> {
        let row: Option<(String, bool, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT sealed_secret, confirmed, created_at FROM totp_factors WHERE user_id = $1")
                .bind(user.to_string()).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(|(sealed_secret, confirmed, created_at)| {
            Ok(TotpFactor {
                user_id: user,
                sealed_secret,
                confirmed,
                created_at: from_unix(created_at)?,
            })
        })
        .transpose()
    }

    async fn begin_totp(&self, user: UserId, sealed_secret: &str, now: OffsetDateTime) -> StoreResult<()> {
        let changed = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO totp_factors (user_id, sealed_secret, confirmed, last_step, created_at) \
                 VALUES ($1, $2, FALSE, 0, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET sealed_secret = $2, created_at = $3 \
                 WHERE NOT totp_factors.confirmed",
            )
            .bind(user.to_string()).bind(sealed_secret).bind(to_unix(now))
            .execute(pool).await.map_err(map_sqlx)?.rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::Conflict {
                field: "authenticator app",
            });
        }
        Ok(())
    }

    async fn confirm_totp_with(
        &self,
        user: UserId,
        step: i64,
        recovery_digests: &[String],
        now: OffsetDateTime,
        effects: &Effects,
    ) -> StoreResult<bool> {
        let id = user.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let confirmed = sqlx::query(
                "UPDATE totp_factors SET confirmed = TRUE, last_step = $2 WHERE user_id = $1 AND NOT confirmed",
            )
            .bind(&id).bind(step).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if confirmed == 0 {
                return Ok(false);
            }
            replace_codes!(tx, &id, recovery_digests, now);
            commit_with_effects!(tx, effects)?;
            Ok(true)
        })
    }

    async fn accept_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE totp_factors SET last_step = $2 WHERE user_id = $1 AND confirmed AND last_step < $2")
                .bind(user.to_string()).bind(step)
                .execute(pool).await.map(|r| r.rows_affected() == 1).map_err(map_sqlx)
        })
    }

    async fn remove_totp_with(&self, user: UserId, effects: &Effects) -> StoreResult<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let removed = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
                .bind(user.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if removed == 0 {
                return Ok(false);
            }
            sqlx::query(DELETE_CODES_WITHOUT_FACTOR).bind(user.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?;
            commit_with_effects!(tx, effects)?;
            Ok(true)
        })
    }

    async fn replace_recovery_codes_with(
        &self,
        user: UserId,
        digests: &[String],
        now: OffsetDateTime,
        effects: &Effects,
    ) -> StoreResult<()> {
        let id = user.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            replace_codes!(tx, &id, digests, now);
            commit_with_effects!(tx, effects)
        })
    }

    async fn use_recovery_code_with(
        &self,
        user: UserId,
        digest: &str,
        now: OffsetDateTime,
        effects: &Effects,
    ) -> StoreResult<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let used = sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND digest = $2 AND used_at IS NULL",
            )
            .bind(user.to_string()).bind(digest).bind(to_unix(now))
            .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if used == 0 {
                return Ok(false);
            }
            commit_with_effects!(tx, effects)?;
            Ok(true)
        })
    }

    async fn passkeys_of(&self, user: UserId) -> StoreResult<Vec<StoredPasskey>> {
        let rows: Vec<PasskeyRow> = on_pool!(self, pool => {
            sqlx::query_as(select_passkey!("WHERE user_id = $1 ORDER BY created_at, credential_id")).bind(user.to_string()).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows.into_iter().map(StoredPasskey::try_from).collect()
    }

    async fn passkey(&self, credential_id: &str) -> StoreResult<Option<StoredPasskey>> {
        let row: Option<PasskeyRow> = on_pool!(self, pool => {
            sqlx::query_as(select_passkey!("WHERE credential_id = $1")).bind(credential_id).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(StoredPasskey::try_from).transpose()
    }

    async fn add_passkey_with(&self, p: &StoredPasskey, effects: &Effects) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            sqlx::query(
                "INSERT INTO passkeys (credential_id, user_id, name, passkey, created_at, last_used_at) \
                 VALUES ($1, $2, $3, $4, $5, NULL)",
            )
            .bind(&p.credential_id).bind(p.user_id.to_string()).bind(&p.name).bind(&p.passkey)
            .bind(to_unix(p.created_at))
            .execute(&mut *tx).await.map_err(map_sqlx)?;
            commit_with_effects!(tx, effects)
        })
    }

    async fn passkey_used(&self, credential_id: &str, passkey: &str, at: OffsetDateTime) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE passkeys SET passkey = $2, last_used_at = $3 WHERE credential_id = $1")
                .bind(credential_id).bind(passkey).bind(to_unix(at))
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn remove_passkey_with(&self, user: UserId, credential_id: &str, effects: &Effects) -> StoreResult<bool> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let removed = sqlx::query("DELETE FROM passkeys WHERE user_id = $1 AND credential_id = $2")
                .bind(user.to_string()).bind(credential_id)
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if removed == 0 {
                return Ok(false);
            }
            sqlx::query(DELETE_CODES_WITHOUT_FACTOR).bind(user.to_string()).execute(&mut *tx).await.map_err(map_sqlx)?;
            commit_with_effects!(tx, effects)?;
            Ok(true)
        })
    }

    async fn reset_factors_with(&self, user: UserId, effects: &Effects) -> StoreResult<FactorsRemoved> {
        let id = user.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let mut removed = FactorsRemoved::default();
            macro_rules! delete {
                ($sql:literal) => {
                    sqlx::query($sql).bind(&id).execute(&mut *tx).await.map(|r| r.rows_affected()).map_err(map_sqlx)
                };
            }
            removed.totp = delete!("DELETE FROM totp_factors WHERE user_id = $1 AND confirmed")? > 0;
            delete!("DELETE FROM totp_factors WHERE user_id = $1")?;
            removed.passkeys = delete!("DELETE FROM passkeys WHERE user_id = $1")?;
            removed.recovery_codes = delete!("DELETE FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")?;
            delete!("DELETE FROM recovery_codes WHERE user_id = $1")?;
            delete!("DELETE FROM mfa_ceremonies WHERE user_id = $1")?;
            removed.sessions = delete!("DELETE FROM sessions WHERE user_id = $1")?;
            commit_with_effects!(tx, effects)?;
            Ok(removed)
        })
    }

    async fn create_ceremony(&self, c: &Ceremony) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO mfa_ceremonies (id_digest, browser, user_id, purpose, state, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&c.id_digest).bind(&c.browser).bind(c.user_id.map(|u| u.to_string()))
            .bind(c.purpose.as_str()).bind(&c.state).bind(to_unix(c.expires_at))
            .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn ceremony(&self, id_digest: &str, now: OffsetDateTime) -> StoreResult<Option<Ceremony>> {
        let row: Option<CeremonyRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id_digest, browser, user_id, purpose, state, expires_at FROM mfa_ceremonies \
                 WHERE id_digest = $1 AND expires_at > $2",
            )
            .bind(id_digest).bind(to_unix(now)).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(Ceremony::try_from).transpose()
    }

    async fn take_ceremony(&self, id_digest: &str, now: OffsetDateTime) -> StoreResult<Option<Ceremony>> {
        let row: Option<CeremonyRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "DELETE FROM mfa_ceremonies WHERE id_digest = $1 \
                 RETURNING id_digest, browser, user_id, purpose, state, expires_at",
            )
            .bind(id_digest).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        let ceremony = row.map(Ceremony::try_from).transpose()?;
        Ok(ceremony.filter(|c| c.expires_at > now))
    }

    async fn delete_stale_ceremonies(&self, now: OffsetDateTime) -> StoreResult<u64> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM mfa_ceremonies WHERE expires_at <= $1")
                .bind(to_unix(now)).execute(pool).await.map(|r| r.rows_affected()).map_err(map_sqlx)
        })
    }
}
