//! Passkeys over real HTTP, with webauthn-rs's software authenticator in place of a browser's:
//! registering one on the account page, the second step of a login with it, removing it, and
//! every refused answer (malformed, replayed, unknown ceremony, another account's passkey, no
//! CSRF token) with "nothing changed" checks against the store.
//!
//! The soft authenticator cannot keep resident keys, so the tests relax the registration's
//! `requireResidentKey` before handing it the options (the server still verifies everything
//! else: challenge, origin, signature, user verification).

use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::User;
use tessera_core::factors::{FactorSummary, SecondFactorStore};
use tessera_core::store::SessionStore;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

use crate::support::people::{FAST_PASSWORDS, PASSWORD, log_in, person, signed_in};
use crate::support::server::{TestServer, browser, csrf_from, location};

/// A server whose issuer is `http://localhost:PORT`: WebAuthn needs a domain.
async fn start() -> TestServer {
    TestServer::start_localhost(FAST_PASSWORDS).await
}

async fn create(server: &TestServer, username: &str) -> User {
    person(username)
        .email(&format!("{username}@example.com"))
        .confirmed()
        .password(PASSWORD)
        .create(server)
        .await
}

/// An authenticator that claims user verification (the server asks for it).
fn authenticator() -> SoftPasskey {
    SoftPasskey::new(true)
}

fn origin(server: &TestServer) -> Url {
    Url::parse(&server.base).expect("base URL")
}

/// Posts a form and reads the JSON answer (panics on a body that is not JSON).
async fn post_json(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = client.post(url).form(form).send().await.expect("POST");
    let status = response.status();
    let body = response.text().await.expect("body");
    let json =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url} answered {status}, not JSON ({e}):\n{body}"));
    (status, json)
}

fn error_of(json: &Value) -> &str {
    json["error"].as_str().unwrap_or_else(|| panic!("no error in {json}"))
}

