use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tessera_core::UserId;
use tessera_core::store::{StoreError, StoreResult};
use tessera_oidc::storage::{
    AccessTokenRecord, Authorization, CodeStore, CodeUse, GrantRecord, GrantStore, Issuance, IssueGuard, KeyStore,
    PendingAuthorization, PendingStore, PromptFlags, RefreshUse, Rotation, StoredCode, StoredKey, StoredRefreshToken,
    TokenStore,
};
use time::OffsetDateTime;

use crate::rows::{from_unix, to_unix, user_id};
use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

/// A new password means apps must ask again: every code, refresh family, refresh token and
/// access token of the account is revoked, inside the caller's transaction (`$tx`). Guards
/// (codes, families) are flagged first, in the order issuing takes them, so an issuance in
/// flight either finishes before this and is revoked by it, or finds its guard revoked.
macro_rules! revoke_tokens_of_user {
    ($tx:expr, $user:expr) => {{
        for sql in [
            "UPDATE authorization_codes SET revoked = TRUE WHERE user_id = $1",
            "UPDATE refresh_families SET revoked = TRUE WHERE user_id = $1",
            "UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = $1",
            "UPDATE access_tokens SET revoked = TRUE WHERE user_id = $1",
        ] {
            sqlx::query(sql)
                .bind($user)
                .execute(&mut *$tx)
                .await
                .map_err($crate::map_sqlx)?;
        }
    }};
}
pub(crate) use revoke_tokens_of_user;

/// A replayed code: flag it (its row is the guard issuing locks), then revoke every family
/// started with it and every token it or they issued, inside `$tx`.
macro_rules! revoke_code {
    ($tx:expr, $digest:expr) => {{
        for sql in [
            "UPDATE authorization_codes SET revoked = TRUE WHERE digest = $1",
            "UPDATE refresh_families SET revoked = TRUE WHERE code_digest = $1",
            "UPDATE refresh_tokens SET revoked = TRUE WHERE family_id IN (SELECT id FROM refresh_families WHERE code_digest = $1)",
            "UPDATE access_tokens SET revoked = TRUE WHERE code_digest = $1 \
             OR family_id IN (SELECT id FROM refresh_families WHERE code_digest = $1)",
        ] {
            sqlx::query(sql).bind($digest).execute(&mut *$tx).await.map_err(map_sqlx)?;
        }
    }};
}

/// A leaked or withdrawn family: flag it (the guard issuing locks), then its tokens, in `$tx`.
macro_rules! revoke_family {
    ($tx:expr, $family:expr) => {{
        for sql in [
            "UPDATE refresh_families SET revoked = TRUE WHERE id = $1",
            "UPDATE refresh_tokens SET revoked = TRUE WHERE family_id = $1",
            "UPDATE access_tokens SET revoked = TRUE WHERE family_id = $1",
        ] {
            sqlx::query(sql)
                .bind($family)
                .execute(&mut *$tx)
                .await
                .map_err(map_sqlx)?;
        }
    }};
}

/// Takes the row lock of an issuance's guard (the code or the family) when it is still live,
/// in the transaction `$tx`: a no-op update that matches only a live guard, so a concurrent
/// revocation waits for this transaction (or this one for it, and then sees the revoked
/// flag), and the flag is read in the same step. `true` when the guard is live.
macro_rules! take_guard {
    ($tx:expr, $guard:expr) => {{
        let guard = match $guard {
            IssueGuard::Code(digest) => {
                sqlx::query("UPDATE authorization_codes SET revoked = FALSE WHERE digest = $1 AND revoked = FALSE")
                    .bind(digest)
            }
            IssueGuard::Family(id) => {
                sqlx::query("UPDATE refresh_families SET revoked = FALSE WHERE id = $1 AND revoked = FALSE").bind(id)
            }
        };
        guard.execute(&mut *$tx).await.map_err(map_sqlx)?.rows_affected() == 1
    }};
}

