//! The one place sandbox failures become HTTP responses: API errors as
//! JSON `{"error", "error_description"}` (RFC 6749 §5.2 shape), page errors
//! as a small HTML page. Handlers never panic on what a client sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::pages::escape;

/// An API error: status, OAuth-style code, description.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
}

impl ApiError {
    pub fn bad_request(code: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            description: description.into(),
        }
    }

    pub fn unauthorized(description: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "invalid_token",
            description: description.into(),
        }
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "invalid_client",
            description: description.into(),
        }
    }

    pub fn forbidden(description: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "insufficient_scope",
            description: description.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// An error on a browser page: rendered, never redirected (the redirect
/// target itself may be what is wrong, RFC 6749 §4.1.2.1).
#[derive(Debug)]
pub(crate) struct PageError(pub String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let html = format!(
            "<!doctype html><title>Sandbox error</title><h1>Sandbox: bad request</h1><p class=\"error\">{}</p>",
            escape(&self.0)
        );
        (StatusCode::BAD_REQUEST, Html(html)).into_response()
    }
}
