//! `tessera audit …`: read the audit log (the same events the `tessera::audit` log lines
//! carry).

use clap::Subcommand;
use tessera_core::store::{AuditStore, EventFilter, UserStore};
use time::OffsetDateTime;

use super::{CliResult, ConfigArg, Failure, load_config, open_store, rfc3339};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// The newest events first: time, kind, account, client address, detail.
    List {
        #[command(flatten)]
        config: ConfigArg,
        /// Only this account's events (its username, any case).
        #[arg(long)]
        user: Option<String>,
        /// Only events at or after this time: RFC 3339 (2026-12-01T08:00:00Z) or an age
        /// such as 30m, 24h or 7d.
        #[arg(long)]
        since: Option<String>,
        /// At most this many events.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// One JSON object per event instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: AuditCommand) -> CliResult {
    let AuditCommand::List {
        config,
        user,
        since,
        limit,
        json,
    } = command;
    let since = since.as_deref().map(parse_since).transpose()?;
    if limit < 1 {
        return Err(Failure::User("--limit must be at least 1".into()));
    }
    let config = load_config(&config.config)?;
    let store = open_store(&config).await?;
    let user = match user {
        Some(name) => Some(
            store
                .user_by_username(&name)
                .await?
                .ok_or_else(|| {
                    Failure::User(format!(
                        "no account with the username {name:?}; tessera user list shows them"
                    ))
                })?
                .id,
        ),
        None => None,
    };
    for event in store.events(&EventFilter { user, since, limit }).await? {
        if json {
            let line = serde_json::to_string(&event).map_err(|e| Failure::Internal(e.to_string()))?;
            println!("{line}");
        } else {
            let who = event.user_id.map_or_else(|| "-".to_owned(), |id| id.to_string());
            println!(
                "{}\t{}\t{who}\t{}\t{}",
                rfc3339(event.at),
                event.kind,
                event.ip.as_deref().unwrap_or("-"),
                event.detail
            );
        }
    }
    Ok(())
}

/// An RFC 3339 time, or an age back from now in the config's duration form (`24h`).
fn parse_since(text: &str) -> CliResult<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(at);
    }
    let age = tessera_server::config::parse_duration(text).map_err(|why| {
        Failure::User(format!(
            "--since {text:?}: {why}; give a time such as 2026-12-01T08:00:00Z or an age such as 24h"
        ))
    })?;
    time::Duration::try_from(age)
        .ok()
        .and_then(|age| OffsetDateTime::now_utc().checked_sub(age))
        .ok_or_else(|| Failure::User(format!("--since {text:?} reaches back too far")))
}
