//! Claims for the userinfo response and the JWTs we issue.
//!
//! Times are Unix seconds passed in by the caller (no clock here), so the
//! output is reproducible.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::hashes::at_hash;
use crate::keys::SigningAlg;

/// Lifetime of a logout token. OIDC Back-Channel Logout §2.4 asks for a
/// short one ("recommended to be no more than two minutes in the future").
pub const LOGOUT_TOKEN_TTL_SECONDS: i64 = 120;

/// `events` member that marks a logout token (Back-Channel Logout §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Claims `Subject::extra` may never set: protocol claims of the JWTs we
/// issue (RFC 7519 §4.1, OIDC Core §2, RFC 9068 §2.2, Back-Channel Logout
/// §2.4) and the scope-controlled claims this module fills itself (OIDC
/// Core §5.4). Letting a per-client mapping set `sub` or `aud` would let it
/// impersonate someone or retarget a token; letting it set `email` would
/// release an unverified address outside the `email` scope.
pub const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "auth_time",
    "nonce",
    "at_hash",
    "c_hash",
    "s_hash",
    "sid",
    "amr",
    "acr",
    "azp",
    "client_id",
    "scope",
    "events",
    "cnf",
    "typ",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "picture",
    "updated_at",
    "email",
    "email_verified",
    "groups",
];

/// The person a token or userinfo response is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    /// Stable, never reassigned identifier (OIDC Core §2).
    pub sub: String,
    /// Username.
    pub preferred_username: String,
    /// Full name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Profile picture URL.
    pub picture: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Whether the address was verified.
    pub email_verified: bool,
    /// Last profile change, Unix seconds (OIDC Core §5.1).
    pub updated_at: Option<i64>,
    /// Group names, for the `groups` scope.
    pub groups: Vec<String>,
    /// Further claims, already filtered for the client by the caller. Names
    /// of standard or protocol claims are ignored here.
    pub extra: Map<String, Value>,
}

/// Claims released for `scopes` (OIDC Core §5.4): always `sub`;
/// `profile` → name, given_name, family_name, preferred_username, picture,
/// updated_at (absent ones omitted, §5.3.2); `email` → email and
/// email_verified (both omitted without an address); `groups` → groups;
/// then `extra`, minus any standard or protocol claim names. `address` and `phone` have
/// no data here and release nothing.
pub fn userinfo_claims(subject: &Subject, scopes: &[String]) -> Map<String, Value> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(subject.sub));
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(v) = value {
            claims.insert(name.into(), v);
        }
    };
    if has("profile") {
        put("name", subject.name.as_ref().map(|v| json!(v)));
        put("given_name", subject.given_name.as_ref().map(|v| json!(v)));
        put("family_name", subject.family_name.as_ref().map(|v| json!(v)));
        put("preferred_username", Some(json!(subject.preferred_username)));
        put("picture", subject.picture.as_ref().map(|v| json!(v)));
        put("updated_at", subject.updated_at.map(|v| json!(v)));
    }
    if has("email")
        && let Some(email) = &subject.email
    {
        put("email", Some(json!(email)));
        put("email_verified", Some(json!(subject.email_verified)));
    }
    if has("groups") {
        put("groups", Some(json!(subject.groups)));
    }
    for (name, value) in &subject.extra {
        if !RESERVED_CLAIMS.contains(&name.as_str()) && !claims.contains_key(name) {
            claims.insert(name.clone(), value.clone());
        }
    }
    claims
}

/// Input for [`id_token_claims`]. `Debug` leaves out the access token.
#[derive(Clone)]
pub struct IdTokenInput<'a> {
    /// Our issuer identifier, exactly as in discovery.
    pub issuer: &'a str,
    /// The relying party; becomes `aud` and `azp`.
    pub client_id: &'a str,
    /// Who signed in.
    pub subject: &'a Subject,
    /// Granted scopes, selecting the claims.
    pub scopes: &'a [String],
    /// When the person authenticated (OIDC Core §2 `auth_time`).
    pub auth_time: i64,
    /// The authorization request's nonce, to echo.
    pub nonce: Option<&'a str>,
    /// The access token issued alongside, for `at_hash`.
    pub access_token: Option<&'a str>,
    /// The algorithm the token will be signed with (selects at_hash's hash).
    pub alg: SigningAlg,
    /// Session id (Back-Channel Logout §2.1 / Front-Channel §3).
    pub sid: Option<&'a str>,
    /// Authentication methods (RFC 8176 values: `pwd`, `otp`, `mfa`, ...).
    pub amr: &'a [String],
    /// Authentication context class.
    pub acr: Option<&'a str>,
    /// Current time, Unix seconds.
    pub now: i64,
    /// Lifetime in seconds.
    pub ttl_seconds: i64,
}

