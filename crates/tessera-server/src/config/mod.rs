//! Configuration: one YAML file, read once into a validated [`Config`].
//!
//! Parsing refuses unknown keys and wrong types (serde stops at the first of those);
//! validation then checks every value and reports all its problems together, each as
//! `FILE:LINE:COL: message`, so an admin fixes a file in one pass.

mod branding;
mod clients;
mod duration;
mod env;
mod jobs;
mod metrics;
mod mfa;
mod raw;
mod remote_auth;
mod security;
mod server;
mod structure;
mod upstreams;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use serde_saphyr::Spanned;
use tessera_core::password::{Argon2Cost, PasswordPolicy};
use tessera_core::secret::Secret;
use url::Url;

pub use branding::{BrandColors, Branding, Logo};
pub use clients::{ClientConfig, KNOWN_SCOPES, OidcSettings};
pub use duration::{MAX_DURATION, format_duration, parse_duration};
pub use env::{Env, ProcessEnv};
pub use jobs::{Actions, JobSettings, PostOnJoin, WEBHOOK_EVENTS, Webhook};
pub use mfa::{MfaPolicy, MfaSettings};
pub use remote_auth::{AccessRule, ExternalIdSource, RemoteAuthTarget, TimestampSource};
pub use security::{LoginThrottle, Throttles};
pub use upstreams::{STEPS, Step, Upstream};

use raw::{RawConfig, S};

/// Encrypts secrets at rest and keys the CSRF MAC: the workspace's one secret type, so its
/// Debug output never shows it (`Secret(***)`) and it is zeroed when dropped.
pub type MasterKey = Secret<[u8; 32]>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationMode {
    Open,
    Closed,
    /// Username + password + email, then one upstream account must be connected to activate.
    Hybrid,
    /// Accounts are only created through an upstream login.
    SocialOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailConfirmation {
    /// Password login waits until the address is confirmed.
    Required,
    /// Confirmation is offered but not needed to log in.
    Optional,
}

#[derive(Clone, Debug)]
pub enum MailTransportConfig {
    Outbox { dir: PathBuf },
    Smtp(SmtpConfig),
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub security: tessera_mail::SmtpSecurity,
    pub timeout: Duration,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("security", &self.security)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub issuer: Url,
    pub listen: SocketAddr,
    pub database_url: String,
    pub master_key: MasterKey,
    pub registration: RegistrationMode,
    pub email_confirmation: EmailConfirmation,
    pub mail_from: String,
    pub mail_transport: MailTransportConfig,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// `sessions.upstream_login_ttl`: how long a round trip through an upstream provider may
    /// take before its callback is refused.
    pub upstream_login_ttl: Duration,
    pub password_policy: PasswordPolicy,
    pub argon2: Argon2Cost,
    pub max_concurrent_hashes: usize,
    pub confirm_email_ttl: Duration,
    pub reset_password_ttl: Duration,
    pub theme_dir: Option<PathBuf>,
    /// `branding`: name, logo, colour, footer links, default language.
    pub branding: Branding,
    pub log_format: LogFormat,
    pub log_level: String,
    pub remote_auth: Vec<RemoteAuthTarget>,
    /// Problems that do not stop Tessera, sorted by position: `check-config` prints them,
    /// `serve` logs them at start.
    pub warnings: Vec<Problem>,
    pub clients: Vec<ClientConfig>,
    pub oidc: OidcSettings,
    pub jobs: JobSettings,
    pub actions: Actions,
    pub webhooks: Vec<Webhook>,
    pub upstreams: Vec<Upstream>,
    pub pipeline: Vec<Step>,
    /// Start the fake Twitter/Facebook/Instagram/OIDC providers here (development only).
    pub sandbox: Option<SocketAddr>,
    /// Where `/metrics` is served, apart from the main port; `None`: nowhere.
    pub metrics_listen: Option<SocketAddr>,
    /// `security.throttle`: failures slow down, then lock out; mail and helpdesk requests are capped.
    pub throttle: Throttles,
    /// `security.mfa` and what goes with it.
    pub mfa: MfaSettings,
    /// `server.trusted_proxies`: whose forwarding headers name the client.
    pub proxies: crate::client_address::TrustedProxies,
    /// `server.header_read_timeout` and `server.shutdown_deadline`.
    pub limits: crate::listener::Limits,
    /// `server.cleanup_interval`.
    pub cleanup_interval: std::time::Duration,
}

impl Config {
    pub fn client(&self, id: &str) -> Option<&ClientConfig> {
        self.clients.iter().find(|c| c.client.id == id)
    }

    /// Cookies get `Secure` (and the `__Host-` prefix), and responses HSTS, when the public URL
    /// is https.
    pub fn secure_cookies(&self) -> bool {
        self.issuer.scheme() == "https"
    }

    /// The issuer exactly as `iss` carries it: no trailing slash.
    pub fn issuer_str(&self) -> &str {
        self.issuer.as_str().trim_end_matches('/')
    }

    /// An absolute URL under the issuer, for links in mail.
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer_str())
    }
}

