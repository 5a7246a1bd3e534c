//! `tessera backup`, `tessera export` and `tessera import`: a SQLite copy while the server
//! runs, and the whole state as a JSON Lines file that moves between databases and backends
//! (docs/operations.md, "Backup, restore and moving from SQLite to PostgreSQL").
//!
//! A file is written next to its destination under a temporary name and appears under its
//! own only once complete, so a failed command never leaves a half-written FILE; it is
//! readable by its owner only, since it holds password hashes and sealed keys.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use clap::Args;
use tessera_store::Backend;
use tessera_store::transfer::{Summary, TransferError};

use super::{CliResult, ConfigArg, Failure, load_config, open_store};

#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Where to write the copy (a new file).
    file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Where to write the export (a new file), or - for standard output.
    file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// A file `tessera export` wrote, or - for standard input.
    file: PathBuf,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

const PG_DUMP: &str = "back it up with `pg_dump --format=custom` (see docs/operations.md, \"Backup, restore \
     and moving from SQLite to PostgreSQL\"), or write a portable copy with `tessera export`";

/// `tessera backup FILE [--force]`.
pub async fn backup(args: BackupArgs) -> CliResult {
    let config = load_config(&args.config.config)?;
    if Backend::of_url(&config.database_url) == Some(Backend::Postgres) {
        return Err(Failure::User(format!(
            "tessera backup copies SQLite databases, and this one is PostgreSQL: {PG_DUMP}; nothing was written"
        )));
    }
    refuse_existing(&args.file, args.force)?;
    let store = open_store(&config).await?;
    let partial = Partial::create(&args.file)?;
    let copied = store.vacuum_into(&partial.path).await;
    store.close().await;
    copied.map_err(|e| Failure::User(format!("cannot back up into {}: {e}", args.file.display())))?;
    let bytes = std::fs::metadata(&partial.path).map(|m| m.len()).unwrap_or_default();
    partial.publish(args.force)?;
    println!("backed up the database to {} ({bytes} bytes)", args.file.display());
    Ok(())
}

/// `tessera export FILE|- [--force] [--json]`.
pub async fn export(args: ExportArgs) -> CliResult {
    let config = load_config(&args.config.config)?;
    let to_stdout = args.file == Path::new("-");
    if !to_stdout {
        refuse_existing(&args.file, args.force)?;
    }
    let store = open_store(&config).await?;
    let summary = if to_stdout {
        let mut out = BufWriter::new(std::io::stdout().lock());
        store
            .export(&mut out)
            .await
            .map_err(|e| transfer_failure(e, &args.file, "write"))
    } else {
        export_to_file(&store, &args.file, args.force).await
    };
    store.close().await;
    let summary = summary?;
    let text = summary_text(&summary, json_or(args.json), "exported", "to", &args.file);
    // With the export on standard output, the summary must not mix into it.
    if to_stdout {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
    Ok(())
}

async fn export_to_file(store: &tessera_store::SqlStore, file: &Path, force: bool) -> CliResult<Summary> {
    let partial = Partial::create(file)?;
    let failed = |e: TransferError| transfer_failure(e, file, "write");
    let mut out = BufWriter::new(partial.file().map_err(|e| failed(TransferError::Io(e)))?);
    let summary = store.export(&mut out).await.map_err(failed)?;
    let written = out
        .into_inner()
        .map_err(|e| failed(TransferError::Io(e.into_error())))?;
    written.sync_all().map_err(|e| failed(TransferError::Io(e)))?;
    partial.publish(force)?;
    Ok(summary)
}

/// `tessera import FILE|- [--json]`.
pub async fn import(args: ImportArgs) -> CliResult {
    let config = load_config(&args.config.config)?;
    let input: Box<dyn std::io::BufRead> = if args.file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file =
            File::open(&args.file).map_err(|e| Failure::User(format!("cannot read {}: {e}", args.file.display())))?;
        Box::new(BufReader::new(file))
    };
    let store = open_store(&config).await?;
    let summary = store.import(input).await;
    store.close().await;
    let summary = summary.map_err(|e| transfer_failure(e, &args.file, "read"))?;
    println!(
        "{}",
        summary_text(&summary, json_or(args.json), "imported", "from", &args.file)
    );
    Ok(())
}

