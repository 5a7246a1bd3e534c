//! Client secrets configured as argon2 hashes (`secret_hash:`, RFC 6749 §2.3.1 client
//! passwords kept only as hashes): `client_credentials` through HTTP Basic and the form body,
//! refusals, configuration errors, the verified-secret cache that spares later requests the
//! argon2 run, and `tessera clients hash-secret`.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::password::{Verification, verify_password};
use tessera_oidc::provider::ProviderResult;

use crate::oidc::token_request;
use crate::support::logs;
use crate::support::people::{self, FAST_ARGON2, FAST_PASSWORDS};
use crate::support::server::{TEST_MASTER_KEY, TestServer};

const SECRET: &str = "hashed-client-secret-0123456789";
const PLAIN_SECRET: &str = "plain-client-secret-0123456789";

/// `svc` keeps only the hash of [`SECRET`]; `plain` has its secret in the file.
fn clients_yaml(hash: &str) -> String {
    logs::secret(SECRET);
    logs::secret(PLAIN_SECRET);
    format!(
        "{FAST_PASSWORDS}clients:\n  \
         - {{ id: svc, secret_hash: '{hash}', redirect_uris: ['http://127.0.0.1:9000/cb'], grant_types: [client_credentials], scopes: [profile] }}\n  \
         - {{ id: plain, secret: {PLAIN_SECRET}, redirect_uris: ['http://127.0.0.1:9001/cb'], grant_types: [client_credentials], scopes: [profile] }}\n"
    )
}

async fn start() -> TestServer {
    TestServer::start_configured(&clients_yaml(&people::hash(SECRET))).await
}

/// `client_credentials` with the credentials in the form body (`client_secret_post`).
async fn post_grant(server: &TestServer, id: &str, secret: &str) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ];
    token_request(server, None, &form).await
}

async fn basic_grant(server: &TestServer, id: &str, secret: &str) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    token_request(server, Some((id, secret)), &[("grant_type", "client_credentials")]).await
}

#[tokio::test]
async fn client_credentials_with_a_hashed_secret_work_by_basic_and_post() {
    let server = start().await;
    let (status, body, _) = basic_grant(&server, "svc", SECRET).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let (status, body, _) = post_grant(&server, "svc", SECRET).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string());

    // /introspect and /revoke authenticate the same way.
    let introspection: Value = reqwest::Client::new()
        .post(server.url("/introspect"))
        .basic_auth("svc", Some(SECRET))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (introspection["active"].as_bool(), introspection["client_id"].as_str()),
        (Some(true), Some("svc"))
    );
    let revoked = reqwest::Client::new()
        .post(server.url("/revoke"))
        .form(&[
            ("token", token.as_str()),
            ("client_id", "svc"),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let server = start().await;
    for wrong in ["hashed-client-secret-012345678", "", PLAIN_SECRET] {
        let (status, body, headers) = basic_grant(&server, "svc", wrong).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "{wrong:?}"
        );
        assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    }
    let (status, body, headers) = post_grant(&server, "svc", "not-the-secret-0123456789").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    assert!(headers.get("www-authenticate").is_none(), "no challenge without Basic");
    // The secret still works after the failures, and the plain client is unaffected.
    assert_eq!(basic_grant(&server, "svc", SECRET).await.0, StatusCode::OK);
    assert_eq!(basic_grant(&server, "plain", PLAIN_SECRET).await.0, StatusCode::OK);
    assert_eq!(basic_grant(&server, "plain", SECRET).await.0, StatusCode::UNAUTHORIZED);
}

/// After a request through the server verified the secret (on its password pool), the next
/// authentication of the same client and secret runs no argon2 at all; another secret does.
#[tokio::test]
async fn a_verified_secret_skips_argon2_until_another_is_presented() {
    let server = start().await;
    assert_eq!(basic_grant(&server, "svc", SECRET).await.0, StatusCode::OK);

    let runs = AtomicUsize::new(0);
    let authenticate = async |secret: &str| {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("svc:{secret}"))
        );
        let argon2 = |phc: String, given: String| {
            runs.fetch_add(1, Ordering::SeqCst);
            let verdict = verify_password(&FAST_ARGON2, &phc, &given);
            std::future::ready(ProviderResult::Ok(matches!(verdict, Verification::Valid { .. })))
        };
        let auth = tessera_oidc::client_auth(Some(&header), &[]).expect("Basic credentials");
        let outcome = server.state.provider.authenticate(&auth, argon2).await;
        outcome.map(|client| client.client.id.clone())
    };
    assert_eq!(authenticate(SECRET).await.unwrap(), "svc");
    assert_eq!(runs.load(Ordering::SeqCst), 0, "the cache answered");
    assert!(authenticate("hashed-client-secret-0123456788").await.is_err());
    assert_eq!(runs.load(Ordering::SeqCst), 1, "a wrong secret pays argon2");
    assert_eq!(authenticate(SECRET).await.unwrap(), "svc");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

