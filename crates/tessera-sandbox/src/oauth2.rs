//! What the fake OAuth 2 providers share (RFC 6749 §4.1): authorize
//! requests, the chooser → code (or `access_denied`) redirect, client
//! authentication and single-use codes at the token endpoint, bearer tokens.

use axum::http::HeaderMap;
use axum::response::{Html, Redirect};
use base64::Engine;
use url::Url;

use crate::error::{ApiError, PageError};
use crate::options::ClientCredentials;
use crate::pages::chooser;
use crate::people::person;
use crate::state::{Bearer, Code};
use crate::{Provider, SandboxState};

/// Decoded query or form parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: &[u8]) -> Self {
        Params(url::form_urlencoded::parse(raw).into_owned().collect())
    }

    pub fn query(raw: Option<&str>) -> Self {
        Self::parse(raw.unwrap_or_default().as_bytes())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::bad_request("invalid_request", format!("missing {name}")))
    }

    /// The same parameters as a query string, minus `drop`.
    pub fn encode_without(&self, drop: &str) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.0.iter().filter(|(k, _)| k != drop) {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    tessera_core::secret_token::constant_time_eq(a.as_bytes(), b.as_bytes())
}

/// What a provider requires of an authorize request.
pub(crate) struct AuthorizeRules {
    pub provider: Provider,
    pub title: &'static str,
    /// The choose endpoint, absolute path (e.g. `/oidc/choose`).
    pub choose_path: String,
    pub client: ClientCredentials,
    /// `response_type=code` must be present (Facebook defaults it).
    pub response_type_required: bool,
    /// A PKCE S256 challenge must be present (X OAuth 2.0).
    pub pkce_required: bool,
}

/// Checks an authorize request; an error here is shown, not redirected:
/// the redirect URI is not trusted yet (RFC 6749 §4.1.2.1).
pub(crate) fn check_authorize(rules: &AuthorizeRules, params: &Params) -> Result<Url, PageError> {
    let client_id = params.get("client_id").unwrap_or_default();
    if client_id != rules.client.client_id {
        return Err(PageError(format!("unknown client_id {client_id:?}")));
    }
    let redirect = params
        .get("redirect_uri")
        .and_then(|r| Url::parse(r).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| PageError("redirect_uri is missing or not an absolute http(s) URL".into()))?;
    match params.get("response_type") {
        Some("code") => {}
        None if !rules.response_type_required => {}
        other => return Err(PageError(format!("unsupported response_type {other:?}"))),
    }
    match (params.get("code_challenge"), params.get("code_challenge_method")) {
        (Some(c), Some("S256")) if tessera_oidc::valid_code_challenge(c) => {}
        (None, None) if !rules.pkce_required => {}
        _ => {
            return Err(PageError(
                "PKCE: an S256 code_challenge is required and must be valid".into(),
            ));
        }
    }
    Ok(redirect)
}

/// The chooser page for a checked authorize request.
pub(crate) fn authorize_page(
    state: &SandboxState,
    rules: &AuthorizeRules,
    params: &Params,
) -> Result<Html<String>, PageError> {
    check_authorize(rules, params)?;
    let base = &state.shared.base;
    let query = params.encode_without("choice");
    let link = |choice: &str| {
        let choice = urlencoding::encode(choice);
        format!("{base}{}?{query}&choice={choice}", rules.choose_path)
    };
    let cancel = link("cancel");
    Ok(chooser(
        rules.provider,
        rules.title,
        &rules.client.client_id,
        link,
        &cancel,
    ))
}

