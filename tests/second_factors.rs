//! Second factors through the real pages: enrolling an authenticator app (the secret read
//! from the page, codes computed with `totp-rs`), the second step at login with a code or a
//! recovery code, replayed and wrong codes refused, an app that requires MFA forcing
//! enrollment, and `acr_values` / `max_age` step-up giving a new `auth_time` and `amr` with
//! `mfa`.

use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::factors::SecondFactorStore;
use tessera_core::store::{AuditStore, SessionStore};

use crate::support::people::{FAST_PASSWORDS, PASSWORD, log_in, person};
use crate::support::server::{TestServer, browser, csrf_from, location, settled};

const SECRET: &str = "mfa-app-secret-0123456789abc";
const CALLBACK: &str = "http://127.0.0.1:9000/callback";
const MULTI: &str = "urn:tessera:acr:multi-factor";

async fn start() -> TestServer {
    crate::support::logs::secret(SECRET);
    let clients = format!(
        "clients:\n\
         \x20 - id: strict\n    secret: {SECRET}\n    redirect_uris: ['{CALLBACK}']\n    first_party: true\n    require_mfa: true\n\
         \x20 - id: plain\n    secret: {SECRET}\n    redirect_uris: ['{CALLBACK}']\n    first_party: true\n"
    );
    TestServer::start_configured(&format!("{FAST_PASSWORDS}{clients}")).await
}

/// The text between `start` and the next `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    html.split_once(start)?.1.split_once(end).map(|(v, _)| v)
}

/// The authenticator app of the test: built from the secret the setup page shows.
fn app_from(page: &str) -> totp_rs::Totp {
    let shown = between(page, "<code id=\"totp-secret\">", "</code>").expect("the page shows the secret");
    let base32: String = shown.split_whitespace().collect();
    let secret = totp_rs::Secret::try_from_base32(&base32).expect("base32 secret");
    totp_rs::Builder::new().with_secret(secret).build_noncompliant()
}

fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// Sets up the app on the setup page for the signed-in `client`; returns it and the codes.
async fn enroll(server: &TestServer, client: &reqwest::Client, setup: &str) -> (totp_rs::Totp, Vec<String>, String) {
    let page = client.get(server.url(setup)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<svg") && html.contains("otpauth:"),
        "QR code and URI shown"
    );
    let app = app_from(&html);
    let csrf = crate::support::server::csrf_of(&html);
    let next = between(&html, "name=\"next\" value=\"", "\"").map(|n| n.replace("&amp;", "&").replace("&#x2f;", "/"));
    let mut form = vec![("csrf", csrf.clone()), ("code", "000000".to_owned())];
    if let Some(n) = &next {
        form.push(("next", n.clone()));
    }
    if app.generate(now()).to_string() != "000000" {
        let wrong = client
            .post(server.url("/account/totp"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            wrong.status(),
            StatusCode::UNAUTHORIZED,
            "a wrong code does not turn the app on"
        );
    }
    form[1].1 = app.generate(now()).to_string();
    let confirmed = client
        .post(server.url("/account/totp"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert_eq!(confirmed.headers()["cache-control"], "no-store");
    let html = confirmed.text().await.unwrap();
    let list = between(&html, "<ul id=\"recovery-codes\"", "</ul>").expect("the codes are listed");
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .filter_map(|c| c.split_once("</code>").map(|(v, _)| v.to_owned()))
        .collect();
    assert_eq!(codes.len(), 10, "{list}");
    assert!(html.contains("download=\"recovery-codes.txt\""));
    let continue_to = between(&html, "class=\"button primary\" href=\"", "\"")
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    (app, codes, continue_to)
}

/// Posts a code to the second step; the response.
async fn second_step(server: &TestServer, client: &reqwest::Client, code: &str) -> reqwest::Response {
    let csrf = csrf_from(client, &server.url("/login/second-factor")).await;
    client
        .post(server.url("/login/second-factor"))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

async fn newest_amr(server: &TestServer, user: tessera_core::UserId) -> String {
    server.store.sessions_of(user).await.unwrap()[0].amr.clone()
}

#[tokio::test]
async fn an_authenticator_app_signs_in_once_per_code_and_recovery_codes_once_each() {
    let server = start().await;
    let alice = person("alice")
        .email("alice@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    let signed_in = crate::support::people::signed_in(&server, "alice", PASSWORD).await;
    let (app, codes, continue_to) = enroll(&server, &signed_in, "/account/totp").await;
    assert_eq!(continue_to, "/account");
    let summary = server.store.factor_summary(alice.id).await.unwrap();
    assert!(summary.totp && summary.recovery_codes_left == 10, "{summary:?}");

    // Password first: no session yet, only the second step.
    let b = browser();
    let r = log_in(&server, &b, "alice", PASSWORD, None).await;
    assert_eq!(location(&r), "/login/second-factor");
    let account = b.get(server.url("/account")).send().await.unwrap();
    assert_eq!(
        account.status(),
        StatusCode::SEE_OTHER,
        "no session before the second factor"
    );
    // Enrollment used this time step's code: the next step's (within the one step of drift
    // allowed) is the first that works.
    let current = app.generate(now() + 30).to_string();
    let wrong = if current == "123456" { "654321" } else { "123456" };
    let r = second_step(&server, &b, wrong).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("role=\"alert\""));
    let r = second_step(&server, &b, &current).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account");
    assert_eq!(newest_amr(&server, alice.id).await, "pwd otp mfa");

    // The same code again, in another browser within its window: refused (RFC 6238 §5.2).
    let c = browser();
    log_in(&server, &c, "alice", PASSWORD, None).await;
    let r = second_step(&server, &c, &current).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a code is accepted once");
    // A recovery code works once, is audited and mailed.
    let r = second_step(&server, &c, &codes[3].to_uppercase()).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "recovery codes match whatever the case"
    );
    settled(&server.store, std::time::Duration::from_secs(10)).await;
    assert!(
        server.mails().iter().any(|m| m.contains("A recovery code was used")),
        "the person is told"
    );
    let d = browser();
    log_in(&server, &d, "alice", PASSWORD, None).await;
    let r = second_step(&server, &d, &codes[3]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a recovery code is used once");
    assert_eq!(
        server.store.factor_summary(alice.id).await.unwrap().recovery_codes_left,
        9
    );
}

/// The code an app receives at its callback after following redirects from `start`.
async fn code_from(server: &TestServer, client: &reqwest::Client, start: &str) -> Result<String, String> {
    let mut url = start.to_owned();
    for _ in 0..10 {
        let r = client.get(&url).send().await.unwrap();
        if r.status() != StatusCode::SEE_OTHER {
            return Err(format!("{url}: {}", r.status()));
        }
        let to = location(&r);
        if to.starts_with(CALLBACK) {
            let q: std::collections::HashMap<String, String> =
                url::Url::parse(&to).unwrap().query_pairs().into_owned().collect();
            return q.get("code").cloned().ok_or(to);
        }
        if !to.starts_with("/authorize") {
            return Err(to);
        }
        url = server.url(&to);
    }
    Err("too many redirects".into())
}

async fn id_token(server: &TestServer, client_id: &str, code: &str) -> Value {
    let body: Value = reqwest::Client::new()
        .post(server.url("/token"))
        .basic_auth(client_id, Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let payload = body["id_token"]
        .as_str()
        .expect("an ID token")
        .split('.')
        .nth(1)
        .unwrap();
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn authorize(server: &TestServer, client_id: &str, extra: &str) -> String {
    format!(
        "{}?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid&state=s{extra}",
        server.url("/authorize"),
        urlencoding::encode(CALLBACK)
    )
}

#[tokio::test]
async fn an_app_requiring_mfa_leads_to_enrollment_and_acr_values_and_max_age_step_up() {
    let server = start().await;
    let bob = person("bob").password(PASSWORD).create(&server).await;
    let b = crate::support::people::signed_in(&server, "bob", PASSWORD).await;

    // One factor is enough for the plain app, and its ID token says so.
    let code = code_from(&server, &b, &authorize(&server, "plain", "")).await.unwrap();
    let plain = id_token(&server, "plain", &code).await;
    assert_eq!(plain["amr"], serde_json::json!(["pwd"]));
    assert_eq!(plain["acr"], "urn:tessera:acr:single-factor");

    // The strict app (require_mfa) sends a person with no factor to set one up first.
    let to = code_from(&server, &b, &authorize(&server, "strict", ""))
        .await
        .unwrap_err();
    assert!(to.starts_with("/account/totp?next="), "{to}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (app, codes, continue_to) = enroll(&server, &b, &to).await;
    assert!(continue_to.starts_with("/authorize/continue?id="), "{continue_to}");
    let code = code_from(&server, &b, &server.url(&continue_to)).await.unwrap();
    let strict = id_token(&server, "strict", &code).await;
    assert_eq!(strict["acr"], MULTI);
    let amr: Vec<&str> = strict["amr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        amr.contains(&"mfa") && amr.contains(&"otp") && amr.contains(&"pwd"),
        "{amr:?}"
    );
    assert!(
        strict["auth_time"].as_i64() > plain["auth_time"].as_i64(),
        "a new auth_time"
    );

    // acr_values asking for the multi-factor class: this session has it already.
    let acr = format!("&acr_values={}", urlencoding::encode(MULTI));
    let code = code_from(&server, &b, &authorize(&server, "plain", &acr))
        .await
        .unwrap();
    assert_eq!(id_token(&server, "plain", &code).await["acr"], MULTI);

    // A fresh browser signs in with the password and a code: max_age=0 asks again.
    let c = browser();
    let r = log_in(&server, &c, "bob", PASSWORD, None).await;
    assert_eq!(location(&r), "/login/second-factor");
    assert_eq!(
        second_step(&server, &c, &codes[0]).await.status(),
        StatusCode::SEE_OTHER
    );
    let first = code_from(&server, &c, &authorize(&server, "strict", "")).await.unwrap();
    let first = id_token(&server, "strict", &first).await["auth_time"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let to = code_from(&server, &c, &authorize(&server, "strict", "&max_age=0"))
        .await
        .unwrap_err();
    assert!(to.starts_with("/login?") && to.contains("reauth=1"), "{to}");
    let next = url::Url::parse(&server.url(&to))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let r = log_in(&server, &c, "bob", PASSWORD, Some(&next)).await;
    assert_eq!(location(&r), "/login/second-factor");
    let r = second_step(&server, &c, &codes[1]).await;
    assert_eq!(location(&r), next);
    let code = code_from(&server, &c, &server.url(&next)).await.unwrap();
    let again = id_token(&server, "strict", &code).await;
    assert!(
        again["auth_time"].as_i64().unwrap() > first,
        "max_age=0 gave a new auth_time"
    );
    assert!(again["amr"].as_array().unwrap().contains(&serde_json::json!("mfa")));
    let _ = (app, bob);
}

#[tokio::test]
async fn discovery_lists_the_acr_values_and_prompt_none_cannot_step_up() {
    let server = start().await;
    let meta: Value = reqwest::get(server.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        meta["acr_values_supported"],
        serde_json::json!(["urn:tessera:acr:single-factor", MULTI])
    );
    person("carol").password(PASSWORD).create(&server).await;
    let c = crate::support::people::signed_in(&server, "carol", PASSWORD).await;
    let to = code_from(&server, &c, &authorize(&server, "strict", "&prompt=none"))
        .await
        .unwrap_err();
    assert!(
        to.starts_with(CALLBACK) && to.contains("error=interaction_required"),
        "{to}"
    );
}

#[tokio::test]
async fn a_required_group_leads_to_enrollment_and_an_old_session_signs_in_again_to_add_a_factor() {
    let yaml = format!("{FAST_PASSWORDS}security:\n  mfa: optional\n  mfa_required_groups: [admins]\n");
    let server = TestServer::start_configured(&yaml).await;
    let dana = person("dana").password(PASSWORD).group("admins").create(&server).await;
    person("erin").password(PASSWORD).create(&server).await;
    let b = browser();
    let r = log_in(&server, &b, "dana", PASSWORD, None).await;
    assert_eq!(
        location(&r),
        "/account/totp?next=%2Faccount",
        "a member of admins must set one up"
    );
    let e = browser();
    let r = log_in(&server, &e, "erin", PASSWORD, None).await;
    assert_eq!(location(&r), "/account", "others need not");

    // A session whose sign-in is an hour old cannot plant a new factor.
    let hour_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    server
        .execute_sql(
            "UPDATE sessions SET auth_time = $1 WHERE user_id = $2",
            &[
                crate::support::db::Arg::Int(hour_ago),
                crate::support::db::Arg::Text(&dana.id.to_string()),
            ],
        )
        .await;
    let r = b.get(server.url("/account/totp")).send().await.unwrap();
    assert_eq!(location(&r), "/login?reauth=1&next=%2Faccount%2Ftotp");
    let csrf = csrf_from(&b, &server.url("/account")).await;
    let r = b
        .post(server.url("/account/passkeys/options"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("sign in again"), "{body}");
    assert_eq!(
        server.store.factor_summary(dana.id).await.unwrap(),
        tessera_core::factors::FactorSummary::default(),
        "nothing was set up"
    );
}

/// The outside review's attacks on the second factors, replayed: each is refused.
#[tokio::test]
async fn a_session_alone_cannot_plant_a_factor_and_the_first_factor_signs_out_other_browsers() {
    let yaml = format!(
        "{FAST_PASSWORDS}security:\n  mfa_required_groups: [agents]\n\
         remote_auth:\n  - {{ id: fresh, kind: freshdesk, url: 'https://example.freshdesk.com', secret: '${{ZENDESK_SECRET}}' }}\n"
    );
    let server = TestServer::start_configured(&yaml).await;
    let fay = person("fay")
        .email("fay@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    // Two browsers signed in with the password; the first sets up an app.
    let mine = crate::support::people::signed_in(&server, "fay", PASSWORD).await;
    let other = crate::support::people::signed_in(&server, "fay", PASSWORD).await;
    // Two visits to the set-up page show two secrets: one glimpsed earlier is never the one
    // that gets confirmed.
    let first = mine
        .get(server.url("/account/totp"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let glimpsed = app_from(&first);
    let second = mine
        .get(server.url("/account/totp"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_ne!(app_from(&second).secret(), glimpsed.secret(), "a new secret per visit");
    let csrf = crate::support::server::csrf_of(&second);
    let r = mine
        .post(server.url("/account/totp"))
        .form(&[("csrf", csrf.as_str()), ("code", &glimpsed.generate(now()).to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the glimpsed secret's code is refused"
    );
    let (_app, _codes, _) = enroll(&server, &mine, "/account/totp").await;
    let r = other.get(server.url("/account")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the password-only browser was signed out"
    );
    settled(&server.store, std::time::Duration::from_secs(10)).await;
    assert!(server.mails().iter().any(|m| m.contains("A second factor was added")));

    // A stolen session whose sign-in is old must pass the second step again to add a passkey.
    let hour_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    server
        .execute_sql(
            "UPDATE sessions SET auth_time = $1 WHERE user_id = $2",
            &[
                crate::support::db::Arg::Int(hour_ago),
                crate::support::db::Arg::Text(&fay.id.to_string()),
            ],
        )
        .await;
    let csrf = csrf_from(&mine, &server.url("/account")).await;
    let r = mine
        .post(server.url("/account/passkeys/options"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["redirect"], "/login/second-factor", "{body}");
    let r = mine.get(server.url("/account/totp")).send().await.unwrap();
    assert_eq!(location(&r), "/login/second-factor");
    assert_eq!(server.store.passkeys_of(fay.id).await.unwrap().len(), 0);

    // Removing the last factor takes the recovery codes with it.
    let r = second_step(&server, &mine, &_codes[0]).await;
    assert_eq!(location(&r), "/account/totp", "back where the step-up began");
    let csrf = csrf_from(&mine, &server.url("/account")).await;
    let r = mine
        .post(server.url("/account/totp/remove"))
        .form(&[("csrf", csrf.as_str()), ("current_password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account", "removed (post/redirect/get)");
    let left = server.store.factor_summary(fay.id).await.unwrap();
    assert_eq!(
        left,
        tessera_core::factors::FactorSummary::default(),
        "no code outlives the factors"
    );

    // A helpdesk sign-in follows the policy too: an agent without a factor sets one up first.
    person("hal")
        .email("hal@example.com")
        .confirmed()
        .password(PASSWORD)
        .group("agents")
        .create(&server)
        .await;
    let hal = crate::support::people::signed_in(&server, "hal", PASSWORD).await;
    let to = location(&hal.get(server.url("/remote-auth/fresh")).send().await.unwrap());
    assert_eq!(
        to, "/account/totp?next=%2Fremote-auth%2Ffresh",
        "no helpdesk assertion on one factor"
    );
}

#[tokio::test]
async fn concurrent_code_guesses_are_checked_no_more_than_the_lockout_allows() {
    let yaml =
        format!("{FAST_PASSWORDS}security:\n  throttle:\n    code_free_failures: 1\n    code_lockout_after: 3\n");
    let server = TestServer::start_configured(&yaml).await;
    let gil = person("gil").password(PASSWORD).create(&server).await;
    let signed_in = crate::support::people::signed_in(&server, "gil", PASSWORD).await;
    let (app, _, _) = enroll(&server, &signed_in, "/account/totp").await;
    let b = browser();
    log_in(&server, &b, "gil", PASSWORD, None).await;
    let csrf = csrf_from(&b, &server.url("/login/second-factor")).await;
    let valid: Vec<String> = [-30i64, 0, 30]
        .iter()
        .map(|d| app.generate(now().saturating_add_signed(*d)).to_string())
        .collect();
    let guesses: Vec<String> = (0..20u32)
        .map(|i| format!("{:06}", 100_000 + i * 7919))
        .filter(|g| !valid.contains(g))
        .take(12)
        .collect();
    // All at once: each is charged before it is checked, so at most code_lockout_after are.
    let posts: Vec<_> = guesses
        .into_iter()
        .map(|code| {
            let (b, url, csrf) = (b.clone(), server.url("/login/second-factor"), csrf.clone());
            tokio::spawn(async move {
                b.post(url)
                    .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for post in posts {
        statuses.push(post.await.unwrap());
    }
    let checked = server
        .store
        .recent_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "user.mfa_failed" && e.user_id == Some(gil.id))
        .count();
    assert!(checked <= 3, "{checked} guesses were checked ({statuses:?})");
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn on_https_the_second_step_cookie_is_host_only_and_secure() {
    let server = TestServer::start_https_issuer(FAST_PASSWORDS).await;
    let ivy = person("ivy").password(PASSWORD).create(&server).await;
    let now = time::OffsetDateTime::now_utc();
    server.store.begin_totp(ivy.id, "c2VhbGVk", now).await.unwrap();
    let codes = tessera_core::factors::RecoveryCodeSet::generate();
    let effects = tessera_core::jobs::Effects::none();
    server
        .store
        .confirm_totp_with(ivy.id, 1, &codes.digests, now, &effects)
        .await
        .unwrap();
    let r = log_in(&server, &browser(), "ivy", PASSWORD, None).await;
    assert_eq!(location(&r), "/login/second-factor");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("second_step"))
        .expect("the second step's cookie")
        .to_owned();
    assert!(cookie.starts_with("__Host-tessera_second_step="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
}
