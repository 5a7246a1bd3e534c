//! The main port's edges, through a real `tessera serve`: a client that sends its headers too
//! slowly is cut off (`server.header_read_timeout`), and SIGTERM lets requests in flight
//! finish, then stops within `server.shutdown_deadline` even while a client is stuck.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::process::{MASTER_KEY_VAR, ServeProcess, free_port};

/// A server on its own SQLite file with the given `server:` settings.
async fn serve(dir: &tempfile::TempDir, server_yaml: &str) -> (ServeProcess, u16) {
    let port = free_port();
    let config = dir.path().join("tessera.yaml");
    let yaml = format!(
        "issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}\ndatabase:\n  url: sqlite://{}\n\
         secrets:\n  master_key: ${{{MASTER_KEY_VAR}}}\nmetrics:\n  listen: off\nserver:\n{server_yaml}",
        dir.path().join("tessera.db").display()
    );
    std::fs::write(&config, yaml).expect("write config");
    (ServeProcess::start(&config, port).await, port)
}

/// Reads until the server closes the connection; what it sent, and when it closed.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Instant) {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server did not close the connection within {limit:?}");
    (String::from_utf8_lossy(&answer).into_owned(), Instant::now())
}

#[tokio::test]
async fn a_client_that_sends_its_headers_too_slowly_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let (server, port) = serve(&dir, "  header_read_timeout: 1s\n").await;
    let mut slow = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let (answer, closed) = until_closed(&mut slow, Duration::from_secs(5)).await;
    let took = closed - started;
    assert!(took >= Duration::from_millis(900), "closed after {took:?}");
    assert!(!answer.contains("200 OK"), "no answer to half a request: {answer}");
    // Everyone else is served as usual, on a connection of their own.
    let ok = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(ok.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_and_stops_by_the_deadline_despite_a_stuck_client() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, port) = serve(&dir, "  shutdown_deadline: 2s\n").await;
    // A request in flight: its headers and half its body are sent, the rest comes after the stop.
    let form = b"grant_type=client_credentials&client_id=nobody";
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        form.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    in_flight.write_all(&form[..10]).await.unwrap();
    // A stuck client: a request whose body never comes.
    let mut stuck = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stuck
        .write_all(b"POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\ngrant")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stopped_at = Instant::now();
    server.signal("TERM");
    server
        .log_lines_with("waiting for requests in flight to finish", 1)
        .await;
    // No new connections once stopping.
    let refused = reqwest::Client::new()
        .get(server.url("/healthz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(refused.is_err(), "a new request after SIGTERM: {refused:?}");
    // The request in flight gets its answer (an OAuth error: there is no such client).
    in_flight.write_all(&form[10..]).await.unwrap();
    let (answer, _) = until_closed(&mut in_flight, Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("invalid_client"), "{answer}");

    let status = server.exit_within(Duration::from_secs(6)).await;
    let took = stopped_at.elapsed();
    assert!(status.success(), "exit status {status:?}:\n{}", server.log());
    assert!(
        took >= Duration::from_millis(1900),
        "waited for the stuck client until the deadline: {took:?}"
    );
    assert!(
        server.log().contains("the shutdown deadline passed"),
        "{}",
        server.log()
    );
    let (_, _) = until_closed(&mut stuck, Duration::from_secs(1)).await;
}

/// A webhook receiver that takes `delay` to answer; each request it gets is reported on the
/// channel when it arrives.
async fn slow_receiver(delay: Duration) -> (String, tokio::sync::mpsc::UnboundedReceiver<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (arrived, arrivals) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let arrived = arrived.clone();
            tokio::spawn(async move {
                let mut request = vec![0; 16 * 1024];
                let _ = stream.read(&mut request).await;
                let _ = arrived.send(());
                tokio::time::sleep(delay).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (url, arrivals)
}

#[tokio::test]
async fn sigterm_lets_a_job_in_flight_finish_and_record_it_before_exiting() {
    let (hook, mut arrivals) = slow_receiver(Duration::from_millis(1500)).await;
    let dir = tempfile::tempdir().unwrap();
    let webhook = format!(
        "  shutdown_deadline: 10s\nwebhooks:\n  - url: '{hook}'\n    events: [user.login_failed]\n    \
         secret: hook-secret-0123456789abcdef\n"
    );
    let (mut server, _) = serve(&dir, &webhook).await;
    let browser = crate::support::server::browser();
    let csrf = crate::support::server::csrf_from(&browser, &server.url("/login")).await;
    let failed = browser
        .post(server.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "nobody"),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), reqwest::StatusCode::UNAUTHORIZED);
    tokio::time::timeout(Duration::from_secs(10), arrivals.recv())
        .await
        .expect("the webhook job runs");

    let stopped_at = Instant::now();
    server.signal("TERM");
    let status = server.exit_within(Duration::from_secs(8)).await;
    assert!(status.success(), "{status:?}:\n{}", server.log());
    assert!(
        stopped_at.elapsed() >= Duration::from_millis(1000),
        "waited for the webhook's answer"
    );
    assert!(
        server.log().contains("waiting for jobs in flight to finish"),
        "{}",
        server.log()
    );
    let done = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["jobs", "list", "--state", "done", "--json", "--config"])
        .arg(dir.path().join("tessera.yaml"))
        .env(MASTER_KEY_VAR, crate::support::server::TEST_MASTER_KEY)
        .output()
        .unwrap();
    let done = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.contains("\"kind\":\"webhook\""),
        "the job finished and was recorded: {done}"
    );
    assert!(arrivals.try_recv().is_err(), "delivered once, not again after the stop");
}
