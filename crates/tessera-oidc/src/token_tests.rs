//! Tests for token request parsing and grant checks.

use super::*;
use crate::client::ClientSecret;
use crate::keys::SigningAlg;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Test-only equality (see the type's documentation for why it has none).
impl PartialEq for TokenRequest {
    fn eq(&self, other: &Self) -> bool {
        use TokenRequest::*;
        match (self, other) {
            (
                AuthorizationCode {
                    code: a,
                    redirect_uri: b,
                    code_verifier: c,
                },
                AuthorizationCode {
                    code: x,
                    redirect_uri: y,
                    code_verifier: z,
                },
            ) => (a, b, c) == (x, y, z),
            (
                RefreshToken {
                    refresh_token: a,
                    scope: b,
                },
                RefreshToken {
                    refresh_token: x,
                    scope: y,
                },
            ) => (a, b) == (x, y),
            (ClientCredentials { scope: a }, ClientCredentials { scope: x }) => a == x,
            _ => false,
        }
    }
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn parse(pairs: &[(&str, &str)]) -> Result<TokenRequest, OAuthError> {
    parse_token_request(&form(pairs))
}

fn err(pairs: &[(&str, &str)]) -> OAuthError {
    parse(pairs).unwrap_err()
}

fn client(secret: Option<&str>, grants: &[GrantType]) -> Client {
    Client {
        id: "app".into(),
        name: "App".into(),
        secret: secret.map(ClientSecret::new),
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        grant_types: grants.to_vec(),
        scopes: vec!["openid".into()],
        first_party: false,
        require_pkce: false,
        id_token_alg: SigningAlg::Rs256,
        backchannel_logout_uri: None,
    }
}

#[test]
fn authorization_code_request() {
    let req = parse(&[
        ("grant_type", "authorization_code"),
        ("code", "abc"),
        ("redirect_uri", "https://app.example/cb"),
        ("code_verifier", VERIFIER),
        ("client_id", "app"),
        ("unknown", "1"),
        ("unknown", "2"),
    ])
    .unwrap();
    assert_eq!(
        req,
        TokenRequest::AuthorizationCode {
            code: "abc".into(),
            redirect_uri: Some("https://app.example/cb".into()),
            code_verifier: Some(VERIFIER.into()),
        }
    );
    assert_eq!(req.grant_type(), GrantType::AuthorizationCode);
    let minimal = parse(&[("grant_type", "authorization_code"), ("code", "abc")]).unwrap();
    assert_eq!(
        minimal,
        TokenRequest::AuthorizationCode {
            code: "abc".into(),
            redirect_uri: None,
            code_verifier: None
        }
    );
}

#[test]
fn refresh_and_client_credentials_requests() {
    assert_eq!(
        parse(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt"),
            ("scope", "openid email")
        ])
        .unwrap(),
        TokenRequest::RefreshToken {
            refresh_token: "rt".into(),
            scope: Some(vec!["openid".into(), "email".into()]),
        }
    );
    assert_eq!(
        parse(&[("grant_type", "refresh_token"), ("refresh_token", "rt"), ("scope", "")]).unwrap(),
        TokenRequest::RefreshToken {
            refresh_token: "rt".into(),
            scope: None
        }
    );
    assert_eq!(
        parse(&[("grant_type", "client_credentials")]).unwrap(),
        TokenRequest::ClientCredentials { scope: None }
    );
    assert_eq!(
        parse(&[("grant_type", "client_credentials"), ("scope", "api:read")]).unwrap(),
        TokenRequest::ClientCredentials {
            scope: Some(vec!["api:read".into()])
        }
    );
    assert_eq!(
        err(&[("grant_type", "client_credentials"), ("scope", "a\\b")]).error,
        "invalid_scope"
    );
}

#[test]
fn missing_or_unknown_grant_type() {
    let e = err(&[("code", "abc")]);
    assert_eq!(
        (e.error, e.description.as_str()),
        ("invalid_request", "grant_type is required")
    );
    let e = err(&[("grant_type", ""), ("code", "abc")]);
    assert_eq!(e.error, "invalid_request");
    for g in [
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
        "Authorization_Code",
    ] {
        let e = err(&[("grant_type", g)]);
        assert_eq!(e.error, "unsupported_grant_type", "{g}");
    }
}

#[test]
fn duplicates_are_invalid_request() {
    for (name, value) in [
        ("grant_type", "authorization_code"),
        ("code", "abc"),
        ("redirect_uri", "https://x"),
        ("code_verifier", VERIFIER),
        ("client_id", "app"),
    ] {
        let e = err(&[
            ("grant_type", "authorization_code"),
            ("code", "abc"),
            (name, value),
            (name, value),
        ]);
        assert_eq!(e.error, "invalid_request", "{name}");
        assert!(e.description.contains(name));
    }
    let e = err(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", "a"),
        ("refresh_token", "b"),
    ]);
    assert_eq!(e.error, "invalid_request");
}

