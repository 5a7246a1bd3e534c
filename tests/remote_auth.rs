//! Helpdesk remote authentication end to end: the person's browser, Tessera over HTTP, and an
//! independent recomputation of every signature (md-5 / hmac here, not the crate under test).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use tessera_core::store::{AuditStore, GroupStore};

use crate::support::people::{FAST_PASSWORDS, PASSWORD, person, signed_in};
use crate::support::server::{TestServer, browser, csrf_from, location, submit};

const SECRET: &str = "zd-shared-secret";

const TARGETS: &str = "remote_auth:\n\
  - { id: zendesk, kind: zendesk_md5, allow_legacy_md5: true, url: 'https://example.zendesk.com', secret: '${ZENDESK_SECRET}', logout_ends_session: true }\n\
  - { id: agents, kind: zendesk_md5, allow_legacy_md5: true, url: 'https://agents.zendesk.com', secret: '${ZENDESK_SECRET}', allow: groups, groups: [agents] }\n\
  - { id: staffdesk, kind: zendesk_md5_pipe, allow_legacy_md5: true, url: 'https://staff.zendesk.com', secret: '${ZENDESK_SECRET}', allow: staff, timestamp: now }\n\
  - { id: pipedesk, kind: zendesk_md5_pipe, allow_legacy_md5: true, url: 'https://pipe.zendesk.com', secret: '${ZENDESK_SECRET}' }\n\
  - { id: slowdesk, kind: zendesk_md5, allow_legacy_md5: true, url: 'https://slow.zendesk.com', secret: '${ZENDESK_SECRET}', timestamp_window: 10m }\n\
  - { id: jwt, kind: zendesk_jwt, url: 'https://example.zendesk.com', secret: '${ZENDESK_SECRET}', external_id: user_id, attributes: { organization: company, role: zendesk_role } }\n\
  - { id: jwtget, kind: zendesk_jwt, url: 'https://example.zendesk.com', secret: '${ZENDESK_SECRET}', delivery: get }\n\
  - { id: fresh, kind: freshdesk, url: 'https://example.freshdesk.com', secret: '${ZENDESK_SECRET}' }\n";

const TRICKY_FIRST: &str = "Zoë \"Z\" O'Brien & Co";
const TRICKY_LAST: &str = "+ =50% #1 Ünïcødé";

async fn start() -> TestServer {
    TestServer::start_configured(&format!("{FAST_PASSWORDS}{TARGETS}")).await
}

/// A confirmed account with the tricky names and the attributes the helpdesks map.
async fn tricky(server: &TestServer, username: &str, email: Option<&str>) -> tessera_core::User {
    let someone = person(username)
        .confirmed()
        .names(TRICKY_FIRST, TRICKY_LAST)
        .attribute("company", "Acme & Sons")
        .attribute("zendesk_role", "agent")
        .password(PASSWORD);
    match email {
        Some(email) => someone.email(email),
        None => someone,
    }
    .create(server)
    .await
}

fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

