//! Self-service on the account page through the real pages: the account's sessions (listed
//! with their devices, ended one by one or all but this one, their apps told over the back
//! channel), a first password for an account without one, the data download, and deleting
//! one's own account (re-authentication, the typed username, the apps told, the mail).
//! Every refusal is checked for its message and for having changed nothing.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::User;
use tessera_core::identity::{IdentityStore, LinkedIdentity};
use tessera_core::jobs::Effects;
use tessera_core::store::{AuditStore, EventFilter, SessionStore, UserStore};
use tessera_oidc::storage::GrantStore;
use tessera_sandbox::SandboxOptions;

use crate::oidc::{CALLBACK, DEMO_SECRET, clients_yaml, code_for, person, token_request};
use crate::support::logs;
use crate::support::people::{FAST_PASSWORDS, PASSWORD, log_in};
use crate::support::server::{TestServer, backchannel_receiver, browser, browser_builder, csrf_from, location};

const FIREFOX_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                              Chrome/126.0.0.0 Mobile Safari/537.36";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                             (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// A server whose `demo-app` has a back-channel logout endpoint; the tokens it receives.
async fn server_with_app() -> (TestServer, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let (backchannel, logouts) = backchannel_receiver().await;
    (TestServer::start_configured(&clients_yaml(&backchannel)).await, logouts)
}

