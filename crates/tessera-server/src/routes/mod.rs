//! Routes, one module per page. Handlers stay short: extract, check CSRF, call the store or a
//! service, render.

mod account;
mod assets;
mod branding;
mod email_confirm;
mod factors;
mod forms;
mod health;
mod login;
mod logout;
pub(crate) mod oidc;
mod password_reset;
mod register;
mod remote_auth;
mod second_factor;
mod self_service;
mod upstream;

use crate::templates::ser;
use axum::Router;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::{Value, context};

use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::state::AppState;

pub use forms::{Form, NextQuery, NoFields, new_password_problem, too_long};

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
        .route("/static/{name}", get(assets::asset))
        .route("/branding/colors.css", get(branding::colors))
        .route("/branding/logo", get(branding::logo))
        .route("/language", get(branding::choose_language))
        .route("/done", get(show_done))
        .route("/consent", get(oidc::consent::show).post(oidc::consent::decide))
        .route("/account/apps/revoke", axum::routing::post(account::revoke_app))
        .route("/account/connect/{upstream}", axum::routing::post(upstream::connect))
        .route("/account/disconnect", axum::routing::post(upstream::disconnect))
        .route(
            crate::sign_in::SECOND_STEP_PATH,
            get(second_factor::show).post(second_factor::submit),
        )
        .route(
            "/passkeys/sign-in/options",
            axum::routing::post(second_factor::sign_in_options),
        )
        .route("/passkeys/sign-in", axum::routing::post(second_factor::sign_in))
        .route(
            crate::sign_in::ENROLL_PATH,
            get(factors::show_totp).post(factors::confirm_totp),
        )
        .route("/account/totp/remove", axum::routing::post(factors::remove_totp))
        .route(
            "/account/recovery-codes",
            axum::routing::post(factors::regenerate_codes),
        )
        .route(
            "/account/passkeys/options",
            axum::routing::post(factors::passkey_options),
        )
        .route("/account/passkeys", axum::routing::post(factors::add_passkey))
        .route("/account/passkeys/remove", axum::routing::post(factors::remove_passkey))
        .route("/login/{upstream}", get(upstream::start))
        .route("/login/{upstream}/callback", get(upstream::callback))
        .merge(self_service_routes())
}

/// The account page's self-service: sessions, a first password, the data export, deletion.
fn self_service_routes() -> Router<AppState> {
    use axum::routing::post;
    Router::new()
        .route("/account/sessions/end", post(self_service::end_session))
        .route("/account/sessions/end-others", post(self_service::end_other_sessions))
        .route(
            self_service::PASSWORD_SET_PATH,
            get(self_service::show_password_set).post(self_service::set_password),
        )
        .route("/account/data", get(self_service::download_data))
        .route(
            self_service::DELETE_PATH,
            get(self_service::show_delete).post(self_service::delete),
        )
        .route(self_service::GOODBYE_PATH, get(self_service::goodbye))
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

/// A form shown again because `security.throttle` refused the request: 429 with
/// `Retry-After` (RFC 6585 §4); the page itself says when to try again.
pub fn too_many(page: Result<Response, AppError>, retry_after_seconds: u64) -> Result<Response, AppError> {
    let mut response = page?;
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, retry_after_seconds.into());
    Ok(response)
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
            // A refresh of a page a form post answered goes where its link does.
            refresh_to => link.map(|(href, _)| href),
        },
    )?;
    Ok((status, html).into_response())
}

/// Hybrid registration: the person proved who they are (registered, or typed the right
/// password), so they may connect a provider to activate the account (the cookie lets
/// `/login/{id}?activate=1` find it).
pub fn activation_page(
    state: &AppState,
    csrf: &CsrfCookie,
    status: StatusCode,
    id: tessera_core::UserId,
) -> Result<Response, AppError> {
    let buttons = state.upstreams.buttons();
    let html = page(
        state,
        csrf,
        None,
        "activate.html",
        context! { buttons => ser(&buttons) },
    )?;
    let cookie = crate::upstream::activation::cookie(state, csrf, id);
    Ok((status, [(axum::http::header::SET_COOKIE, cookie)], html).into_response())
}

/// The cookie that carries a finished form's message to `/done` (post/redirect/get).
const DONE_COOKIE: &str = "tessera_done";
/// The cookie that carries the account page's notice after one of its forms worked.
const NOTICE_COOKIE: &str = "tessera_notice";

/// What a finished form says, on its way to `/done`.
#[derive(serde::Serialize, serde::Deserialize)]
struct Done {
    title: String,
    message: String,
    link: Option<(String, String)>,
}

