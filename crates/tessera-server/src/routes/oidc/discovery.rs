//! The discovery document (OIDC Discovery §4) and the JWKS (RFC 7517 §5): rendered once,
//! not per request. Discovery depends only on the configuration, so it is rendered with the
//! state; the JWKS is rendered again only when the published key set changes (a rotation).
//! Both carry a strong ETag (RFC 9110 §8.8.3), so a relying party's conditional GET is a
//! bodiless 304 (RFC 9110 §13.1.2).

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::config::{Config, KNOWN_SCOPES};
use crate::error::AppError;
use crate::state::AppState;

/// A JSON document's bytes and their ETag.
pub struct Rendered {
    body: Bytes,
    etag: HeaderValue,
}

impl Rendered {
    fn of(value: &serde_json::Value) -> Self {
        let body = value.to_string();
        let digest = tessera_core::secret_token::digest(&body);
        let etag = HeaderValue::from_str(&format!("\"{}\"", &digest[..22])).expect("base64url is a valid header value");
        Self {
            body: Bytes::from(body),
            etag,
        }
    }

    fn respond(&self, request: &HeaderMap) -> Response {
        let status = if matches_etag(request, &self.etag) {
            StatusCode::NOT_MODIFIED
        } else {
            StatusCode::OK
        };
        let headers = [
            (header::ETAG, self.etag.clone()),
            // Short, so a rotation's new key reaches relying parties well within key_publish_before.
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
        ];
        if status == StatusCode::NOT_MODIFIED {
            return (status, headers).into_response();
        }
        let json = [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))];
        (status, headers, json, self.body.clone()).into_response()
    }
}

/// `If-None-Match` names this ETag or is `*` (weak comparison, RFC 9110 §13.1.2).
fn matches_etag(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let etag = etag.as_bytes();
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == etag)
}

/// The two documents of one configuration.
pub struct Documents {
    discovery: Rendered,
    /// The JWKS and the key ids it was rendered from.
    jwks: Mutex<Option<(Vec<String>, Arc<Rendered>)>>,
}

impl Documents {
    pub fn new(config: &Config) -> Self {
        let scopes: Vec<String> = KNOWN_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        let acr = [
            config.mfa.acr.single_factor.as_str(),
            config.mfa.acr.multi_factor.as_str(),
        ];
        let metadata =
            tessera_oidc::provider_metadata(config.issuer_str(), &crate::oidc::algorithms(config), &scopes, &acr);
        Self {
            discovery: Rendered::of(&metadata),
            jwks: Mutex::new(None),
        }
    }
}

pub async fn configuration(State(state): State<AppState>, request: HeaderMap) -> Response {
    state.documents.discovery.respond(&request)
}

pub async fn jwks(State(state): State<AppState>, request: HeaderMap) -> Result<Response, AppError> {
    // The key ring's own cache answers this without the database almost always.
    let keys = state.provider.keys().published().await?;
    let mut cached = state.documents.jwks.lock().unwrap_or_else(PoisonError::into_inner);
    let rendered = match cached.as_ref() {
        Some((kids, rendered)) if kids.iter().map(String::as_str).eq(keys.iter().map(|k| k.kid())) => rendered.clone(),
        _ => {
            let refs: Vec<_> = keys.iter().collect();
            let rendered = Arc::new(Rendered::of(&tessera_oidc::jwks(&refs)));
            let kids = keys.iter().map(|k| k.kid().to_owned()).collect();
            *cached = Some((kids, rendered.clone()));
            rendered
        }
    };
    drop(cached);
    Ok(rendered.respond(&request))
}
