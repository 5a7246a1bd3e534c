//! Any OpenID Connect provider, on the `openidconnect` crate: discovery from the issuer
//! (OIDC Discovery §4), the authorization code flow with `nonce` and PKCE S256, the ID
//! token verified (signature against the provider's JWKS, `iss`, `aud`/`azp`, `exp`,
//! `nonce`, and `at_hash` when the token carries one), then userinfo when the provider
//! has it (its `sub` must match, OIDC Core §5.3.2).
//!
//! What stays ours: the authorization URL (so the configured scopes, the caller's
//! `state` and our PKCE verifier go out exactly as before), the `azp` rule and the clock
//! leeway openidconnect leaves to the client, and the userinfo request (its raw JSON is
//! the identity's profile). See docs/architecture.md, "Decisions".

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{
    CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreTokenResponse,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, DiscoveryError,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    SignatureVerificationError, TokenResponse,
};
use reqwest::Client;
use serde::Deserialize;
use serde_json::Value;
use tessera_core::secret::ExposeSecret;
use tessera_core::secret_token::{constant_time_eq, random_token};
use tokio::sync::OnceCell;
use url::Url;

use crate::config::Secret;
use crate::http::OidcHttp;
use crate::oauth2::ClaimMapping;
use crate::oauth2_flow::{Pending, authorize_url, callback_code};
use crate::{CallbackConnector, Identity, LoginStart, UpstreamError, UpstreamTokens, http, pkce};

/// Clock skew tolerated on `exp` (seconds).
const LEEWAY: i64 = 60;

/// `kind: oidc`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub id: String,
    /// Exactly as the provider spells it in its tokens (no trailing slash
    /// added or removed); discovery is `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

fn default_scopes() -> Vec<String> {
    ["openid", "profile", "email"].map(String::from).to_vec()
}

pub fn open(config: Config, client: Client) -> Box<dyn CallbackConnector> {
    Box::new(Oidc {
        config,
        client,
        metadata: OnceCell::new(),
    })
}

struct Oidc {
    config: Config,
    client: Client,
    /// Discovered once, on first use; a failed discovery is retried next time.
    metadata: OnceCell<Arc<CoreProviderMetadata>>,
}

impl Oidc {
    async fn metadata(&self) -> Result<Arc<CoreProviderMetadata>, UpstreamError> {
        let id = &self.config.id;
        self.metadata
            .get_or_try_init(|| async {
                let issuer = IssuerUrl::new(self.config.issuer.clone())
                    .map_err(|_| UpstreamError::protocol(format!("{id}: the issuer is not a URL")))?;
                let step = format!("{id} discovery");
                let http = OidcHttp {
                    client: &self.client,
                    step: &step,
                };
                // Also checks that the document names the issuer we asked (OIDC Discovery §4.3).
                let metadata = CoreProviderMetadata::discover_async(issuer, &http)
                    .await
                    .map_err(|e| discovery_error(&step, e))?;
                Ok(Arc::new(metadata))
            })
            .await
            .cloned()
    }

    /// The provider's keys, fetched for every callback: a rotated key is known at once, and a
    /// key the provider withdrew is trusted no longer.
    async fn jwks(&self, metadata: &CoreProviderMetadata) -> Result<CoreJsonWebKeySet, UpstreamError> {
        let step = format!("{} jwks", self.config.id);
        let http = OidcHttp {
            client: &self.client,
            step: &step,
        };
        CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &http)
            .await
            .map_err(|e| discovery_error(&step, e))
    }

    /// The authorization code for tokens (RFC 6749 §4.1.3), with the PKCE verifier;
    /// client_secret_basic when there is a secret, else `client_id` in the body.
    async fn exchange(
        &self,
        metadata: &CoreProviderMetadata,
        callback: &Url,
        code: &str,
        verifier: String,
    ) -> Result<CoreTokenResponse, UpstreamError> {
        let id = &self.config.id;
        let step = format!("{id} token");
        let client = CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            self.config
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose_secret().to_owned())),
        )
        .set_redirect_uri(RedirectUrl::from_url(callback.clone()));
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| UpstreamError::protocol(format!("{id} discovery: no token endpoint")))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier));
        let http = OidcHttp {
            client: &self.client,
            step: &step,
        };
        let token = request.request_async(&http).await.map_err(|e| match e {
            RequestTokenError::Request(e) => e,
            // Not reached: `OidcHttp` turns every non-2xx answer into `Request` above.
            RequestTokenError::ServerResponse(e) => UpstreamError::Refused(format!("{step}: {}", e.error())),
            // Unreadable JSON, not JSON at all, or an ID token that is not a JWT.
            RequestTokenError::Parse(..) | RequestTokenError::Other(_) => {
                UpstreamError::protocol(format!("{step}: invalid JSON"))
            }
        })?;
        if token.access_token().secret().is_empty() {
            return Err(UpstreamError::protocol(format!("{step}: empty access token")));
        }
        Ok(token)
    }
}

