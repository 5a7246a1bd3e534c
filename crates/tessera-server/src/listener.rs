//! The main port's connection loop. axum's own `serve` has neither a request-header read
//! timeout nor a shutdown deadline, and an identity provider needs both: a client that
//! opens connections and sends headers a byte at a time (slowloris) must not hold them for
//! ever, and one stuck client must not keep a node from stopping during a rolling deploy.
//! Built on hyper-util, as axum's `serve` is, with the same HTTP/1 and HTTP/2 support.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// `server.header_read_timeout` and `server.shutdown_deadline`.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a client may take to send a request's headers (each request on a kept-alive
    /// connection too) before the connection is closed.
    pub header_read_timeout: Duration,
    /// After the stop signal: how long requests in flight may take to finish before the
    /// connections still open are cut.
    pub shutdown_deadline: Duration,
}

/// Serves `app` on `listener` until `stop` completes, then stops accepting, lets the requests
/// in flight finish (kept-alive connections are closed once idle) and returns when they have,
/// or when [`Limits::shutdown_deadline`] has passed, whichever is first: with when `stop` came.
pub async fn serve_until(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> Instant {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => serve_connection(&builder, &graceful, app.clone(), stream, peer),
                // Out of file descriptors, or a connection reset before it was accepted:
                // wait a moment rather than spin (as axum's `serve` does).
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut stop => break,
        }
    }
    let stopped_at = Instant::now();
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(connections = open, "waiting for requests in flight to finish");
    }
    if tokio::time::timeout(limits.shutdown_deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            deadline_seconds = limits.shutdown_deadline.as_secs_f64(),
            "the shutdown deadline passed; connections still open are cut"
        );
    }
    stopped_at
}

/// One connection, on its own task, watched by `graceful` so shutdown can wait for it.
fn serve_connection(
    builder: &Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    app: Router,
    stream: TcpStream,
    peer: SocketAddr,
) {
    // Small answers (redirects, tokens) go out at once instead of waiting for Nagle.
    let _ = stream.set_nodelay(true);
    // What `into_make_service_with_connect_info` would insert: the client address extractor
    // (client_address.rs) reads it.
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request.map(axum::body::Body::new))
    });
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(stream), service)
        .into_owned();
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            // Clients that go away mid-request, and header read timeouts, end up here.
            tracing::debug!(error = %e, "connection ended");
        }
    });
}