/// The person chose (or cancelled): back to the client with a code, or with
/// `error=access_denied` (RFC 6749 §4.1.2, §4.1.2.1), `state` echoed.
pub(crate) fn choose(state: &SandboxState, rules: &AuthorizeRules, params: &Params) -> Result<Redirect, PageError> {
    let mut redirect = check_authorize(rules, params)?;
    let choice = params.get("choice").unwrap_or_default();
    {
        let mut q = redirect.query_pairs_mut();
        if choice == "cancel" {
            q.append_pair("error", "access_denied");
            if rules.provider == Provider::Facebook || rules.provider == Provider::Instagram {
                q.append_pair("error_reason", "user_denied");
            }
            q.append_pair("error_description", "The user denied your request.");
        } else {
            let person =
                person(rules.provider, choice).ok_or_else(|| PageError(format!("no test person {choice:?}")))?;
            let code = SandboxState::random();
            state.lock().codes.insert(
                code.clone(),
                Code {
                    provider: rules.provider,
                    client_id: rules.client.client_id.clone(),
                    person,
                    redirect_uri: params.get("redirect_uri").unwrap_or_default().to_owned(),
                    scope: params.get("scope").unwrap_or_default().to_owned(),
                    challenge: params.get("code_challenge").map(str::to_owned),
                    nonce: params.get("nonce").map(str::to_owned),
                },
            );
            q.append_pair("code", &code);
        }
        if let Some(s) = params.get("state") {
            q.append_pair("state", s);
        }
    }
    Ok(Redirect::to(redirect.as_str()))
}

/// RFC 6749 §2.3.1: HTTP Basic (form-encoded id and secret) or
/// `client_id`/`client_secret` in the body; a public client sends only
/// `client_id` and must then use PKCE.
pub(crate) fn authenticate_client(
    headers: &HeaderMap,
    form: &Params,
    client: &ClientCredentials,
) -> Result<bool, ApiError> {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    let (id, secret) = match basic {
        Some(b64) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                .ok_or_else(|| ApiError::invalid_client("unreadable Basic credentials"))?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(|| ApiError::invalid_client("unreadable Basic credentials"))?;
            let dec = |s: &str| {
                urlencoding::decode(&s.replace('+', " "))
                    .map(|c| c.into_owned())
                    .unwrap_or_default()
            };
            (dec(id), Some(dec(secret)))
        }
        None => (
            form.get("client_id").unwrap_or_default().to_owned(),
            form.get("client_secret").map(str::to_owned),
        ),
    };
    if id != client.client_id {
        return Err(ApiError::invalid_client("unknown client"));
    }
    match (&client.client_secret, secret) {
        (Some(expected), Some(given)) if ct_eq(expected, &given) => Ok(true),
        (None, None) => Ok(false),
        _ => Err(ApiError::invalid_client("client authentication failed")),
    }
}

/// Takes a code (single use: a replay finds nothing, RFC 6749 §4.1.2) and
/// checks it was issued to this client for this redirect URI (§4.1.3).
pub(crate) fn take_code(
    state: &SandboxState,
    provider: Provider,
    client_id: &str,
    params: &Params,
) -> Result<Code, ApiError> {
    let grant = || ApiError::bad_request("invalid_grant", "unknown, used or mismatched code");
    let code = params.require("code")?;
    let taken = state.lock().codes.remove(code).ok_or_else(grant)?;
    let redirect_uri = params.get("redirect_uri").unwrap_or_default();
    if taken.provider != provider || taken.client_id != client_id || taken.redirect_uri != redirect_uri {
        return Err(grant());
    }
    Ok(taken)
}

/// RFC 7636 §4.6: the verifier must hash to the stored challenge.
pub(crate) fn check_pkce(code: &Code, params: &Params, public_client: bool) -> Result<(), ApiError> {
    let grant = |msg: &str| ApiError::bad_request("invalid_grant", msg);
    match (&code.challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if tessera_oidc::pkce_s256_matches(challenge, verifier) => Ok(()),
        (Some(_), _) => Err(grant("PKCE verification failed")),
        (None, Some(_)) => Err(grant("code_verifier without a code_challenge")),
        (None, None) if public_client => Err(grant("a public client must use PKCE")),
        (None, None) => Ok(()),
    }
}

/// The bearer token of a request: `Authorization: Bearer` (RFC 6750 §2.1)
/// or `access_token` in the query (§2.3, as the Graph APIs allow).
pub(crate) fn bearer(
    state: &SandboxState,
    provider: Provider,
    headers: &HeaderMap,
    query: &Params,
) -> Result<(String, Bearer), ApiError> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| query.get("access_token"))
        .ok_or_else(|| ApiError::unauthorized("no access token"))?
        .trim()
        .to_owned();
    let found = state
        .bearer(provider, &token)
        .ok_or_else(|| ApiError::unauthorized("invalid, expired or revoked access token"))?;
    Ok((token, found))
}

pub(crate) fn scope_has(scope: &str, wanted: &str) -> bool {
    scope.split([' ', ',']).any(|s| s == wanted)
}