/// Writes the records of one issuance (a new family when its guard is a code, the refresh
/// token, the access token) in the transaction `$tx`, after [`take_guard`].
macro_rules! insert_issued {
    ($tx:expr, $i:expr) => {{
        let i: &Issuance = $i;
        if let Some(r) = &i.refresh_token {
            let a = &r.authorization;
            if let IssueGuard::Code(code_digest) = &i.guard {
                sqlx::query(
                    "INSERT INTO refresh_families (id, client_id, user_id, code_digest, revoked, expires_at) VALUES ($1, $2, $3, $4, FALSE, $5)",
                )
                .bind(&r.family_id).bind(&a.client_id).bind(a.user_id.to_string()).bind(code_digest).bind(to_unix(r.family_expires_at))
                .execute(&mut *$tx).await.map_err(map_sqlx)?;
            }
            sqlx::query(
                "INSERT INTO refresh_tokens (digest, family_id, client_id, user_id, scopes, auth_time, sid, amr, code_digest, rotated, revoked, \
                 issued_at, family_expires_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, FALSE, $10, $11, $12)",
            )
            .bind(&r.digest).bind(&r.family_id).bind(&a.client_id).bind(a.user_id.to_string()).bind(join(&a.scopes))
            .bind(to_unix(a.auth_time)).bind(&a.sid).bind(join(&a.amr)).bind(r.code_digest.as_deref())
            .bind(to_unix(r.issued_at)).bind(to_unix(r.family_expires_at)).bind(to_unix(r.expires_at))
            .execute(&mut *$tx).await.map_err(map_sqlx)?;
        }
        insert_access_token!(&i.access_token).execute(&mut *$tx).await.map_err(map_sqlx)?;
    }};
}

/// The insert of one access-token record, bound and ready to execute on either backend.
macro_rules! insert_access_token {
    ($t:expr) => {
        sqlx::query(
            "INSERT INTO access_tokens (jti, client_id, user_id, scopes, family_id, code_digest, sid, revoked, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8)",
        )
        .bind(&$t.jti)
        .bind(&$t.client_id)
        .bind($t.user_id.map(|u| u.to_string()))
        .bind(join(&$t.scopes))
        .bind($t.family_id.as_deref())
        .bind($t.code_digest.as_deref())
        .bind($t.sid.as_deref())
        .bind(to_unix($t.expires_at))
    };
}

pub(crate) fn join(words: &[String]) -> String {
    words.join(" ")
}

