//! Fake Instagram (API with Instagram Login): authorize, `POST` code →
//! short-lived token, `ig_exchange_token` → long-lived (60 days),
//! `ig_refresh_token`, and `/me`. Never an email.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, Redirect};
use serde_json::{Value, json};

use crate::error::{ApiError, PageError};
use crate::oauth2::{self, AuthorizeRules, Params, ct_eq};
use crate::state::Bearer;
use crate::{Provider, SandboxState};

const LONG_LIVED_SECONDS: i64 = 5_184_000;

fn rules(state: &SandboxState) -> AuthorizeRules {
    AuthorizeRules {
        provider: Provider::Instagram,
        title: "Log in with Instagram",
        choose_path: "/instagram/oauth/choose".into(),
        client: state.options().instagram.clone(),
        response_type_required: true,
        pkce_required: false,
    }
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

/// `POST /oauth/access_token` (form): code → short-lived token.
pub(crate) async fn access_token(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let form = Params::parse(&body);
    let app = &state.options().instagram;
    oauth2::authenticate_client(&headers, &form, app)?;
    if form.get("grant_type") != Some("authorization_code") {
        return Err(ApiError::bad_request(
            "unsupported_grant_type",
            "only authorization_code",
        ));
    }
    let code = oauth2::take_code(&state, Provider::Instagram, &app.client_id, &form)?;
    let token = state.issue_bearer(Bearer {
        provider: Provider::Instagram,
        person: code.person,
        scope: code.scope.clone(),
        long_lived: false,
    });
    Ok(Json(
        json!({"data": [{"access_token": token, "user_id": code.person.id, "permissions": code.scope}]}),
    ))
}

/// `GET /access_token?grant_type=ig_exchange_token&client_secret&access_token`.
pub(crate) async fn exchange(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Params::query(raw.as_deref());
    if query.get("grant_type") != Some("ig_exchange_token") {
        return Err(ApiError::bad_request(
            "unsupported_grant_type",
            "grant_type must be ig_exchange_token",
        ));
    }
    if !ct_eq(
        query.get("client_secret").unwrap_or_default(),
        state.options().instagram.secret(),
    ) {
        return Err(ApiError::invalid_client("wrong client_secret"));
    }
    let (_, short) = oauth2::bearer(&state, Provider::Instagram, &headers, &query)?;
    if short.long_lived {
        return Err(ApiError::bad_request(
            "invalid_request",
            "only a short-lived token can be exchanged",
        ));
    }
    long_lived(&state, short)
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token`.
pub(crate) async fn refresh(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Params::query(raw.as_deref());
    if query.get("grant_type") != Some("ig_refresh_token") {
        return Err(ApiError::bad_request(
            "unsupported_grant_type",
            "grant_type must be ig_refresh_token",
        ));
    }
    let (_, current) = oauth2::bearer(&state, Provider::Instagram, &headers, &query)?;
    if !current.long_lived {
        return Err(ApiError::bad_request(
            "invalid_request",
            "only a long-lived token can be refreshed",
        ));
    }
    long_lived(&state, current)
}

fn long_lived(state: &SandboxState, from: Bearer) -> Result<Json<Value>, ApiError> {
    let token = state.issue_bearer(Bearer {
        long_lived: true,
        ..from
    });
    Ok(Json(
        json!({"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}),
    ))
}

/// `GET /me?fields=…&access_token=…`.
pub(crate) async fn me(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Params::query(raw.as_deref());
    let (_, bearer) = oauth2::bearer(&state, Provider::Instagram, &headers, &query)?;
    let p = bearer.person;
    let mut me = json!({"id": p.id});
    for field in query.get("fields").unwrap_or("id,username").split(',') {
        let value = match field.trim() {
            "user_id" => json!(p.id),
            "username" => json!(p.username),
            "name" => json!(p.name),
            "profile_picture_url" => json!(p.picture),
            "biography" => json!(format!("{} takes pictures (sandbox)", p.name)),
            "website" => json!("https://example.com/erin"),
            "account_type" => json!("BUSINESS"),
            _ => continue,
        };
        me[field.trim()] = value;
    }
    Ok(Json(me))
}
