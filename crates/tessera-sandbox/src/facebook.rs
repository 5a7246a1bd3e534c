//! Fake Facebook: the login dialog, `GET /oauth/access_token`, and the
//! Graph API `/me` and `/me/friends`, which demand a valid
//! `appsecret_proof` (hex HMAC-SHA256 of the token keyed by the app secret).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, Redirect};
use serde_json::{Value, json};
use tessera_upstream::facebook::appsecret_proof;

use crate::error::{ApiError, PageError};
use crate::oauth2::{self, AuthorizeRules, Params, ct_eq};
use crate::people::friends_using_app;
use crate::state::Bearer;
use crate::{Provider, SandboxState};

/// Facebook's long-lived user tokens last about 60 days.
const EXPIRES_IN: i64 = 5_183_944;

fn rules(state: &SandboxState) -> AuthorizeRules {
    AuthorizeRules {
        provider: Provider::Facebook,
        title: "Log in with Facebook",
        choose_path: "/facebook/dialog/choose".into(),
        client: state.options().facebook.clone(),
        response_type_required: false,
        pkce_required: false,
    }
}

pub(crate) async fn dialog(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    oauth2::authorize_page(&state, &rules(&state), &Params::query(raw.as_deref()))
}

pub(crate) async fn choose(State(state): State<SandboxState>, RawQuery(raw): RawQuery) -> Result<Redirect, PageError> {
    oauth2::choose(&state, &rules(&state), &Params::query(raw.as_deref()))
}

/// `GET /oauth/access_token?client_id&redirect_uri&client_secret&code`.
pub(crate) async fn access_token(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Params::query(raw.as_deref());
    let app = &state.options().facebook;
    let id_ok = query.get("client_id") == Some(app.client_id.as_str());
    if !id_ok || !ct_eq(query.get("client_secret").unwrap_or_default(), app.secret()) {
        return Err(ApiError::invalid_client("wrong client_id or client_secret"));
    }
    let code = oauth2::take_code(&state, Provider::Facebook, &app.client_id, &query)?;
    let token = state.issue_bearer(Bearer {
        provider: Provider::Facebook,
        person: code.person,
        scope: code.scope,
        long_lived: true,
    });
    Ok(Json(
        json!({"access_token": token, "token_type": "bearer", "expires_in": EXPIRES_IN}),
    ))
}

/// The token of a Graph call, with its `appsecret_proof` checked.
fn graph_token(state: &SandboxState, headers: &HeaderMap, query: &Params) -> Result<Bearer, ApiError> {
    let (token, bearer) = oauth2::bearer(state, Provider::Facebook, headers, query)?;
    let expected = appsecret_proof(state.options().facebook.secret(), &token);
    match query.get("appsecret_proof") {
        Some(proof) if ct_eq(proof, &expected) => Ok(bearer),
        Some(_) => Err(ApiError::bad_request(
            "invalid_request",
            "Invalid appsecret_proof provided in the API argument",
        )),
        None => Err(ApiError::bad_request(
            "invalid_request",
            "API calls from the server require an appsecret_proof argument",
        )),
    }
}

/// `GET /me?fields=…`: only the fields asked for (`id` always); `email`
/// only with the `email` permission and when the person has one.
pub(crate) async fn me(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Params::query(raw.as_deref());
    let bearer = graph_token(&state, &headers, &query)?;
    let p = bearer.person;
    let (first, last) = p.name.split_once(' ').unwrap_or((p.name, ""));
    let mut me = json!({"id": p.id});
    for field in query.get("fields").unwrap_or("id,name").split(',') {
        let value = match field.trim() {
            "name" => json!(p.name),
            "first_name" => json!(first),
            "last_name" => json!(last),
            "email" if oauth2::scope_has(&bearer.scope, "email") => match p.email {
                Some(e) => json!(e),
                None => continue,
            },
            "picture" => json!({"data": {"height": 50, "width": 50, "is_silhouette": false, "url": p.picture}}),
            _ => continue,
        };
        me[field.trim()] = value;
    }
    Ok(Json(me))
}

/// `GET /me/friends`: friends who also use the app; needs `user_friends`.
pub(crate) async fn friends(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Params::query(raw.as_deref());
    let bearer = graph_token(&state, &headers, &query)?;
    if !oauth2::scope_has(&bearer.scope, "user_friends") {
        return Err(ApiError::forbidden("the user_friends permission was not granted"));
    }
    let data: Vec<Value> = friends_using_app(bearer.person)
        .iter()
        .map(|f| json!({"id": f.id, "name": f.name}))
        .collect();
    let total = bearer.person.friends.len();
    Ok(Json(json!({"data": data, "summary": {"total_count": total}})))
}
