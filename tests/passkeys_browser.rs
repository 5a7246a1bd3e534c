//! Passkeys end to end in a real browser: headless Chromium (driven by playwright-core, with
//! Chrome DevTools' virtual authenticator) signs in with a password, adds a passkey on the
//! account page, logs out, signs in with the passkey alone and completes an app's code flow;
//! this test then redeems the code and reads what the ID token says of that sign-in.
//!
//! The browser's part is tests/node/passkey-e2e.mjs. It needs Chromium (/usr/bin/chromium, or
//! TESSERA_CHROMIUM) and `npm ci --prefix tests/node`; without them the test says so and passes,
//! unless TESSERA_REQUIRE_BROWSER is set (`.ci/run` installs both and sets it), which turns a
//! missing one into a failure. TESSERA_E2E_SCREENSHOTS=DIR keeps a screenshot of each step.

use std::time::Duration;

use base64::Engine as _;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::logs;
use crate::support::people::{FAST_PASSWORDS, PASSWORD, person};
use crate::support::server::TestServer;

const SECRET: &str = "passkey-app-secret-0123456789";
/// Nothing listens here: the browser script answers it. (A port Chromium does not refuse.)
const CALLBACK: &str = "http://127.0.0.1:9000/passkey-app/callback";
/// The browser script's own bound is 120 s; this one only catches a script that hangs anyway.
const NODE_TIMEOUT: Duration = Duration::from_secs(180);

fn app_yaml() -> String {
    logs::secret(SECRET);
    format!(
        "{FAST_PASSWORDS}clients:\n  - id: passkey-app\n    secret: {SECRET}\n    redirect_uris: ['{CALLBACK}']\n    \
         scopes: [openid, profile]\n    first_party: true\n    require_pkce: true\n"
    )
}

/// A JWT's payload, unverified (the OIDC suites verify signatures; this reads claims).
fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap_or_else(|| panic!("not a JWT: {jwt}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

#[tokio::test]
async fn a_passkey_added_in_the_browser_signs_in_alone_and_the_app_sees_mfa() {
    let Some((node_dir, chromium)) = crate::support::browser::browser_tools(&["playwright-core"]) else {
        return;
    };
    // WebAuthn takes a domain as relying-party id, not an IP: the issuer is http://localhost:PORT.
    let server = TestServer::start_localhost(&app_yaml()).await;
    assert!(server.base.starts_with("http://localhost:"), "issuer {}", server.base);
    let alice = person("alice")
        .email("alice@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (state, nonce) = (CsrfToken::new_random(), Nonce::new_random());
    let authorize = url::Url::parse_with_params(
        &server.url("/authorize"),
        [
            ("response_type", "code"),
            ("client_id", "passkey-app"),
            ("redirect_uri", CALLBACK),
            ("scope", "openid profile"),
            ("state", state.secret().as_str()),
            ("nonce", nonce.secret().as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .expect("authorize URL");

    let run = tokio::process::Command::new("node")
        .arg(node_dir.join("passkey-e2e.mjs"))
        .args([server.base.as_str(), "alice", PASSWORD, authorize.as_str(), CALLBACK])
        .env("TESSERA_CHROMIUM", &chromium)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(NODE_TIMEOUT, run)
        .await
        .unwrap_or_else(|_| panic!("passkey-e2e.mjs ran longer than {NODE_TIMEOUT:?}"))
        .expect("run node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser run failed ({}):\n{stderr}",
        output.status
    );
    eprintln!("{stderr}"); // shown with --nocapture
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON line from passkey-e2e.mjs:\n{stdout}\n{stderr}"));
    assert!(
        result["passkeys_listed"].as_u64().is_some_and(|n| n >= 1),
        "the account page listed no passkey after the passkey sign-in: {result}"
    );

    // Back at the app: the code for this flow.
    let redirect = result["redirect"].as_str().expect("redirect URL");
    assert!(
        redirect.starts_with(&format!("{CALLBACK}?")),
        "redirected to {redirect}"
    );
    let back: std::collections::HashMap<String, String> = url::Url::parse(redirect)
        .expect("redirect URL")
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(back.get("state"), Some(state.secret()), "state in {redirect}");
    let code = back.get("code").unwrap_or_else(|| panic!("no code in {redirect}"));
    logs::secret(code);

    let response = reqwest::Client::new()
        .post(server.url("/token"))
        .basic_auth("passkey-app", Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.secret().as_str()),
        ])
        .send()
        .await
        .expect("POST /token");
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    logs::secrets_in(&answer);
    assert_eq!(status, StatusCode::OK, "token response: {answer}");

    let claims = jwt_claims(answer["id_token"].as_str().expect("an ID token"));
    assert_eq!(claims["iss"], server.base.as_str());
    assert_eq!(claims["sub"], alice.id.to_string());
    assert_eq!(claims["aud"], "passkey-app");
    assert_eq!(claims["nonce"], nonce.secret().as_str());
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .unwrap_or_else(|| panic!("no amr in the ID token: {claims}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    eprintln!("ID token: amr {amr:?}, acr {}", claims["acr"]);
    assert!(
        amr.contains(&"mfa"),
        "a user-verified passkey is multi-factor (RFC 8176): amr {amr:?}"
    );
    assert!(
        amr.contains(&"hwk") || amr.contains(&"swk"),
        "the amr names the key (hwk or swk, RFC 8176): {amr:?}"
    );
    assert!(!amr.contains(&"pwd"), "this sign-in used no password: amr {amr:?}");
}
