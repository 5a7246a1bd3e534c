//! Records of the OpenID Connect provider as its endpoints write them (no tests here): a
//! pending request, its code, the tokens a redemption or a refresh issues.

use tessera_oidc::storage::{
    AccessTokenRecord, Authorization, CodeStore, CodeUse, Issuance, IssueGuard, NewRefreshToken, PendingAuthorization,
    PendingStore, PromptFlags, RefreshUse, StoredCode, TokenStore,
};

use super::*;

pub const REDIRECT_URI: &str = "https://app.example/callback";

/// What `user` let `client` have, in browser session `sid`.
pub fn authorization(user: UserId, client: &str, sid: &str) -> Authorization {
    Authorization {
        client_id: client.to_owned(),
        user_id: user,
        scopes: ["openid", "profile", "offline_access"].map(String::from).to_vec(),
        auth_time: OffsetDateTime::now_utc() - Duration::minutes(1),
        sid: sid.to_owned(),
        amr: vec!["pwd".to_owned()],
    }
}

/// A pending authorization request of `client` that ends at `expires_at`.
pub fn pending(id: &str, client: &str, expires_at: OffsetDateTime) -> PendingAuthorization {
    PendingAuthorization {
        id: id.to_owned(),
        browser: format!("browser-of-{id}"),
        client_id: client.to_owned(),
        redirect_uri: REDIRECT_URI.to_owned(),
        scopes: vec!["openid".to_owned()],
        state: None,
        nonce: None,
        code_challenge: None,
        prompt: PromptFlags::default(),
        max_age: None,
        acr_values: Vec::new(),
        login_hint: None,
        hint_subject: None,
        session_at_start: None,
        consented: false,
        created_at: expires_at - Duration::minutes(10),
        expires_at,
    }
}

pub fn code(digest: &str, authorization: Authorization, expires_at: OffsetDateTime) -> StoredCode {
    StoredCode {
        digest: digest.to_owned(),
        redirect_uri: REDIRECT_URI.to_owned(),
        nonce: Some(format!("nonce-of-{digest}")),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()),
        authorization,
        expires_at,
    }
}

/// Stores a live code through a pending request of its own, as the authorize endpoint does.
pub async fn stored_code(store: &SqlStore, digest: &str, authorization: Authorization) -> StoredCode {
    stored_code_until(
        store,
        digest,
        authorization,
        OffsetDateTime::now_utc() + Duration::minutes(1),
    )
    .await
}

pub async fn stored_code_until(
    store: &SqlStore,
    digest: &str,
    authorization: Authorization,
    expires_at: OffsetDateTime,
) -> StoredCode {
    let request = format!("request-for-{digest}");
    let now = OffsetDateTime::now_utc();
    store
        .create_pending(&pending(
            &request,
            &authorization.client_id,
            now + Duration::minutes(10),
        ))
        .await
        .expect("create_pending");
    let code = code(digest, authorization, expires_at);
    assert!(
        store.issue_code(&request, &code).await.expect("issue_code"),
        "a fresh request issues its code"
    );
    code
}

pub fn access_token(
    jti: &str,
    authorization: &Authorization,
    family: Option<&str>,
    code: Option<&str>,
) -> AccessTokenRecord {
    AccessTokenRecord {
        jti: jti.to_owned(),
        client_id: authorization.client_id.clone(),
        user_id: Some(authorization.user_id),
        scopes: authorization.scopes.clone(),
        family_id: family.map(str::to_owned),
        code_digest: code.map(str::to_owned),
        sid: Some(authorization.sid.clone()),
        expires_at: OffsetDateTime::now_utc() + Duration::minutes(5),
    }
}

pub fn refresh_token(digest: &str, family: &str, authorization: &Authorization, code: Option<&str>) -> NewRefreshToken {
    let now = OffsetDateTime::now_utc();
    NewRefreshToken {
        digest: digest.to_owned(),
        family_id: family.to_owned(),
        authorization: authorization.clone(),
        code_digest: code.map(str::to_owned),
        issued_at: now,
        family_expires_at: now + Duration::days(30),
        expires_at: now + Duration::days(7),
    }
}

/// What one token response wrote: the access token's jti, the refresh token's digest and
/// the family both belong to.
#[derive(Clone, Debug)]
pub struct Issued {
    pub jti: String,
    pub refresh: String,
    pub family: String,
}

