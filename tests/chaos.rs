//! Fault scenarios (issue #13) on a private PostgreSQL cluster (tests/support/pg_cluster.rs)
//! with real `tessera serve` nodes, loopback only, bounded in time, each printing a summary.
//! The short versions run in CI; the scripts in scripts/chaos/ run the long ones. See
//! docs/reliability.md.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::sync::watch;

use crate::oidc::{CALLBACK, DEMO_SECRET, clients_yaml, code_for};
use crate::support::Served;
use crate::support::db::execute;
use crate::support::people::PASSWORD;
use crate::support::pg_cluster::{PrivatePostgres, Shutdown, within};
use crate::support::process::{MASTER_KEY_VAR, ServeProcess, free_port};
use crate::support::server::{TEST_MASTER_KEY, browser};

/// What the load is doing while the database is in a given state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Up,
    Restarting,
    Down,
}

#[derive(Default)]
struct Tally {
    /// (phase, operation, status) → count; status 0 is a transport error.
    answers: BTreeMap<(Phase, &'static str, u16), u64>,
    /// The slowest answer per phase.
    slowest: BTreeMap<Phase, Duration>,
    /// Registrations the server acknowledged (303): they must all be there afterwards.
    registered: Vec<String>,
    /// Why refreshes were refused (the first few), for the summary.
    refused_refreshes: Vec<String>,
}

struct Load {
    phase: watch::Sender<Phase>,
    tally: Arc<Mutex<Tally>>,
    stop: watch::Sender<bool>,
    workers: tokio::task::JoinSet<()>,
}

/// The nodes' common configuration: one database, the test clients (with fast passwords), no
/// throttling of the load's registrations.
fn node_config(dir: &std::path::Path, port: u16, database: &str) -> std::path::PathBuf {
    node_config_as(dir, &format!("http://127.0.0.1:{port}"), port, database)
}

/// [`node_config`] for a node whose issuer is `issuer` (a load balancer in front of it).
fn node_config_as(dir: &std::path::Path, issuer: &str, port: u16, database: &str) -> std::path::PathBuf {
    let config = dir.join(format!("node-{port}.yaml"));
    let yaml = format!(
        "issuer: {issuer}\nlisten: 127.0.0.1:{port}\ndatabase:\n  url: {database}\n\
         secrets:\n  master_key: ${{{MASTER_KEY_VAR}}}\nmetrics:\n  listen: off\n\
         registration:\n  email_confirmation: optional\nemail:\n  transport:\n    kind: outbox\n    dir: {}\n\
         security:\n  throttle:\n    mail_per_ip: 0\n    helpdesk_per_account: 0\n\
         remote_auth:\n  - {{ id: desk, kind: zendesk_jwt, url: 'https://desk.example.com', secret: a-helpdesk-secret-for-chaos, delivery: get }}\n{}",
        dir.join("outbox").display(),
        clients_yaml("http://127.0.0.1:9/never")
    );
    std::fs::write(&config, yaml).expect("write node config");
    config
}

/// `count` nodes, and the first one's config file (for `tessera` commands).
async fn start_nodes(dir: &std::path::Path, database: &str, count: usize) -> (Vec<ServeProcess>, std::path::PathBuf) {
    let mut nodes = Vec::new();
    let mut configs = Vec::new();
    // One issuer for all, as behind a load balancer (tokens of one node are good on the
    // others): the first node's address.
    let ports: Vec<u16> = (0..count).map(|_| free_port()).collect();
    let issuer = format!("http://127.0.0.1:{}", ports[0]);
    // One at a time: the first migrates, the others find the schema ready.
    for port in ports {
        let config = node_config_as(dir, &issuer, port, database);
        nodes.push(ServeProcess::start(&config, port).await);
        configs.push(config);
    }
    (nodes, configs.swap_remove(0))
}

fn create_jane(config: &std::path::Path) {
    use std::io::Write;
    let mut create = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args([
            "user",
            "create",
            "--username",
            "jane",
            "--email",
            "jane@example.com",
            "--password-stdin",
            "--config",
        ])
        .arg(config)
        .env(MASTER_KEY_VAR, TEST_MASTER_KEY)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("tessera user create");
    writeln!(create.stdin.take().expect("stdin"), "{PASSWORD}").expect("password");
    assert!(create.wait().expect("wait").success(), "user create");
}

/// A server by its base URL (a node, or the load balancer in front of them).
struct Base(String);

impl Served for Base {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// A browser signed in as jane that has consented to the demo app, and the tokens of that
/// first code flow on `node`: (browser, refresh token, access token).
async fn signed_in_app(node: &impl Served) -> (reqwest::Client, String, String) {
    let browser = browser();
    let code = code_for(node, &browser, "demo-app", CALLBACK, "openid offline_access", "").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, answer, _) = crate::oidc::token_request(node, Some(("demo-app", DEMO_SECRET)), &form).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = |name: &str| answer[name].as_str().expect("a token").to_owned();
    (browser, token("refresh_token"), token("access_token"))
}

impl Load {
    /// `workers` tasks, each going round the nodes and the operations, each with its own
    /// refresh-token family.
    async fn start(nodes: &[ServeProcess], workers: usize) -> Self {
        let bases: Vec<String> = nodes.iter().map(|n| n.url("")).collect();
        Self::start_on(&bases, workers).await
    }

