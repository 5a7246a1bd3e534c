//! The OAuth 2 fakes check clients, redirect URIs, codes, PKCE and proofs.

use reqwest::StatusCode;
use serde_json::Value;
use tessera_sandbox::{Provider, browser};
use url::Url;

use crate::{client, sandbox};

/// Gets a code from a provider's authorize page for `person`.
async fn code(authorize: &str, query: &[(&str, &str)], person: &str) -> String {
    let mut url = Url::parse(authorize).unwrap();
    url.query_pairs_mut().extend_pairs(query);
    let back = browser::choose(&url, person).await.unwrap();
    back.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
}

#[tokio::test]
async fn authorize_pages_refuse_bad_requests() {
    let sb = sandbox().await;
    let oidc = sb.provider_url(Provider::Oidc);
    let fb = sb.provider_url(Provider::Facebook);
    let x = sb.provider_url(Provider::Twitter);
    for url in [
        format!("{oidc}/authorize"),
        format!("{oidc}/authorize?client_id=unknown&redirect_uri=http://127.0.0.1:9/cb&response_type=code"),
        format!("{oidc}/authorize?client_id=sandbox-oidc-client&redirect_uri=javascript:alert(1)&response_type=code"),
        format!(
            "{oidc}/authorize?client_id=sandbox-oidc-client&redirect_uri=http://127.0.0.1:9/cb&response_type=token"
        ),
        format!(
            "{oidc}/authorize?client_id=sandbox-oidc-client&redirect_uri=http://127.0.0.1:9/cb&response_type=code&code_challenge=short&code_challenge_method=S256"
        ),
        format!(
            "{oidc}/choose?client_id=sandbox-oidc-client&redirect_uri=http://127.0.0.1:9/cb&response_type=code&choice=nobody"
        ),
        format!("{fb}/dialog/oauth?client_id=%FF%FE&redirect_uri=%"),
        // X requires PKCE.
        format!(
            "{x}/i/oauth2/authorize?client_id=sandbox-x-client&redirect_uri=http://127.0.0.1:9/cb&response_type=code"
        ),
    ] {
        let response = client().get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
    }
}

#[tokio::test]
async fn oidc_token_endpoint_checks() {
    let sb = sandbox().await;
    let oidc = sb.provider_url(Provider::Oidc);
    let discovery: Value = client()
        .get(format!("{oidc}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], oidc.as_str());
    let jwks: Value = client()
        .get(format!("{oidc}/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["alg"], "RS256");

    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let cb = "http://127.0.0.1:9/cb";
    let query = [
        ("client_id", "sandbox-oidc-client"),
        ("redirect_uri", cb),
        ("response_type", "code"),
        ("scope", "openid"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let token = |form: Vec<(&'static str, String)>, secret: Option<&'static str>| {
        let mut request = client().post(format!("{oidc}/token")).form(&form);
        if let Some(s) = secret {
            request = request.basic_auth("sandbox-oidc-client", Some(s));
        }
        request.send()
    };
    let form = |code: &str, verifier: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", cb.to_owned()),
            ("code_verifier", verifier.to_owned()),
        ]
    };

    let c = code(&format!("{oidc}/authorize"), &query, "frank").await;
    let r = token(form(&c, verifier), None).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "no client authentication");
    let r = token(form(&c, verifier), Some("wrong")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = token(form(&c, &"a".repeat(43)), Some("sandbox-oidc-secret"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "PKCE mismatch");
    let r = token(form(&c, verifier), Some("sandbox-oidc-secret")).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "the failed attempt used the code up"
    );

    let c = code(&format!("{oidc}/authorize"), &query, "grace").await;
    let r = token(form(&c, verifier), Some("sandbox-oidc-secret")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answer: Value = r.json().await.unwrap();
    assert!(answer["id_token"].as_str().unwrap().split('.').count() == 3);
    let r = token(form(&c, verifier), Some("sandbox-oidc-secret")).await.unwrap();
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"], "invalid_grant", "code replay");

    let r = client().get(format!("{oidc}/userinfo")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().contains_key("www-authenticate"));
    let access = answer["access_token"].as_str().unwrap();
    let info: Value = client()
        .get(format!("{oidc}/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], "grace-4002");
    assert!(info.get("email").is_none(), "only the openid scope was granted");
}

#[tokio::test]
async fn facebook_graph_requires_appsecret_proof() {
    let sb = sandbox().await;
    let fb = sb.provider_url(Provider::Facebook);
    let cb = "http://127.0.0.1:9/cb";
    let query = [
        ("client_id", "sandbox-facebook-app"),
        ("redirect_uri", cb),
        ("scope", "email"),
    ];
    let c = code(&format!("{fb}/dialog/oauth"), &query, "carol").await;
    let exchange = |redirect: &str, code: &str| {
        client()
            .get(format!("{fb}/graph/oauth/access_token"))
            .query(&[
                ("client_id", "sandbox-facebook-app"),
                ("client_secret", "sandbox-facebook-secret"),
                ("redirect_uri", redirect),
                ("code", code),
            ])
            .send()
    };
    let r = exchange("http://127.0.0.1:9/other", &c).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "redirect_uri must match the dialog's"
    );
    let c = code(&format!("{fb}/dialog/oauth"), &query, "carol").await;
    let answer: Value = exchange(cb, &c).await.unwrap().json().await.unwrap();
    let token = answer["access_token"].as_str().unwrap();

    let me = |proof: Option<&str>| {
        let mut request = client().get(format!("{fb}/graph/me")).bearer_auth(token);
        if let Some(p) = proof {
            request = request.query(&[("appsecret_proof", p)]);
        }
        request.send()
    };
    assert_eq!(me(None).await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(me(Some("00")).await.unwrap().status(), StatusCode::BAD_REQUEST);
    let proof = tessera_upstream::facebook::appsecret_proof("sandbox-facebook-secret", token);
    let r = me(Some(&proof)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], "2001");
    // Friends need the user_friends permission.
    let r = client()
        .get(format!("{fb}/graph/me/friends"))
        .bearer_auth(token)
        .query(&[("appsecret_proof", &proof)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
