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
}

pub async fn run(command: ClientsCommand) -> CliResult {
    match command {
        ClientsCommand::HashSecret { config, generate } => hash_secret(&config, generate),
    }
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