fn split(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn prompt_text(p: &PromptFlags) -> String {
    [
        (p.none, "none"),
        (p.login, "login"),
        (p.consent, "consent"),
        (p.select_account, "select_account"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect::<Vec<_>>()
    .join(" ")
}

fn prompt_flags(text: &str) -> PromptFlags {
    let has = |w: &str| text.split_whitespace().any(|x| x == w);
    PromptFlags {
        none: has("none"),
        login: has("login"),
        consent: has("consent"),
        select_account: has("select_account"),
    }
}

type KeyRow = (String, String, String, i64, i64, Option<i64>, Option<i64>);
#[derive(sqlx::FromRow)]
struct PendingRow {
    id: String,
    browser: String,
    client_id: String,
    redirect_uri: String,
    scopes: String,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    prompt: String,
    max_age: Option<i64>,
    acr_values: Option<String>,
    login_hint: Option<String>,
    hint_subject: Option<String>,
    session_at_start: Option<String>,
    consented: bool,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<PendingRow> for PendingAuthorization {
    type Error = StoreError;

    fn try_from(r: PendingRow) -> StoreResult<Self> {
        Ok(PendingAuthorization {
            scopes: split(&r.scopes),
            prompt: prompt_flags(&r.prompt),
            acr_values: r.acr_values.as_deref().map(split).unwrap_or_default(),
            created_at: from_unix(r.created_at)?,
            expires_at: from_unix(r.expires_at)?,
            id: r.id,
            browser: r.browser,
            client_id: r.client_id,
            redirect_uri: r.redirect_uri,
            state: r.state,
            nonce: r.nonce,
            code_challenge: r.code_challenge,
            max_age: r.max_age,
            login_hint: r.login_hint,
            hint_subject: r.hint_subject,
            session_at_start: r.session_at_start,
            consented: r.consented,
        })
    }
}

type CodeRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    bool,
    i64,
);
type RefreshRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    bool,
    bool,
    i64,
    i64,
);
type AccessRow = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    i64,
);

fn authorization(
    client_id: String,
    user: &str,
    scopes: &str,
    auth_time: i64,
    sid: String,
    amr: &str,
) -> StoreResult<Authorization> {
    Ok(Authorization {
        client_id,
        user_id: user_id(user)?,
        scopes: split(scopes),
        auth_time: from_unix(auth_time)?,
        sid,
        amr: split(amr),
    })
}

fn refresh_from_row(r: RefreshRow) -> StoreResult<(StoredRefreshToken, bool, bool)> {
    let (
        digest,
        family_id,
        client_id,
        user,
        scopes,
        auth_time,
        sid,
        amr,
        rotated,
        revoked,
        family_expires_at,
        expires_at,
    ) = r;
    Ok((
        StoredRefreshToken {
            digest,
            family_id,
            authorization: authorization(client_id, &user, &scopes, auth_time, sid, &amr)?,
            family_expires_at: from_unix(family_expires_at)?,
            expires_at: from_unix(expires_at)?,
        },
        rotated,
        revoked,
    ))
}

const REFRESH_COLUMNS: &str = "digest, family_id, client_id, user_id, scopes, auth_time, sid, amr, rotated, revoked, family_expires_at, expires_at";

#[async_trait]
impl KeyStore for SqlStore {
    async fn published_keys(&self, now: OffsetDateTime) -> StoreResult<Vec<StoredKey>> {
        let rows: Vec<KeyRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT kid, alg, sealed_private, created_at, activates_at, retires_at, expires_at FROM signing_keys \
                 WHERE expires_at IS NULL OR expires_at > $1 ORDER BY created_at, kid",
            )
            .bind(to_unix(now)).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows.into_iter()
            .map(|(kid, alg, sealed, created, activates, retires, expires)| {
                Ok(StoredKey {
                    sealed_private: STANDARD
                        .decode(&sealed)
                        .map_err(|_| StoreError::Other(format!("key {kid} is not base64")))?,
                    kid,
                    alg,
                    created_at: from_unix(created)?,
                    activates_at: from_unix(activates)?,
                    retires_at: retires.map(from_unix).transpose()?,
                    expires_at: expires.map(from_unix).transpose()?,
                })
            })
            .collect()
    }

    async fn rotate_key(&self, r: &Rotation) -> StoreResult<bool> {
        let k = &r.new_key;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            sqlx::query("INSERT INTO key_rotations (alg, last_rotated_at) VALUES ($1, 0) ON CONFLICT DO NOTHING")
                .bind(&k.alg).execute(&mut *tx).await.map_err(map_sqlx)?;
            // The row update is the election: concurrent nodes serialize on the row, and only
            // the first still finds the condition true (PostgreSQL re-checks it after the wait).
            let won = sqlx::query("UPDATE key_rotations SET last_rotated_at = $2 WHERE alg = $1 AND last_rotated_at < $3")
                .bind(&k.alg).bind(to_unix(k.created_at)).bind(to_unix(r.unless_rotated_since))
                .execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected() == 1;
            if !won {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE signing_keys SET retires_at = $2, expires_at = $3 \
                 WHERE alg = $1 AND (retires_at IS NULL OR retires_at > $2)",
            )
            .bind(&k.alg).bind(to_unix(k.activates_at)).bind(to_unix(r.old_keys_expire_at))
            .execute(&mut *tx).await.map_err(map_sqlx)?;
            sqlx::query(
                "INSERT INTO signing_keys (kid, alg, sealed_private, created_at, activates_at, retires_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, NULL, NULL)",
            )
            .bind(&k.kid).bind(&k.alg).bind(STANDARD.encode(&k.sealed_private)).bind(to_unix(k.created_at)).bind(to_unix(k.activates_at))
            .execute(&mut *tx).await.map_err(map_sqlx)?;
            tx.commit().await.map_err(map_sqlx)?;
            Ok(true)
        })
    }
}