/// One problem, with where it is. Line and column are 1-based; 0 means "whole file".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ConfigErrors {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl Problem {
    /// `FILE:LINE:COL: message`, as `check-config` prints it.
    pub fn located(&self, file: &str) -> String {
        format!("{file}:{}:{}: {}", self.line.max(1), self.column.max(1), self.message)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: {}", self.file, p.line.max(1), p.column.max(1), p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects problems while values are checked.
pub(crate) struct Checker<'e> {
    pub(crate) env: &'e dyn Env,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl<'e> Checker<'e> {
    pub(crate) fn problem<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        self.problems.push(Problem {
            line: at.referenced.line(),
            column: at.referenced.column(),
            message: message.into(),
        });
    }

    /// Something the admin should know that does not make the file invalid.
    pub(crate) fn warning<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        self.warnings.push(Problem {
            line: at.referenced.line(),
            column: at.referenced.column(),
            message: message.into(),
        });
    }

    /// The value with `${ENV}` substituted, or `None` after recording why not.
    pub(crate) fn text(&mut self, key: &str, value: &S) -> Option<String> {
        match env::substitute(&value.value, self.env) {
            Ok(text) => Some(text),
            Err(why) => {
                self.problem(value, format!("{key}: {why}"));
                None
            }
        }
    }

    pub(crate) fn parsed<T>(
        &mut self,
        key: &str,
        value: &S,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.text(key, value)?;
        match parse(&text) {
            Ok(v) => Some(v),
            Err(why) => {
                self.problem(value, format!("{key}: {why}"));
                None
            }
        }
    }

    pub(crate) fn duration(&mut self, key: &str, value: Option<&S>, default: Duration) -> Duration {
        let positive = |t: &str| {
            parse_duration(t).and_then(|d| {
                if d.is_zero() {
                    Err("must be longer than 0s".to_owned())
                } else {
                    Ok(d)
                }
            })
        };
        value.and_then(|v| self.parsed(key, v, positive)).unwrap_or(default)
    }

    /// Like [`Checker::duration`], and at most `max` (`why` says why).
    pub(crate) fn duration_at_most(
        &mut self,
        key: &str,
        value: Option<&S>,
        default: Duration,
        max: Duration,
        why: &str,
    ) -> Duration {
        let d = self.duration(key, value, default);
        match value {
            Some(v) if d > max => {
                self.problem(
                    v,
                    format!(
                        "{key}: {:?} is longer than {}; {why}",
                        v.value.trim(),
                        format_duration(max)
                    ),
                );
                default.min(max)
            }
            _ => d,
        }
    }

    /// Problems recorded so far: a check across keys runs only when none of them was wrong.
    pub(crate) fn problem_count(&self) -> usize {
        self.problems.len()
    }

    /// A problem about several keys, at the first of them the file gives (`at` lists where
    /// each key is written, `None` for a key left at its default).
    pub(crate) fn problem_at_first(&mut self, at: &[Option<&S>], message: impl Into<String>) {
        let (line, column) = first_given(at);
        self.problems.push(Problem {
            line,
            column,
            message: message.into(),
        });
    }

    /// Like [`Checker::problem_at_first`], for something that does not make the file invalid.
    pub(crate) fn warning_at_first(&mut self, at: &[Option<&S>], message: impl Into<String>) {
        let (line, column) = first_given(at);
        self.warnings.push(Problem {
            line,
            column,
            message: message.into(),
        });
    }

    pub(crate) fn choice<T: Copy>(&mut self, key: &str, value: &S, options: &[(&str, T)]) -> Option<T> {
        let text = self.text(key, value)?;
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == text) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        self.problem(value, format!("{key}: {text:?} is not one of: {}", names.join(", ")));
        None
    }

    pub(crate) fn url(&mut self, key: &str, value: &S) -> Option<Url> {
        self.parsed(key, value, |text| {
            let url = Url::parse(text)
                .map_err(|e| format!("{text:?} is not a URL ({e}); write it like https://example.com"))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(format!("{text:?} must be an http:// or https:// URL with a host"));
            }
            Ok(url)
        })
    }
}

