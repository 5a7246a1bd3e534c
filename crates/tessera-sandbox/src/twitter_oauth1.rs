//! Fake Twitter, OAuth 1.0a side (RFC 5849): every request's HMAC-SHA1
//! signature is recomputed with the consumer secret and the token secret
//! this sandbox issued; request tokens are single-use and bound to the
//! callback they were asked with.

use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tessera_upstream::oauth1;
use url::Url;

use crate::error::{ApiError, PageError};
use crate::oauth2::{Params, ct_eq};
use crate::pages::chooser;
use crate::people::{TestPerson, person};
use crate::state::{AccessToken, RequestToken};
use crate::{Failure, Provider, SandboxState};

/// RFC 5849 §3.3: how far a timestamp may be from our clock (seconds).
const TIMESTAMP_WINDOW: i64 = 300;

/// Which token a request must be signed with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Consumer credentials only (temporary credentials request, §2.1).
    None,
    /// A request token (token request, §2.3).
    Request,
    /// An access token (API calls).
    Access,
}

/// A request whose signature checked out.
pub(crate) struct Verified {
    pub oauth: Params,
    pub token: Option<String>,
    /// For access tokens: whose it is.
    pub person: Option<&'static TestPerson>,
}

/// The parameters a form body contributes to the signature (§3.4.1.3.1):
/// only an `application/x-www-form-urlencoded` body counts.
pub(crate) fn form_params(headers: &HeaderMap, body: &[u8]) -> Params {
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        Params::parse(body)
    } else {
        Params::default()
    }
}

/// Verifies the OAuth 1.0a signature of a request (RFC 5849 §3.2).
pub(crate) fn verify_request(
    state: &SandboxState,
    method: &Method,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    body: &Params,
    kind: TokenKind,
) -> Result<Verified, ApiError> {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("no OAuth Authorization header"))?;
    let oauth = Params(
        oauth1::parse_authorization_header(header).ok_or_else(|| ApiError::unauthorized("unreadable OAuth header"))?,
    );
    let consumer = &state.options().twitter;
    if oauth.get("oauth_consumer_key") != Some(consumer.client_id.as_str()) {
        return Err(ApiError::unauthorized("unknown consumer key"));
    }
    let timestamp = oauth.get("oauth_timestamp").and_then(|t| t.parse::<i64>().ok());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if timestamp.is_none_or(|t| (t - now).abs() > TIMESTAMP_WINDOW) {
        return Err(ApiError::unauthorized("oauth_timestamp missing or out of range"));
    }
    let nonce = oauth
        .require("oauth_nonce")
        .map_err(|_| ApiError::unauthorized("no oauth_nonce"))?;

    let token = oauth.get("oauth_token").map(str::to_owned);
    let (token_secret, person) = {
        let inner = state.lock();
        match (kind, token.as_deref()) {
            (TokenKind::None, None) => (String::new(), None),
            (TokenKind::Request, Some(t)) => match inner.request_tokens.get(t) {
                Some(rt) => (rt.secret.clone(), None),
                None => return Err(ApiError::unauthorized("unknown or used request token")),
            },
            (TokenKind::Access, Some(t)) if !inner.revoked.contains(t) => match inner.access_tokens.get(t) {
                Some(at) => (at.secret.clone(), Some(at.person)),
                None => return Err(ApiError::unauthorized("invalid or expired token")),
            },
            (TokenKind::Access, Some(_)) => return Err(ApiError::unauthorized("the token was revoked")),
            _ => return Err(ApiError::unauthorized("wrong kind of token for this endpoint")),
        }
    };

    // The URL the client signed: our scheme, the Host it used, the full path.
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let scheme = state.shared.base.split("://").next().unwrap_or("http");
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let url = Url::parse(&format!("{scheme}://{host}{}{query}", uri.path()))
        .map_err(|_| ApiError::unauthorized("cannot rebuild the request URL"))?;
    if !oauth1::verify(
        method.as_str(),
        &url,
        &body.0,
        &oauth.0,
        consumer.secret(),
        &token_secret,
    ) {
        return Err(ApiError::unauthorized("invalid signature"));
    }
    // §3.3: a nonce is good once per (consumer, token, timestamp).
    let key = (
        consumer.client_id.clone(),
        token.clone().unwrap_or_default(),
        timestamp.unwrap_or_default().to_string(),
        nonce.to_owned(),
    );
    if !state.lock().nonces.insert(key) {
        return Err(ApiError::unauthorized("nonce already used"));
    }
    Ok(Verified { oauth, token, person })
}

