//! Shared test fixtures: fresh databases, a spawned server, and the people in it.

pub mod browser;
pub mod db;
pub mod logs;
pub mod people;
pub mod pg_cluster;
pub mod process;
pub mod proxy;
pub mod server;
pub mod smtp;

/// What tests send requests to: an in-process [`server::TestServer`] or a real
/// [`process::ServeProcess`], so the flows in tests/oidc.rs drive either.
pub trait Served {
    /// The absolute URL of `path` on the server.
    fn url(&self, path: &str) -> String;
}

impl Served for server::TestServer {
    fn url(&self, path: &str) -> String {
        server::TestServer::url(self, path)
    }
}

impl Served for process::ServeProcess {
    fn url(&self, path: &str) -> String {
        process::ServeProcess::url(self, path)
    }
}

impl<T: Served> Served for std::sync::Arc<T> {
    fn url(&self, path: &str) -> String {
        T::url(self, path)
    }
}
