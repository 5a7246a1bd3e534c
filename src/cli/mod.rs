//! Command-line parsing and dispatch. Each subcommand module does one job.

mod audit;
mod clients;
mod django_import;
mod groups;
mod jobs;
mod keys;
mod reload;
mod secrets;
mod transfer;
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
    /// Run the server. It refuses a database schema older or newer than this release
    /// (exit 4) unless --migrate applies the pending migrations first.
    Serve {
        #[command(flatten)]
        config: ConfigArg,
        /// Apply pending migrations before serving (one node at a time; see
        /// docs/operations.md, Upgrades and rollback).
        #[arg(long)]
        migrate: bool,
    },
    /// Apply pending database migrations: the one command that changes the schema.
    Migrate {
        #[command(flatten)]
        config: ConfigArg,
        /// Only show each migration and whether it is applied.
        #[arg(long, conflicts_with = "dry_run")]
        status: bool,
        /// Show what would be applied, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// With --status: one JSON object instead of text.
        #[arg(long, requires = "status")]
        json: bool,
    },
    /// Check the configuration; print every problem as FILE:LINE:COL: message.
    CheckConfig {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Make the running server re-read its configuration file (as SIGHUP does), after
    /// checking the file as check-config does.
    Reload {
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
    /// Copy the SQLite database to a new file while the server runs (PostgreSQL: pg_dump).
    Backup(transfer::BackupArgs),
    /// Write the whole state as a JSON Lines file (or - for standard output), read in one
    /// snapshot while the server runs; sealed values stay sealed.
    Export(transfer::ExportArgs),
    /// Read a file `tessera export` wrote into a migrated, empty database, in one transaction.
    Import(transfer::ImportArgs),
}

/// Why a command failed: the person's input (exit 1), Tessera itself (exit 3), or a
/// database schema this release was not built for (exit 4). Clap's usage errors exit 2.
pub enum Failure {
    User(String),
    /// Config problems, already one `FILE:LINE:COL: message` per line.
    Config(String),
    Internal(String),
    Schema(String),
}

impl Failure {
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let (prefix, text) = match self {
            Self::User(t) | Self::Schema(t) => ("error: ", t),
            Self::Config(t) => ("", t),
            Self::Internal(t) => ("internal error: ", t),
        };
        text.lines().map(move |l| format!("{prefix}{l}"))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Self::User(_) | Self::Config(_) => 1,
            Self::Internal(_) => 3,
            Self::Schema(_) => 4,
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

/// Connects and checks that the schema is the one this release was built for (never
/// changing it: only `migrate` does). An unreachable database is one clear line.
pub async fn open_store(config: &Config) -> CliResult<Arc<SqlStore>> {
    let store = connect(config).await?;
    if let Some(mismatch) = store.schema_status().await?.mismatch() {
        return Err(Failure::Schema(mismatch));
    }
    Ok(Arc::new(store))
}

async fn connect(config: &Config) -> CliResult<SqlStore> {
    SqlStore::connect(&config.database_url).await.map_err(|e| {
        Failure::User(format!(
            "cannot open the database at {}: {e}",
            redacted(&config.database_url)
        ))
    })
}

/// `tessera migrate [--status | --dry-run]`.
async fn migrate(path: &Path, status_only: bool, dry_run: bool, json: bool) -> CliResult {
    let config = load_config(path)?;
    let store = connect(&config).await?;
    let status = store.schema_status().await?;
    if status_only {
        if json {
            println!(
                "{}",
                serde_json::to_string(&status).map_err(|e| Failure::Internal(e.to_string()))?
            );
        } else {
            for m in &status.migrations {
                let state = if m.changed {
                    "changed"
                } else if m.applied {
                    "applied"
                } else {
                    "pending"
                };
                println!("{:04}	{state}	{}", m.version, m.description);
            }
            for version in &status.unknown {
                println!("{version:04}	unknown to this release");
            }
        }
        return Ok(());
    }
    apply_pending(&store, &status, dry_run).await?;
    store.close().await;
    Ok(())
}

/// Applies (or, dry, lists) the pending migrations, printing each. A newer or altered
/// schema is never "migrated" by this binary: only a pending migration is something to apply.
async fn apply_pending(store: &SqlStore, status: &tessera_store::SchemaStatus, dry_run: bool) -> CliResult {
    if !status.unknown.is_empty() || status.migrations.iter().any(|m| m.changed) {
        return Err(Failure::Schema(status.mismatch().unwrap_or_default()));
    }
    let pending: Vec<_> = status.pending().collect();
    if pending.is_empty() {
        println!("the schema is up to date; nothing to apply");
        return Ok(());
    }
    for m in &pending {
        let verb = if dry_run { "would apply" } else { "applying" };
        println!("{verb} {:04} {}", m.version, m.description);
    }
    if !dry_run {
        store.migrate().await.map_err(|e| Failure::User(e.to_string()))?;
        println!("migrations applied");
    }
    Ok(())
}

pub async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Serve { config, migrate } => serve(&config.config, migrate).await,
        Command::Migrate {
            config,
            status,
            dry_run,
            json,
        } => migrate(&config.config, status, dry_run, json).await,
        Command::CheckConfig { config } => {
            let loaded = checked_config(&config.config)?;
            for line in warning_lines(&config.config, &loaded) {
                eprintln!("{line}");
            }
            println!("{}: ok", config.config.display());
            Ok(())
        }
        Command::Reload { config } => reload::run(&config.config).await,
        Command::User { command } => users::run(command).await,
        Command::Group { command } => groups::run(command).await,
        Command::Jobs { command } => jobs::run(command).await,
        Command::Clients { command } => clients::run(command).await,
        Command::Secrets { command } => secrets::run(command).await,
        Command::Sandbox { listen } => sandbox(listen).await,
        Command::Keys { command } => keys::run(command).await,
        Command::Audit { command } => audit::run(command).await,
        Command::Backup(args) => transfer::backup(args).await,
        Command::Export(args) => transfer::export(args).await,
        Command::Import(args) => transfer::import(args).await,
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

/// The config as `check-config` checks it: the file, then every template the theme changes.
fn checked_config(path: &Path) -> CliResult<Config> {
    let loaded = load_config(path)?;
    tessera_server::check_templates(&loaded).map_err(|e| Failure::User(format!("{}: {e}", path.display())))?;
    Ok(loaded)
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
    if migrate {
        let store = connect(&config).await?;
        let status = store.schema_status().await?;
        apply_pending(&store, &status, false).await?;
        store.close().await;
    }
    let store = open_store(&config).await?;
    let listener = bind(config.listen, "listen").await?;
    let metrics_listener = match config.metrics_listen {
        Some(address) => Some(bind(address, "metrics.listen").await?),
        None => None,
    };
    let state = tessera_server::build_state(config, store.clone()).map_err(|e| Failure::User(format!("{e:#}")))?;

    let live = tessera_server::Live::new(state);
    let reloader = tessera_server::Reloader::new(live.clone(), path.to_owned());
    reloader
        .reload_on_hangup()
        .map_err(|e| Failure::Internal(format!("cannot listen for SIGHUP: {e}")))?;
    let metrics =
        metrics_listener.map(|l| tokio::spawn(tessera_server::serve_metrics(l, live.state(), Some(reloader.clone()))));
    let served = tessera_server::serve(listener, live).await;
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