/// `POST /oauth/request_token` (RFC 5849 §2.1).
pub(crate) async fn request_token(
    State(state): State<SandboxState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = form_params(&headers, &body);
    let verified = verify_request(&state, &method, &headers, &uri, &form, TokenKind::None)?;
    let callback = verified
        .oauth
        .get("oauth_callback")
        .and_then(|c| Url::parse(c).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| ApiError::bad_request("invalid_request", "oauth_callback must be an absolute http(s) URL"))?;
    let (token, secret) = (SandboxState::random(), SandboxState::random());
    state.lock().request_tokens.insert(
        token.clone(),
        RequestToken {
            secret: secret.clone(),
            callback,
            chosen: None,
        },
    );
    let confirmed = state
        .take_failure(Provider::Twitter, uri.path(), |f| f == Failure::CallbackNotConfirmed)
        .is_none();
    Ok(form_response(&[
        ("oauth_token", &token),
        ("oauth_token_secret", &secret),
        ("oauth_callback_confirmed", if confirmed { "true" } else { "false" }),
    ]))
}

fn form_response(pairs: &[(&str, &str)]) -> Response {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    body.extend_pairs(pairs);
    ([("content-type", "application/x-www-form-urlencoded")], body.finish()).into_response()
}

/// `GET /oauth/authenticate?oauth_token=…` (§2.2): the chooser.
pub(crate) async fn authenticate(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    let params = Params::query(raw.as_deref());
    let token = params.get("oauth_token").unwrap_or_default().to_owned();
    let pending = state.lock().request_tokens.get(&token).map(|rt| rt.chosen.is_none());
    if pending != Some(true) {
        return Err(PageError("unknown or already used oauth_token".into()));
    }
    let base = &state.shared.base;
    let enc = urlencoding::encode(&token);
    let link = |choice: &str| {
        format!(
            "{base}/twitter/oauth/choose?oauth_token={enc}&choice={}",
            urlencoding::encode(choice)
        )
    };
    let consumer = state.options().twitter.client_id.clone();
    let cancel = link("cancel");
    Ok(chooser(
        Provider::Twitter,
        "Sign in with Twitter",
        &consumer,
        link,
        &cancel,
    ))
}

/// The person chose: back to the registered callback with `oauth_token` and
/// `oauth_verifier` (§2.2), or `denied=<token>` when they cancel.
pub(crate) async fn choose(State(state): State<SandboxState>, RawQuery(raw): RawQuery) -> Result<Redirect, PageError> {
    let params = Params::query(raw.as_deref());
    let token = params.get("oauth_token").unwrap_or_default().to_owned();
    let choice = params.get("choice").unwrap_or_default();
    let mut inner = state.lock();
    let Some(rt) = inner.request_tokens.get_mut(&token).filter(|rt| rt.chosen.is_none()) else {
        return Err(PageError("unknown or already used oauth_token".into()));
    };
    let mut callback = rt.callback.clone();
    if choice == "cancel" {
        callback.query_pairs_mut().append_pair("denied", &token);
        inner.request_tokens.remove(&token);
        return Ok(Redirect::to(callback.as_str()));
    }
    let chosen = person(Provider::Twitter, choice).ok_or_else(|| PageError(format!("no test person {choice:?}")))?;
    let verifier = SandboxState::random();
    rt.chosen = Some((chosen, verifier.clone()));
    callback
        .query_pairs_mut()
        .append_pair("oauth_token", &token)
        .append_pair("oauth_verifier", &verifier);
    Ok(Redirect::to(callback.as_str()))
}

/// Uses up the request token and, when its verifier matches, issues an access token and
/// secret for the person who authorized it.
fn exchange_request_token(
    state: &SandboxState,
    token: &str,
    verifier: &str,
) -> Result<(&'static crate::people::TestPerson, String, String), ApiError> {
    let mut inner = state.lock();
    let rt = inner
        .request_tokens
        .remove(token)
        .ok_or_else(|| ApiError::unauthorized("unknown or used request token"))?;
    let Some((person, expected)) = rt.chosen else {
        return Err(ApiError::unauthorized("the request token was not authorized"));
    };
    if !ct_eq(&expected, verifier) {
        return Err(ApiError::unauthorized("invalid oauth_verifier"));
    }
    let (access, secret) = (SandboxState::random(), SandboxState::random());
    inner.access_tokens.insert(
        access.clone(),
        AccessToken {
            secret: secret.clone(),
            person,
        },
    );
    Ok((person, access, secret))
}

/// `POST /oauth/access_token` (§2.3): signed with the request token,
/// carrying the verifier. The request token is used up either way.
pub(crate) async fn access_token(
    State(state): State<SandboxState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = form_params(&headers, &body);
    let verified = verify_request(&state, &method, &headers, &uri, &form, TokenKind::Request)?;
    let verifier = verified
        .oauth
        .get("oauth_verifier")
        .or_else(|| form.get("oauth_verifier"))
        .unwrap_or_default();
    let token = verified.token.unwrap_or_default();
    let (person, access, secret) = exchange_request_token(&state, &token, verifier)?;
    Ok(form_response(&[
        ("oauth_token", &access),
        ("oauth_token_secret", &secret),
        ("user_id", person.id),
        ("screen_name", person.username.unwrap_or_default()),
    ]))
}
