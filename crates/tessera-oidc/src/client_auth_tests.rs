//! Tests for client authentication.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use super::*;
use crate::Challenge;
use crate::client::{ClientSecret, GrantType, cheap_hash, verify_in_place};
use crate::keys::SigningAlg;

/// Test-only equality; the real type has none so that secrets are never
/// compared with `==`.
impl PartialEq for ClientAuth {
    fn eq(&self, other: &Self) -> bool {
        let secret = |a: &ClientAuth| match a {
            ClientAuth::Basic { secret, .. } | ClientAuth::Post { secret, .. } => Some(secret.clone()),
            ClientAuth::None { .. } => None,
        };
        self.method() == other.method() && self.client_id() == other.client_id() && secret(self) == secret(other)
    }
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn basic(raw: &str) -> String {
    format!("Basic {}", STANDARD.encode(raw))
}

fn client(id: &str, secret: Option<&str>) -> Client {
    Client {
        id: id.into(),
        name: id.into(),
        secret: secret.map(ClientSecret::new),
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::AuthorizationCode],
        scopes: vec!["openid".into()],
        first_party: false,
        require_pkce: false,
        id_token_alg: SigningAlg::Rs256,
        backchannel_logout_uri: None,
    }
}

/// A client whose secret is configured as an argon2 hash.
fn hashed_client(id: &str, secret: &str) -> Client {
    Client {
        secret: Some(ClientSecret::hashed(cheap_hash(secret))),
        ..client(id, None)
    }
}

fn clients() -> Vec<Client> {
    vec![
        client("a:b", Some("c%d")),
        client("app", Some("s3cret")),
        client("spa", None),
    ]
}

/// [`authenticate`] over `cs`, with argon2 run in place.
async fn authenticated<'c>(auth: &ClientAuth, cs: &'c [Client]) -> Result<&'c Client, OAuthError> {
    authenticate(auth, |id| cs.iter().find(|c| c.id == id), verify_in_place).await
}

fn auth(header: Option<&str>, body: &[(&str, &str)]) -> Result<ClientAuth, OAuthError> {
    client_auth(header, &form(body))
}

#[tokio::test]
async fn basic_credentials_are_urldecoded() {
    // id `a:b`, secret `c%d`, form-urlencoded then base64 (RFC 6749 §2.3.1).
    let got = auth(Some(&basic("a%3Ab:c%25d")), &[("grant_type", "x")]).unwrap();
    assert_eq!(
        got,
        ClientAuth::Basic {
            id: "a:b".into(),
            secret: "c%d".into()
        }
    );
    let cs = clients();
    let c = authenticated(&got, &cs).await.unwrap();
    assert_eq!(c.id, "a:b");

    // `+` is a space, non-ASCII is UTF-8 percent-encoded.
    let got = auth(Some(&basic("my+app:p%C3%A4ss+word")), &[]).unwrap();
    assert_eq!(
        got,
        ClientAuth::Basic {
            id: "my app".into(),
            secret: "päss word".into()
        }
    );
    // The first ':' separates; later ones belong to the secret.
    let got = auth(Some(&basic("app:x:y")), &[]).unwrap();
    assert_eq!(
        got,
        ClientAuth::Basic {
            id: "app".into(),
            secret: "x:y".into()
        }
    );
    // Unencoded clients mostly still work: a stray % stays literal.
    let got = auth(Some(&basic("app:100%zz%4")), &[]).unwrap();
    assert_eq!(
        got,
        ClientAuth::Basic {
            id: "app".into(),
            secret: "100%zz%4".into()
        }
    );
}

#[test]
fn basic_scheme_and_padding_are_lenient() {
    for header in [
        format!("basic {}", STANDARD.encode("app:s3cret")),
        format!("BASIC  {} ", STANDARD.encode("app:s3cret")),
        format!("Basic {}", STANDARD_NO_PAD.encode("app:s3cret")),
    ] {
        assert_eq!(
            auth(Some(&header), &[]).unwrap(),
            ClientAuth::Basic {
                id: "app".into(),
                secret: "s3cret".into()
            },
            "{header}"
        );
    }
}

