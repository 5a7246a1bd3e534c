//! Tests for [`super::parse_authorize`], one or more per rule.

use super::*;
use crate::client::ClientSecret;
use crate::keys::SigningAlg;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CB: &str = "https://app.example/cb";

fn client(id: &str, secret: Option<&str>) -> Client {
    Client {
        id: id.into(),
        name: "App".into(),
        secret: secret.map(ClientSecret::new),
        redirect_uris: vec![CB.into(), "https://app.example/other?tenant=1".into()],
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        scopes: ["openid", "profile", "email", "groups"].map(String::from).to_vec(),
        first_party: false,
        require_pkce: false,
        id_token_alg: SigningAlg::Rs256,
        backchannel_logout_uri: None,
    }
}

struct Fixture {
    clients: Vec<Client>,
}

impl Fixture {
    fn new() -> Self {
        let mut pkce = client("pkce-app", Some("s"));
        pkce.require_pkce = true;
        let mut cc_only = client("cc-only", Some("s"));
        cc_only.grant_types = vec![GrantType::ClientCredentials];
        let mut bad_uri = client("bad-uri", Some("s"));
        bad_uri.redirect_uris = vec!["https://app.example/cb#frag".into(), "relative/cb".into()];
        Fixture {
            clients: vec![client("app", Some("s")), client("spa", None), pkce, cc_only, bad_uri],
        }
    }

    fn run(&self, pairs: &[(&str, &str)]) -> AuthorizeOutcome {
        let params: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        parse_authorize(&params, |id| self.clients.iter().find(|c| c.id == id))
    }
}

/// A valid request for the confidential client `app`.
fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "app"),
        ("redirect_uri", CB),
        ("scope", "openid profile"),
        ("state", "st8"),
        ("nonce", "n0nce"),
    ]
}

fn with(
    mut params: Vec<(&'static str, &'static str)>,
    extra: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    params.extend_from_slice(extra);
    params
}

fn without(params: Vec<(&'static str, &'static str)>, name: &str) -> Vec<(&'static str, &'static str)> {
    params.into_iter().filter(|(k, _)| *k != name).collect()
}

fn valid(outcome: AuthorizeOutcome) -> AuthorizeRequest {
    match outcome {
        AuthorizeOutcome::Valid(r) => r,
        other => panic!("expected Valid, got {other:?}"),
    }
}

fn shown(outcome: AuthorizeOutcome) -> String {
    match outcome {
        AuthorizeOutcome::ShowError { description } => description,
        other => panic!("expected ShowError, got {other:?}"),
    }
}

/// Asserts a RedirectError with `code`, to CB, echoing state `st8`;
/// returns the description.
fn redirected(outcome: AuthorizeOutcome, code: &str) -> String {
    match outcome {
        AuthorizeOutcome::RedirectError {
            redirect_uri,
            error,
            description,
            state,
        } => {
            assert_eq!(error, code, "{description}");
            assert_eq!(redirect_uri.as_str(), CB);
            assert_eq!(state.as_deref(), Some("st8"));
            description
        }
        other => panic!("expected RedirectError {code}, got {other:?}"),
    }
}

#[test]
fn minimal_valid_request() {
    let f = Fixture::new();
    let r = valid(f.run(&base()));
    assert_eq!(
        r,
        AuthorizeRequest {
            client_id: "app".into(),
            redirect_uri: CB.into(),
            scopes: vec!["openid".into(), "profile".into()],
            state: Some("st8".into()),
            nonce: Some("n0nce".into()),
            code_challenge: None,
            prompt: Prompt::default(),
            max_age: None,
            acr_values: Vec::new(),
            login_hint: None,
            id_token_hint: None,
        }
    );
}

#[test]
fn acr_values_are_kept_in_order_of_preference() {
    let f = Fixture::new();
    let r = valid(f.run(&with(base(), &[("acr_values", "urn:a:mfa  urn:a:pwd")])));
    assert_eq!(r.acr_values, ["urn:a:mfa", "urn:a:pwd"]);
}