fn first_given(at: &[Option<&S>]) -> (u64, u64) {
    at.iter()
        .flatten()
        .next()
        .map_or((0, 0), |s| (s.referenced.line(), s.referenced.column()))
}

/// A duration in a message about several keys: `14d`, or `14d, the default` when the file
/// does not give it.
pub(crate) fn shown(d: Duration, given: Option<&S>) -> String {
    if given.is_some() {
        format_duration(d)
    } else {
        format!("{}, the default", format_duration(d))
    }
}

/// Reads and validates a config file.
pub fn load(path: &Path, env: &dyn Env) -> Result<Config, ConfigErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigErrors {
        file: file.clone(),
        problems: vec![Problem {
            line: 0,
            column: 0,
            message: format!("cannot read the config file: {e}"),
        }],
    })?;
    parse(&text, env).map_err(|problems| ConfigErrors { file, problems })
}

pub fn parse(text: &str, env: &dyn Env) -> Result<Config, Vec<Problem>> {
    let raw: RawConfig = serde_saphyr::from_str(text).map_err(|e| structure::problems(text, &e))?;
    let mut c = Checker {
        env,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let config = validate(raw, &mut c);
    match config {
        Some(mut config) if c.problems.is_empty() => {
            c.warnings.sort_by_key(|w| (w.line, w.column));
            config.warnings = c.warnings;
            Ok(config)
        }
        _ => {
            c.problems.sort_by_key(|p| (p.line, p.column));
            Err(c.problems)
        }
    }
}

fn validate(raw: RawConfig, c: &mut Checker) -> Option<Config> {
    let issuer = issuer(&raw.issuer, c);
    let listen = listen(raw.listen.as_ref(), c);
    let database_url = database_url(&raw.database.url, c);
    let master_key = c.parsed("secrets.master_key", &raw.secrets.master_key, parse_master_key);
    let (mode, email_confirmation) = registration(raw.registration.as_ref(), c);
    let (mail_from, mail_transport) = mail(raw.email.as_ref(), c);
    let (session_idle, session_absolute) = sessions(raw.sessions.as_ref(), c);
    let upstream_login_ttl = c.duration(
        "sessions.upstream_login_ttl",
        raw.sessions.as_ref().and_then(|s| s.upstream_login_ttl.as_ref()),
        Duration::from_secs(15 * 60),
    );
    let (password_policy, argon2, max_concurrent_hashes) = passwords(raw.passwords.as_ref(), c);
    let (confirm_email_ttl, reset_password_ttl) = links(raw.links.as_ref(), c);
    let theme_dir = raw.theme.as_ref().and_then(|t| theme_dir(t, c));
    let branding = branding::branding(raw.branding.as_ref(), c);
    let (log_format, log_level) = logging(raw.logging.as_ref(), c);
    let remote_auth = remote_auth::targets(raw.remote_auth.as_deref().unwrap_or_default(), c);
    let clients = clients::clients(raw.clients.as_deref().unwrap_or_default(), c);
    let oidc = clients::oidc_settings(raw.oidc.as_ref(), c);
    let jobs = jobs::job_settings(raw.jobs.as_ref(), c);
    let actions = jobs::actions(raw.actions.as_ref(), c);
    let webhooks = jobs::webhooks(raw.webhooks.as_deref().unwrap_or_default(), c);
    let upstreams = upstreams::upstreams(raw.upstreams.as_deref().unwrap_or_default(), c);
    let pipeline = upstreams::pipeline(raw.pipeline.as_deref(), c);
    let sandbox = upstreams::sandbox(raw.sandbox.as_ref(), c);
    let metrics_listen = metrics::metrics_listen(raw.metrics.as_ref(), c);
    let throttle = security::throttles(raw.security.as_ref(), c);
    let mfa = mfa::mfa_settings(raw.security.as_ref(), c);
    let proxies = server::trusted_proxies(raw.server.as_ref(), c);
    let limits = server::limits(raw.server.as_ref(), c);
    let cleanup_interval = server::cleanup_interval(raw.server.as_ref(), c);
    check_post_on_join(&actions, raw.actions.as_ref(), &upstreams, c);
    check_hybrid_has_upstream(mode, raw.registration.as_ref(), &upstreams, c);
    check_lease(&jobs, &raw, &webhooks, mail_transport.as_ref(), c);

    Some(Config {
        issuer: issuer?,
        listen: listen?,
        database_url: database_url?,
        master_key: master_key?,
        registration: mode?,
        email_confirmation: email_confirmation?,
        mail_from: mail_from?,
        mail_transport: mail_transport?,
        session_idle,
        session_absolute,
        upstream_login_ttl,
        password_policy,
        argon2,
        max_concurrent_hashes,
        confirm_email_ttl,
        reset_password_ttl,
        theme_dir,
        branding,
        log_format: log_format?,
        log_level,
        remote_auth,
        warnings: Vec::new(),
        clients,
        oidc,
        jobs,
        actions,
        webhooks,
        upstreams,
        pipeline,
        sandbox,
        metrics_listen,
        throttle,
        mfa,
        proxies,
        limits,
        cleanup_interval,
    })
}

/// The format of `secrets.master_key`: base64 of 32 bytes. Public because `tessera secrets
/// rotate-master-key` reads the new key with it, so both accept exactly the same text. The
/// error never contains the text (it may be most of a key).
pub fn parse_master_key(text: &str) -> Result<MasterKey, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| "is not base64; generate one with `openssl rand -base64 32`".to_owned())?;
    <[u8; 32]>::try_from(bytes.as_slice()).map(Secret::from).map_err(|_| {
        format!(
            "must be 32 bytes once decoded, not {}; generate one with `openssl rand -base64 32`",
            bytes.len()
        )
    })
}