/// Starts a registration on the account page: the ceremony id and the options, relaxed for
/// the soft authenticator (no resident key).
async fn registration_options(
    server: &TestServer,
    client: &reqwest::Client,
    csrf: &str,
) -> (String, CreationChallengeResponse) {
    let (status, mut json) = post_json(client, &server.url("/account/passkeys/options"), &[("csrf", csrf)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let selection = json
        .pointer_mut("/options/publicKey/authenticatorSelection")
        .expect("the options have an authenticatorSelection");
    assert_eq!(
        selection["requireResidentKey"],
        Value::Bool(true),
        "the server asks for a discoverable credential"
    );
    selection["requireResidentKey"] = Value::Bool(false);
    selection["residentKey"] = Value::from("discouraged");
    let ceremony = json["ceremony"].as_str().expect("ceremony").to_owned();
    let options = serde_json::from_value(json["options"].take()).expect("CreationChallengeResponse");
    (ceremony, options)
}

/// The authenticator's answer to `options`, as the browser's script sends it.
fn created(server: &TestServer, key: &mut SoftPasskey, options: CreationChallengeResponse) -> String {
    let credential = key.do_registration(origin(server), options).expect("soft registration");
    serde_json::to_string(&credential).expect("credential JSON")
}

async fn finish_registration(
    server: &TestServer,
    client: &reqwest::Client,
    csrf: &str,
    ceremony: &str,
    credential: &str,
    name: &str,
) -> (StatusCode, Value) {
    let form = [
        ("csrf", csrf),
        ("ceremony", ceremony),
        ("credential", credential),
        ("name", name),
    ];
    post_json(client, &server.url("/account/passkeys"), &form).await
}

/// Registers `key` as a passkey of the signed-in `client`, as the account page does.
async fn register(server: &TestServer, client: &reqwest::Client, key: &mut SoftPasskey, name: &str) -> Value {
    let csrf = csrf_from(client, &server.url("/account")).await;
    let (ceremony, options) = registration_options(server, client, &csrf).await;
    let credential = created(server, key, options);
    let (status, json) = finish_registration(server, client, &csrf, &ceremony, &credential, name).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json
}

/// Signs `client` out, as the logout page does.
async fn log_out(server: &TestServer, client: &reqwest::Client) {
    let csrf = csrf_from(client, &server.url("/logout")).await;
    let response = client
        .post(server.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST /logout");
    assert!(
        response.status().is_success() || response.status() == StatusCode::SEE_OTHER,
        "{}",
        response.status()
    );
}

/// Logs in with the password in a browser that is then at the second step; returns the
/// second-step page's CSRF token.
async fn at_second_step(server: &TestServer, client: &reqwest::Client, login: &str) -> String {
    let response = log_in(server, client, login, PASSWORD, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login/second-factor");
    let page = client
        .get(server.url("/login/second-factor"))
        .send()
        .await
        .expect("GET second step");
    assert_eq!(page.status(), StatusCode::OK);
    data_csrf(&page.text().await.expect("body"))
}

/// The token the passkey button hands the script (`data-csrf`), as passkeys.js reads it.
fn data_csrf(html: &str) -> String {
    let marker = "data-csrf=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no passkey button in page:\n{html}"))
        + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

/// Starts a passkey sign-in: the ceremony id and the options for `navigator.credentials.get`.
async fn sign_in_options(server: &TestServer, client: &reqwest::Client, csrf: &str) -> (String, Value) {
    let (status, json) = post_json(client, &server.url("/passkeys/sign-in/options"), &[("csrf", csrf)]).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    (
        json["ceremony"].as_str().expect("ceremony").to_owned(),
        json["options"].clone(),
    )
}

fn asserted(server: &TestServer, key: &mut SoftPasskey, options: Value) -> String {
    let options: RequestChallengeResponse = serde_json::from_value(options).expect("RequestChallengeResponse");
    let credential = key
        .do_authentication(origin(server), options)
        .expect("soft authentication");
    serde_json::to_string(&credential).expect("credential JSON")
}

async fn finish_sign_in(
    server: &TestServer,
    client: &reqwest::Client,
    csrf: &str,
    ceremony: &str,
    credential: &str,
) -> (StatusCode, Value) {
    let form = [
        ("csrf", csrf),
        ("ceremony", ceremony),
        ("credential", credential),
        ("next", ""),
    ];
    post_json(client, &server.url("/passkeys/sign-in"), &form).await
}

async fn passkey_names(server: &TestServer, user: &User) -> Vec<String> {
    server
        .store
        .passkeys_of(user.id)
        .await
        .expect("passkeys_of")
        .into_iter()
        .map(|p| p.name)
        .collect()
}

async fn summary(server: &TestServer, user: &User) -> FactorSummary {
    server.store.factor_summary(user.id).await.expect("factor_summary")
}

async fn session_count(server: &TestServer, user: &User) -> usize {
    server.store.sessions_of(user.id).await.expect("sessions_of").len()
}

#[tokio::test]
async fn a_passkey_registered_on_the_account_page_is_listed() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    assert!(passkey_names(&server, &alice).await.is_empty());

    let json = register(&server, &client, &mut authenticator(), "  My laptop  ").await;
    assert_eq!(json["added"], "My laptop", "{json}");
    assert_eq!(json["redirect"], "/account", "{json}");

    let stored = server.store.passkeys_of(alice.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name, "My laptop");
    assert!(stored[0].last_used_at.is_none());
    assert_eq!(summary(&server, &alice).await.passkeys, 1);

    let page = client.get(server.url("/account")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<li class=\"item passkey\"><div class=\"item-main\"><strong>My laptop</strong>"),
        "the account page lists the passkey:\n{html}"
    );
}

#[tokio::test]
async fn a_passkey_is_the_second_step_after_the_password() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    let mut key = authenticator();
    register(&server, &client, &mut key, "Key").await;
    log_out(&server, &client).await;
    let account = client.get(server.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::SEE_OTHER, "signed out");

    // The password alone is not enough any more.
    let csrf = at_second_step(&server, &client, "alice").await;
    let account = client.get(server.url("/account")).send().await.unwrap();
    assert_eq!(
        account.status(),
        StatusCode::SEE_OTHER,
        "not signed in before the second step"
    );

    let (ceremony, options) = sign_in_options(&server, &client, &csrf).await;
    let allowed = options["publicKey"]["allowCredentials"]
        .as_array()
        .expect("allowCredentials");
    let stored = server.store.passkeys_of(alice.id).await.unwrap();
    assert_eq!(allowed.len(), 1, "{options}");
    assert_eq!(
        allowed[0]["id"],
        stored[0].credential_id.as_str(),
        "only alice's passkey is asked for"
    );

    let credential = asserted(&server, &mut key, options);
    let (status, json) = finish_sign_in(&server, &client, &csrf, &ceremony, &credential).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json, serde_json::json!({ "redirect": "/account" }));

    let account = client.get(server.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::OK, "signed in");
    let sessions = server.store.sessions_of(alice.id).await.unwrap();
    let amr: Vec<&str> = sessions[0].amr.split_whitespace().collect();
    assert!(amr.contains(&"pwd"), "{amr:?}");
    assert!(amr.contains(&"mfa"), "{amr:?}");
    assert!(amr.contains(&"hwk") || amr.contains(&"swk"), "{amr:?}");
    let used = server.store.passkeys_of(alice.id).await.unwrap();
    assert!(used[0].last_used_at.is_some(), "the passkey's use is recorded");
}

