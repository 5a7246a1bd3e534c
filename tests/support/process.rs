//! A real `tessera serve` process on a config file the test can rewrite, its log written to a
//! file the test reads while the process runs (for what signals do: SIGHUP needs a process).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use super::server::TEST_MASTER_KEY;

/// The variable the config's `secrets.master_key` names: `${TESSERA_PROCESS_KEY}`.
pub const MASTER_KEY_VAR: &str = "TESSERA_PROCESS_KEY";

pub struct ServeProcess {
    pub base: String,
    child: tokio::process::Child,
    log: PathBuf,
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

impl ServeProcess {
    /// `tessera serve --migrate` on `config` (which listens on `port`), with `RUST_LOG` unset
    /// so the config's `logging.level` rules; waits until `/healthz` answers.
    pub async fn start(config: &Path, port: u16) -> Self {
        let log = config.with_extension("log");
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["serve", "--migrate", "--config"])
            .arg(config)
            .env(MASTER_KEY_VAR, TEST_MASTER_KEY)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn tessera serve");
        let mut served = Self {
            base: format!("http://127.0.0.1:{port}"),
            child,
            log,
        };
        for _ in 0..400 {
            if reqwest::get(served.url("/healthz")).await.is_ok() {
                return served;
            }
            assert!(served.is_running(), "tessera serve exited:\n{}", served.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tessera serve did not start:\n{}", served.log());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything the process has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log has `count` lines containing `text`, and returns the log.
    pub async fn log_lines_with(&self, text: &str, count: usize) -> String {
        for _ in 0..200 {
            let log = self.log();
            if log.lines().filter(|l| l.contains(text)).count() >= count {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {count} log lines with {text:?} within 10 s:\n{}", self.log());
    }

    /// Waits for the process to exit, at most `limit`.
    pub async fn exit_within(&mut self, limit: Duration) -> std::process::ExitStatus {
        match tokio::time::timeout(limit, self.child.wait()).await {
            Ok(status) => status.expect("child status"),
            Err(_) => panic!("tessera serve still runs after {limit:?}:\n{}", self.log()),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("child status").is_none()
    }

    /// Sends the process `signal` (a name `kill` knows, like HUP).
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().expect("running").to_string();
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill -{signal} {pid}");
    }
}

/// A loopback port free right now (closed again at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}
