//! `server:`: how Tessera meets the network in front of it (its reverse proxies, slow
//! clients) and how it stops.

use std::time::Duration;

use super::Checker;
use super::raw::RawServer;
use crate::client_address::{ProxyHeaders, TrustedProxies};
use crate::listener::Limits;

/// Long enough for a phone on a bad network to send a request's headers; short enough that
/// a slowloris client cannot hold many connections.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Under Kubernetes' 30 s termination grace period and systemd's 90 s stop timeout, and
/// longer than any request Tessera answers (a login's hash, an upstream's 10 s timeout).
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(25);

/// `server.cleanup_interval`: how often each node removes what has expired (sessions, codes,
/// tokens, sign-in requests, finished jobs and counts) and checks the key schedule.
pub(super) fn cleanup_interval(raw: Option<&RawServer>, c: &mut Checker) -> Duration {
    c.duration_at_most(
        "server.cleanup_interval",
        raw.and_then(|r| r.cleanup_interval.as_ref()),
        Duration::from_secs(600),
        Duration::from_secs(86_400),
        "expired rows and key rotations would wait that long",
    )
}

/// `server.header_read_timeout` and `server.shutdown_deadline`.
pub(super) fn limits(raw: Option<&RawServer>, c: &mut Checker) -> Limits {
    Limits {
        header_read_timeout: c.duration_at_most(
            "server.header_read_timeout",
            raw.and_then(|r| r.header_read_timeout.as_ref()),
            HEADER_READ_TIMEOUT,
            Duration::from_secs(300),
            "a slow client could hold a connection that long",
        ),
        shutdown_deadline: c.duration_at_most(
            "server.shutdown_deadline",
            raw.and_then(|r| r.shutdown_deadline.as_ref()),
            SHUTDOWN_DEADLINE,
            Duration::from_secs(3600),
            "a stop would wait that long for a stuck client",
        ),
    }
}

/// `server.trusted_proxies` and `server.proxy_headers`; problems recorded, entries that are
/// wrong left out (the config is refused anyway).
pub(super) fn trusted_proxies(raw: Option<&RawServer>, c: &mut Checker) -> TrustedProxies {
    let Some(raw) = raw else {
        return TrustedProxies::default();
    };
    let networks = raw
        .trusted_proxies
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, entry)| c.parsed(&format!("server.trusted_proxies[{i}]"), entry, network))
        .collect();
    let headers = raw.proxy_headers.as_ref().map_or(Some(ProxyHeaders::XForwarded), |h| {
        c.choice(
            "server.proxy_headers",
            h,
            &[
                ("x-forwarded", ProxyHeaders::XForwarded),
                ("forwarded", ProxyHeaders::Forwarded),
            ],
        )
    });
    TrustedProxies {
        networks,
        headers: headers.unwrap_or_default(),
    }
}

/// A CIDR block, or one address (a block of one).
fn network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map(|n| n.trunc())
        .map_err(|_| format!("{text:?} is not an IP address or CIDR block like 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32"))
}
