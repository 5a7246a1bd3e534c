//! Durable jobs end to end: mail through a real SMTP conversation, exactly one welcome mail
//! with several nodes, signed webhooks checked by an independent HMAC, failures retried then
//! dead-lettered, and a server killed with SIGKILL mid-job that finishes after a restart.
//! Every mail's `Date` and `Message-ID` (kept by a retried delivery), and when the welcome
//! mail goes out (after the confirmation when it is required, once).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use tessera_core::jobs::{JobState, JobStore};
use tessera_store::SqlStore;

use crate::support::db::{TestDb, each_backend};
use crate::support::people::{FAST_PASSWORDS as FAST, PASSWORD};
use crate::support::server::{TEST_MASTER_KEY, TestServer, browser, settled, submit};
use crate::support::smtp::SmtpSink;

/// Registers `username` (address `USERNAME@example.com`) at `base` in a fresh browser.
async fn register(base: &str, username: &str) -> StatusCode {
    let email = format!("{username}@example.com");
    crate::support::people::register(base, &browser(), username, &email, PASSWORD)
        .await
        .status()
}

/// Registrations that do not wait for the address (the welcome goes out at registration).
const OPTIONAL: &str = "registration:\n  email_confirmation: optional\n";

fn subjects(server: &TestServer, subject: &str) -> usize {
    server
        .mails()
        .iter()
        .filter(|m| m.contains(&format!("Subject: {subject}")))
        .count()
}

#[tokio::test]
async fn one_welcome_mail_per_registration_with_two_nodes() {
    for (backend, db) in each_backend("one_welcome_mail_per_registration_with_two_nodes").await {
        // With confirmation optional the welcome goes out at registration (with it required,
        // at the confirmation: see the tests at the end).
        let extra = format!("{FAST}{OPTIONAL}actions:\n  welcome_email: true\njobs:\n  poll_interval: 1s\n");
        let url = db.url.clone();
        let a = TestServer::start_with(db, &extra).await;
        let b = TestServer::start_with(TestDb::external(url), &extra).await;
        for (i, node) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
            assert_eq!(register(&node.base, &format!("person{i}")).await, StatusCode::SEE_OTHER);
        }
        let jobs = settled(&a.store, Duration::from_secs(30)).await;
        assert!(jobs.iter().all(|j| j.state == JobState::Done), "{backend}: {jobs:#?}");
        // Let any duplicate (there must be none) reach an outbox before counting.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            subjects(&a, "Welcome") + subjects(&b, "Welcome"),
            5,
            "{backend}: exactly one welcome each"
        );
        assert_eq!(
            subjects(&a, "Confirm your email") + subjects(&b, "Confirm your email"),
            5,
            "{backend}"
        );
    }
}

/// A backlog larger than the worker's slots drains at once, not one batch per poll interval:
/// the worker claims again as soon as a slot frees up. Before, with every slot busy it slept
/// `jobs.poll_interval` (or until this node enqueued something), so a steady stream of
/// registrations outran it and the queue grew without end (found by the soak,
/// tests/chaos/soak.rs).
#[tokio::test]
async fn a_backlog_drains_without_waiting_for_the_poll_interval() {
    let config = format!("{FAST}{OPTIONAL}jobs:\n  workers: 2\n  poll_interval: 1h\n");
    let server = TestServer::start_configured(&config).await;
    let jane = crate::support::people::person("jane")
        .email("jane@example.com")
        .create(&server)
        .await;
    for _ in 0..20 {
        let welcome = tessera_core::jobs::NewJob::new("mail.welcome", serde_json::json!({ "user_id": jane.id }));
        server.store.enqueue(&welcome).await.unwrap();
    }
    // A registration wakes the worker (its confirmation mail is enqueued on this node).
    assert_eq!(register(&server.base, "wakes").await, StatusCode::SEE_OTHER);
    let drained = crate::support::pg_cluster::within(Duration::from_secs(10), || async {
        server.store.jobs(Some(JobState::Queued), 100).await.unwrap().is_empty()
            && server
                .store
                .jobs(Some(JobState::Running), 100)
                .await
                .unwrap()
                .is_empty()
    })
    .await;
    assert!(
        drained.is_some(),
        "jobs still queued: the worker waited for the poll interval"
    );
    assert_eq!(subjects(&server, "Welcome"), 20);
}

