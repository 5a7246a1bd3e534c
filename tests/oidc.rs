//! The OpenID Connect provider as a downstream app sees it: the certified Rust relying party
//! (`openidconnect`) drives discovery, the code flow with PKCE, token verification against the
//! JWKS, userinfo, refresh and revocation; raw HTTP covers every error path.

use std::collections::HashMap;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use reqwest::StatusCode;
use serde_json::Value;
use tessera_core::User;

use crate::support::Served;
use crate::support::logs;
use crate::support::people::{self, FAST_PASSWORDS, PASSWORD};
use crate::support::server::{TestServer, backchannel_receiver, browser, csrf_from, csrf_of, location};

pub(crate) const DEMO_SECRET: &str = "demo-app-secret-0123456789";
const OTHER_SECRET: &str = "other-app-secret-0123456789";
const EDGE_SECRET: &str = "edge-app-secret-0123456789";
pub(crate) const CALLBACK: &str = "http://127.0.0.1:9000/callback";

pub(crate) fn clients_yaml(backchannel: &str) -> String {
    let clients = r#"
oidc:
  key_publish_before: 1s
clients:
  - id: demo-app
    secret: DEMO_SECRET
    name: Demo App
    redirect_uris: ['CALLBACK']
    post_logout_redirect_uris: ['http://127.0.0.1:9000/']
    grant_types: [authorization_code, refresh_token, client_credentials]
    scopes: [openid, profile, email, groups, offline_access]
    backchannel_logout_uri: 'BACKCHANNEL'
    claims: { department: department }
  - id: other-app
    secret: OTHER_SECRET
    redirect_uris: ['http://127.0.0.1:9001/cb']
    grant_types: [authorization_code, refresh_token, client_credentials]
    scopes: [openid, profile, offline_access]
    id_token_signed_response_alg: ES256
  - id: spa
    redirect_uris: ['http://127.0.0.1:9002/cb']
    scopes: [openid, profile]
    first_party: true
  - id: edge
    secret: EDGE_SECRET
    redirect_uris: ['http://127.0.0.1:9003/cb']
    scopes: [openid, email]
    first_party: true
    id_token_signed_response_alg: EdDSA
"#
    .replace("DEMO_SECRET", DEMO_SECRET)
    .replace("OTHER_SECRET", OTHER_SECRET)
    .replace("EDGE_SECRET", EDGE_SECRET)
    .replace("CALLBACK", CALLBACK)
    .replace("BACKCHANNEL", backchannel);
    for secret in [DEMO_SECRET, OTHER_SECRET, EDGE_SECRET] {
        logs::secret(secret);
    }
    format!("{FAST_PASSWORDS}{clients}")
}

async fn start() -> TestServer {
    TestServer::start_configured(&clients_yaml("http://127.0.0.1:9/never")).await
}

/// Jane as the apps see her: confirmed address, names, a mapped attribute and a group.
pub(crate) async fn person(server: &TestServer) -> User {
    people::person("jane")
        .email("jane@example.com")
        .confirmed()
        .names("Jane", "Doe")
        .attribute("department", "Support")
        .password(PASSWORD)
        .group("staff-team")
        .create(server)
        .await
}

/// openidconnect's HTTP client contract, served by reqwest 0.13.
async fn http(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, reqwest::Error> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let (parts, body) = request.into_parts();
    let response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    if let Ok(answer) = serde_json::from_slice::<Value>(&body) {
        logs::secrets_in(&answer);
    }
    Ok(builder.body(body).expect("response"))
}

