//! The start of an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2): validated,
//! then kept server-side as a pending request bound to the browser until a login and consent
//! let [`Provider::next_step`] end it.

use url::Url;

use super::{Provider, ProviderError, ProviderResult};
use crate::authorize::{AuthorizeOutcome, AuthorizeRequest};
use crate::storage::{PendingAuthorization, PromptFlags};

/// What a new authorization request becomes.
#[derive(Debug)]
pub enum Started {
    /// The client or redirect URI is unknown: show the error, never redirect (RFC 6749
    /// §4.1.2.1).
    ShowError { description: String },
    /// Back to the app with an error.
    Redirect(Url),
    /// A pending request, to continue at `/authorize/continue?id=…`.
    Pending { id: String },
}

/// The browser a request comes from.
#[derive(Debug, Clone, Copy)]
pub struct Browser<'a> {
    /// The value binding the pending request to this browser (its CSRF cookie).
    pub binding: &'a str,
    /// The digest of the Tessera session signed in now, if any.
    pub session: Option<&'a str>,
}

impl Provider {
    /// Validates the request's parameters and stores it as pending for `browser`.
    pub async fn start_authorization(
        &self,
        params: &[(String, String)],
        browser: Browser<'_>,
    ) -> ProviderResult<Started> {
        let request = match crate::parse_authorize(params, |id| self.client(id).map(|c| &c.client)) {
            AuthorizeOutcome::ShowError { description } => return Ok(Started::ShowError { description }),
            AuthorizeOutcome::RedirectError {
                redirect_uri,
                error,
                description,
                state,
            } => {
                let url = crate::error_response(&redirect_uri, error, &description, state.as_deref(), &self.issuer);
                return Ok(Started::Redirect(url));
            }
            AuthorizeOutcome::Valid(request) => request,
        };
        let hint_subject = match self.hint_subject(&request).await? {
            Ok(subject) => subject,
            Err(redirect) => return Ok(Started::Redirect(redirect)),
        };
        let session_at_start = browser.session.filter(|_| request.prompt.login).map(str::to_owned);
        let pending = self.pending(request, browser.binding.to_owned(), hint_subject, session_at_start);
        self.store.create_pending(&pending).await?;
        Ok(Started::Pending { id: pending.id })
    }

    /// The `sub` an `id_token_hint` names: it must be an ID token of ours for this client (an
    /// access token is no hint); otherwise the error redirect to send the browser back with.
    async fn hint_subject(&self, request: &AuthorizeRequest) -> ProviderResult<Result<Option<String>, Url>> {
        let Some(hint) = &request.id_token_hint else {
            return Ok(Ok(None));
        };
        match self.id_token_hint(hint).await? {
            Some(claims) if claims.aud == request.client_id => Ok(Ok(Some(claims.sub))),
            _ => {
                let uri = Url::parse(&request.redirect_uri).map_err(|e| ProviderError::Internal(e.to_string()))?;
                Ok(Err(crate::error_response(
                    &uri,
                    "invalid_request",
                    "id_token_hint is not an ID token issued by this server",
                    request.state.as_deref(),
                    &self.issuer,
                )))
            }
        }
    }

    /// The pending sign-in a valid request becomes, bound to this browser.
    fn pending(
        &self,
        request: AuthorizeRequest,
        browser: String,
        hint_subject: Option<String>,
        session_at_start: Option<String>,
    ) -> PendingAuthorization {
        let now = self.now();
        PendingAuthorization {
            id: tessera_core::secret_token::generate(),
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
            acr_values: request.acr_values,
            login_hint: request.login_hint,
            hint_subject,
            session_at_start,
            consented: false,
            created_at: now,
            expires_at: now + self.lifetimes.authorization_ttl,
        }
    }
}
