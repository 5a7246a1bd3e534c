//! The file as written: every field optional or spanned so validation can point at the
//! exact line and column of each problem. Unknown keys are refused (`deny_unknown_fields`).

use serde::Deserialize;
use serde_saphyr::Spanned;

pub type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub issuer: S,
    pub listen: Option<S>,
    pub database: RawDatabase,
    pub secrets: RawSecrets,
    pub registration: Option<RawRegistration>,
    pub email: Option<RawEmail>,
    pub sessions: Option<RawSessions>,
    pub passwords: Option<RawPasswords>,
    pub links: Option<RawLinks>,
    pub theme: Option<RawTheme>,
    pub branding: Option<RawBranding>,
    pub logging: Option<RawLogging>,
    pub remote_auth: Option<Vec<RawRemoteAuth>>,
    pub clients: Option<Vec<RawClient>>,
    pub oidc: Option<RawOidc>,
    pub jobs: Option<RawJobs>,
    pub actions: Option<RawActions>,
    pub webhooks: Option<Vec<RawWebhook>>,
    /// Each entry is handed to `tessera-upstream` (after `${ENV}` substitution), which owns
    /// the connector keys; only `label` is Tessera's own.
    pub upstreams: Option<Vec<Spanned<serde_json::Value>>>,
    /// Spanned so a build without the `sandbox` feature can point at the section.
    pub sandbox: Option<Spanned<RawSandbox>>,
    pub pipeline: Option<Vec<S>>,
    pub metrics: Option<RawMetrics>,
    pub security: Option<RawSecurity>,
    pub server: Option<RawServer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub trusted_proxies: Option<Vec<S>>,
    pub proxy_headers: Option<S>,
    pub header_read_timeout: Option<S>,
    pub shutdown_deadline: Option<S>,
    pub cleanup_interval: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    pub listen: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSandbox {
    pub listen: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJobs {
    pub workers: Option<Spanned<usize>>,
    pub lease: Option<S>,
    pub poll_interval: Option<S>,
    pub max_attempts: Option<Spanned<i32>>,
    pub retention: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawActions {
    pub welcome_email: Option<Spanned<bool>>,
    pub followup_email: Option<RawFollowup>,
    pub post_on_join: Option<RawPostOnJoin>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPostOnJoin {
    pub upstream: S,
    pub text: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFollowup {
    pub after: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    pub url: S,
    pub events: Vec<S>,
    pub secret: S,
    pub timeout: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    pub id: S,
    pub secret: Option<S>,
    /// The secret's argon2 PHC string instead of the secret (`tessera clients hash-secret`).
    pub secret_hash: Option<S>,
    pub name: Option<S>,
    pub redirect_uris: Vec<S>,
    pub post_logout_redirect_uris: Option<Vec<S>>,
    pub grant_types: Option<Vec<S>>,
    pub scopes: Option<Vec<S>>,
    pub first_party: Option<Spanned<bool>>,
    pub require_pkce: Option<Spanned<bool>>,
    pub id_token_signed_response_alg: Option<S>,
    pub access_token_format: Option<S>,
    pub backchannel_logout_uri: Option<S>,
    pub refresh_without_offline_access: Option<Spanned<bool>>,
    pub require_mfa: Option<Spanned<bool>>,
    /// account attribute name -> claim name
    pub claims: Option<std::collections::BTreeMap<String, S>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidc {
    pub authorization_ttl: Option<S>,
    pub code_ttl: Option<S>,
    pub code_replay_window: Option<S>,
    pub access_token_ttl: Option<S>,
    pub id_token_ttl: Option<S>,
    pub refresh_token_ttl: Option<S>,
    pub refresh_token_idle: Option<S>,
    pub key_rotation: Option<S>,
    pub key_publish_before: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    pub url: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecrets {
    pub master_key: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegistration {
    pub mode: Option<S>,
    pub email_confirmation: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub from: Option<S>,
    pub transport: Option<RawTransport>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransport {
    pub kind: S,
    pub dir: Option<S>,
    pub host: Option<S>,
    pub port: Option<Spanned<u16>>,
    pub username: Option<S>,
    pub password: Option<S>,
    pub tls: Option<S>,
    pub timeout: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSessions {
    pub idle_timeout: Option<S>,
    pub absolute_timeout: Option<S>,
    pub upstream_login_ttl: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPasswords {
    pub min_length: Option<Spanned<usize>>,
    pub argon2: Option<RawArgon2>,
    pub max_concurrent_hashes: Option<Spanned<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArgon2 {
    pub memory_kib: Spanned<u32>,
    pub iterations: Spanned<u32>,
    pub parallelism: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLinks {
    pub confirm_email_ttl: Option<S>,
    pub reset_password_ttl: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTheme {
    pub dir: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBranding {
    pub name: Option<S>,
    pub logo: Option<S>,
    pub primary_color: Option<S>,
    pub links: Option<RawBrandingLinks>,
    pub default_language: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBrandingLinks {
    pub privacy: Option<S>,
    pub terms: Option<S>,
    pub help: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogging {
    pub format: Option<S>,
    pub level: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRemoteAuth {
    pub id: S,
    pub kind: S,
    pub url: S,
    pub secret: S,
    pub external_id: Option<S>,
    pub timestamp: Option<S>,
    pub delivery: Option<S>,
    pub allow: Option<S>,
    pub groups: Option<Vec<S>>,
    pub attributes: Option<RawRemoteAuthAttributes>,
    pub logout_ends_session: Option<Spanned<bool>>,
    /// The legacy MD5 kinds are refused unless this is `true`.
    pub allow_legacy_md5: Option<Spanned<bool>>,
    /// How far a helpdesk's timestamp may be from now, either way.
    pub timestamp_window: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRemoteAuthAttributes {
    pub organization: Option<S>,
    pub tags: Option<S>,
    pub role: Option<S>,
    pub phone: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecurity {
    pub throttle: Option<RawThrottle>,
    pub mfa: Option<S>,
    pub mfa_required_groups: Option<Vec<S>>,
    pub acr: Option<RawAcr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAcr {
    pub single_factor: Option<S>,
    pub multi_factor: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThrottle {
    pub login_window: Option<S>,
    pub login_free_failures: Option<Spanned<u32>>,
    pub login_delay_base: Option<S>,
    pub login_delay_max: Option<S>,
    pub login_pair_lockout_after: Option<Spanned<u32>>,
    pub login_pair_lockout: Option<S>,
    pub login_ip_lockout_after: Option<Spanned<u32>>,
    pub login_ip_lockout: Option<S>,
    pub login_account_lockout_after: Option<Spanned<u32>>,
    pub login_account_lockout: Option<S>,
    pub client_free_failures: Option<Spanned<u32>>,
    pub client_lockout_after: Option<Spanned<u32>>,
    pub client_lockout: Option<S>,
    pub code_free_failures: Option<Spanned<u32>>,
    pub code_lockout_after: Option<Spanned<u32>>,
    pub code_lockout: Option<S>,
    pub mail_window: Option<S>,
    pub mail_per_ip: Option<Spanned<u32>>,
    pub mail_per_account: Option<Spanned<u32>>,
    pub helpdesk_window: Option<S>,
    pub helpdesk_per_account: Option<Spanned<u32>>,
}