#[async_trait]
impl PendingStore for SqlStore {
    async fn create_pending(&self, p: &PendingAuthorization) -> StoreResult<()> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO auth_requests (id, browser, client_id, redirect_uri, scopes, state, nonce, code_challenge, prompt, \
                 max_age, login_hint, hint_subject, session_at_start, consented, created_at, expires_at, acr_values) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            )
            .bind(&p.id).bind(&p.browser).bind(&p.client_id).bind(&p.redirect_uri).bind(join(&p.scopes)).bind(p.state.as_deref())
            .bind(p.nonce.as_deref()).bind(p.code_challenge.as_deref()).bind(prompt_text(&p.prompt)).bind(p.max_age)
            .bind(p.login_hint.as_deref()).bind(p.hint_subject.as_deref()).bind(p.session_at_start.as_deref()).bind(p.consented).bind(to_unix(p.created_at)).bind(to_unix(p.expires_at))
            .bind((!p.acr_values.is_empty()).then(|| join(&p.acr_values)))
            .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn pending(&self, id: &str, now: OffsetDateTime) -> StoreResult<Option<PendingAuthorization>> {
        let row: Option<PendingRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, browser, client_id, redirect_uri, scopes, state, nonce, code_challenge, prompt, max_age, acr_values, \
                 login_hint, hint_subject, session_at_start, consented, created_at, expires_at FROM auth_requests \
                 WHERE id = $1 AND expires_at > $2",
            )
            .bind(id).bind(to_unix(now)).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(PendingAuthorization::try_from).transpose()
    }

    async fn mark_consented(&self, id: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE auth_requests SET consented = TRUE WHERE id = $1").bind(id).execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn delete_pending(&self, id: &str) -> StoreResult<()> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM auth_requests WHERE id = $1").bind(id).execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }
}

#[async_trait]
impl CodeStore for SqlStore {
    async fn issue_code(&self, pending_id: &str, c: &StoredCode) -> StoreResult<bool> {
        let _turn = self.write_turn().await;
        let a = &c.authorization;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            // The delete is the election: of concurrent continuations only one removes the row.
            let ended = sqlx::query("DELETE FROM auth_requests WHERE id = $1")
                .bind(pending_id).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected() == 1;
            if !ended {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO authorization_codes (digest, client_id, redirect_uri, user_id, scopes, nonce, code_challenge, auth_time, sid, amr, used, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, $11)",
            )
            .bind(&c.digest).bind(&a.client_id).bind(&c.redirect_uri).bind(a.user_id.to_string()).bind(join(&a.scopes))
            .bind(c.nonce.as_deref()).bind(c.code_challenge.as_deref()).bind(to_unix(a.auth_time)).bind(&a.sid).bind(join(&a.amr))
            .bind(to_unix(c.expires_at))
            .execute(&mut *tx).await.map_err(map_sqlx)?;
            tx.commit().await.map_err(map_sqlx)?;
            Ok(true)
        })
    }

    async fn use_code(&self, digest: &str, now: OffsetDateTime) -> StoreResult<CodeUse> {
        let _turn = self.write_turn().await;
        let row: Option<CodeRow> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let first = sqlx::query("UPDATE authorization_codes SET used = TRUE WHERE digest = $1 AND used = FALSE")
                .bind(digest).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected() == 1;
            let row: Option<CodeRow> = sqlx::query_as(
                "SELECT digest, client_id, redirect_uri, user_id, scopes, nonce, code_challenge, auth_time, sid, amr, revoked, expires_at \
                 FROM authorization_codes WHERE digest = $1",
            )
            .bind(digest).fetch_optional(&mut *tx).await.map_err(map_sqlx)?;
            if !first && row.is_some() {
                // RFC 6749 §4.1.2: a code used twice revokes every token issued from it.
                revoke_code!(tx, digest);
                tx.commit().await.map_err(map_sqlx)?;
                return Ok(CodeUse::Replayed);
            }
            tx.commit().await.map_err(map_sqlx)?;
            row
        });
        let Some((
            digest,
            client_id,
            redirect_uri,
            user,
            scopes,
            nonce,
            code_challenge,
            auth_time,
            sid,
            amr,
            revoked,
            expires_at,
        )) = row
        else {
            return Ok(CodeUse::Unknown);
        };
        let expires_at = from_unix(expires_at)?;
        // Revoked before its first use: the password changed or access was withdrawn.
        if revoked || expires_at <= now {
            return Ok(CodeUse::Unknown);
        }
        Ok(CodeUse::First(Box::new(StoredCode {
            digest,
            redirect_uri,
            nonce,
            code_challenge,
            authorization: authorization(client_id, &user, &scopes, auth_time, sid, &amr)?,
            expires_at,
        })))
    }
}

