//! A real Tessera on a loopback port with its own database and outbox, plus a browser-like
//! client (cookie jar, no automatic redirects so tests can see each hop).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tessera_core::jobs::{Job, JobState, JobStore};
use tessera_store::SqlStore;

use super::db::{Arg, TestDb, execute, open, test_db};
use super::people::FAST_PASSWORDS;

pub const TEST_MASTER_KEY: &str = "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=";

pub struct TestServer {
    /// Where requests go: the server itself, or the proxy in front of it.
    pub base: String,
    /// The server's own loopback address (what a proxy in front of it forwards to).
    pub listen: SocketAddr,
    /// The running server's state (shared), for tests that drive its services directly.
    pub state: tessera_server::AppState,
    pub store: Arc<SqlStore>,
    pub outbox: PathBuf,
    db: TestDb,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The running test's name (libtest names each test's thread after it), for messages.
pub fn current_test() -> String {
    std::thread::current().name().unwrap_or("a test").to_owned()
}

impl TestServer {
    /// A server with cheap password hashing on a fresh [`test_db`] (the backend
    /// TESSERA_TEST_BACKEND chooses).
    pub async fn start() -> Self {
        Self::start_configured(FAST_PASSWORDS).await
    }

    /// Like [`Self::start_with`], on a fresh [`test_db`].
    pub async fn start_configured(extra_yaml: &str) -> Self {
        Self::start_with(test_db(&current_test()).await, extra_yaml).await
    }

    /// `extra_yaml` is appended to a minimal config (top-level keys).
    pub async fn start_with(db: TestDb, extra_yaml: &str) -> Self {
        Self::start_as(db, Public::Listener("http"), extra_yaml).await
    }

    /// A server whose issuer is `https://…` (as behind a TLS-terminating proxy), still
    /// answering plain HTTP on its loopback port: for what an https issuer changes (HSTS,
    /// `Secure` and `__Host-` cookies).
    pub async fn start_https_issuer(extra_yaml: &str) -> Self {
        Self::start_as(test_db(&current_test()).await, Public::Listener("https"), extra_yaml).await
    }

    /// A server whose issuer and [`Self::base`] are `http://localhost:PORT` (listening on
    /// 127.0.0.1): WebAuthn takes a domain as relying-party id, not an IP address.
    pub async fn start_localhost(extra_yaml: &str) -> Self {
        Self::start_as(test_db(&current_test()).await, Public::Localhost, extra_yaml).await
    }

    /// A server behind a reverse proxy that will answer at `public_base`: that is its issuer
    /// and its [`Self::base`], while it listens on its own loopback port ([`Self::listen`],
    /// for the proxy to forward to). Start the proxy before sending requests to `base`.
    pub async fn start_behind_proxy(public_base: &str, extra_yaml: &str) -> Self {
        Self::start_as(test_db(&current_test()).await, Public::Proxy(public_base), extra_yaml).await
    }

    async fn start_as(db: TestDb, public: Public<'_>, extra_yaml: &str) -> Self {
        super::logs::capture();
        let dir = tempfile::tempdir().expect("temp dir");
        let outbox = dir.path().join("outbox");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (issuer, base) = match public {
            Public::Listener(scheme) => (format!("{scheme}://{addr}"), format!("http://{addr}")),
            Public::Proxy(url) => (url.to_owned(), url.to_owned()),
            Public::Localhost => {
                let url = format!("http://localhost:{}", addr.port());
                (url.clone(), url)
            }
        };
        let yaml = format!(
            "issuer: {issuer}\nlisten: {addr}\ndatabase:\n  url: {}\nsecrets:\n  master_key: ${{TEST_KEY}}\n\
             {}{extra_yaml}",
            db.url,
            // A test that configures its own mail transport replaces the outbox.
            if extra_yaml.lines().any(|l| l.starts_with("email:")) {
                String::new()
            } else {
                format!(
                    "email:\n  transport:\n    kind: outbox\n    dir: {}\n",
                    outbox.display()
                )
            }
        );
        let env = HashMap::from([
            ("TEST_KEY".to_string(), TEST_MASTER_KEY.to_string()),
            ("ZENDESK_SECRET".to_string(), "zd-shared-secret".to_string()),
        ]);
        let config =
            tessera_server::config::parse(&yaml, &env).unwrap_or_else(|p| panic!("test config invalid: {p:?}"));
        let store = open(&db).await;
        let state = tessera_server::build_state(config, store.clone()).expect("state");
        let serving = state.clone();
        let task = tokio::spawn(async move {
            let _ = tessera_server::serve(listener, serving).await;
        });
        let server = Self {
            base,
            listen: addr,
            state,
            store,
            outbox,
            db,
            _dir: dir,
            task,
        };
        server.wait_until_ready().await;
        server
    }

    /// Starts this server's metrics listener on a free loopback port, as `tessera serve` does
    /// on `metrics.listen`; returns its base URL.
    pub async fn metrics_listener(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(tessera_server::serve_metrics(listener, self.state.clone(), None));
        base
    }

