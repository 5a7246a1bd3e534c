//! The stylesheet and the one script the pages use, served by Tessera itself so the
//! Content-Security-Policy can forbid inline style and script (`default-src 'self'`). A theme
//! folder's `static/NAME` replaces the built-in file of that name.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;

/// Name, content type, built-in content. Only these names are served: the name never reaches
/// the file system unless it is one of them.
const ASSETS: [(&str, &str, &str); 4] = [
    (
        "tessera.css",
        "text/css; charset=utf-8",
        include_str!("../../static/tessera.css"),
    ),
    (
        "autosubmit.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/autosubmit.js"),
    ),
    (
        "forms.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/forms.js"),
    ),
    (
        "passkeys.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/passkeys.js"),
    ),
];

pub async fn asset(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, AppError> {
    let (name, content_type, builtin) = ASSETS
        .iter()
        .find(|(known, ..)| *known == name)
        .ok_or(AppError::NotFound)?;
    let themed = match &state.config.theme_dir {
        Some(dir) => tokio::fs::read(dir.join("static").join(name)).await.ok(),
        None => None,
    };
    let body = themed.unwrap_or_else(|| builtin.as_bytes().to_vec());
    let headers = [
        (header::CONTENT_TYPE, *content_type),
        (header::CACHE_CONTROL, "public, max-age=3600"),
    ];
    Ok((headers, body).into_response())
}
