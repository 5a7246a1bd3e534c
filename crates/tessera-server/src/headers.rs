//! Security headers on every response, pages and API alike (OWASP ASVS 4.0.3 V14.4; OWASP
//! Secure Headers). A handler that needs another value sets its own, which is kept.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style anywhere (the pages use `/static/…` files only), no plugins, no
/// `<base>` rewriting, and no framing (clickjacking, ASVS V14.4.7). `form-action` is left out
/// on purpose: signing in ends in a redirect to the app (and the helpdesk hand-off posts to the
/// helpdesk), which browsers check against `form-action` too.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Powerful browser features no Tessera page uses (W3C Permissions Policy).
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()";

/// HSTS for an https issuer (RFC 6797): one year. Not `includeSubDomains`: other hosts of the
/// domain are not Tessera's to decide.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// The headers every response carries unless its handler set them.
const ALWAYS: [(HeaderName, &str); 7] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    // Legacy browsers without CSP level 2 frame-ancestors (ASVS V14.4.7).
    (header::X_FRAME_OPTIONS, "DENY"),
    // ASVS V14.4.4.
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // ASVS V14.4.6: no URL (with its codes or tokens) leaks to another site in a Referer.
    (header::REFERRER_POLICY, "no-referrer"),
    (HeaderName::from_static("permissions-policy"), PERMISSIONS_POLICY),
    // No window another site opened keeps a handle on ours (cross-origin isolation).
    (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    // Personal data and tokens are never cached (RFC 6749 §5.1, ASVS V8.2.1); discovery, the
    // JWKS and the static files set their own caching.
    (header::CACHE_CONTROL, "no-store"),
];

/// Whether the issuer is https, so HSTS is sent; the layer's state.
#[derive(Clone, Copy)]
pub struct Https(pub bool);

pub async fn security_headers(State(Https(https)): State<Https>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in ALWAYS {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    response
}
