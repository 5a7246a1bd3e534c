//! Registered relying parties (OAuth clients).

mod verified;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use argon2::{Algorithm, Params, PasswordHash, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tessera_core::password::Argon2Cost;
use tessera_core::secret::{ExposeSecret, Secret};
use tessera_core::secret_token;

use crate::keys::SigningAlg;
use verified::VerifiedSecrets;

/// Grant types a client may be allowed to use (RFC 6749 §4.1, §4.4, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// `authorization_code` (RFC 6749 §4.1).
    AuthorizationCode,
    /// `refresh_token` (RFC 6749 §6).
    RefreshToken,
    /// `client_credentials` (RFC 6749 §4.4).
    ClientCredentials,
}

impl GrantType {
    /// The `grant_type` parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`GrantType::from_str`]: the value is not a grant type we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported grant type {0:?}; expected authorization_code, refresh_token or client_credentials")]
pub struct UnknownGrantType(pub String);

impl FromStr for GrantType {
    type Err = UnknownGrantType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "authorization_code" => Ok(GrantType::AuthorizationCode),
            "refresh_token" => Ok(GrantType::RefreshToken),
            "client_credentials" => Ok(GrantType::ClientCredentials),
            other => Err(UnknownGrantType(crate::error::echo(other))),
        }
    }
}

/// A client secret (the client password of RFC 6749 §2.3.1), as configured: the secret
/// itself, or only its argon2 hash (OWASP ASVS 4.0.3 V2.10.3 / V2.4.1: a stored credential
/// resists offline recovery). `Debug` never shows either. A plain secret is held in the
/// workspace's one secret type ([`tessera_core::secret::Secret`]), so it is zeroed when dropped.
#[derive(Clone)]
pub struct ClientSecret(Stored);

#[derive(Clone)]
enum Stored {
    Plain(Secret),
    /// Shared by the clones of the client, so they share what was verified.
    Hashed(Arc<Hashed>),
}

struct Hashed {
    hash: SecretHash,
    verified: VerifiedSecrets,
}

/// Random bytes in a generated secret: 256 bits, more than enough for a
/// symmetric credential (RFC 6749 §10.10).
const SECRET_BYTES: usize = 32;

/// The shortest secret accepted, in the configuration and by `tessera clients hash-secret`:
/// shared secrets must not be guessable (RFC 6749 §10.10), and unlike a person's password
/// nobody has to remember one.
pub const MIN_SECRET_LEN: usize = 16;

/// A new random secret: 32 bytes, base64url (43 characters, so it needs no escaping in HTTP
/// Basic or a form body), to show once to an administrator.
pub fn generate_secret() -> Secret {
    Secret::new(secret_token::random_token(SECRET_BYTES))
}

impl ClientSecret {
    /// Wraps a secret loaded from configuration.
    pub fn new(secret: impl Into<String>) -> Self {
        ClientSecret(Stored::Plain(Secret::new(secret)))
    }

    /// A secret known only by its hash. It remembers the secrets it accepted lately, so a
    /// client authenticating again within 10 minutes skips argon2 (the `verified` module).
    pub fn hashed(hash: SecretHash) -> Self {
        ClientSecret(Stored::Hashed(Arc::new(Hashed {
            hash,
            verified: VerifiedSecrets::new(),
        })))
    }

    /// Whether `given` is this secret.
    ///
    /// A plain secret is compared in constant time, both sides hashed first so the time does
    /// not depend on the lengths either (a plain `ct_eq` on slices returns early when the
    /// lengths differ, which would leak the secret's length). A hashed secret is verified by
    /// `argon2(phc, given)`, which the caller runs off the async executor (it is meant to cost
    /// tens of milliseconds of CPU), unless `given` verified lately; a success is remembered.
    pub async fn verify<E, F>(&self, given: &str, argon2: impl FnOnce(String, String) -> F) -> Result<bool, E>
    where
        F: Future<Output = Result<bool, E>>,
    {
        match &self.0 {
            Stored::Plain(ours) => {
                let ours = Sha256::digest(ours.expose_secret().as_bytes());
                let theirs = Sha256::digest(given.as_bytes());
                Ok(secret_token::constant_time_eq(ours.as_slice(), theirs.as_slice()))
            }
            Stored::Hashed(hashed) => hashed.verify(given, argon2).await,
        }
    }
}

