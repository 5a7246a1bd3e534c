//! CSRF protection for every form: signed double-submit (OWASP CSRF Cheat Sheet).
//!
//! Each browser gets a random `tessera_csrf` cookie (HttpOnly, SameSite=Lax). Forms carry
//! `HMAC-SHA256(key, cookie)`; a POST is accepted only when the field matches the MAC of the
//! cookie it arrived with, compared in constant time. Another site can neither read the
//! cookie nor compute the MAC, and the MAC key comes from the master key.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use tessera_core::secret_token;

use crate::error::AppError;
use crate::session::read_cookie;
use crate::state::AppState;

/// The browser's CSRF cookie value, available to handlers as an extractor.
#[derive(Clone, Debug)]
pub struct CsrfCookie(String);

impl CsrfCookie {
    /// The value to put in the form's hidden `csrf` field.
    pub fn form_token(&self, state: &AppState) -> String {
        mac(&state.csrf_key, &self.0)
    }

    /// A stable, non-secret name for this browser, to bind pending sign-ins to it.
    pub fn browser_binding(&self) -> String {
        secret_token::digest(&self.0)
    }

    /// Rejects the request unless `submitted` is this browser's form token.
    pub fn verify(&self, state: &AppState, submitted: &str) -> Result<(), AppError> {
        let expected = mac(&state.csrf_key, &self.0);
        if secret_token::constant_time_eq(expected.as_bytes(), submitted.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

fn mac(key: &[u8; 32], cookie: &str) -> String {
    secret_token::base64url(&secret_token::hmac_sha256(key, cookie.as_bytes()))
}

/// On https the `__Host-` prefix stops a sibling subdomain from planting its own cookie
/// (RFC 6265bis §4.1.3.2), which would otherwise defeat double-submit.
fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-tessera_csrf"
    } else {
        "tessera_csrf"
    }
}

/// Gives every browser a CSRF cookie on its first request, so the first page can embed a token.
pub async fn ensure_cookie(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let existing = read_cookie(request.headers().get_all(COOKIE), cookie_name(&state)).filter(|v| v.len() == 43);
    let (cookie, fresh) = match existing {
        Some(value) => (value, false),
        None => (secret_token::generate(), true),
    };
    request.extensions_mut().insert(CsrfCookie(cookie.clone()));
    let mut response = next.run(request).await;
    if fresh {
        let header = crate::cookies::set(&state, cookie_name(&state), &cookie, "/", None);
        if let Ok(value) = HeaderValue::from_str(&header) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfCookie {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CsrfCookie>().cloned().ok_or(AppError::Csrf)
    }
}
