//! Shared test fixtures: fresh databases and a spawned server.

pub mod db;
pub mod proxy;
pub mod server;
pub mod smtp;
