//! The language picker and the instance's branding files (`branding:` in the config).

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};
use serde::Deserialize;

use super::see_other;
use crate::error::AppError;
use crate::i18n::{PICKER_COOKIE, UI_LOCALES_COOKIE};
use crate::next_url::safe_next;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    /// The page the picker was on (a path here; anything else is ignored).
    back: Option<String>,
}

/// The picker (`GET /language?lang=de`, like Keycloak's `kc_locale`): remembers the choice
/// for a year, forgets an app's `ui_locales` (the person has now chosen), and goes back to
/// the page the picker was on. A GET without a CSRF token, on purpose: it is on every page,
/// error pages too, and all a forged one can do is switch the language of the pages.
pub async fn choose_language(
    State(state): State<AppState>,
    Query(form): Query<LanguageForm>,
) -> Result<Response, AppError> {
    let catalogs = state.templates.catalogs();
    let Some(index) = catalogs.pick([form.lang.as_str()]) else {
        // Only a language tag is named back (never a sentence someone put in a link).
        let named = Some(form.lang.trim())
            .filter(|l| l.len() <= 35 && l.parse::<unic_langid::LanguageIdentifier>().is_ok())
            .unwrap_or("?");
        return Err(AppError::BadRequest(tr!("language-unknown", lang = named)));
    };
    // Only a path on this server: the picker is no open redirect (RFC 6749 §10.15).
    let back = safe_next(form.back.as_deref()).unwrap_or_else(|| "/account".to_owned());
    let year = Some(time::Duration::days(365));
    let cookies = AppendHeaders([
        (
            header::SET_COOKIE,
            crate::cookies::set(&state, PICKER_COOKIE, catalogs.tag(index), "/", year),
        ),
        (
            header::SET_COOKIE,
            crate::cookies::clear(&state, UI_LOCALES_COOKIE, "/"),
        ),
    ]);
    Ok((cookies, see_other(&back)).into_response())
}

/// `/branding/colors.css`: the brand colour as CSS variables, which the built-in stylesheet
/// uses for buttons, focus rings and accents (a stylesheet, since the CSP forbids inline style).
pub async fn colors(State(state): State<AppState>) -> Result<Response, AppError> {
    let colors = state.config.branding.colors.as_ref().ok_or(AppError::NotFound)?;
    let css = format!(
        ":root {{ --brand: {}; --brand-contrast: {}; --brand-dark: {}; --brand-dark-contrast: {}; }}\n",
        colors.brand, colors.brand_contrast, colors.brand_dark, colors.brand_dark_contrast
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        css,
    )
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
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ),
        ],
        logo.bytes.clone(),
    )
        .into_response())
}
