//! Sending a request to an upstream and sorting its answer into
//! [`UpstreamError`]s: unreachable or 5xx is `Api`, 4xx is `Refused`, a body
//! that does not parse is `Protocol`. Messages name the step, never a secret.

use std::future::Future;
use std::pin::Pin;

use reqwest::{Client, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::UpstreamError;

/// Sends `request` for `step` (e.g. "twitter request_token") and returns
/// the body of a 2xx answer.
pub(crate) async fn send(step: &str, request: RequestBuilder) -> Result<Vec<u8>, UpstreamError> {
    let response = request
        .send()
        .await
        .map_err(|e| UpstreamError::Api(format!("{step}: {}", transport_reason(&e))))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| UpstreamError::Api(format!("{step}: {}", transport_reason(&e))))?;
    if status.is_success() {
        return Ok(body.to_vec());
    }
    Err(status_error(step, status, &body))
}

/// `openidconnect`'s HTTP client (its `AsyncHttpClient`) over the connector's
/// `reqwest::Client`, for one `step`: a 2xx answer goes to openidconnect to parse;
/// anything else becomes the same [`UpstreamError`] as [`send`] gives (unreachable or
/// 5xx: `Api`; 4xx: `Refused` with the OAuth error code), which openidconnect hands back
/// as its `Request` error.
pub(crate) struct OidcHttp<'a> {
    pub client: &'a Client,
    pub step: &'a str,
}

impl<'c> openidconnect::AsyncHttpClient<'c> for OidcHttp<'_> {
    type Error = UpstreamError;
    type Future = Pin<Box<dyn Future<Output = Result<openidconnect::HttpResponse, UpstreamError>> + Send + 'c>>;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let request = self
                .client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body);
            let response = request
                .send()
                .await
                .map_err(|e| UpstreamError::Api(format!("{}: {}", self.step, transport_reason(&e))))?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(|e| UpstreamError::Api(format!("{}: {}", self.step, transport_reason(&e))))?;
            if !status.is_success() {
                return Err(status_error(self.step, status, &body));
            }
            let mut answer = openidconnect::http::Response::new(body.to_vec());
            *answer.status_mut() = status;
            *answer.headers_mut() = headers;
            Ok(answer)
        })
    }
}

/// Sends `request` and parses a JSON answer.
pub(crate) async fn send_json<T: DeserializeOwned>(step: &str, request: RequestBuilder) -> Result<T, UpstreamError> {
    let body = send(step, request).await?;
    parse_json(step, &body)
}

pub(crate) fn parse_json<T: DeserializeOwned>(step: &str, body: &[u8]) -> Result<T, UpstreamError> {
    serde_json::from_slice(body).map_err(|_| UpstreamError::protocol(format!("{step}: invalid JSON")))
}

/// Parses an `application/x-www-form-urlencoded` answer (OAuth 1.0a token
/// responses, RFC 5849 §2.1).
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn transport_reason(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    }
}

/// 5xx: the upstream is broken (retry later). 4xx: it refused us; the OAuth
/// error code (RFC 6749 §5.2) or Graph API error type is kept when short,
/// as it is the useful part and carries no secret.
fn status_error(step: &str, status: StatusCode, body: &[u8]) -> UpstreamError {
    if status.is_server_error() {
        return UpstreamError::Api(format!("{step}: HTTP {}", status.as_u16()));
    }
    let code = serde_json::from_slice::<serde_json::Value>(body).ok().and_then(|v| {
        let code = v
            .get("error")
            .and_then(|e| e.as_str().or_else(|| e.get("type").and_then(|t| t.as_str())));
        code.filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_owned)
    });
    match code {
        Some(code) => UpstreamError::Refused(format!("{step}: HTTP {} ({code})", status.as_u16())),
        None => UpstreamError::Refused(format!("{step}: HTTP {}", status.as_u16())),
    }
}
