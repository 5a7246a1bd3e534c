//! The nodes the scenarios run: `tessera serve` processes on one database, their sandbox
//! providers, and nginx in front of them.

use std::time::Duration;

use reqwest::StatusCode;
use tessera_sandbox::Sandbox;

use super::load::Base;
use crate::oidc::clients_yaml;
use crate::support::Served;
use crate::support::db::execute;
use crate::support::people::PASSWORD;
use crate::support::pg_cluster::{PrivatePostgres, within};
use crate::support::process::{MASTER_KEY_VAR, ServeProcess, free_port};
use crate::support::server::TEST_MASTER_KEY;

/// The sandbox providers (in this process, on loopback) the nodes' upstream logins use.
pub(super) async fn sandbox() -> Sandbox {
    tessera_sandbox::start("127.0.0.1:0".parse().expect("address"), Default::default())
        .await
        .expect("sandbox")
}

/// The nodes' common configuration: one database, the test clients (with fast passwords), no
/// throttling of the load's registrations.
pub(super) fn node_config(dir: &std::path::Path, port: u16, database: &str, sandbox: &Sandbox) -> std::path::PathBuf {
    node_config_as(dir, &format!("http://127.0.0.1:{port}"), port, database, sandbox)
}

/// [`node_config`] for a node whose issuer is `issuer` (a load balancer in front of it).
fn node_config_as(
    dir: &std::path::Path,
    issuer: &str,
    port: u16,
    database: &str,
    sandbox: &Sandbox,
) -> std::path::PathBuf {
    let config = dir.join(format!("node-{port}.yaml"));
    let yaml = format!(
        "issuer: {issuer}\nlisten: 127.0.0.1:{port}\ndatabase:\n  url: {database}\n\
         secrets:\n  master_key: ${{{MASTER_KEY_VAR}}}\nmetrics:\n  listen: off\n\
         registration:\n  email_confirmation: optional\nemail:\n  transport:\n    kind: outbox\n    dir: {}\n\
         security:\n  throttle:\n    mail_per_ip: 0\n    helpdesk_per_account: 0\n\
         remote_auth:\n  - {{ id: desk, kind: zendesk_jwt, url: 'https://desk.example.com', secret: a-helpdesk-secret-for-chaos, delivery: get }}\n{}{}",
        dir.join("outbox").display(),
        clients_yaml("http://127.0.0.1:9/never"),
        crate::upstream::upstreams_yaml(&sandbox.base_url()),
    );
    std::fs::write(&config, yaml).expect("write node config");
    config
}

/// `count` nodes using `sandbox`, and the first one's config file (for `tessera` commands).
pub(super) async fn start_nodes(
    dir: &std::path::Path,
    database: &str,
    count: usize,
    sandbox: &Sandbox,
) -> (Vec<ServeProcess>, std::path::PathBuf) {
    let mut nodes = Vec::new();
    let mut configs = Vec::new();
    // One issuer for all, as behind a load balancer (tokens of one node are good on the
    // others): the first node's address.
    let ports: Vec<u16> = (0..count).map(|_| free_port()).collect();
    let issuer = format!("http://127.0.0.1:{}", ports[0]);
    // One at a time: the first migrates, the others find the schema ready.
    for port in ports {
        let config = node_config_as(dir, &issuer, port, database, sandbox);
        nodes.push(ServeProcess::start(&config, port).await);
        configs.push(config);
    }
    (nodes, configs.swap_remove(0))
}

pub(super) fn create_jane(config: &std::path::Path) {
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

pub(super) async fn all_ready(nodes: &[ServeProcess]) -> bool {
    for node in nodes {
        let ready = reqwest::get(node.url("/readyz")).await;
        if !ready.is_ok_and(|r| r.status() == StatusCode::OK) {
            return false;
        }
    }
    true
}

/// Debian's nginx as the load balancer in front of the nodes (plain HTTP on loopback): it
/// retries a request on the next node when one refuses the connection or fails before
/// answering (`proxy_next_upstream error timeout`, its default for idempotent requests).
pub(super) struct LoadBalancer {
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

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nginx.log")).unwrap_or_default()
    }
}

/// Three nodes on a database of `cluster`, with `extra` in their config (and `oidc` in its
/// `oidc:` section), behind nginx (their issuer), and jane.
pub(super) struct Fleet {
    pub database: String,
    pub nodes: Vec<ServeProcess>,
    pub configs: Vec<std::path::PathBuf>,
    pub ports: Vec<u16>,
    pub balancer: LoadBalancer,
    /// The nodes' upstream providers, kept running as long as the fleet.
    pub sandbox: Sandbox,
}

impl Fleet {
    pub async fn start(
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
        let sandbox = sandbox().await;
        let configs: Vec<_> = ports
            .iter()
            .map(|p| {
                let config = node_config_as(dir, &issuer, *p, &database, &sandbox);
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
            sandbox,
        }
    }
}