/// A `Set-Cookie` for a short-lived message to the page at `path`, HMAC-signed so no one
/// can make this site show a text it did not write (content spoofing).
fn flash_cookie(state: &AppState, name: &str, path: &str, value: &impl serde::Serialize) -> Result<String, AppError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let json = serde_json::to_vec(value).map_err(|e| AppError::internal(e.to_string()))?;
    let body = b64.encode(&json);
    let mac = b64.encode(flash_mac(state, name, &body));
    let value = format!("{body}.{mac}");
    Ok(crate::cookies::set(
        state,
        name,
        &value,
        path,
        Some(time::Duration::minutes(5)),
    ))
}

fn flash_mac(state: &AppState, name: &str, body: &str) -> [u8; 32] {
    let key = tessera_core::secret_token::hmac_sha256(&state.csrf_key, format!("flash:{name}").as_bytes());
    tessera_core::secret_token::hmac_sha256(&key, body.as_bytes())
}

/// The message [`flash_cookie`] left, when its signature holds.
fn read_flash<T: serde::de::DeserializeOwned>(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    name: &str,
) -> Option<T> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let value = crate::session::read_cookie(headers.get_all(axum::http::header::COOKIE), name)?;
    let (body, mac) = value.split_once('.')?;
    let given = b64.decode(mac).ok()?;
    if !tessera_core::secret_token::constant_time_eq(&flash_mac(state, name, body), &given) {
        return None;
    }
    serde_json::from_slice(&b64.decode(body).ok()?).ok()
}

/// Adds the `Set-Cookie` that removes the flash `name` on `path` (it is shown once).
fn clear_flash(state: &AppState, mut response: Response, name: &str, path: &str) -> Response {
    if let Ok(clear) = crate::cookies::clear(state, name, path).parse() {
        response.headers_mut().append(axum::http::header::SET_COOKIE, clear);
    }
    response
}

/// A form post that worked: 303 to `/done`, which shows `message` once. A refresh of the
/// result never posts the form again (post/redirect/get).
pub fn done(state: &AppState, title: &str, message: &str, link: Option<(&str, &str)>) -> Result<Response, AppError> {
    let done = Done {
        title: title.to_owned(),
        message: message.to_owned(),
        link: link.map(|(href, text)| (href.to_owned(), text.to_owned())),
    };
    let cookie = flash_cookie(state, DONE_COOKIE, "/done", &done)?;
    Ok(([(axum::http::header::SET_COOKIE, cookie)], see_other("/done")).into_response())
}

/// `/done`: the message of the form that just worked, once; without one, the account page.
pub async fn show_done(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let Some(done) = read_flash::<Done>(&state, &headers, DONE_COOKIE) else {
        return Ok(see_other("/account"));
    };
    let link = done.link.as_ref().map(|(href, text)| (href.as_str(), text.as_str()));
    let response = message(&state, StatusCode::OK, &done.title, &done.message, link)?;
    Ok(clear_flash(&state, response, DONE_COOKIE, "/done"))
}

/// An account-page form that worked: 303 to `/account`, which shows `notice` once.
pub fn to_account_with(state: &AppState, notice: &str) -> Result<Response, AppError> {
    let cookie = flash_cookie(state, NOTICE_COOKIE, "/account", &notice)?;
    Ok(([(axum::http::header::SET_COOKIE, cookie)], see_other("/account")).into_response())
}

/// The account page's notice left by [`to_account_with`], and the response change that
/// forgets it.
pub fn account_notice_of(state: &AppState, headers: &axum::http::HeaderMap) -> Option<String> {
    read_flash(state, headers, NOTICE_COOKIE)
}

pub fn forget_account_notice(state: &AppState, response: Response) -> Response {
    clear_flash(state, response, NOTICE_COOKIE, "/account")
}

/// A redirect to `to` after a form post (303: the browser follows it with a GET).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// Tells the person what proving the address removed, and why (see `Proof`).
pub fn removals_text(state: &AppState, removed: &[(String, Option<String>)], ended_sessions: u64) -> String {
    let mut text = String::new();
    if !removed.is_empty() {
        let names: Vec<String> = removed
            .iter()
            .map(|(provider, username)| match username {
                Some(name) => format!("{} ({name})", state.upstreams.label(provider)),
                None => state.upstreams.label(provider),
            })
            .collect();
        text.push(' ');
        text.push_str(&tr!("removed-sign-ins", names = names.join(", ")));
    }
    if ended_sessions > 0 {
        text.push(' ');
        text.push_str(&tr!("ended-sessions", count = ended_sessions));
    }
    text
}
