//! Authorization requests (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) as a query string: every input
//! is an outcome (show, redirect with an error, or valid), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_oidc::{Client, ClientSecret, GrantType, SigningAlg};

fn client() -> Client {
    Client {
        id: "app".into(),
        name: "App".into(),
        secret: Some(ClientSecret::new("secret")),
        redirect_uris: vec!["https://app.example/cb".into()],
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        scopes: ["openid", "profile", "email"].map(String::from).to_vec(),
        first_party: false,
        require_pkce: false,
        id_token_alg: SigningAlg::Rs256,
        backchannel_logout_uri: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
    let app = client();
    let _ = tessera_oidc::parse_authorize(&params, |id| (id == app.id).then_some(&app));
});