#[test]
fn full_valid_request() {
    let f = Fixture::new();
    let r = valid(f.run(&with(
        base(),
        &[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("prompt", "login consent"),
            ("max_age", "300"),
            ("login_hint", "jane"),
            ("id_token_hint", "eyJ.x.y"),
            ("response_mode", "query"),
        ],
    )));
    assert_eq!(r.code_challenge.as_deref(), Some(CHALLENGE));
    assert_eq!(
        r.prompt,
        Prompt {
            login: true,
            consent: true,
            ..Prompt::default()
        }
    );
    assert_eq!(r.max_age, Some(300));
    assert_eq!(r.login_hint.as_deref(), Some("jane"));
    assert_eq!(r.id_token_hint.as_deref(), Some("eyJ.x.y"));
}

#[test]
fn state_and_nonce_are_optional() {
    let f = Fixture::new();
    let r = valid(f.run(&without(without(base(), "state"), "nonce")));
    assert_eq!(r.state, None);
    assert_eq!(r.nonce, None);
}

#[test]
fn redirect_uri_with_query_is_matched_exactly() {
    let f = Fixture::new();
    let mut p = without(base(), "redirect_uri");
    p.push(("redirect_uri", "https://app.example/other?tenant=1"));
    assert_eq!(valid(f.run(&p)).redirect_uri, "https://app.example/other?tenant=1");
}

// --- errors shown, never redirected -----------------------------------

#[test]
fn missing_unknown_or_duplicated_client_id_is_shown() {
    let f = Fixture::new();
    assert!(shown(f.run(&without(base(), "client_id"))).contains("client_id"));
    assert!(shown(f.run(&with(without(base(), "client_id"), &[("client_id", "")]))).contains("missing"));
    assert!(shown(f.run(&with(without(base(), "client_id"), &[("client_id", "nope")]))).contains("unknown client_id"));
    assert!(shown(f.run(&with(base(), &[("client_id", "app")]))).contains("more than once"));
}

#[test]
fn missing_unregistered_or_duplicated_redirect_uri_is_shown() {
    let f = Fixture::new();
    assert!(shown(f.run(&without(base(), "redirect_uri"))).contains("missing"));
    for other in [
        "https://app.example/cb/",
        "https://app.example/CB",
        "https://APP.example/cb",
        "https://app.example/cb?x=1",
        "https://app.example/cb#x",
        "https://evil.example/cb",
        "https://app.example:443/cb",
        "https://app.example/other",
    ] {
        let p = with(without(base(), "redirect_uri"), &[("redirect_uri", other)]);
        assert!(shown(f.run(&p)).contains("not registered"), "{other}");
    }
    assert!(shown(f.run(&with(base(), &[("redirect_uri", CB)]))).contains("more than once"));
    assert!(
        shown(f.run(&with(base(), &[("redirect_uri", "https://app.example/other?tenant=1")])))
            .contains("more than once")
    );
}

#[test]
fn client_and_redirect_errors_win_over_everything_else() {
    // Even with every other parameter wrong, an unknown redirect URI shows
    // an error page rather than redirecting anywhere.
    let f = Fixture::new();
    let p = [
        ("client_id", "app"),
        ("redirect_uri", "https://evil.example/"),
        ("response_type", "token"),
        ("request", "x"),
        ("scope", "profile"),
        ("state", "s"),
        ("state", "t"),
    ];
    assert!(shown(f.run(&p)).contains("not registered"));
}

#[test]
fn malformed_registered_redirect_uri_is_shown() {
    let f = Fixture::new();
    for uri in ["https://app.example/cb#frag", "relative/cb"] {
        let p = [
            ("client_id", "bad-uri"),
            ("redirect_uri", uri),
            ("response_type", "code"),
            ("scope", "openid"),
        ];
        assert!(shown(f.run(&p)).contains("not a valid"), "{uri}");
    }
}