impl Hashed {
    async fn verify<E, F>(&self, given: &str, argon2: impl FnOnce(String, String) -> F) -> Result<bool, E>
    where
        F: Future<Output = Result<bool, E>>,
    {
        // Monotonic time: the entries' age must not jump with the wall clock.
        if self.verified.contains(given, Instant::now()) {
            return Ok(true);
        }
        let accepted = argon2(self.hash.as_str().to_owned(), given.to_owned()).await?;
        if accepted {
            self.verified.remember(given, Instant::now());
        }
        Ok(accepted)
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Stored::Plain(_) => f.write_str("ClientSecret(***)"),
            Stored::Hashed(_) => f.write_str("ClientSecret(argon2 hash ***)"),
        }
    }
}

/// An argon2 hash of a client secret as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH`), checked when made: it is an argon2id, argon2i
/// or argon2d hash the argon2 crate can verify, with a salt and a hash, and its cost is within
/// the caps password hashes have ([`Argon2Cost::check`]), so one configured hash cannot make
/// every token request take gigabytes or minutes. `Debug` does not show it.
#[derive(Clone)]
pub struct SecretHash(String);

/// Why a string is not a usable [`SecretHash`]. The message says what is wrong, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadSecretHash(String);

impl SecretHash {
    /// Parses and checks a PHC string.
    pub fn parse(phc: &str) -> Result<Self, BadSecretHash> {
        let bad = |why: &str| BadSecretHash(why.to_owned());
        let parsed = PasswordHash::new(phc)
            .map_err(|_| bad("is not a PHC string like $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH"))?;
        Algorithm::try_from(parsed.algorithm.as_str())
            .map_err(|_| bad("is not an argon2 hash (argon2id, or argon2i or argon2d)"))?;
        if parsed.version.is_some_and(|v| Version::try_from(v).is_err()) {
            return Err(bad("has an argon2 version other than v=19 or v=16"));
        }
        if parsed.salt.is_none() || parsed.hash.is_none() {
            return Err(bad("lacks its salt or its hash (the last two $-separated parts)"));
        }
        let params =
            Params::try_from(&parsed).map_err(|_| bad("has argon2 parameters (m, t, p) that are not valid"))?;
        let cost = Argon2Cost {
            memory_kib: params.m_cost(),
            iterations: params.t_cost(),
            parallelism: params.p_cost(),
        };
        cost.check()
            .map_err(|why| BadSecretHash(format!("costs more than Tessera verifies: {why}")))?;
        Ok(SecretHash(phc.to_owned()))
    }

    /// The PHC string, for the verifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(***)")
    }
}

/// A registered client.
#[derive(Debug, Clone)]
pub struct Client {
    /// `client_id` (RFC 6749 §2.2).
    pub id: String,
    /// Display name for consent and error pages.
    pub name: String,
    /// `None` for a public client (RFC 6749 §2.1), which must use PKCE.
    pub secret: Option<ClientSecret>,
    /// Registered redirect URIs, compared by exact string equality
    /// (OIDC Core §3.1.2.1).
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may send the browser afterwards.
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types this client may use.
    pub grant_types: Vec<GrantType>,
    /// Scopes this client may request.
    pub scopes: Vec<String>,
    /// First-party clients skip the consent screen.
    pub first_party: bool,
    /// Require PKCE even for a confidential client. Public clients always
    /// need it, whatever this says.
    pub require_pkce: bool,
    /// Algorithm for this client's ID tokens.
    pub id_token_alg: SigningAlg,
    /// OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`.
    pub backchannel_logout_uri: Option<url::Url>,
}

impl Client {
    /// A public client has no secret (RFC 6749 §2.1).
    pub fn is_public(&self) -> bool {
        self.secret.is_none()
    }