fn json_or(json: bool) -> Format {
    if json { Format::Json } else { Format::Text }
}

enum Format {
    Text,
    Json,
}

/// `exported N rows to FILE` and one `table<TAB>rows` line per table, or the JSON summary.
fn summary_text(summary: &Summary, format: Format, verb: &str, preposition: &str, file: &Path) -> String {
    if let Format::Json = format {
        return summary.to_json().to_string();
    }
    let shown = if file == Path::new("-") {
        if verb == "exported" {
            "standard output".to_owned()
        } else {
            "standard input".to_owned()
        }
    } else {
        file.display().to_string()
    };
    let mut text = format!("{verb} {} rows {preposition} {shown}", summary.rows());
    for (table, rows) in &summary.tables {
        text.push_str(&format!("\n{table}\t{rows}"));
    }
    text
}

/// A refusal is the file's or the target's fault (exit 1); so is an unreadable or unwritable
/// file. The database's own faults keep their usual exit codes.
fn transfer_failure(e: TransferError, file: &Path, verb: &str) -> Failure {
    match e {
        TransferError::Refused(why) => Failure::User(format!("{}: {why}", file.display())),
        TransferError::Io(e) => Failure::User(format!("cannot {verb} {}: {e}", file.display())),
        TransferError::Store(e) => Failure::from(e),
    }
}

fn refuse_existing(file: &Path, force: bool) -> CliResult {
    if !force && file.exists() {
        return Err(Failure::User(format!(
            "{} exists; choose a new name, or pass --force to replace it",
            file.display()
        )));
    }
    Ok(())
}

/// A file being written under a temporary name next to `target`; removed unless published.
struct Partial {
    path: PathBuf,
    target: PathBuf,
    published: bool,
}

impl Partial {
    /// An empty owner-only file (VACUUM INTO accepts an empty one).
    fn create(target: &Path) -> CliResult<Self> {
        let name = target
            .file_name()
            .ok_or_else(|| Failure::User(format!("{} is not a file name", target.display())))?;
        let mut temporary = std::ffi::OsString::from(".");
        temporary.push(name);
        temporary.push(format!(".partial-{}", std::process::id()));
        let path = target.with_file_name(temporary);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| Failure::User(format!("cannot write {}: {e}", target.display())))?;
        Ok(Self {
            path,
            target: target.to_owned(),
            published: false,
        })
    }

    fn file(&self) -> std::io::Result<File> {
        std::fs::OpenOptions::new().write(true).open(&self.path)
    }

    /// Gives the file its name: replacing an existing one only with `force` (a file that
    /// appeared meanwhile is not overwritten either).
    fn publish(mut self, force: bool) -> CliResult {
        let cannot = |e: std::io::Error| Failure::User(format!("cannot write {}: {e}", self.target.display()));
        // SQLite creates its copy with the umask's permissions whatever the empty file had.
        std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600)).map_err(cannot)?;
        if force {
            std::fs::rename(&self.path, &self.target).map_err(cannot)?;
        } else {
            std::fs::hard_link(&self.path, &self.target).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Failure::User(format!(
                        "{} appeared while it was being written; choose a new name, or pass --force to replace it",
                        self.target.display()
                    ))
                } else {
                    cannot(e)
                }
            })?;
            let _ = std::fs::remove_file(&self.path);
        }
        self.published = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn created(target: &Path) -> Partial {
        Partial::create(target).unwrap_or_else(|f| panic!("{}", f.lines().collect::<Vec<_>>().join("\n")))
    }

    #[test]
    fn an_unpublished_partial_file_is_removed_and_a_published_one_keeps_only_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("copy.db");
        drop(created(&target));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let partial = created(&target);
        partial.file().unwrap().write_all(b"done").unwrap();
        assert!(partial.publish(false).is_ok());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["copy.db"]);
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(created(&target).publish(false).is_err(), "no overwrite without force");
        assert_eq!(std::fs::read(&target).unwrap(), b"done");
    }
}
