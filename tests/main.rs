//! Tessera's one integration-test binary (one binary keeps link time down on small machines).
//! Modules talk to real SQLite files, the local PostgreSQL (when TESSERA_TEST_POSTGRES_URL is
//! set), real HTTP over loopback and the real `tessera` binary.

mod support;

mod access_tokens;
mod admin;
mod chaos;
mod cli;
mod client_secrets;
mod enumeration;
mod error_mapping;
mod headers;
mod jobs;
mod languages;
mod logs;
mod memory;
mod metrics;
mod nginx;
mod oidc;
mod outage;
mod pages;
mod pages_browser;
mod passkeys;
mod passkeys_browser;
mod rate_limits;
mod reload;
mod remote_auth;
mod second_factors;
mod secrets_rotation;
mod self_service;
mod shutdown;
mod store_conformance;
mod throttle;
mod token_races;
mod transfer;
mod upstream;