/// A browser that says it is `user_agent`, signed in as `login`.
async fn signed_in_on(server: &TestServer, user_agent: &str, login: &str, password: &str) -> reqwest::Client {
    let client = browser_builder().user_agent(user_agent).build().expect("client");
    let response = log_in(server, &client, login, password, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{login} signs in");
    client
}

async fn get(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.expect("GET");
    (response.status(), response.text().await.expect("body"))
}

/// Posts `fields` to `path` with the CSRF token of `client`'s account page.
async fn post(server: &TestServer, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = csrf_from(client, &server.url("/account")).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client.post(server.url(path)).form(&form).send().await.expect("POST")
}

/// Posts `fields` to `path` without any CSRF token.
async fn post_without_csrf(
    server: &TestServer,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> StatusCode {
    client
        .post(server.url(path))
        .form(fields)
        .send()
        .await
        .expect("POST")
        .status()
}

/// Whether `client` is signed in (the account page answers instead of sending it to log in).
async fn is_signed_in(server: &TestServer, client: &reqwest::Client) -> bool {
    let response = client.get(server.url("/account")).send().await.expect("GET /account");
    match response.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => false,
        other => panic!("/account answered {other}"),
    }
}

/// The session handles of the "Sign out" forms on an account page.
fn handles(page: &str) -> Vec<String> {
    page.split("name=\"session\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().expect("a value").to_owned())
        .collect()
}

/// The kinds of the account's audit events, newest first.
async fn event_kinds(server: &TestServer, user: &User) -> Vec<String> {
    let filter = EventFilter {
        user: Some(user.id),
        since: None,
        limit: 100,
    };
    let events = server.store.events(&filter).await.expect("events");
    events.into_iter().map(|e| e.kind).collect()
}

/// The next logout token the app receives, as its claims.
async fn logout_claims(logouts: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> Value {
    let token = tokio::time::timeout(Duration::from_secs(10), logouts.recv())
        .await
        .expect("the app is told within 10 s")
        .expect("a logout token");
    let payload = token.split('.').nth(1).expect("a JWT");
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("claims")
}

/// Gives `demo-app` tokens in `client`'s session (a code flow with consent, then the token
/// request); returns the refresh token.
async fn app_tokens_in(server: &TestServer, client: &reqwest::Client) -> String {
    let code = code_for(server, client, "demo-app", CALLBACK, "openid offline_access", "").await;
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, answer, _) = token_request(server, Some(("demo-app", DEMO_SECRET)), &grant).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["refresh_token"].as_str().expect("a refresh token").to_owned()
}

async fn refresh_status(server: &TestServer, refresh: &str) -> StatusCode {
    let grant = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    token_request(server, Some(("demo-app", DEMO_SECRET)), &grant).await.0
}

#[tokio::test]
async fn the_account_page_lists_each_session_and_ending_one_signs_it_out_and_tells_its_app() {
    let (server, mut logouts) = server_with_app().await;
    let jane = person(&server).await;
    let laptop = signed_in_on(&server, FIREFOX_LINUX, "jane", PASSWORD).await;
    let phone = signed_in_on(&server, CHROME_ANDROID, "jane", PASSWORD).await;
    app_tokens_in(&server, &phone).await;
    let unknown = signed_in_on(&server, "SomeBot/1.0", "jane", PASSWORD).await;

    let (status, page) = get(&laptop, &server.url("/account")).await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "Where you are signed in",
        "Firefox on Linux",
        "Chrome on Android",
        "Unknown browser",
        "127.0.0.1",
        "Sign out everywhere else",
    ] {
        assert!(page.contains(shown), "the page shows {shown:?}:\n{page}");
    }
    assert_eq!(page.matches("This device").count(), 1, "one badge, on this browser");
    let badge = page.find("This device").unwrap();
    let firefox = page.find("Firefox on Linux").unwrap();
    let next_item = page[firefox..].find("<li").map_or(page.len(), |i| firefox + i);
    assert!(
        badge > firefox && badge < next_item,
        "the badge is on the Firefox session"
    );
    let sessions = server.store.sessions_of(jane.id).await.unwrap();
    assert_eq!(sessions.len(), 3);
    assert!(
        sessions.iter().all(|s| s.ip.as_deref() == Some("127.0.0.1")),
        "{sessions:?}"
    );
    assert!(sessions.iter().any(|s| s.user_agent.as_deref() == Some(FIREFOX_LINUX)));
    for s in &sessions {
        assert!(!page.contains(&s.id_digest), "a session digest is never on the page");
        assert!(
            !page.contains(&tessera_oidc::provider::sid_of(&s.id_digest)),
            "nor the sid apps know"
        );
    }
    assert_eq!(
        handles(&page).len(),
        2,
        "a Sign out button for each other session, none for this one"
    );

    // The phone's handle: the form right after "Chrome on Android".
    let chrome = page.find("Chrome on Android").unwrap();
    let phone_handle = handles(&page[chrome..])[0].clone();
    assert_eq!(
        post_without_csrf(&server, &laptop, "/account/sessions/end", &[("session", &phone_handle)]).await,
        StatusCode::FORBIDDEN
    );
    assert!(is_signed_in(&server, &phone).await, "a forged post ends nothing");

    let ended = post(&server, &laptop, "/account/sessions/end", &[("session", &phone_handle)]).await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ended), "/account");
    let (_, after) = get(&laptop, &server.url(&location(&ended))).await;
    assert!(
        after.contains("That session is signed out. Apps used in it were told."),
        "{after}"
    );
    assert!(!after.contains("Chrome on Android"), "the phone is no longer listed");
    assert!(!is_signed_in(&server, &phone).await, "the phone is signed out");
    assert!(is_signed_in(&server, &laptop).await && is_signed_in(&server, &unknown).await);

    let claims = logout_claims(&mut logouts).await;
    assert_eq!(claims["aud"], "demo-app");
    assert_eq!(claims["sub"], jane.id.to_string());
    let phone_session = sessions
        .iter()
        .find(|s| s.user_agent.as_deref() == Some(CHROME_ANDROID))
        .unwrap();
    assert_eq!(claims["sid"], tessera_oidc::provider::sid_of(&phone_session.id_digest));
    assert_eq!(event_kinds(&server, &jane).await[0], "session.ended");

    // The same handle again: that session is gone, so there is nothing of hers to end.
    let again = post(&server, &laptop, "/account/sessions/end", &[("session", &phone_handle)]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    // The notice is shown once, and never from the query.
    let (_, odd) = get(&laptop, &server.url("/account?done=%3Cb%3Epwned%3C%2Fb%3E")).await;
    assert!(!odd.contains("<b>pwned") && !odd.contains("banner-notice"), "{odd}");
}