#[async_trait]
impl CallbackConnector for Oidc {
    fn id(&self) -> &str {
        &self.config.id
    }

    async fn login_url(&self, callback: &Url, state: &str) -> Result<LoginStart, UpstreamError> {
        let metadata = self.metadata().await?;
        let verifier = pkce::new_verifier();
        let challenge = pkce::s256_challenge(&verifier);
        let nonce = random_token(16);
        let scope = self.config.scopes.join(" ");
        let redirect_url = authorize_url(
            metadata.authorization_endpoint().url(),
            &[
                ("response_type", "code"),
                ("client_id", &self.config.client_id),
                ("redirect_uri", callback.as_str()),
                ("scope", &scope),
                ("state", state),
                ("nonce", &nonce),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let pending = Pending {
            verifier: Some(verifier),
            nonce: Some(nonce),
        };
        Ok(LoginStart {
            redirect_url,
            state_data: pending.encode(),
        })
    }

    async fn handle_callback(
        &self,
        callback: &Url,
        query: &[(String, String)],
        state_data: &str,
    ) -> Result<Identity, UpstreamError> {
        let id = &self.config.id;
        let code = callback_code(&format!("{id} callback"), query)?;
        let pending = Pending::decode(state_data)?;
        let (Some(verifier), Some(nonce)) = (pending.verifier, pending.nonce) else {
            return Err(UpstreamError::protocol(format!(
                "{id} callback: no verifier or nonce for this login"
            )));
        };
        let metadata = self.metadata().await?;
        let token = self.exchange(&metadata, callback, code, verifier).await?;
        let id_token = token
            .id_token()
            .ok_or_else(|| UpstreamError::protocol(format!("{id} token: no id_token in the answer")))?;
        let jwks = self.jwks(&metadata).await?;
        let expected = Expected {
            issuer: &self.config.issuer,
            client_id: &self.config.client_id,
            nonce: &nonce,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
        };
        let mut claims = verify_id_token(id_token, jwks, &expected, token.access_token())?;

        if let Some(userinfo_url) = metadata.userinfo_endpoint() {
            let request = self
                .client
                .get(userinfo_url.url().clone())
                .bearer_auth(token.access_token().secret());
            let userinfo: Value = http::send_json(&format!("{id} userinfo"), request).await?;
            // OIDC Core §5.3.2: userinfo about someone else is a substitution attack.
            if userinfo.get("sub") != claims.get("sub") {
                return Err(UpstreamError::protocol(format!(
                    "{id} userinfo: sub does not match the ID token"
                )));
            }
            if let (Some(all), Value::Object(extra)) = (claims.as_object_mut(), userinfo) {
                all.extend(extra);
            }
        }
        let mut identity = ClaimMapping::default().identity(id, claims)?;
        identity.tokens = UpstreamTokens::oauth2(
            token.access_token().secret().clone(),
            token.refresh_token().map(|r| r.secret().clone()),
            token.expires_in().and_then(|d| i64::try_from(d.as_secs()).ok()),
        );
        Ok(identity)
    }
}

/// What the ID token must say.
struct Expected<'a> {
    issuer: &'a str,
    client_id: &'a str,
    nonce: &'a str,
    /// Unix seconds.
    now: i64,
}

fn invalid(msg: &str) -> UpstreamError {
    UpstreamError::protocol(format!("ID token: {msg}"))
}

/// Verifies `id_token` (OpenID Connect Core §3.1.3.7) with openidconnect and returns its
/// claims as the provider sent them. `access_token` is the one issued with it, for
/// `at_hash` (§3.1.3.8: checked when present; the code flow does not require it).
fn verify_id_token(
    id_token: &CoreIdToken,
    jwks: CoreJsonWebKeySet,
    expected: &Expected<'_>,
    access_token: &AccessToken,
) -> Result<Value, UpstreamError> {
    let issuer = IssuerUrl::new(expected.issuer.to_owned()).map_err(|_| invalid("the issuer is not a URL"))?;
    let skewed_now = chrono::DateTime::from_timestamp(expected.now - LEEWAY, 0).ok_or_else(|| invalid("no clock"))?;
    // No client secret: HMAC-signed tokens are refused (step 7: only the asymmetric
    // algorithms the provider publishes keys for).
    let verifier = CoreIdTokenVerifier::new_public_client(ClientId::new(expected.client_id.to_owned()), issuer, jwks)
        .set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::EdDsa,
        ])
        // Several audiences are allowed when `azp` names us, checked below (steps 4-5).
        .set_other_audience_verifier_fn(|_| true)
        .set_time_fn(move || skewed_now);
    // Step 11: the nonce we sent, compared in constant time.
    let nonce = |got: Option<&Nonce>| match got {
        Some(got) if constant_time_eq(got.secret().as_bytes(), expected.nonce.as_bytes()) => Ok(()),
        _ => Err("nonce mismatch".to_owned()),
    };
    let claims = id_token.claims(&verifier, nonce).map_err(claims_error)?;

    let client_id = expected.client_id;
    let azp = claims.authorized_party().map(|a| a.as_str());
    if claims.audiences().len() > 1 && azp != Some(client_id) {
        return Err(invalid("wrong audience"));
    }
    if azp.is_some_and(|azp| azp != client_id) {
        return Err(invalid("wrong authorized party"));
    }
    if claims.subject().is_empty() {
        return Err(invalid("no subject"));
    }
    if let Some(at_hash) = claims.access_token_hash() {
        let alg = id_token.signing_alg().map_err(signature_error)?;
        let key = id_token.signing_key(&verifier).map_err(signature_error)?;
        let actual = AccessTokenHash::from_token(access_token, alg, key)
            .map_err(|_| invalid("at_hash cannot be checked for this algorithm"))?;
        if actual != *at_hash {
            return Err(invalid("at_hash does not match the access token"));
        }
    }
    raw_claims(&id_token.to_string()).ok_or_else(|| invalid("unreadable claims"))
}