#[test]
fn shown_descriptions_are_sanitized() {
    let f = Fixture::new();
    let evil = format!("<script>\"{}\n", "x".repeat(300));
    let params = vec![
        ("client_id".to_owned(), evil),
        ("redirect_uri".to_owned(), CB.to_owned()),
    ];
    let d = shown(parse_authorize(&params, |id| f.clients.iter().find(|c| c.id == id)));
    assert!(!d.contains('"') && !d.contains('\n'));
    assert!(d.len() < 120, "{d}");
}

// --- errors redirected with state ------------------------------------

#[test]
fn duplicated_parameters_are_invalid_request() {
    let f = Fixture::new();
    for (name, value) in [
        ("response_type", "code"),
        ("scope", "openid"),
        ("nonce", "n2"),
        ("prompt", "login"),
        ("max_age", "1"),
        ("code_challenge", CHALLENGE),
        ("display", "page"),
        ("ui_locales", "en"),
    ] {
        let mut p = with(base(), &[(name, value)]);
        if !base().iter().any(|(k, _)| *k == name) {
            p.push((name, value));
        }
        let d = redirected(f.run(&p), "invalid_request");
        assert!(d.contains(name) && d.contains("more than once"), "{d}");
    }
}

#[test]
fn duplicated_state_is_reported_without_echo() {
    let f = Fixture::new();
    match f.run(&with(base(), &[("state", "other")])) {
        AuthorizeOutcome::RedirectError {
            error,
            state,
            description,
            ..
        } => {
            assert_eq!(error, "invalid_request");
            assert_eq!(state, None);
            assert!(description.contains("state"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_values_count_as_absent() {
    // RFC 6749 §3.1: a parameter without a value is treated as omitted,
    // so `nonce=` next to `nonce=x` is not a duplicate.
    let f = Fixture::new();
    let r = valid(f.run(&with(base(), &[("nonce", ""), ("prompt", "")])));
    assert_eq!(r.nonce.as_deref(), Some("n0nce"));
    assert_eq!(r.prompt, Prompt::default());
    let d = redirected(
        f.run(&with(without(base(), "response_type"), &[("response_type", "")])),
        "invalid_request",
    );
    assert!(d.contains("response_type"));
}

#[test]
fn unknown_and_tolerated_parameters_are_ignored() {
    let f = Fixture::new();
    let r = valid(f.run(&with(
        base(),
        &[
            ("display", "popup"),
            ("ui_locales", "fr-CA fr en"),
            ("claims_locales", "de"),
            ("acr_values", "urn:mace:incommon:iap:silver"),
            ("claims", "{\"userinfo\":{}}"),
            ("extra", "1"),
            ("extra", "2"),
            ("vendor_param", "whatever"),
        ],
    )));
    assert_eq!(r.client_id, "app");
    for display in ["page", "touch", "wap", "weird"] {
        valid(f.run(&with(base(), &[("display", display)])));
    }
}

#[test]
fn request_objects_are_not_supported() {
    let f = Fixture::new();
    redirected(
        f.run(&with(base(), &[("request", "eyJhbGciOiJub25lIn0.e30.")])),
        "request_not_supported",
    );
    redirected(
        f.run(&with(base(), &[("request_uri", "https://app.example/req.jwt")])),
        "request_uri_not_supported",
    );
}

#[test]
fn response_type_rules() {
    let f = Fixture::new();
    let d = redirected(f.run(&without(base(), "response_type")), "invalid_request");
    assert!(d.contains("response_type"));
    for rt in ["token", "id_token", "code id_token", "code token", "none", "CODE"] {
        let p = with(without(base(), "response_type"), &[("response_type", rt)]);
        redirected(f.run(&p), "unsupported_response_type");
    }
}

#[test]
fn response_mode_rules() {
    let f = Fixture::new();
    valid(f.run(&with(base(), &[("response_mode", "query")])));
    for mode in ["fragment", "form_post", "jwt"] {
        let d = redirected(f.run(&with(base(), &[("response_mode", mode)])), "invalid_request");
        assert!(d.contains("response_mode"));
    }
}

#[test]
fn client_without_code_grant_is_unauthorized() {
    let f = Fixture::new();
    let p = with(without(base(), "client_id"), &[("client_id", "cc-only")]);
    redirected(f.run(&p), "unauthorized_client");
}

#[test]
fn scope_must_contain_openid() {
    let f = Fixture::new();
    let d = redirected(f.run(&without(base(), "scope")), "invalid_scope");
    assert!(d.contains("openid"));
    let d = redirected(
        f.run(&with(without(base(), "scope"), &[("scope", "profile email")])),
        "invalid_scope",
    );
    assert!(d.contains("must include openid"), "{d}");
    // Case-sensitive (RFC 6749 §3.3).
    redirected(
        f.run(&with(without(base(), "scope"), &[("scope", "OpenID")])),
        "invalid_scope",
    );
}

#[test]
fn every_scope_must_be_allowed_for_the_client() {
    let f = Fixture::new();
    let d = redirected(
        f.run(&with(without(base(), "scope"), &[("scope", "openid email admin")])),
        "invalid_scope",
    );
    assert!(d.contains("admin"), "{d}");
    let d = redirected(
        f.run(&with(without(base(), "scope"), &[("scope", "openid a\"b")])),
        "invalid_scope",
    );
    assert!(d.contains("invalid characters"), "{d}");
    let r = valid(f.run(&with(
        without(base(), "scope"),
        &[("scope", "email  openid email groups")],
    )));
    assert_eq!(r.scopes, ["email", "openid", "groups"]);
}

#[test]
fn pkce_plain_is_refused() {
    let f = Fixture::new();
    let d = redirected(
        f.run(&with(
            base(),
            &[("code_challenge", CHALLENGE), ("code_challenge_method", "plain")],
        )),
        "invalid_request",
    );
    assert!(d.contains("plain is not accepted; use S256"), "{d}");
    // No method means plain (RFC 7636 §4.3).
    let d = redirected(
        f.run(&with(base(), &[("code_challenge", CHALLENGE)])),
        "invalid_request",
    );
    assert!(d.contains("plain"), "{d}");
}

#[test]
fn pkce_other_errors() {
    let f = Fixture::new();
    let d = redirected(
        f.run(&with(
            base(),
            &[("code_challenge", CHALLENGE), ("code_challenge_method", "S512")],
        )),
        "invalid_request",
    );
    assert!(d.contains("S256"));
    redirected(
        f.run(&with(base(), &[("code_challenge_method", "S256")])),
        "invalid_request",
    );
    for bad in [
        "short",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=",
    ] {
        let d = redirected(
            f.run(&with(
                base(),
                &[("code_challenge", bad), ("code_challenge_method", "S256")],
            )),
            "invalid_request",
        );
        assert!(d.contains("43 base64url"), "{d}");
    }
}

#[test]
fn pkce_required_for_public_and_flagged_clients() {
    let f = Fixture::new();
    for id in ["spa", "pkce-app"] {
        let p = with(without(base(), "client_id"), &[("client_id", id)]);
        let d = redirected(f.run(&p), "invalid_request");
        assert!(d.contains("code_challenge"), "{d}");
        let p = with(p, &[("code_challenge", CHALLENGE), ("code_challenge_method", "S256")]);
        assert_eq!(valid(f.run(&p)).code_challenge.as_deref(), Some(CHALLENGE));
    }
}

#[test]
fn prompt_values() {
    let f = Fixture::new();
    let cases = [
        (
            "none",
            Prompt {
                none: true,
                ..Prompt::default()
            },
        ),
        (
            "login",
            Prompt {
                login: true,
                ..Prompt::default()
            },
        ),
        (
            "consent",
            Prompt {
                consent: true,
                ..Prompt::default()
            },
        ),
        (
            "select_account",
            Prompt {
                select_account: true,
                ..Prompt::default()
            },
        ),
        (
            "login consent select_account",
            Prompt {
                login: true,
                consent: true,
                select_account: true,
                none: false,
            },
        ),
        (
            "consent  login",
            Prompt {
                login: true,
                consent: true,
                ..Prompt::default()
            },
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(
            valid(f.run(&with(base(), &[("prompt", value)]))).prompt,
            expected,
            "{value}"
        );
    }
}

#[test]
fn prompt_errors() {
    let f = Fixture::new();
    for value in ["none login", "consent none", "none none"] {
        let d = redirected(f.run(&with(base(), &[("prompt", value)])), "invalid_request");
        assert!(d.contains("none cannot be combined"), "{value}: {d}");
    }
    for value in ["bogus", "login bogus", "Login", "create"] {
        let d = redirected(f.run(&with(base(), &[("prompt", value)])), "invalid_request");
        assert!(d.contains("unknown prompt value"), "{value}: {d}");
    }
}

#[test]
fn max_age_values() {
    let f = Fixture::new();
    assert_eq!(valid(f.run(&with(base(), &[("max_age", "0")]))).max_age, Some(0));
    assert_eq!(
        valid(f.run(&with(base(), &[("max_age", "86400")]))).max_age,
        Some(86400)
    );
    for bad in ["-1", "+5", "1.5", "abc", " 5", "99999999999999999999", "1e3"] {
        let d = redirected(f.run(&with(base(), &[("max_age", bad)])), "invalid_request");
        assert!(d.contains("max_age"), "{bad}");
    }
}

#[test]
fn state_is_echoed_even_when_parameters_are_bad() {
    let f = Fixture::new();
    let outcome = f.run(&[
        ("client_id", "app"),
        ("redirect_uri", CB),
        ("state", "a b&c"),
        ("response_type", "token"),
    ]);
    match outcome {
        AuthorizeOutcome::RedirectError { state, error, .. } => {
            assert_eq!(error, "unsupported_response_type");
            assert_eq!(state.as_deref(), Some("a b&c"));
        }
        other => panic!("{other:?}"),
    }
    // And no state when none was sent.
    match f.run(&[("client_id", "app"), ("redirect_uri", CB)]) {
        AuthorizeOutcome::RedirectError { state, error, .. } => {
            assert_eq!(error, "invalid_request");
            assert_eq!(state, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn redirect_error_keeps_the_registered_query() {
    let f = Fixture::new();
    let p = [
        ("client_id", "app"),
        ("redirect_uri", "https://app.example/other?tenant=1"),
        ("scope", "profile"),
        ("response_type", "code"),
    ];
    match f.run(&p) {
        AuthorizeOutcome::RedirectError {
            redirect_uri,
            error,
            description,
            state,
        } => {
            assert_eq!(error, "invalid_scope");
            let url = error_response(
                &redirect_uri,
                error,
                &description,
                state.as_deref(),
                "https://id.example",
            );
            assert!(
                url.as_str()
                    .starts_with("https://app.example/other?tenant=1&error=invalid_scope&error_description="),
                "{url}"
            );
            assert!(url.as_str().ends_with("&iss=https%3A%2F%2Fid.example"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn precedence_of_redirected_errors() {
    // Duplicates are reported before request objects, which come before
    // response_type, which comes before scope.
    let f = Fixture::new();
    let p = [
        ("client_id", "app"),
        ("redirect_uri", CB),
        ("state", "st8"),
        ("request", "x"),
        ("response_type", "token"),
        ("scope", "profile"),
        ("nonce", "a"),
        ("nonce", "b"),
    ];
    redirected(f.run(&p), "invalid_request");
    redirected(f.run(&p[..6]), "request_not_supported");
    let p2 = [p[0], p[1], p[2], p[4], p[5]];
    redirected(f.run(&p2), "unsupported_response_type");
}