    /// Whether authorization requests must carry a PKCE challenge: always
    /// for public clients (RFC 9700 §2.1.1), and when configured.
    pub fn pkce_required(&self) -> bool {
        self.is_public() || self.require_pkce
    }

    /// Whether this client may use `grant`.
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether `uri` is exactly one of the registered redirect URIs
    /// (simple string comparison, OIDC Core §3.1.2.1, RFC 9700 §4.1.3).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    /// Same for `post_logout_redirect_uri` (OIDC RP-Initiated Logout §3).
    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }
}

/// A cheap argon2id hash of `secret`, so unit tests hash quickly.
#[cfg(test)]
pub(crate) fn cheap_hash(secret: &str) -> SecretHash {
    SecretHash::parse(&tessera_core::password::hash_password(&tests::CHEAP, secret).unwrap()).unwrap()
}

/// argon2 run in place, as unit tests run it (the server runs it on its hashing pool).
#[cfg(test)]
pub(crate) fn verify_in_place(phc: String, given: String) -> std::future::Ready<Result<bool, crate::OAuthError>> {
    use tessera_core::password::{Verification, verify_password};
    let verdict = verify_password(&Argon2Cost::default(), &phc, &given);
    std::future::ready(Ok(matches!(verdict, Verification::Valid { .. })))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tessera_core::password::hash_password;

    use super::*;

    pub(super) const CHEAP: Argon2Cost = Argon2Cost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn hashed(secret: &str) -> ClientSecret {
        ClientSecret::hashed(cheap_hash(secret))
    }

    /// Whether `given` verifies, and how many argon2 runs that took.
    async fn verify_counting(secret: &ClientSecret, given: &str) -> (bool, usize) {
        let runs = AtomicUsize::new(0);
        let argon2 = |phc, given| {
            runs.fetch_add(1, Ordering::SeqCst);
            verify_in_place(phc, given)
        };
        let accepted = secret.verify(given, argon2).await.unwrap();
        (accepted, runs.load(Ordering::SeqCst))
    }

    /// The PHC string of `hash_password` with its parameters replaced by `params`.
    fn with_params(params: &str) -> String {
        let phc = hash_password(&CHEAP, "x").unwrap();
        phc.replace("m=64,t=1,p=1", params)
    }

    fn refusal(phc: &str) -> String {
        SecretHash::parse(phc).unwrap_err().to_string()
    }

    #[test]
    fn grant_type_names() {
        for g in [
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::ClientCredentials,
        ] {
            assert_eq!(g.as_str().parse::<GrantType>(), Ok(g));
            assert_eq!(serde_json::to_value(g).unwrap(), g.as_str());
        }
        let err = "password".parse::<GrantType>().unwrap_err();
        assert!(err.to_string().contains("\"password\""));
        assert!("implicit".parse::<GrantType>().is_err());
    }

    #[tokio::test]
    async fn plain_secrets_match_exactly_without_argon2() {
        let s = ClientSecret::new("s3cr3t-value");
        for (given, expected) in [
            ("s3cr3t-value", true),
            ("s3cr3t-valuE", false),
            ("s3cr3t-value ", false),
            ("", false),
        ] {
            assert_eq!(verify_counting(&s, given).await, (expected, 0), "{given:?}");
        }
        assert_eq!(format!("{s:?}"), "ClientSecret(***)");
    }

    #[test]
    fn generated_secrets_are_random_and_long_enough() {
        let generated = generate_secret();
        assert_eq!(generated.expose_secret().len(), 43);
        assert!(generated.expose_secret().len() >= MIN_SECRET_LEN);
        assert_ne!(generated.expose_secret(), generate_secret().expose_secret());
    }

    #[tokio::test]
    async fn a_hashed_secret_runs_argon2_until_it_verified_once() {
        let s = hashed("s3cr3t-s3cr3t-s3cr3t");
        assert_eq!(verify_counting(&s, "wrong-wrong-wrong").await, (false, 1));
        assert_eq!(
            verify_counting(&s, "wrong-wrong-wrong").await,
            (false, 1),
            "failures are not cached"
        );
        assert_eq!(verify_counting(&s, "s3cr3t-s3cr3t-s3cr3t").await, (true, 1));
        assert_eq!(
            verify_counting(&s, "s3cr3t-s3cr3t-s3cr3t").await,
            (true, 0),
            "a hit skips argon2"
        );
        assert_eq!(verify_counting(&s, "s3cr3t-s3cr3t-s3cr3T").await, (false, 1));
        let clone = s.clone();
        assert_eq!(
            verify_counting(&clone, "s3cr3t-s3cr3t-s3cr3t").await,
            (true, 0),
            "clones share the cache"
        );
        let other = hashed("s3cr3t-s3cr3t-s3cr3t");
        assert_eq!(
            verify_counting(&other, "s3cr3t-s3cr3t-s3cr3t").await,
            (true, 1),
            "each hash has its own"
        );
    }

    #[tokio::test]
    async fn a_failing_verifier_is_an_error_not_a_refusal() {
        let s = hashed("s3cr3t-s3cr3t-s3cr3t");
        let broken = |_, _| std::future::ready(Err::<bool, &str>("pool closed"));
        assert_eq!(s.verify("s3cr3t-s3cr3t-s3cr3t", broken).await, Err("pool closed"));
    }

    #[test]
    fn argon2_variants_the_crate_verifies_are_accepted() {
        use argon2::PasswordHasher;
        assert!(SecretHash::parse(&hash_password(&CHEAP, "x").unwrap()).is_ok());
        for algorithm in [Algorithm::Argon2i, Algorithm::Argon2d] {
            let hasher = argon2::Argon2::new(algorithm, Version::V0x13, Params::new(64, 1, 1, None).unwrap());
            let phc = hasher
                .hash_password_with_salt(b"x", b"saltsaltsalt")
                .unwrap()
                .to_string();
            assert!(SecretHash::parse(&phc).is_ok(), "{phc}");
        }
    }

    #[test]
    fn bad_hashes_are_refused_with_the_reason_and_never_echoed() {
        let real = hash_password(&CHEAP, "x").unwrap();
        let salt_and_hash = real.split_once("p=1$").unwrap().1;
        let cases = [
            ("", "not a PHC string"),
            ("correct-horse-battery-staple", "not a PHC string"),
            (&real.replace("$argon2id$", "$scrypt$"), "not an argon2 hash"),
            (&real.replace("v=19", "v=20"), "version"),
            (&real[..real.rfind('$').unwrap()], "lacks its salt or its hash"),
            (&with_params("m=1,t=1,p=1"), "not valid"),
            (&with_params("m=2097152,t=1,p=1"), "at most 1048576 KiB"),
            (&with_params("m=64,t=65,p=1"), "64 iterations"),
            (&with_params("m=4096,t=1,p=17"), "16 lanes"),
        ];
        for (phc, why) in cases {
            let message = refusal(phc);
            assert!(message.contains(why), "{phc:?}: {message}");
            assert!(!message.contains(salt_and_hash), "{message}");
        }
    }

    #[test]
    fn hashes_stay_out_of_debug() {
        let phc = hash_password(&CHEAP, "x").unwrap();
        let hash = SecretHash::parse(&phc).unwrap();
        assert_eq!(format!("{hash:?}"), "SecretHash(***)");
        assert_eq!(
            format!("{:?}", ClientSecret::hashed(hash)),
            "ClientSecret(argon2 hash ***)"
        );
    }

    #[test]
    fn client_debug_hides_the_secret() {
        let c = Client {
            id: "app".into(),
            name: "App".into(),
            secret: Some(ClientSecret::new("hunter2")),
            redirect_uris: vec!["https://app.example/cb".into()],
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode],
            scopes: vec!["openid".into()],
            first_party: false,
            require_pkce: false,
            id_token_alg: SigningAlg::Rs256,
            backchannel_logout_uri: None,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!c.is_public());
        assert!(!c.pkce_required());
        assert!(c.has_redirect_uri("https://app.example/cb"));
        assert!(!c.has_redirect_uri("https://app.example/cb/"));
        let public = Client { secret: None, ..c };
        assert!(public.pkce_required());
    }
}
