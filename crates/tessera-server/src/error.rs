//! The one place errors become HTTP.
//!
//! Handlers return `Result<_, AppError>`. An `AppError` turns into a status code plus an
//! [`ErrorPage`] marker (an OAuth error straight into its RFC 6749 §5.2 JSON, with the
//! status and challenge derived here from its code). Which router a route is on decides the
//! rest: the page router's middleware renders the marker as the themed HTML page, the API
//! router's as JSON ([`api_error_json`]). Internal causes are logged with the request's id
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
    /// An upstream sign-in (Twitter, an OIDC provider, …) failed; `label` names the provider.
    Upstream {
        label: String,
        error: tessera_upstream::UpstreamError,
    },
    /// Too many attempts or requests (`security.throttle`): 429 with `Retry-After` (RFC 6585
    /// §4, RFC 9110 §10.2.3), as a page or as JSON like every other error.
    Throttled {
        retry_after_seconds: u64,
    },
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
            StoreError::NotFound(_) => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<crate::accounts::AccountError> for AppError {
    fn from(e: crate::accounts::AccountError) -> Self {
        use crate::accounts::AccountError;
        match e {
            AccountError::Store(e) => e.into(),
            AccountError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<tessera_oidc::provider::ProviderError> for AppError {
    fn from(e: tessera_oidc::provider::ProviderError) -> Self {
        use tessera_oidc::provider::ProviderError;
        match e {
            ProviderError::OAuth(e) | ProviderError::RefreshTokenReused(e) => Self::OAuth(e),
            ProviderError::Store(e) => e.into(),
            ProviderError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        Self::Internal(format!("template error: {e:#}"))
    }
}

/// The HTTP status an OAuth error code answers with (RFC 6749 §5.2: 400, or 401 for
/// `invalid_client`; RFC 6750 §3.1: 401 for `invalid_token`, 403 for `insufficient_scope`).
pub fn oauth_status(e: &tessera_oidc::OAuthError) -> StatusCode {
    match e.error {
        "invalid_client" | "invalid_token" => StatusCode::UNAUTHORIZED,
        "insufficient_scope" => StatusCode::FORBIDDEN,
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The `WWW-Authenticate` challenge an OAuth error is due (RFC 6749 §5.2, RFC 6750 §3).
pub fn oauth_challenge(e: &tessera_oidc::OAuthError) -> Option<String> {
    use tessera_oidc::Challenge;
    Some(match e.challenge? {
        Challenge::Basic => r#"Basic realm="tessera""#.to_owned(),
        Challenge::BearerWithoutError => r#"Bearer realm="tessera""#.to_owned(),
        // The description is already restricted to characters that are safe in quotes.
        Challenge::Bearer => format!(
            r#"Bearer realm="tessera", error="{}", error_description="{}""#,
            e.error, e.description
        ),
    })
}

/// The JSON error of the token, userinfo, introspection and revocation endpoints.
pub fn oauth_response(e: &tessera_oidc::OAuthError) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = (oauth_status(e), axum::Json(e.to_json())).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(challenge) = oauth_challenge(e).and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

/// The RFC 6749 §5.2-style JSON an API route answers for an error that is not an OAuth
/// error (the page routes render [`ErrorPage`] as HTML instead).
pub fn api_error_json(status: StatusCode, page: &ErrorPage) -> Response {
    use axum::http::{HeaderValue, header};
    let error = match status {
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => "temporarily_unavailable",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::BAD_REQUEST | StatusCode::METHOD_NOT_ALLOWED => "invalid_request",
        _ => "server_error",
    };
    let description = tessera_oidc::OAuthError::invalid_request(page.message.clone()).description;
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut json = (status, axum::Json(body)).into_response();
    json.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    json
}

/// The error's own headers (`Retry-After`) on the page or JSON that replaces its body.
pub fn with_error_headers(error: &Response, mut rendered: Response) -> Response {
    use axum::http::header::RETRY_AFTER;
    if let Some(wait) = error.headers().get(RETRY_AFTER) {
        rendered.headers_mut().insert(RETRY_AFTER, wait.clone());
    }
    rendered
}

/// What the person is told when an upstream sign-in fails: a cancelled one changes nothing,
/// a provider that does not answer is 502 (their side), anything else a refusal.
fn upstream_failure(label: &str, e: tessera_upstream::UpstreamError) -> (StatusCode, String, String) {
    use tessera_upstream::UpstreamError;
    let title = tr!("error-upstream-title");
    match e {
        UpstreamError::Cancelled => (
            StatusCode::BAD_REQUEST,
            title,
            tr!("error-upstream-cancelled", provider = label),
        ),
        UpstreamError::Api(why) => {
            tracing::warn!(%why, upstream = label, "upstream unavailable");
            (
                StatusCode::BAD_GATEWAY,
                title,
                tr!("error-upstream-unavailable", provider = label),
            )
        }
        other => {
            tracing::warn!(error = %other, upstream = label, "upstream login failed");
            (
                StatusCode::BAD_REQUEST,
                title,
                tr!("error-upstream-refused", provider = label, reason = other.to_string()),
            )
        }
    }
}

/// What the error page shows; inserted into the response for the middleware to render.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
    /// Where the page's one link leads (`href`, text).
    pub link: Option<(&'static str, String)>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut link = None;
        let (status, title, message) = match self {
            Self::OAuth(e) => return oauth_response(&e),
            Self::NeedsLogin { next } => {
                let location = format!("/login?next={}", urlencoding::encode(&next));
                return (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, location)]).into_response();
            }
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, tr!("error-bad-request-title"), message),
            Self::Upstream { label, error } => {
                link = Some(("/login", tr!("error-back-to-login")));
                upstream_failure(&label, error)
            }
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, tr!("error-forbidden-title"), message),
            Self::Csrf => (StatusCode::FORBIDDEN, tr!("error-csrf-title"), tr!("error-csrf")),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                tr!("error-method-title"),
                tr!("error-method"),
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                tr!("error-not-found-title"),
                tr!("error-not-found"),
            ),
            Self::Throttled { retry_after_seconds } => {
                let message = crate::throttle::too_many_text(retry_after_seconds);
                let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, retry_after_seconds.into());
                let title = tr!("error-throttled-title");
                response.extensions_mut().insert(ErrorPage { title, message, link });
                return response;
            }
            Self::Unavailable(cause) => {
                tracing::warn!(%cause, "dependency unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    tr!("error-unavailable-title"),
                    tr!("error-unavailable"),
                )
            }
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    tr!("error-internal-title"),
                    tr!("error-internal"),
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage { title, message, link });
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_oidc::OAuthError;

    fn answer(e: &OAuthError) -> (StatusCode, Option<String>) {
        let r = oauth_response(e);
        let challenge = r
            .headers()
            .get(axum::http::header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        (r.status(), challenge)
    }

    #[test]
    fn oauth_errors_answer_with_the_rfc_status_and_challenge() {
        let basic = Some(r#"Basic realm="tessera""#.to_owned());
        assert_eq!(
            answer(&OAuthError::invalid_client_basic("x")),
            (StatusCode::UNAUTHORIZED, basic)
        );
        assert_eq!(
            answer(&OAuthError::invalid_client("x")),
            (StatusCode::UNAUTHORIZED, None)
        );
        assert_eq!(answer(&OAuthError::invalid_grant("x")), (StatusCode::BAD_REQUEST, None));
        assert_eq!(
            answer(&OAuthError::invalid_request("x")),
            (StatusCode::BAD_REQUEST, None)
        );
        assert_eq!(
            answer(&OAuthError::unsupported_grant_type("x")),
            (StatusCode::BAD_REQUEST, None)
        );
        assert_eq!(
            answer(&OAuthError::invalid_token("a\"b")),
            (
                StatusCode::UNAUTHORIZED,
                Some(r#"Bearer realm="tessera", error="invalid_token", error_description="a'b""#.to_owned())
            )
        );
        assert_eq!(
            answer(&OAuthError::missing_token("x")),
            (StatusCode::UNAUTHORIZED, Some(r#"Bearer realm="tessera""#.to_owned()))
        );
        assert_eq!(answer(&OAuthError::insufficient_scope("x")).0, StatusCode::FORBIDDEN);
        assert_eq!(
            answer(&OAuthError::server_error("x")).0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn a_throttled_request_says_when_to_retry_as_a_page_and_as_json() {
        use axum::http::header::RETRY_AFTER;
        let error = AppError::Throttled {
            retry_after_seconds: 90,
        }
        .into_response();
        assert_eq!(error.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(error.headers()[RETRY_AFTER], "90");
        let page = error.extensions().get::<ErrorPage>().expect("a page").clone();
        assert_eq!(page.message, "Too many attempts. Try again in 90 seconds.");
        let json = with_error_headers(&error, api_error_json(error.status(), &page));
        assert_eq!(json.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(json.headers()[RETRY_AFTER], "90");
    }

    #[test]
    fn a_missing_row_is_not_found() {
        let e: AppError = StoreError::NotFound("user").into();
        assert_eq!(e.into_response().status(), StatusCode::NOT_FOUND);
    }
}
