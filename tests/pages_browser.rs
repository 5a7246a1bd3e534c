//! Every page a person meets, in a real browser: headless Chromium (playwright-core) walks
//! register → confirm → log in → consent → back at an app; sign-in with the sandbox Twitter and
//! connecting the sandbox Facebook; a password reset and the second step with a recovery code;
//! the helpdesk hand-off; self-service on the account page (profile, sessions, data, deletion,
//! removing an app's access); RP-initiated logout. On each distinct page it runs axe-core
//! (WCAG 2.x A/AA; serious and critical violations fail) in light mode, dark mode and at phone
//! width, keeps a full-page screenshot of each, and fails on console errors, failed requests
//! and HTTP errors; on the login page it checks the Tab order and focus indicators, and that
//! `<html lang>` follows Accept-Language.
//!
//! The browser's part is tests/node/pages-e2e.mjs (its header lists every check). This side
//! starts Tessera, the sandbox providers and the app, whose callback (served here) redeems the
//! code at /token at once; after the run it checks what the browser could not see: the ID
//! token, the signed helpdesk token, the stored profile, the links made, the access removed.
//!
//! Like tests/passkeys_browser.rs it needs Chromium (/usr/bin/chromium, or TESSERA_CHROMIUM)
//! and `npm ci --prefix tests/node`; without them it says so and passes, unless
//! TESSERA_REQUIRE_BROWSER is set. Screenshots go to TESSERA_E2E_SCREENSHOTS when set, else to
//! a temporary folder that is kept (and named) only when the run fails. docs/screenshots holds
//! a few of them (`<page>-<light|dark|phone>.png`), taken with
//! `TESSERA_E2E_SCREENSHOTS=DIR cargo test --features sandbox --test main -- pages_browser`,
//! copied from DIR and shrunk with `pngquant --skip-if-larger --ext .png --force` and
//! `optipng -o2`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::Html;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_core::identity::IdentityStore;
use tessera_core::store::UserStore;
use tessera_sandbox::SandboxOptions;

use crate::support::logs;
use crate::support::people::{FAST_PASSWORDS, PASSWORD, person};
use crate::support::server::TestServer;

const CLIENT_ID: &str = "pages-app";
const APP_NAME: &str = "Pages App";
const SECRET: &str = "pages-app-secret-0123456789";
/// The helpdesk's shared secret: TestServer's `${ZENDESK_SECRET}`.
const HELPDESK_SECRET: &str = "zd-shared-secret";
const HELPDESK: &str = "https://example.zendesk.com";
const NEW_PASSWORD: &str = "a brand new passphrase 42";
/// The script's own bound is 240 s; this one only catches a script that hangs anyway.
const NODE_TIMEOUT: Duration = Duration::from_secs(300);

/// The app: its callback redeems the code at Tessera's /token at once (before the browser
/// goes on, which later removes the app's access) and says how that went.
#[derive(Clone)]
struct App {
    token_url: String,
    redirect_uri: String,
    state: String,
    verifier: String,
    redeemed: Arc<Mutex<Option<Value>>>,
}

fn app_page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    ))
}

async fn app_callback(State(app): State<App>, Query(query): Query<HashMap<String, String>>) -> Html<String> {
    let (Some(code), Some(state)) = (query.get("code"), query.get("state")) else {
        return app_page(APP_NAME, &format!("<p id=\"outcome\">no code</p><pre>{query:?}</pre>"));
    };
    logs::secret(code);
    if *state != app.state {
        return app_page(APP_NAME, "<p id=\"outcome\">wrong state</p>");
    }
    let response = reqwest::Client::new()
        .post(&app.token_url)
        .basic_auth(CLIENT_ID, Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", app.redirect_uri.as_str()),
            ("code_verifier", app.verifier.as_str()),
        ])
        .send()
        .await;
    let (status, answer) = match response {
        Ok(r) => (r.status(), r.json::<Value>().await.unwrap_or(Value::Null)),
        Err(e) => (StatusCode::BAD_GATEWAY, json!({ "error": e.to_string() })),
    };
    logs::secrets_in(&answer);
    let ok = status == StatusCode::OK;
    *app.redeemed.lock().expect("redeemed") = Some(json!({ "status": status.as_u16(), "answer": answer }));
    if ok {
        app_page(APP_NAME, "<p id=\"outcome\">signed in</p>")
    } else {
        app_page(
            APP_NAME,
            &format!("<p id=\"outcome\">token error</p><pre>{status} {answer}</pre>"),
        )
    }
}

/// A JWT's payload, unverified (the OIDC suites verify ID token signatures).
fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap_or_else(|| panic!("not a JWT: {jwt}"));
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url payload")).expect("JSON payload")
}

