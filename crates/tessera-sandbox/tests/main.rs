//! The sandbox's own checks, at the HTTP level: what a real provider would
//! refuse, it refuses with a clear 400/401, never a panic.

mod mounted;
mod oauth1;
mod oauth2;

use tessera_sandbox::{Sandbox, SandboxOptions};

pub async fn sandbox() -> Sandbox {
    tessera_sandbox::start(([127, 0, 0, 1], 0).into(), SandboxOptions::default())
        .await
        .expect("sandbox starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[test]
fn every_provider_has_people_with_unique_keys() {
    use tessera_sandbox::{Provider, people, people_of};
    for provider in Provider::ALL {
        assert!(people_of(provider).count() >= 1, "{provider:?}");
    }
    let mut keys: Vec<_> = people().iter().map(|p| (p.provider, p.key)).collect();
    keys.sort_by_key(|(p, k)| (p.prefix(), *k));
    keys.dedup();
    assert_eq!(keys.len(), people().len());
    let alice = people().iter().find(|p| p.key == "alice").unwrap();
    assert_eq!(alice.email, Some("alice@example.com"));
    assert!(people().iter().find(|p| p.key == "bob").unwrap().email.is_none());
    assert!(!people().iter().find(|p| p.key == "grace").unwrap().email_verified);
}

#[tokio::test]
async fn index_lists_providers_and_shutdown_stops_serving() {
    let sb = sandbox().await;
    let base = sb.base_url();
    let page = client().get(&base).send().await.unwrap().text().await.unwrap();
    for needle in ["twitter", "facebook", "instagram", "oidc", "erin_photos", "frank"] {
        assert!(page.contains(needle), "{needle}");
    }
    assert_eq!(sb.addr().ip().to_string(), "127.0.0.1");
    sb.shutdown().await;
    assert!(client().get(&base).send().await.is_err());
}