#[tokio::test]
async fn a_malformed_credential_is_refused_and_nothing_is_stored() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    let csrf = csrf_from(&client, &server.url("/account")).await;
    let (ceremony, _) = registration_options(&server, &client, &csrf).await;

    let (status, json) = finish_registration(&server, &client, &csrf, &ceremony, "{\"id\": not json", "Key").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert!(error_of(&json).contains("unreadable response"), "{json}");
    assert!(passkey_names(&server, &alice).await.is_empty());
    assert_eq!(summary(&server, &alice).await, FactorSummary::default());
}

#[tokio::test]
async fn a_registration_ceremony_works_once() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    let csrf = csrf_from(&client, &server.url("/account")).await;
    let (ceremony, options) = registration_options(&server, &client, &csrf).await;
    let credential = created(&server, &mut authenticator(), options);

    let (status, json) = finish_registration(&server, &client, &csrf, &ceremony, &credential, "First").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (status, json) = finish_registration(&server, &client, &csrf, &ceremony, &credential, "Again").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert!(error_of(&json).contains("expired or was already used"), "{json}");
    assert_eq!(passkey_names(&server, &alice).await, ["First"]);
}

#[tokio::test]
async fn an_expired_ceremony_is_refused_and_nothing_is_stored() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    let csrf = csrf_from(&client, &server.url("/account")).await;
    let (ceremony, options) = registration_options(&server, &client, &csrf).await;
    let credential = created(&server, &mut authenticator(), options);
    // The browser answers after the challenge's five minutes.
    let past = time::OffsetDateTime::now_utc().unix_timestamp() - 1;
    server
        .execute_sql(
            "UPDATE mfa_ceremonies SET expires_at = $1",
            &[crate::support::db::Arg::Int(past)],
        )
        .await;
    let (status, json) = finish_registration(&server, &client, &csrf, &ceremony, &credential, "Late").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert!(error_of(&json).contains("expired or was already used"), "{json}");
    assert!(passkey_names(&server, &alice).await.is_empty());
    assert_eq!(summary(&server, &alice).await, FactorSummary::default());
}

#[tokio::test]
async fn an_unknown_ceremony_is_refused() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    let csrf = csrf_from(&client, &server.url("/account")).await;
    let (ceremony, options) = registration_options(&server, &client, &csrf).await;
    let credential = created(&server, &mut authenticator(), options);

    for garbage in ["garbage", "", &format!("{ceremony}x")] {
        let (status, json) = finish_registration(&server, &client, &csrf, garbage, &credential, "Key").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "ceremony {garbage:?}: {json}");
        assert!(error_of(&json).contains("expired or was already used"), "{json}");
    }
    assert!(passkey_names(&server, &alice).await.is_empty());
    // Nor did the wrong ids use up the real one.
    let (status, json) = finish_registration(&server, &client, &csrf, &ceremony, &credential, "Key").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(passkey_names(&server, &alice).await, ["Key"]);
}