/// The helpdesk's JWT, its HS256 signature checked with the shared secret.
fn helpdesk_claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT: {token}");
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(HELPDESK_SECRET.as_bytes()).expect("key");
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
        parts[2],
        "the helpdesk token's HS256 signature verifies with the shared secret"
    );
    jwt_claims(token)
}

/// Marks the single-use tokens of every link the server mailed as secrets (the browser read
/// them, so the fixtures never saw them).
fn mark_mailed_tokens(server: &TestServer) {
    for mail in server.mails() {
        let unfolded = mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
        for (start, _) in unfolded.match_indices(&server.base) {
            let rest = &unfolded[start..];
            let link = &rest[..rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
                .unwrap_or(rest.len())];
            if let Some(token) = link.rsplit(['/', '=']).next() {
                logs::secret(token);
            }
        }
    }
}

#[tokio::test]
async fn every_page_passes_axe_in_light_dark_and_phone_and_the_flows_work_in_a_browser() {
    let Some((node_dir, chromium)) = crate::support::browser::browser_tools(&["playwright-core", "axe-core"]) else {
        return;
    };
    logs::secret(SECRET);
    logs::secret(NEW_PASSWORD);

    // The app listens before Tessera starts: its addresses are in Tessera's configuration.
    let app_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the app");
    let app_base = format!("http://{}", app_listener.local_addr().expect("addr"));
    let callback = format!("{app_base}/callback");
    let post_logout = format!("{app_base}/logged-out");

    let sandbox = tessera_sandbox::start("127.0.0.1:0".parse().unwrap(), SandboxOptions::default())
        .await
        .expect("sandbox");
    let yaml = format!(
        "{FAST_PASSWORDS}{upstreams}clients:\n  - id: {CLIENT_ID}\n    secret: {SECRET}\n    name: {APP_NAME}\n    \
         redirect_uris: ['{callback}']\n    post_logout_redirect_uris: ['{post_logout}']\n    \
         scopes: [openid, profile, email]\n    require_pkce: true\n\
         remote_auth:\n  - {{ id: helpdesk, kind: zendesk_jwt, url: '{HELPDESK}', secret: '${{ZENDESK_SECRET}}' }}\n",
        upstreams = crate::upstream::upstreams_yaml(&sandbox.base_url()),
    );
    // Passkeys are offered on a domain only: the issuer is http://localhost:PORT.
    let server = TestServer::start_localhost(&yaml).await;

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (state, nonce) = (CsrfToken::new_random(), Nonce::new_random());
    let app = App {
        token_url: server.url("/token"),
        redirect_uri: callback.clone(),
        state: state.secret().clone(),
        verifier: verifier.secret().clone(),
        redeemed: Arc::default(),
    };
    let redeemed = Arc::clone(&app.redeemed);
    let router = axum::Router::new()
        .route("/callback", axum::routing::get(app_callback))
        .route(
            "/logged-out",
            axum::routing::get(|| async { app_page(APP_NAME, "<p id=\"outcome\">logged out</p>") }),
        )
        .with_state(app);
    tokio::spawn(async move { axum::serve(app_listener, router).await.expect("serve the app") });

    // Created in the store: staff for the admin list, and an account to delete.
    person("pat")
        .email("pat@example.com")
        .confirmed()
        .password(PASSWORD)
        .staff()
        .create(&server)
        .await;
    let doomed = person("quinn")
        .email("quinn@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;

    let authorize = url::Url::parse_with_params(
        &server.url("/authorize"),
        [
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", callback.as_str()),
            ("scope", "openid profile email"),
            ("state", state.secret().as_str()),
            ("nonce", nonce.secret().as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .expect("authorize URL");
    let input = json!({
        "base": server.base,
        "outbox": server.outbox,
        "person": {
            "username": "robin",
            "email": "robin@example.org",
            "password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "first_name": "Robin",
            "last_name": "Example",
            "new_first_name": "Robin Q.",
            "new_last_name": "Exämple-Smith",
        },
        "app": {
            "client_id": CLIENT_ID,
            "name": APP_NAME,
            "authorize": authorize.as_str(),
            "callback": callback,
            "post_logout": post_logout,
        },
        "helpdesk": { "start": "/remote-auth/helpdesk?return_to=https%3A%2F%2Fexample.zendesk.com%2Fhc", "origin": HELPDESK },
        "bad_authorize": "/authorize?response_type=code&client_id=no-such-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A9000%2Fcb&scope=openid",
        "staff": { "login": "pat", "password": PASSWORD },
        "doomed": { "login": "quinn", "password": PASSWORD },
        "upstreams": { "sign_in": ["twitter", "alice"], "connect": ["facebook", "carol"] },
    });

    // Screenshots: where asked, else a temporary folder kept only if the run fails.
    let (shots, temp_shots) = match std::env::var_os("TESSERA_E2E_SCREENSHOTS") {
        Some(dir) => (PathBuf::from(dir), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("tessera-pages-")
                .tempdir()
                .expect("temp dir");
            (dir.path().to_owned(), Some(dir))
        }
    };
    let run = tokio::process::Command::new("node")
        .arg(node_dir.join("pages-e2e.mjs"))
        .arg(input.to_string())
        .env("TESSERA_CHROMIUM", &chromium)
        .env("TESSERA_E2E_SCREENSHOTS", &shots)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(NODE_TIMEOUT, run)
        .await
        .unwrap_or_else(|_| panic!("pages-e2e.mjs ran longer than {NODE_TIMEOUT:?}"))
        .expect("run node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    mark_mailed_tokens(&server);
    let result: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or(Value::Null);
    for cookie in result["cookies"].as_array().into_iter().flatten() {
        logs::secret(cookie.as_str().unwrap_or_default());
    }
    logs::secret(result["totp_secret"].as_str().unwrap_or_default());
    if !output.status.success() {
        let kept = temp_shots.map_or(shots.clone(), tempfile::TempDir::keep);
        panic!(
            "the browser run failed ({}); screenshots in {}:\n{stderr}",
            output.status,
            kept.display()
        );
    }
    eprintln!("{stderr}"); // shown with --nocapture

    // The app redeemed its code: an ID token for the registered person.
    let robin = server
        .store
        .user_by_username("robin")
        .await
        .unwrap()
        .expect("robin registered");
    let redeemed = redeemed
        .lock()
        .expect("redeemed")
        .clone()
        .expect("the app's callback was called");
    assert_eq!(redeemed["status"], 200, "token response: {redeemed}");
    let tokens = &redeemed["answer"];
    let claims = jwt_claims(tokens["id_token"].as_str().expect("an ID token"));
    assert_eq!(claims["iss"], server.base.as_str());
    assert_eq!(claims["sub"], robin.id.to_string());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["nonce"], nonce.secret().as_str());
    assert_eq!(claims["email"], "robin@example.org");
    assert_eq!(result["app"]["state"], state.secret().as_str());

    // The profile was saved; the helpdesk got a signed token with the new name.
    assert_eq!(
        (robin.first_name.as_str(), robin.last_name.as_str()),
        ("Robin Q.", "Exämple-Smith")
    );
    assert!(robin.email_verified, "the confirmation link worked");
    let helpdesk = &result["helpdesk"];
    assert_eq!(
        helpdesk["method"], "POST",
        "the hand-off posts to the helpdesk: {helpdesk}"
    );
    assert!(
        helpdesk["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{HELPDESK}/access/jwt"))),
        "{helpdesk}"
    );
    assert_eq!(helpdesk["fields"]["return_to"], format!("{HELPDESK}/hc"));
    let helpdesk_token = helpdesk["fields"]["jwt"].as_str().expect("a jwt field");
    logs::secret(helpdesk_token);
    let signed = helpdesk_claims(helpdesk_token);
    assert_eq!(signed["email"], "robin@example.org");
    assert_eq!(signed["name"], "Robin Q. Exämple-Smith");
    assert_eq!(signed["external_id"], robin.id.to_string());

    // "Remove access": the app's access token no longer works.
    assert_eq!(result["removed_access"], true);
    let access = tokens["access_token"].as_str().expect("an access token");
    let userinfo = reqwest::Client::new()
        .get(server.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .expect("GET /userinfo");
    assert_eq!(
        userinfo.status(),
        StatusCode::UNAUTHORIZED,
        "the access token still works after Remove access"
    );

    // The RP-initiated logout came back to the app with its state.
    assert!(
        result["post_logout"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{post_logout}?state="))),
        "{result}"
    );

    // The upstream sign-in made one account with both providers linked.
    let alice = server
        .store
        .user_by_username("alice")
        .await
        .unwrap()
        .expect("alice signed in with Twitter");
    let mut providers: Vec<String> = server
        .store
        .identities_of(alice.id)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.provider)
        .collect();
    providers.sort();
    assert_eq!(providers, ["facebook", "twitter"]);

    // Self-service steps that ran (they skip while their pages are being built).
    let self_service = &result["self_service"];
    if self_service["delete"] == "done" {
        assert!(
            server
                .store
                .user_by_id(doomed.id)
                .await
                .unwrap()
                .is_none_or(|u| !u.is_active),
            "quinn deleted their account, but it is still there and active"
        );
    }
    eprintln!(
        "pages checked: {}; self-service: {self_service}; screenshots in {}",
        result["pages"],
        shots.display()
    );
}
