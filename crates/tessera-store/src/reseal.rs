//! Every value sealed under the master key, re-sealed in one transaction (`tessera secrets
//! rotate-master-key`): the signing keys' private parts, the upstream tokens of linked
//! identities, the protocol data of upstream logins in flight, and authenticator-app secrets.
//!
//! The store knows where the sealed columns are, not how a value is opened: the caller
//! re-seals each one (the contexts belong to the key ring and the upstream module). Either
//! every value is written, or, when any does not open, none is.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tessera_core::seal::SealError;
use tessera_core::store::StoreResult;

use crate::{Backend, BeginWrite, SqlStore, map_sqlx, on_pool};

/// The row a sealed value lives in. Its key is also what the value's sealing context binds it
/// to, so the caller needs it to open the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SealedRow {
    /// `signing_keys.sealed_private`.
    SigningKey { kid: String },
    /// `identities.tokens_sealed` (rows without tokens hold nothing sealed).
    UpstreamTokens { provider: String, subject: String },
    /// `upstream_logins.sealed_data`.
    UpstreamLogin { upstream: String, state_digest: String },
    /// `totp_factors.sealed_secret`.
    TotpSecret { user_id: String },
}

/// Names the row, never its contents: fit for messages.
impl fmt::Display for SealedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SigningKey { kid } => write!(f, "signing key {kid}"),
            Self::UpstreamTokens { provider, subject } => {
                write!(f, "upstream tokens of the {provider} account {subject:?}")
            }
            Self::UpstreamLogin { upstream, state_digest } => {
                write!(
                    f,
                    "upstream login in flight at {upstream} (state digest {state_digest})"
                )
            }
            Self::TotpSecret { user_id } => write!(f, "authenticator-app secret of account {user_id}"),
        }
    }
}

/// How many values of each kind were re-sealed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResealCounts {
    pub signing_keys: usize,
    pub upstream_tokens: usize,
    pub upstream_logins: usize,
    pub totp_secrets: usize,
}

/// What [`SqlStore::reseal_all`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Reseal {
    /// Every sealed value was replaced, in one transaction.
    Done(ResealCounts),
    /// These values did not open (or were not even base64); nothing was written.
    Refused(Vec<SealedRow>),
}

// Every sealed column (base64 text) with the key of its row, read in a fixed order.
const SELECT_KEYS: &str = "SELECT kid, sealed_private FROM signing_keys ORDER BY kid";
const SELECT_TOKENS: &str = "SELECT provider, subject, tokens_sealed FROM identities WHERE tokens_sealed IS NOT NULL ORDER BY provider, subject";
const SELECT_LOGINS: &str = "SELECT upstream, state_digest, sealed_data FROM upstream_logins ORDER BY state_digest";
const SELECT_TOTP: &str = "SELECT user_id, sealed_secret FROM totp_factors ORDER BY user_id";
const UPDATE_KEY: &str = "UPDATE signing_keys SET sealed_private = $1 WHERE kid = $2";
const UPDATE_TOKENS: &str = "UPDATE identities SET tokens_sealed = $1 WHERE provider = $2 AND subject = $3";
const UPDATE_LOGIN: &str = "UPDATE upstream_logins SET sealed_data = $1 WHERE state_digest = $2";
const UPDATE_TOTP: &str = "UPDATE totp_factors SET sealed_secret = $1 WHERE user_id = $2";

/// PostgreSQL: running nodes may still read, but cannot add or change a sealed value between
/// our read and our commit (it would stay sealed under the old key). SQLite's `BEGIN
/// IMMEDIATE` already holds the database's one write lock.
const LOCK_TABLES: &str = "LOCK TABLE signing_keys, identities, upstream_logins, totp_factors IN EXCLUSIVE MODE";

impl SqlStore {
    /// Replaces every sealed value by what `reseal` makes of it (the row and the sealed
    /// bytes), in one write transaction. When `reseal` fails for any value, nothing is
    /// written and every such row is named.
    pub async fn reseal_all(
        &self,
        mut reseal: impl FnMut(&SealedRow, &[u8]) -> Result<Vec<u8>, SealError>,
    ) -> StoreResult<Reseal> {
        let postgres = self.backend() == Backend::Postgres;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            if postgres {
                sqlx::query(LOCK_TABLES).execute(&mut *tx).await.map_err(map_sqlx)?;
            }
            let keys: Vec<(String, String)> = sqlx::query_as(SELECT_KEYS).fetch_all(&mut *tx).await.map_err(map_sqlx)?;
            let tokens: Vec<(String, String, String)> =
                sqlx::query_as(SELECT_TOKENS).fetch_all(&mut *tx).await.map_err(map_sqlx)?;
            let logins: Vec<(String, String, String)> =
                sqlx::query_as(SELECT_LOGINS).fetch_all(&mut *tx).await.map_err(map_sqlx)?;
            let totp: Vec<(String, String)> = sqlx::query_as(SELECT_TOTP).fetch_all(&mut *tx).await.map_err(map_sqlx)?;
            let resealed = match reseal_each(sealed_values(keys, tokens, logins, totp), &mut reseal) {
                Ok(resealed) => resealed,
                // Dropping the transaction rolls it back: nothing was written yet anyway.
                Err(refused) => return Ok(Reseal::Refused(refused)),
            };
            for (row, text) in &resealed {
                let update = match row {
                    SealedRow::SigningKey { kid } => sqlx::query(UPDATE_KEY).bind(text).bind(kid),
                    SealedRow::UpstreamTokens { provider, subject } => {
                        sqlx::query(UPDATE_TOKENS).bind(text).bind(provider).bind(subject)
                    }
                    SealedRow::UpstreamLogin { state_digest, .. } => {
                        sqlx::query(UPDATE_LOGIN).bind(text).bind(state_digest)
                    }
                    SealedRow::TotpSecret { user_id } => sqlx::query(UPDATE_TOTP).bind(text).bind(user_id),
                };
                update.execute(&mut *tx).await.map_err(map_sqlx)?;
            }
            tx.commit().await.map_err(map_sqlx)?;
            Ok(Reseal::Done(counts(&resealed)))
        })
    }
}