#[test]
fn malformed_basic_is_invalid_client_with_challenge() {
    for header in [
        "Basic".to_owned(),
        "Basic !!!".to_owned(),
        basic("no-colon"),
        basic(":secret"),
        format!("Basic {}", STANDARD.encode([0xff, b':', b'x'])),
        basic("a%FF:x"),
        format!("Bearer {}", STANDARD.encode("app:s3cret")),
        String::new(),
    ] {
        let err = auth(Some(&header), &[]).unwrap_err();
        assert_eq!(err.error, "invalid_client", "{header}");
        assert_eq!(err.challenge, Some(Challenge::Basic));
    }
}

#[test]
fn both_methods_is_invalid_request() {
    let err = auth(
        Some(&basic("app:s3cret")),
        &[("client_id", "app"), ("client_secret", "s3cret")],
    )
    .unwrap_err();
    assert_eq!(err.error, "invalid_request");
    assert_eq!(err.challenge, None);
    // A matching client_id in the body alone is fine; a different one is not.
    assert!(auth(Some(&basic("app:s3cret")), &[("client_id", "app")]).is_ok());
    let err = auth(Some(&basic("app:s3cret")), &[("client_id", "spa")]).unwrap_err();
    assert_eq!(err.error, "invalid_request");
}

#[test]
fn post_and_none() {
    assert_eq!(
        auth(None, &[("client_id", "app"), ("client_secret", "s3cret")]).unwrap(),
        ClientAuth::Post {
            id: "app".into(),
            secret: "s3cret".into()
        }
    );
    assert_eq!(
        auth(None, &[("client_id", "spa")]).unwrap(),
        ClientAuth::None { id: "spa".into() }
    );
    // Empty client_secret is absent (RFC 6749 §3.2).
    assert_eq!(
        auth(None, &[("client_id", "spa"), ("client_secret", "")]).unwrap(),
        ClientAuth::None { id: "spa".into() }
    );
}

#[test]
fn no_client_id_is_invalid_client_without_challenge() {
    for body in [&[][..], &[("client_secret", "s3cret")][..], &[("client_id", "")][..]] {
        let err = auth(None, body).unwrap_err();
        assert_eq!(err.error, "invalid_client");
        assert_eq!(err.challenge, None);
    }
}

#[test]
fn duplicated_credentials_are_invalid_request() {
    let err = auth(None, &[("client_id", "app"), ("client_id", "app")]).unwrap_err();
    assert_eq!(err.error, "invalid_request");
    let err = auth(
        None,
        &[("client_id", "app"), ("client_secret", "a"), ("client_secret", "b")],
    )
    .unwrap_err();
    assert_eq!(err.error, "invalid_request");
}

#[tokio::test]
async fn wrong_secret_is_401_with_challenge_only_for_basic() {
    let cs = clients();
    let post = |secret: &'static str| ClientAuth::Post {
        id: "app".into(),
        secret: secret.into(),
    };

    let err = authenticated(&auth(Some(&basic("app:wrong")), &[]).unwrap(), &cs)
        .await
        .unwrap_err();
    assert_eq!((err.error, err.challenge), ("invalid_client", Some(Challenge::Basic)));

    let err = authenticated(&post("wrong"), &cs).await.unwrap_err();
    assert_eq!((err.error, err.challenge), ("invalid_client", None));

    assert_eq!(authenticated(&post("s3cret"), &cs).await.unwrap().id, "app");
    let good = auth(Some(&basic("app:s3cret")), &[]).unwrap();
    assert_eq!(authenticated(&good, &cs).await.unwrap().id, "app");
}

