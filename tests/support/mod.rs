//! Shared test fixtures: fresh databases, a spawned server, and the people in it.

pub mod db;
pub mod logs;
pub mod people;
pub mod process;
pub mod proxy;
pub mod server;
pub mod smtp;
