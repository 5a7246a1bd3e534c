//! Routes, one module per page. Handlers stay short: extract, check CSRF, call the store or a
//! service, render.

mod account;
mod email_confirm;
mod health;
mod login;
mod logout;
mod oidc;
mod password_reset;
mod register;
mod remote_auth;
mod upstream;

use crate::templates::ser;
use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::{Value, context};
use serde::de::DeserializeOwned;

use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::state::AppState;

/// Pages for people in a browser: their errors render as the themed HTML page.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { axum::response::Redirect::to("/account") }))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", get(logout::show).post(logout::submit))
        .route("/register", get(register::show).post(register::submit))
        .route("/account", get(account::show).post(account::update))
        .route(
            "/password/change",
            get(account::show_password_change).post(account::change_password),
        )
        .route(
            "/password/reset",
            get(password_reset::show_request).post(password_reset::request),
        )
        .route(
            "/password/reset/{token}",
            get(password_reset::show_form).post(password_reset::reset),
        )
        .route("/email/confirm/{token}", get(email_confirm::confirm))
        .route("/email/confirm/resend", axum::routing::post(email_confirm::resend))
        .route("/email/undo/{token}", get(email_confirm::undo_change))
        .route(
            "/account/email/cancel",
            axum::routing::post(account::cancel_email_change),
        )
        .route("/admin/users", get(account::admin_users))
        .route("/remote-auth/{target}", get(remote_auth::start))
        .route("/remote-auth/{target}/logout", get(remote_auth::logout))
        .route(
            "/authorize",
            get(oidc::authorize::authorize).post(oidc::authorize::authorize),
        )
        .route("/authorize/continue", get(oidc::authorize::resume))
        .route("/consent", get(oidc::consent::show).post(oidc::consent::decide))
        .route("/account/apps/revoke", axum::routing::post(account::revoke_app))
        .route("/account/connect/{upstream}", axum::routing::post(upstream::connect))
        .route("/account/disconnect", axum::routing::post(upstream::disconnect))
        .route("/login/{upstream}", get(upstream::start))
        .route("/login/{upstream}/callback", get(upstream::callback))
}

/// Endpoints that apps and load balancers call: their errors are RFC 6749 §5.2-style JSON,
/// never a page.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/.well-known/openid-configuration", get(oidc::discovery::configuration))
        .route("/jwks", get(oidc::discovery::jwks))
        .route("/token", axum::routing::post(oidc::token::token))
        .route(
            "/userinfo",
            get(oidc::userinfo::userinfo).post(oidc::userinfo::userinfo),
        )
        .route("/api/contacts", get(oidc::userinfo::contacts))
        .route("/introspect", axum::routing::post(oidc::introspect::introspect))
        .route("/revoke", axum::routing::post(oidc::revoke::revoke))
}

/// The metrics listener's only route. It is not on the main port: the job counters move
/// only when a mail goes to an existing account, so a public `/metrics` would tell who has one.
pub fn metrics_routes() -> Router<AppState> {
    Router::new().route("/metrics", get(health::metrics))
}

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
            return Err(AppError::BadRequest(
                "Send this form as application/x-www-form-urlencoded (a normal HTML form).".into(),
            ));
        }
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("The form could not be read ({}).", e.body_text())))?;
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
            .map_err(|e| {
                AppError::BadRequest(format!(
                    "The form could not be read ({e}). Reload the page and try again."
                ))
            })
    }
}

/// Renders a page with the values every page needs (the signed-in user, the CSRF token).
pub fn page(
    state: &AppState,
    csrf: &CsrfCookie,
    user: Option<&tessera_core::User>,
    name: &str,
    extra: Value,
) -> Result<Html<String>, AppError> {
    let base = context! { csrf => csrf.form_token(state), user => ser(user) };
    state.templates.page(name, context! { ..extra, ..base })
}

/// A form shown again with what went wrong; the status says why it was not accepted.
pub fn rejected(status: StatusCode, page: Result<Html<String>, AppError>) -> Result<Response, AppError> {
    page.map(|html| (status, html).into_response())
}

/// A short message page (e.g. "check your mail").
pub fn message(
    state: &AppState,
    status: StatusCode,
    title: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> Result<Response, AppError> {
    let html = state.templates.page(
        "message.html",
        context! {
            title, message, is_error => !status.is_success(),
            link => link.map(|(href, text)| context! { href, text }),
        },
    )?;
    Ok((status, html).into_response())
}

/// A form whose only field is the CSRF token (which [`Form`] checks).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// Fields longer than this are refused before anything else looks at them.
pub const MAX_FIELD: usize = 1024;

pub fn too_long(fields: &[&str]) -> bool {
    fields.iter().any(|f| f.len() > MAX_FIELD)
}