#[tokio::test]
async fn a_hashed_secret_authenticates_by_basic_and_post_and_refuses_like_a_plain_one() {
    let cs = [hashed_client("svc", "hashed-s3cret-0123")];
    let basic_auth = auth(Some(&basic("svc:hashed-s3cret-0123")), &[]).unwrap();
    assert_eq!(authenticated(&basic_auth, &cs).await.unwrap().id, "svc");
    let post = auth(None, &[("client_id", "svc"), ("client_secret", "hashed-s3cret-0123")]).unwrap();
    assert_eq!(authenticated(&post, &cs).await.unwrap().id, "svc");

    let err = authenticated(&auth(Some(&basic("svc:wrong")), &[]).unwrap(), &cs)
        .await
        .unwrap_err();
    assert_eq!(
        (err.error, err.challenge, err.description.as_str()),
        ("invalid_client", Some(Challenge::Basic), "client authentication failed")
    );
    let err = authenticated(&ClientAuth::None { id: "svc".into() }, &cs)
        .await
        .unwrap_err();
    assert_eq!(err.error, "invalid_client");
}

#[tokio::test]
async fn a_failing_argon2_run_is_the_callers_error() {
    #[derive(Debug, PartialEq)]
    enum Failure {
        OAuth(&'static str),
        PoolClosed,
    }
    impl From<OAuthError> for Failure {
        fn from(e: OAuthError) -> Self {
            Failure::OAuth(e.error)
        }
    }
    let cs = [hashed_client("svc", "hashed-s3cret-0123")];
    let find = |id: &str| cs.iter().find(|c| c.id == id);
    let broken = |_, _| std::future::ready(Err(Failure::PoolClosed));
    let given = auth(Some(&basic("svc:hashed-s3cret-0123")), &[]).unwrap();
    assert_eq!(
        authenticate(&given, find, broken).await.unwrap_err(),
        Failure::PoolClosed
    );
    let unknown = auth(Some(&basic("ghost:x")), &[]).unwrap();
    let broken = |_, _| std::future::ready(Err(Failure::PoolClosed));
    assert_eq!(
        authenticate(&unknown, find, broken).await.unwrap_err(),
        Failure::OAuth("invalid_client")
    );
}

#[tokio::test]
async fn unknown_client_is_invalid_client() {
    let cs = clients();
    let err = authenticated(&ClientAuth::None { id: "ghost".into() }, &cs)
        .await
        .unwrap_err();
    assert_eq!((err.error, err.challenge.is_none()), ("invalid_client", true));
    let ghost = ClientAuth::Basic {
        id: "ghost".into(),
        secret: "x".into(),
    };
    let err = authenticated(&ghost, &cs).await.unwrap_err();
    assert_eq!(err.challenge, Some(Challenge::Basic));
}

#[tokio::test]
async fn public_client_presenting_a_secret_is_refused() {
    let cs = clients();
    let post = ClientAuth::Post {
        id: "spa".into(),
        secret: "x".into(),
    };
    let err = authenticated(&post, &cs).await.unwrap_err();
    assert_eq!(err.error, "invalid_client");
    let basic_auth = ClientAuth::Basic {
        id: "spa".into(),
        secret: "x".into(),
    };
    let err = authenticated(&basic_auth, &cs).await.unwrap_err();
    assert_eq!(err.challenge, Some(Challenge::Basic));
    let none = ClientAuth::None { id: "spa".into() };
    assert_eq!(authenticated(&none, &cs).await.unwrap().id, "spa");
    // Basic with an empty password from a public client is no secret at all.
    let got = auth(Some(&basic("spa:")), &[]).unwrap();
    assert_eq!(authenticated(&got, &cs).await.unwrap().id, "spa");
}

#[tokio::test]
async fn confidential_client_without_secret_is_refused() {
    let cs = clients();
    let err = authenticated(&ClientAuth::None { id: "app".into() }, &cs)
        .await
        .unwrap_err();
    assert_eq!((err.error, err.challenge), ("invalid_client", None));
    // An empty Basic password is not the secret either.
    let got = auth(Some(&basic("app:")), &[]).unwrap();
    assert!(authenticated(&got, &cs).await.is_err());
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let a = ClientAuth::Post {
        id: "app".into(),
        secret: "hunter2".into(),
    };
    let text = format!("{a:?}");
    assert!(text.contains("app") && text.contains("client_secret_post"));
    assert!(!text.contains("hunter2"));
    let cs = clients();
    let err = authenticated(&a, &cs).await.unwrap_err();
    assert!(!format!("{err:?}").contains("hunter2"));
    assert!(!format!("{err:?}").contains("s3cret"));
}
