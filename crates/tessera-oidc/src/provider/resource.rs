//! Tokens apps bring back: userinfo (OIDC Core §5.3), introspection (RFC 7662), revocation
//! (RFC 7009), and ID tokens as `id_token_hint`.

use serde::Serialize;
use serde_json::{Map, Value};
use tessera_core::secret_token;

use super::{Provider, ProviderResult, RegisteredClient};
use crate::claims::IdTokenHint;
use crate::error::OAuthError;
use crate::storage::AccessTokenRecord;

/// An introspection answer (RFC 7662 §2.2): `{"active": false}` for anything the caller may
/// not learn about, otherwise the token's facts.
#[derive(Debug, Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(flatten)]
    pub token: Option<ActiveToken>,
}

/// What introspection tells about a live token.
#[derive(Debug, Serialize)]
pub struct ActiveToken {
    /// `Bearer` for access tokens, `refresh_token` for refresh tokens.
    pub token_type: &'static str,
    pub scope: String,
    pub client_id: String,
    pub sub: String,
    /// The account's username; `null` for a client's own (client_credentials) token.
    pub username: Option<String>,
    pub exp: i64,
    pub iss: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

impl Introspection {
    const INACTIVE: Introspection = Introspection {
        active: false,
        token: None,
    };
}

fn invalid_token(description: &str) -> OAuthError {
    OAuthError::invalid_token(description)
}

impl Provider {
    /// The access token's record, if the token is ours (a JWT with our signature, issuer and
    /// `typ`, or an opaque reference we recorded), unexpired, and not revoked.
    pub async fn live_access_token(&self, token: &str) -> ProviderResult<Option<AccessTokenRecord>> {
        let now = self.now();
        // A JWT has three dot-separated parts; an opaque token (base64url) has no dot.
        let jti = if token.contains('.') {
            let rule = |keys: &[&_]| crate::presented::access_token(token, keys, &self.issuer, now.unix_timestamp());
            match self.keys.check(rule).await? {
                Some(claims) => claims.jti,
                None => return Ok(None),
            }
        } else {
            secret_token::digest(token)
        };
        Ok(match self.store.access_token(&jti).await? {
            Some((record, false)) if record.expires_at > now => Some(record),
            _ => None,
        })
    }

    /// The userinfo response (OIDC Core §5.3.2) for an access token.
    pub async fn userinfo(&self, token: &str) -> ProviderResult<Map<String, Value>> {
        let record = self
            .live_access_token(token)
            .await?
            .ok_or_else(|| invalid_token("the access token is invalid, expired or revoked"))?;
        let Some(user) = record.user_id else {
            return Err(invalid_token("this access token does not belong to a person").into());
        };
        let client = self
            .client(&record.client_id)
            .ok_or_else(|| invalid_token("the app is no longer registered"))?;
        let subject = self
            .directory
            .subject(user, client, &record.scopes)
            .await?
            .ok_or_else(|| invalid_token("the account is disabled"))?;
        Ok(crate::userinfo_claims(&subject, &record.scopes))
    }

    /// RFC 7662: what `client` may learn about `token` — only its own tokens (§2.2), and only
    /// while they are live and their account is active.
    pub async fn introspect(&self, client: &RegisteredClient, token: &str) -> ProviderResult<Introspection> {
        // RFC 7662 §2.1: the caller must be authenticated; a public client proves nothing.
        if client.client.secret.is_none() {
            return Err(OAuthError::invalid_client("introspection needs a confidential client").into());
        }
        if let Some(record) = self.live_access_token(token).await? {
            return self.introspect_access(client, record).await;
        }
        self.introspect_refresh(client, token).await
    }

    async fn introspect_access(
        &self,
        client: &RegisteredClient,
        record: AccessTokenRecord,
    ) -> ProviderResult<Introspection> {
        if record.client_id != client.client.id {
            return Ok(Introspection::INACTIVE);
        }
        let username = match record.user_id {
            Some(user) => match self.username(user, client).await? {
                Some(name) => Some(name),
                None => return Ok(Introspection::INACTIVE),
            },
            None => None,
        };
        Ok(Introspection {
            active: true,
            token: Some(ActiveToken {
                token_type: "Bearer",
                scope: crate::scope::scope_string(&record.scopes),
                sub: record
                    .user_id
                    .map_or_else(|| record.client_id.clone(), |u| u.to_string()),
                client_id: record.client_id,
                username,
                exp: record.expires_at.unix_timestamp(),
                iss: self.issuer.clone(),
                jti: Some(record.jti),
            }),
        })
    }

    async fn introspect_refresh(&self, client: &RegisteredClient, token: &str) -> ProviderResult<Introspection> {
        let now = self.now();
        let Some((refresh, dead)) = self.store.refresh_token(&secret_token::digest(token)).await? else {
            return Ok(Introspection::INACTIVE);
        };
        let live = !dead && refresh.expires_at > now && refresh.family_expires_at > now;
        if !live || refresh.authorization.client_id != client.client.id {
            return Ok(Introspection::INACTIVE);
        }
        let a = refresh.authorization;
        let Some(name) = self.username(a.user_id, client).await? else {
            return Ok(Introspection::INACTIVE);
        };
        Ok(Introspection {
            active: true,
            token: Some(ActiveToken {
                token_type: "refresh_token",
                scope: crate::scope::scope_string(&a.scopes),
                client_id: a.client_id,
                sub: a.user_id.to_string(),
                username: Some(name),
                exp: refresh.expires_at.unix_timestamp(),
                iss: self.issuer.clone(),
                jti: None,
            }),
        })
    }

    /// The account's username while it exists and is active; a disabled account's tokens are
    /// reported inactive. A store failure is an error, not "inactive".
    async fn username(&self, user: tessera_core::UserId, client: &RegisteredClient) -> ProviderResult<Option<String>> {
        Ok(self
            .directory
            .subject(user, client, &[])
            .await?
            .map(|s| s.preferred_username))
    }

    /// RFC 7009: revoking a refresh token revokes its whole family and the access tokens it
    /// issued; revoking an access token revokes that token. Another client's token, or an
    /// unknown one, changes nothing and is no error (§2.2: the endpoint cannot test tokens).
    pub async fn revoke(&self, client: &RegisteredClient, token: &str) -> ProviderResult<()> {
        if let Some((refresh, _)) = self.store.refresh_token(&secret_token::digest(token)).await? {
            if refresh.authorization.client_id == client.client.id {
                self.store.revoke_family(&refresh.family_id).await?;
            }
        } else if let Some(record) = self.live_access_token(token).await?
            && record.client_id == client.client.id
        {
            self.store.revoke_access_token(&record.jti).await?;
        }
        Ok(())
    }

    /// An ID token of ours presented back as `id_token_hint` (it may have expired).
    pub async fn id_token_hint(&self, hint: &str) -> ProviderResult<Option<IdTokenHint>> {
        let rule = |keys: &[&_]| crate::presented::id_token_hint(hint, keys, &self.issuer);
        self.keys.check(rule).await
    }
}
