//! `tessera group …`.

use clap::Subcommand;
use tessera_core::account::check_group_name;
use tessera_core::store::{GroupStore, UserStore};

use super::{CliResult, ConfigArg, Failure, load_config, open_store};

#[derive(Subcommand)]
pub enum GroupCommand {
    Create {
        #[command(flatten)]
        config: ConfigArg,
        group: String,
    },
    /// Add an account to a group.
    Add {
        #[command(flatten)]
        config: ConfigArg,
        group: String,
        #[arg(long)]
        username: String,
    },
    /// Remove an account from a group.
    Remove {
        #[command(flatten)]
        config: ConfigArg,
        group: String,
        #[arg(long)]
        username: String,
    },
    /// Every group with its members.
    List {
        #[command(flatten)]
        config: ConfigArg,
    },
}

pub async fn run(command: GroupCommand) -> CliResult {
    match command {
        GroupCommand::Create { config, group } => {
            check_group_name(&group).map_err(Failure::User)?;
            let store = open_store(&load_config(&config.config)?, true).await?;
            store.create_group(&group).await?;
            println!("created group {group}");
        }
        GroupCommand::Add {
            config,
            group,
            username,
        } => {
            let store = open_store(&load_config(&config.config)?, true).await?;
            let user = store
                .user_by_username(&username)
                .await?
                .ok_or_else(|| Failure::User(format!("no account with the username {username:?}")))?;
            store.add_to_group(&group, user.id).await.map_err(|e| match e {
                tessera_core::store::StoreError::NotFound(_) => Failure::User(format!(
                    "no group named {group:?}; create it with `tessera group create {group}`"
                )),
                other => other.into(),
            })?;
            println!("{} is in {group}", user.username);
        }
        GroupCommand::Remove {
            config,
            group,
            username,
        } => {
            let store = open_store(&load_config(&config.config)?, true).await?;
            let user = store
                .user_by_username(&username)
                .await?
                .ok_or_else(|| Failure::User(format!("no account with the username {username:?}")))?;
            if store.remove_from_group(&group, user.id).await? {
                println!("{} left {group}", user.username);
            } else {
                return Err(Failure::User(format!(
                    "{} is not in a group named {group:?}",
                    user.username
                )));
            }
        }
        GroupCommand::List { config } => {
            let store = open_store(&load_config(&config.config)?, true).await?;
            for group in store.list_groups().await? {
                println!(
                    "{}\t{}",
                    group.name,
                    if group.members.is_empty() {
                        "-".to_owned()
                    } else {
                        group.members.join(",")
                    }
                );
            }
        }
    }
    Ok(())
}
