//! End-to-end tests of every connector against `tessera-sandbox` on
//! 127.0.0.1:0 (one test binary: every extra binary costs link time).

mod support;

mod facebook;
mod instagram;
mod oauth2;
mod oidc;
mod twitter;
mod x_oauth2;
