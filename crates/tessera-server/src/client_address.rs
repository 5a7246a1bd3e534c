//! Who is on the other end of a request: the client's address, and whether it used https.
//!
//! Behind a reverse proxy the TCP peer is the proxy, and the client is named in a forwarding
//! header the proxy adds. Anyone can send such a header, so it is read only when the peer is
//! one of `server.trusted_proxies`, and then from the right: every proxy appends the address
//! it saw, so the rightmost address that is not a trusted proxy is the first one that no
//! trusted party could have let a client forge (RFC 7239 §8.2 and §4 on the order; the same
//! walk as nginx's `real_ip_recursive on`). Throttling, audit events and the access log all
//! take the address from here, so one attacker cannot pass for many clients, nor every
//! client for the proxy.

use std::net::IpAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::state::AppState;

/// Which forwarding headers trusted proxies send: the de-facto `X-Forwarded-For` and
/// `X-Forwarded-Proto` (nginx, HAProxy, most load balancers), or RFC 7239 `Forwarded`. Only
/// the chosen one is read, so a client cannot slip the other past a proxy that passes it on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProxyHeaders {
    #[default]
    XForwarded,
    Forwarded,
}

/// `server.trusted_proxies` and `server.proxy_headers`. Empty: no header is ever read.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    pub networks: Vec<IpNet>,
    pub headers: ProxyHeaders,
}

/// The client of one request, as [`TrustedProxies::client`] found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress {
    pub ip: IpAddr,
    /// What a trusted proxy said of the scheme the client used; `None` when no trusted proxy
    /// said (a direct connection is whatever the listener speaks: plain HTTP).
    pub https: Option<bool>,
}

