//! Authorization endpoint request validation: RFC 6749 §4.1.1 and
//! §4.1.2.1, OIDC Core §3.1.2.1/§3.1.2.2/§3.1.2.6, RFC 7636 §4.3, and
//! RFC 9207 for the response.
//!
//! The order matters. Until the client and its redirect URI are known to
//! be valid, errors are shown to the person and never redirected, or the
//! endpoint would be an open redirector (RFC 6749 §4.1.2.1, §10.15). After
//! that, every problem goes back to the client as an error redirect that
//! echoes `state`.

use url::Url;

use crate::client::{Client, GrantType};
use crate::error::{codes, echo, sanitize_description};
use crate::params::Params;
use crate::pkce::valid_code_challenge;
use crate::scope::parse_scope;

pub use crate::redirect::{authorization_response, error_response};

/// Parameters defined for this endpoint (RFC 6749 §4.1.1, OIDC Core
/// §3.1.2.1 and §6, RFC 7636 §4.3). Sending one of these twice is an
/// error (RFC 6749 §3.1); other parameters are ignored entirely.
const KNOWN: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "response_mode",
    "nonce",
    "display",
    "prompt",
    "max_age",
    "ui_locales",
    "claims_locales",
    "id_token_hint",
    "login_hint",
    "acr_values",
    "claims",
    "registration",
    "request",
    "request_uri",
    "code_challenge",
    "code_challenge_method",
];

/// What the web crate should do with an authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// Render an error page; NEVER redirect (unknown/missing client_id,
    /// missing/unregistered/duplicated redirect_uri). RFC 6749 §4.1.2.1
    ShowError {
        /// Why, for the person reading the page (untrusted input already
        /// shortened and restricted to printable ASCII; still HTML-escape
        /// it).
        description: String,
    },
    /// Redirect to the (validated) redirect_uri with these; the caller
    /// adds `iss` (use [`error_response`]).
    RedirectError {
        /// The registered redirect URI the request named.
        redirect_uri: Url,
        /// RFC 6749 §4.1.2.1 / OIDC Core §3.1.2.6 error code.
        error: &'static str,
        /// `error_description`, already restricted to the allowed characters.
        description: String,
        /// The request's `state`, echoed when present (RFC 6749 §4.1.2.1).
        state: Option<String>,
    },
    /// A well-formed request from a known client; authentication and
    /// consent are next.
    Valid(AuthorizeRequest),
}

/// OIDC Core §3.1.2.1 `prompt` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// Show no UI: answer `login_required` / `consent_required` /
    /// `interaction_required` instead (OIDC Core §3.1.2.6).
    pub none: bool,
    /// Re-authenticate even with a live session.
    pub login: bool,
    /// Ask for consent even if given before.
    pub consent: bool,
    /// Let the person choose an account.
    pub select_account: bool,
}

/// A validated authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The client, known to exist.
    pub client_id: String,
    /// Exactly one of the client's registered redirect URIs.
    pub redirect_uri: String,
    /// Requested scopes (contains `openid`, all allowed for the client),
    /// de-duplicated, in request order.
    pub scopes: Vec<String>,
    /// Opaque client value to echo back.
    pub state: Option<String>,
    /// To put in the ID token (OIDC Core §3.1.2.1).
    pub nonce: Option<String>,
    /// PKCE S256 challenge (RFC 7636 §4.3); `plain` is never accepted.
    pub code_challenge: Option<String>,
    /// `prompt` values.
    pub prompt: Prompt,
    /// Maximum authentication age in seconds; re-authenticate when the
    /// session's auth_time is older (OIDC Core §3.1.2.1; `0` therefore
    /// always re-authenticates, like `prompt=login`).
    pub max_age: Option<i64>,
    /// `acr_values`, space-separated, in order of preference (OIDC Core §3.1.2.1).
    pub acr_values: Vec<String>,
    /// Hint for the login form's username field.
    pub login_hint: Option<String>,
    /// A previously issued ID token hinting at the expected subject (its
    /// signature must be checked by the caller, expiry may be past).
    pub id_token_hint: Option<String>,
}