#[tokio::test]
async fn mail_goes_through_a_real_smtp_conversation() {
    let sink = SmtpSink::start().await;
    let extra = format!(
        "{FAST}email:\n  from: \"Tessera <id@example.com>\"\n  transport:\n    kind: smtp\n    host: 127.0.0.1\n    port: {}\n    tls: none\n",
        sink.port
    );
    let server = TestServer::start_configured(&extra).await;
    assert_eq!(register(&server.base, "jane").await, StatusCode::OK);
    settled(&server.store, Duration::from_secs(20)).await;
    let received = sink.received();
    assert_eq!(received.len(), 1, "{received:#?}");
    assert_eq!(received[0].from, "<id@example.com>");
    assert_eq!(received[0].to, vec!["<jane@example.com>".to_owned()]);
    let data = received[0].data.replace("=\n", "").replace("=3D", "=");
    assert!(data.contains("Subject: Confirm your email address"), "{data}");
    let start = data
        .find(&format!("{}/email/confirm/", server.base))
        .expect("link in the mail");
    let link: String = data[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "the mailed link confirms the address");
}

#[tokio::test]
async fn a_dead_mail_server_delays_mail_and_never_the_registration() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // closed again at once
    let extra = format!(
        "{FAST}jobs:\n  max_attempts: 2\nemail:\n  transport:\n    kind: smtp\n    host: 127.0.0.1\n    port: {port}\n    tls: none\n    timeout: 2s\n"
    );
    let server = TestServer::start_configured(&extra).await;
    assert_eq!(
        register(&server.base, "jane").await,
        StatusCode::OK,
        "registration succeeds anyway"
    );
    let jobs = settled(&server.store, Duration::from_secs(30)).await;
    let mail = jobs
        .iter()
        .find(|j| j.kind == "mail.link")
        .expect("the confirmation job");
    assert_eq!((mail.state, mail.attempts), (JobState::Dead, 2), "{mail:#?}");
    assert!(
        mail.last_error.as_deref().unwrap_or_default().contains("deliver"),
        "{mail:#?}"
    );
    let metrics = reqwest::get(format!("{}/metrics", server.metrics_listener().await))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("tessera_jobs{state=\"dead\"} 1"), "{metrics}");
    assert!(
        metrics.contains("tessera_jobs_processed_total{kind=\"mail.link\",outcome=\"retry\"} 1"),
        "{metrics}"
    );
}

type Deliveries = Arc<Mutex<Vec<(reqwest::header::HeaderMap, String)>>>;

/// A webhook receiver; `answer` is the status it replies with; `delay` how long it takes.
async fn receiver(answer: u16, delay: Duration) -> (String, Deliveries) {
    use axum::routing::post;
    let seen: Deliveries = Arc::default();
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let store = store.clone();
            async move {
                let mut copy = reqwest::header::HeaderMap::new();
                for (k, v) in &headers {
                    copy.insert(k.clone(), v.clone());
                }
                store.lock().unwrap().push((copy, body));
                tokio::time::sleep(delay).await;
                axum::http::StatusCode::from_u16(answer).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

const HOOK_SECRET: &str = "whsec-0123456789abcdef";

#[tokio::test]
async fn webhooks_are_signed_so_an_independent_hmac_verifies_them() {
    let (url, seen) = receiver(200, Duration::ZERO).await;
    let extra = format!(
        "{FAST}webhooks:\n  - url: '{url}'\n    events: [user.registered, user.login_failed]\n    secret: {HOOK_SECRET}\n"
    );
    let server = TestServer::start_configured(&extra).await;
    assert_eq!(register(&server.base, "jane").await, StatusCode::OK);
    settled(&server.store, Duration::from_secs(20)).await;
    let deliveries = seen.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 1);
    let (headers, body) = &deliveries[0];
    let event: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "user.registered");
    assert_eq!(event["data"]["username"], "jane");
    let timestamp = headers["x-tessera-timestamp"].to_str().unwrap();
    let signature = headers["x-tessera-signature"].to_str().unwrap();
    // Python's standard library, not our Rust code, recomputes the signature.
    let script = "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), (sys.argv[2]+'.'+sys.stdin.read()).encode(), hashlib.sha256).hexdigest())";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, HOOK_SECRET, timestamp])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), signature);
}