/// The rows as read, each with the base64 text of its sealed value.
fn sealed_values(
    keys: Vec<(String, String)>,
    tokens: Vec<(String, String, String)>,
    logins: Vec<(String, String, String)>,
    totp: Vec<(String, String)>,
) -> Vec<(SealedRow, String)> {
    let keys = keys
        .into_iter()
        .map(|(kid, text)| (SealedRow::SigningKey { kid }, text));
    let tokens = tokens
        .into_iter()
        .map(|(provider, subject, text)| (SealedRow::UpstreamTokens { provider, subject }, text));
    let logins = logins
        .into_iter()
        .map(|(upstream, state_digest, text)| (SealedRow::UpstreamLogin { upstream, state_digest }, text));
    let totp = totp
        .into_iter()
        .map(|(user_id, text)| (SealedRow::TotpSecret { user_id }, text));
    keys.chain(tokens).chain(logins).chain(totp).collect()
}

/// Each value re-sealed (as base64 again), or every row whose value did not open.
fn reseal_each(
    values: Vec<(SealedRow, String)>,
    reseal: &mut impl FnMut(&SealedRow, &[u8]) -> Result<Vec<u8>, SealError>,
) -> Result<Vec<(SealedRow, String)>, Vec<SealedRow>> {
    let mut resealed = Vec::with_capacity(values.len());
    let mut refused = Vec::new();
    for (row, text) in values {
        let opened = STANDARD
            .decode(text)
            .map_err(|_| SealError)
            .and_then(|sealed| reseal(&row, &sealed));
        match opened {
            Ok(new) => resealed.push((row, STANDARD.encode(new))),
            Err(SealError) => refused.push(row),
        }
    }
    if refused.is_empty() { Ok(resealed) } else { Err(refused) }
}

fn counts(resealed: &[(SealedRow, String)]) -> ResealCounts {
    let mut counts = ResealCounts::default();
    for (row, _) in resealed {
        match row {
            SealedRow::SigningKey { .. } => counts.signing_keys += 1,
            SealedRow::UpstreamTokens { .. } => counts.upstream_tokens += 1,
            SealedRow::UpstreamLogin { .. } => counts.upstream_logins += 1,
            SealedRow::TotpSecret { .. } => counts.totp_secrets += 1,
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str) -> SealedRow {
        SealedRow::SigningKey { kid: kid.into() }
    }

    #[test]
    fn one_value_that_does_not_open_refuses_them_all_and_names_each() {
        let values = vec![
            (key("good"), STANDARD.encode(b"opens")),
            (key("bad"), STANDARD.encode(b"does not")),
            (key("not-base64"), "%%%".into()),
        ];
        let refused = reseal_each(values, &mut |_, sealed| {
            if sealed == b"opens" {
                Ok(b"new".to_vec())
            } else {
                Err(SealError)
            }
        })
        .unwrap_err();
        assert_eq!(refused, [key("bad"), key("not-base64")]);
    }

    #[test]
    fn resealed_values_are_base64_again_and_counted_per_kind() {
        let tokens = SealedRow::UpstreamTokens {
            provider: "twitter".into(),
            subject: "1".into(),
        };
        let values = vec![
            (key("k"), STANDARD.encode(b"a")),
            (tokens.clone(), STANDARD.encode(b"b")),
        ];
        let resealed = reseal_each(values, &mut |_, sealed| Ok([sealed, b"!"].concat())).unwrap();
        assert_eq!(
            resealed,
            [(key("k"), STANDARD.encode(b"a!")), (tokens, STANDARD.encode(b"b!"))]
        );
        assert_eq!(
            counts(&resealed),
            ResealCounts {
                signing_keys: 1,
                upstream_tokens: 1,
                upstream_logins: 0,
                totp_secrets: 0
            }
        );
    }

    #[test]
    fn rows_are_named_without_their_contents() {
        let login = SealedRow::UpstreamLogin {
            upstream: "x".into(),
            state_digest: "d1".into(),
        };
        assert_eq!(key("k1").to_string(), "signing key k1");
        assert_eq!(login.to_string(), "upstream login in flight at x (state digest d1)");
    }
}
