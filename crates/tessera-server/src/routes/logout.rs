//! `/logout`: Tessera's own logout and the OpenID Connect end_session_endpoint (RP-Initiated
//! Logout 1.0). The person confirms with a CSRF-protected form; then the session ends, every
//! app that received tokens in it is told over the back channel, and the browser goes to the
//! app's registered `post_logout_redirect_uri` (never to an unregistered one).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use url::Url;

use super::{message, page};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::oidc::backchannel;
use crate::session::{self, MaybeSignedIn, SessionCookie};
use crate::state::AppState;

/// Where to send the browser afterwards, once checked against the app's registration.
struct Return {
    uri: String,
    state: Option<String>,
    client_id: String,
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// RP-Initiated Logout §2–3: the app is named by `client_id` or by the `id_token_hint`'s
/// audience, and the URI must be one it registered, compared as an exact string.
async fn checked_return(state: &AppState, params: &[(String, String)]) -> Result<Option<Return>, AppError> {
    let Some(uri) = get(params, "post_logout_redirect_uri") else {
        return Ok(None);
    };
    let from_hint = match get(params, "id_token_hint") {
        Some(hint) => state.provider.id_token_hint(hint).await?.map(|claims| claims.aud),
        None => None,
    };
    // RP-Initiated Logout §2: when both name the app, they must name the same one.
    if let (Some(given), Some(hinted)) = (get(params, "client_id"), from_hint.as_deref())
        && given != hinted
    {
        return Err(AppError::BadRequest(tr!("logout-mismatched-app")));
    }
    let client_id = get(params, "client_id").map(str::to_owned).or(from_hint);
    let registered = client_id
        .as_deref()
        .and_then(|id| state.config.client(id))
        .filter(|c| c.client.has_post_logout_redirect_uri(uri));
    match (registered, client_id) {
        (Some(_), Some(client_id)) => Ok(Some(Return { uri: uri.to_owned(), state: get(params, "state").map(str::to_owned), client_id })),
        _ => Err(AppError::BadRequest(
            "The app asked to return to an address it has not registered for after logout, so Tessera will not go there. \
             Your session is unchanged."
                .into(),
        )),
    }
}

fn return_url(r: &Return) -> Result<String, AppError> {
    let mut url = Url::parse(&r.uri).map_err(|e| AppError::internal(e.to_string()))?;
    if let Some(s) = &r.state {
        url.query_pairs_mut().append_pair("state", s);
    }
    Ok(url.to_string())
}

fn confirm_page(
    state: &AppState,
    csrf: &CsrfCookie,
    user: Option<&tessera_core::User>,
    ret: Option<&Return>,
) -> Result<Response, AppError> {
    let extra = context! {
        post_logout_redirect_uri => ret.map(|r| r.uri.clone()),
        return_state => ret.and_then(|r| r.state.clone()),
        client_id => ret.map(|r| r.client_id.clone()),
    };
    Ok(page(state, csrf, user, "logout.html", extra)?.into_response())
}

pub async fn show(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let ret = checked_return(&state, &params).await?;
    match (&signed_in, &ret) {
        (None, Some(r)) => Ok(Redirect::to(&return_url(r)?).into_response()),
        (None, None) => message(
            &state,
            StatusCode::OK,
            &tr!("logout-done-title"),
            &tr!("logout-not-signed-in"),
            Some(("/login", &tr!("link-log-in"))),
        ),
        (Some(s), _) => confirm_page(&state, &csrf, Some(&s.user), ret.as_ref()),
    }
}

/// The confirmation form posts here. An app may also POST its logout request directly
/// (RP-Initiated Logout §2); without this browser's CSRF token that only shows the form.
pub async fn submit(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    SessionCookie(cookie): SessionCookie,
    actor: Actor,
    body: Bytes,
) -> Result<Response, AppError> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let ret = checked_return(&state, &params).await?;
    if csrf.verify(&state, get(&params, "csrf").unwrap_or_default()).is_err() {
        if ret.is_some() || get(&params, "id_token_hint").is_some() {
            return confirm_page(&state, &csrf, signed_in.as_ref().map(|s| &s.user), ret.as_ref());
        }
        return Err(AppError::Csrf);
    }
    let logouts = match &signed_in {
        Some(s) => backchannel::logout_jobs(&state, &s.session.id_digest, &s.user.id.to_string()).await?,
        None => Vec::new(),
    };
    let clear = session::end(&state, cookie.as_deref()).await?;
    if let Some(s) = &signed_in {
        let mut logged_out = effects::event(&state, "session.logout", Some(s.user.id), serde_json::json!({}), &actor);
        logged_out.jobs.extend(logouts);
        effects::emit(&state, logged_out).await?;
    }
    let mut response = match &ret {
        Some(r) => Redirect::to(&return_url(r)?).into_response(),
        None => super::done(
            &state,
            &tr!("logout-done-title"),
            &tr!("logout-done"),
            Some(("/login", &tr!("logout-log-in-again"))),
        )?,
    };
    if let Ok(value) = clear.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}
