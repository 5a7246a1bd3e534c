//! Fake OpenID Connect provider: discovery, JWKS (RS256 key made at start),
//! authorize with state/nonce/PKCE, a token endpoint that authenticates the
//! client and checks PKCE, ID tokens, userinfo, and switchable lies
//! ([`OidcMisbehavior`]) for testing relying parties. It also serves plain
//! OAuth 2 clients (no `openid` scope: no ID token).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, Redirect};
use serde_json::{Value, json};

use crate::error::{ApiError, PageError};
use crate::oauth2::{self, AuthorizeRules, Params, scope_has};
use crate::people::TestPerson;
use crate::state::{Bearer, Code};
use crate::{OidcMisbehavior, Provider, SandboxState};

const ID_TOKEN_SECONDS: i64 = 300;

fn issuer(state: &SandboxState) -> String {
    state.provider_url(Provider::Oidc)
}

fn rules(state: &SandboxState) -> AuthorizeRules {
    AuthorizeRules {
        provider: Provider::Oidc,
        title: "Sandbox OpenID Provider",
        choose_path: "/oidc/choose".into(),
        client: state.options().oidc.clone(),
        response_type_required: true,
        pkce_required: false,
    }
}

/// `/.well-known/openid-configuration` (OIDC Discovery §3).
pub(crate) async fn discovery(State(state): State<SandboxState>) -> Json<Value> {
    let iss = issuer(&state);
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "name", "preferred_username",
                             "email", "email_verified", "picture"],
    }))
}

pub(crate) async fn jwks(State(state): State<SandboxState>) -> Json<Value> {
    Json(tessera_oidc::jwks(&[&state.shared.oidc_key]))
}

pub(crate) async fn authorize(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    oauth2::authorize_page(&state, &rules(&state), &Params::query(raw.as_deref()))
}

pub(crate) async fn choose(State(state): State<SandboxState>, RawQuery(raw): RawQuery) -> Result<Redirect, PageError> {
    oauth2::choose(&state, &rules(&state), &Params::query(raw.as_deref()))
}

/// The standard claims of a person for the granted scopes (OIDC Core §5.4).
fn person_claims(person: &TestPerson, scope: &str) -> Value {
    let mut claims = json!({"sub": person.id});
    if scope_has(scope, "profile") || !scope_has(scope, "openid") {
        claims["name"] = json!(person.name);
        claims["preferred_username"] = json!(person.username);
        claims["picture"] = json!(person.picture);
    }
    if (scope_has(scope, "email") || !scope_has(scope, "openid"))
        && let Some(email) = person.email
    {
        claims["email"] = json!(email);
        claims["email_verified"] = json!(person.email_verified);
    }
    claims
}

/// `POST /token`: authorization_code grant (RFC 6749 §4.1.3, OIDC Core §3.1.3).
pub(crate) async fn token(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let form = Params::parse(&body);
    let client = &state.options().oidc;
    let confidential = oauth2::authenticate_client(&headers, &form, client)?;
    if form.get("grant_type") != Some("authorization_code") {
        return Err(ApiError::bad_request(
            "unsupported_grant_type",
            "only authorization_code",
        ));
    }
    let code = oauth2::take_code(&state, Provider::Oidc, &client.client_id, &form)?;
    oauth2::check_pkce(&code, &form, !confidential)?;
    let access = state.issue_bearer(Bearer {
        provider: Provider::Oidc,
        person: code.person,
        scope: code.scope.clone(),
        long_lived: false,
    });
    let mut answer = json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": code.scope});
    if scope_has(&code.scope, "openid") {
        answer["id_token"] = json!(id_token(&state, &code, &access)?);
    }
    Ok(Json(answer))
}

/// Signs the ID token (OIDC Core §2) with the `at_hash` of the access token issued with it
/// (§3.1.3.6), lying as configured.
fn id_token(state: &SandboxState, code: &Code, access_token: &str) -> Result<String, ApiError> {
    let misbehavior = state.lock().oidc_misbehavior;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = person_claims(code.person, &code.scope);
    claims["iss"] = json!(issuer(state));
    claims["aud"] = json!(code.client_id);
    claims["iat"] = json!(now);
    claims["exp"] = json!(now + ID_TOKEN_SECONDS);
    if let Some(nonce) = &code.nonce {
        claims["nonce"] = json!(nonce);
    }
    let mut key = &state.shared.oidc_key;
    claims["at_hash"] = json!(tessera_oidc::at_hash(access_token, key.alg()));
    match misbehavior {
        Some(OidcMisbehavior::WrongSignature) => key = &state.shared.rogue_key,
        Some(OidcMisbehavior::WrongNonce) => claims["nonce"] = json!("not-the-nonce-you-sent"),
        Some(OidcMisbehavior::WrongAudience) => claims["aud"] = json!("some-other-client"),
        Some(OidcMisbehavior::WrongIssuer) => claims["iss"] = json!("https://evil.example"),
        Some(OidcMisbehavior::Expired) => claims["exp"] = json!(now - 3600),
        Some(OidcMisbehavior::WrongAtHash) => {
            claims["at_hash"] = json!(tessera_oidc::at_hash("another-token", key.alg()))
        }
        Some(OidcMisbehavior::UserinfoWrongSubject) | None => {}
    }
    key.sign_jwt(tessera_oidc::TYP_ID_TOKEN, &claims)
        .map_err(|_| ApiError::bad_request("server_error", "could not sign the ID token"))
}

/// `GET /userinfo` (OIDC Core §5.3).
pub(crate) async fn userinfo(State(state): State<SandboxState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let (_, bearer) = oauth2::bearer(&state, Provider::Oidc, &headers, &Params::default())?;
    let mut claims = person_claims(bearer.person, &bearer.scope);
    if state.lock().oidc_misbehavior == Some(OidcMisbehavior::UserinfoWrongSubject) {
        claims["sub"] = json!("someone-else");
    }
    Ok(Json(claims))
}
