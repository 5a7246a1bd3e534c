//! The language picker and the instance's branding files (`branding:` in the config).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Form, see_other};
use crate::error::AppError;
use crate::i18n::{PICKER_COOKIE, UI_LOCALES_COOKIE};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
}

/// The picker: remembers the choice for a year, forgets an app's `ui_locales` (the person
/// has now chosen), and goes back to the page the picker was on.
pub async fn choose_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let catalogs = state.templates.catalogs();
    let Some(index) = catalogs.pick([form.lang.as_str()]) else {
        return Err(AppError::BadRequest(tr!("language-unknown", lang = form.lang.as_str())));
    };
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| same_origin_path(&state, r))
        .unwrap_or_else(|| "/account".to_owned());
    let year = Some(time::Duration::days(365));
    let cookies = [
        (header::SET_COOKIE, crate::cookies::set(&state, PICKER_COOKIE, catalogs.tag(index), "/", year)),
        (header::SET_COOKIE, crate::cookies::clear(&state, UI_LOCALES_COOKIE, "/")),
    ];
    Ok((cookies, see_other(&back)).into_response())
}

/// The path and query of `referer` when it is a page of this server (never a way off it).
fn same_origin_path(state: &AppState, referer: &str) -> Option<String> {
    let url = url::Url::parse(referer).ok()?;
    if url.origin() != state.config.issuer.origin() {
        return None;
    }
    let path = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    crate::next_url::safe_next(Some(&path))
}

/// `/branding/colors.css`: the brand colour as CSS variables, which the built-in stylesheet
/// uses for buttons, focus rings and accents (a stylesheet, since the CSP forbids inline style).
pub async fn colors(State(state): State<AppState>) -> Result<Response, AppError> {
    let colors = state.config.branding.colors.as_ref().ok_or(AppError::NotFound)?;
    let css = format!(
        ":root {{ --brand: {}; --brand-contrast: {}; --brand-dark: {}; --brand-dark-contrast: {}; }}\n",
        colors.brand, colors.brand_contrast, colors.brand_dark, colors.brand_dark_contrast
    );
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], css)
        .into_response())
}

/// `/branding/logo`: the configured file. Served in a sandbox (an SVG opened directly runs no
/// script in this origin).
pub async fn logo(State(state): State<AppState>) -> Result<Response, AppError> {
    let logo = state.config.branding.logo.as_ref().ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, logo.content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        ],
        logo.bytes.clone(),
    )
        .into_response())
}