    /// [`Load::start`] on the servers at `bases` (nodes, or a load balancer).
    async fn start_on(bases: &[String], workers: usize) -> Self {
        let bases = bases.to_vec();
        let (phase, phases) = watch::channel(Phase::Up);
        let (stop, stopped) = watch::channel(false);
        let tally = Arc::new(Mutex::new(Tally::default()));
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..workers {
            let (browser, refresh, access) = signed_in_app(&Base(bases[worker % bases.len()].clone())).await;
            let worker_state = Worker {
                browser,
                access,
                id: worker,
                bases: bases.clone(),
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("client"),
                refresh,
                phases: phases.clone(),
                tally: Arc::clone(&tally),
            };
            let stopped = stopped.clone();
            tasks.spawn(worker_state.run(stopped));
        }
        Self {
            phase,
            tally,
            stop,
            workers: tasks,
        }
    }

    async fn finish(mut self) -> Tally {
        let _ = self.stop.send(true);
        while self.workers.join_next().await.is_some() {}
        std::mem::take(&mut *self.tally.lock().expect("tally"))
    }
}

struct Worker {
    id: usize,
    bases: Vec<String>,
    http: reqwest::Client,
    /// Signed in as jane, who has consented to the demo app.
    browser: reqwest::Client,
    refresh: String,
    /// The newest access token this worker was given.
    access: String,
    phases: watch::Receiver<Phase>,
    tally: Arc<Mutex<Tally>>,
}

impl Worker {
    async fn run(mut self, stop: watch::Receiver<bool>) {
        let mut round = 0usize;
        while !*stop.borrow() {
            let base = self.bases[(self.id + round) % self.bases.len()].clone();
            let phase = *self.phases.borrow();
            let started = Instant::now();
            let (operation, status) = self.one(&base, round).await;
            let took = started.elapsed();
            // A request that ran while the database changed state counts as a restart's.
            let phase = if phase == *self.phases.borrow() {
                phase
            } else {
                Phase::Restarting
            };
            {
                let mut tally = self.tally.lock().expect("tally");
                *tally.answers.entry((phase, operation, status)).or_default() += 1;
                let slowest = tally.slowest.entry(phase).or_default();
                *slowest = (*slowest).max(took);
            }
            round += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Operation `round` of the mix on `base`: its name and the status it ended with.
    async fn one(&mut self, base: &str, round: usize) -> (&'static str, u16) {
        match round % 8 {
            0 => ("login", self.login(base).await),
            1 => ("client_credentials", self.client_credentials(base).await),
            2 => ("refresh", self.refresh(base).await),
            3 => ("register", self.register(base, round).await),
            4 => ("userinfo", self.userinfo(base).await),
            5 => ("code_flow", self.code_flow(base).await),
            6 => ("helpdesk", self.helpdesk(base).await),
            _ => (
                "discovery",
                self.get(&format!("{base}/.well-known/openid-configuration")).await,
            ),
        }
    }

    async fn userinfo(&self, base: &str) -> u16 {
        self.http
            .get(format!("{base}/userinfo"))
            .bearer_auth(&self.access)
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    /// An app's sign-in for the signed-in browser (`prompt=none`: consent is remembered),
    /// then the code's exchange: the status of the step that did not succeed, or the token
    /// endpoint's.
    async fn code_flow(&mut self, base: &str) -> u16 {
        let mut next = format!(
            "{base}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope=openid%20offline_access&state=s&prompt=none",
            urlencoding::encode(CALLBACK)
        );
        for _ in 0..4 {
            let Ok(answer) = self.browser.get(&next).send().await else {
                return 0;
            };
            if answer.status() != StatusCode::SEE_OTHER {
                return answer.status().as_u16();
            }
            let to = crate::support::server::location(&answer);
            if to.starts_with('/') {
                next = format!("{base}{to}");
                continue;
            }
            let Some(code) = crate::oidc::query(&to).remove("code") else {
                return 400;
            };
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CALLBACK),
            ];
            let answer = self
                .http
                .post(format!("{base}/token"))
                .basic_auth("demo-app", Some(DEMO_SECRET))
                .form(&form)
                .send()
                .await;
            let Ok(answer) = answer else { return 0 };
            let status = answer.status().as_u16();
            if let Ok(body) = answer.json::<serde_json::Value>().await
                && let Some(access) = body["access_token"].as_str()
            {
                self.access = access.to_owned();
            }
            return status;
        }
        508
    }

    /// A helpdesk sign-in for the signed-in browser: a redirect to the helpdesk with a JWT.
    async fn helpdesk(&self, base: &str) -> u16 {
        self.browser
            .get(format!(
                "{base}/remote-auth/desk?return_to=https%3A%2F%2Fdesk.example.com%2Fhc"
            ))
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    async fn get(&self, url: &str) -> u16 {
        self.http.get(url).send().await.map_or(0, |r| r.status().as_u16())
    }

    /// The login form with a fresh cookie jar: its CSRF token, then the POST.
    async fn login(&self, base: &str) -> u16 {
        let client = browser();
        let csrf = match csrf(&client, &format!("{base}/login")).await {
            Ok(csrf) => csrf,
            Err(status) => return status,
        };
        let form = [("csrf", csrf.as_str()), ("login", "jane"), ("password", PASSWORD)];
        client
            .post(format!("{base}/login"))
            .form(&form)
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    async fn client_credentials(&self, base: &str) -> u16 {
        self.http
            .post(format!("{base}/token"))
            .basic_auth("demo-app", Some(DEMO_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    /// Rotates this worker's refresh token; keeps the old one unless the rotation answered.
    async fn refresh(&mut self, base: &str) -> u16 {
        let answer = self
            .http
            .post(format!("{base}/token"))
            .basic_auth("demo-app", Some(DEMO_SECRET))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", self.refresh.as_str()),
            ])
            .send()
            .await;
        let Ok(answer) = answer else { return 0 };
        let status = answer.status().as_u16();
        let body = answer.json::<serde_json::Value>().await.unwrap_or_default();
        if let Some(access) = body["access_token"].as_str() {
            self.access = access.to_owned();
        }
        match body["refresh_token"].as_str() {
            Some(next) if status == 200 => self.refresh = next.to_owned(),
            // While the database is away a 503 is the expected answer; anything else is news.
            _ if status == 503 => {}
            _ => {
                let mut tally = self.tally.lock().expect("tally");
                if tally.refused_refreshes.len() < 5 {
                    tally
                        .refused_refreshes
                        .push(format!("worker {}: {status} {body}", self.id));
                }
            }
        }
        status
    }

    async fn register(&self, base: &str, round: usize) -> u16 {
        let username = format!("load{}x{round}", self.id);
        let status = register_as(base, &username).await;
        if status == 303 {
            self.tally.lock().expect("tally").registered.push(username);
        }
        status
    }
}

/// The registration form for `username` (address `USERNAME@example.com`) with a fresh
/// cookie jar: the status it ended with. Post/redirect/get: an accepted registration is a
/// 303 to its confirmation page.
async fn register_as(base: &str, username: &str) -> u16 {
    let client = browser();
    let csrf = match csrf(&client, &format!("{base}/register")).await {
        Ok(csrf) => csrf,
        Err(status) => return status,
    };
    let email = format!("{username}@example.com");
    let form = [
        ("csrf", csrf.as_str()),
        ("username", username),
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ];
    client
        .post(format!("{base}/register"))
        .form(&form)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// The CSRF token of a form page, or the page's status when it has none (0: no answer).
async fn csrf(client: &reqwest::Client, url: &str) -> Result<String, u16> {
    let page = client.get(url).send().await.map_err(|_| 0u16)?;
    let status = page.status().as_u16();
    let html = page.text().await.map_err(|_| 0u16)?;
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).ok_or(status)? + marker.len();
    html[start..].split('"').next().map(str::to_owned).ok_or(status)
}

async fn all_ready(nodes: &[ServeProcess]) -> bool {
    for node in nodes {
        let ready = reqwest::get(node.url("/readyz")).await;
        if !ready.is_ok_and(|r| r.status() == StatusCode::OK) {
            return false;
        }
    }
    true
}

fn seconds(var: &str, default: u64) -> Duration {
    Duration::from_secs(std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

/// Scenario 2: a mixed load across 3 nodes while PostgreSQL restarts (fast, then immediate)
/// and is stopped for a while. While it is gone every answer is quick (a 503 within about a
/// second, never a 500 or a hang); afterwards every node is ready again within 5 s by
/// itself; every acknowledged registration is in the database; no refresh family has two
/// live tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_restarts_and_an_outage_under_load_lose_nothing_and_answer_quickly() {
    let Some(cluster) = PrivatePostgres::start() else {
        return;
    };
    let outage = seconds("TESSERA_CHAOS_OUTAGE_SECONDS", 4);
    let steady = seconds("TESSERA_CHAOS_STEADY_SECONDS", 2);
    execute(&cluster.admin_url(), "CREATE DATABASE tessera", &[]).await;
    let database = cluster.url_of("tessera");
    let dir = tempfile::tempdir().unwrap();
    let (nodes, config) = start_nodes(dir.path(), &database, 3).await;
    create_jane(&config);
    let load = Load::start(&nodes, 6).await;
    tokio::time::sleep(steady).await;

    let mut recoveries = Vec::new();
    for how in [Shutdown::Fast, Shutdown::Immediate] {
        let _ = load.phase.send(Phase::Restarting);
        cluster.restart(how);
        let back = within(Duration::from_secs(5), || all_ready(&nodes)).await;
        recoveries.push((format!("{how:?} restart"), back));
        let _ = load.phase.send(Phase::Up);
        tokio::time::sleep(steady).await;
    }
    let _ = load.phase.send(Phase::Restarting);
    cluster.stop(Shutdown::Fast);
    let _ = load.phase.send(Phase::Down);
    let down_since = Instant::now();
    let mut readiness_while_down = Vec::new();
    while down_since.elapsed() < outage {
        for node in &nodes {
            let started = Instant::now();
            let status = reqwest::get(node.url("/readyz"))
                .await
                .map_or(0, |r| r.status().as_u16());
            readiness_while_down.push((status, started.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let _ = load.phase.send(Phase::Restarting);
    cluster.start_again();
    let back = within(Duration::from_secs(5), || all_ready(&nodes)).await;
    recoveries.push((format!("start after {outage:?} down"), back));
    let _ = load.phase.send(Phase::Up);
    tokio::time::sleep(steady).await;
    let tally = load.finish().await;

    // The summary, whatever the verdict.
    eprintln!("== database restarts and outage: answers by phase, operation and status");
    for ((phase, operation, status), n) in &tally.answers {
        eprintln!("{phase:?}\t{operation}\t{status}\t{n}");
    }
    eprintln!("slowest answer per phase: {:?}", tally.slowest);
    eprintln!("recoveries (all nodes ready): {recoveries:?}");
    eprintln!("acknowledged registrations: {}", tally.registered.len());
    eprintln!("refused refreshes (first few): {:#?}", tally.refused_refreshes);

    for (what, back) in &recoveries {
        assert!(back.is_some(), "{what}: not every node was ready again within 5 s");
    }
    for ((phase, operation, status), n) in &tally.answers {
        assert!(
            *status != 500 && *status != 0,
            "{n} × {status} for {operation} while {phase:?}"
        );
        if *phase == Phase::Up {
            assert!(
                *status < 500,
                "{n} × {status} for {operation} while the database was up"
            );
        }
        if *phase == Phase::Down && *operation != "discovery" {
            assert_eq!(*status, 503, "{operation} while the database was down");
        }
    }
    let slowest_down = tally.slowest.get(&Phase::Down).copied().unwrap_or_default();
    assert!(
        slowest_down < Duration::from_millis(1250),
        "an answer took {slowest_down:?} while the database was down"
    );
    for (status, took) in &readiness_while_down {
        assert_eq!(*status, 503);
        assert!(*took < Duration::from_millis(1250), "/readyz took {took:?}");
    }
    assert!(
        tally
            .answers
            .keys()
            .any(|(p, o, s)| *p == Phase::Up && *o == "refresh" && *s == 200)
    );
    // Nobody is signed out of an app by the outage: no refresh refused except with a 503.
    assert!(tally.refused_refreshes.is_empty(), "{:#?}", tally.refused_refreshes);
    assert!(!tally.registered.is_empty(), "the load registered people");
    let missing = missing_registrations(&database, &tally.registered).await;
    assert!(missing.is_empty(), "acknowledged registrations lost: {missing:?}");
    assert_eq!(
        families_with_two_live_tokens(&database).await,
        0,
        "a refresh family with two live tokens"
    );
}

async fn missing_registrations(database: &str, registered: &[String]) -> Vec<String> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let present: Vec<(String,)> = sqlx::query_as("SELECT username FROM users")
        .fetch_all(&mut db)
        .await
        .expect("users");
    let present: std::collections::HashSet<String> = present.into_iter().map(|(u,)| u.to_lowercase()).collect();
    registered
        .iter()
        .filter(|u| !present.contains(&u.to_lowercase()))
        .cloned()
        .collect()
}

async fn families_with_two_live_tokens(database: &str) -> i64 {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT family_id FROM refresh_tokens WHERE NOT rotated AND NOT revoked \
         GROUP BY family_id HAVING COUNT(*) > 1) AS doubled",
    )
    .fetch_one(&mut db)
    .await
    .expect("families");
    n
}

/// Registers `crash{worker}x{n}` (`worker` unique across runs) on `base` over and over until
/// stopped; the acknowledged usernames (303) go to `acknowledged`.
async fn register_until_stopped(
    base: String,
    worker: String,
    acknowledged: Arc<Mutex<Vec<String>>>,
    stop: watch::Receiver<bool>,
) {
    let mut n = 0;
    while !*stop.borrow() {
        let username = format!("crash{worker}x{n}");
        if register_as(&base, &username).await == 303 {
            acknowledged.lock().expect("acknowledged").push(username);
        }
        n += 1;
    }
}

/// Scenario 6: one node on SQLite (WAL) killed with SIGKILL again and again in the middle of
/// a stream of registrations, and started again: every registration it acknowledged is there
/// afterwards and the database passes `PRAGMA integrity_check` after every crash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_sigkill_mid_write_with_every_acknowledged_write() {
    let crashes = std::env::var("TESSERA_CHAOS_CRASHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tessera.db");
    let database = format!("sqlite://{}", file.display());
    let port = free_port();
    let config = node_config(dir.path(), port, &database);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut integrity = Vec::new();
    for crash in 0..crashes {
        let mut node = ServeProcess::start(&config, port).await;
        let (stop, stopped) = watch::channel(false);
        let writers: tokio::task::JoinSet<()> = (0..4)
            .map(|w| {
                let worker = format!("{crash}w{w}");
                register_until_stopped(node.url(""), worker, Arc::clone(&acknowledged), stopped.clone())
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        node.signal("KILL");
        node.exit_within(Duration::from_secs(5)).await;
        let _ = stop.send(true);
        writers.join_all().await;
        integrity.push(integrity_check(&database).await);
    }
    let acknowledged = std::mem::take(&mut *acknowledged.lock().expect("acknowledged"));
    // Each run acknowledged some: a restart that refused every registration would hide here.
    for crash in 0..crashes {
        let prefix = format!("crash{crash}w");
        assert!(
            acknowledged.iter().any(|u| u.starts_with(&prefix)),
            "run {crash} acknowledged none"
        );
    }
    eprintln!(
        "== SQLite crashes: {crashes} SIGKILLs, {} acknowledged registrations, integrity after each: {integrity:?}",
        acknowledged.len()
    );
    assert!(integrity.iter().all(|r| r == "ok"), "{integrity:?}");
    assert!(!acknowledged.is_empty(), "the node acknowledged registrations");
    let present = usernames(&database).await;
    let lost: Vec<&String> = acknowledged.iter().filter(|u| !present.contains(*u)).collect();
    assert!(lost.is_empty(), "acknowledged registrations lost: {lost:?}");
}

async fn integrity_check(database: &str) -> String {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(database)
        .await
        .expect("open the SQLite file");
    let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .expect("integrity_check");
    verdict
}

async fn usernames(database: &str) -> std::collections::HashSet<String> {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(database)
        .await
        .expect("open the SQLite file");
    let rows: Vec<(String,)> = sqlx::query_as("SELECT username FROM users")
        .fetch_all(&mut db)
        .await
        .expect("users");
    rows.into_iter().map(|(u,)| u).collect()
}

/// Debian's nginx as the load balancer in front of the nodes (plain HTTP on loopback): it
/// retries a request on the next node when one refuses the connection or fails before
/// answering (`proxy_next_upstream error timeout`, its default for idempotent requests).
struct LoadBalancer {
    process: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for LoadBalancer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl LoadBalancer {
    fn start(binary: &std::path::Path, port: u16, nodes: &[u16]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let servers: String = nodes
            .iter()
            .map(|p| format!("        server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;\n"))
            .collect();
        let config = format!(
            "master_process off;\npid nginx.pid;\nerror_log stderr warn;\nevents {{ worker_connections 512; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path client_body;\n    proxy_temp_path proxy;\n    \
             fastcgi_temp_path fastcgi;\n    uwsgi_temp_path uwsgi;\n    scgi_temp_path scgi;\n    \
             upstream tessera {{\n{servers}        keepalive 16;\n    }}\n    \
             server {{\n        listen 127.0.0.1:{port};\n        location / {{\n            \
             proxy_pass http://tessera;\n            proxy_http_version 1.1;\n            \
             proxy_set_header Connection \"\";\n            proxy_set_header Host $http_host;\n            \
             proxy_next_upstream error timeout;\n            proxy_connect_timeout 2s;\n        }}\n    }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), config).expect("write nginx.conf");
        let log = std::fs::File::create(dir.path().join("nginx.log")).expect("nginx.log");
        let prefix = format!("{}/", dir.path().display());
        let process = std::process::Command::new(binary)
            .args([
                "-p",
                &prefix,
                "-c",
                &format!("{prefix}nginx.conf"),
                "-e",
                "stderr",
                "-g",
                "daemon off;",
            ])
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("run nginx");
        Self { process, port, dir }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nginx.log")).unwrap_or_default()
    }
}

/// Three nodes on a database of `cluster`, with `extra` in their config (and `oidc` in its
/// `oidc:` section), behind nginx (their issuer), and jane.
struct Fleet {
    database: String,
    nodes: Vec<ServeProcess>,
    configs: Vec<std::path::PathBuf>,
    ports: Vec<u16>,
    balancer: LoadBalancer,
}

impl Fleet {
    async fn start(
        cluster: &PrivatePostgres,
        nginx: &std::path::Path,
        dir: &std::path::Path,
        (extra, oidc): (&str, &str),
    ) -> Self {
        execute(&cluster.admin_url(), "CREATE DATABASE tessera", &[]).await;
        let database = cluster.url_of("tessera");
        let lb_port = free_port();
        let issuer = format!("http://127.0.0.1:{lb_port}");
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let configs: Vec<_> = ports
            .iter()
            .map(|p| {
                let config = node_config_as(dir, &issuer, *p, &database);
                let yaml = std::fs::read_to_string(&config)
                    .expect("read config")
                    .replace("oidc:\n", &format!("oidc:\n{oidc}"));
                std::fs::write(&config, format!("{yaml}{extra}")).expect("write config");
                config
            })
            .collect();
        let mut nodes = Vec::new();
        for (config, port) in configs.iter().zip(&ports) {
            nodes.push(ServeProcess::start(config, *port).await);
        }
        create_jane(&configs[0]);
        let balancer = LoadBalancer::start(nginx, lb_port, &ports);
        let front = Base(balancer.base());
        let ready = within(Duration::from_secs(10), || async {
            reqwest::get(front.url("/healthz"))
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
        })
        .await;
        assert!(ready.is_some(), "nginx did not start:\n{}", balancer.log());
        Self {
            database,
            nodes,
            configs,
            ports,
            balancer,
        }
    }
}

/// Scenario 4: behind nginx, each of 3 nodes in turn is stopped with SIGTERM and started
/// again while the load runs: zero failed requests, and a browser signed in before is still
/// signed in after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_behind_nginx_fails_no_request_and_keeps_every_session() {
    let Some(nginx) = crate::nginx::nginx_or_skip("a_rolling_restart_behind_nginx") else {
        return;
    };
    let Some(cluster) = PrivatePostgres::start() else {
        return;
    };
    let steady = seconds("TESSERA_CHAOS_STEADY_SECONDS", 2);
    let dir = tempfile::tempdir().unwrap();
    let Fleet {
        database,
        mut nodes,
        configs,
        ports,
        balancer,
    } = Fleet::start(&cluster, &nginx, dir.path(), ("", "")).await;
    let front = Base(balancer.base());
    let signed_in = browser();
    let csrf_token = csrf(&signed_in, &front.url("/login")).await.expect("login form");
    let login = signed_in
        .post(front.url("/login"))
        .form(&[("csrf", csrf_token.as_str()), ("login", "jane"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);

    let load = Load::start_on(&[balancer.base()], 6).await;
    tokio::time::sleep(steady).await;
    let mut restarts = Vec::new();
    for i in 0..nodes.len() {
        let started = Instant::now();
        nodes[i].signal("TERM");
        let status = nodes[i].exit_within(Duration::from_secs(30)).await;
        assert!(
            status.success(),
            "node {i} stopped with {status:?}:\n{}",
            nodes[i].log()
        );
        let stopped = started.elapsed();
        nodes[i] = ServeProcess::start(&configs[i], ports[i]).await;
        restarts.push((stopped, started.elapsed()));
        tokio::time::sleep(steady).await;
    }
    let tally = load.finish().await;
    let account = signed_in.get(front.url("/account")).send().await.unwrap();

    eprintln!("== rolling restart behind nginx: answers by operation and status");
    for ((_, operation, status), n) in &tally.answers {
        eprintln!("{operation}\t{status}\t{n}");
    }
    eprintln!("per node (stopped after, back after): {restarts:?}");
    eprintln!("slowest answer: {:?}", tally.slowest);
    let failed: Vec<_> = tally
        .answers
        .iter()
        .filter(|((_, operation, status), _)| {
            !matches!(
                (*operation, *status),
                (_, 200) | ("login" | "register" | "helpdesk", 303)
            )
        })
        .collect();
    assert!(failed.is_empty(), "failed requests: {failed:?}\n{}", balancer.log());
    assert!(tally.refused_refreshes.is_empty(), "{:#?}", tally.refused_refreshes);
    assert_eq!(account.status(), StatusCode::OK, "the session survived every restart");
    let missing = missing_registrations(&database, &tally.registered).await;
    assert!(missing.is_empty(), "acknowledged registrations lost: {missing:?}");
}

/// The welcome mails in the shared outbox, per recipient address.
fn welcomes_by_recipient(outbox: &std::path::Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let Ok(folders) = std::fs::read_dir(outbox.parent().expect("outbox's folder")) else {
        return counts;
    };
    let outboxes = folders
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("outbox"));
    for mail in outboxes.flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().filter_map(Result::ok)) {
        let text = std::fs::read_to_string(mail.path()).unwrap_or_default();
        if !text.contains("Subject: Welcome") {
            continue;
        }
        if let Some(to) = text.lines().find_map(|l| l.strip_prefix("To: ")) {
            *counts.entry(to.trim().to_lowercase()).or_default() += 1;
        }
    }
    counts
}

async fn unfinished_jobs(database: &str) -> i64 {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')")
        .fetch_one(&mut db)
        .await
        .expect("jobs");
    n
}

/// Signing keys that rotate every 3 s (the shortest the rules allow with 2 s tokens and a 1 s
/// publication lead), checked by every node every second: all nodes are due at once.
const ROTATING: &str = "  key_rotation: 3s\n  access_token_ttl: 2s\n  id_token_ttl: 2s\n";

/// Per algorithm, the shortest time between two keys' creation, and how many keys there are.
async fn key_spacing(database: &str) -> BTreeMap<String, (usize, i64)> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT alg, created_at FROM signing_keys ORDER BY alg, created_at")
        .fetch_all(&mut db)
        .await
        .expect("keys");
    let mut by_alg: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (alg, created) in rows {
        by_alg.entry(alg).or_default().push(created);
    }
    by_alg
        .into_iter()
        .map(|(alg, times)| {
            let closest = times.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(i64::MAX);
            (alg, (times.len(), closest))
        })
        .collect()
}

/// Scenario 3: behind nginx, a random node is killed with SIGKILL every 1.5 s and started
/// again while the load runs (registrations queue welcome mails): every acknowledged
/// registration is there afterwards, no refresh family has two live tokens, every queued job
/// finishes, and every acknowledged person gets their welcome mail, at least once (a job cut
/// off mid-delivery runs again when its lease ends: the duplicates are counted and printed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_killed_under_load_lose_no_acknowledged_write_and_finish_every_job() {
    let Some(nginx) = crate::nginx::nginx_or_skip("nodes_killed_under_load") else {
        return;
    };
    let Some(cluster) = PrivatePostgres::start() else {
        return;
    };
    let kills = std::env::var("TESSERA_CHAOS_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let dir = tempfile::tempdir().unwrap();
    let extra =
        "actions:\n  welcome_email: true\njobs:\n  lease: 3s\n  poll_interval: 1s\nserver:\n  cleanup_interval: 1s\n";
    let Fleet {
        database,
        mut nodes,
        configs,
        ports,
        balancer,
    } = Fleet::start(&cluster, &nginx, dir.path(), (extra, ROTATING)).await;
    let load = Load::start_on(&[balancer.base()], 6).await;
    let mut killed = Vec::new();
    for round in 0..kills {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let i = (round * 7 + 1) % nodes.len();
        nodes[i].signal("KILL");
        nodes[i].exit_within(Duration::from_secs(5)).await;
        nodes[i] = ServeProcess::start(&configs[i], ports[i]).await;
        killed.push(i);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let tally = load.finish().await;
    let settled = within(Duration::from_secs(30), || async {
        unfinished_jobs(&database).await == 0
    })
    .await;
    let welcomes = welcomes_by_recipient(&dir.path().join("outbox"));
    let duplicates: usize = welcomes.values().map(|n| n - 1).sum();

    eprintln!("== nodes killed under load: answers by operation and status");
    for ((_, operation, status), n) in &tally.answers {
        eprintln!("{operation}\t{status}\t{n}");
    }
    eprintln!("killed nodes, in order: {killed:?}");
    eprintln!(
        "acknowledged registrations: {}, welcome mails: {}, duplicates (at least once): {duplicates}, jobs settled after {settled:?}",
        tally.registered.len(),
        welcomes.values().sum::<usize>()
    );
    // A refresh whose answer was lost with its node leaves the client a rotated token: its
    // next use revokes the family (the safe side; counted, not failed).
    eprintln!("refreshes refused after a lost answer: {:#?}", tally.refused_refreshes);

    for ((_, operation, status), n) in &tally.answers {
        // A request in flight on a killed node may fail (nginx's 502: a POST is not retried);
        // nothing may be a 500.
        assert_ne!(*status, 500, "{n} × 500 for {operation}");
    }
    assert!(settled.is_some(), "jobs still queued or running 30 s after the load");
    let missing = missing_registrations(&database, &tally.registered).await;
    assert!(missing.is_empty(), "acknowledged registrations lost: {missing:?}");
    let unwelcomed: Vec<&String> = tally
        .registered
        .iter()
        .filter(|u| !welcomes.contains_key(&format!("{u}@example.com")))
        .collect();
    assert!(unwelcomed.is_empty(), "no welcome mail for {unwelcomed:?}");
    assert_eq!(families_with_two_live_tokens(&database).await, 0);
    // Every node was due for each rotation at once, and nodes died mid-round: still one key
    // per rotation period (seconds: created_at's unit; the period is 3 s).
    let keys = key_spacing(&database).await;
    eprintln!("signing keys per algorithm (count, closest creations in s): {keys:?}");
    for (alg, (count, closest)) in &keys {
        assert!(*count >= 2, "{alg}: the keys rotated during the scenario ({count})");
        assert!(
            *closest >= 2,
            "{alg}: two keys {closest} s apart in one rotation period"
        );
    }
}

/// One window of the soak: what was answered in it and the node's state at its end.
struct Window {
    requests: usize,
    errors: usize,
    p99: Duration,
    rss_mib: u64,
    tables: BTreeMap<&'static str, i64>,
}

/// The tables whose size the clean-up bounds, as the soak watches them.
const SOAK_TABLES: [&str; 5] = ["sessions", "access_tokens", "jobs", "auth_requests", "email_tokens"];

async fn table_sizes(database: &str) -> BTreeMap<&'static str, i64> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let mut sizes = BTreeMap::new();
    for table in SOAK_TABLES {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut db)
            .await
            .expect("count");
        sizes.insert(table, n);
    }
    sizes
}

fn resident_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

/// A small SVG: one line chart per series, over the windows.
fn soak_svg(windows: &[Window], window: Duration) -> String {
    let series: [(&str, Vec<f64>); 3] = [
        (
            "requests/s",
            windows
                .iter()
                .map(|w| w.requests as f64 / window.as_secs_f64())
                .collect(),
        ),
        (
            "p99 (ms)",
            windows.iter().map(|w| w.p99.as_secs_f64() * 1000.0).collect(),
        ),
        ("RSS (MiB)", windows.iter().map(|w| w.rss_mib as f64).collect()),
    ];
    let (width, height) = (600.0, 150.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n",
        height * 3.0 + 30.0
    );
    for (row, (name, values)) in series.iter().enumerate() {
        let top = row as f64 * (height + 10.0) + 10.0;
        let max = values.iter().copied().fold(f64::MIN, f64::max).max(1.0);
        let step = if values.len() > 1 {
            (width - 80.0) / (values.len() - 1) as f64
        } else {
            0.0
        };
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1}",
                    60.0 + i as f64 * step,
                    top + height - 20.0 - v / max * (height - 40.0)
                )
            })
            .collect();
        svg.push_str(&format!(
            "<text x=\"5\" y=\"{:.0}\">{name} (max {max:.1})</text>\n<rect x=\"60\" y=\"{:.0}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ccc\"/>\n<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"{}\"/>\n",
            top + 12.0,
            top + 20.0,
            width - 80.0,
            height - 40.0,
            points.join(" ")
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Scenario 5: a steady mixed load on one node for a bounded time (1 minute in 10-second
/// windows by default; `scripts/chaos/soak` runs 10 minutes in 1-minute windows): no 5xx,
/// the p99 per window printed, resident memory at the end within 10% of after the first
/// window, and the tables the clean-up owns bounded by their configured lifetimes (short ones
/// here, cleaned every 5 s). Writes the table and an SVG plot of throughput, p99 and RSS to
/// target/chaos/soak/ (or TESSERA_CHAOS_OUT).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_soak_keeps_latency_memory_and_tables_bounded() {
    let Some(cluster) = PrivatePostgres::start() else {
        return;
    };
    let total = seconds("TESSERA_CHAOS_SOAK_SECONDS", 60);
    let window = seconds("TESSERA_CHAOS_SOAK_WINDOW_SECONDS", 10);
    let rate: u64 = std::env::var("TESSERA_CHAOS_SOAK_RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    execute(&cluster.admin_url(), "CREATE DATABASE tessera", &[]).await;
    let database = cluster.url_of("tessera");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = node_config(dir.path(), port, &database);
    // Short lifetimes, so the clean-up has work within the soak (the test clients' config
    // already has an `oidc:` section: these go into it).
    let short = "sessions:\n  idle_timeout: 20s\nlinks:\n  confirm_email_ttl: 20s\njobs:\n  retention: 10s\n  poll_interval: 1s\n\
                 actions:\n  welcome_email: true\nserver:\n  cleanup_interval: 5s\n";
    let yaml = std::fs::read_to_string(&config).unwrap().replace(
        "oidc:\n",
        "oidc:\n  access_token_ttl: 10s\n  id_token_ttl: 10s\n  code_ttl: 10s\n  refresh_token_idle: 30s\n",
    );
    std::fs::write(&config, format!("{yaml}{short}")).unwrap();
    let node = ServeProcess::start(&config, port).await;
    create_jane(&config);
    let base = node.url("");
    // Eight workers with the whole mix (each signed in, with its own refresh family), taking
    // the ticks in turn.
    let mut workers = Vec::new();
    for id in 0..8 {
        let (browser, refresh, access) = signed_in_app(&node).await;
        workers.push(Arc::new(tokio::sync::Mutex::new(Worker {
            id,
            bases: vec![base.clone()],
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            browser,
            refresh,
            access,
            phases: watch::channel(Phase::Up).1,
            tally: Arc::default(),
        })));
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(16));
    let outcomes = Arc::new(Mutex::new(BTreeMap::<(&'static str, u16), u64>::new()));
    let latencies = Arc::new(Mutex::new(Vec::<(Duration, u16)>::new()));
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    let started = Instant::now();
    let mut window_started = Instant::now();
    let mut windows = Vec::new();
    let mut n = 0u64;
    while started.elapsed() < total {
        ticker.tick().await;
        let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
        let (base, answers, outcomes) = (base.clone(), Arc::clone(&latencies), Arc::clone(&outcomes));
        let worker = Arc::clone(&workers[n as usize % workers.len()]);
        n += 1;
        tokio::spawn(async move {
            let began = Instant::now();
            // Each worker's own operations go round the mix (a worker takes every 8th tick).
            let (operation, status) = worker.lock().await.one(&base, n as usize / 8).await;
            *outcomes
                .lock()
                .expect("outcomes")
                .entry((operation, status))
                .or_default() += 1;
            answers.lock().expect("latencies").push((began.elapsed(), status));
            drop(permit);
        });
        if window_started.elapsed() >= window {
            let mut answered = std::mem::take(&mut *latencies.lock().expect("latencies"));
            answered.sort();
            let errors = answered.iter().filter(|(_, s)| *s >= 500 || *s == 0).count();
            let p99 = answered
                .get(answered.len().saturating_sub(1) * 99 / 100)
                .map_or(Duration::ZERO, |(d, _)| *d);
            windows.push(Window {
                requests: answered.len(),
                errors,
                p99,
                rss_mib: resident_mib(node.pid()),
                tables: table_sizes(&database).await,
            });
            window_started = Instant::now();
        }
    }
    let _ = Arc::clone(&slots).acquire_many_owned(16).await;

    eprintln!("== soak: {total:?} at {rate} requests/s, windows of {window:?}");
    eprintln!("window\trequests\terrors\tp99_ms\trss_mib\t{}", SOAK_TABLES.join("\t"));
    let mut table = String::new();
    for (i, w) in windows.iter().enumerate() {
        let sizes: Vec<String> = SOAK_TABLES.iter().map(|t| w.tables[t].to_string()).collect();
        let line = format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            i + 1,
            w.requests,
            w.errors,
            w.p99.as_millis(),
            w.rss_mib,
            sizes.join("\t")
        );
        eprintln!("{line}");
        table.push_str(&line);
        table.push('\n');
    }
    let out = std::env::var_os("TESSERA_CHAOS_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chaos/soak"));
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("soak.tsv"), table).expect("write the table");
    std::fs::write(out.join("soak.svg"), soak_svg(&windows, window)).expect("write the plot");
    eprintln!("table and plot in {}", out.display());
    eprintln!(
        "answers by operation and status: {:?}",
        outcomes.lock().expect("outcomes")
    );

    assert!(windows.len() >= 3, "the soak ran for several windows");
    assert!(
        windows.iter().all(|w| w.errors == 0),
        "5xx or failed requests during the soak"
    );
    let outcomes = outcomes.lock().expect("outcomes");
    let refused: Vec<_> = outcomes
        .iter()
        .filter(|((_, status), _)| !matches!(status, 200 | 303))
        .collect();
    assert!(refused.is_empty(), "operations that did not succeed: {refused:?}");
    let warm = windows[0].rss_mib;
    let end = windows.last().expect("a window").rss_mib;
    assert!(
        end * 10 <= warm * 11,
        "resident memory grew from {warm} MiB to {end} MiB"
    );
    // Bounded: past the lifetimes (20 s at most) plus a clean-up round, no table keeps growing.
    let settled: Vec<&Window> = windows.iter().skip(3).collect();
    if let (Some(first), Some(last)) = (settled.first(), settled.last()) {
        for table in SOAK_TABLES {
            let (from, to) = (first.tables[table], last.tables[table]);
            assert!(to <= from + from / 5 + 20, "{table} grew from {from} to {to} rows");
        }
    }
}
