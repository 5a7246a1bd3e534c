//! The reverse-proxy example, `config/nginx/tessera.conf`, run by the real nginx in front of a
//! real Tessera: TLS ends at nginx with a throwaway certificate, and a client that trusts only
//! that certificate signs in and runs the code flow through it. The site file is the example
//! itself with the test's ports, paths and upstream put in, so the documented file is the
//! tested one. `.ci/run` installs nginx and sets TESSERA_REQUIRE_NGINX, which turns a missing
//! nginx into a failure instead of a visible skip.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use openidconnect::PkceCodeChallenge;
use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::store::AuditStore;

use crate::oidc::{self, code_for, token_request_from};
use crate::support::logs;
use crate::support::people::{PASSWORD, log_in};
use crate::support::server::{TestServer, browser, browser_builder, current_test, location};

const EXAMPLE: &str = include_str!("../config/nginx/tessera.conf");

/// The public client of `oidc::clients_yaml`: PKCE is mandatory for it.
const SPA_CALLBACK: &str = "http://127.0.0.1:9002/cb";

/// Where the browser connects from, so nginx's `$remote_addr` differs from its own address
/// (127.0.0.1, the trusted proxy) and from the address the browser forges.
const BROWSER_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const FORGED_IP: &str = "6.6.6.6";

/// A running nginx with this test's configuration; killed when dropped, also on a panic.
struct Nginx {
    process: Child,
    dir: tempfile::TempDir,
    /// The throwaway certificate it serves, the only one the test's clients trust.
    certificate: reqwest::Certificate,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Nginx {
    /// What nginx wrote (its error log goes to standard error), for failure messages.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nginx.log")).unwrap_or_default()
    }
}

/// The nginx binary: on PATH, or where Debian installs it (`/usr/sbin` is not on every
/// user's PATH). `None`, after printing why, when there is none and TESSERA_REQUIRE_NGINX is
/// not set.
pub(crate) fn nginx_or_skip(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_NGINX").is_none(),
            "TESSERA_REQUIRE_NGINX is set but there is no nginx on PATH or in /usr/sbin: \
             install it with `apt-get install nginx`"
        );
        eprintln!("SKIPPED {test}: nginx is not installed (`apt-get install nginx`)");
    }
    found
}

/// A free loopback port for one of nginx's listeners, held (bound) by the test until nginx
/// is about to bind it, so that Tessera's own listener, started first because its issuer must
/// name nginx's port, cannot take it meanwhile.
fn reserve_port() -> (std::net::TcpListener, u16) {
    let held = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free loopback port");
    let port = held.local_addr().expect("its address").port();
    (held, port)
}

/// `text` with `from`, which must occur exactly `times` times, replaced by `to`: an edit of
/// the example that this test no longer matches fails here instead of testing something else.
fn replace(text: &str, from: &str, to: &str, times: usize) -> String {
    let found = text.matches(from).count();
    assert_eq!(
        found, times,
        "config/nginx/tessera.conf has {from:?} {found} times instead of {times}: update tests/nginx.rs with it"
    );
    text.replace(from, to)
}

/// The example as this test runs it: its public name, ports, certificate and upstream become
/// the test's. The IPv6 `listen` lines go: a free IPv4 loopback port need not be free on
/// `::1`, and the IPv4 listeners are the ones the test talks to.
fn site_config(https_port: u16, http_port: u16, upstream: SocketAddr, dir: &Path) -> String {
    let public = format!("https://127.0.0.1:{https_port}");
    let mut site = replace(
        EXAMPLE,
        "return 301 https://sso.example.com$request_uri;",
        &format!("return 301 {public}$request_uri;"),
        1,
    );
    for (file, ours) in [("fullchain.pem", "cert.pem"), ("privkey.pem", "key.pem")] {
        let path = format!("/etc/letsencrypt/live/sso.example.com/{file}");
        site = replace(&site, &path, &dir.join(ours).display().to_string(), 1);
    }
    site = replace(&site, "server_name sso.example.com;", "server_name 127.0.0.1;", 2);
    site = replace(
        &site,
        "listen 443 ssl http2;",
        &format!("listen 127.0.0.1:{https_port} ssl http2;"),
        1,
    );
    site = replace(&site, "listen 80;", &format!("listen 127.0.0.1:{http_port};"), 1);
    site = replace(&site, "    listen [::]:443 ssl http2;\n", "", 1);
    site = replace(&site, "    listen [::]:80;\n", "", 1);
    site = replace(&site, "server 127.0.0.1:8080;", &format!("server {upstream};"), 1);
    let left: Vec<&str> = site
        .lines()
        .filter(|l| l.contains("example.com") && !l.trim_start().starts_with('#'))
        .collect();
    assert!(left.is_empty(), "example values the test does not replace: {left:?}");
    site
}

