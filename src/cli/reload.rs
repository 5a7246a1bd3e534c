//! `tessera reload`: checks the file as `check-config` does, then asks the running server to
//! reload it through `POST /-/reload` on its metrics listener, the same reload SIGHUP runs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use tessera_server::ReloadOutcome;

use super::{CliResult, Failure};

/// A reload reads a file, compiles templates and may make a signing key: seconds at most.
const ANSWER_WITHIN: Duration = Duration::from_secs(60);

pub async fn run(path: &Path) -> CliResult {
    let config = super::checked_config(path)?;
    let Some(listen) = config.metrics_listen else {
        return Err(Failure::User(format!(
            "{}: metrics.listen is off, so tessera reload cannot reach the server; \
             send it SIGHUP instead (systemctl reload tessera, or kill -HUP PID)",
            path.display()
        )));
    };
    match ask(listen).await? {
        ReloadOutcome::Reloaded { warnings } => {
            for line in warnings {
                eprintln!("warning: {line}");
            }
            println!("{}: reloaded", path.display());
            Ok(())
        }
        ReloadOutcome::Refused { problems } => Err(Failure::Config(format!(
            "{}\nerror: the server refused the configuration; the running one stays in force",
            problems.join("\n")
        ))),
    }
}

/// Sends the request to the metrics listener on this machine (the server accepts it only
/// from a loopback address) and reads the outcome.
async fn ask(listen: SocketAddr) -> CliResult<ReloadOutcome> {
    let address = SocketAddr::new(loopback_for(listen.ip()), listen.port());
    let unreachable = |e: reqwest::Error| {
        Failure::User(format!(
            "cannot reach the server at {address} (metrics.listen): {e}; is tessera serve running with this configuration?"
        ))
    };
    let answer = reqwest::Client::new()
        .post(format!("http://{address}/-/reload"))
        .timeout(ANSWER_WITHIN)
        .send()
        .await
        .map_err(unreachable)?;
    let status = answer.status();
    let body = answer.text().await.map_err(unreachable)?;
    serde_json::from_str(&body).map_err(|_| {
        Failure::Internal(format!(
            "the server at {address} answered the reload with HTTP {status}: {}",
            body.trim()
        ))
    })
}

/// A listener on every address (`0.0.0.0`, `::`) is reached at the loopback address of its family.
fn loopback_for(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}
