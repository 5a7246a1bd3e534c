//! Live configuration reload with a real `tessera serve` process: SIGHUP and `tessera reload`
//! change clients, templates and the log level while requests keep arriving over keep-alive
//! connections, none of which fails; a bad file is refused with its problems and changes
//! nothing; a restart-only setting is named and keeps its running value.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::db::{TestDb, test_db};
use crate::support::people::FAST_PASSWORDS;
use crate::support::process::{MASTER_KEY_VAR, ServeProcess, free_port};
use crate::support::server::TEST_MASTER_KEY;

const BUILTIN_LOGIN: &str = include_str!("../crates/tessera-server/templates/login.html");

/// One server's files: its config (rewritten by each test), its theme folder, its database.
struct Site {
    config: PathBuf,
    theme: PathBuf,
    port: u16,
    metrics_port: u16,
    db: TestDb,
    dir: tempfile::TempDir,
}

/// What a test varies in the config.
struct Settings<'a> {
    clients: &'a [&'a str],
    level: &'a str,
    /// Appended as it is: top-level keys.
    extra: &'a str,
}

impl Site {
    async fn new(test: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let theme = dir.path().join("theme");
        std::fs::create_dir(&theme).unwrap();
        let site = Self {
            config: dir.path().join("tessera.yaml"),
            theme,
            port: free_port(),
            metrics_port: free_port(),
            db: test_db(test).await,
            dir,
        };
        site.login_says("Theme one");
        site
    }

    fn write(&self, settings: &Settings) {
        let clients: String = settings
            .clients
            .iter()
            .map(|id| {
                format!(
                    "  - {{ id: {id}, secret: {}, redirect_uris: ['http://127.0.0.1:9/cb'], \
                     grant_types: [client_credentials], scopes: [profile] }}\n",
                    secret_of(id)
                )
            })
            .collect();
        let yaml = format!(
            "issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}\ndatabase:\n  url: {db}\n\
             secrets:\n  master_key: ${{{MASTER_KEY_VAR}}}\n\
             email:\n  transport:\n    kind: outbox\n    dir: {outbox}\n\
             metrics:\n  listen: 127.0.0.1:{metrics}\ntheme:\n  dir: {theme}\n\
             logging:\n  level: {level}\n{FAST_PASSWORDS}clients:\n{clients}{extra}",
            port = self.port,
            db = self.db.url,
            outbox = self.dir.path().join("outbox").display(),
            metrics = self.metrics_port,
            theme = self.theme.display(),
            level = settings.level,
            extra = settings.extra,
        );
        std::fs::write(&self.config, yaml).unwrap();
    }

    /// The theme's login page: the built-in one with `marker` under its heading.
    fn login_says(&self, marker: &str) {
        let page = BUILTIN_LOGIN.replace(
            "<h1>{{ t(\"login-title\") }}</h1>",
            &format!("<h1>Log in</h1>\n<p>{marker}</p>"),
        );
        std::fs::write(self.theme.join("login.html"), page).unwrap();
    }

    async fn serve(&self) -> ServeProcess {
        ServeProcess::start(&self.config, self.port).await
    }

    /// `tessera reload --config` on this site's file, with `env` added to its environment.
    async fn reload_command(&self, env: &[(&str, &str)]) -> Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["reload", "--config"])
            .arg(&self.config)
            .env(MASTER_KEY_VAR, TEST_MASTER_KEY)
            .envs(env.iter().copied())
            .output()
            .await
            .expect("run tessera reload")
    }
}

fn secret_of(client: &str) -> String {
    format!("{client}-secret-0123456789abcdef")
}

/// A client_credentials token request as `client`: the status and the `error`, if any.
async fn token(http: &reqwest::Client, base: &str, client: &str) -> Result<(StatusCode, Option<String>), String> {
    let answer = http
        .post(format!("{base}/token"))
        .basic_auth(client, Some(secret_of(client)))
        .form(&[("grant_type", "client_credentials"), ("scope", "profile")])
        .send()
        .await
        .map_err(|e| format!("token for {client}: {e}"))?;
    let status = answer.status();
    let body: Value = answer.json().await.map_err(|e| format!("token for {client}: {e}"))?;
    Ok((status, body["error"].as_str().map(str::to_owned)))
}