#[tokio::test]
async fn a_failing_webhook_is_retried_then_dead_with_its_reason() {
    let (url, seen) = receiver(500, Duration::ZERO).await;
    let extra = format!(
        "{FAST}jobs:\n  max_attempts: 2\nwebhooks:\n  - url: '{url}'\n    events: [user.registered]\n    secret: {HOOK_SECRET}\n"
    );
    let server = TestServer::start_configured(&extra).await;
    assert_eq!(register(&server.base, "jane").await, StatusCode::OK);
    let jobs = settled(&server.store, Duration::from_secs(30)).await;
    let hook = jobs.iter().find(|j| j.kind == "webhook").unwrap();
    assert_eq!(hook.state, JobState::Dead);
    assert!(hook.last_error.as_deref().unwrap().contains("500"), "{hook:#?}");
    assert_eq!(seen.lock().unwrap().len(), 2, "two attempts, no crash loop");
    // An operator can revive it.
    assert!(server.store.retry_job(&hook.id).await.unwrap());
}

/// A real `tessera serve` process on a config file.
struct Node {
    child: std::process::Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn spawn_node(config: &std::path::Path, port: u16) -> Node {
    // Reaped by Node's Drop (kill + wait).
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve", "--migrate", "--config", config.to_str().unwrap()])
        .env("NODE_KEY", TEST_MASTER_KEY)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn tessera");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            return Node { child, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("tessera serve did not start on {port}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn node_config(dir: &std::path::Path, name: &str, port: u16, database: &str, extra: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.yaml"));
    let outbox = dir.join(format!("outbox-{name}"));
    // Several nodes run at once here: none may take the default metrics port.
    let yaml = format!(
        "issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}\ndatabase:\n  url: {database}\nsecrets:\n  master_key: ${{NODE_KEY}}\n\
email:\n  transport:\n    kind: outbox\n    dir: {}\nmetrics:\n  listen: off\n{FAST}{extra}",
        outbox.display()
    );
    std::fs::write(&path, yaml).unwrap();
    path
}

fn outbox_count(dir: &std::path::Path, subject: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("outbox-"))
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().filter_map(Result::ok))
        .filter(|m| {
            std::fs::read_to_string(m.path())
                .unwrap_or_default()
                .contains(&format!("Subject: {subject}"))
        })
        .count()
}

