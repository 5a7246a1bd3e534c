//! The storage the OpenID Connect provider needs, as narrow traits it defines and a database
//! crate implements: signing keys, pending authorization requests, codes, tokens (refresh
//! families and access-token ids) and remembered consent. Codes and refresh tokens are looked
//! up by digest (see `tessera_core::secret_token`), never stored in the clear.

use async_trait::async_trait;
use tessera_core::UserId;
use tessera_core::store::StoreResult;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    /// Private key, sealed with the master key; the store never sees it in the clear.
    pub sealed_private: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub activates_at: OffsetDateTime,
    pub retires_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
}

/// A rotation to apply atomically, at most once per `alg` per period across all nodes.
#[derive(Clone, Debug)]
pub struct Rotation {
    pub new_key: StoredKey,
    /// Only rotate if the last rotation of this alg happened before this instant.
    pub unless_rotated_since: OffsetDateTime,
    /// Keys of this alg still signing stop at `new_key.activates_at` and leave JWKS here.
    pub old_keys_expire_at: OffsetDateTime,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromptFlags {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub select_account: bool,
}

#[derive(Clone, Debug)]
pub struct PendingAuthorization {
    pub id: String,
    pub browser: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: PromptFlags,
    pub max_age: Option<i64>,
    /// Requested Authentication Context Class References, in order of preference (OIDC
    /// Core §3.1.2.1 `acr_values`).
    pub acr_values: Vec<String>,
    pub login_hint: Option<String>,
    /// `sub` of a verified `id_token_hint`: the person the app expects to be signed in.
    pub hint_subject: Option<String>,
    /// With `prompt=login`: the session that existed when the request came in; a login
    /// counts as fresh only in a newer session (sessions rotate at every login).
    pub session_at_start: Option<String>,
    pub consented: bool,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What a code, a refresh token and an access token all carry about the authorization.
#[derive(Clone, Debug)]
pub struct Authorization {
    pub client_id: String,
    pub user_id: UserId,
    pub scopes: Vec<String>,
    pub auth_time: OffsetDateTime,
    pub sid: String,
    pub amr: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct StoredCode {
    pub digest: String,
    pub redirect_uri: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub authorization: Authorization,
    pub expires_at: OffsetDateTime,
}

/// Result of using a code: the first use gets it; any later one learns it was replayed.
#[derive(Clone, Debug)]
pub enum CodeUse {
    First(Box<StoredCode>),
    /// Already used: everything issued from it has just been revoked (RFC 6749 §4.1.2).
    Replayed,
    Unknown,
}

#[derive(Clone, Debug)]
pub struct NewRefreshToken {
    pub digest: String,
    pub family_id: String,
    pub authorization: Authorization,
    pub code_digest: Option<String>,
    pub issued_at: OffsetDateTime,
    pub family_expires_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What tokens are issued from. Issuing writes nothing unless the guard is still live, and
/// every revocation flags the guard first, so the two serialize on the guard's row: tokens
/// issued from a code or family that is revoked meanwhile are never written (RFC 6749 §4.1.2,
/// OAuth 2.0 Security BCP §4.14.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssueGuard {
    /// The authorization code (digest) being redeemed.
    Code(String),
    /// The refresh-token family being continued.
    Family(String),
}

/// The records of one token response, written atomically.
#[derive(Clone, Debug)]
pub struct Issuance {
    pub guard: IssueGuard,
    pub access_token: AccessTokenRecord,
    /// With a [`IssueGuard::Code`] guard this starts a new family (`family_id` is new).
    pub refresh_token: Option<NewRefreshToken>,
}

#[derive(Clone, Debug)]
pub struct StoredRefreshToken {
    pub digest: String,
    pub family_id: String,
    pub authorization: Authorization,
    pub family_expires_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug)]
pub enum RefreshUse {
    /// Valid: the old token is now rotated and its successor written.
    Rotated(StoredRefreshToken),
    /// A rotated or revoked token came back: the whole family is now revoked.
    /// Revoked on purpose (revocation endpoint, password change, consent withdrawn).
    Revoked,
    Reused {
        client_id: String,
    },
    Unknown,
}

#[derive(Clone, Debug)]
pub struct AccessTokenRecord {
    pub jti: String,
    pub client_id: String,
    pub user_id: Option<UserId>,
    pub scopes: Vec<String>,
    pub family_id: Option<String>,
    pub code_digest: Option<String>,
    pub sid: Option<String>,
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug)]
pub struct GrantRecord {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub granted_at: OffsetDateTime,
}

/// Signing keys (sealed) and their rotation.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Keys still published (not past `expires_at`), oldest first.
    async fn published_keys(&self, now: OffsetDateTime) -> StoreResult<Vec<StoredKey>>;
    /// Applies the rotation if no other node did since `unless_rotated_since`; true if applied.
    async fn rotate_key(&self, rotation: &Rotation) -> StoreResult<bool>;
}

