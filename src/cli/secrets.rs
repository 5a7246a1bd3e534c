//! `tessera secrets rotate-master-key`: every value sealed at rest under `secrets.master_key`
//! re-sealed under a new key, in one database transaction. Neither key is ever printed.

use std::path::Path;

use clap::Subcommand;
use tessera_core::seal::{self, SealError};
use tessera_core::secret::ExposeSecret;
use tessera_core::secret_token::constant_time_eq;
use tessera_oidc::provider::KeyRing;
use tessera_server::config::{MasterKey, parse_master_key};
use tessera_server::upstream;
use tessera_store::reseal::{Reseal, ResealCounts, SealedRow};

use super::{CliResult, ConfigArg, Failure, load_config, open_store};

#[derive(Subcommand)]
pub enum SecretsCommand {
    /// Re-seal every value sealed with secrets.master_key (signing keys, upstream tokens,
    /// upstream logins in flight) under a new key, in one transaction. Stop every node first.
    RotateMasterKey {
        #[command(flatten)]
        config: ConfigArg,
        /// The environment variable that holds the new key, in the format of
        /// secrets.master_key (base64 of 32 bytes: `openssl rand -base64 32`).
        #[arg(long, value_name = "VAR", value_parser = variable_name)]
        new_key_env: String,
        /// Print the counts as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: SecretsCommand) -> CliResult {
    match command {
        SecretsCommand::RotateMasterKey {
            config,
            new_key_env,
            json,
        } => rotate(&config.config, &new_key_env, json).await,
    }
}

async fn rotate(path: &Path, var: &str, json: bool) -> CliResult {
    let config = load_config(path)?;
    // Every refusal about the new key comes before the database is touched.
    let new = new_key(var, &config.master_key)?;
    let store = open_store(&config).await?;
    let outcome = store
        .reseal_all(|row, sealed| reseal(&config.master_key, &new, row, sealed))
        .await?;
    store.close().await;
    match outcome {
        Reseal::Done(counts) => {
            print_summary(counts, json);
            Ok(())
        }
        Reseal::Refused(rows) => Err(refused(path, &rows)),
    }
}

/// `--new-key-env` names a variable a shell can export; anything else is a usage error, not
/// "is not set".
fn variable_name(name: &str) -> Result<String, String> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(name.to_owned())
    } else {
        Err("write the name of an environment variable (letters, digits and _, not starting with a digit)".to_owned())
    }
}

/// The new key from the environment variable `var`: set, valid, and not the current key.
fn new_key(var: &str, current: &MasterKey) -> CliResult<MasterKey> {
    let refuse = |why: String| Failure::User(format!("--new-key-env {var}: {why}; nothing was changed"));
    let text = std::env::var(var).map_err(|e| match e {
        std::env::VarError::NotPresent => refuse(format!(
            "the environment variable {var} is not set; export the new key in it \
             (make one with `openssl rand -base64 32`)"
        )),
        std::env::VarError::NotUnicode(_) => refuse(format!(
            "the value of {var} is not text; it must be base64, as `openssl rand -base64 32` prints"
        )),
    })?;
    let new = parse_master_key(&text).map_err(|why| refuse(format!("the value of {var} {why}")))?;
    if constant_time_eq(new.expose_secret(), current.expose_secret()) {
        return Err(refuse(format!(
            "the value of {var} is the current secrets.master_key; make a new key with \
             `openssl rand -base64 32`"
        )));
    }
    Ok(new)
}

/// One value opened with `old` and sealed with `new`, under the context its kind uses.
/// Upstream tokens still under the legacy context open through `open_tokens` and come out
/// under the context bound to their row.
fn reseal(old: &MasterKey, new: &MasterKey, row: &SealedRow, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    match row {
        SealedRow::SigningKey { kid } => KeyRing::reseal(old, new, kid, sealed),
        SealedRow::UpstreamTokens { provider, subject } => {
            let tokens = upstream::open_tokens(old, provider, subject, sealed)?;
            Ok(upstream::seal_tokens(new, provider, subject, &tokens))
        }
        SealedRow::UpstreamLogin { upstream, state_digest } => {
            let context = upstream::login_context(upstream, state_digest);
            let data = seal::open(old.expose_secret(), sealed, &context)?;
            Ok(upstream::seal_login_data(new, upstream, state_digest, &data))
        }
        SealedRow::TotpSecret { user_id } => {
            let context = tessera_core::factors::totp_seal_context(user_id);
            let secret = seal::open(old.expose_secret(), sealed, &context)?;
            Ok(seal::seal(new.expose_secret(), &secret, &context))
        }
    }
}

fn print_summary(counts: ResealCounts, json: bool) {
    if json {
        let summary = serde_json::json!({
            "signing_keys": counts.signing_keys,
            "upstream_tokens": counts.upstream_tokens,
            "upstream_logins": counts.upstream_logins,
            "totp_secrets": counts.totp_secrets,
        });
        println!("{summary}");
        return;
    }
    println!(
        "re-sealed under the new master key: signing keys {}, upstream tokens {}, upstream logins in flight {}, \
         authenticator-app secrets {}",
        counts.signing_keys, counts.upstream_tokens, counts.upstream_logins, counts.totp_secrets
    );
    println!(
        "next: put the new key in secrets.master_key on every node, then start them; \
         the old key no longer opens anything in this database"
    );
}

/// Names every value that did not open, and what to check.
fn refused(path: &Path, rows: &[SealedRow]) -> Failure {
    let mut text =
        "these sealed values do not open with the current secrets.master_key, so nothing was changed:".to_owned();
    for row in rows {
        text.push_str(&format!("\n  {row}"));
    }
    text.push_str(&format!(
        "\nsecrets.master_key in {} must be the key these were sealed with (after an earlier \
         rotation, the new one); a value that no key opens is damaged: delete or repair it first",
        path.display()
    ));
    Failure::User(text)
}