/// The payload of a compact JWS whose signature was checked, as the provider wrote it: the
/// identity's profile keeps every claim, including ones openidconnect has no field for.
fn raw_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object)
}

fn claims_error(e: ClaimsVerificationError) -> UpstreamError {
    match e {
        ClaimsVerificationError::Expired(_) => invalid("expired"),
        ClaimsVerificationError::InvalidAudience(_) => invalid("wrong audience"),
        ClaimsVerificationError::InvalidIssuer(_) => invalid("wrong issuer"),
        ClaimsVerificationError::InvalidNonce(_) => invalid("the nonce does not match this login"),
        ClaimsVerificationError::InvalidSubject(_) => invalid("no subject"),
        ClaimsVerificationError::SignatureVerification(e) => signature_error(e),
        ClaimsVerificationError::Unsupported(_) => invalid("unsupported token type or encryption"),
        _ => invalid("refused"),
    }
}

fn signature_error(e: SignatureVerificationError) -> UpstreamError {
    match e {
        SignatureVerificationError::NoSignature
        | SignatureVerificationError::DisallowedAlg(_)
        | SignatureVerificationError::UnsupportedAlg(_) => invalid("unsupported signing algorithm"),
        SignatureVerificationError::NoMatchingKey => invalid("signed with an unknown key"),
        SignatureVerificationError::AmbiguousKeyId(_) => invalid("signed with a key the JWKS does not single out"),
        _ => invalid("the signature is invalid"),
    }
}

fn discovery_error(step: &str, e: DiscoveryError<UpstreamError>) -> UpstreamError {
    match e {
        DiscoveryError::Request(e) => e,
        // The only validation: the document names another issuer than the configured one.
        DiscoveryError::Validation(_) => UpstreamError::protocol(format!("{step}: issuer mismatch")),
        DiscoveryError::UrlParse(_) => UpstreamError::protocol(format!("{step}: the issuer is not a URL")),
        _ => UpstreamError::protocol(format!("{step}: invalid JSON")),
    }
}

#[cfg(test)]
mod tests {
    //! The verification rules, on ID tokens made here and signed with keys from
    //! `tessera-oidc` (the connector's sign-ins against the sandbox are in tests/oidc.rs).

    use std::str::FromStr;

    use serde_json::json;
    use tessera_oidc::{SigningAlg, SigningKey};

    use super::*;

    const ACCESS: &str = "the-access-token";

