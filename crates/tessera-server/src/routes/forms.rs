//! What every form handler shares: the CSRF-checked form extractor, field limits, and the
//! new-password check.

use axum::extract::{FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tessera_core::User;

use crate::accounts::{Phrased, passwords_differ};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::state::AppState;

/// A POST form (`application/x-www-form-urlencoded`), CSRF-checked before anything else:
/// a handler that takes `Form<T>` cannot forget the check. A missing or wrong token is a 403
/// page; a malformed body a clear 400, never axum's plain-text rejection.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie = req.extensions().get::<CsrfCookie>().cloned();
        let is_form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::BadRequest(tr!("form-wrong-type")));
        }
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(tr!("form-unreadable", reason = e.body_text())))?;
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
        let submitted = fields.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
        cookie.ok_or(AppError::Csrf)?.verify(state, submitted)?;
        let object: serde_json::Map<String, serde_json::Value> = fields
            .into_iter()
            .filter(|(k, _)| k != "csrf")
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        serde_json::from_value(serde_json::Value::Object(object))
            .map(Form)
            .map_err(|e| AppError::BadRequest(tr!("form-unreadable", reason = e.to_string())))
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
    /// Show the form even to a signed-in person (an app asked for a fresh login).
    pub reauth: Option<String>,
    /// Prefills the username field (OIDC `login_hint`).
    pub login_hint: Option<String>,
}

/// A form whose only field is the CSRF token (which [`Form`] checks).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// Fields longer than this are refused before anything else looks at them.
const MAX_FIELD: usize = 1024;

pub fn too_long(fields: &[&str]) -> bool {
    fields.iter().any(|f| f.len() > MAX_FIELD)
}

/// The policy plus "typed twice the same", shared by the change and reset forms.
pub fn new_password_problem(state: &AppState, user: &User, password: &str, again: &str) -> Result<(), String> {
    state
        .config
        .password_policy
        .check(password, &user.username, user.email.as_deref())
        .map_err(|w| w.phrased())?;
    if password != again {
        return Err(passwords_differ());
    }
    Ok(())
}
