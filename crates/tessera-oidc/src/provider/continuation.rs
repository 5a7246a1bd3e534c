//! The one place that decides what happens next for a pending authorization. Every
//! interactive step (login, consent) records its result and comes back to
//! `/authorize/continue`, which calls [`Provider::next_step`]; steps never call each other.

use tessera_core::UserId;
use tessera_core::secret_token;
use time::OffsetDateTime;
use url::Url;

use super::{Provider, ProviderError, ProviderResult, RegisteredClient, sid_of};
use crate::storage::{Authorization, PendingAuthorization, StoredCode};

/// Who is signed in to Tessera in this browser, as the provider needs it.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub user: UserId,
    /// The session's stored digest (its `sid` is derived from it).
    pub session_digest: &'a str,
    /// When the person last authenticated (OIDC Core §2 `auth_time`).
    pub auth_time: OffsetDateTime,
    /// Authentication methods, space-separated RFC 8176 values.
    pub amr: &'a str,
    /// Tessera's policy (`security.mfa`, the person's groups) wants a second factor of them
    /// wherever they sign in.
    pub policy_wants_mfa: bool,
}

impl Person<'_> {
    /// Whether the session's sign-in used a second factor.
    fn used_mfa(&self) -> bool {
        self.amr.split_whitespace().any(|m| m == "mfa")
    }
}

/// What the browser does next.
#[derive(Debug)]
pub enum Next {
    /// Send the person to the login page; `again` when a session exists but is not enough
    /// (`prompt=login`, `max_age`, or another person than `id_token_hint` names).
    Login {
        again: bool,
    },
    /// The session is fresh enough but signed in with one factor, and the client, the app's
    /// `acr_values` or Tessera's policy wants a second: step up (or enroll one).
    SecondFactor,
    Consent,
    /// Back to the app: with a code, or with an error (`login_required`, …).
    Redirect(Url),
    /// The request already ended with a code (another tab, a double click).
    AlreadyCompleted,
}

impl Provider {
    /// Decides the next step of pending request `p` of `client` for the person signed in.
    pub async fn next_step(
        &self,
        client: &RegisteredClient,
        p: &PendingAuthorization,
        person: Option<Person<'_>>,
    ) -> ProviderResult<Next> {
        let Some(person) = person.filter(|s| self.fresh_enough(p, s)) else {
            if p.prompt.none {
                return self.error_redirect(
                    p,
                    "login_required",
                    "the person is not signed in to Tessera (prompt=none)",
                );
            }
            return Ok(Next::Login {
                again: person.is_some(),
            });
        };
        if self.wants_mfa(client, p, &person) && !person.used_mfa() {
            if p.prompt.none {
                // OIDC Core §3.1.2.6: the step-up needs the person.
                return self.error_redirect(
                    p,
                    "interaction_required",
                    "this sign-in needs a second factor (prompt=none)",
                );
            }
            return Ok(Next::SecondFactor);
        }
        let remembered = match self.store.grant(person.user, &client.client.id).await? {
            Some(g) => p.scopes.iter().all(|s| g.scopes.contains(s)),
            None => false,
        };
        let needs_consent = !client.client.first_party && !p.consented && (p.prompt.consent || !remembered);
        if needs_consent {
            if p.prompt.none {
                return self.error_redirect(
                    p,
                    "consent_required",
                    "the person has not allowed this app yet (prompt=none)",
                );
            }
            return Ok(Next::Consent);
        }
        self.code_redirect(client, p, person).await
    }

    /// The person declined (OIDC Core §3.1.2.6, `access_denied`): the request ends and the
    /// app is told so.
    pub async fn decline(&self, p: &PendingAuthorization) -> ProviderResult<Url> {
        self.store.delete_pending(&p.id).await?;
        self.error_url(p, "access_denied", "the person declined")
    }

    /// The person allowed the request's scopes: remembered together with those allowed
    /// before (so consent is not asked again for them), and the request marked consented.
    pub async fn consent(&self, p: &PendingAuthorization, user: UserId) -> ProviderResult<()> {
        let mut scopes = self
            .store
            .grant(user, &p.client_id)
            .await?
            .map(|g| g.scopes)
            .unwrap_or_default();
        for s in &p.scopes {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        self.store.save_grant(user, &p.client_id, &scopes, self.now()).await?;
        self.store.mark_consented(&p.id).await?;
        Ok(())
    }

    /// OIDC Core §3.1.2.1: prompt=login and max_age ask for a login newer than the request
    /// or than max_age seconds; id_token_hint names who the app expects.
    fn fresh_enough(&self, p: &PendingAuthorization, s: &Person<'_>) -> bool {
        let after_request = !p.prompt.login || p.session_at_start.as_deref() != Some(s.session_digest);
        let within_max_age = p
            .max_age
            .is_none_or(|max| (self.now() - s.auth_time).whole_seconds() <= max);
        let right_person = p.hint_subject.as_deref().is_none_or(|sub| sub == s.user.to_string());
        after_request && within_max_age && right_person
    }

    /// A second factor is needed when the client requires one, the app's `acr_values` ask
    /// for the multi-factor class, or Tessera's policy wants one of this person.
    fn wants_mfa(&self, client: &RegisteredClient, p: &PendingAuthorization, person: &Person<'_>) -> bool {
        client.require_mfa || person.policy_wants_mfa || self.acr.asks_for_mfa(&p.acr_values)
    }

    fn error_redirect(&self, p: &PendingAuthorization, error: &str, description: &str) -> ProviderResult<Next> {
        Ok(Next::Redirect(self.error_url(p, error, description)?))
    }

    /// The app's redirect URI with an error (RFC 6749 §4.1.2.1, with `iss` per RFC 9207).
    fn error_url(&self, p: &PendingAuthorization, error: &str, description: &str) -> ProviderResult<Url> {
        let uri = Url::parse(&p.redirect_uri).map_err(|e| ProviderError::Internal(e.to_string()))?;
        Ok(crate::error_response(
            &uri,
            error,
            description,
            p.state.as_deref(),
            &self.issuer,
        ))
    }

    /// Ends the pending request with a code for the app, and the redirect that carries it
    /// (RFC 6749 §4.1.2, with `iss` per RFC 9207).
    async fn code_redirect(
        &self,
        client: &RegisteredClient,
        p: &PendingAuthorization,
        person: Person<'_>,
    ) -> ProviderResult<Next> {
        let code = secret_token::generate();
        let stored = StoredCode {
            digest: secret_token::digest(&code),
            redirect_uri: p.redirect_uri.clone(),
            nonce: p.nonce.clone(),
            code_challenge: p.code_challenge.clone(),
            authorization: Authorization {
                client_id: client.client.id.clone(),
                user_id: person.user,
                scopes: p.scopes.clone(),
                auth_time: person.auth_time,
                sid: sid_of(person.session_digest),
                amr: person.amr.split_whitespace().map(str::to_owned).collect(),
            },
            expires_at: self.now() + self.lifetimes.code_ttl,
        };
        if !self.store.issue_code(&p.id, &stored).await? {
            // A concurrent continuation of the same request already got its code.
            return Ok(Next::AlreadyCompleted);
        }
        let url = crate::authorization_response(&p.redirect_uri, &code, p.state.as_deref(), &self.issuer)
            .map_err(|e| ProviderError::Internal(e.to_string()))?;
        Ok(Next::Redirect(url))
    }
}