#[tokio::test]
async fn another_accounts_passkey_is_no_second_step() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let bob = create(&server, "bob").await;
    let mut alice_key = authenticator();
    let mut bob_key = authenticator();
    register(
        &server,
        &signed_in(&server, "alice", PASSWORD).await,
        &mut alice_key,
        "Alice's",
    )
    .await;
    register(
        &server,
        &signed_in(&server, "bob", PASSWORD).await,
        &mut bob_key,
        "Bob's",
    )
    .await;
    let alice_credential = server.store.passkeys_of(alice.id).await.unwrap()[0]
        .credential_id
        .clone();
    let (alice_sessions, bob_sessions) = (session_count(&server, &alice).await, session_count(&server, &bob).await);

    // Someone with bob's password, and alice's passkey, at bob's second step: the options ask
    // for bob's passkey, the attacker's client asks alice's authenticator instead.
    let client = browser();
    let csrf = at_second_step(&server, &client, "bob").await;
    let (ceremony, mut options) = sign_in_options(&server, &client, &csrf).await;
    options["publicKey"]["allowCredentials"] = serde_json::json!([{ "type": "public-key", "id": alice_credential }]);
    let credential = asserted(&server, &mut alice_key, options);
    let (status, json) = finish_sign_in(&server, &client, &csrf, &ceremony, &credential).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
    assert!(error_of(&json).contains("belongs to another account"), "{json}");

    assert_eq!(
        session_count(&server, &alice).await,
        alice_sessions,
        "no session for alice"
    );
    assert_eq!(session_count(&server, &bob).await, bob_sessions, "no session for bob");
    let account = client.get(server.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::SEE_OTHER, "not signed in");
    for user in [&alice, &bob] {
        let passkeys = server.store.passkeys_of(user.id).await.unwrap();
        assert_eq!(passkeys.len(), 1);
        assert!(
            passkeys[0].last_used_at.is_none(),
            "{}'s passkey was not used",
            user.username
        );
    }

    // The refused answer used the challenge up: bob's own passkey cannot answer it now.
    // (Bob's key answers a fresh challenge, sent back under the burnt ceremony's id.)
    let (_, fresh) = sign_in_options(&server, &client, &csrf).await;
    let bob_answer = asserted(&server, &mut bob_key, fresh);
    let (status, json) = finish_sign_in(&server, &client, &csrf, &ceremony, &bob_answer).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert!(error_of(&json).contains("expired or was already used"), "{json}");
    assert_eq!(
        session_count(&server, &bob).await,
        bob_sessions,
        "still no session for bob"
    );
}

#[tokio::test]
async fn passkey_options_need_the_csrf_token() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    for path in ["/account/passkeys/options", "/passkeys/sign-in/options"] {
        let response = client
            .post(server.url(path))
            .form(&[("other", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let response = client
            .post(server.url(path))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} with a forged token");
    }
    assert!(passkey_names(&server, &alice).await.is_empty());
}

#[tokio::test]
async fn removing_a_passkey_needs_the_current_password() {
    let server = start().await;
    let alice = create(&server, "alice").await;
    let client = signed_in(&server, "alice", PASSWORD).await;
    register(&server, &client, &mut authenticator(), "Key").await;
    let credential_id = server.store.passkeys_of(alice.id).await.unwrap()[0]
        .credential_id
        .clone();
    let remove = |password: &'static str| {
        let (client, server, credential_id) = (&client, &server, &credential_id);
        async move {
            let csrf = csrf_from(client, &server.url("/account")).await;
            let form = [
                ("csrf", csrf.as_str()),
                ("credential_id", credential_id),
                ("current_password", password),
            ];
            client
                .post(server.url("/account/passkeys/remove"))
                .form(&form)
                .send()
                .await
                .expect("POST remove")
        }
    };

    let refused = remove("not the password").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.text().await.unwrap().contains("enter your current password"));
    assert_eq!(passkey_names(&server, &alice).await, ["Key"]);

    let removed = remove(PASSWORD).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER, "post/redirect/get");
    let account = client
        .get(server.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("That passkey no longer signs you in."), "{account}");
    assert!(passkey_names(&server, &alice).await.is_empty());
    assert_eq!(summary(&server, &alice).await.passkeys, 0);
}