/// The current Unix time as the helpdesk would send it.
fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn tricky_unicode_name_survives_and_the_hash_recomputes() {
    let server = start().await;
    let user = tricky(&server, "zoe", Some("zoe+help@example.com")).await;
    let client = signed_in(&server, "zoe", PASSWORD).await;
    let timestamp = now().to_string();
    let r = client
        .get(server.url("/remote-auth/zendesk"))
        .query(&[
            ("timestamp", timestamp.as_str()),
            ("return_to", "https://example.zendesk.com/hc/en-us?a=1&b=2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with("https://example.zendesk.com/access/remote/?"), "{to}");
    let q = query(&to);
    let name = format!("{TRICKY_FIRST} {TRICKY_LAST}");
    assert_eq!(q["name"], name);
    assert_eq!(q["email"], "zoe+help@example.com");
    assert_eq!(
        q["external_id"],
        user.id.to_string(),
        "the account id by default, never a chosen name"
    );
    assert_eq!(q["timestamp"], timestamp);
    assert_eq!(q["return_to"], "https://example.zendesk.com/hc/en-us?a=1&b=2");
    assert_eq!(
        q["hash"],
        md5_hex(&format!("{name}zoe+help@example.com{}{SECRET}{timestamp}", user.id))
    );

    // A return_to on another host is dropped, not followed.
    let r = client
        .get(server.url(&format!(
            "/remote-auth/zendesk?timestamp={timestamp}&return_to=https%3A%2F%2Fevil.example%2F"
        )))
        .send()
        .await
        .unwrap();
    assert!(!query(&location(&r)).contains_key("return_to"));

    let events = server.store.recent_events(10).await.unwrap();
    let redirect = events
        .iter()
        .find(|e| e.kind == "remote_auth.redirect")
        .expect("audit event");
    assert_eq!(redirect.user_id, Some(user.id));
    assert_eq!(redirect.detail["target"], "zendesk");
    let detail = redirect.detail.to_string();
    assert!(
        !detail.contains(SECRET) && !detail.contains(&q["hash"]),
        "no secret or hash in the audit log: {detail}"
    );
}

#[tokio::test]
async fn a_signed_out_person_goes_through_login_and_lands_on_the_helpdesk() {
    let server = start().await;
    tricky(&server, "zoe", Some("zoe@example.com")).await;
    let client = browser();
    let timestamp = now();
    let start = server.url(&format!(
        "/remote-auth/zendesk?timestamp={timestamp}&return_to=https%3A%2F%2Fexample.zendesk.com%2Fhc"
    ));
    let r = client.get(&start).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let login_url = location(&r);
    assert!(
        login_url.starts_with(&format!(
            "/login?next=%2Fremote-auth%2Fzendesk%3Ftimestamp%3D{timestamp}"
        )),
        "{login_url}"
    );
    let next = query(&server.url(&login_url))["next"].clone();
    let csrf = csrf_from(&client, &server.url(&login_url)).await;
    let r = client
        .post(server.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "zoe"),
            ("password", PASSWORD),
            ("next", next.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), next);
    let r = client.get(server.url(&next)).send().await.unwrap();
    let to = location(&r);
    assert!(to.starts_with("https://example.zendesk.com/access/remote/?"), "{to}");
    assert_eq!(query(&to)["return_to"], "https://example.zendesk.com/hc");
}

fn verify_jwt(token: &str) -> serde_json::Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
        parts[2],
        "HS256 signature verifies with the shared secret"
    );
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

#[tokio::test]
async fn zendesk_jwt_verifies_and_has_a_fresh_jti_each_time() {
    let server = start().await;
    let user = tricky(&server, "zoe", Some("zoe@example.com")).await;
    let client = signed_in(&server, "zoe", PASSWORD).await;

    // POST delivery: an auto-submitting form with the token in a hidden field.
    let page = client
        .get(server.url("/remote-auth/jwt?return_to=https%3A%2F%2Fexample.zendesk.com%2Fhc"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("action=\"https:&#x2f;&#x2f;example.zendesk.com&#x2f;access&#x2f;jwt\""),
        "{page}"
    );
    let token = page
        .split("name=\"jwt\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let claims = verify_jwt(&token);
    assert_eq!(claims["email"], "zoe@example.com");
    assert_eq!(claims["name"], format!("{TRICKY_FIRST} {TRICKY_LAST}"));
    assert_eq!(claims["external_id"], user.id.to_string());
    assert_eq!(claims["organization"], "Acme & Sons");
    assert_eq!(claims["role"], "agent");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((claims["iat"].as_i64().unwrap() - now).abs() < 60);

    // GET delivery: a redirect carrying the token; every token has its own jti.
    let mut jtis = std::collections::HashSet::new();
    jtis.insert(claims["jti"].as_str().unwrap().to_owned());
    for _ in 0..3 {
        let r = client.get(server.url("/remote-auth/jwtget")).send().await.unwrap();
        let to = location(&r);
        assert!(to.starts_with("https://example.zendesk.com/access/jwt?"), "{to}");
        let claims = verify_jwt(&query(&to)["jwt"]);
        assert!(jtis.insert(claims["jti"].as_str().unwrap().to_owned()), "jti reused");
    }
}

#[tokio::test]
async fn freshdesk_hash_recomputes() {
    let server = start().await;
    tricky(&server, "zoe", Some("zoe@example.com")).await;
    let client = signed_in(&server, "zoe", PASSWORD).await;
    let to = location(&client.get(server.url("/remote-auth/fresh")).send().await.unwrap());
    assert!(to.starts_with("https://example.freshdesk.com/login/sso?"), "{to}");
    let q = query(&to);
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}{SECRET}{}{}", q["name"], q["email"], q["timestamp"]).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(q["hash"], expected);
}

#[tokio::test]
async fn access_rules_refuse_people_outside_them() {
    let server = start().await;
    let agent = tricky(&server, "agent", Some("agent@example.com")).await;
    tricky(&server, "customer", Some("customer@example.com")).await;
    server.store.create_group("agents").await.unwrap();
    server.store.add_to_group("agents", agent.id).await.unwrap();

    let customer = signed_in(&server, "customer", PASSWORD).await;
    let agents = server.url(&format!("/remote-auth/agents?timestamp={}", now()));
    let r = customer.get(&agents).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("not allowed to sign in to agents"));
    assert_eq!(
        customer
            .get(server.url("/remote-auth/staffdesk"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    let agent = signed_in(&server, "agent", PASSWORD).await;
    let r = agent.get(&agents).send().await.unwrap();
    assert!(location(&r).starts_with("https://agents.zendesk.com/access/remote/?"));
}

#[tokio::test]
async fn bad_requests_get_clear_pages() {
    let server = start().await;
    tricky(&server, "zoe", Some("zoe@example.com")).await;
    tricky(&server, "nomail", None).await;
    let client = signed_in(&server, "zoe", PASSWORD).await;
    let r = client
        .get(server.url("/remote-auth/nowhere?timestamp=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = client.get(server.url("/remote-auth/zendesk")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("did not send a timestamp"));
    let r = client
        .get(server.url("/remote-auth/zendesk?timestamp=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("not a number of seconds"));
    // Configured to use "now": no timestamp needed.
    let r = browser()
        .get(server.url("/remote-auth/staffdesk"))
        .send()
        .await
        .unwrap();
    assert!(location(&r).starts_with("/login"), "signed-out people log in first");

    let nomail = signed_in(&server, "nomail", PASSWORD).await;
    let zendesk = server.url(&format!("/remote-auth/zendesk?timestamp={}", now()));
    let r = nomail.get(&zendesk).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("needs a confirmed email address"));
    let events = server.store.recent_events(50).await.unwrap();
    assert!(
        !events.iter().any(|e| e.kind == "remote_auth.redirect"),
        "refused redirects are not recorded as redirects"
    );
    // A requested change of address stays pending until confirmed: the helpdesk keeps
    // getting the confirmed address, never the new one.
    let r = submit(
        &client,
        &server.url("/account"),
        &server.url("/account"),
        &[
            ("first_name", "Zoë"),
            ("last_name", ""),
            ("email", "ceo@victim.example"),
            ("current_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = client.get(&zendesk).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(query(&location(&r))["email"], "zoe@example.com");
}

#[tokio::test]
async fn helpdesk_errors_are_shown_escaped_and_logout_ends_the_session() {
    let server = start().await;
    tricky(&server, "zoe", Some("zoe@example.com")).await;
    let client = signed_in(&server, "zoe", PASSWORD).await;
    let r = client
        .get(server.url("/remote-auth/zendesk/logout"))
        .query(&[("kind", "error"), ("message", "<script>alert(1)</script> Invalid hash")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; Invalid hash"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"));
    assert_eq!(
        client.get(server.url("/account")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "logout_ends_session ended it"
    );
    assert_eq!(
        client
            .get(server.url("/remote-auth/nowhere/logout"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn group_access_uses_the_store() {
    // Guards the rule's data source: removing the membership removes the access.
    let server = start().await;
    let agent = tricky(&server, "agent", Some("agent@example.com")).await;
    server.store.create_group("agents").await.unwrap();
    server.store.add_to_group("agents", agent.id).await.unwrap();
    let client = signed_in(&server, "agent", PASSWORD).await;
    let agents = server.url(&format!("/remote-auth/agents?timestamp={}", now()));
    assert_eq!(
        client.get(&agents).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    server.store.remove_from_group("agents", agent.id).await.unwrap();
    assert_eq!(
        client.get(&agents).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

/// An account with a confirmed address and the given display name.
async fn account(server: &TestServer, username: &str, email: &str, first_name: &str) -> tessera_core::User {
    person(username)
        .email(email)
        .confirmed()
        .names(first_name, "")
        .password(PASSWORD)
        .create(server)
        .await
}

/// Every way to cut `joined` back into name, email, external_id and organization, at
/// character boundaries, each part possibly empty: what someone holding the link could send.
fn resplits(joined: &str) -> Vec<[&str; 4]> {
    let cuts: Vec<usize> = joined.char_indices().map(|(i, _)| i).chain([joined.len()]).collect();
    let mut splits = Vec::new();
    for (a, &first) in cuts.iter().enumerate() {
        for (b, &second) in cuts.iter().enumerate().skip(a) {
            for &third in &cuts[b..] {
                splits.push([
                    &joined[..first],
                    &joined[first..second],
                    &joined[second..third],
                    &joined[third..],
                ]);
            }
        }
    }
    splits
}

#[tokio::test]
async fn mallory_cannot_resplit_a_signed_link_into_the_victim() {
    let server = start().await;
    let victim = account(&server, "victim", "victim@corp.example", "Victim").await;
    // Mallory picks the username that used to be sent as external_id.
    let mallory = account(&server, "xvictim@corp.example", "mallory1@evil.example", "Mallory").await;
    let client = signed_in(&server, "xvictim@corp.example", PASSWORD).await;
    let timestamp = now().to_string();
    let r = client
        .get(server.url(&format!("/remote-auth/zendesk?timestamp={timestamp}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let q = query(&location(&r));
    assert_eq!(q["external_id"], mallory.id.to_string());

    let field = |key: &str| q.get(key).cloned().unwrap_or_default();
    let joined = [
        field("name"),
        field("email"),
        field("external_id"),
        field("organization"),
    ]
    .concat();
    let victim_id = victim.id.to_string();
    let splits = resplits(&joined);
    assert!(splits.len() > 10_000, "{} splits", splits.len());
    for [name, email, external_id, organization] in splits {
        // Each one verifies at the helpdesk: same joined string, same hash.
        let hash = md5_hex(&format!("{name}{email}{external_id}{organization}{SECRET}{timestamp}"));
        assert_eq!(hash, q["hash"]);
        assert_ne!(email, "victim@corp.example", "{name:?} {email:?} {external_id:?}");
        assert_ne!(external_id, victim_id);
        assert_ne!(external_id, "victim", "the victim's username");
    }

    // What the old default (external_id = username) signed verified just as well as the
    // victim's identity with an empty external id: the hole this test guards.
    let signed_before = ["Mallory", "mallory1@evil.example", "xvictim@corp.example", ""];
    let attack = ["Mallorymallory1@evil.examplex", "victim@corp.example", "", ""];
    let hash_of = |fields: [&str; 4]| md5_hex(&format!("{}{SECRET}{timestamp}", fields.concat()));
    assert_eq!(hash_of(signed_before), hash_of(attack));
    assert!(resplits(&signed_before.concat()).contains(&attack));
}

#[tokio::test]
async fn an_address_hidden_in_the_name_is_refused_with_a_page_and_an_audit_event() {
    let server = start().await;
    let mallory = account(
        &server,
        "mallory",
        "mallory1@evil.example",
        "Mallory victim@corp.example",
    )
    .await;
    account(
        &server,
        "mallorypipe",
        "mallory2@evil.example",
        "Mallory|victim@corp.example|",
    )
    .await;
    let timestamp = now();
    let client = signed_in(&server, "mallory", PASSWORD).await;
    let r = client
        .get(server.url(&format!("/remote-auth/zendesk?timestamp={timestamp}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none(), "no redirect to the helpdesk");
    let page = r.text().await.unwrap();
    assert!(page.contains("Cannot sign you in to the helpdesk"), "{page}");
    assert!(page.contains("the name sent to the helpdesk contains"), "{page}");
    assert!(page.contains("zendesk_jwt"), "{page}");

    // The pipe scheme refuses a | in the name the same way.
    let piped = signed_in(&server, "mallorypipe", PASSWORD).await;
    let r = piped
        .get(server.url(&format!("/remote-auth/pipedesk?timestamp={timestamp}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("contains &#x27;|&#x27;"));

    let events = server.store.recent_events(20).await.unwrap();
    assert!(!events.iter().any(|e| e.kind == "remote_auth.redirect"));
    let refused: Vec<_> = events.iter().filter(|e| e.kind == "remote_auth.refused").collect();
    assert_eq!(refused.len(), 2, "{events:?}");
    let first = refused.iter().find(|e| e.user_id == Some(mallory.id)).unwrap();
    assert_eq!(first.detail["target"], "zendesk");
    assert_eq!(first.detail["kind"], "zendesk_md5");
    let reason = first.detail["reason"].as_str().unwrap();
    assert!(reason.contains("name") && reason.contains("'@'"), "{reason}");
    for event in refused {
        assert!(!event.detail.to_string().contains(SECRET), "{:?}", event.detail);
    }
}

#[tokio::test]
async fn helpdesk_timestamps_outside_the_window_are_refused() {
    let server = start().await;
    tricky(&server, "zoe", Some("zoe@example.com")).await;
    let client = signed_in(&server, "zoe", PASSWORD).await;
    let get = |target: &str, timestamp: i64| {
        let url = server.url(&format!("/remote-auth/{target}?timestamp={timestamp}"));
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    const MINUTE: i64 = 60;
    const TEN_YEARS: i64 = 10 * 365 * 24 * 60 * MINUTE;

    for (timestamp, direction) in [(now() + TEN_YEARS, "ahead of"), (now() - 6 * MINUTE, "behind")] {
        let r = get("zendesk", timestamp).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{timestamp}");
        assert!(r.headers().get("location").is_none());
        let page = r.text().await.unwrap();
        assert!(
            page.contains("The sign-in link from the helpdesk is out of date"),
            "{page}"
        );
        assert!(page.contains(direction), "{page}");
        assert!(page.contains("start the sign-in from the helpdesk again"), "{page}");
    }
    let r = get("zendesk", now() - MINUTE).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("https://example.zendesk.com/access/remote/?"));

    // timestamp_window is per target: slowdesk allows 10 minutes.
    let r = get("slowdesk", now() - 6 * MINUTE).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        get("slowdesk", now() - 11 * MINUTE).await.status(),
        StatusCode::BAD_REQUEST
    );
}