/// Validates an authorization request (GET query or POST form, OIDC Core
/// §3.1.2.1 requires both). `find_client` looks a client up by id.
pub fn parse_authorize<'c>(
    params: &[(String, String)],
    find_client: impl Fn(&str) -> Option<&'c Client>,
) -> AuthorizeOutcome {
    let p = Params::new(params);
    let (client, redirect_uri, url) = match client_and_redirect_uri(&p, find_client) {
        Ok(found) => found,
        Err(description) => {
            return AuthorizeOutcome::ShowError {
                description: sanitize_description(&description),
            };
        }
    };
    // From here on errors are redirected with `state` (RFC 6749 §4.1.2.1). A duplicated
    // state cannot be echoed faithfully, so it is dropped and the duplicate is reported.
    let state = p.get("state").map(str::to_owned);
    match checked_request(&p, client) {
        Ok(checked) => AuthorizeOutcome::Valid(AuthorizeRequest {
            client_id: client.id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            scopes: checked.scopes,
            state,
            nonce: p.get("nonce").map(str::to_owned),
            code_challenge: checked.code_challenge,
            prompt: checked.prompt,
            max_age: checked.max_age,
            acr_values: p
                .get("acr_values")
                .unwrap_or_default()
                .split_ascii_whitespace()
                .map(str::to_owned)
                .collect(),
            login_hint: p.get("login_hint").map(str::to_owned),
            id_token_hint: p.get("id_token_hint").map(str::to_owned),
        }),
        Err((error, description)) => AuthorizeOutcome::RedirectError {
            redirect_uri: url,
            error,
            description: sanitize_description(&description),
            state,
        },
    }
}

/// Step 1: the client and its redirect URI. Failures here are shown, never redirected
/// (RFC 6749 §4.1.2.1 first paragraph); the error is the description to show.
fn client_and_redirect_uri<'p, 'c>(
    p: &Params<'p>,
    find_client: impl Fn(&str) -> Option<&'c Client>,
) -> Result<(&'c Client, &'p str, Url), String> {
    let client_id = match p.one("client_id") {
        Err(_) => return Err("client_id was given more than once".into()),
        Ok(None) => return Err("client_id is missing".into()),
        Ok(Some(id)) => id,
    };
    let client = find_client(client_id).ok_or_else(|| format!("unknown client_id {:?}", echo(client_id)))?;
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED and must exactly match
    // a registered one (simple string comparison, RFC 9700 §4.1.3).
    let redirect_uri = match p.one("redirect_uri") {
        Err(_) => return Err("redirect_uri was given more than once".into()),
        Ok(None) => return Err("redirect_uri is missing".into()),
        Ok(Some(uri)) => uri,
    };
    if !client.has_redirect_uri(redirect_uri) {
        return Err("redirect_uri is not registered for this client".into());
    }
    // RFC 6749 §3.1.2: an absolute URI without a fragment. Registration
    // should already ensure that; check anyway rather than build a broken
    // redirect.
    match Url::parse(redirect_uri) {
        Ok(url) if url.fragment().is_none() => Ok((client, redirect_uri, url)),
        _ => Err("the registered redirect_uri is not a valid absolute URI without fragment".into()),
    }
}

/// What step 2 checked and parsed.
struct Checked {
    scopes: Vec<String>,
    code_challenge: Option<String>,
    prompt: Prompt,
    max_age: Option<i64>,
}

