//! Tessera's web layer: configuration, the axum router, server-rendered pages, and the one
//! place where outcomes and errors become HTTP (`error.rs`). Protocol and domain rules live
//! in the other crates; handlers here extract, call one service function, and render.

#[macro_use]
mod i18n;
mod access_log;
mod accounts;
/// Public for `tessera user disable|enable|end-sessions|revoke-tokens|set-flags`.
pub mod admin;
mod client_address;
pub mod config;
mod cookies;
mod csrf;
mod error;
mod headers;
mod jobs;
mod listener;
mod logging;
mod mailer;
pub mod metrics;
mod next_url;
pub mod oidc;
mod reload;
mod routes;
mod server;
mod session;
mod sign_in;
mod state;
mod templates;
mod throttle;
/// Public for `tessera secrets rotate-master-key`, which re-seals with the same contexts.
pub mod upstream;

pub use logging::{init_tracing, subscriber as log_subscriber};
pub use reload::{Live, Outcome as ReloadOutcome, Reloader};
pub use server::{build_state, check_templates, metrics_router, router, serve, serve_metrics};
pub use state::AppState;
