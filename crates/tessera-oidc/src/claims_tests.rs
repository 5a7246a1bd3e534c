//! Tests for claim building.

use super::*;
use crate::jwt::{TYP_ACCESS_TOKEN, TYP_ID_TOKEN, TYP_LOGOUT_TOKEN};
use crate::keys::{SigningKey, verify_jwt};

fn scopes(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

fn jane() -> Subject {
    let mut extra = Map::new();
    extra.insert("department".into(), json!("R&D"));
    extra.insert("sub".into(), json!("admin"));
    extra.insert("aud".into(), json!("other-app"));
    extra.insert("email".into(), json!("spoof@example.com"));
    Subject {
        sub: "u-123".into(),
        preferred_username: "jane".into(),
        name: Some("Jane Doe".into()),
        given_name: Some("Jane".into()),
        family_name: Some("Doe".into()),
        picture: None,
        email: Some("jane@example.com".into()),
        email_verified: true,
        updated_at: Some(1_700_000_000),
        groups: vec!["staff".into(), "admins".into()],
        extra,
    }
}

fn keys(m: &Map<String, Value>) -> Vec<&str> {
    let mut k: Vec<&str> = m.keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn openid_alone_releases_sub_and_extra() {
    let c = userinfo_claims(&jane(), &scopes(&["openid"]));
    assert_eq!(keys(&c), ["department", "sub"], "extra cannot inject email");
    assert_eq!(c["sub"], "u-123");
}

#[test]
fn profile_scope() {
    let c = userinfo_claims(&jane(), &scopes(&["openid", "profile"]));
    assert_eq!(
        keys(&c),
        [
            "department",
            "family_name",
            "given_name",
            "name",
            "preferred_username",
            "sub",
            "updated_at"
        ]
    );
    assert_eq!(c["name"], "Jane Doe");
    assert_eq!(c["updated_at"], 1_700_000_000);
    assert!(!c.contains_key("picture"), "absent values are omitted");
}

#[test]
fn email_and_groups_scopes() {
    let c = userinfo_claims(&jane(), &scopes(&["openid", "email", "groups"]));
    assert_eq!(keys(&c), ["department", "email", "email_verified", "groups", "sub"]);
    assert_eq!(c["email"], "jane@example.com", "extra never overrides a standard claim");
    assert_eq!(c["email_verified"], true);
    assert_eq!(c["groups"], json!(["staff", "admins"]));

    let mut no_email = jane();
    no_email.email = None;
    no_email.extra.clear();
    no_email.groups.clear();
    let c = userinfo_claims(&no_email, &scopes(&["openid", "email", "groups", "address", "phone"]));
    assert_eq!(keys(&c), ["groups", "sub"]);
    assert_eq!(c["groups"], json!([]));
}

#[test]
fn extra_cannot_set_protocol_claims() {
    let c = userinfo_claims(&jane(), &scopes(&["openid"]));
    assert_eq!(c["sub"], "u-123");
    assert!(!c.contains_key("aud"));
    assert_eq!(c["department"], "R&D");
}

fn input<'a>(subject: &'a Subject, scopes: &'a [String]) -> IdTokenInput<'a> {
    IdTokenInput {
        issuer: "https://id.example.com",
        client_id: "app",
        subject,
        scopes,
        auth_time: 1_000,
        nonce: None,
        access_token: None,
        alg: SigningAlg::Rs256,
        sid: None,
        amr: &[],
        acr: None,
        now: 1_010,
        ttl_seconds: 300,
    }
}

#[test]
fn id_token_minimal() {
    let subject = jane();
    let s = scopes(&["openid"]);
    let c = id_token_claims(&input(&subject, &s));
    assert_eq!(
        c,
        json!({
            "iss": "https://id.example.com",
            "sub": "u-123",
            "aud": "app",
            "azp": "app",
            "exp": 1_310,
            "iat": 1_010,
            "auth_time": 1_000,
            "department": "R&D",
        })
    );
    // No nonce when none was sent (code flow without nonce, OIDC Core §3.1.2.1).
    assert!(c.get("nonce").is_none());
    assert!(c.get("at_hash").is_none());
}

#[test]
fn id_token_full() {
    let subject = jane();
    let s = scopes(&["openid", "profile", "email"]);
    let amr = scopes(&["pwd", "otp"]);
    let mut i = input(&subject, &s);
    i.nonce = Some("n-0S6_WzA2Mj");
    i.access_token = Some("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
    i.sid = Some("sess-1");
    i.amr = &amr;
    i.acr = Some("urn:example:mfa");
    let c = id_token_claims(&i);
    assert_eq!(c["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(c["at_hash"], "77QmUPtjPfzWtF2AnpK9RQ", "OIDC Core A.3 value");
    assert_eq!(c["sid"], "sess-1");
    assert_eq!(c["amr"], json!(["pwd", "otp"]));
    assert_eq!(c["acr"], "urn:example:mfa");
    assert_eq!(c["email"], "jane@example.com");
    assert_eq!(c["email_verified"], true);
    assert_eq!(c["preferred_username"], "jane");
    assert_eq!(c["sub"], "u-123");
    assert_eq!(c["aud"], "app");

    assert!(!format!("{i:?}").contains("jHkWEdUX"), "Debug hides the access token");

    i.alg = SigningAlg::EdDsa;
    let c = id_token_claims(&i);
    assert_eq!(
        c["at_hash"],
        json!(at_hash(
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
            SigningAlg::EdDsa
        ))
    );
}

#[test]
fn id_token_signs_and_verifies() {
    let key = SigningKey::generate(SigningAlg::Rs256).unwrap();
    let subject = jane();
    let s = scopes(&["openid"]);
    let claims = id_token_claims(&input(&subject, &s));
    let token = key.sign_jwt(TYP_ID_TOKEN, &claims).unwrap();
    let got = verify_jwt::<Value>(&token, &[&key]).unwrap();
    assert_eq!(got.typ.as_deref(), Some("JWT"));
    assert_eq!(got.kid, key.kid());
    assert_eq!(got.claims, claims);
}

#[test]
fn access_token() {
    let c = access_token_claims(
        "https://id.example.com",
        "https://api.example.com",
        "u-123",
        "app",
        &scopes(&["openid", "email"]),
        "jti-1",
        Some(1_000),
        1_010,
        600,
    );
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({
            "iss": "https://id.example.com",
            "aud": "https://api.example.com",
            "sub": "u-123",
            "client_id": "app",
            "iat": 1_010,
            "exp": 1_610,
            "jti": "jti-1",
            "scope": "openid email",
            "auth_time": 1_000,
        })
    );
    let c = access_token_claims("i", "a", "app", "app", &[], "j", None, 0, 60);
    let json = serde_json::to_value(&c).unwrap();
    assert!(json.get("scope").is_none() && json.get("auth_time").is_none());
    let key = SigningKey::generate(SigningAlg::Es256).unwrap();
    let got = verify_jwt::<AccessTokenClaims>(&key.sign_jwt(TYP_ACCESS_TOKEN, &c).unwrap(), &[&key]).unwrap();
    assert_eq!(got.typ.as_deref(), Some("at+jwt"));
    assert_eq!(got.claims, c, "the typed claims read back as they were signed");
}

#[test]
fn logout_token() {
    let c = logout_token_claims("https://id.example.com", "app", "u-123", "sess-1", "jti-9", 5_000);
    let c = serde_json::to_value(&c).unwrap();
    assert_eq!(
        c,
        json!({
            "iss": "https://id.example.com",
            "aud": "app",
            "iat": 5_000,
            "exp": 5_120,
            "jti": "jti-9",
            "sub": "u-123",
            "sid": "sess-1",
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        })
    );
    assert!(c.get("nonce").is_none());
    let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
    let got = verify_jwt::<Value>(&key.sign_jwt(TYP_LOGOUT_TOKEN, &c).unwrap(), &[&key]).unwrap();
    assert_eq!(got.typ.as_deref(), Some("logout+jwt"));
}