fn problems(clients: &str, env: &[(&str, &str)]) -> Result<tessera_server::config::Config, Vec<String>> {
    let yaml = format!(
        "issuer: http://127.0.0.1:8080\ndatabase:\n  url: sqlite://data/t.db\nsecrets:\n  master_key: {TEST_MASTER_KEY}\n\
         {FAST_PASSWORDS}clients:\n{clients}"
    );
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tessera_server::config::parse(&yaml, &env).map_err(|p| p.into_iter().map(|p| p.message).collect())
}

fn only_problem(clients: &str) -> String {
    let problems = problems(clients, &[]).map(|_| ()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.into_iter().next().unwrap()
}

#[test]
fn configuration_errors_say_what_is_wrong_and_never_show_the_value() {
    let hash = people::hash(SECRET);
    let client = |keys: &str| format!("  - {{ id: svc, {keys}, redirect_uris: ['http://127.0.0.1:9000/cb'] }}\n");

    let both = only_problem(&client(&format!("secret: {PLAIN_SECRET}, secret_hash: '{hash}'")));
    assert!(
        both.starts_with("clients.secret_hash: client \"svc\" has both secret and secret_hash; keep only one"),
        "{both}"
    );
    assert!(!both.contains(PLAIN_SECRET) && !both.contains(&hash), "{both}");

    let malformed = only_problem(&client("secret_hash: plain-text-not-a-hash"));
    assert!(
        malformed.starts_with("clients.secret_hash: is not a PHC string")
            && malformed.ends_with("generate one with `tessera clients hash-secret`"),
        "{malformed}"
    );
    assert!(!malformed.contains("plain-text-not-a-hash"), "{malformed}");

    let costly = hash.replace("m=1024", "m=4194304");
    let too_costly = only_problem(&client(&format!("secret_hash: '{costly}'")));
    assert!(
        too_costly.contains("costs more than Tessera verifies: at most 1048576 KiB"),
        "{too_costly}"
    );
    assert!(!too_costly.contains(&costly), "{too_costly}");

    let public = only_problem(
        "  - { id: svc, redirect_uris: ['http://127.0.0.1:9000/cb'], grant_types: [client_credentials] }\n",
    );
    assert!(public.contains("add a secret or secret_hash"), "{public}");
}

#[test]
fn a_secret_hash_may_come_from_the_environment() {
    let hash = people::hash(SECRET);
    let clients = "  - { id: svc, secret_hash: '${SVC_SECRET_HASH}', redirect_uris: ['http://127.0.0.1:9000/cb'] }\n";
    // An environment file's trailing newline is no part of the hash.
    let config = problems(clients, &[("SVC_SECRET_HASH", &format!("{hash}\n"))]).unwrap();
    let svc = config.client("svc").unwrap();
    assert!(!svc.client.is_public());
    assert!(!format!("{svc:?}").contains(&hash), "Debug hides the hash");
    let missing = problems(clients, &[]).map(|_| ()).unwrap_err();
    assert!(missing[0].contains("SVC_SECRET_HASH is not set"), "{missing:?}");
}

/// `tessera clients hash-secret` with `--config FILE` and `stdin`.
fn hash_secret(extra: &[&str], stdin: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tessera.yaml");
    let yaml = format!(
        "issuer: http://127.0.0.1:1\ndatabase:\n  url: sqlite://{}/never-opened.db\nsecrets:\n  master_key: {TEST_MASTER_KEY}\n{FAST_PASSWORDS}",
        dir.path().display()
    );
    std::fs::write(&config, yaml).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["clients", "hash-secret", "--config"])
        .arg(&config)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tessera");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        !dir.path().join("never-opened.db").exists(),
        "hash-secret needs no database"
    );
    output
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The PHC string loads as a `secret_hash` and verifies `secret`.
fn assert_usable(phc: &str, secret: &str) {
    assert!(
        phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
        "the configured cost: {phc}"
    );
    assert_eq!(
        verify_password(&FAST_ARGON2, phc, secret),
        Verification::Valid { needs_rehash: false }
    );
    let clients = format!("  - {{ id: svc, secret_hash: '{phc}', redirect_uris: ['http://127.0.0.1:9000/cb'] }}\n");
    assert!(problems(&clients, &[]).is_ok());
}

#[test]
fn hash_secret_prints_a_hash_the_configuration_accepts() {
    let output = hash_secret(&[], &format!("{SECRET}\r\n"));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_usable(&lines[0], SECRET);
}

#[test]
fn hash_secret_generate_prints_the_new_secret_once_then_its_hash() {
    let output = hash_secret(&["--generate"], "");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0].len(), 43, "32 random bytes, base64url");
    assert_usable(&lines[1], &lines[0]);
    assert_ne!(stdout_lines(&hash_secret(&["--generate"], ""))[0], lines[0]);
}

#[test]
fn hash_secret_refuses_a_short_secret() {
    let output = hash_secret(&[], "short\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "error: the secret is shorter than 16 characters; use a longer one, or --generate for a random one"
    );
}
