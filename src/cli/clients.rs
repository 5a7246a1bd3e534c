//! `tessera clients …`: what registering an app (`clients:` in the configuration) needs.

use std::io::{BufRead, IsTerminal};

use clap::Subcommand;
use tessera_core::password::hash_password;
use tessera_core::secret::{ExposeSecret, Secret};
use tessera_oidc::client::{MIN_SECRET_LEN, generate_secret};

use super::{CliResult, ConfigArg, Failure, load_config};

#[derive(Subcommand)]
pub enum ClientsCommand {
    /// Print the argon2id hash of a client secret, for `secret_hash:` in the configuration.
    /// The secret is the first line of standard input, or asked for without echo on a
    /// terminal; never an argument (the process list would show it).
    HashSecret {
        #[command(flatten)]
        config: ConfigArg,
        /// Make a random secret instead, and print it once, on the line before its hash.
        #[arg(long)]
        generate: bool,
    },
    /// The apps in the configuration: id, name, kind, grants, redirect URIs (never secrets).
    List {
        #[command(flatten)]
        config: ConfigArg,
        /// One JSON object per app instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: ClientsCommand) -> CliResult {
    match command {
        ClientsCommand::HashSecret { config, generate } => hash_secret(&config, generate),
        ClientsCommand::List { config, json } => list(&config, json),
    }
}

/// Read from the configuration alone: apps are registered there, not in the database.
fn list(config: &ConfigArg, json: bool) -> CliResult {
    let config = load_config(&config.config)?;
    for registered in &config.clients {
        let client = &registered.client;
        let kind = if client.is_public() { "public" } else { "confidential" };
        let grants: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
        if json {
            let line = serde_json::json!({
                "client_id": client.id, "name": client.name, "kind": kind, "grant_types": grants,
                "scopes": client.scopes, "redirect_uris": client.redirect_uris,
                "first_party": client.first_party, "id_token_alg": client.id_token_alg.as_str(),
                "backchannel_logout_uri": client.backchannel_logout_uri.as_ref().map(|u| u.as_str()),
            });
            println!("{line}");
        } else {
            println!(
                "{}	{}	{kind}	{}	{}",
                client.id,
                client.name,
                grants.join(","),
                if client.redirect_uris.is_empty() {
                    "-".to_owned()
                } else {
                    client.redirect_uris.join(" ")
                }
            );
        }
    }
    Ok(())
}

/// Hashes with the configured `passwords.argon2` cost, which is within the caps a
/// `secret_hash` must respect, so the output always loads.
fn hash_secret(config: &ConfigArg, generate: bool) -> CliResult {
    let config = load_config(&config.config)?;
    let secret = if generate { generate_secret() } else { read_secret()? };
    let hash = hash_password(&config.argon2, secret.expose_secret()).map_err(|e| Failure::Internal(e.to_string()))?;
    if generate {
        println!("{}", secret.expose_secret());
    }
    println!("{hash}");
    Ok(())
}

/// The secret from standard input, held as a [`Secret`] (zeroed when dropped), at least
/// [`MIN_SECRET_LEN`] characters, as `secret:` in the configuration must be.
fn read_secret() -> CliResult<Secret> {
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        rpassword::prompt_password("Client secret: ").map_err(|e| Failure::User(e.to_string()))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::User(format!("cannot read the secret from standard input: {e}")))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if text.len() < MIN_SECRET_LEN {
        return Err(Failure::User(format!(
            "the secret is shorter than {MIN_SECRET_LEN} characters; use a longer one, or --generate for a random one"
        )));
    }
    Ok(Secret::new(text))
}
