//! Minting tokens: RFC 9068 access tokens (JWT, `jti` recorded so they can be revoked and
//! introspected), ID tokens (OIDC Core §2), and rotating refresh tokens.

use serde::Serialize;
use tessera_core::secret_token;
use time::OffsetDateTime;

use super::{AccessTokenFormat, Provider, ProviderError, ProviderResult, RegisteredClient};
use crate::claims::{IdTokenInput, Subject};
use crate::client::GrantType;
use crate::error::OAuthError;
use crate::jwt::{TYP_ACCESS_TOKEN, TYP_ID_TOKEN};
use crate::storage::{AccessTokenRecord, Authorization, Issuance, IssueGuard, NewRefreshToken};

/// The token endpoint's success body (RFC 6749 §5.1, OIDC Core §3.1.3.3).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub scope: String,
}

/// Where a refresh token, if any, belongs.
pub(super) enum Family {
    /// Start a family (after an authorization code), expiring `refresh_token_ttl` from now.
    New { code_digest: String },
    /// Continue one (after a refresh), keeping its absolute end.
    Continue {
        family_id: String,
        family_expires_at: OffsetDateTime,
    },
}

/// See [`Provider::lineage`].
struct Lineage {
    guard: IssueGuard,
    family_id: String,
    family_expires_at: OffsetDateTime,
    code_digest: Option<String>,
}

/// The `sid` claim for a session: derived from the stored digest, so it names the session
/// without being able to resume it.
pub fn sid_of(session_digest: &str) -> String {
    secret_token::digest(session_digest)
}

impl Provider {
    /// Issues access, ID and (when allowed) refresh tokens for a person's authorization.
    pub(super) async fn for_person(
        &self,
        client: &RegisteredClient,
        auth: &Authorization,
        nonce: Option<&str>,
        family: Family,
    ) -> ProviderResult<TokenResponse> {
        let (issuance, response) = self.prepare_for_person(client, auth, nonce, family).await?;
        self.record(&issuance).await?;
        Ok(response)
    }

