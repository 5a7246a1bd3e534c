//! The one place that decides what happens next for a pending authorization. Every
//! interactive step (login, consent) records its result and comes back to
//! `/authorize/continue`, which calls [`next_step`]; steps never call each other.

use tessera_core::oidc_store::{Authorization, PendingAuthorization, StoredCode};
use tessera_core::secret_token;
use time::OffsetDateTime;
use url::Url;

use super::issue::sid_of;
use crate::config::ClientConfig;
use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;

pub enum Next {
    /// Send the person to the login page; `again` when a session exists but is not enough
    /// (`prompt=login`, `max_age`, or another person than `id_token_hint` names).
    Login {
        again: bool,
    },
    Consent,
    /// Back to the app: with a code, or with an error (`login_required`, …).
    Redirect(Url),
}

fn error_redirect(
    state: &AppState,
    p: &PendingAuthorization,
    error: &str,
    description: &str,
) -> Result<Next, AppError> {
    let uri = Url::parse(&p.redirect_uri).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(Next::Redirect(tessera_oidc::error_response(
        &uri,
        error,
        description,
        p.state.as_deref(),
        state.config.issuer_str(),
    )))
}

pub async fn next_step(
    state: &AppState,
    client: &ClientConfig,
    p: &PendingAuthorization,
    signed_in: Option<&SignedIn>,
) -> Result<Next, AppError> {
    let now = OffsetDateTime::now_utc();
    // OIDC Core §3.1.2.1: prompt=login and max_age ask for a login newer than the request
    // or than max_age seconds; id_token_hint names who the app expects.
    let fresh_enough = |s: &SignedIn| {
        let after_request = !p.prompt.login || p.session_at_start.as_deref() != Some(s.session.id_digest.as_str());
        let within_max_age = p
            .max_age
            .is_none_or(|max| (now - s.session.auth_time).whole_seconds() <= max);
        let right_person = p.hint_subject.as_deref().is_none_or(|sub| sub == s.user.id.to_string());
        after_request && within_max_age && right_person
    };
    let Some(signed_in) = signed_in.filter(|s| fresh_enough(s)) else {
        if p.prompt.none {
            return error_redirect(
                state,
                p,
                "login_required",
                "the person is not signed in to Tessera (prompt=none)",
            );
        }
        return Ok(Next::Login {
            again: signed_in.is_some(),
        });
    };
    let user = &signed_in.user;
    let remembered = match state.store.grant(user.id, &client.client.id).await? {
        Some(g) => p.scopes.iter().all(|s| g.scopes.contains(s)),
        None => false,
    };
    let needs_consent = !client.client.first_party && !p.consented && (p.prompt.consent || !remembered);
    if needs_consent {
        if p.prompt.none {
            return error_redirect(
                state,
                p,
                "consent_required",
                "the person has not allowed this app yet (prompt=none)",
            );
        }
        return Ok(Next::Consent);
    }
    code_redirect(state, client, p, signed_in).await
}

/// Ends the pending request with a code for the app, and the redirect that carries it
/// (RFC 6749 §4.1.2, with `iss` per RFC 9207).
async fn code_redirect(
    state: &AppState,
    client: &ClientConfig,
    p: &PendingAuthorization,
    signed_in: &SignedIn,
) -> Result<Next, AppError> {
    let code = tessera_oidc::random_token();
    let stored = StoredCode {
        digest: secret_token::digest(&code),
        redirect_uri: p.redirect_uri.clone(),
        nonce: p.nonce.clone(),
        code_challenge: p.code_challenge.clone(),
        authorization: Authorization {
            client_id: client.client.id.clone(),
            user_id: signed_in.user.id,
            scopes: p.scopes.clone(),
            auth_time: signed_in.session.auth_time,
            sid: sid_of(&signed_in.session.id_digest),
            amr: signed_in.session.amr.split_whitespace().map(str::to_owned).collect(),
        },
        expires_at: OffsetDateTime::now_utc() + state.config.oidc.code_ttl,
    };
    if !state.store.issue_code(&p.id, &stored).await? {
        // A concurrent continuation of the same request already got its code.
        return Err(AppError::BadRequest(
            "This sign-in request was already completed (in another tab or by a double click). Return to the app."
                .into(),
        ));
    }
    let url =
        tessera_oidc::authorization_response(&p.redirect_uri, &code, p.state.as_deref(), state.config.issuer_str())
            .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(Next::Redirect(url))
}
