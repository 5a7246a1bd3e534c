//! `tessera jobs …`: look at the queue, revive dead jobs, clear out finished ones.

use clap::Subcommand;
use tessera_core::jobs::{JobState, JobStore};
use time::OffsetDateTime;

use super::{CliResult, ConfigArg, Failure, load_config, open_store};

#[derive(Subcommand)]
pub enum JobsCommand {
    /// Jobs, newest first, one line each (or JSON with --json).
    List {
        #[command(flatten)]
        config: ConfigArg,
        /// queued | running | done | dead
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Put a dead job back in the queue with a fresh attempt budget.
    Retry {
        #[command(flatten)]
        config: ConfigArg,
        id: String,
    },
    /// Delete finished jobs older than --older-than (done only, unless --dead).
    Purge {
        #[command(flatten)]
        config: ConfigArg,
        #[arg(long, default_value = "7d")]
        older_than: String,
        #[arg(long)]
        dead: bool,
    },
}

pub async fn run(command: JobsCommand) -> CliResult {
    match command {
        JobsCommand::List {
            config,
            state,
            limit,
            json,
        } => {
            let state = match state.as_deref() {
                Some(s) => Some(
                    JobState::parse(s)
                        .ok_or_else(|| Failure::User(format!("--state {s:?}: use queued, running, done or dead")))?,
                ),
                None => None,
            };
            let store = open_store(&load_config(&config.config)?).await?;
            for job in store.jobs(state, limit.clamp(1, 10_000)).await? {
                if json {
                    println!(
                        "{}",
                        serde_json::to_string(&job).map_err(|e| Failure::Internal(e.to_string()))?
                    );
                } else {
                    println!(
                        "{}\t{}\t{}\tattempts {}/{}\t{}",
                        job.id,
                        job.kind,
                        job.state.as_str(),
                        job.attempts,
                        job.max_attempts,
                        job.last_error.as_deref().unwrap_or("-")
                    );
                }
            }
        }
        JobsCommand::Retry { config, id } => {
            let store = open_store(&load_config(&config.config)?).await?;
            if !store.retry_job(&id).await? {
                return Err(Failure::User(format!(
                    "no dead or queued job with id {id:?} (see `tessera jobs list --state dead`)"
                )));
            }
            println!("job {id} is queued again");
        }
        JobsCommand::Purge {
            config,
            older_than,
            dead,
        } => {
            let age = tessera_server::config::parse_duration(&older_than)
                .map_err(|e| Failure::User(format!("--older-than: {e}")))?;
            let store = open_store(&load_config(&config.config)?).await?;
            let removed = store.purge_jobs(OffsetDateTime::now_utc() - age, dead).await?;
            println!("removed {removed} finished jobs");
        }
    }
    Ok(())
}