impl std::fmt::Debug for IdTokenInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenInput")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("sub", &self.subject.sub)
            .field("scopes", &self.scopes)
            .field("auth_time", &self.auth_time)
            .field("nonce", &self.nonce)
            .field("access_token", &self.access_token.map(|_| "***"))
            .field("alg", &self.alg)
            .field("sid", &self.sid)
            .field("amr", &self.amr)
            .field("acr", &self.acr)
            .field("now", &self.now)
            .field("ttl_seconds", &self.ttl_seconds)
            .finish()
    }
}

/// ID token claims (OIDC Core §2, §3.1.3.6): iss, sub, aud (= client_id),
/// exp, iat, auth_time, nonce (when given), at_hash (when an access token
/// is given), sid, amr (when not empty), acr, azp (= client_id), plus the
/// same scope claims as [`userinfo_claims`].
pub fn id_token_claims(input: &IdTokenInput) -> Value {
    let mut claims = userinfo_claims(input.subject, input.scopes);
    let mut set = |name: &str, value: Value| {
        claims.insert(name.into(), value);
    };
    set("iss", json!(input.issuer));
    set("sub", json!(input.subject.sub));
    set("aud", json!(input.client_id));
    set("exp", json!(input.now.saturating_add(input.ttl_seconds)));
    set("iat", json!(input.now));
    set("auth_time", json!(input.auth_time));
    // OIDC Core §2: azp is only needed with several audiences, but it is
    // harmless and some relying parties look for it.
    set("azp", json!(input.client_id));
    if let Some(nonce) = input.nonce {
        set("nonce", json!(nonce));
    }
    if let Some(token) = input.access_token {
        set("at_hash", json!(at_hash(token, input.alg)));
    }
    if let Some(sid) = input.sid {
        set("sid", json!(sid));
    }
    if !input.amr.is_empty() {
        set("amr", json!(input.amr));
    }
    if let Some(acr) = input.acr {
        set("acr", json!(acr));
    }
    Value::Object(claims)
}

/// JWT access token claims (RFC 9068 §2.2): iss, exp, aud, sub, client_id, iat, jti, scope
/// (space-joined, omitted when empty), auth_time when known. Signed with typ `at+jwt`
/// (RFC 9068 §2.1), and read back the same way when an app presents the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// Our issuer identifier.
    pub iss: String,
    /// The resource the token is for (the client itself: we are the only resource server).
    pub aud: String,
    /// The person, or the client for the client credentials grant (RFC 9068 §2.2).
    pub sub: String,
    /// The client the token was issued to.
    pub client_id: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// The token's id: its row in the access-token table, so it can be revoked.
    pub jti: String,
    /// Granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When the person authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
}

/// Builds [`AccessTokenClaims`]. For the client credentials grant pass the client id as `sub`.
#[allow(clippy::too_many_arguments)]
pub fn access_token_claims(
    issuer: &str,
    audience: &str,
    sub: &str,
    client_id: &str,
    scopes: &[String],
    jti: &str,
    auth_time: Option<i64>,
    now: i64,
    ttl_seconds: i64,
) -> AccessTokenClaims {
    AccessTokenClaims {
        iss: issuer.to_owned(),
        aud: audience.to_owned(),
        sub: sub.to_owned(),
        client_id: client_id.to_owned(),
        iat: now,
        exp: now.saturating_add(ttl_seconds),
        jti: jti.to_owned(),
        scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
        auth_time,
    }
}

/// The claims Tessera reads back from an ID token it issued when one comes back as
/// `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout §2). Expiry is deliberately not
/// among them: an expired hint still names who and which app (RP-Initiated Logout §4).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IdTokenHint {
    /// Our issuer identifier, to compare.
    pub iss: String,
    /// The person.
    pub sub: String,
    /// The client it was issued to (we always issue a single audience).
    pub aud: String,
}

/// Logout token claims (OIDC Back-Channel Logout 1.0 §2.4): iss, aud, iat, exp (now +
/// [`LOGOUT_TOKEN_TTL_SECONDS`]), jti, sub, sid, and `events` with the back-channel logout
/// member; never a `nonce` (§2.4 forbids it so a logout token cannot pass as an ID token).
/// Signed with typ `logout+jwt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogoutTokenClaims {
    /// Our issuer identifier.
    pub iss: String,
    /// The relying party being told.
    pub aud: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Unique per token, so the relying party can refuse replays.
    pub jti: String,
    /// The person.
    pub sub: String,
    /// The session that ended.
    pub sid: String,
    /// `{BACKCHANNEL_LOGOUT_EVENT: {}}`.
    pub events: Value,
}

/// Builds [`LogoutTokenClaims`].
pub fn logout_token_claims(
    issuer: &str,
    client_id: &str,
    sub: &str,
    sid: &str,
    jti: &str,
    now: i64,
) -> LogoutTokenClaims {
    LogoutTokenClaims {
        iss: issuer.to_owned(),
        aud: client_id.to_owned(),
        iat: now,
        exp: now.saturating_add(LOGOUT_TOKEN_TTL_SECONDS),
        jti: jti.to_owned(),
        sub: sub.to_owned(),
        sid: sid.to_owned(),
        events: json!({ BACKCHANNEL_LOGOUT_EVENT: {} }),
    }
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