    /// The tokens of a response for a person, signed, and the records that make them valid
    /// (not yet written: see [`Provider::record`]).
    pub(super) async fn prepare_for_person(
        &self,
        client: &RegisteredClient,
        auth: &Authorization,
        nonce: Option<&str>,
        family: Family,
    ) -> ProviderResult<(Issuance, TokenResponse)> {
        let now = self.now();
        let subject = self
            .directory
            .subject(auth.user_id, client, &auth.scopes)
            .await?
            .ok_or_else(|| {
                ProviderError::OAuth(OAuthError::invalid_grant("the account no longer exists or is disabled"))
            })?;
        let wants_refresh = client.client.grant_types.contains(&GrantType::RefreshToken)
            && (auth.scopes.iter().any(|s| s == "offline_access") || client.refresh_without_offline_access);
        let Lineage {
            guard,
            family_id,
            family_expires_at,
            code_digest,
        } = self.lineage(family, now);
        let mut record = AccessTokenRecord {
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: client.client.id.clone(),
            user_id: Some(auth.user_id),
            scopes: auth.scopes.clone(),
            family_id: wants_refresh.then(|| family_id.clone()),
            code_digest: code_digest.clone(),
            sid: Some(auth.sid.clone()),
            expires_at: now + self.lifetimes.access_token_ttl,
        };
        let (access_token, expires_in) = self
            .mint_access_token(client, &subject.sub, &mut record, Some(auth.auth_time.unix_timestamp()))
            .await?;
        let id_token = if auth.scopes.iter().any(|s| s == "openid") {
            Some(self.id_token(client, &subject, auth, nonce, &access_token, now).await?)
        } else {
            None
        };
        let refresh_token = wants_refresh.then(secret_token::generate);
        let issuance = Issuance {
            guard,
            access_token: record,
            refresh_token: refresh_token.as_ref().map(|token| NewRefreshToken {
                digest: secret_token::digest(token),
                family_id,
                authorization: auth.clone(),
                code_digest,
                issued_at: now,
                family_expires_at,
                expires_at: (now + self.lifetimes.refresh_token_idle).min(family_expires_at),
            }),
        };
        let response = TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token,
            id_token,
            scope: crate::scope::scope_string(&auth.scopes),
        };
        Ok((issuance, response))
    }

    /// Where the tokens of a response belong: the guard row that must still be live when they
    /// are written, the refresh family and its absolute end, the code they come from.
    fn lineage(&self, family: Family, now: OffsetDateTime) -> Lineage {
        match family {
            Family::New { code_digest } => Lineage {
                guard: IssueGuard::Code(code_digest.clone()),
                family_id: secret_token::generate(),
                family_expires_at: now + self.lifetimes.refresh_token_ttl,
                code_digest: Some(code_digest),
            },
            Family::Continue {
                family_id,
                family_expires_at,
            } => Lineage {
                guard: IssueGuard::Family(family_id.clone()),
                family_id,
                family_expires_at,
                code_digest: None,
            },
        }
    }

    /// Nothing signed for a response is valid until it is recorded here, and it is not
    /// recorded when the code or family was revoked meanwhile (a concurrent replay or reuse).
    async fn record(&self, issuance: &Issuance) -> ProviderResult<()> {
        if self.store.issue_tokens(issuance).await? {
            return Ok(());
        }
        Err(ProviderError::OAuth(OAuthError::invalid_grant(
            "this authorization was revoked while the tokens were being issued (the code or refresh token was \
             used twice); sign in again",
        )))
    }

    /// The ID token (OIDC Core §2) for this authorization, bound to its access token (`at_hash`).
    async fn id_token(
        &self,
        client: &RegisteredClient,
        subject: &Subject,
        auth: &Authorization,
        nonce: Option<&str>,
        access_token: &str,
        now: OffsetDateTime,
    ) -> ProviderResult<String> {
        let alg = client.client.id_token_alg;
        let claims = crate::id_token_claims(&IdTokenInput {
            issuer: &self.issuer,
            client_id: &client.client.id,
            subject,
            scopes: &auth.scopes,
            auth_time: auth.auth_time.unix_timestamp(),
            nonce,
            access_token: Some(access_token),
            alg,
            sid: Some(&auth.sid),
            amr: &auth.amr,
            acr: Some(self.acr.of(&auth.amr)),
            now: now.unix_timestamp(),
            ttl_seconds: i64::try_from(self.lifetimes.id_token_ttl.as_secs()).unwrap_or(i64::MAX),
        });
        let key = self.keys.signing_key(alg).await?;
        key.sign_jwt(TYP_ID_TOKEN, &claims)
            .map_err(|e| ProviderError::Internal(e.to_string()))
    }

    /// The access token for `record`, in the client's format: an RFC 9068 JWT signed with the
    /// client's algorithm, or an opaque reference whose digest becomes the record's `jti`.
    /// The caller records it; until then the token is worth nothing.
    pub(super) async fn mint_access_token(
        &self,
        client: &RegisteredClient,
        sub: &str,
        record: &mut AccessTokenRecord,
        auth_time: Option<i64>,
    ) -> ProviderResult<(String, u64)> {
        let ttl = self.lifetimes.access_token_ttl.as_secs();
        if client.access_token_format == AccessTokenFormat::Opaque {
            let token = secret_token::generate();
            record.jti = secret_token::digest(&token);
            return Ok((token, ttl));
        }
        let claims = crate::access_token_claims(
            &self.issuer,
            &client.client.id,
            sub,
            &client.client.id,
            &record.scopes,
            &record.jti,
            auth_time,
            self.now().unix_timestamp(),
            i64::try_from(ttl).unwrap_or(i64::MAX),
        );
        let key = self.keys.signing_key(client.client.id_token_alg).await?;
        let token = key
            .sign_jwt(TYP_ACCESS_TOKEN, &claims)
            .map_err(|e| ProviderError::Internal(e.to_string()))?;
        Ok((token, ttl))
    }
}