impl TrustedProxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`, the address of the TCP connection.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> ClientAddress {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return ClientAddress { ip: peer, https: None };
        }
        let (hops, proto) = match self.headers {
            ProxyHeaders::XForwarded => (
                header_list(headers, "x-forwarded-for"),
                header_list(headers, "x-forwarded-proto").pop(),
            ),
            ProxyHeaders::Forwarded => forwarded(headers),
        };
        // From the nearest hop outwards; a hop that is no address (`unknown`, an obfuscated
        // name, garbage) ends the walk at the proxy that wrote it.
        let mut client = peer;
        for hop in hops.iter().rev() {
            match parse_node(hop) {
                Some(ip) if self.trusts(ip) => client = ip,
                Some(ip) => {
                    client = ip;
                    break;
                }
                None => break,
            }
        }
        ClientAddress {
            ip: client,
            https: proto.map(|p| p.eq_ignore_ascii_case("https")),
        }
    }
}

/// Every comma-separated value of every `name` header, in order.
fn header_list(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The `for=` of each `Forwarded` element (RFC 7239 §4), and the `proto=` of the last one:
/// the element the nearest proxy added.
fn forwarded(headers: &HeaderMap) -> (Vec<String>, Option<String>) {
    let mut hops = Vec::new();
    let mut proto = None;
    for element in header_list(headers, "forwarded") {
        let mut this_for = None;
        let mut this_proto = None;
        for pair in element.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"').to_owned();
            match name.trim().to_ascii_lowercase().as_str() {
                "for" => this_for = Some(value),
                "proto" => this_proto = Some(value),
                _ => {}
            }
        }
        // An element without `for` still stands for a hop, one that named no client.
        hops.push(this_for.unwrap_or_default());
        proto = this_proto;
    }
    (hops, proto)
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return inside.parse::<IpAddr>().ok().map(|ip| ip.to_canonical());
    }
    let (host, port) = text.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u16>().is_ok()
}

/// Middleware: puts the request's [`ClientAddress`] in its extensions for everything after
/// it (the access log, [`crate::jobs::effects::Actor`]). Without a TCP peer (a router driven
/// in-process) there is none.
pub async fn find_client(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = state.config.proxies.client(peer, request.headers());
        request.extensions_mut().insert(client);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn proxies(networks: &[&str], headers: ProxyHeaders) -> TrustedProxies {
        TrustedProxies {
            networks: networks.iter().map(|n| n.parse().unwrap()).collect(),
            headers,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let none = TrustedProxies::default();
        let forged = headers(&[("x-forwarded-for", "203.0.113.9"), ("x-forwarded-proto", "https")]);
        assert_eq!(
            none.client(ip("198.51.100.7"), &forged),
            ClientAddress {
                ip: ip("198.51.100.7"),
                https: None
            }
        );
        let some = proxies(&["10.0.0.0/8"], ProxyHeaders::XForwarded);
        assert_eq!(some.client(ip("198.51.100.7"), &forged).ip, ip("198.51.100.7"));
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client_so_a_forged_prefix_is_skipped() {
        let p = proxies(&["10.0.0.0/8", "127.0.0.1/32"], ProxyHeaders::XForwarded);
        // The client sent "6.6.6.6" itself; the edge proxy appended the address it saw, then
        // an inner proxy appended the edge's.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("x-forwarded-for", "10.1.2.3"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            p.client(ip("127.0.0.1"), &h),
            ClientAddress {
                ip: ip("198.51.100.7"),
                https: Some(true)
            }
        );
        // Every hop trusted: the leftmost is the client (a request from inside).
        let inside = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.2.3")]);
        assert_eq!(p.client(ip("127.0.0.1"), &inside).ip, ip("10.9.9.9"));
        // No header: the proxy itself.
        assert_eq!(p.client(ip("127.0.0.1"), &HeaderMap::new()).ip, ip("127.0.0.1"));
    }

    #[test]
    fn garbage_ends_the_walk_at_the_proxy_that_wrote_it() {
        let p = proxies(&["10.0.0.0/8"], ProxyHeaders::XForwarded);
        for junk in ["unknown", "_hidden", "not an address", "1.2.3.4:99999", "[::1]x"] {
            let h = headers(&[("x-forwarded-for", &format!("198.51.100.7, {junk}"))]);
            assert_eq!(p.client(ip("10.0.0.2"), &h).ip, ip("10.0.0.2"), "{junk}");
        }
    }

    #[test]
    fn addresses_with_ports_brackets_and_mapped_v4_are_read() {
        let p = proxies(&["::1/128", "10.0.0.0/8"], ProxyHeaders::XForwarded);
        for (written, seen) in [
            ("198.51.100.7:4711", "198.51.100.7"),
            ("2001:db8::17", "2001:db8::17"),
            ("[2001:db8::17]", "2001:db8::17"),
            ("[2001:db8::17]:4711", "2001:db8::17"),
            ("::ffff:198.51.100.7", "198.51.100.7"),
        ] {
            let h = headers(&[("x-forwarded-for", written)]);
            assert_eq!(p.client(ip("::1"), &h).ip, ip(seen), "{written}");
        }
        // A proxy reached over IPv4 on a dual-stack listener is still trusted.
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(p.client(ip("::ffff:10.0.0.2"), &h).ip, ip("198.51.100.7"));
    }

    #[test]
    fn forwarded_is_read_only_when_chosen_and_the_other_header_then_ignored() {
        let p = proxies(&["10.0.0.0/8"], ProxyHeaders::Forwarded);
        let h = headers(&[
            ("forwarded", "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=http"),
            ("forwarded", "For=198.51.100.7;Proto=https;by=10.0.0.1"),
            ("x-forwarded-for", "7.7.7.7"),
        ]);
        assert_eq!(
            p.client(ip("10.0.0.1"), &h),
            ClientAddress {
                ip: ip("198.51.100.7"),
                https: Some(true)
            }
        );
        let unnamed = headers(&[("forwarded", "for=198.51.100.7, proto=https")]);
        assert_eq!(
            p.client(ip("10.0.0.1"), &unnamed).ip,
            ip("10.0.0.1"),
            "a hop without for"
        );
        let x = proxies(&["10.0.0.0/8"], ProxyHeaders::XForwarded);
        assert_eq!(x.client(ip("10.0.0.1"), &h).ip, ip("7.7.7.7"));
    }
}