#[async_trait]
impl TokenStore for SqlStore {
    async fn issue_tokens(&self, i: &Issuance) -> StoreResult<bool> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            if !take_guard!(tx, &i.guard) {
                return Ok(false);
            }
            insert_issued!(tx, i);
            tx.commit().await.map_err(map_sqlx)?;
            Ok(true)
        })
    }

    async fn rotate_refresh_token(
        &self,
        digest: &str,
        now: OffsetDateTime,
        successor: &Issuance,
    ) -> StoreResult<RefreshUse> {
        let select = format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE digest = $1");
        let _turn = self.write_turn().await;
        let row: Option<RefreshRow> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            // The family row first, as issuing and revoking take it (family, then tokens: the
            // other order would deadlock against a concurrent revocation of the family).
            if take_guard!(tx, &successor.guard) {
                let rotated_now = sqlx::query(
                    "UPDATE refresh_tokens SET rotated = TRUE WHERE digest = $1 AND rotated = FALSE AND revoked = FALSE \
                     AND expires_at > $2 AND family_expires_at > $2",
                )
                .bind(digest).bind(to_unix(now)).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected() == 1;
                if rotated_now {
                    let row: RefreshRow = sqlx::query_as(sqlx::AssertSqlSafe(select)).bind(digest).fetch_one(&mut *tx).await.map_err(map_sqlx)?;
                    // The successor in the same transaction: if it cannot be written, the
                    // presented token is not rotated either and may be presented again.
                    insert_issued!(tx, successor);
                    tx.commit().await.map_err(map_sqlx)?;
                    return Ok(RefreshUse::Rotated(refresh_from_row(row)?.0));
                }
            }
            // Nothing was changed; ending the transaction releases the rows it locked.
            tx.rollback().await.map_err(map_sqlx)?;
            sqlx::query_as(sqlx::AssertSqlSafe(select)).bind(digest).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        let Some(row) = row else { return Ok(RefreshUse::Unknown) };
        let (token, rotated, revoked) = refresh_from_row(row)?;
        if revoked && !rotated {
            // Revoked on purpose (revocation, password change, consent withdrawn).
            return Ok(RefreshUse::Revoked);
        }
        if !rotated {
            return Ok(RefreshUse::Unknown); // merely expired
        }
        // OAuth 2.0 Security BCP §4.14.2: reuse of a rotated refresh token means it leaked;
        // revoke the family so neither party keeps access.
        self.revoke_family(&token.family_id).await?;
        Ok(RefreshUse::Reused {
            client_id: token.authorization.client_id,
        })
    }

    async fn refresh_token(&self, digest: &str) -> StoreResult<Option<(StoredRefreshToken, bool)>> {
        let select = format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE digest = $1");
        let row: Option<RefreshRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(select)).bind(digest).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(|r| refresh_from_row(r).map(|(t, rotated, revoked)| (t, rotated || revoked)))
            .transpose()
    }

    async fn revoke_family(&self, family_id: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            revoke_family!(tx, family_id);
            tx.commit().await.map_err(map_sqlx)
        })
    }

    async fn record_access_token(&self, t: &AccessTokenRecord) -> StoreResult<()> {
        self.access_tokens.record(t.clone()).await
    }

    async fn access_token(&self, jti: &str) -> StoreResult<Option<(AccessTokenRecord, bool)>> {
        let row: Option<AccessRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT jti, client_id, user_id, scopes, family_id, code_digest, sid, revoked, expires_at FROM access_tokens WHERE jti = $1")
                .bind(jti).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(
            |(jti, client_id, user, scopes, family_id, code_digest, sid, revoked, expires_at)| {
                Ok((
                    AccessTokenRecord {
                        jti,
                        client_id,
                        user_id: user.as_deref().map(user_id).transpose()?,
                        scopes: split(&scopes),
                        family_id,
                        code_digest,
                        sid,
                        expires_at: from_unix(expires_at)?,
                    },
                    revoked,
                ))
            },
        )
        .transpose()
    }

    async fn revoke_access_token(&self, jti: &str) -> StoreResult<()> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            sqlx::query("UPDATE access_tokens SET revoked = TRUE WHERE jti = $1").bind(jti).execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn clients_of_session(&self, sid: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            // Refresh tokens outlive access-token records, so both are asked.
            sqlx::query_as("SELECT client_id FROM access_tokens WHERE sid = $1 UNION SELECT client_id FROM refresh_tokens WHERE sid = $1 ORDER BY client_id")
                .bind(sid).fetch_all(pool).await.map_err(map_sqlx)?
        });
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    async fn purge_expired(&self, now: OffsetDateTime, codes_expired_by: OffsetDateTime) -> StoreResult<u64> {
        let (now, codes_expired_by) = (to_unix(now), to_unix(codes_expired_by));
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let mut removed = 0;
            for (sql, by) in [
                ("DELETE FROM auth_requests WHERE expires_at <= $1", now),
                ("DELETE FROM upstream_logins WHERE expires_at <= $1", now),
                ("DELETE FROM email_tokens WHERE expires_at <= $1", now),
                ("DELETE FROM authorization_codes WHERE expires_at <= $1", codes_expired_by),
                ("DELETE FROM access_tokens WHERE expires_at <= $1", now),
                ("DELETE FROM refresh_tokens WHERE family_expires_at <= $1", now),
                ("DELETE FROM refresh_families WHERE expires_at <= $1", now),
                ("DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= $1", now),
            ] {
                removed += sqlx::query(sql).bind(by).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            }
            tx.commit().await.map_err(map_sqlx)?;
            Ok(removed)
        })
    }
}