async fn login_page(http: &reqwest::Client, base: &str) -> String {
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.unwrap()
}

/// Requests sent without pause over a few keep-alive connections until stopped, each one
/// checked: discovery, a token for the client every config keeps, the login page.
struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<(usize, Vec<String>)>>,
}

impl Load {
    fn start(base: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = (0..3)
            .map(|_| tokio::spawn(Self::run(reqwest::Client::new(), base.to_owned(), stop.clone())))
            .collect();
        Self { stop, tasks }
    }

    async fn run(http: reqwest::Client, base: String, stop: Arc<AtomicBool>) -> (usize, Vec<String>) {
        let (mut sent, mut failures) = (0, Vec::new());
        while !stop.load(Ordering::Relaxed) {
            for outcome in [
                Self::status_of(http.get(format!("{base}/.well-known/openid-configuration"))).await,
                token(&http, &base, "steady").await.map(|(status, _)| status),
                Self::status_of(http.get(format!("{base}/login"))).await,
            ] {
                sent += 1;
                match outcome {
                    Ok(StatusCode::OK) => {}
                    Ok(status) => failures.push(format!("HTTP {status}")),
                    Err(e) => failures.push(e),
                }
            }
        }
        (sent, failures)
    }

    async fn status_of(request: reqwest::RequestBuilder) -> Result<StatusCode, String> {
        let answer = request.send().await.map_err(|e| e.to_string())?;
        let status = answer.status();
        answer.bytes().await.map_err(|e| e.to_string())?;
        Ok(status)
    }

    /// Stops the load; returns how many requests were sent and every failure.
    async fn finish(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let (mut sent, mut failures) = (0, Vec::new());
        for task in self.tasks {
            let (n, f) = task.await.unwrap();
            sent += n;
            failures.extend(f);
        }
        (sent, failures)
    }
}

enum Trigger {
    Hangup,
    Command,
}

/// The running server is asked to reload, and the reload is done when this returns.
async fn reload(site: &Site, server: &ServeProcess, trigger: Trigger, reloads_before: usize) {
    match trigger {
        Trigger::Hangup => server.signal("HUP"),
        Trigger::Command => {
            let out = site.reload_command(&[]).await;
            let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
            assert!(out.status.success(), "tessera reload: {stdout}{stderr}");
            assert_eq!(stdout, format!("{}: reloaded\n", site.config.display()), "{stderr}");
        }
    }
    server
        .log_lines_with("configuration reloaded", reloads_before + 1)
        .await;
}

