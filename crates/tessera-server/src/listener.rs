//! The main port's connection loop. axum's own `serve` has neither a request-header read
//! timeout nor a shutdown deadline, and an identity provider needs both: a client that
//! opens connections and sends headers a byte at a time (slowloris) must not hold them for
//! ever, and one stuck client must not keep a node from stopping during a rolling deploy.
//! Built on hyper-util, as axum's `serve` is, with the same HTTP/1 and HTTP/2 support.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, header};
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

impl Limits {
    /// How long, after the stop signal, kept-alive connections may bring one more request
    /// (answered with `Connection: close`) before the idle ones are closed: a fifth of the
    /// deadline, at most 5 s.
    fn drain_window(&self) -> Duration {
        (self.shutdown_deadline / 5).min(Duration::from_secs(5))
    }
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
    let draining = Arc::new(AtomicBool::new(false));
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let connection = Connection { peer, draining: Arc::clone(&draining) };
                    serve_connection(&builder, &graceful, app.clone(), stream, connection);
                }
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
    // New connections are refused from now on: a load balancer sends them elsewhere (a
    // connection refused is retried even for a POST, nothing having been sent).
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(connections = open, "waiting for requests in flight to finish");
    }
    drain(&graceful, &draining, limits.drain_window()).await;
    let left = limits.shutdown_deadline.saturating_sub(stopped_at.elapsed());
    if tokio::time::timeout(left, graceful.shutdown()).await.is_err() {
        tracing::warn!(
            deadline_seconds = limits.shutdown_deadline.as_secs_f64(),
            "the shutdown deadline passed; connections still open are cut"
        );
    }
    stopped_at
}

/// Closing a kept-alive connection that is idle races with a client that sends a request on
/// it at that moment: the request fails, and a proxy does not retry a POST elsewhere (nginx
/// answered 502 to a registration in a rolling restart, tests/chaos.rs). So first every
/// answer says `Connection: close` and its connection ends after it: the connections clients
/// keep using end cleanly, one request each, for up to `window` or until none is left; only
/// those that stayed idle all along are then closed under their clients.
async fn drain(graceful: &GracefulShutdown, draining: &AtomicBool, window: Duration) {
    draining.store(true, Ordering::Relaxed);
    let until = Instant::now() + window;
    while graceful.count() > 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// What a connection's requests carry along.
struct Connection {
    peer: SocketAddr,
    /// Set when the server is stopping: answers close their connection.
    draining: Arc<AtomicBool>,
}

/// One connection, on its own task, watched by `graceful` so shutdown can wait for it.
fn serve_connection(
    builder: &Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    app: Router,
    stream: TcpStream,
    connection: Connection,
) {
    // Small answers (redirects, tokens) go out at once instead of waiting for Nagle.
    let _ = stream.set_nodelay(true);
    let Connection { peer, draining } = connection;
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        // What `into_make_service_with_connect_info` would insert: the client address
        // extractor (client_address.rs) reads it.
        request.extensions_mut().insert(ConnectInfo(peer));
        let answered = app.clone().oneshot(request.map(axum::body::Body::new));
        let draining = Arc::clone(&draining);
        async move {
            let mut response = answered.await?;
            if draining.load(Ordering::Relaxed) {
                // RFC 9112 §9.6: the last response on this connection.
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok::<_, std::convert::Infallible>(response)
        }
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
