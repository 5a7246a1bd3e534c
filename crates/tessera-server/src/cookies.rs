//! Every cookie Tessera sets, built in one place with the `cookie` crate (through axum-extra),
//! never by string formatting: HttpOnly (no script reads them), SameSite=Lax (no cross-site
//! POST carries them), Secure on https, and a path as narrow as the cookie's use.

use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::state::AppState;

/// The `Set-Cookie` value for `name=value` on `path`; without `max_age` it lasts until the
/// browser closes.
pub fn set(state: &AppState, name: &str, value: &str, path: &str, max_age: Option<time::Duration>) -> String {
    let mut cookie = Cookie::build((name.to_owned(), value.to_owned()))
        .path(path.to_owned())
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .build();
    if let Some(age) = max_age {
        cookie.set_max_age(age);
    }
    cookie.to_string()
}

/// The `Set-Cookie` value that removes `name` on `path` (an empty value that expires now).
pub fn clear(state: &AppState, name: &str, path: &str) -> String {
    set(state, name, "", path, Some(time::Duration::ZERO))
}