#[tokio::test]
async fn sign_out_everywhere_else_ends_every_other_session_tells_their_apps_and_keeps_this_one() {
    let (server, mut logouts) = server_with_app().await;
    let jane = person(&server).await;
    let laptop = signed_in_on(&server, FIREFOX_LINUX, "jane", PASSWORD).await;
    let phone = signed_in_on(&server, CHROME_ANDROID, "jane", PASSWORD).await;
    let tablet = signed_in_on(&server, SAFARI_IPHONE, "jane", PASSWORD).await;
    app_tokens_in(&server, &phone).await;
    app_tokens_in(&server, &tablet).await;
    let john = crate::support::people::person("john")
        .password(PASSWORD)
        .create(&server)
        .await;
    let johns = signed_in_on(&server, FIREFOX_LINUX, "john", PASSWORD).await;

    assert_eq!(
        post_without_csrf(&server, &laptop, "/account/sessions/end-others", &[]).await,
        StatusCode::FORBIDDEN
    );
    assert!(is_signed_in(&server, &phone).await, "a forged post ends nothing");

    let ended = post(&server, &laptop, "/account/sessions/end-others", &[]).await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ended), "/account");
    let (_, page) = get(&laptop, &server.url(&location(&ended))).await;
    assert!(page.contains("Every other session is signed out."), "{page}");
    assert!(!page.contains("Sign out everywhere else"), "nothing else to sign out");
    assert!(!is_signed_in(&server, &phone).await && !is_signed_in(&server, &tablet).await);
    assert!(is_signed_in(&server, &laptop).await, "this browser stays");
    assert!(is_signed_in(&server, &johns).await, "another account's session stays");
    assert_eq!(server.store.sessions_of(jane.id).await.unwrap().len(), 1);
    assert_eq!(server.store.sessions_of(john.id).await.unwrap().len(), 1);

    let sids = [logout_claims(&mut logouts).await, logout_claims(&mut logouts).await]
        .map(|c| c["sid"].as_str().unwrap().to_owned());
    assert_ne!(sids[0], sids[1], "each session's app is told, once per session");
    assert_eq!(event_kinds(&server, &jane).await[0], "session.others_ended");

    let none = post(&server, &laptop, "/account/sessions/end-others", &[]).await;
    assert_eq!(location(&none), "/account");
    let (_, page) = get(&laptop, &server.url(&location(&none))).await;
    assert!(page.contains("There was no other session to sign out."), "{page}");
    assert_eq!(
        event_kinds(&server, &jane)
            .await
            .iter()
            .filter(|k| *k == "session.others_ended")
            .count(),
        1,
        "nothing ended, nothing recorded"
    );
}

#[tokio::test]
async fn a_handle_of_someone_elses_session_or_a_made_up_one_ends_nothing_and_is_404() {
    let (server, _logouts) = server_with_app().await;
    let jane = person(&server).await;
    let john = crate::support::people::person("john")
        .password(PASSWORD)
        .create(&server)
        .await;
    let janes = signed_in_on(&server, FIREFOX_LINUX, "jane", PASSWORD).await;
    let johns_laptop = signed_in_on(&server, FIREFOX_LINUX, "john", PASSWORD).await;
    let johns_phone = signed_in_on(&server, CHROME_ANDROID, "john", PASSWORD).await;
    let (_, johns_page) = get(&johns_laptop, &server.url("/account")).await;
    let johns_phone_handle = handles(&johns_page).pop().expect("john sees his phone's handle");
    let (_, janes_page) = get(&janes, &server.url("/account")).await;
    assert!(handles(&janes_page).is_empty(), "jane has only this session");
    assert!(!janes_page.contains(&johns_phone_handle));

    for (what, handle) in [
        ("john's session", johns_phone_handle.as_str()),
        ("a made-up handle", "00000000000000000000000000000000"),
        ("nothing", ""),
    ] {
        let refused = post(&server, &janes, "/account/sessions/end", &[("session", handle)]).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{what}");
    }
    let far_too_long = "a".repeat(5000);
    let refused = post(&server, &janes, "/account/sessions/end", &[("session", &far_too_long)]).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert!(
        is_signed_in(&server, &johns_phone).await,
        "john's phone stays signed in"
    );
    assert_eq!(server.store.sessions_of(john.id).await.unwrap().len(), 2);
    assert!(!event_kinds(&server, &jane).await.contains(&"session.ended".to_owned()));
    assert!(!event_kinds(&server, &john).await.contains(&"session.ended".to_owned()));
}

