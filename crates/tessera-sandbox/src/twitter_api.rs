//! Fake Twitter/X APIs: v1.1 `verify_credentials`, `friends/ids`,
//! `statuses/update` (OAuth 1.0a signed), v2 `/2/tweets` (OAuth 1.0a or an
//! OAuth 2 bearer), and the X OAuth 2.0 + PKCE login with `/2/users/me`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use crate::error::{ApiError, PageError};
use crate::oauth2::{self, AuthorizeRules, Params};
use crate::people::TestPerson;
use crate::state::{Bearer, Post};
use crate::twitter_oauth1::{TokenKind, form_params, verify_request};
use crate::{Provider, SandboxState};

/// The v1.1 user object (the fields clients use).
fn user_json(person: &TestPerson, include_email: bool) -> Value {
    let mut user = json!({
        "id": person.id.parse::<u64>().unwrap_or_default(),
        "id_str": person.id,
        "name": person.name,
        "screen_name": person.username,
        "profile_image_url_https": person.picture,
        "verified": false,
    });
    if include_email && let Some(email) = person.email {
        user["email"] = json!(email);
    }
    user
}

/// `GET /1.1/account/verify_credentials.json`: the email only with
/// `include_email=true` and only when the person has one.
pub(crate) async fn verify_credentials(
    State(state): State<SandboxState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let verified = verify_request(&state, &method, &headers, &uri, &Params::default(), TokenKind::Access)?;
    let person = verified.person.ok_or_else(|| ApiError::unauthorized("no user"))?;
    let include_email = Params::query(uri.query()).get("include_email") == Some("true");
    Ok(Json(user_json(person, include_email)))
}

/// `GET /1.1/friends/ids.json`: whom the person follows.
pub(crate) async fn friend_ids(
    State(state): State<SandboxState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let verified = verify_request(&state, &method, &headers, &uri, &Params::default(), TokenKind::Access)?;
    let person = verified.person.ok_or_else(|| ApiError::unauthorized("no user"))?;
    let query = Params::query(uri.query());
    let ids: Vec<Value> = person
        .friends
        .iter()
        .map(|id| match query.get("stringify_ids") {
            Some("true") => json!(id),
            _ => json!(id.parse::<u64>().unwrap_or_default()),
        })
        .collect();
    Ok(Json(json!({"ids": ids, "next_cursor": 0, "next_cursor_str": "0",
                   "previous_cursor": 0, "previous_cursor_str": "0"})))
}

/// `POST /1.1/statuses/update.json` with `status=` in the signed form body.
pub(crate) async fn statuses_update(
    State(state): State<SandboxState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let form = form_params(&headers, &body);
    let verified = verify_request(&state, &method, &headers, &uri, &form, TokenKind::Access)?;
    let person = verified.person.ok_or_else(|| ApiError::unauthorized("no user"))?;
    let text = form.require("status")?.to_owned();
    let id = record(&state, "v1", person, &text);
    Ok(Json(
        json!({"id_str": id, "text": text, "user": user_json(person, false)}),
    ))
}

/// `POST /2/tweets` with JSON `{"text": …}`: OAuth 1.0a (the JSON body is
/// not part of the signature, RFC 5849 §3.4.1.3.1) or an OAuth 2 bearer.
pub(crate) async fn tweets(
    State(state): State<SandboxState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let person = if auth.starts_with("OAuth ") {
        verify_request(&state, &method, &headers, &uri, &Params::default(), TokenKind::Access)?
            .person
            .ok_or_else(|| ApiError::unauthorized("no user"))?
    } else {
        let (_, bearer) = oauth2::bearer(&state, Provider::Twitter, &headers, &Params::default())?;
        if !oauth2::scope_has(&bearer.scope, "tweet.write") {
            return Err(ApiError::forbidden("tweet.write scope required"));
        }
        bearer.person
    };
    let text = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_owned))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::bad_request("invalid_request", "body must be JSON with a non-empty text"))?;
    let id = record(&state, "v2", person, &text);
    Ok((StatusCode::CREATED, Json(json!({"data": {"id": id, "text": text}}))).into_response())
}

fn record(state: &SandboxState, api: &'static str, person: &TestPerson, text: &str) -> String {
    let mut inner = state.lock();
    inner.posts.push(Post {
        api,
        user_id: person.id.to_owned(),
        text: text.to_owned(),
    });
    format!("{}", 9_000_000 + inner.posts.len())
}

fn x_rules(state: &SandboxState) -> AuthorizeRules {
    AuthorizeRules {
        provider: Provider::Twitter,
        title: "Sign in with X",
        choose_path: "/twitter/i/oauth2/choose".into(),
        client: state.options().x_oauth2.clone(),
        response_type_required: true,
        pkce_required: true,
    }
}

/// `GET /i/oauth2/authorize` (X requires PKCE).
pub(crate) async fn x_authorize(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    oauth2::authorize_page(&state, &x_rules(&state), &Params::query(raw.as_deref()))
}

pub(crate) async fn x_choose(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Redirect, PageError> {
    oauth2::choose(&state, &x_rules(&state), &Params::query(raw.as_deref()))
}

/// `POST /2/oauth2/token` (authorization_code grant with PKCE).
pub(crate) async fn x_token(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let form = Params::parse(&body);
    let client = &state.options().x_oauth2;
    let confidential = oauth2::authenticate_client(&headers, &form, client)?;
    if form.get("grant_type") != Some("authorization_code") {
        return Err(ApiError::bad_request(
            "unsupported_grant_type",
            "only authorization_code",
        ));
    }
    let code = oauth2::take_code(&state, Provider::Twitter, &client.client_id, &form)?;
    oauth2::check_pkce(&code, &form, !confidential)?;
    let token = state.issue_bearer(Bearer {
        provider: Provider::Twitter,
        person: code.person,
        scope: code.scope.clone(),
        long_lived: false,
    });
    let mut answer = json!({"token_type": "bearer", "expires_in": 7200, "access_token": token, "scope": code.scope});
    if oauth2::scope_has(&code.scope, "offline.access") {
        answer["refresh_token"] = json!(SandboxState::random());
    }
    Ok(Json(answer))
}

/// `GET /2/users/me`.
pub(crate) async fn x_users_me(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let (_, bearer) = oauth2::bearer(&state, Provider::Twitter, &headers, &Params::query(raw.as_deref()))?;
    let p = bearer.person;
    Ok(Json(
        json!({"data": {"id": p.id, "name": p.name, "username": p.username, "profile_image_url": p.picture}}),
    ))
}