fn issuer(raw: &S, c: &mut Checker) -> Option<Url> {
    c.url("issuer", raw).and_then(|url| {
        // Routes live at the root of the issuer, and `iss` must be the exact string (OIDC Core §2).
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() || raw.value.trim().ends_with('/') {
            c.problem(raw, "issuer: write the public base URL (scheme, host, optional port) without a path, trailing slash, query or fragment");
            return None;
        }
        Some(url)
    })
}

fn listen(raw: Option<&S>, c: &mut Checker) -> Option<SocketAddr> {
    match raw {
        Some(v) => c.parsed("listen", v, |t| {
            t.parse::<SocketAddr>()
                .map_err(|_| format!("{t:?} is not an address like 127.0.0.1:8080"))
        }),
        None => Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
    }
}

fn database_url(raw: &S, c: &mut Checker) -> Option<String> {
    c.parsed("database.url", raw, |t| {
        tessera_store::Backend::of_url(t)
            .map(|_| t.to_owned())
            .ok_or_else(|| "use sqlite://PATH or postgres://USER@HOST/DB".to_owned())
    })
}

/// `registration.mode` and `registration.email_confirmation`, each `None` when invalid.
fn registration(
    raw: Option<&raw::RawRegistration>,
    c: &mut Checker,
) -> (Option<RegistrationMode>, Option<EmailConfirmation>) {
    let mode = raw
        .and_then(|r| r.mode.as_ref())
        .map(|m| {
            c.choice(
                "registration.mode",
                m,
                &[
                    ("open", RegistrationMode::Open),
                    ("closed", RegistrationMode::Closed),
                    ("hybrid", RegistrationMode::Hybrid),
                    ("social_only", RegistrationMode::SocialOnly),
                ],
            )
        })
        .unwrap_or(Some(RegistrationMode::Open));
    let email_confirmation = raw
        .and_then(|r| r.email_confirmation.as_ref())
        .map(|m| {
            c.choice(
                "registration.email_confirmation",
                m,
                &[
                    ("required", EmailConfirmation::Required),
                    ("optional", EmailConfirmation::Optional),
                ],
            )
        })
        .unwrap_or(Some(EmailConfirmation::Required));
    (mode, email_confirmation)
}

