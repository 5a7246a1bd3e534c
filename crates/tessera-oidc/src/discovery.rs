//! Provider metadata for `/.well-known/openid-configuration`
//! (OIDC Discovery 1.0 §3, RFC 8414 §2).

use serde_json::{Value, json};

use crate::keys::SigningAlg;

/// Claims we may release (OIDC Discovery §3 `claims_supported`).
const CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "sid",
    "amr",
    "acr",
    "azp",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "picture",
    "updated_at",
    "email",
    "email_verified",
    "groups",
];

/// The discovery document. `issuer` is reproduced exactly: OIDC Discovery
/// §4.3 requires it to be identical to the URL the document was fetched
/// under and to `iss` in tokens. Endpoint URLs are built under it (a
/// trailing `/` on the issuer is not doubled).
///
/// `algs` are the ID token algorithms we hold keys for; RS256 is listed
/// first, and OIDC Discovery §3 says it MUST be among them, so the caller
/// should always keep an RS256 key.
pub fn provider_metadata(issuer: &str, algs: &[SigningAlg], scopes_supported: &[String], acr: &[&str]) -> Value {
    let base = issuer.trim_end_matches('/');
    let endpoint = |path: &str| format!("{base}{path}");
    // RS256 first, then the others in a fixed order, without duplicates.
    let algs: Vec<&str> = SigningAlg::ALL
        .into_iter()
        .filter(|a| algs.contains(a))
        .map(SigningAlg::as_str)
        .collect();
    json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint("/authorize"),
        "token_endpoint": endpoint("/token"),
        "userinfo_endpoint": endpoint("/userinfo"),
        "jwks_uri": endpoint("/jwks"),
        "introspection_endpoint": endpoint("/introspect"),
        "revocation_endpoint": endpoint("/revoke"),
        "end_session_endpoint": endpoint("/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": scopes_supported,
        "claims_supported": CLAIMS,
        "acr_values_supported": acr,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": false,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACR: [&str; 2] = ["urn:x:1", "urn:x:2"];

    #[test]
    fn the_acr_values_are_listed() {
        let m = provider_metadata("https://i", &[SigningAlg::Rs256], &scopes(), &ACR);
        assert_eq!(m["acr_values_supported"], serde_json::json!(ACR));
    }

    fn scopes() -> Vec<String> {
        ["openid", "profile", "email", "groups"].map(String::from).to_vec()
    }

    #[test]
    fn required_members_present() {
        let m = provider_metadata("https://id.example.com", &[SigningAlg::Rs256], &scopes(), &ACR);
        // OIDC Discovery §3 REQUIRED members.
        for name in [
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
            "response_types_supported",
            "subject_types_supported",
            "id_token_signing_alg_values_supported",
        ] {
            assert!(m.get(name).is_some(), "{name}");
        }
        assert_eq!(m["issuer"], "https://id.example.com");
        assert_eq!(m["authorization_endpoint"], "https://id.example.com/authorize");
        assert_eq!(m["token_endpoint"], "https://id.example.com/token");
        assert_eq!(m["userinfo_endpoint"], "https://id.example.com/userinfo");
        assert_eq!(m["jwks_uri"], "https://id.example.com/jwks");
        assert_eq!(m["introspection_endpoint"], "https://id.example.com/introspect");
        assert_eq!(m["revocation_endpoint"], "https://id.example.com/revoke");
        assert_eq!(m["end_session_endpoint"], "https://id.example.com/logout");
        assert_eq!(m["response_types_supported"], json!(["code"]));
        assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(m["scopes_supported"], json!(scopes()));
        assert_eq!(m["authorization_response_iss_parameter_supported"], true);
        assert_eq!(m["request_parameter_supported"], false);
        assert_eq!(m["request_uri_parameter_supported"], false);
        assert_eq!(
            m["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "client_secret_post", "none"])
        );
        assert_eq!(
            m["prompt_values_supported"],
            json!(["none", "login", "consent", "select_account"])
        );
        let claims = m["claims_supported"].as_array().unwrap();
        assert_eq!(claims.len(), 21);
        assert!(claims.contains(&json!("groups")));
    }

    #[test]
    fn issuer_is_exact_and_paths_are_not_doubled() {
        let m = provider_metadata("https://example.com/sso/", &[SigningAlg::Rs256], &scopes(), &ACR);
        assert_eq!(m["issuer"], "https://example.com/sso/");
        assert_eq!(m["token_endpoint"], "https://example.com/sso/token");
        let m = provider_metadata("https://example.com/sso", &[SigningAlg::Rs256], &scopes(), &ACR);
        assert_eq!(m["issuer"], "https://example.com/sso");
        assert_eq!(m["jwks_uri"], "https://example.com/sso/jwks");
    }

    #[test]
    fn rs256_is_listed_first() {
        let m = provider_metadata(
            "https://i",
            &[
                SigningAlg::EdDsa,
                SigningAlg::Es256,
                SigningAlg::Rs256,
                SigningAlg::EdDsa,
            ],
            &scopes(),
            &ACR,
        );
        assert_eq!(
            m["id_token_signing_alg_values_supported"],
            json!(["RS256", "ES256", "EdDSA"])
        );
        let m = provider_metadata("https://i", &[SigningAlg::EdDsa, SigningAlg::Rs256], &scopes(), &ACR);
        assert_eq!(m["id_token_signing_alg_values_supported"], json!(["RS256", "EdDSA"]));
    }
}