/// Replaces each `(from, to)` once in the file at `path`.
fn rewrite(path: &Path, edits: &[(&str, &str)]) {
    let mut yaml = std::fs::read_to_string(path).unwrap();
    for (from, to) in edits {
        assert!(yaml.contains(from), "{from:?} is not in:\n{yaml}");
        yaml = yaml.replacen(from, to, 1);
    }
    std::fs::write(path, yaml).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_secrets(log: &str) {
    assert!(
        !log.contains("-secret-0123456789abcdef"),
        "a client secret is in the log:\n{log}"
    );
    assert!(!log.contains(TEST_MASTER_KEY), "the master key is in the log:\n{log}");
    assert!(
        !log.contains("desk-shared-secret"),
        "the helpdesk's secret is in the log:\n{log}"
    );
}

/// An upstream provider and a helpdesk the first config does not have.
const NEW_UPSTREAM_AND_HELPDESK: &str = "upstreams:\n  - { id: acme, kind: oidc, label: Acme, client_id: tessera, \
     issuer: 'http://127.0.0.1:9' }\nremote_auth:\n  - { id: desk, kind: zendesk_jwt, url: 'https://desk.example.com', \
     secret: desk-shared-secret-0123456789 }\n";

async fn a_good_reload_applies_under_load(test: &str, trigger: Trigger) {
    let site = Site::new(test).await;
    site.write(&Settings {
        clients: &["steady", "leaving"],
        level: "warn",
        extra: "",
    });
    let server = site.serve().await;
    // One client for every probe, so its keep-alive connection is there before and after.
    let probe = reqwest::Client::new();
    assert!(login_page(&probe, &server.base).await.contains("Theme one"));
    assert_eq!(token(&probe, &server.base, "leaving").await.unwrap().0, StatusCode::OK);
    let refused = token(&probe, &server.base, "arriving").await.unwrap();
    assert_eq!(refused, (StatusCode::UNAUTHORIZED, Some("invalid_client".into())));
    assert!(
        !server.log().contains("tessera::access"),
        "at warn there is no access log"
    );
    let helpdesk = || async {
        probe
            .get(server.url("/remote-auth/desk"))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(helpdesk().await, StatusCode::NOT_FOUND);

    let load = Load::start(&server.base);
    tokio::time::sleep(Duration::from_millis(500)).await;
    site.write(&Settings {
        clients: &["steady", "arriving"],
        level: "info",
        extra: NEW_UPSTREAM_AND_HELPDESK,
    });
    site.login_says("Theme two");
    reload(&site, &server, trigger, 0).await;

    let arrived = token(&probe, &server.base, "arriving").await.unwrap();
    assert_eq!(arrived, (StatusCode::OK, None), "the new client gets tokens");
    let left = token(&probe, &server.base, "leaving").await.unwrap();
    assert_eq!(left, (StatusCode::UNAUTHORIZED, Some("invalid_client".into())));
    let page = login_page(&probe, &server.base).await;
    assert!(page.contains("Theme two") && !page.contains("Theme one"), "{page}");
    assert!(
        page.contains("Sign in with Acme"),
        "the new upstream has its button: {page}"
    );
    assert_ne!(helpdesk().await, StatusCode::NOT_FOUND, "the new helpdesk answers");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (sent, failures) = load.finish().await;
    assert!(
        failures.is_empty(),
        "{} of {sent} requests failed: {failures:?}",
        failures.len()
    );
    assert!(sent > 30, "the load ran: {sent} requests");

    let log = server.log_lines_with("tessera::access", 1).await;
    assert!(log.contains("configuration reloaded"), "{log}");
    assert!(!log.contains("need a restart"), "nothing restart-only changed:\n{log}");
    assert_no_secrets(&log);
}

#[tokio::test]
async fn sighup_reloads_clients_templates_and_log_level_without_a_failed_request() {
    a_good_reload_applies_under_load("reload_sighup", Trigger::Hangup).await;
}

#[tokio::test]
async fn tessera_reload_reloads_clients_templates_and_log_level_without_a_failed_request() {
    a_good_reload_applies_under_load("reload_command", Trigger::Command).await;
}

/// The first config of the refusal tests: `steady`, theme one, logging at info.
const GOOD: Settings = Settings {
    clients: &["steady"],
    level: "info",
    extra: "",
};

/// The old config still serves: its client, its theme, and the process is up.
async fn still_serves_the_old_config(server: &mut ServeProcess) {
    assert!(server.is_running(), "the server keeps running");
    let http = reqwest::Client::new();
    assert_eq!(token(&http, &server.base, "steady").await.unwrap().0, StatusCode::OK);
    assert_eq!(
        token(&http, &server.base, "extra").await.unwrap().0,
        StatusCode::UNAUTHORIZED,
        "nothing of the refused file is in force"
    );
    assert!(login_page(&http, &server.base).await.contains("Theme one"));
}

#[tokio::test]
async fn a_bad_config_is_refused_with_its_problems_and_the_old_one_keeps_serving() {
    let site = Site::new("reload_refused").await;
    site.write(&GOOD);
    let mut server = site.serve().await;
    let file = site.config.display().to_string();
    let bad_yaml = || std::fs::write(&site.config, "issuer: [http://x\nlisten: :\n").unwrap();
    let bad_value = || {
        site.write(&Settings {
            clients: &["steady", "extra"],
            extra: "registration:\n  mode: sometimes\n",
            ..GOOD
        });
    };
    let broken_template = || {
        site.write(&Settings {
            clients: &["steady", "extra"],
            ..GOOD
        });
        std::fs::write(site.theme.join("register.html"), "{% if %}").unwrap();
    };
    let cases: [(&str, &dyn Fn(), &str); 3] = [
        (
            "a YAML error",
            &bad_yaml,
            &format!("{file}:2:7: this is not valid YAML"),
        ),
        (
            "an invalid value",
            &bad_value,
            "registration.mode: \"sometimes\" is not one of",
        ),
        (
            "a broken template",
            &broken_template,
            &format!("{file}: template register.html"),
        ),
    ];
    for (refusals, (case, make_bad, why)) in cases.into_iter().enumerate() {
        make_bad();
        // The command checks the file itself and never asks the server.
        let out = site.reload_command(&[]).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{case}: {stderr}");
        assert!(stderr.contains(why), "{case}: the command says why:\n{stderr}");
        assert!(text(&out.stdout).is_empty(), "{case}");
        // SIGHUP reaches the server, which refuses it and logs why.
        server.signal("HUP");
        let log = server.log_lines_with("configuration not reloaded", refusals + 1).await;
        assert!(
            log.lines().any(|l| l.contains(" ERROR ") && l.contains(why)),
            "{case}: the log says why:\n{log}"
        );
        still_serves_the_old_config(&mut server).await;
        std::fs::remove_file(site.theme.join("register.html")).ok();
    }
    assert!(!server.log().contains("configuration reloaded"));
    assert_no_secrets(&server.log());
}

/// A file the command's own check passes and the server refuses (a variable only the
/// command's shell has): `tessera reload` prints the server's problems and exits 1.
#[tokio::test]
async fn tessera_reload_prints_why_the_server_refused() {
    let site = Site::new("reload_server_refused").await;
    site.write(&GOOD);
    let mut server = site.serve().await;
    site.write(&Settings {
        clients: &["steady", "extra"],
        ..GOOD
    });
    rewrite(&site.config, &[("email:\n", "email:\n  from: ${ONLY_IN_THE_SHELL}\n")]);

    let out = site
        .reload_command(&[("ONLY_IN_THE_SHELL", "Tessera <sso@example.com>")])
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:", site.config.display())) && stderr.contains("ONLY_IN_THE_SHELL"),
        "the server's problem, with its place:\n{stderr}"
    );
    assert!(stderr.contains("the server refused the configuration"), "{stderr}");
    server.log_lines_with("configuration not reloaded", 1).await;
    still_serves_the_old_config(&mut server).await;

    // The same answer over HTTP, from this (loopback) machine; only POST reloads.
    let metrics = format!("http://127.0.0.1:{}/-/reload", site.metrics_port);
    let http = reqwest::Client::new();
    let answer = http.post(&metrics).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["outcome"], "refused", "{body}");
    assert!(
        body["problems"][0].as_str().unwrap().contains("ONLY_IN_THE_SHELL"),
        "{body}"
    );
    let get = http.get(&metrics).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    still_serves_the_old_config(&mut server).await;
}