/// Browsers keep a cookie at most 400 days (RFC 6265bis §5.5), whatever its `Max-Age`.
pub const MAX_SESSION: Duration = Duration::from_secs(400 * 86_400);

/// The idle and absolute session timeouts: the idle one at most the absolute one, which is
/// at most [`MAX_SESSION`] (the cookie's `Max-Age`).
fn sessions(raw: Option<&raw::RawSessions>, c: &mut Checker) -> (Duration, Duration) {
    let before = c.problem_count();
    let idle_at = raw.and_then(|s| s.idle_timeout.as_ref());
    let absolute_at = raw.and_then(|s| s.absolute_timeout.as_ref());
    let idle = c.duration("sessions.idle_timeout", idle_at, Duration::from_secs(2 * 3600));
    let absolute = c.duration_at_most(
        "sessions.absolute_timeout",
        absolute_at,
        Duration::from_secs(14 * 86_400),
        MAX_SESSION,
        "browsers keep a cookie at most 400 days, so the session would end there anyway",
    );
    if c.problem_count() == before && idle > absolute {
        c.problem_at_first(
            &[idle_at, absolute_at],
            format!(
                "sessions.idle_timeout ({}) is longer than sessions.absolute_timeout ({}), so it can never \
                 apply: make sessions.idle_timeout at most {}, or raise sessions.absolute_timeout",
                shown(idle, idle_at),
                shown(absolute, absolute_at),
                format_duration(absolute),
            ),
        );
    }
    (idle, absolute)
}

/// How long mailed confirmation and reset links work.
fn links(raw: Option<&raw::RawLinks>, c: &mut Checker) -> (Duration, Duration) {
    let confirm_email = c.duration(
        "links.confirm_email_ttl",
        raw.and_then(|l| l.confirm_email_ttl.as_ref()),
        Duration::from_secs(3 * 86_400),
    );
    let reset_password = c.duration(
        "links.reset_password_ttl",
        raw.and_then(|l| l.reset_password_ttl.as_ref()),
        Duration::from_secs(3600),
    );
    (confirm_email, reset_password)
}

fn theme_dir(raw: &raw::RawTheme, c: &mut Checker) -> Option<PathBuf> {
    c.parsed("theme.dir", &raw.dir, |d| {
        let path = PathBuf::from(d);
        if path.is_dir() {
            Ok(path)
        } else {
            Err(format!("{d:?} is not a folder"))
        }
    })
}

/// The log format (`None` when invalid) and the log filter.
fn logging(raw: Option<&raw::RawLogging>, c: &mut Checker) -> (Option<LogFormat>, String) {
    let format = raw
        .and_then(|l| l.format.as_ref())
        .map(|f| {
            c.choice(
                "logging.format",
                f,
                &[("text", LogFormat::Text), ("json", LogFormat::Json)],
            )
        })
        .unwrap_or(Some(LogFormat::Text));
    let level = raw
        .and_then(|l| l.level.as_ref())
        .and_then(|l| {
            c.parsed("logging.level", l, |t| {
                tracing_subscriber::EnvFilter::try_new(t)
                    .map(|_| t.to_owned())
                    .map_err(|e| format!("{t:?} is not a log filter like info or info,tower_http=debug ({e})"))
            })
        })
        .unwrap_or_else(|| "info".to_owned());
    (format, level)
}