/// A server with the sandbox's providers, and the sandbox (kept running).
async fn server_with_providers() -> (TestServer, tessera_sandbox::Sandbox) {
    let sandbox = tessera_sandbox::start("127.0.0.1:0".parse().unwrap(), SandboxOptions::default())
        .await
        .expect("sandbox");
    let yaml = format!(
        "{FAST_PASSWORDS}{}",
        crate::upstream::upstreams_yaml(&sandbox.base_url())
    );
    (TestServer::start_configured(&yaml).await, sandbox)
}

/// Signs up (or in) with the sandbox's Twitter as `who` in a fresh browser.
async fn with_twitter(server: &TestServer, who: &str) -> reqwest::Client {
    let client = browser_builder().user_agent(FIREFOX_LINUX).build().expect("client");
    let start = client.get(server.url("/login/twitter")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let upstream = url::Url::parse(&location(&start)).unwrap();
    let callback = tessera_sandbox::browser::choose(&upstream, who)
        .await
        .expect("sandbox chooser");
    let signed_in = client.get(callback.as_str()).send().await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{who} signs in with Twitter");
    client
}

/// Moves the account's sign-ins `seconds` into the past (a sign-in that is no longer recent).
async fn sign_in_ago(server: &TestServer, user: &User, seconds: i64) {
    let at = time::OffsetDateTime::now_utc().unix_timestamp() - seconds;
    let changed = server
        .execute_sql(
            "UPDATE sessions SET auth_time = $1 WHERE user_id = $2",
            &[at.into(), user.id.to_string().as_str().into()],
        )
        .await;
    assert!(changed > 0, "the account has sessions");
}

async fn account(server: &TestServer, username: &str) -> Option<User> {
    server.store.user_by_username(username).await.expect("user_by_username")
}

#[tokio::test]
async fn an_account_without_a_password_sets_one_after_a_recent_sign_in() {
    let (server, _sandbox) = server_with_providers().await;
    let alice_browser = with_twitter(&server, "alice").await;
    let other_browser = with_twitter(&server, "alice").await;
    let alice = account(&server, "alice").await.expect("alice's account");
    assert!(alice.password_hash.is_none(), "signed up with Twitter: no password");
    let new_password = "a brand new passphrase";
    logs::secret(new_password);

    let (status, page) = get(&alice_browser, &server.url("/password/set")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Set a password") && page.contains("name=\"password2\""),
        "{page}"
    );

    let set = |password: &'static str, again: &'static str| {
        let (server, browser) = (&server, &alice_browser);
        async move {
            let csrf = csrf_from(browser, &server.url("/account")).await;
            let form = [("csrf", csrf.as_str()), ("password", password), ("password2", again)];
            browser
                .post(server.url("/password/set"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let differ = set("a brand new passphrase", "a brand new passphrasf").await;
    assert_eq!(differ.status(), StatusCode::BAD_REQUEST);
    let page = differ.text().await.unwrap();
    assert!(page.contains("The two passwords differ"), "{page}");
    assert!(
        page.contains("aria-invalid=\"true\"") && page.contains("form-errors"),
        "{page}"
    );
    let short = set("short", "short").await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(short.text().await.unwrap().contains("at least"), "the policy says why");
    assert!(
        account(&server, "alice").await.unwrap().password_hash.is_none(),
        "nothing set"
    );
    assert_eq!(
        post_without_csrf(
            &server,
            &alice_browser,
            "/password/set",
            &[("password", new_password), ("password2", new_password)]
        )
        .await,
        StatusCode::FORBIDDEN
    );

    // A sign-in from ten minutes ago is not recent enough: sign in again first.
    sign_in_ago(&server, &alice, 600).await;
    let (_, page) = get(&alice_browser, &server.url("/password/set")).await;
    assert!(page.contains("signed in within the last 5 minutes"), "{page}");
    assert!(
        page.contains("/login?reauth=1&amp;next=%2Fpassword%2Fset") || page.contains("next=%2Fpassword%2Fset"),
        "{page}"
    );
    assert!(!page.contains("name=\"password2\""), "no form until then");
    let stale = set(new_password, new_password).await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    assert!(stale.text().await.unwrap().contains("Sign in again"));
    assert!(
        account(&server, "alice").await.unwrap().password_hash.is_none(),
        "nothing set"
    );

    sign_in_ago(&server, &alice, 0).await;
    let done = set(new_password, new_password).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/account");
    let (_, page) = get(&alice_browser, &server.url("/account")).await;
    assert!(page.contains("Your password is set"), "{page}");
    assert!(
        page.contains("href=\"/password/change\""),
        "the page now offers a change"
    );
    assert!(account(&server, "alice").await.unwrap().password_hash.is_some());
    assert!(
        is_signed_in(&server, &alice_browser).await,
        "this browser stays signed in"
    );
    assert!(
        !is_signed_in(&server, &other_browser).await,
        "other sessions end, as with a change"
    );
    assert!(event_kinds(&server, &alice).await.contains(&"password.set".to_owned()));
    let with_password = log_in(&server, &browser(), "alice", new_password, None).await;
    assert_eq!(
        with_password.status(),
        StatusCode::SEE_OTHER,
        "the new password signs in"
    );

    // Now that there is a password, changing it is the way.
    let again = alice_browser.get(server.url("/password/set")).send().await.unwrap();
    assert_eq!(
        (again.status(), location(&again)),
        (StatusCode::SEE_OTHER, "/password/change".into())
    );
    let hash = account(&server, "alice").await.unwrap().password_hash;
    let posted = set("another new passphrase", "another new passphrase").await;
    assert_eq!(location(&posted), "/password/change");
    assert_eq!(
        account(&server, "alice").await.unwrap().password_hash,
        hash,
        "not replaced"
    );
}

#[tokio::test]
async fn download_my_data_has_the_account_and_no_secret() {
    let (server, _logouts) = server_with_app().await;
    let jane = person(&server).await;
    let laptop = signed_in_on(&server, FIREFOX_LINUX, "jane", PASSWORD).await;
    let refresh = app_tokens_in(&server, &laptop).await;
    let now = time::OffsetDateTime::now_utc();
    let sealed_tokens = b"SEALED-UPSTREAM-TOKENS-DO-NOT-EXPORT".to_vec();
    let identity = LinkedIdentity {
        provider: "twitter".into(),
        subject: "jane-t".into(),
        user_id: jane.id,
        username: Some("jane_t".into()),
        email: None,
        email_verified: false,
        profile: serde_json::json!({}),
        tokens_sealed: Some(sealed_tokens.clone()),
        linked_at: now,
        updated_at: now,
    };
    server
        .store
        .link_identity(&identity, &Effects::none())
        .await
        .expect("link");
    use tessera_core::factors::{SecondFactorStore, StoredPasskey};
    let sealed_totp = "SEALED-TOTP-SECRET-DO-NOT-EXPORT";
    server.store.begin_totp(jane.id, sealed_totp, now).await.unwrap();
    let code_digests = vec!["RECOVERY-DIGEST-DO-NOT-EXPORT".to_owned()];
    assert!(
        server
            .store
            .confirm_totp_with(jane.id, 1, &code_digests, now, &Effects::none())
            .await
            .unwrap()
    );
    let passkey = StoredPasskey {
        credential_id: "CREDENTIAL-ID-DO-NOT-EXPORT".into(),
        user_id: jane.id,
        name: "My laptop".into(),
        passkey: "{\"PUBLIC-KEY-DO-NOT-EXPORT\":1}".into(),
        created_at: now,
        last_used_at: None,
    };
    server.store.add_passkey_with(&passkey, &Effects::none()).await.unwrap();

    let response = laptop.get(server.url("/account/data")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"tessera-data-jane.json\""
    );
    assert_eq!(header("cache-control"), "no-store");
    let body = response.text().await.unwrap();
    assert!(
        body.starts_with("{\n  \"format\": \"tessera-account-export/1\",\n  \"exported_at\": "),
        "pretty-printed, the format first:\n{body}"
    );
    let data: Value = serde_json::from_str(&body).expect("JSON");

    assert_eq!(data["format"], "tessera-account-export/1");
    let exported_at = data["exported_at"].as_str().expect("the export time");
    time::OffsetDateTime::parse(exported_at, &time::format_description::well_known::Rfc3339).expect("RFC 3339");
    let profile = &data["profile"];
    assert_eq!(profile["username"], "jane");
    assert_eq!(
        (profile["first_name"].as_str(), profile["last_name"].as_str()),
        (Some("Jane"), Some("Doe"))
    );
    assert_eq!(profile["email"], "jane@example.com");
    assert_eq!(profile["email_verified"], true);
    assert!(
        profile["joined_at"].is_string() && profile["last_login_at"].is_string(),
        "{profile}"
    );
    assert_eq!(profile["groups"], serde_json::json!(["staff-team"]));
    let linked = &data["linked_identities"][0];
    assert_eq!(
        (linked["provider"].as_str(), linked["username"].as_str()),
        (Some("twitter"), Some("jane_t"))
    );
    assert!(linked["linked_at"].is_string());
    let consent = &data["consents"][0];
    assert_eq!(consent["app"], "demo-app");
    assert_eq!(consent["app_name"], "Demo App");
    assert!(
        consent["scopes"].as_array().unwrap().contains(&"openid".into()),
        "{consent}"
    );
    assert!(consent["granted_at"].is_string());
    let session = &data["sessions"][0];
    assert_eq!(session["device"], "Firefox on Linux");
    assert_eq!(session["ip"], "127.0.0.1");
    assert_eq!(session["this_device"], true);
    assert!(session["created_at"].is_string() && session["last_seen_at"].is_string());
    let factors = &data["second_factors"];
    assert_eq!(
        factors["kinds"],
        serde_json::json!(["authenticator_app", "passkey", "recovery_codes"])
    );
    assert!(factors["authenticator_app"]["added_at"].is_string());
    assert_eq!(factors["passkeys"][0]["name"], "My laptop");
    assert_eq!(factors["recovery_codes_left"], 1);
    let kinds: Vec<&str> = data["recent_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"user.login"), "{kinds:?}");

    let stored = account(&server, "jane").await.unwrap();
    let mut secrets = vec![
        stored.password_hash.clone().expect("a hash"),
        "$argon2".to_owned(),
        PASSWORD.to_owned(),
        sealed_totp.to_owned(),
        code_digests[0].clone(),
        "PUBLIC-KEY-DO-NOT-EXPORT".to_owned(),
        "CREDENTIAL-ID-DO-NOT-EXPORT".to_owned(),
        String::from_utf8(sealed_tokens).unwrap(),
        refresh,
    ];
    for s in server.store.sessions_of(jane.id).await.unwrap() {
        secrets.push(tessera_oidc::provider::sid_of(&s.id_digest));
        secrets.push(s.id_digest);
    }
    for secret in &secrets {
        assert!(!body.contains(secret.as_str()), "the export holds {secret:?}:\n{body}");
    }
    for key in ["password_hash", "sealed", "digest", "secret", "token"] {
        assert!(!body.to_lowercase().contains(key), "the export names {key:?}:\n{body}");
    }
    assert!(
        event_kinds(&server, &jane)
            .await
            .contains(&"account.exported".to_owned())
    );

    let outsider = browser().get(server.url("/account/data")).send().await.unwrap();
    assert_eq!(outsider.status(), StatusCode::SEE_OTHER);
    assert!(location(&outsider).starts_with("/login?next="), "sign in first");
}

/// Posts the deletion form in `client`.
async fn delete_account(
    server: &TestServer,
    client: &reqwest::Client,
    password: &str,
    username: &str,
) -> reqwest::Response {
    // The account page always has a form (the delete page has none after a stale sign-in).
    let csrf = csrf_from(client, &server.url("/account")).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("current_password", password),
        ("confirm_username", username),
    ];
    client
        .post(server.url("/account/delete"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The mails in the outbox to `to` (raw, quoted-printable joined), waiting up to 10 s for one.
async fn mail_to(server: &TestServer, to: &str, about: &str) -> String {
    for _ in 0..100 {
        let found = server
            .mails()
            .into_iter()
            .find(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))) && m.contains(about));
        if let Some(mail) = found {
            return mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no mail to {to} about {about:?}: {:#?}", server.mails());
}

#[tokio::test]
async fn deleting_my_account_needs_the_password_and_my_username_then_removes_it_tells_the_app_and_mails_me() {
    let (server, mut logouts) = server_with_app().await;
    let jane = person(&server).await;
    let laptop = signed_in_on(&server, FIREFOX_LINUX, "jane", PASSWORD).await;
    let phone = signed_in_on(&server, CHROME_ANDROID, "jane", PASSWORD).await;
    let refresh = app_tokens_in(&server, &laptop).await;

    let (status, page) = get(&laptop, &server.url("/account/delete")).await;
    assert_eq!(status, StatusCode::OK);
    for said in [
        "your profile",
        "every way to sign in",
        "the access you gave apps",
        "apps you signed in to are told that you signed out",
        "Type your username, jane, to confirm",
        "name=\"current_password\"",
    ] {
        assert!(page.contains(said), "the page says {said:?}:\n{page}");
    }
    let (_, account_page) = get(&laptop, &server.url("/account")).await;
    assert!(
        account_page.contains("href=\"/account/delete\""),
        "the account page links to it"
    );

    let still_there = |what: &'static str| {
        let server = &server;
        async move {
            assert!(account(server, "jane").await.is_some(), "{what}: the account stays");
            assert_eq!(
                server.store.sessions_of(jane.id).await.unwrap().len(),
                2,
                "{what}: sessions stay"
            );
            assert_eq!(
                server.store.grants_of(jane.id).await.unwrap().len(),
                1,
                "{what}: the app's access stays"
            );
        }
    };
    for (typed, why) in [
        ("john", "another name"),
        ("", "nothing typed"),
        ("jane doe", "more than the name"),
    ] {
        let refused = delete_account(&server, &laptop, PASSWORD, typed).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{why}");
        let page = refused.text().await.unwrap();
        assert!(
            page.contains("The username you typed is not jane. Nothing was deleted."),
            "{why}: {page}"
        );
        assert!(
            page.contains("id=\"confirm_username\"")
                && page.contains("confirm-hint form-errors\" aria-invalid=\"true\""),
            "{why}: the field is marked: {page}"
        );
    }
    still_there("a wrong username").await;

    let wrong = delete_account(&server, &laptop, "not my password", "jane").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let page = wrong.text().await.unwrap();
    assert!(
        page.contains("Your current password is not right. Nothing was deleted."),
        "{page}"
    );
    assert!(
        page.contains("aria-describedby=\"form-errors\" aria-invalid=\"true\""),
        "{page}"
    );
    assert!(!page.contains("not my password"), "the password is never shown back");
    still_there("a wrong password").await;
    assert_eq!(
        post_without_csrf(
            &server,
            &laptop,
            "/account/delete",
            &[("current_password", PASSWORD), ("confirm_username", "jane")]
        )
        .await,
        StatusCode::FORBIDDEN
    );
    still_there("a forged post").await;
    assert!(is_signed_in(&server, &phone).await);
    assert_eq!(
        refresh_status(&server, &refresh).await,
        StatusCode::OK,
        "the app's tokens work"
    );

    // Typed as the username folds ("JANE" is jane), with the right password.
    let deleted = delete_account(&server, &laptop, PASSWORD, " JANE ").await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&deleted), "/goodbye");
    let cleared = deleted
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("tessera_session="))
        .expect("the session cookie is cleared");
    assert!(
        cleared.starts_with("tessera_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let (status, goodbye) = get(&laptop, &server.url("/goodbye")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(goodbye.contains("Your account is deleted"), "{goodbye}");

    assert!(account(&server, "jane").await.is_none(), "the account is gone");
    assert!(
        server.store.sessions_of(jane.id).await.unwrap().is_empty(),
        "and its sessions"
    );
    assert!(!is_signed_in(&server, &phone).await && !is_signed_in(&server, &laptop).await);
    let claims = logout_claims(&mut logouts).await;
    assert_eq!(
        (claims["aud"].as_str(), claims["sub"].as_str()),
        (Some("demo-app"), Some(jane.id.to_string().as_str()))
    );
    assert_ne!(
        refresh_status(&server, &refresh).await,
        StatusCode::OK,
        "the app's tokens are gone"
    );

    let mail = mail_to(&server, "jane@example.com", "Your account was deleted").await;
    assert!(mail.contains("Hello Jane Doe,"), "{mail}");
    assert!(
        mail.contains("Your account jane was deleted at your request."),
        "{mail}"
    );
    assert!(mail.contains(&server.url("/register")), "{mail}");
    let events = event_kinds(&server, &jane).await;
    assert_eq!(events[0], "account.deleted", "the record stays: {events:?}");
}

#[tokio::test]
async fn an_account_without_a_password_is_deleted_only_after_a_recent_sign_in() {
    let (server, _sandbox) = server_with_providers().await;
    let bob_browser = with_twitter(&server, "bob").await;
    let bob = account(&server, "bob").await.expect("bob's account");
    assert!(bob.password_hash.is_none() && bob.email.is_none());
    assert_eq!(
        server.store.identities_of(bob.id).await.unwrap().len(),
        1,
        "his Twitter"
    );

    let (_, page) = get(&bob_browser, &server.url("/account/delete")).await;
    assert!(page.contains("Type your username, bob, to confirm"), "{page}");
    assert!(!page.contains("name=\"current_password\""), "no password to ask for");

    sign_in_ago(&server, &bob, 600).await;
    let (_, page) = get(&bob_browser, &server.url("/account/delete")).await;
    assert!(page.contains("signed in within the last 5 minutes"), "{page}");
    assert!(!page.contains("name=\"confirm_username\""), "sign in again first");
    let stale = delete_account(&server, &bob_browser, "", "bob").await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    let page = stale.text().await.unwrap();
    assert!(
        page.contains("Sign in again") && page.contains("Nothing was deleted."),
        "{page}"
    );
    assert!(
        account(&server, "bob").await.is_some(),
        "a stale sign-in deletes nothing"
    );

    // A fresh sign-in (through the provider again) is enough.
    let fresh = with_twitter(&server, "bob").await;
    let wrong_name = delete_account(&server, &fresh, "", "alice").await;
    assert_eq!(wrong_name.status(), StatusCode::BAD_REQUEST);
    assert!(account(&server, "bob").await.is_some());
    let deleted = delete_account(&server, &fresh, "", "bob").await;
    assert_eq!(
        (deleted.status(), location(&deleted)),
        (StatusCode::SEE_OTHER, "/goodbye".into())
    );
    assert!(account(&server, "bob").await.is_none());
    assert!(!is_signed_in(&server, &bob_browser).await, "every session ended");
    assert!(
        server.store.identities_of(bob.id).await.unwrap().is_empty(),
        "the Twitter link went with the account"
    );
    assert!(event_kinds(&server, &bob).await.contains(&"account.deleted".to_owned()));
}

#[tokio::test]
async fn wrong_passwords_on_the_delete_page_are_throttled() {
    let server = TestServer::start_configured(&format!(
        "{FAST_PASSWORDS}security:\n  throttle:\n    login_free_failures: 1\n    login_pair_lockout_after: 2\n"
    ))
    .await;
    crate::support::people::person("jane")
        .email("jane@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    let laptop = signed_in_on(&server, FIREFOX_LINUX, "jane", PASSWORD).await;
    let first = delete_account(&server, &laptop, "wrong one", "jane").await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let second = delete_account(&server, &laptop, "wrong two", "jane").await;
    assert_eq!(second.status(), StatusCode::UNAUTHORIZED);
    let blocked = delete_account(&server, &laptop, PASSWORD, "jane").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().get("retry-after").is_some());
    let page = blocked.text().await.unwrap();
    assert!(
        page.contains("Too many attempts. Try again in") && page.contains("Nothing was deleted."),
        "{page}"
    );
    assert!(
        account(&server, "jane").await.is_some(),
        "even the right password waits"
    );
}
