//! The one place errors become HTTP.
//!
//! Handlers return `Result<_, AppError>`. An `AppError` turns into a status code plus an
//! [`ErrorPage`] marker; the `render_error_pages` middleware (which has the templates) turns
//! that marker into the themed HTML page. Internal causes are logged with the request's id
//! and never shown: the person sees a safe sentence that says what to do next.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tessera_core::store::StoreError;

#[derive(Debug)]
pub enum AppError {
    BadRequest(String),
    /// The person is signed in but may not do this.
    Forbidden(String),
    /// The form's CSRF token was missing or wrong.
    Csrf,
    NotFound,
    MethodNotAllowed,
    /// The page needs a signed-in person: go to the login page and come back to `next`.
    NeedsLogin {
        next: String,
    },
    /// An OAuth 2.0 error for an API endpoint: JSON body (RFC 6749 §5.2), not a page.
    OAuth(tessera_oidc::OAuthError),
    /// The database (or another dependency) is unreachable right now.
    Unavailable(String),
    Internal(String),
}

impl AppError {
    pub fn internal(cause: impl Into<String>) -> Self {
        Self::Internal(cause.into())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
            StoreError::NotFound(what) => Self::BadRequest(format!("no such {what}")),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        Self::Internal(format!("template error: {e:#}"))
    }
}

/// The JSON error of the token, userinfo, introspection and revocation endpoints.
pub fn oauth_response(e: &tessera_oidc::OAuthError) -> Response {
    use axum::http::{HeaderValue, header};
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, axum::Json(e.to_json())).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(challenge) = e
        .www_authenticate
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        headers.insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

/// What the error page shows; inserted into the response for the middleware to render.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            Self::OAuth(e) => return oauth_response(&e),
            Self::NeedsLogin { next } => {
                let location = format!("/login?next={}", urlencoding::encode(&next));
                return (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, location)]).into_response();
            }
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, "That did not work", message),
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, "Not allowed", message),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was missing its security token or came from another site. \
                 Go back, reload the page and try again."
                    .to_owned(),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Not possible here",
                "This address does not accept that kind of request.".to_owned(),
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address.".to_owned(),
            ),
            Self::Unavailable(cause) => {
                tracing::warn!(%cause, "dependency unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    "Tessera cannot reach its database right now. Nothing was changed; please try again in a moment."
                        .to_owned(),
                )
            }
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "An unexpected error happened on our side and was logged. Please try again.".to_owned(),
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage { title, message });
        response
    }
}