#[async_trait]
impl GrantStore for SqlStore {
    async fn grant(&self, user: UserId, client_id: &str) -> StoreResult<Option<GrantRecord>> {
        let row: Option<(String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT client_id, scopes, granted_at FROM grants WHERE user_id = $1 AND client_id = $2")
                .bind(user.to_string()).bind(client_id).fetch_optional(pool).await.map_err(map_sqlx)?
        });
        row.map(|(client_id, scopes, at)| {
            Ok(GrantRecord {
                client_id,
                scopes: split(&scopes),
                granted_at: from_unix(at)?,
            })
        })
        .transpose()
    }

    async fn save_grant(
        &self,
        user: UserId,
        client_id: &str,
        scopes: &[String],
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO grants (user_id, client_id, scopes, granted_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at",
            )
            .bind(user.to_string()).bind(client_id).bind(join(scopes)).bind(to_unix(at))
            .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn grants_of(&self, user: UserId) -> StoreResult<Vec<GrantRecord>> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT client_id, scopes, granted_at FROM grants WHERE user_id = $1 ORDER BY client_id")
                .bind(user.to_string()).fetch_all(pool).await.map_err(map_sqlx)?
        });
        rows.into_iter()
            .map(|(client_id, scopes, at)| {
                Ok(GrantRecord {
                    client_id,
                    scopes: split(&scopes),
                    granted_at: from_unix(at)?,
                })
            })
            .collect()
    }

    async fn revoke_grant(&self, user: UserId, client_id: &str) -> StoreResult<bool> {
        let user = user.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            let existed = sqlx::query("DELETE FROM grants WHERE user_id = $1 AND client_id = $2")
                .bind(&user).bind(client_id).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected() > 0;
            // Guards first, in the order issuing takes them (see `revoke_tokens_of_user!`).
            for sql in [
                "UPDATE authorization_codes SET revoked = TRUE WHERE user_id = $1 AND client_id = $2",
                "UPDATE refresh_families SET revoked = TRUE WHERE user_id = $1 AND client_id = $2",
                "UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = $1 AND client_id = $2",
                "UPDATE access_tokens SET revoked = TRUE WHERE user_id = $1 AND client_id = $2",
            ] {
                sqlx::query(sql).bind(&user).bind(client_id).execute(&mut *tx).await.map_err(map_sqlx)?;
            }
            tx.commit().await.map_err(map_sqlx)?;
            Ok(existed)
        })
    }
}
