//! `metrics:`: where `/metrics` is served. Never on the main port: the job counters move when
//! a reset or confirmation mail goes out, which happens only for existing accounts, so a
//! public `/metrics` would tell anyone which usernames and addresses have an account.

use std::net::SocketAddr;

use super::Checker;
use super::raw::RawMetrics;

/// Loopback only unless the admin says otherwise: Prometheus usually runs beside Tessera.
pub const DEFAULT_METRICS_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9464);

/// The metrics listener's address, or `None` when `metrics.listen` is `off` (or `none`), or
/// is not an address (the problem is recorded, so the config is refused).
pub(super) fn metrics_listen(raw: Option<&RawMetrics>, c: &mut Checker) -> Option<SocketAddr> {
    let Some(listen) = raw.and_then(|m| m.listen.as_ref()) else {
        return Some(DEFAULT_METRICS_LISTEN);
    };
    let text = c.text("metrics.listen", listen)?;
    if matches!(text.trim(), "off" | "none") {
        return None;
    }
    match text.trim().parse::<SocketAddr>() {
        Ok(address) => Some(address),
        Err(_) => {
            c.problem(
                listen,
                format!(
                    "metrics.listen: {text:?} is not an address like 127.0.0.1:9464; write off to serve no metrics"
                ),
            );
            None
        }
    }
}