/// Redeems the live code `digest` as the token endpoint does: uses it, then writes an access
/// token `DIGEST-at` and a refresh token `DIGEST-rt` starting family `DIGEST-family`.
pub async fn redeem(store: &SqlStore, digest: &str) -> Issued {
    let now = OffsetDateTime::now_utc();
    let CodeUse::First(code) = store.use_code(digest, now).await.expect("use_code") else {
        panic!("the code {digest} is live");
    };
    let issued = Issued {
        jti: format!("{digest}-at"),
        refresh: format!("{digest}-rt"),
        family: format!("{digest}-family"),
    };
    let a = &code.authorization;
    let issuance = Issuance {
        guard: IssueGuard::Code(digest.to_owned()),
        access_token: access_token(&issued.jti, a, Some(&issued.family), Some(digest)),
        refresh_token: Some(refresh_token(&issued.refresh, &issued.family, a, Some(digest))),
    };
    assert!(
        store.issue_tokens(&issuance).await.expect("issue_tokens"),
        "a fresh code's tokens are written"
    );
    issued
}

/// Refreshes with the live refresh token `digest` as the token endpoint does: rotates it
/// and writes its successor `DIGEST+` and an access token `DIGEST+at` in the same family.
pub async fn refresh(store: &SqlStore, digest: &str) -> Issued {
    let (used, issued) = rotate(store, digest, OffsetDateTime::now_utc()).await;
    assert!(
        matches!(used, RefreshUse::Rotated(_)),
        "the refresh token {digest} is live: {used:?}"
    );
    issued
}

/// Presents the refresh token `digest` at `now` as the token endpoint does, with the
/// successor [`successor_of`] makes; what the store answered, and what it would have issued.
pub async fn rotate(store: &SqlStore, digest: &str, now: OffsetDateTime) -> (RefreshUse, Issued) {
    let (successor, issued) = successor_of(store, digest).await;
    let used = store
        .rotate_refresh_token(digest, now, &successor)
        .await
        .expect("rotate_refresh_token");
    (used, issued)
}

/// The response to a rotation of the refresh token `digest`: its successor `DIGEST+` and an
/// access token `DIGEST+at`, in the same family (for a token never issued, in a family that
/// does not exist either).
pub async fn successor_of(store: &SqlStore, digest: &str) -> (Issuance, Issued) {
    let (family, a) = match store.refresh_token(digest).await.expect("refresh_token") {
        Some((old, _)) => (old.family_id, old.authorization),
        None => (
            "no-such-family".to_owned(),
            authorization(UserId::new(), "demo-app", "sid-none"),
        ),
    };
    let issued = Issued {
        jti: format!("{digest}+at"),
        refresh: format!("{digest}+"),
        family: family.clone(),
    };
    let issuance = Issuance {
        guard: IssueGuard::Family(family.clone()),
        access_token: access_token(&issued.jti, &a, Some(&family), None),
        refresh_token: Some(refresh_token(&issued.refresh, &family, &a, None)),
    };
    (issuance, issued)
}

/// Whether the access token `jti` is known and revoked; panics if unknown.
pub async fn access_revoked(store: &SqlStore, jti: &str) -> bool {
    let (_, revoked) = store
        .access_token(jti)
        .await
        .expect("access_token")
        .unwrap_or_else(|| panic!("access token {jti} is recorded"));
    revoked
}

/// Whether the refresh token `digest` is known and dead (rotated or revoked); panics if unknown.
pub async fn refresh_dead(store: &SqlStore, digest: &str) -> bool {
    let (_, dead) = store
        .refresh_token(digest)
        .await
        .expect("refresh_token")
        .unwrap_or_else(|| panic!("refresh token {digest} is stored"));
    dead
}

/// Whether everything one response issued is dead.
pub async fn all_dead(store: &SqlStore, issued: &Issued) -> bool {
    access_revoked(store, &issued.jti).await && refresh_dead(store, &issued.refresh).await
}

/// Whether nothing one response issued is dead.
pub async fn all_live(store: &SqlStore, issued: &Issued) -> bool {
    !access_revoked(store, &issued.jti).await && !refresh_dead(store, &issued.refresh).await
}