/// `actions.post_on_join` must name an upstream that can post: only Twitter (OAuth 1.0a)
/// and X (OAuth 2) connectors can.
fn check_post_on_join(actions: &Actions, raw: Option<&raw::RawActions>, upstreams: &[Upstream], c: &mut Checker) {
    let (Some(p), Some(at)) = (&actions.post_on_join, raw.and_then(|a| a.post_on_join.as_ref())) else {
        return;
    };
    match upstreams.iter().find(|u| u.id == p.upstream) {
        None => c.problem(
            &at.upstream,
            format!("actions.post_on_join.upstream: no upstream has the id {:?}", p.upstream),
        ),
        Some(u)
            if !matches!(
                u.config,
                tessera_upstream::UpstreamConfig::Twitter(_) | tessera_upstream::UpstreamConfig::XOauth2(_)
            ) =>
        {
            c.problem(
                &at.upstream,
                "actions.post_on_join.upstream: only twitter and x_oauth2 upstreams can post",
            )
        }
        Some(_) => {}
    }
}

/// A job still running when its lease ends is taken over by another worker: `jobs.lease`
/// should outlast the longest wait a job can have (a webhook's or the SMTP server's answer).
fn check_lease(
    jobs: &JobSettings,
    raw: &RawConfig,
    webhooks: &[Webhook],
    mail: Option<&MailTransportConfig>,
    c: &mut Checker,
) {
    let lease_at = raw.jobs.as_ref().and_then(|j| j.lease.as_ref());
    let mut waits: Vec<(String, Duration, Option<&S>)> = Vec::new();
    let raw_hooks = raw.webhooks.as_deref().unwrap_or_default();
    if raw_hooks.len() == webhooks.len() {
        for (i, (hook, r)) in webhooks.iter().zip(raw_hooks).enumerate() {
            waits.push((format!("webhooks[{i}].timeout"), hook.timeout, r.timeout.as_ref()));
        }
    }
    if let Some(MailTransportConfig::Smtp(smtp)) = mail {
        let at = raw
            .email
            .as_ref()
            .and_then(|e| e.transport.as_ref())
            .and_then(|t| t.timeout.as_ref());
        waits.push(("email.transport.timeout".to_owned(), smtp.timeout, at));
    }
    for (key, wait, at) in waits {
        if jobs.lease <= wait {
            c.warning_at_first(
                &[lease_at, at],
                format!(
                    "jobs.lease ({}) is not longer than {key} ({}): a job still waiting for its answer when the \
                     lease ends is taken over by another worker and runs twice; make jobs.lease longer than {}",
                    shown(jobs.lease, lease_at),
                    shown(wait, at),
                    format_duration(wait),
                ),
            );
        }
    }
}

/// Hybrid registration activates accounts through an upstream, so it needs one.
fn check_hybrid_has_upstream(
    mode: Option<RegistrationMode>,
    raw: Option<&raw::RawRegistration>,
    upstreams: &[Upstream],
    c: &mut Checker,
) {
    if let (Some(RegistrationMode::Hybrid), true) = (mode, upstreams.is_empty())
        && let Some(m) = raw.and_then(|r| r.mode.as_ref())
    {
        c.problem(
            m,
            "registration.mode: hybrid needs at least one upstream to activate accounts with",
        );
    }
}

fn mail(raw: Option<&raw::RawEmail>, c: &mut Checker) -> (Option<String>, Option<MailTransportConfig>) {
    let from = match raw.and_then(|e| e.from.as_ref()) {
        Some(from) => c.parsed("email.from", from, |t| {
            tessera_mail::parse_mailbox(t).map(|_| t.to_owned())
        }),
        None => Some("Tessera <no-reply@localhost.localdomain>".to_owned()),
    };
    let Some(t) = raw.and_then(|e| e.transport.as_ref()) else {
        return (
            from,
            Some(MailTransportConfig::Outbox {
                dir: PathBuf::from("data/outbox"),
            }),
        );
    };
    (from, mail_transport(t, c))
}