#[tokio::test]
async fn a_changed_restart_only_setting_is_named_and_keeps_its_running_value() {
    let site = Site::new("reload_restart_only").await;
    site.write(&GOOD);
    let server = site.serve().await;
    let (old_port, new_port) = (site.port, free_port());
    site.write(&Settings {
        clients: &["steady", "extra"],
        ..GOOD
    });
    let other_db = format!("sqlite://{}", site.dir.path().join("other.db").display());
    rewrite(
        &site.config,
        &[
            (
                &format!("listen: 127.0.0.1:{old_port}\n"),
                &format!("listen: 127.0.0.1:{new_port}\n"),
            ),
            (&format!("url: {}\n", site.db.url), &format!("url: {other_db}\n")),
            ("level: info\n", "level: info\n  format: json\n"),
        ],
    );

    let out = site.reload_command(&[]).await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    let named = "these settings need a restart and keep their running values until then: \
                 listen, database.url, logging.format";
    assert!(
        stderr.contains(&format!("warning: {}: {named}", site.config.display())),
        "{stderr}"
    );
    let log = server.log_lines_with("configuration reloaded", 1).await;
    assert!(log.contains(named), "the log names them too:\n{log}");
    let last = log.lines().last().unwrap();
    assert!(!last.starts_with('{'), "still the text format: {last}");

    let http = reqwest::Client::new();
    let applied = token(&http, &server.base, "extra").await.unwrap();
    assert_eq!(applied.0, StatusCode::OK, "the rest of the file is in force");
    assert!(
        reqwest::get(format!("http://127.0.0.1:{new_port}/healthz"))
            .await
            .is_err(),
        "nothing listens on the new address before a restart"
    );
    assert!(
        !Path::new(&site.dir.path().join("other.db")).exists(),
        "the database stays the running one"
    );
}