    /// Serving starts once signing keys exist; wait for that instead of racing it (on the
    /// server's own port: a proxy in front of it may not run yet).
    async fn wait_until_ready(&self) {
        for _ in 0..400 {
            if reqwest::get(format!("http://{}/healthz", self.listen))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the test server did not start");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs one SQL statement straight on this server's database, behind the store's back
    /// (see [`execute`]); returns the rows it changed.
    pub async fn execute_sql(&self, sql: &str, args: &[Arg<'_>]) -> u64 {
        execute(&self.db.url, sql, args).await
    }

    /// Every mail in the outbox, as raw RFC 5322 text, oldest first.
    pub fn mails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.outbox) else {
            return Vec::new();
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .into_iter()
            .map(|p| std::fs::read_to_string(p).expect("read mail"))
            .collect()
    }

    /// The first link under this server in the newest mail that has one for `path_prefix`.
    /// Mail is handed to the transport in the background, so this waits for it (up to 10 s).
    pub async fn link_in_mail(&self, path_prefix: &str) -> String {
        for _ in 0..100 {
            if let Some(link) = self.find_link(path_prefix) {
                return link;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no mail links to {}", self.url(path_prefix));
    }

    /// Like [`Self::link_in_mail`], in the newest mail to `to` whose text contains `about`.
    pub async fn link_in_mail_to(&self, to: &str, about: &str, path_prefix: &str) -> String {
        for _ in 0..100 {
            if let Some(link) = self.find_link_where(path_prefix, |mail| {
                mail.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))) && mail.contains(about)
            }) {
                return link;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no mail to {to} about {about:?} links to {}", self.url(path_prefix));
    }

    fn find_link(&self, path_prefix: &str) -> Option<String> {
        self.find_link_where(path_prefix, |_| true)
    }

    fn find_link_where(&self, path_prefix: &str, wanted: impl Fn(&str) -> bool) -> Option<String> {
        let needle = self.url(path_prefix);
        for mail in self.mails().iter().rev().filter(|m| wanted(m)) {
            let unfolded = unfold_quoted_printable(mail);
            if let Some(start) = unfolded.find(&needle) {
                let rest = &unfolded[start..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
                    .unwrap_or(rest.len());
                let link = &rest[..end];
                // The link's last segment or query is its single-use token.
                if let Some(token) = link.rsplit(['/', '=']).next() {
                    super::logs::secret(token);
                }
                return Some(link.to_owned());
            }
        }
        None
    }
}

/// What a test server's issuer is: its own listener's address (with the URL scheme given, the
/// server itself always answering plain HTTP), a proxy's URL, or `localhost` on its port.
enum Public<'a> {
    Listener(&'static str),
    Proxy(&'a str),
    /// `http://localhost:PORT` on the listener's port.
    Localhost,
}

/// Mail bodies may be quoted-printable: join soft line breaks and decode `=3D`.
fn unfold_quoted_printable(text: &str) -> String {
    text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// An app's back-channel logout endpoint on loopback: its URL, and the logout tokens it
/// receives (it answers 200 to each).
pub async fn backchannel_receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let receiver = axum::Router::new().route(
        "/backchannel",
        axum::routing::post(move |body: String| {
            let tx = tx.clone();
            async move {
                let token = url::form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == "logout_token")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let _ = tx.send(token);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, receiver).await.expect("serve") });
    (format!("http://{addr}/backchannel"), rx)
}

/// A browser whose connections come from `ip` (any of 127.0.0.0/8 on Linux), for tests of
/// what is counted per address.
pub fn browser_from(ip: std::net::Ipv4Addr) -> reqwest::Client {
    browser_builder()
        .local_address(std::net::IpAddr::V4(ip))
        .build()
        .expect("client")
}

/// A browser on `ip` whose requests carry `X-Forwarded-For: forwarded_for`: through a proxy
/// on `ip` when that is trusted, a forgery when it is not.
pub fn browser_forwarding(ip: std::net::Ipv4Addr, forwarded_for: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded_for.parse().expect("header value"));
    browser_builder()
        .local_address(std::net::IpAddr::V4(ip))
        .default_headers(headers)
        .build()
        .expect("client")
}

pub fn browser() -> reqwest::Client {
    browser_builder().build().expect("client")
}

/// What makes a client a [`browser`] (a cookie jar, no automatic redirects), for a test that
/// adds more (an address to connect from, a certificate to trust).
pub fn browser_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
}

/// The CSRF token embedded in a page's form.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field in page:\n{html}"))
        + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

/// GETs a page and returns its CSRF token.
pub async fn csrf_from(client: &reqwest::Client, url: &str) -> String {
    let html = client.get(url).send().await.expect("GET").text().await.expect("body");
    csrf_of(&html)
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Opens `page` (for its CSRF token) and submits a form to `action` with `fields`, as a
/// browser does.
pub async fn submit(client: &reqwest::Client, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = csrf_from(client, page).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(action).form(&form).send().await.expect("POST form");
    // A sign-in (login, a registration that signs in) ends on its own redirect to /account.
    let signs_in = action.ends_with("/login") || action.ends_with("/register");
    if signs_in && location(&response) == "/account" {
        return response;
    }
    after_post(client, action, response).await
}

/// The page a form post ends on: the post/redirect/get hop (303 to `/done` or to the account
/// page with its notice) followed, as a browser does; any other answer as it is.
pub async fn after_post(client: &reqwest::Client, action: &str, response: reqwest::Response) -> reqwest::Response {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    match location.as_deref() {
        Some(to @ ("/done" | "/account")) if response.status() == reqwest::StatusCode::SEE_OTHER => {
            let url = reqwest::Url::parse(action)
                .expect("absolute action")
                .join(to)
                .expect("joined");
            client.get(url).send().await.expect("GET after the post")
        }
        _ => response,
    }
}

/// Waits until no job is queued or running; returns every job.
pub async fn settled(store: &SqlStore, within: std::time::Duration) -> Vec<Job> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let jobs = store.jobs(None, 1000).await.unwrap();
        if jobs.iter().all(|j| matches!(j.state, JobState::Done | JobState::Dead)) {
            return jobs;
        }
        assert!(tokio::time::Instant::now() < deadline, "jobs did not settle: {jobs:#?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