/// Authorization requests waiting for a login or consent.
#[async_trait]
pub trait PendingStore: Send + Sync {
    async fn create_pending(&self, pending: &PendingAuthorization) -> StoreResult<()>;
    async fn pending(&self, id: &str, now: OffsetDateTime) -> StoreResult<Option<PendingAuthorization>>;
    async fn mark_consented(&self, id: &str) -> StoreResult<()>;
    async fn delete_pending(&self, id: &str) -> StoreResult<()>;
}

/// Authorization codes.
#[async_trait]
pub trait CodeStore: Send + Sync {
    /// Ends the pending request and stores its code in one step; `false` (and nothing
    /// stored) when the request was already ended, so one pending sign-in yields one code.
    async fn issue_code(&self, pending_id: &str, code: &StoredCode) -> StoreResult<bool>;
    /// Marks the code used atomically; a second use revokes what the first one issued.
    async fn use_code(&self, digest: &str, now: OffsetDateTime) -> StoreResult<CodeUse>;
}

/// Issued tokens: refresh-token families and access-token ids.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Writes the tokens of one response if its guard is still live; `false` (and nothing
    /// written) when the code or family was revoked after it was used.
    async fn issue_tokens(&self, issuance: &Issuance) -> StoreResult<bool>;

    /// Rotates a live token and writes `successor` (the response's tokens, guarded by the
    /// family) in the same transaction, so a failure anywhere leaves the presented token as
    /// it was and the client may present it again; a rotated/revoked one revokes its family
    /// and its access tokens, and nothing of `successor` is written.
    async fn rotate_refresh_token(
        &self,
        digest: &str,
        now: OffsetDateTime,
        successor: &Issuance,
    ) -> StoreResult<RefreshUse>;
    async fn refresh_token(&self, digest: &str) -> StoreResult<Option<(StoredRefreshToken, bool)>>;
    /// Revokes the family and every access token it issued.
    async fn revoke_family(&self, family_id: &str) -> StoreResult<()>;

    /// Records an access token that comes from no code or family (client credentials).
    async fn record_access_token(&self, token: &AccessTokenRecord) -> StoreResult<()>;
    /// `Some((record, revoked))` when known.
    async fn access_token(&self, jti: &str) -> StoreResult<Option<(AccessTokenRecord, bool)>>;
    async fn revoke_access_token(&self, jti: &str) -> StoreResult<()>;
    /// Clients that received tokens in this session (for back-channel logout).
    async fn clients_of_session(&self, sid: &str) -> StoreResult<Vec<String>>;
    /// Deletes what has expired by `now` (pending requests, access-token records, refresh
    /// families) and the codes that expired by `codes_expired_by`: a used code is kept past
    /// its expiry (`oidc.code_replay_window`) so that a late replay still revokes what it
    /// issued (RFC 6749 §4.1.2).
    async fn purge_expired(&self, now: OffsetDateTime, codes_expired_by: OffsetDateTime) -> StoreResult<u64>;
}

/// Remembered consent: which apps a person allowed, with which scopes.
#[async_trait]
pub trait GrantStore: Send + Sync {
    async fn grant(&self, user: UserId, client_id: &str) -> StoreResult<Option<GrantRecord>>;
    async fn save_grant(&self, user: UserId, client_id: &str, scopes: &[String], at: OffsetDateTime)
    -> StoreResult<()>;
    async fn grants_of(&self, user: UserId) -> StoreResult<Vec<GrantRecord>>;
    /// Forgets the consent and revokes every token the app holds for this person.
    async fn revoke_grant(&self, user: UserId, client_id: &str) -> StoreResult<bool>;
}

/// All of the provider's storage, as one object.
pub trait OidcStore: KeyStore + PendingStore + CodeStore + TokenStore + GrantStore {}
impl<T> OidcStore for T where T: KeyStore + PendingStore + CodeStore + TokenStore + GrantStore {}