#[tokio::test]
async fn sigkill_mid_job_and_with_jobs_queued_then_restart_finishes_everything() {
    // One worker, a webhook that takes 3 s: the kill lands while it runs and the other jobs wait.
    let (url, seen) = receiver(200, Duration::from_secs(3)).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("kill.db").display());
    let port = free_port();
    let extra = format!(
        "{OPTIONAL}actions:\n  welcome_email: true\njobs:\n  workers: 1\n  lease: 2s\n  poll_interval: 1s\n\
webhooks:\n  - url: '{url}'\n    events: [user.registered]\n    secret: {HOOK_SECRET}\n"
    );
    let config = node_config(dir.path(), "node", port, &database, &extra);
    let mut node = spawn_node(&config, port).await;
    for name in ["ann", "ben", "cid"] {
        assert_eq!(register(&node.base, name).await, StatusCode::SEE_OTHER);
    }
    for _ in 0..100 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!seen.lock().unwrap().is_empty(), "a webhook is running");
    node.child.kill().expect("SIGKILL"); // std's kill() sends SIGKILL on Unix
    node.child.wait().unwrap();
    drop(node);

    let store = SqlStore::connect(&database).await.unwrap();
    let before = store.jobs(None, 100).await.unwrap();
    assert!(
        before.iter().any(|j| j.state == JobState::Running),
        "killed mid-job: {before:#?}"
    );
    assert!(
        before.iter().any(|j| j.state == JobState::Queued),
        "and with jobs queued: {before:#?}"
    );

    let _node = spawn_node(&config, port).await;
    let after = settled(&store, Duration::from_secs(60)).await;
    assert_eq!(after.len(), before.len(), "no job lost or invented");
    assert!(after.iter().all(|j| j.state == JobState::Done), "{after:#?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(outbox_count(dir.path(), "Welcome"), 3, "each welcome mail once");
    assert_eq!(
        outbox_count(dir.path(), "Confirm your email"),
        3,
        "each confirmation once"
    );
    // The webhook that was cut off is delivered again (at least once); all three arrive.
    let ids: std::collections::BTreeSet<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| {
            serde_json::from_str::<serde_json::Value>(body).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn two_server_processes_on_postgresql_send_each_welcome_once() {
    let Some(db) =
        crate::support::db::fresh_postgres("two_server_processes_on_postgresql_send_each_welcome_once").await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let extra = &format!("{OPTIONAL}actions:\n  welcome_email: true\njobs:\n  workers: 4\n  poll_interval: 1s\n");
    let (pa, pb) = (free_port(), free_port());
    let a = spawn_node(&node_config(dir.path(), "a", pa, &db.url, extra), pa).await;
    let b = spawn_node(&node_config(dir.path(), "b", pb, &db.url, extra), pb).await;
    for i in 0..8 {
        let node = if i % 2 == 0 { &a } else { &b };
        assert_eq!(register(&node.base, &format!("pg{i}")).await, StatusCode::SEE_OTHER);
    }
    let store = SqlStore::connect(&db.url).await.unwrap();
    let jobs = settled(&store, Duration::from_secs(60)).await;
    assert!(jobs.iter().all(|j| j.state == JobState::Done));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(outbox_count(dir.path(), "Welcome"), 8);
    assert_eq!(outbox_count(dir.path(), "Confirm your email"), 8);
}

#[tokio::test]
async fn metrics_are_served_by_the_metrics_listener_and_not_on_the_main_port() {
    let server = TestServer::start_configured(FAST).await;
    assert_eq!(register(&server.base, "jane").await, StatusCode::OK);
    settled(&server.store, Duration::from_secs(10)).await;

    let main = reqwest::get(server.url("/metrics")).await.unwrap();
    assert_eq!(main.status(), StatusCode::NOT_FOUND, "no /metrics on the main port");

    let metrics = server.metrics_listener().await;
    let response = reqwest::get(format!("{metrics}/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "text/plain; version=0.0.4");
    let text = response.text().await.unwrap();
    assert!(text.contains("# TYPE tessera_jobs gauge"), "{text}");
    assert!(text.contains("tessera_jobs{state=\"done\"} 1"), "{text}");
    assert!(
        text.contains("tessera_jobs_processed_total{kind=\"mail.link\",outcome=\"done\"} 1"),
        "{text}"
    );
    for page in ["/login", "/register", "/healthz", "/password/reset"] {
        let status = reqwest::get(format!("{metrics}{page}")).await.unwrap().status();
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "the metrics listener serves only /metrics, not {page}"
        );
    }
}

#[tokio::test]
async fn a_reset_for_an_unknown_or_a_known_account_looks_the_same_on_the_main_port() {
    let server = TestServer::start_configured(FAST).await;
    assert_eq!(register(&server.base, "jane").await, StatusCode::OK);
    settled(&server.store, Duration::from_secs(10)).await;
    let reset = server.url("/password/reset");
    let client = browser();
    let main_port_metrics = || async {
        let response = client.get(server.url("/metrics")).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    };
    // The operator's job counters (the metrics listener's) move the same way too: one
    // link-request job per request, whoever it names; the worker decides who gets mail.
    let job_counts = || {
        let text = server.state.metrics.render(&tessera_server::metrics::StoreSnapshot {
            jobs: None,
            pool: server.state.store.pool_status(),
        });
        text.lines()
            .filter(|l| l.starts_with("tessera_jobs_processed_total{"))
            .filter_map(|l| {
                l.rsplit_once(' ')
                    .map(|(k, n)| (k.to_owned(), n.parse::<u64>().unwrap_or(0)))
            })
            .collect::<std::collections::BTreeMap<String, u64>>()
    };
    let mut answers = Vec::new();
    let mut job_deltas = Vec::new();
    for login in ["jane", "nobody", "jane@example.com", "nobody@example.com"] {
        let before = main_port_metrics().await;
        let jobs_before = job_counts();
        let answer = submit(&client, &reset, &reset, &[("login", login)]).await;
        answers.push((login, answer.status(), answer.text().await.unwrap()));
        // Whatever the reset caused (a mail job for jane) has run before the observer looks.
        settled(&server.store, Duration::from_secs(10)).await;
        let delta: Vec<(String, u64)> = job_counts()
            .into_iter()
            .map(|(k, n)| (k.clone(), n - jobs_before.get(&k).copied().unwrap_or(0)))
            .filter(|(_, n)| *n > 0)
            .collect();
        job_deltas.push((login, delta));
        let after = main_port_metrics().await;
        assert_eq!(
            before.0,
            StatusCode::NOT_FOUND,
            "{login}: /metrics is not on the main port"
        );
        assert_eq!(after, before, "{login}: nothing visible on the main port moved");
    }
    for (login, status, page) in &answers[1..] {
        assert_eq!(
            (status, page),
            (&answers[0].1, &answers[0].2),
            "{login}: answered as for jane"
        );
    }
    for (login, delta) in &job_deltas {
        assert_eq!(delta, &job_deltas[0].1, "{login}: job counters moved as for jane");
    }
    assert_eq!(job_deltas[0].1.len(), 1, "one job per request: {:?}", job_deltas[0].1);
    // Not vacuous: the known account did get its two mails.
    assert_eq!(subjects(&server, "Reset your password"), 2);
}

// Mail headers and the welcome mail.

/// A mail's header fields, unfolded, as (name in lower case, value).
fn header_fields(mail: &str) -> Vec<(String, String)> {
    let mail = mail.replace("\r\n", "\n");
    let head = mail.split("\n\n").next().unwrap_or_default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    fields
}

/// The one value of header `name`; panics unless there is exactly one.
fn one_header(mail: &str, name: &str) -> String {
    let values: Vec<String> = header_fields(mail)
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(values.len(), 1, "one {name} header in:\n{mail}");
    values[0].clone()
}

/// Checks the `Date` (RFC 5322 §3.6.1: present once, parseable, about now) and the
/// `Message-ID` (§3.6.4: `<32 hex digits@domain>`) of `mail`; returns the `Message-ID`.
fn check_date_and_message_id(mail: &str, domain: &str) -> String {
    let date = one_header(mail, "date");
    let sent = time::OffsetDateTime::parse(&date, &time::format_description::well_known::Rfc2822)
        .unwrap_or_else(|e| panic!("Date {date:?} is not RFC 5322: {e}"));
    let age = time::OffsetDateTime::now_utc() - sent;
    assert!(age.whole_seconds().abs() < 300, "Date {date:?} is not about now");
    let id = one_header(mail, "message-id");
    let (left, right) = id
        .strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .and_then(|i| i.split_once('@'))
        .unwrap_or_else(|| panic!("Message-ID {id:?} is not <left@right>"));
    assert!(
        left.len() == 32 && left.bytes().all(|b| b.is_ascii_hexdigit()),
        "Message-ID {id:?}: 128 bits of hex on the left"
    );
    assert_eq!(right, domain, "Message-ID {id:?}: the sender's domain on the right");
    id
}

/// Every kind of account mail, through the outbox (the dev and test transport) with the
/// default sender `no-reply@localhost.localdomain`: each has a Date and a Message-ID of its
/// own at the sender's domain (not the machine's hostname).
#[tokio::test]
async fn every_kind_of_mail_has_a_date_and_its_own_message_id_at_the_sender_domain() {
    let extra = format!("{FAST}actions:\n  welcome_email: true\n  followup_email: {{ after: 1s }}\n");
    let server = TestServer::start_configured(&extra).await;
    let jane = browser();
    let status = crate::support::people::register(&server.base, &jane, "jane", "jane@example.com", PASSWORD)
        .await
        .status();
    assert_eq!(status, StatusCode::OK);
    let confirm = server.link_in_mail("/email/confirm/").await;
    assert_eq!(jane.get(&confirm).send().await.unwrap().status(), StatusCode::OK);
    // Someone registers with jane's (now proven) address: jane is told instead.
    assert_eq!(
        crate::support::people::register(&server.base, &browser(), "mallory", "jane@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let reset = server.url("/password/reset");
    submit(&browser(), &reset, &reset, &[("login", "jane")]).await;
    let jane = crate::support::people::signed_in(&server, "jane", PASSWORD).await;
    let account = server.url("/account");
    let change = [
        ("first_name", "Jane"),
        ("last_name", ""),
        ("email", "jane.new@example.com"),
        ("current_password", PASSWORD),
    ];
    assert_eq!(
        submit(&jane, &account, &account, &change).await.status(),
        StatusCode::OK
    );

    let jobs = settled(&server.store, Duration::from_secs(30)).await;
    assert!(jobs.iter().all(|j| j.state == JobState::Done), "{jobs:#?}");
    let mails = server.mails();
    let expected = [
        "Confirm your email address",
        "Welcome",
        "How is it going?",
        "Someone tried to register with your address",
        "Reset your password",
        "Confirm your new email address",
        "Your email address is being changed",
    ];
    let mut subjects: Vec<String> = mails.iter().map(|m| one_header(m, "subject")).collect();
    subjects.sort();
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(subjects, want, "one mail of each kind");
    let ids: std::collections::BTreeSet<String> = mails
        .iter()
        .map(|m| check_date_and_message_id(m, "localhost.localdomain"))
        .collect();
    assert_eq!(ids.len(), mails.len(), "every message has its own Message-ID: {ids:#?}");
}

/// A header's value with its RFC 2047 encoded words (`=?utf-8?b?…?=`, as a non-ASCII subject
/// is sent) decoded.
fn decoded(value: &str) -> String {
    use base64::Engine as _;
    let mut bytes = Vec::new();
    let mut after_encoded = false;
    for (i, word) in value.split_whitespace().enumerate() {
        let encoded = word
            .get(..10)
            .filter(|start| start.eq_ignore_ascii_case("=?utf-8?b?"))
            .and_then(|_| word[10..].strip_suffix("?="));
        // The space between two encoded words is not part of the text (§6.2).
        if i > 0 && !(after_encoded && encoded.is_some()) {
            bytes.push(b' ');
        }
        match encoded {
            Some(b64) => bytes.extend(base64::engine::general_purpose::STANDARD.decode(b64).expect("base64")),
            None => bytes.extend(word.as_bytes()),
        }
        after_encoded = encoded.is_some();
    }
    String::from_utf8(bytes).expect("UTF-8")
}

/// A reset asked for from a German browser (`Accept-Language: de`) is mailed in German, its
/// subject and text from the German catalog (a theme folder's here: the shipped German
/// catalog is still a copy of the English one); the same request without the header is
/// mailed in English.
#[tokio::test]
async fn a_reset_asked_for_in_german_is_mailed_in_german() {
    let theme = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(theme.path().join("locales/de")).unwrap();
    std::fs::write(
        theme.path().join("locales/de/mail.ftl"),
        "mail-reset-subject = Passwort zurücksetzen\nmail-greeting = Hallo { $name },\n",
    )
    .unwrap();
    let server = TestServer::start_configured(&format!("{FAST}theme:\n  dir: {}\n", theme.path().display())).await;
    crate::support::people::person("jane")
        .email("jane@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    let mut german = reqwest::header::HeaderMap::new();
    german.insert("accept-language", "de-DE, de;q=0.9, en;q=0.5".parse().unwrap());
    let german = crate::support::server::browser_builder()
        .default_headers(german)
        .build()
        .unwrap();
    let reset = server.url("/password/reset");
    for (client, subject, greeting) in [
        (german, "Passwort zurücksetzen", "Hallo jane,"),
        (browser(), "Reset your password", "Hello jane,"),
    ] {
        let before = server.mails().len();
        submit(&client, &reset, &reset, &[("login", "jane")]).await;
        let jobs = settled(&server.store, Duration::from_secs(20)).await;
        assert!(jobs.iter().all(|j| j.state == JobState::Done), "{jobs:#?}");
        let mails = server.mails();
        assert_eq!(mails.len(), before + 1, "one mail per request");
        let mail = mails.last().unwrap();
        assert_eq!(decoded(&one_header(mail, "subject")), subject, "{mail}");
        assert!(mail.contains(greeting), "{mail}");
        assert!(mail.contains("/password/reset/"), "the link: {mail}");
    }
}

/// The server takes the confirmation mail but its answer is a temporary failure (as when a
/// reply is lost): the job is retried, and the second delivery is the same message, with the
/// same Message-ID (so the recipient's mail system can show it once), at the configured
/// sender's domain, over a real SMTP conversation.
#[tokio::test]
async fn a_retried_delivery_keeps_its_message_id_at_the_sender_domain() {
    let sink = SmtpSink::start_refusing(1).await;
    let extra = format!(
        "{FAST}email:\n  from: \"Tessera <id@mail.example.org>\"\n  transport:\n    kind: smtp\n    host: 127.0.0.1\n    port: {}\n    tls: none\n",
        sink.port
    );
    let server = TestServer::start_configured(&extra).await;
    assert_eq!(register(&server.base, "jane").await, StatusCode::OK);
    let jobs = settled(&server.store, Duration::from_secs(30)).await;
    let mail = jobs
        .iter()
        .find(|j| j.kind == "mail.link")
        .expect("the confirmation job");
    assert_eq!((mail.state, mail.attempts), (JobState::Done, 2), "{mail:#?}");
    let received = sink.received();
    assert_eq!(received.len(), 2, "refused once, then taken: {received:#?}");
    let ids: Vec<String> = received
        .iter()
        .map(|r| {
            assert_eq!(one_header(&r.data, "subject"), "Confirm your email address");
            check_date_and_message_id(&r.data, "mail.example.org")
        })
        .collect();
    assert_eq!(ids[0], ids[1], "a retried delivery is the same message");

    // Another job's message has another Message-ID.
    assert_eq!(register(&server.base, "john").await, StatusCode::OK);
    settled(&server.store, Duration::from_secs(30)).await;
    let received = sink.received();
    assert_eq!(received.len(), 3, "{received:#?}");
    assert_ne!(check_date_and_message_id(&received[2].data, "mail.example.org"), ids[0]);
}

/// The welcome mails (subject "Welcome") to `to` in the outbox.
fn welcomes_to(server: &TestServer, to: &str) -> usize {
    server
        .mails()
        .iter()
        .filter(|m| one_header(m, "subject") == "Welcome" && one_header(m, "to") == to)
        .count()
}

/// With `email_confirmation: required` (the default) the welcome waits for the confirmation
/// link, and comes once however often the link is opened, concurrently or later.
#[tokio::test]
async fn with_confirmation_required_the_welcome_comes_after_confirming_and_once() {
    let server = TestServer::start_configured(&format!("{FAST}actions:\n  welcome_email: true\n")).await;
    assert_eq!(register(&server.base, "jane").await, StatusCode::OK);
    let link = server.link_in_mail("/email/confirm/").await;
    settled(&server.store, Duration::from_secs(20)).await;
    assert_eq!(
        welcomes_to(&server, "jane@example.com"),
        0,
        "no welcome before confirming"
    );
    assert_eq!(subjects(&server, "Welcome"), 0);

    let (a, b) = (browser(), browser());
    let (first, second) = tokio::join!(a.get(&link).send(), b.get(&link).send());
    let mut statuses = vec![first.unwrap().status(), second.unwrap().status()];
    statuses.push(browser().get(&link).send().await.unwrap().status());
    statuses.sort();
    assert_eq!(
        statuses,
        vec![StatusCode::OK, StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST],
        "the link works once"
    );
    let jobs = settled(&server.store, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        welcomes_to(&server, "jane@example.com"),
        1,
        "one welcome after confirming"
    );
    assert_eq!(subjects(&server, "Welcome"), 1);
    assert_eq!(jobs.iter().filter(|j| j.kind == "mail.welcome").count(), 1, "{jobs:#?}");

    // Asking for another confirmation link now sends none, and so no second welcome.
    let resend = server.url("/email/confirm/resend");
    let page = server.url("/login");
    submit(&browser(), &page, &resend, &[("login", "jane")]).await;
    settled(&server.store, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(subjects(&server, "Confirm your email"), 1);
    assert_eq!(subjects(&server, "Welcome"), 1);
}

/// With `email_confirmation: optional` the welcome goes out at registration, as before, and
/// confirming later sends no second one.
#[tokio::test]
async fn without_confirmation_required_the_welcome_comes_at_registration() {
    let server = TestServer::start_configured(&format!("{FAST}{OPTIONAL}actions:\n  welcome_email: true\n")).await;
    assert_eq!(
        register(&server.base, "jane").await,
        StatusCode::SEE_OTHER,
        "signed in at once"
    );
    settled(&server.store, Duration::from_secs(20)).await;
    assert_eq!(
        welcomes_to(&server, "jane@example.com"),
        1,
        "welcome before any confirmation"
    );
    let link = server.link_in_mail("/email/confirm/").await;
    assert_eq!(browser().get(&link).send().await.unwrap().status(), StatusCode::OK);
    settled(&server.store, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(welcomes_to(&server, "jane@example.com"), 1, "confirming adds none");
}

/// An account made by a first upstream sign-in whose provider vouches for the address has
/// nothing to confirm: its welcome goes out at once, also with confirmation required.
#[tokio::test]
async fn an_upstream_account_with_a_verified_address_is_welcomed_at_once() {
    let sandbox = tessera_sandbox::start("127.0.0.1:0".parse().unwrap(), Default::default())
        .await
        .expect("sandbox");
    crate::support::logs::secret("sandbox-twitter-secret");
    let extra = format!(
        "{FAST}actions:\n  welcome_email: true\nupstreams:\n  - {{ id: twitter, kind: twitter, client_id: sandbox-twitter-key, client_secret: sandbox-twitter-secret, api_base_url: '{}/twitter' }}\n",
        sandbox.base_url()
    );
    let server = TestServer::start_configured(&extra).await;
    let alice = browser();
    let start = alice.get(server.url("/login/twitter")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let upstream = url::Url::parse(&crate::support::server::location(&start)).unwrap();
    let callback = tessera_sandbox::browser::choose(&upstream, "alice")
        .await
        .expect("chooser");
    let signed_in = alice.get(callback.as_str()).send().await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let jobs = settled(&server.store, Duration::from_secs(20)).await;
    assert!(jobs.iter().all(|j| j.state == JobState::Done), "{jobs:#?}");
    assert_eq!(welcomes_to(&server, "alice@example.com"), 1);
    assert_eq!(subjects(&server, "Confirm your email"), 0, "nothing to confirm");
    check_date_and_message_id(&server.mails()[0], "localhost.localdomain");
}