/// Follows redirects inside Tessera, logging in and consenting when asked, until the browser
/// is sent back to the app; returns that final URL.
pub(crate) async fn sign_in(server: &impl Served, browser: &reqwest::Client, start: &str, consent: &str) -> String {
    let mut next = start.to_owned();
    for _ in 0..10 {
        let response = browser.get(&next).send().await.unwrap();
        if response.status() != StatusCode::SEE_OTHER {
            let status = response.status();
            let html = response.text().await.unwrap();
            if html.contains("action=\"&#x2f;consent\"") || html.contains("action=\"/consent\"") {
                let id = html
                    .split("name=\"id\" value=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned();
                let r = browser
                    .post(server.url("/consent"))
                    .form(&[
                        ("csrf", csrf_of(&html).as_str()),
                        ("id", id.as_str()),
                        ("decision", consent),
                    ])
                    .send()
                    .await
                    .unwrap();
                let to = location(&r);
                if !to.starts_with('/') {
                    return to;
                }
                next = server.url(&to);
                continue;
            }
            panic!("unexpected {status} page at {next}:\n{html}");
        }
        let to = location(&response);
        if to.starts_with("/login") {
            let login_url = server.url(&to);
            let html = browser.get(&login_url).send().await.unwrap().text().await.unwrap();
            let after: String = url::Url::parse(&login_url)
                .unwrap()
                .query_pairs()
                .find(|(k, _)| k == "next")
                .unwrap()
                .1
                .into_owned();
            let r = browser
                .post(server.url("/login"))
                .form(&[
                    ("csrf", csrf_of(&html).as_str()),
                    ("login", "jane"),
                    ("password", PASSWORD),
                    ("next", after.as_str()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            next = absolute(server, &location(&r));
        } else if to.starts_with('/') {
            next = server.url(&to);
        } else {
            return to;
        }
    }
    panic!("too many redirects");
}

fn absolute(server: &impl Served, to: &str) -> String {
    if to.starts_with('/') {
        server.url(to)
    } else {
        to.to_owned()
    }
}

pub(crate) fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

#[tokio::test]
async fn certified_rust_relying_party_full_flow() {
    let server = start().await;
    let user = person(&server).await;
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(server.base.clone()).unwrap(), &http)
        .await
        .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new("demo-app".into()),
        Some(ClientSecret::new(DEMO_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf_state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("groups".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();

    let browser = browser();
    let back = sign_in(&server, &browser, auth_url.as_str(), "allow").await;
    assert!(back.starts_with(CALLBACK), "{back}");
    let q = query(&back);
    assert_eq!(&q["state"], csrf_state.secret());
    assert_eq!(q["iss"], server.base, "RFC 9207 iss");

    let tokens = client
        .exchange_code(AuthorizationCode::new(q["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    let id_token = tokens.id_token().expect("id token");
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("ID token verifies against the JWKS");
    assert_eq!(claims.subject().as_str(), user.id.to_string());
    assert_eq!(claims.email().unwrap().as_str(), "jane@example.com");
    assert_eq!(claims.preferred_username().unwrap().as_str(), "jane");
    let expected = claims.access_token_hash().expect("at_hash");
    let actual = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(&actual, expected);

    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject().as_str(), user.id.to_string());
    assert_eq!(info.email().unwrap().as_str(), "jane@example.com");
    let raw: Value = reqwest::Client::new()
        .get(server.url("/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["groups"], serde_json::json!(["staff-team"]));
    assert_eq!(
        raw["department"], "Support",
        "attribute mapped to a claim for this client"
    );

    // Refresh rotates; the old refresh token is then dead and its reuse kills the family.
    let first_refresh = tokens
        .refresh_token()
        .expect("offline_access gives a refresh token")
        .clone();
    let refreshed = client
        .exchange_refresh_token(&first_refresh)
        .unwrap()
        .request_async(&http)
        .await
        .expect("refresh");
    let second_refresh = refreshed.refresh_token().unwrap().clone();
    assert_ne!(first_refresh.secret(), second_refresh.secret());
    let reuse = client
        .exchange_refresh_token(&first_refresh)
        .unwrap()
        .request_async(&http)
        .await;
    assert!(reuse.is_err(), "a rotated refresh token is refused");
    let after = client
        .exchange_refresh_token(&second_refresh)
        .unwrap()
        .request_async(&http)
        .await;
    assert!(after.is_err(), "reuse revoked the whole family");
    let status = reqwest::Client::new()
        .get(server.url("/userinfo"))
        .bearer_auth(refreshed.access_token().secret())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "and the access tokens it issued");

    // RP-initiated logout with the ID token as hint, back to a registered URI with state.
    let hint = id_token.to_string();
    let logout = format!(
        "{}/logout?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
        server.base,
        urlencoding::encode(&hint),
        urlencoding::encode("http://127.0.0.1:9000/")
    );
    let page = browser.get(&logout).send().await.unwrap().text().await.unwrap();
    let r = browser
        .post(server.url("/logout"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("post_logout_redirect_uri", "http://127.0.0.1:9000/"),
            ("client_id", "demo-app"),
            ("state", "bye"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "http://127.0.0.1:9000/?state=bye");
    assert_eq!(
        browser.get(server.url("/account")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "session ended"
    );
}

pub(crate) async fn code_for(
    server: &impl Served,
    browser: &reqwest::Client,
    client_id: &str,
    redirect: &str,
    scope: &str,
    extra: &str,
) -> String {
    let url = format!(
        "{}?response_type=code&client_id={client_id}&redirect_uri={}&scope={}&state=s1{extra}",
        server.url("/authorize"),
        urlencoding::encode(redirect),
        urlencoding::encode(scope)
    );
    let back = sign_in(server, browser, &url, "allow").await;
    let code = query(&back)
        .remove("code")
        .unwrap_or_else(|| panic!("no code in {back}"));
    logs::secret(&code);
    code
}

pub(crate) async fn token_request(
    server: &impl Served,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    token_request_from(&reqwest::Client::new(), server, auth, form).await
}

/// [`token_request`] sent by `http`, e.g. a client that trusts a test certificate.
pub(crate) async fn token_request_from(
    http: &reqwest::Client,
    server: &impl Served,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = http.post(server.url("/token")).form(form);
    if let Some((id, secret)) = auth {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let answer = response.json().await.unwrap_or(Value::Null);
    logs::secrets_in(&answer);
    (status, answer, headers)
}

#[tokio::test]
async fn code_replay_fails_and_revokes_what_the_code_issued() {
    let server = start().await;
    person(&server).await;
    let browser = browser();
    let code = code_for(&server, &browser, "demo-app", CALLBACK, "openid offline_access", "").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, first, headers) = token_request(&server, Some(("demo-app", DEMO_SECRET)), &form).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(headers["cache-control"], "no-store");
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(
        reqwest::Client::new()
            .get(server.url("/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // OIDC Core §5.3.1: userinfo also by POST, with the token in the header or the form body.
    let by_header = reqwest::Client::new()
        .post(server.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), StatusCode::OK);
    let by_body = reqwest::Client::new()
        .post(server.url("/userinfo"))
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(by_body.status(), StatusCode::OK);
    let both = reqwest::Client::new()
        .post(server.url("/userinfo"))
        .bearer_auth(access)
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        both.status(),
        StatusCode::BAD_REQUEST,
        "RFC 6750 §2: one method per request"
    );

    let (status, replay, _) = token_request(&server, Some(("demo-app", DEMO_SECRET)), &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(replay["error"], "invalid_grant");
    assert!(replay.get("access_token").is_none());
    assert_eq!(
        reqwest::Client::new()
            .get(server.url("/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let refresh = first["refresh_token"].as_str().unwrap();
    let (status, body, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn authorize_errors_are_pages_or_redirects_as_the_rfc_says() {
    let server = start().await;
    let b = browser();
    let enc = urlencoding::encode;
    // Unknown client or unregistered redirect URI: a page, never a redirect (RFC 6749 §4.1.2.1).
    let r = b
        .get(format!(
            "{}/authorize?response_type=code&client_id=nobody&redirect_uri={}&scope=openid",
            server.base,
            enc(CALLBACK)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());
    let r = b
        .get(format!(
            "{}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope=openid",
            server.base,
            enc("http://127.0.0.1:9000/callback/extra")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Nothing was sent back to the app"));

    let host = server.base.trim_start_matches("http://").to_owned();
    let b_host = move || host.clone();
    let redirected = |extra: &str| {
        let b_host = b_host.clone();
        let b = b.clone();
        let url = format!(
            "{}/authorize?client_id=demo-app&redirect_uri={}&state=xyz{extra}",
            server.base,
            enc(CALLBACK)
        );
        async move {
            // Follow Tessera's own hops (e.g. /authorize/continue) to the app's redirect.
            let mut to = location(&b.get(url).send().await.unwrap());
            while to.starts_with('/') {
                to = location(&b.get(format!("http://{}{to}", b_host())).send().await.unwrap());
            }
            query(&to)
        }
    };
    let q = redirected("&scope=openid").await;
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str(), q["iss"].as_str()),
        ("invalid_request", "xyz", server.base.as_str()),
        "missing response_type"
    );
    assert_eq!(
        redirected("&response_type=token&scope=openid").await["error"],
        "unsupported_response_type"
    );
    assert_eq!(
        redirected("&response_type=code&scope=openid&request=eyJ").await["error"],
        "request_not_supported"
    );
    assert_eq!(
        redirected("&response_type=code&scope=openid%20phone").await["error"],
        "invalid_scope"
    );
    assert_eq!(
        redirected("&response_type=code&scope=openid&prompt=none").await["error"],
        "login_required"
    );
    // Public clients must use PKCE S256 (RFC 7636, OAuth 2.0 Security BCP §2.1.1).
    let url = format!(
        "{}/authorize?response_type=code&client_id=spa&redirect_uri={}&scope=openid&state=p",
        server.base,
        enc("http://127.0.0.1:9002/cb")
    );
    assert_eq!(
        query(&location(&b.get(&url).send().await.unwrap()))["error"],
        "invalid_request"
    );
    let plain = format!("{url}&code_challenge=abc&code_challenge_method=plain");
    assert_eq!(
        query(&location(&b.get(&plain).send().await.unwrap()))["error"],
        "invalid_request"
    );
    // POST to the authorization endpoint works too (OIDC Core §3.1.2.1).
    let r = b
        .post(server.url("/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", "demo-app"),
            ("redirect_uri", CALLBACK),
            ("scope", "openid"),
            ("state", "post"),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&r).starts_with("/authorize/continue?id="));
}

#[tokio::test]
async fn token_endpoint_errors_change_nothing() {
    let server = start().await;
    person(&server).await;
    let browser = browser();
    let code = code_for(&server, &browser, "demo-app", CALLBACK, "openid offline_access", "").await;

    let (status, body, headers) = token_request(
        &server,
        Some(("demo-app", "wrong-secret-xxxxxxxx")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    let (status, body, _) = token_request(&server, Some(("demo-app", DEMO_SECRET)), &[("code", &code)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "missing grant_type"
    );
    let (_, body, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[("grant_type", "password"), ("username", "jane")],
    )
    .await;
    assert_eq!(body["error"], "unsupported_grant_type");
    let (_, body, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_request", "duplicated parameter");
    let malformed = reqwest::Client::new()
        .post(server.url("/token"))
        .basic_auth("demo-app", Some(DEMO_SECRET))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    // Those failures did not use the code up: it still works, once.
    let (status, tokens, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");

    // A refresh token presented by another client: refused, and still good for its owner.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, body, _) = token_request(
        &server,
        Some(("other-app", OTHER_SECRET)),
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, _, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Wrong PKCE verifier and redirect_uri mismatch: invalid_grant, no token.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let code = code_for(
        &server,
        &browser,
        "demo-app",
        CALLBACK,
        "openid",
        &format!("&code_challenge={}&code_challenge_method=S256", challenge.as_str()),
    )
    .await;
    let wrong = "x".repeat(43);
    let (status, body, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &wrong),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str(), body.get("access_token")),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"), None)
    );
    let code = code_for(&server, &browser, "demo-app", CALLBACK, "openid", "").await;
    let (_, body, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9000/other"),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn consent_is_remembered_and_prompt_none_works_when_signed_in() {
    let server = start().await;
    person(&server).await;
    let browser = browser();
    code_for(&server, &browser, "demo-app", CALLBACK, "openid profile", "").await;
    // Signed in, consent remembered: prompt=none returns a code with no page at all.
    let url = format!(
        "{}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope=openid%20profile&prompt=none&state=n",
        server.base,
        urlencoding::encode(CALLBACK)
    );
    let r = browser.get(&url).send().await.unwrap();
    let back = browser.get(server.url(&location(&r))).send().await.unwrap();
    assert!(query(&location(&back)).contains_key("code"));
    // A wider scope needs consent again; with prompt=none that is consent_required.
    let wider = url.replace("openid%20profile", "openid%20profile%20email");
    let r = browser.get(&wider).send().await.unwrap();
    let back = browser.get(server.url(&location(&r))).send().await.unwrap();
    assert_eq!(query(&location(&back))["error"], "consent_required");
    // Denying consent tells the app access_denied.
    let denied = sign_in(&server, &browser, &wider.replace("&prompt=none", ""), "deny").await;
    assert_eq!(query(&denied)["error"], "access_denied");
    // The account page lists the app and can take the access back.
    let page = browser
        .get(server.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Demo App"), "{page}");
    let csrf = csrf_from(&browser, &server.url("/account")).await;
    browser
        .post(server.url("/account/apps/revoke"))
        .form(&[("csrf", csrf.as_str()), ("client_id", "demo-app")])
        .send()
        .await
        .unwrap();
    let r = browser.get(&url).send().await.unwrap();
    let back = browser.get(server.url(&location(&r))).send().await.unwrap();
    assert_eq!(
        query(&location(&back))["error"],
        "consent_required",
        "consent was withdrawn"
    );
}

#[tokio::test]
async fn client_credentials_introspection_and_revocation() {
    let server = start().await;
    for (client, secret, alg) in [("demo-app", DEMO_SECRET, "RS256"), ("other-app", OTHER_SECRET, "ES256")] {
        let (status, body, _) =
            token_request(&server, Some((client, secret)), &[("grant_type", "client_credentials")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["access_token"].as_str().unwrap();
        assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
        let header: Value = serde_json::from_slice(&base64_decode(token.split('.').next().unwrap())).unwrap();
        assert_eq!(
            (header["alg"].as_str(), header["typ"].as_str()),
            (Some(alg), Some("at+jwt"))
        );
        let introspect = |who: &'static str, secret: &'static str| {
            let server_url = server.url("/introspect");
            let token = token.to_owned();
            async move {
                reqwest::Client::new()
                    .post(server_url)
                    .basic_auth(who, Some(secret))
                    .form(&[("token", token)])
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        let mine = introspect(client, secret).await;
        assert_eq!(
            (mine["active"].as_bool(), mine["client_id"].as_str()),
            (Some(true), Some(client))
        );
        let (other, other_secret) = if client == "demo-app" {
            ("other-app", OTHER_SECRET)
        } else {
            ("demo-app", DEMO_SECRET)
        };
        assert_eq!(
            introspect(other, other_secret).await["active"],
            false,
            "another client's token is not active for it"
        );
        let r = reqwest::Client::new()
            .post(server.url("/revoke"))
            .basic_auth(client, Some(secret))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(introspect(client, secret).await["active"], false, "revoked");
    }
    let r = reqwest::Client::new()
        .post(server.url("/revoke"))
        .basic_auth("demo-app", Some(DEMO_SECRET))
        .form(&[("token", "never-issued")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "RFC 7009 §2.2: unknown tokens are not an error"
    );
    let (status, body, _) = token_request(&server, Some(("spa", "")), &[("grant_type", "client_credentials")]).await;
    assert!(
        status.is_client_error() && body["error"].is_string(),
        "public clients cannot use client_credentials"
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

#[tokio::test]
async fn key_rotation_keeps_old_tokens_valid_and_new_tokens_use_the_new_key() {
    // Keys are stored to the second, so a 1 s `key_publish_before` may leave next to no time
    // between publishing the new key and signing with it; 3 s leaves at least 2 s to look.
    let yaml = clients_yaml("http://127.0.0.1:9/never").replace("key_publish_before: 1s", "key_publish_before: 3s");
    let server = TestServer::start_configured(&yaml).await;
    let jwks = || async {
        reqwest::get(server.url("/jwks"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let kid_of = |token: &str| {
        serde_json::from_slice::<Value>(&base64_decode(token.split('.').next().unwrap())).unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (_, before, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    let old_token = before["access_token"].as_str().unwrap().to_owned();
    let old_kid = kid_of(&old_token);

    let policy = tessera_server::oidc::key_policy(&server.state.config);
    let created = server.state.provider.keys().maintain(&policy, true).await.unwrap();
    assert!(!created.is_empty());
    let published: Vec<String> = jwks().await["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert!(published.contains(&old_kid), "the old key stays published");
    let new_rs256 = created
        .iter()
        .find(|kid| published.contains(kid))
        .expect("the new key is published before it signs");
    let (_, during, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(
        kid_of(during["access_token"].as_str().unwrap()),
        old_kid,
        "not signing yet (key_publish_before)"
    );

    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    let (_, after, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    let new_token = after["access_token"].as_str().unwrap();
    assert!(
        created.contains(&kid_of(new_token)) && kid_of(new_token) != old_kid,
        "new tokens use the new kid"
    );
    let _ = new_rs256;
    let active = |token: String| {
        let url = server.url("/introspect");
        async move {
            reqwest::Client::new()
                .post(url)
                .basic_auth("demo-app", Some(DEMO_SECRET))
                .form(&[("token", token)])
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["active"]
                .clone()
        }
    };
    assert_eq!(
        active(old_token.clone()).await,
        true,
        "a token signed before the rotation still verifies"
    );
    // Once every token the retired key signed has expired, it leaves the JWKS.
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    let kept: Vec<String> = tessera_oidc::storage::KeyStore::published_keys(&*server.store, later)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert!(!kept.contains(&old_kid), "{kept:?}");
}

#[tokio::test]
async fn backchannel_logout_reaches_the_app_with_a_verifiable_token() {
    let (backchannel, mut rx) = backchannel_receiver().await;
    let server = TestServer::start_configured(&clients_yaml(&backchannel)).await;
    let user = person(&server).await;
    let browser = browser();
    let code = code_for(&server, &browser, "demo-app", CALLBACK, "openid", "").await;
    let (_, tokens, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    let id_claims: Value = serde_json::from_slice(&base64_decode(
        tokens["id_token"].as_str().unwrap().split('.').nth(1).unwrap(),
    ))
    .unwrap();

    let page = browser
        .get(server.url("/logout"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    browser
        .post(server.url("/logout"))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    let token = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("logout token delivered")
        .unwrap();

    // Verified independently: openidconnect's JWK type checks the signature.
    let jwks: openidconnect::core::CoreJsonWebKeySet =
        reqwest::get(server.url("/jwks")).await.unwrap().json().await.unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let header: Value = serde_json::from_slice(&base64_decode(parts[0])).unwrap();
    assert_eq!(header["typ"], "logout+jwt");
    let key = jwks
        .keys()
        .iter()
        .find(|k| openidconnect::JsonWebKey::key_id(*k).map(|id| id.as_str()) == header["kid"].as_str())
        .expect("kid in JWKS");
    openidconnect::JsonWebKey::verify_signature(
        key,
        &openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
        &base64_decode(parts[2]),
    )
    .expect("logout token signature verifies");
    let claims: Value = serde_json::from_slice(&base64_decode(parts[1])).unwrap();
    assert_eq!(claims["sub"], user.id.to_string());
    assert_eq!(claims["sid"], id_claims["sid"], "the same session the ID token named");
    assert_eq!(claims["aud"], "demo-app");
    assert!(
        claims["events"]
            .get("http://schemas.openid.net/event/backchannel-logout")
            .is_some()
    );
    assert!(claims.get("nonce").is_none());
    let _ = AccessToken::new(String::new());
    let _ = RefreshToken::new(String::new());
}

#[tokio::test]
async fn es256_and_eddsa_id_tokens_verify_with_the_certified_client() {
    let server = start().await;
    person(&server).await;
    for (client_id, secret, redirect, scope) in [
        ("other-app", OTHER_SECRET, "http://127.0.0.1:9001/cb", "openid profile"),
        ("edge", EDGE_SECRET, "http://127.0.0.1:9003/cb", "openid email"),
    ] {
        let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(server.base.clone()).unwrap(), &http)
            .await
            .unwrap();
        let client = CoreClient::from_provider_metadata(
            meta,
            ClientId::new(client_id.into()),
            Some(ClientSecret::new(secret.into())),
        )
        .set_redirect_uri(RedirectUrl::new(redirect.into()).unwrap());
        let browser = browser();
        let code = code_for(&server, &browser, client_id, redirect, scope, "&nonce=n-0S6_WzA2Mj").await;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .request_async(&http)
            .await
            .expect("exchange");
        let verifier = client.id_token_verifier().set_allowed_algs(vec![
            openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            openidconnect::core::CoreJwsSigningAlgorithm::EdDsa,
        ]);
        let claims = tokens
            .id_token()
            .unwrap()
            .claims(&verifier, &Nonce::new("n-0S6_WzA2Mj".into()))
            .unwrap_or_else(|e| panic!("{client_id}: {e}"));
        assert_eq!(
            claims.preferred_username().map(|u| u.as_str()),
            if scope.contains("profile") { Some("jane") } else { None }
        );
    }
}

/// The same flow with a certified relying party from another ecosystem: Node's
/// `openid-client` (tests/node/rp.mjs). `.ci/run` installs it and sets TESSERA_REQUIRE_NODE_RP,
/// which turns a missing installation into a failure instead of a visible skip.
#[tokio::test]
async fn certified_node_relying_party_full_flow() {
    use std::io::Write;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    if !dir.join("node_modules/openid-client").is_dir() {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_NODE_RP").is_none(),
            "run `npm ci --prefix tests/node` first"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED certified_node_relying_party_full_flow: run `npm ci --prefix tests/node`"
        );
        return;
    }
    let server = start().await;
    let user = person(&server).await;
    let output = tokio::process::Command::new("node")
        .arg(dir.join("rp.mjs"))
        .args([
            server.base.as_str(),
            "demo-app",
            DEMO_SECRET,
            CALLBACK,
            "jane",
            PASSWORD,
        ])
        .output()
        .await
        .expect("run node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "openid-client failed:\n{stderr}");
    let result: Value = serde_json::from_slice(&output.stdout).expect("JSON from rp.mjs");
    assert_eq!(result["sub"], user.id.to_string());
    assert_eq!(result["preferred_username"], "jane");
    assert_eq!(result["userinfo_email"], "jane@example.com");
    assert_eq!(result["refreshed"], true);
    assert_eq!(result["active_before_revocation"], true);
    assert_eq!(
        result["active_after_revocation"], false,
        "revoking the refresh token revoked its access tokens"
    );
}

/// prompt=login and max_age ask for a fresh login even with a session (OIDC Core §3.1.2.1);
/// the new ID token's auth_time says when it happened.
#[tokio::test]
async fn prompt_login_and_max_age_force_a_fresh_login() {
    let server = start().await;
    person(&server).await;
    let browser = browser();
    let exchange = |code: String| {
        let url = server.url("/token");
        async move {
            let body: Value = reqwest::Client::new()
                .post(url)
                .basic_auth("demo-app", Some(DEMO_SECRET))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", CALLBACK),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let claims: Value = serde_json::from_slice(&base64_decode(
                body["id_token"].as_str().unwrap().split('.').nth(1).unwrap(),
            ))
            .unwrap();
            claims["auth_time"].as_i64().unwrap()
        }
    };
    let first = exchange(code_for(&server, &browser, "demo-app", CALLBACK, "openid", "").await).await;
    for extra in ["&prompt=login", "&max_age=0"] {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let url = format!(
            "{}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope=openid&state=r{extra}",
            server.base,
            urlencoding::encode(CALLBACK)
        );
        let r = browser.get(&url).send().await.unwrap();
        let r = browser.get(server.url(&location(&r))).send().await.unwrap();
        assert!(
            location(&r).starts_with("/login?") && location(&r).contains("reauth=1"),
            "{extra}: {}",
            location(&r)
        );
        let page = browser.get(server.url(&location(&r))).send().await.unwrap();
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "the login form is shown although a session exists"
        );
        let code = query(&sign_in(&server, &browser, &url, "allow").await)
            .remove("code")
            .unwrap();
        assert!(exchange(code).await > first, "{extra}: auth_time moved forward");
    }
}

/// A new password ends apps' access too (a stolen refresh token must not outlive it), and
/// introspection answers confidential clients only.
#[tokio::test]
async fn a_password_change_revokes_app_tokens() {
    let server = start().await;
    person(&server).await;
    let browser = browser();
    let code = code_for(&server, &browser, "demo-app", CALLBACK, "openid offline_access", "").await;
    let (_, tokens, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    let csrf = csrf_from(&browser, &server.url("/password/change")).await;
    let new = "an entirely new passphrase";
    let r = browser
        .post(server.url("/password/change"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", PASSWORD),
            ("password", new),
            ("password2", new),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account", "changed (post/redirect/get)");
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, body, _) = token_request(
        &server,
        Some(("demo-app", DEMO_SECRET)),
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        reqwest::Client::new()
            .get(server.url("/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let r = reqwest::Client::new()
        .post(server.url("/introspect"))
        .form(&[("client_id", "spa"), ("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "public clients cannot introspect");
    let missing = reqwest::get(server.url("/no/such/page")).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("Page not found"), "themed 404");
}
