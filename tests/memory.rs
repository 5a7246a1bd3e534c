//! A node's memory stays bounded by what its hashing threads keep (`limit × argon2 cost`),
//! however many password logins come: measured on a real `tessera serve` at the default
//! argon2 cost (19 MiB), from its resident set size in /proc.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use crate::support::process::{MASTER_KEY_VAR, ServeProcess, free_port};
use crate::support::server::{TEST_MASTER_KEY, browser, csrf_from};

const PASSWORD: &str = "a long enough password for jane";

fn resident_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kib / 1024
}

async fn log_in(base: String) -> reqwest::StatusCode {
    let client = browser();
    let csrf = csrf_from(&client, &format!("{base}/login")).await;
    client
        .post(format!("{base}/login"))
        .form(&[("csrf", csrf.as_str()), ("login", "jane"), ("password", PASSWORD)])
        .send()
        .await
        .expect("POST /login")
        .status()
}

#[tokio::test]
async fn resident_memory_stays_bounded_through_bursts_of_password_logins() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("tessera.yaml");
    // Two hashing threads at the default cost: 2 × 19 MiB of working memory at most.
    std::fs::write(
        &config,
        format!(
            "issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}\ndatabase:\n  url: sqlite://{}\n\
             secrets:\n  master_key: ${{{MASTER_KEY_VAR}}}\nmetrics:\n  listen: off\n\
             passwords:\n  max_concurrent_hashes: 2\n",
            dir.path().join("tessera.db").display()
        ),
    )
    .unwrap();
    let server = ServeProcess::start(&config, port).await;
    let mut create = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["user", "create", "--username", "jane", "--password-stdin", "--config"])
        .arg(&config)
        .env(MASTER_KEY_VAR, TEST_MASTER_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(create.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(create.wait().unwrap().success());

    assert_eq!(log_in(server.base.clone()).await, reqwest::StatusCode::SEE_OTHER);
    let warm = resident_mib(server.pid());
    let mut peak = warm;
    for _ in 0..4 {
        let burst: tokio::task::JoinSet<_> = (0..12).map(|_| log_in(server.base.clone())).collect();
        for status in burst.join_all().await {
            assert_eq!(status, reqwest::StatusCode::SEE_OTHER);
        }
        peak = peak.max(resident_mib(server.pid()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = resident_mib(server.pid());
    eprintln!("resident memory: {warm} MiB after one login, peak {peak} MiB, {after} MiB after 48 more");
    // The second hashing thread's 19 MiB, and room for connections and caches; not 48 × 19.
    assert!(
        peak <= warm + 19 + 30,
        "peak {peak} MiB from {warm} MiB after one login"
    );
    assert!(after <= warm + 19 + 30, "{after} MiB from {warm} MiB");
}
