//! Command-line parsing and dispatch. Each subcommand module does one job.

mod audit;
mod clients;
mod django_import;
mod groups;
mod jobs;
mod keys;
mod secrets;
mod users;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use tessera_server::config::{self, Config, ProcessEnv};
use tessera_store::SqlStore;

#[derive(Parser)]
#[command(name = "tessera", version, about = "Tessera single sign-on identity provider")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
pub struct ConfigArg {
    /// The YAML configuration file.
    #[arg(long, env = "TESSERA_CONFIG")]
    config: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (applies pending migrations first unless --no-migrate).
    Serve {
        #[command(flatten)]
        config: ConfigArg,
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations.
    Migrate {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Check the configuration; print every problem as FILE:LINE:COL: message.
    CheckConfig {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Manage local accounts.
    User {
        #[command(subcommand)]
        command: users::UserCommand,
    },
    /// Manage groups (the `groups` claim and access rules use them).
    Group {
        #[command(subcommand)]
        command: groups::GroupCommand,
    },
    /// Inspect and manage the background job queue.
    Jobs {
        #[command(subcommand)]
        command: jobs::JobsCommand,
    },
    /// Run only the fake upstream providers (Twitter, Facebook, Instagram, OIDC) for
    /// development and demos; `serve` starts them itself when the config has `sandbox:`.
    /// Needs a build with `--features sandbox`; other builds hide it and say so.
    #[cfg_attr(not(feature = "sandbox"), command(hide = true))]
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:8091")]
        listen: std::net::SocketAddr,
    },
    /// Register apps (OpenID Connect clients): hash their secrets for the configuration.
    Clients {
        #[command(subcommand)]
        command: clients::ClientsCommand,
    },
    /// Manage OpenID Connect signing keys.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Read the audit log.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Manage the master key that seals secrets at rest.
    Secrets {
        #[command(subcommand)]
        command: secrets::SecretsCommand,
    },
}

/// Why a command failed: the person's input (exit 1) or Tessera itself (exit 3).
pub enum Failure {
    User(String),
    /// Config problems, already one `FILE:LINE:COL: message` per line.
    Config(String),
    Internal(String),
}

impl Failure {
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let (prefix, text) = match self {
            Self::User(t) => ("error: ", t),
            Self::Config(t) => ("", t),
            Self::Internal(t) => ("internal error: ", t),
        };
        text.lines().map(move |l| format!("{prefix}{l}"))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Self::User(_) | Self::Config(_) => 1,
            Self::Internal(_) => 3,
        }
    }
}

impl From<tessera_core::store::StoreError> for Failure {
    fn from(e: tessera_core::store::StoreError) -> Self {
        use tessera_core::store::StoreError;
        match e {
            StoreError::Conflict { .. } | StoreError::NotFound(_) | StoreError::Unavailable(_) => {
                Self::User(e.to_string())
            }
            StoreError::Other(_) => Self::Internal(e.to_string()),
        }
    }
}

pub type CliResult<T = ()> = Result<T, Failure>;

pub fn load_config(path: &Path) -> CliResult<Config> {
    config::load(path, &ProcessEnv).map_err(|e| Failure::Config(e.to_string()))
}

/// The database URL with any password replaced, for messages.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Connects and migrates; an unreachable database is one clear line.
pub async fn open_store(config: &Config, migrate: bool) -> CliResult<Arc<SqlStore>> {
    let store = SqlStore::connect(&config.database_url).await.map_err(|e| {
        Failure::User(format!(
            "cannot open the database at {}: {e}",
            redacted(&config.database_url)
        ))
    })?;
    if migrate {
        store.migrate().await.map_err(|e| Failure::User(e.to_string()))?;
    }
    Ok(Arc::new(store))
}

pub async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Serve { config, no_migrate } => serve(&config.config, !no_migrate).await,
        Command::Migrate { config } => {
            let config = load_config(&config.config)?;
            open_store(&config, true).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CheckConfig { config } => {
            let loaded = load_config(&config.config)?;
            tessera_server::check_templates(&loaded)
                .map_err(|e| Failure::User(format!("{}: {e}", config.config.display())))?;
            for line in warning_lines(&config.config, &loaded) {
                eprintln!("{line}");
            }
            println!("{}: ok", config.config.display());
            Ok(())
        }
        Command::User { command } => users::run(command).await,
        Command::Group { command } => groups::run(command).await,
        Command::Jobs { command } => jobs::run(command).await,
        Command::Clients { command } => clients::run(command).await,
        Command::Secrets { command } => secrets::run(command).await,
        Command::Sandbox { listen } => sandbox(listen).await,
        Command::Keys { command } => keys::run(command).await,
        Command::Audit { command } => audit::run(command).await,
    }
}

/// A time as RFC 3339 (UTC), the form every command prints times in.
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// `tessera sandbox`: the fake providers until Ctrl-C.
#[cfg(feature = "sandbox")]
async fn sandbox(listen: std::net::SocketAddr) -> CliResult {
    tessera_server::init_tracing(None);
    let sandbox = tessera_sandbox::start(listen, tessera_sandbox::SandboxOptions::default())
        .await
        .map_err(|e| Failure::User(format!("cannot listen on {listen}: {e}")))?;
    println!(
        "sandbox providers at {}: /twitter /facebook /instagram /oidc (Ctrl-C stops)",
        sandbox.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}

/// A build without the `sandbox` feature has no fake providers to run.
#[cfg(not(feature = "sandbox"))]
async fn sandbox(_listen: std::net::SocketAddr) -> CliResult {
    Err(Failure::User(
        "this build of tessera has no sandbox (the fake upstream providers, for development only); \
         build with the sandbox feature, e.g. cargo run --release --features sandbox -- sandbox"
            .to_owned(),
    ))
}

/// The config's warnings as `warning: FILE:LINE:COL: message`; they never fail a command.
fn warning_lines(path: &Path, config: &Config) -> Vec<String> {
    let file = path.display().to_string();
    config
        .warnings
        .iter()
        .map(|w| format!("warning: {}", w.located(&file)))
        .collect()
}

async fn serve(path: &Path, migrate: bool) -> CliResult {
    let config = load_config(path)?;
    tessera_server::init_tracing(Some(&config));
    for line in warning_lines(path, &config) {
        tracing::warn!("{line}");
    }
    let store = open_store(&config, migrate).await?;
    let listener = bind(config.listen, "listen").await?;
    let metrics_listener = match config.metrics_listen {
        Some(address) => Some(bind(address, "metrics.listen").await?),
        None => None,
    };
    let state = tessera_server::build_state(config, store.clone()).map_err(|e| Failure::User(format!("{e:#}")))?;

    let metrics = metrics_listener.map(|l| tokio::spawn(tessera_server::serve_metrics(l, state.clone())));
    let served = tessera_server::serve(listener, state).await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    served.map_err(|e| Failure::Internal(e.to_string()))?;
    store.close().await;
    Ok(())
}

/// Binds `address`; a busy or forbidden one is one clear line naming the config key.
async fn bind(address: std::net::SocketAddr, key: &str) -> CliResult<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address).await.map_err(|e| {
        Failure::User(format!(
            "cannot listen on {address} ({key}): {e}; choose another address in the config"
        ))
    })
}
