//! A private PostgreSQL cluster to break: `initdb` into a temp folder, its own loopback port,
//! started, stopped (fast or immediate) and killed with `pg_ctl`, never touching the
//! machine's own server. The Debian packages' binaries, run as the `postgres` user when the
//! tests run as root (PostgreSQL refuses to run as root).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub struct PrivatePostgres {
    pub port: u16,
    bin: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
}

/// How `pg_ctl stop` shuts the server down (`-m`).
#[derive(Clone, Copy, Debug)]
pub enum Shutdown {
    /// Disconnects clients, then a clean checkpoint.
    Fast,
    /// Kills every backend at once: the next start recovers from the WAL, as after a crash.
    Immediate,
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "10"]);
    }
}

impl PrivatePostgres {
    /// A new cluster, started; `None` (after printing why) when the PostgreSQL server
    /// binaries are not installed.
    pub fn start() -> Option<Self> {
        let Some(bin) = server_binaries() else {
            eprintln!("SKIPPED: no /usr/lib/postgresql/*/bin/initdb (install the postgresql package)");
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("data folder");
        let as_root = runs_as_root();
        if as_root {
            let chown = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(chown.success(), "chown the cluster folder to postgres");
        }
        let cluster = Self {
            port: super::process::free_port(),
            bin,
            data,
            _dir: dir,
        };
        let init = cluster
            .command("initdb")
            .args(["-D"])
            .arg(&cluster.data)
            .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
            .output()
            .expect("run initdb");
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        cluster.start_again();
        Some(cluster)
    }

    /// The cluster's `postgres` database; tests create theirs in it.
    pub fn admin_url(&self) -> String {
        self.url_of("postgres")
    }

    /// The URL of database `name` in the cluster, as its superuser.
    pub fn url_of(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Starts the (stopped) cluster and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.data.display()
        );
        let log = self.data.join("server.log");
        let log = log.to_str().expect("utf-8 path");
        let started = self.pg_ctl(&["start", "-w", "-t", "30", "-l", log, "-o", &options]);
        assert!(started.status.success(), "pg_ctl start: {}", self.server_log());
    }

    /// Stops the cluster (`pg_ctl stop -m fast|immediate`) and waits until it has.
    pub fn stop(&self, how: Shutdown) {
        let mode = match how {
            Shutdown::Fast => "fast",
            Shutdown::Immediate => "immediate",
        };
        let stopped = self.pg_ctl(&["stop", "-m", mode, "-w", "-t", "30"]);
        assert!(stopped.status.success(), "pg_ctl stop -m {mode}: {}", self.server_log());
    }

    /// Stops and starts again.
    pub fn restart(&self, how: Shutdown) {
        self.stop(how);
        self.start_again();
    }

    fn server_log(&self) -> String {
        std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
    }

    fn pg_ctl(&self, args: &[&str]) -> std::process::Output {
        self.command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(args)
            .output()
            .expect("run pg_ctl")
    }

    /// One of the server binaries, as the `postgres` user when this runs as root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if runs_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }
}

/// The newest installed major version's binaries.
fn server_binaries() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| Path::new(&bin.join("initdb")).exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// Whether this process is root, read from /proc (no libc call needed).
fn runs_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// Waits until `check` is true, at most `limit`; returns how long it took.
pub async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}