/// `email.transport`, by its `kind`; `None` when invalid.
fn mail_transport(t: &raw::RawTransport, c: &mut Checker) -> Option<MailTransportConfig> {
    #[derive(Clone, Copy)]
    enum Kind {
        Outbox,
        Smtp,
    }
    match c.choice(
        "email.transport.kind",
        &t.kind,
        &[("outbox", Kind::Outbox), ("smtp", Kind::Smtp)],
    ) {
        Some(Kind::Outbox) => {
            let dir = t
                .dir
                .as_ref()
                .and_then(|d| c.text("email.transport.dir", d))
                .unwrap_or_else(|| "data/outbox".into());
            Some(MailTransportConfig::Outbox {
                dir: PathBuf::from(dir),
            })
        }
        Some(Kind::Smtp) => smtp(t, c),
        None => None,
    }
}

/// `email.transport` with `kind: smtp`; `None` when invalid.
fn smtp(t: &raw::RawTransport, c: &mut Checker) -> Option<MailTransportConfig> {
    use tessera_mail::SmtpSecurity;
    let host = match &t.host {
        Some(h) => c.text("email.transport.host", h),
        None => {
            c.problem(&t.kind, "email.transport.host is required for smtp");
            None
        }
    };
    let security = smtp_security(t.tls.as_ref(), c);
    let default_port = match security {
        Some(SmtpSecurity::Tls) => 465,
        Some(SmtpSecurity::None) => 25,
        _ => 587,
    };
    let username = t.username.as_ref().and_then(|u| c.text("email.transport.username", u));
    let password = t.password.as_ref().and_then(|p| c.text("email.transport.password", p));
    if username.is_some() != password.is_some() {
        c.problem(&t.kind, "email.transport: give both username and password, or neither");
    }
    let timeout = c.duration("email.transport.timeout", t.timeout.as_ref(), Duration::from_secs(30));
    match (host, security) {
        (Some(host), Some(security)) => Some(MailTransportConfig::Smtp(SmtpConfig {
            host,
            port: t.port.as_ref().map_or(default_port, |p| p.value),
            username,
            password: password.map(Secret::new),
            security,
            timeout,
        })),
        _ => None,
    }
}

/// `email.transport.tls` (STARTTLS unless said otherwise); `None` when invalid.
fn smtp_security(raw: Option<&S>, c: &mut Checker) -> Option<tessera_mail::SmtpSecurity> {
    use tessera_mail::SmtpSecurity;
    raw.map(|v| {
        c.choice(
            "email.transport.tls",
            v,
            &[
                ("starttls", SmtpSecurity::StartTls),
                ("tls", SmtpSecurity::Tls),
                ("none", SmtpSecurity::None),
            ],
        )
    })
    .unwrap_or(Some(SmtpSecurity::StartTls))
}

fn passwords(raw: Option<&raw::RawPasswords>, c: &mut Checker) -> (PasswordPolicy, Argon2Cost, usize) {
    let mut policy = PasswordPolicy::default();
    if let Some(min) = raw.and_then(|p| p.min_length.as_ref()) {
        if (8..=128).contains(&min.value) {
            policy.min_length = min.value;
        } else {
            c.problem(
                min,
                "passwords.min_length: choose between 8 and 128 (NIST SP 800-63B asks for at least 8)",
            );
        }
    }
    let mut cost = Argon2Cost::default();
    if let Some(a) = raw.and_then(|p| p.argon2.as_ref()) {
        let candidate = Argon2Cost {
            memory_kib: a.memory_kib.value,
            iterations: a.iterations.value,
            parallelism: a.parallelism.value,
        };
        match candidate.check() {
            Ok(()) => cost = candidate,
            Err(why) => c.problem(&a.memory_kib, format!("passwords.argon2: {why}")),
        }
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut concurrent = cores;
    if let Some(n) = raw.and_then(|p| p.max_concurrent_hashes.as_ref()) {
        if (1..=256).contains(&n.value) {
            concurrent = n.value;
        } else {
            c.problem(n, "passwords.max_concurrent_hashes: choose between 1 and 256");
        }
    }
    (policy, cost, concurrent)
}

#[cfg(test)]
mod tests;
