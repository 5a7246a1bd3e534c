//! `/authorize` (GET and POST, OIDC Core §3.1.2.1) and `/authorize/continue`, the single
//! place every login step returns to.

use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use tessera_core::oidc_store::{PendingAuthorization, PromptFlags};
use tessera_oidc::{AuthorizeOutcome, AuthorizeRequest};
use time::OffsetDateTime;
use url::Url;

use super::{PendingId, continue_path, load_pending};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::oidc::flow::{self, Next};
use crate::session::MaybeSignedIn;
use crate::state::AppState;

/// How long a person has to log in and consent before the request must be started again.
const PENDING_FOR: time::Duration = time::Duration::minutes(30);

pub async fn authorize(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw: &[u8] = if method == Method::POST {
        &body
    } else {
        query.as_deref().unwrap_or_default().as_bytes()
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw).into_owned().collect();
    let outcome = tessera_oidc::parse_authorize(&params, |id| state.config.client(id).map(|c| &c.client));
    let request = match outcome {
        // RFC 6749 §4.1.2.1: with an unknown client or redirect URI we must not redirect;
        // we render the error ourselves.
        AuthorizeOutcome::ShowError { description } => {
            return Err(AppError::BadRequest(format!(
                "The app's sign-in request cannot be used: {description}. Nothing was sent back to the app; \
                 return to it and try again, or tell its developers."
            )));
        }
        AuthorizeOutcome::RedirectError {
            redirect_uri,
            error,
            description,
            state: app_state,
        } => {
            let url = tessera_oidc::error_response(
                &redirect_uri,
                error,
                &description,
                app_state.as_deref(),
                state.config.issuer_str(),
            );
            return Ok(Redirect::to(url.as_str()).into_response());
        }
        AuthorizeOutcome::Valid(request) => request,
    };
    let hint_subject = match hint_subject(&state, &request).await? {
        Ok(subject) => subject,
        Err(redirect) => return Ok(Redirect::to(redirect.as_str()).into_response()),
    };
    let session_at_start = signed_in.filter(|_| request.prompt.login).map(|s| s.session.id_digest);
    let pending = pending(request, csrf.browser_binding(), hint_subject, session_at_start);
    state.store.create_pending(&pending).await?;
    Ok(Redirect::to(&continue_path(&pending.id)).into_response())
}

pub async fn resume(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    MaybeSignedIn(signed_in): MaybeSignedIn,
    Query(PendingId { id }): Query<PendingId>,
) -> Result<Response, AppError> {
    let pending = load_pending(&state, &csrf, &id).await?;
    let client = state.config.client(&pending.client_id).ok_or(AppError::NotFound)?;
    match flow::next_step(&state, client, &pending, signed_in.as_ref()).await? {
        Next::Login { again } => {
            let mut login = url::form_urlencoded::Serializer::new(String::new());
            login.append_pair("next", &continue_path(&pending.id));
            if again {
                login.append_pair("reauth", "1");
            }
            if let Some(hint) = &pending.login_hint {
                login.append_pair("login_hint", hint);
            }
            Ok(Redirect::to(&format!("/login?{}", login.finish())).into_response())
        }
        Next::Consent => Ok(Redirect::to(&format!("/consent?id={}", urlencoding::encode(&pending.id))).into_response()),
        Next::Redirect(url) => Ok(Redirect::to(url.as_str()).into_response()),
    }
}

/// The `sub` an `id_token_hint` names: it must be an ID token of ours for this client (an
/// access token is no hint); otherwise the error redirect to send the browser back with.
async fn hint_subject(state: &AppState, request: &AuthorizeRequest) -> Result<Result<Option<String>, Url>, AppError> {
    let Some(hint) = &request.id_token_hint else {
        return Ok(Ok(None));
    };
    match state.keys.verify(hint).await {
        Some((header, claims))
            if header["typ"] == tessera_oidc::TYP_ID_TOKEN
                && claims["iss"] == state.config.issuer_str()
                && claims["aud"] == request.client_id.as_str() =>
        {
            Ok(Ok(claims["sub"].as_str().map(str::to_owned)))
        }
        _ => {
            let uri = Url::parse(&request.redirect_uri).map_err(|e| AppError::internal(e.to_string()))?;
            Ok(Err(tessera_oidc::error_response(
                &uri,
                "invalid_request",
                "id_token_hint is not an ID token issued by this server",
                request.state.as_deref(),
                state.config.issuer_str(),
            )))
        }
    }
}

/// The pending sign-in a valid request becomes, bound to this browser.
fn pending(
    request: AuthorizeRequest,
    browser: String,
    hint_subject: Option<String>,
    session_at_start: Option<String>,
) -> PendingAuthorization {
    let now = OffsetDateTime::now_utc();
    PendingAuthorization {
        id: tessera_oidc::random_token(),
        browser,
        client_id: request.client_id,
        redirect_uri: request.redirect_uri,
        scopes: request.scopes,
        state: request.state,
        nonce: request.nonce,
        code_challenge: request.code_challenge,
        prompt: PromptFlags {
            none: request.prompt.none,
            login: request.prompt.login,
            consent: request.prompt.consent,
            select_account: request.prompt.select_account,
        },
        max_age: request.max_age,
        login_hint: request.login_hint,
        hint_subject,
        session_at_start,
        consented: false,
        created_at: now,
        expires_at: now + PENDING_FOR,
    }
}
