//! The consent page: which app wants what. The answer is remembered per person, app and scope
//! set, and can be withdrawn from the account page.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::{PendingId, continue_path, load_pending};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::routes::{Form, page};
use crate::session::SignedIn;
use crate::state::AppState;
use crate::templates::ser;

pub fn describe(scope: &str) -> &'static str {
    match scope {
        "openid" => "Know that it is you (a stable identifier, not your password)",
        "profile" => "Your name and username",
        "email" => "Your email address and whether it is confirmed",
        "groups" => "The groups you belong to",
        "offline_access" => "Stay connected while you are away",
        "contacts" => "See which people you know from connected accounts also use it",
        _ => "Other access",
    }
}

pub async fn show(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    Query(PendingId { id }): Query<PendingId>,
) -> Result<Response, AppError> {
    let pending = load_pending(&state, &csrf, &id).await?;
    let client = state.config.client(&pending.client_id).ok_or(AppError::NotFound)?;
    let scopes: Vec<(String, &str)> = pending.scopes.iter().map(|s| (s.clone(), describe(s))).collect();
    let extra = context! { id, app => client.client.name.clone(), scopes => ser(&scopes) };
    Ok(page(&state, &csrf, Some(&signed_in.user), "consent.html", extra)?.into_response())
}

#[derive(Deserialize)]
pub struct Decision {
    id: String,
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<Decision>,
) -> Result<Response, AppError> {
    let pending = load_pending(&state, &csrf, &form.id).await?;
    if form.decision != "allow" {
        let url = state.provider.decline(&pending).await?;
        return Ok(Redirect::to(url.as_str()).into_response());
    }
    let user = signed_in.user.id;
    state.provider.consent(&pending, user).await?;
    effects::emit(
        &state,
        effects::event(
            &state,
            "client.consent",
            Some(user),
            serde_json::json!({ "client_id": pending.client_id, "scopes": pending.scopes }),
            &actor,
        ),
    )
    .await?;
    Ok(Redirect::to(&continue_path(&pending.id)).into_response())
}
