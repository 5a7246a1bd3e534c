//! `tessera group …`.

use clap::Subcommand;
use tessera_core::account::check_group_name;
use tessera_core::store::{GroupStore, StoreError, UserStore};
use tessera_server::config::AccessRule;

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
        /// One JSON object per group instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Delete a group; its members lose it (their accounts stay).
    Delete {
        #[command(flatten)]
        config: ConfigArg,
        group: String,
    },
    /// Rename a group, keeping its members.
    Rename {
        #[command(flatten)]
        config: ConfigArg,
        group: String,
        new_name: String,
    },
}

pub async fn run(command: GroupCommand) -> CliResult {
    match command {
        GroupCommand::Create { config, group } => {
            check_group_name(&group).map_err(Failure::User)?;
            let store = open_store(&load_config(&config.config)?).await?;
            store.create_group(&group).await?;
            println!("created group {group}");
        }
        GroupCommand::Add {
            config,
            group,
            username,
        } => {
            let store = open_store(&load_config(&config.config)?).await?;
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
            let store = open_store(&load_config(&config.config)?).await?;
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
        GroupCommand::List { config, json } => {
            let store = open_store(&load_config(&config.config)?).await?;
            for group in store.list_groups().await? {
                if json {
                    println!(
                        "{}",
                        serde_json::json!({ "name": group.name, "members": group.members })
                    );
                    continue;
                }
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
        GroupCommand::Delete { config, group } => {
            let config = load_config(&config.config)?;
            let store = open_store(&config).await?;
            if !store.delete_group(&group).await? {
                return Err(unknown_group(&group));
            }
            println!("deleted group {group}");
            warn_if_configured(&config, &group);
        }
        GroupCommand::Rename {
            config,
            group,
            new_name,
        } => {
            check_group_name(&new_name).map_err(Failure::User)?;
            let config = load_config(&config.config)?;
            let store = open_store(&config).await?;
            store.rename_group(&group, &new_name).await.map_err(|e| match e {
                StoreError::NotFound(_) => unknown_group(&group),
                StoreError::Conflict { .. } => Failure::User(format!(
                    "a group named {new_name:?} exists already; nothing was renamed"
                )),
                other => other.into(),
            })?;
            println!("renamed group {group} to {new_name}");
            warn_if_configured(&config, &group);
        }
    }
    Ok(())
}

fn unknown_group(group: &str) -> Failure {
    Failure::User(format!("no group named {group:?}; tessera group list shows them"))
}

/// Helpdesk access rules name groups in the configuration, which the database cannot change:
/// say which rules still name the old one.
fn warn_if_configured(config: &tessera_server::config::Config, group: &str) {
    for target in &config.remote_auth {
        if let AccessRule::Groups(groups) = &target.access
            && groups.iter().any(|g| g == group)
        {
            eprintln!(
                "warning: remote_auth {:?} still lets in members of {group:?}; edit its groups: in the configuration",
                target.id
            );
        }
    }
}