#[test]
fn missing_code_or_refresh_token() {
    let e = err(&[("grant_type", "authorization_code")]);
    assert_eq!(
        (e.error, e.description.as_str()),
        ("invalid_request", "code is required")
    );
    let e = err(&[("grant_type", "refresh_token")]);
    assert_eq!(
        (e.error, e.description.as_str()),
        ("invalid_request", "refresh_token is required")
    );
}

#[test]
fn malformed_code_verifier_is_invalid_request() {
    for v in ["short", &"a".repeat(129), &format!("{}+", &VERIFIER[..42])] {
        let e = err(&[
            ("grant_type", "authorization_code"),
            ("code", "c"),
            ("code_verifier", v),
        ]);
        assert_eq!(e.error, "invalid_request", "{v}");
    }
}

#[test]
fn debug_hides_codes_and_tokens() {
    let req = parse(&[
        ("grant_type", "authorization_code"),
        ("code", "SECRETCODE"),
        ("code_verifier", VERIFIER),
    ])
    .unwrap();
    let text = format!("{req:?}");
    assert!(!text.contains("SECRETCODE") && !text.contains(VERIFIER), "{text}");
    let req = parse(&[("grant_type", "refresh_token"), ("refresh_token", "SECRETRT")]).unwrap();
    assert!(!format!("{req:?}").contains("SECRETRT"));
}

#[test]
fn grant_must_be_registered_for_the_client() {
    let code = parse(&[("grant_type", "authorization_code"), ("code", "c")]).unwrap();
    let refresh = parse(&[("grant_type", "refresh_token"), ("refresh_token", "r")]).unwrap();
    let cc = parse(&[("grant_type", "client_credentials")]).unwrap();

    let c = client(Some("s"), &[GrantType::AuthorizationCode]);
    assert!(check_grant_allowed(&c, &code).is_ok());
    assert_eq!(
        check_grant_allowed(&c, &refresh).unwrap_err().error,
        "unauthorized_client"
    );
    assert_eq!(check_grant_allowed(&c, &cc).unwrap_err().error, "unauthorized_client");

    let all = [
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
        GrantType::ClientCredentials,
    ];
    let confidential = client(Some("s"), &all);
    for req in [&code, &refresh, &cc] {
        assert!(check_grant_allowed(&confidential, req).is_ok());
    }
    let public = client(None, &all);
    assert!(check_grant_allowed(&public, &code).is_ok());
    assert!(check_grant_allowed(&public, &refresh).is_ok());
    let e = check_grant_allowed(&public, &cc).unwrap_err();
    assert_eq!(e.error, "unauthorized_client");
    assert!(e.description.contains("confidential"));
}

#[test]
fn redirect_uri_must_repeat_the_authorized_one() {
    let cb = "https://app.example/cb";
    assert!(check_redirect_uri(cb, Some(cb)).is_ok());
    assert_eq!(check_redirect_uri(cb, None).unwrap_err().error, "invalid_request");
    assert_eq!(
        check_redirect_uri(cb, Some("https://app.example/cb/"))
            .unwrap_err()
            .error,
        "invalid_grant"
    );
}

#[test]
fn pkce_checks() {
    assert!(check_pkce(None, None).is_ok());
    assert!(check_pkce(Some(CHALLENGE), Some(VERIFIER)).is_ok());
    let wrong = format!("{}A", &VERIFIER[..42]);
    assert_eq!(
        check_pkce(Some(CHALLENGE), Some(&wrong)).unwrap_err().error,
        "invalid_grant"
    );
    assert_eq!(check_pkce(Some(CHALLENGE), None).unwrap_err().error, "invalid_grant");
    assert_eq!(check_pkce(None, Some(VERIFIER)).unwrap_err().error, "invalid_grant");
}
