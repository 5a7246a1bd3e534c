//! Security headers on every response (OWASP ASVS 4.0.3 V14.4): the test walks every route
//! the router declares (read from `routes/mod.rs`, so a new route cannot be forgotten), plus
//! an unknown path and a wrong method, and checks each answer's headers.

use std::path::Path;

use reqwest::header::HeaderMap;

use crate::support::server::TestServer;

/// Every path in a `.route("…", …)` of the router's source, with `{param}` filled in.
fn declared_routes() -> Vec<String> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/tessera-server/src/routes/mod.rs");
    let source = std::fs::read_to_string(source).expect("read routes/mod.rs");
    let paths: Vec<String> = source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| {
            rest.trim_start()
                .strip_prefix('"')?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .map(|path| {
            path.replace("{name}", "tessera.css")
                .split('/')
                .map(|segment| if segment.starts_with('{') { "x" } else { segment })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    assert!(paths.len() >= 30, "found only {} routes: {paths:?}", paths.len());
    paths
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The headers every answer must carry; `what` names the request in failures.
fn assert_secure(headers: &HeaderMap, what: &str) {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let csp = get("content-security-policy");
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: CSP {csp:?} lacks {directive}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{what}");
    assert!(get("permissions-policy").contains("camera=()"), "{what}");
    assert!(!get("cache-control").is_empty(), "{what}: no Cache-Control");
}

#[tokio::test]
async fn every_route_answers_with_the_security_headers() {
    let server = TestServer::start().await;
    let client = client();
    let mut checked = 0;
    for path in declared_routes() {
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let response = client.request(method.clone(), server.url(&path)).send().await.unwrap();
            let what = format!("{method} {path} ({})", response.status());
            assert_secure(response.headers(), &what);
            assert!(
                response.headers().get("strict-transport-security").is_none(),
                "{what}: HSTS on http"
            );
            // Only published documents may be cached; everything else may show personal data.
            let cache = response.headers()["cache-control"].to_str().unwrap().to_owned();
            let published = ["/.well-known/openid-configuration", "/jwks", "/static/tessera.css"];
            if !(published.contains(&path.as_str()) && method == reqwest::Method::GET) {
                assert_eq!(cache, "no-store", "{what}");
            }
            checked += 1;
        }
    }
    for (method, path) in [("GET", "/no/such/page"), ("DELETE", "/login"), ("GET", "/token")] {
        let response = client
            .request(method.parse().unwrap(), server.url(path))
            .send()
            .await
            .unwrap();
        assert_secure(response.headers(), &format!("{method} {path}"));
        checked += 1;
    }
    assert!(checked > 60, "{checked}");
}

#[tokio::test]
async fn an_https_issuer_adds_hsts_to_every_answer() {
    let server = TestServer::start_https_issuer("").await;
    let client = client();
    for path in ["/login", "/.well-known/openid-configuration", "/token", "/no/such/page"] {
        let response = client.get(server.url(path)).send().await.unwrap();
        assert_secure(response.headers(), path);
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}

#[tokio::test]
async fn pages_use_no_inline_script_or_style_and_their_files_are_served() {
    let server = TestServer::start().await;
    let client = client();
    for path in ["/login", "/register", "/password/reset"] {
        let html = client.get(server.url(path)).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains(r#"<link rel="stylesheet" href="/static/tessera.css">"#),
            "{path}"
        );
        for inline in ["<style", " style=", "<script>", " onload=", " onclick=", " onsubmit="] {
            assert!(!html.contains(inline), "{path} has {inline}");
        }
    }
    let css = client.get(server.url("/static/tessera.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains("form.inline"));
    let js = client.get(server.url("/static/autosubmit.js")).send().await.unwrap();
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
    // Only the known files: no path reaches the file system.
    for bad in ["/static/..%2Fconfig.yaml", "/static/other.css", "/static/"] {
        let status = client.get(server.url(bad)).send().await.unwrap().status();
        assert_eq!(status, 404, "{bad}");
    }
}