    fn key() -> &'static SigningKey {
        static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
        KEY.get_or_init(|| SigningKey::generate(SigningAlg::Rs256).unwrap())
    }

    fn jwks(keys: &[&SigningKey]) -> CoreJsonWebKeySet {
        serde_json::from_value(tessera_oidc::jwks(keys)).unwrap()
    }

    fn expected(now: i64) -> Expected<'static> {
        Expected {
            issuer: "https://op",
            client_id: "rp",
            nonce: "n-1",
            now,
        }
    }

    fn good() -> Value {
        json!({"iss": "https://op", "aud": "rp", "exp": 1000, "iat": 700, "nonce": "n-1", "sub": "u",
               "at_hash": tessera_oidc::at_hash(ACCESS, SigningAlg::Rs256)})
    }

    fn sign(claims: &Value) -> CoreIdToken {
        CoreIdToken::from_str(&key().sign_jwt(tessera_oidc::TYP_ID_TOKEN, claims).unwrap()).unwrap()
    }

    fn reason_with(token: &CoreIdToken, keys: CoreJsonWebKeySet) -> String {
        match verify_id_token(token, keys, &expected(900), &AccessToken::new(ACCESS.into())) {
            Ok(_) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    fn reason(claims: Value) -> String {
        reason_with(&sign(&claims), jwks(&[key()]))
    }

    #[test]
    fn claim_checks() {
        assert_eq!(reason(good()), "ok");
        let with = |k: &str, v: Value| {
            let mut c = good();
            c[k] = v;
            c
        };
        assert!(reason(with("iss", json!("https://op/"))).contains("issuer"));
        assert!(reason(with("aud", json!("other"))).contains("audience"));
        assert_eq!(reason(with("aud", json!(["rp"]))), "ok");
        assert!(reason(with("aud", json!(["rp", "other"]))).contains("audience"));
        let mut multi = with("aud", json!(["rp", "other"]));
        multi["azp"] = json!("rp");
        assert_eq!(reason(multi), "ok");
        assert!(reason(with("azp", json!("other"))).contains("authorized party"));
        assert!(reason(with("exp", json!(800))).contains("expired"));
        assert_eq!(reason(with("exp", json!(860))), "ok", "within leeway");
        assert!(reason(with("nonce", json!("n-2"))).contains("nonce"));
        let mut no_nonce = good();
        no_nonce.as_object_mut().unwrap().remove("nonce");
        assert!(reason(no_nonce).contains("nonce"));
        assert!(reason(with("sub", json!(""))).contains("subject"));
    }

    #[test]
    fn at_hash_is_checked_when_present() {
        let mut c = good();
        c["at_hash"] = json!(tessera_oidc::at_hash("another-token", SigningAlg::Rs256));
        assert!(reason(c).contains("at_hash does not match"), "the bug this fixes");
        let mut c = good();
        c.as_object_mut().unwrap().remove("at_hash");
        assert_eq!(reason(c), "ok", "optional in the code flow");
    }

    #[test]
    fn the_profile_keeps_every_claim_as_sent() {
        let mut c = good();
        c["groups"] = json!(["a", "b"]);
        c["email_verified"] = json!("true");
        let claims = verify_id_token(
            &sign(&c),
            jwks(&[key()]),
            &expected(900),
            &AccessToken::new(ACCESS.into()),
        )
        .unwrap();
        assert_eq!(claims, c);
    }

    #[test]
    fn key_lookup() {
        let other = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let token = sign(&good());
        assert!(reason_with(&token, jwks(&[&other])).contains("unknown key"));
        assert_eq!(reason_with(&token, jwks(&[&other, key()])), "ok", "found by kid");
        // A key published for encryption only does not verify signatures.
        let mut set = tessera_oidc::jwks(&[key()]);
        set["keys"][0]["use"] = json!("enc");
        assert!(reason_with(&token, serde_json::from_value(set).unwrap()).contains("unknown key"));
        // Signed by another key under the published kid.
        let mut forged = tessera_oidc::jwks(&[&other]);
        forged["keys"][0]["kid"] = json!(key().kid());
        assert!(reason_with(&token, serde_json::from_value(forged).unwrap()).contains("signature"));
    }

    #[test]
    fn refuses_none_and_hmac() {
        for alg in ["none", "HS256"] {
            let h = URL_SAFE_NO_PAD.encode(json!({"alg": alg}).to_string());
            let p = URL_SAFE_NO_PAD.encode(good().to_string());
            let s = if alg == "none" { "" } else { "c2ln" };
            match CoreIdToken::from_str(&format!("{h}.{p}.{s}")) {
                Ok(token) => assert!(reason_with(&token, jwks(&[key()])).contains("algorithm"), "{alg}"),
                Err(e) => panic!("{alg}: {e}"),
            }
        }
        assert!(CoreIdToken::from_str("a.b").is_err());
    }
}
