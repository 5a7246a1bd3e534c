//! `server:`: how Tessera meets the network in front of it (its reverse proxies).

use super::Checker;
use super::raw::RawServer;
use crate::client_address::{ProxyHeaders, TrustedProxies};

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