/// The main file Debian's `/etc/nginx/nginx.conf` would be, around the site file: the test's
/// own pid file, log and temp folders (relative paths are under the `-p` prefix, the temp
/// folder), so nginx needs no privilege and touches nothing of the system's. One process
/// (`master_process off`), so killing it leaves no worker behind.
const MAIN_CONFIG: &str = "master_process off;
pid nginx.pid;
error_log stderr info;
events { worker_connections 64; }
http {
    access_log access.log;
    client_body_temp_path client_body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
    include tessera.conf;
}
";

/// A self-signed certificate for 127.0.0.1 (an end-entity one: `CA:FALSE`, as TLS clients
/// require of a server's certificate), made with the `openssl` command.
fn make_certificate(dir: &Path) -> reqwest::Certificate {
    let request = "[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n\
                   [dn]\nCN = 127.0.0.1\n\
                   [ext]\nsubjectAltName = IP:127.0.0.1\nbasicConstraints = critical, CA:FALSE\n\
                   keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n";
    std::fs::write(dir.join("openssl.cnf"), request).expect("write openssl.cnf");
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(["req", "-x509", "-config", "openssl.cnf", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "1"])
        .args(["-keyout", "key.pem", "-out", "cert.pem"])
        .output()
        .expect("run `openssl` (the test certificate is made with it: apt-get install openssl)");
    assert!(
        output.status.success(),
        "openssl could not make the test certificate:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pem = std::fs::read(dir.join("cert.pem")).expect("read cert.pem");
    reqwest::Certificate::from_pem(&pem).expect("the test certificate parses")
}

/// A client that trusts only `nginx`'s certificate, connecting from [`BROWSER_IP`].
fn client_of(nginx: &Nginx) -> reqwest::ClientBuilder {
    browser_builder()
        .tls_certs_only([nginx.certificate.clone()])
        .local_address(std::net::IpAddr::V4(BROWSER_IP))
}

/// Starts nginx from `binary` with the example in front of `server` (started with
/// [`TestServer::start_behind_proxy`] at `https://127.0.0.1:{https_port}`); returns once
/// `/healthz` answers through it.
async fn start_nginx(binary: &Path, server: &TestServer, https_port: u16, http_port: u16) -> Nginx {
    let dir = tempfile::tempdir().expect("temp dir");
    let certificate = make_certificate(dir.path());
    std::fs::write(
        dir.path().join("tessera.conf"),
        site_config(https_port, http_port, server.listen, dir.path()),
    )
    .expect("write tessera.conf");
    std::fs::write(dir.path().join("nginx.conf"), MAIN_CONFIG).expect("write nginx.conf");
    let log = std::fs::File::create(dir.path().join("nginx.log")).expect("create nginx.log");
    let prefix = format!("{}/", dir.path().display());
    let process = Command::new(binary)
        .args(["-p", &prefix, "-c", &format!("{prefix}nginx.conf"), "-e", "stderr"])
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let mut nginx = Nginx {
        process,
        dir,
        certificate,
    };
    let client = client_of(&nginx).build().expect("client");
    for _ in 0..200 {
        if let Some(status) = nginx.process.try_wait().expect("nginx's status") {
            panic!("nginx stopped ({status}):\n{}", nginx.log());
        }
        if client
            .get(server.url("/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == StatusCode::OK)
        {
            return nginx;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/healthz did not answer through nginx within 10 s:\n{}", nginx.log());
}

/// Tessera as `config/nginx/tessera.conf` says to run it (https issuer, the nginx on loopback
/// as its only trusted proxy) with the OIDC suite's apps, and the example nginx in front.
/// `None` when the test is skipped.
async fn behind_nginx() -> Option<(TestServer, Nginx, u16)> {
    let binary = nginx_or_skip(&current_test())?;
    let (https_held, https_port) = reserve_port();
    let (http_held, http_port) = reserve_port();
    let yaml = format!(
        "{}server:\n  trusted_proxies: [127.0.0.1/32]\n",
        oidc::clients_yaml("http://127.0.0.1:9/never")
    );
    let server = TestServer::start_behind_proxy(&format!("https://127.0.0.1:{https_port}"), &yaml).await;
    drop((https_held, http_held));
    let nginx = start_nginx(&binary, &server, https_port, http_port).await;
    Some((server, nginx, http_port))
}

/// The one `Strict-Transport-Security` an answer must carry (Tessera's; nginx adds none).
fn assert_hsts(response: &reqwest::Response, what: &str) {
    let values: Vec<_> = response.headers().get_all("strict-transport-security").iter().collect();
    assert_eq!(values, ["max-age=31536000"], "HSTS on {what}");
}

#[tokio::test]
async fn through_the_nginx_example_discovery_login_and_the_code_flow_are_https() {
    let Some((server, nginx, _)) = behind_nginx().await else {
        return;
    };
    // The browser forges where it comes from and how; nginx must overwrite all of it.
    let mut forged = reqwest::header::HeaderMap::new();
    forged.insert("x-forwarded-for", FORGED_IP.parse().unwrap());
    forged.insert("x-forwarded-proto", "http".parse().unwrap());
    forged.insert("forwarded", format!("for={FORGED_IP};proto=http").parse().unwrap());
    let browser = client_of(&nginx).default_headers(forged).build().expect("client");

    let discovery = browser
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery through nginx");
    assert_eq!(discovery.status(), StatusCode::OK);
    assert_hsts(&discovery, "discovery");
    let meta: Value = discovery.json().await.unwrap();
    assert_eq!(meta["issuer"], server.base.as_str());
    let endpoints: Vec<(&String, &Value)> = meta
        .as_object()
        .unwrap()
        .iter()
        .filter(|(key, _)| key.ends_with("_endpoint") || *key == "jwks_uri")
        .collect();
    assert!(endpoints.len() >= 4, "{meta}");
    for (key, url) in endpoints {
        assert!(
            url.as_str().unwrap().starts_with(&format!("{}/", server.base)),
            "{key} is {url}, not under {}",
            server.base
        );
    }

    let jane = oidc::person(&server).await;
    let login = log_in(&server, &browser, "jane", PASSWORD, None).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER, "{}", nginx.log());
    assert_hsts(&login, "the login answer");
    let cookies: Vec<&str> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-tessera_session="))
        .unwrap_or_else(|| panic!("no __Host- session cookie in {cookies:?}"));
    let attributes: Vec<String> = session
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attributes.iter().any(|a| a == "secure"), "{session}");
    assert!(attributes.iter().any(|a| a == "path=/"), "{session}");
    assert!(!attributes.iter().any(|a| a.starts_with("domain")), "{session}");
    // The browser sends the cookie back over https: it is signed in.
    let account = browser.get(server.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::OK);

    // The audit event has the address nginx saw, not the one the browser wrote.
    let events = server.store.recent_events(20).await.unwrap();
    let event = events
        .iter()
        .find(|e| e.kind == "user.login" && e.user_id == Some(jane.id))
        .unwrap_or_else(|| panic!("no user.login event in {events:?}"));
    assert_eq!(event.ip.as_deref(), Some(BROWSER_IP.to_string().as_str()));

    // The authorization-code flow with PKCE, the public client's way.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    logs::secret(verifier.secret());
    let pkce = format!("&code_challenge={}&code_challenge_method=S256", challenge.as_str());
    let code = code_for(&server, &browser, "spa", SPA_CALLBACK, "openid profile", &pkce).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", SPA_CALLBACK),
        ("client_id", "spa"),
        ("code_verifier", verifier.secret().as_str()),
    ];
    let (status, tokens, headers) = token_request_from(&browser, &server, None, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(
        headers.get_all("strict-transport-security").iter().collect::<Vec<_>>(),
        ["max-age=31536000"]
    );
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let payload = id_token.split('.').nth(1).expect("a JWT");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("JSON claims");
    assert_eq!(claims["iss"], server.base.as_str());
    assert_eq!(claims["sub"], jane.id.to_string());

    let userinfo = browser
        .get(server.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().expect("an access token"))
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
    assert_hsts(&userinfo, "userinfo");
    let info: Value = userinfo.json().await.unwrap();
    assert_eq!(info["sub"], jane.id.to_string());
    assert_eq!(info["preferred_username"], "jane");
}

#[tokio::test]
async fn the_nginx_example_speaks_only_tls_1_2_and_1_3_and_redirects_plain_http() {
    let Some((server, nginx, http_port)) = behind_nginx().await else {
        return;
    };
    for (version, name) in [
        (reqwest::tls::Version::TLS_1_2, "TLS 1.2"),
        (reqwest::tls::Version::TLS_1_3, "TLS 1.3"),
    ] {
        let client = client_of(&nginx)
            .tls_version_min(version)
            .tls_version_max(version)
            .build()
            .expect("client");
        let status = client.get(server.url("/healthz")).send().await.map(|r| r.status());
        assert_eq!(status.ok(), Some(StatusCode::OK), "{name}");
    }
    // rustls has no TLS 1.0 or 1.1 at all; openssl's client does at security level 0, so a
    // refusal is the server's (its "protocol version" alert), not the client's.
    let https_port = server.base.rsplit(':').next().unwrap();
    for old in ["-tls1", "-tls1_1"] {
        let output = Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{https_port}"), old])
            .args(["-cipher", "DEFAULT@SECLEVEL=0"])
            .stdin(Stdio::null())
            .output()
            .expect("run `openssl s_client`");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !output.status.success() && said.contains("alert protocol version"),
            "nginx did not refuse {old} with a protocol version alert:\n{said}"
        );
    }

    // Plain HTTP gets a redirect to the same path on https, and nothing else.
    let plain = browser()
        .get(format!("http://127.0.0.1:{http_port}/login?next=%2Faccount"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(location(&plain), server.url("/login?next=%2Faccount"));
    assert!(plain.headers().get("set-cookie").is_none());

    // Bodies over Tessera's 64 KiB stop at nginx.
    let client = client_of(&nginx).build().expect("client");
    let big = client
        .post(server.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 65 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
