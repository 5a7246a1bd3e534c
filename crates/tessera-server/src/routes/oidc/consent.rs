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

/// What a scope lets an app do, in plain words in the reader's language (catalog message
/// `scope-<name>`), never the raw scope name.
pub fn describe(scope: &str) -> String {
    if crate::config::KNOWN_SCOPES.contains(&scope) {
        crate::i18n::text(&format!("scope-{scope}"), Vec::new())
    } else {
        tr!("scope-other")
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
    let scopes: Vec<String> = pending.scopes.iter().map(|s| describe(s)).collect();
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