/// Step 2: everything else; an error is the (code, description) to redirect with.
fn checked_request(p: &Params<'_>, client: &Client) -> Result<Checked, (&'static str, String)> {
    let fail = |error: &'static str, description: &str| Err((error, description.to_owned()));
    if let Some(name) = p.first_duplicate(KNOWN) {
        return fail(codes::INVALID_REQUEST, &format!("{name} was given more than once"));
    }
    // OIDC Core §6: request objects are optional; say clearly we have none.
    if p.has("request") {
        return fail(
            codes::REQUEST_NOT_SUPPORTED,
            "the request parameter (request objects) is not supported",
        );
    }
    if p.has("request_uri") {
        return fail(codes::REQUEST_URI_NOT_SUPPORTED, "request_uri is not supported");
    }
    // RFC 6749 §4.1.1: response_type is REQUIRED; only the code flow here.
    match p.get("response_type") {
        None => return fail(codes::INVALID_REQUEST, "response_type is missing"),
        Some("code") => {}
        Some(other) => {
            return fail(
                codes::UNSUPPORTED_RESPONSE_TYPE,
                &format!("response_type {:?} is not supported; use code", echo(other)),
            );
        }
    }
    // OAuth 2.0 Multiple Response Type Encoding Practices §2.1: `query` is
    // the default for `code`; other modes (fragment, form_post) we lack.
    if let Some(mode) = p.get("response_mode")
        && mode != "query"
    {
        return fail(
            codes::INVALID_REQUEST,
            &format!("response_mode {:?} is not supported; use query", echo(mode)),
        );
    }
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return fail(
            codes::UNAUTHORIZED_CLIENT,
            "this client is not allowed to use the authorization code flow",
        );
    }
    Ok(Checked {
        scopes: scopes(p, client).map_err(|d| (codes::INVALID_SCOPE, d))?,
        code_challenge: pkce(p, client).map_err(|d| (codes::INVALID_REQUEST, d.to_owned()))?,
        prompt: parse_prompt(p.get("prompt")).map_err(|d| (codes::INVALID_REQUEST, d))?,
        max_age: max_age(p).map_err(|d| (codes::INVALID_REQUEST, d.to_owned()))?,
    })
}

/// OIDC Core §3.1.2.1: scope is REQUIRED and MUST contain `openid`; every value must be
/// registered for the client.
fn scopes(p: &Params<'_>, client: &Client) -> Result<Vec<String>, String> {
    let scopes = parse_scope(p.get("scope").unwrap_or_default())?;
    if !scopes.iter().any(|s| s == "openid") {
        return Err("scope must include openid (this is an OpenID Connect provider)".into());
    }
    crate::scope::check_client_scopes(client, &scopes).map_err(|e| e.description)?;
    Ok(scopes)
}

/// OIDC Core §3.1.2.1: max_age is a number of seconds; anything but a plain non-negative
/// integer is malformed.
fn max_age(p: &Params<'_>) -> Result<Option<i64>, &'static str> {
    let Some(m) = p.get("max_age") else { return Ok(None) };
    match m.bytes().all(|b| b.is_ascii_digit()).then(|| m.parse::<i64>()) {
        Some(Ok(n)) => Ok(Some(n)),
        _ => Err("max_age must be a non-negative integer number of seconds"),
    }
}

/// RFC 7636 §4.3 with S256 only. Returns the challenge, or the
/// description of an `invalid_request`.
fn pkce(p: &Params<'_>, client: &Client) -> Result<Option<String>, &'static str> {
    let challenge = p.get("code_challenge");
    match (p.get("code_challenge_method"), challenge) {
        (Some("plain"), _) => return Err("code_challenge_method plain is not accepted; use S256"),
        (Some("S256"), None) => {
            return Err("code_challenge_method was given without code_challenge");
        }
        (Some("S256"), Some(_)) => {}
        (Some(_), _) => return Err("unsupported code_challenge_method; use S256"),
        // RFC 7636 §4.3: a missing method means `plain`, which we refuse.
        (None, Some(_)) => {
            return Err("code_challenge_method is missing, which means plain; plain is not accepted, use S256");
        }
        (None, None) => {}
    }
    match challenge {
        Some(c) if valid_code_challenge(c) => Ok(Some(c.to_owned())),
        Some(_) => Err("code_challenge must be 43 base64url characters (S256)"),
        // RFC 9700 §2.1.1: public clients MUST use PKCE.
        None if client.pkce_required() => Err("code_challenge (PKCE, S256) is required for this client"),
        None => Ok(None),
    }
}

/// OIDC Core §3.1.2.1: space-delimited `prompt` values; `none` with any
/// other value is an error.
fn parse_prompt(value: Option<&str>) -> Result<Prompt, String> {
    let mut prompt = Prompt::default();
    let Some(value) = value else {
        return Ok(prompt);
    };
    let mut count = 0;
    for v in value.split(' ').filter(|v| !v.is_empty()) {
        count += 1;
        match v {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => prompt.select_account = true,
            other => return Err(format!("unknown prompt value {:?}", echo(other))),
        }
    }
    if prompt.none && count > 1 {
        return Err("prompt=none cannot be combined with other prompt values".to_owned());
    }
    Ok(prompt)
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
