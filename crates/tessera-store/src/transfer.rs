//! The whole state of an installation as one JSON Lines file, and back into an empty database:
//! `tessera export` and `tessera import` (docs/operations.md, "Backup, restore and moving from
//! SQLite to PostgreSQL"), on either backend and across them.
//!
//! Line 1 is the header (format name and version, the schema version the file was written at,
//! the source backend, the time), then one line per row tagged with its table, in an order
//! where every row comes after the rows it refers to, then an end line with the number of rows
//! so that a file cut at a line boundary is told from a complete one. Values are
//! backend-neutral: text as JSON strings, integers as numbers, booleans as `true`/`false`
//! (SQLite stores 0/1), NULL as `null`. Sealed columns are copied as stored: nothing is opened
//! on the way, so the target needs the same `secrets.master_key`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use sqlx::Row;
use tessera_core::store::StoreError;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Backend, BeginWrite, SqlStore, map_sqlx, on_pool};

/// The `format` of the header line.
pub const FORMAT: &str = "tessera-export";
/// Bumped whenever a reader of the previous version would misread the file.
pub const FORMAT_VERSION: u64 = 1;

/// How a column's values are written and bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// BIGINT (and SQLite's INTEGER PRIMARY KEY).
    BigInt,
    /// INTEGER: 32 bits on PostgreSQL.
    Int,
    Bool,
}

/// One exported table: every column, and the key its rows are written in order of (so two
/// exports of one state are the same file).
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    pub key: &'static str,
}

use Kind::{BigInt, Bool, Int, Text};

/// Every exported table, in dependency order: a row's references are imported before it.
pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        key: "id",
        columns: &[
            ("id", Text),
            ("username", Text),
            ("username_folded", Text),
            ("username_skeleton", Text),
            ("email", Text),
            ("email_folded", Text),
            ("email_verified", Bool),
            ("pending_email", Text),
            ("pending_email_folded", Text),
            ("first_name", Text),
            ("last_name", Text),
            ("is_active", Bool),
            ("is_staff", Bool),
            ("is_superuser", Bool),
            ("awaiting_activation", Bool),
            ("password_hash", Text),
            ("date_joined", BigInt),
            ("last_login", BigInt),
            ("attributes", Text),
        ],
    },
    Table {
        name: "user_groups",
        key: "name",
        columns: &[("name", Text), ("created_at", BigInt)],
    },
    Table {
        name: "group_members",
        key: "group_name, user_id",
        columns: &[("group_name", Text), ("user_id", Text)],
    },
    Table {
        name: "identities",
        key: "provider, subject",
        columns: &[
            ("provider", Text),
            ("subject", Text),
            ("user_id", Text),
            ("username", Text),
            ("email", Text),
            ("email_verified", Bool),
            ("profile", Text),
            ("tokens_sealed", Text),
            ("linked_at", BigInt),
            ("updated_at", BigInt),
            ("founding", Bool),
        ],
    },
    Table {
        name: "totp_factors",
        key: "user_id",
        columns: &[
            ("user_id", Text),
            ("sealed_secret", Text),
            ("confirmed", Bool),
            ("last_step", BigInt),
            ("created_at", BigInt),
        ],
    },
    Table {
        name: "recovery_codes",
        key: "user_id, digest",
        columns: &[
            ("user_id", Text),
            ("digest", Text),
            ("created_at", BigInt),
            ("used_at", BigInt),
        ],
    },
    Table {
        name: "passkeys",
        key: "credential_id",
        columns: &[
            ("credential_id", Text),
            ("user_id", Text),
            ("name", Text),
            ("passkey", Text),
            ("created_at", BigInt),
            ("last_used_at", BigInt),
        ],
    },
    Table {
        name: "contacts",
        key: "provider, subject, friend_subject",
        columns: &[("provider", Text), ("subject", Text), ("friend_subject", Text)],
    },
    Table {
        name: "sessions",
        key: "id_digest",
        columns: &[
            ("id_digest", Text),
            ("user_id", Text),
            ("created_at", BigInt),
            ("last_seen_at", BigInt),
            ("expires_at", BigInt),
            ("auth_time", BigInt),
            ("amr", Text),
            ("user_agent", Text),
            ("ip", Text),
        ],
    },
    Table {
        name: "email_tokens",
        key: "digest",
        columns: &[
            ("digest", Text),
            ("user_id", Text),
            ("purpose", Text),
            ("email", Text),
            ("expires_at", BigInt),
        ],
    },
    Table {
        name: "grants",
        key: "user_id, client_id",
        columns: &[
            ("user_id", Text),
            ("client_id", Text),
            ("scopes", Text),
            ("granted_at", BigInt),
        ],
    },
    Table {
        name: "refresh_families",
        key: "id",
        columns: &[
            ("id", Text),
            ("client_id", Text),
            ("user_id", Text),
            ("code_digest", Text),
            ("revoked", Bool),
            ("expires_at", BigInt),
        ],
    },
    Table {
        name: "refresh_tokens",
        key: "digest",
        columns: &[
            ("digest", Text),
            ("family_id", Text),
            ("client_id", Text),
            ("user_id", Text),
            ("scopes", Text),
            ("auth_time", BigInt),
            ("sid", Text),
            ("amr", Text),
            ("code_digest", Text),
            ("rotated", Bool),
            ("revoked", Bool),
            ("issued_at", BigInt),
            ("family_expires_at", BigInt),
            ("expires_at", BigInt),
        ],
    },
    Table {
        name: "access_tokens",
        key: "jti",
        columns: &[
            ("jti", Text),
            ("client_id", Text),
            ("user_id", Text),
            ("scopes", Text),
            ("family_id", Text),
            ("code_digest", Text),
            ("sid", Text),
            ("revoked", Bool),
            ("expires_at", BigInt),
        ],
    },
    Table {
        name: "signing_keys",
        key: "kid",
        columns: &[
            ("kid", Text),
            ("alg", Text),
            ("sealed_private", Text),
            ("created_at", BigInt),
            ("activates_at", BigInt),
            ("retires_at", BigInt),
            ("expires_at", BigInt),
        ],
    },
    Table {
        name: "key_rotations",
        key: "alg",
        columns: &[("alg", Text), ("last_rotated_at", BigInt)],
    },
    Table {
        name: "jobs",
        key: "id",
        columns: &[
            ("id", Text),
            ("kind", Text),
            ("payload", Text),
            ("idempotency_key", Text),
            ("state", Text),
            ("attempts", Int),
            ("max_attempts", Int),
            ("run_at", BigInt),
            ("locked_by", Text),
            ("locked_until", BigInt),
            ("last_error", Text),
            ("created_at", BigInt),
            ("finished_at", BigInt),
        ],
    },
    Table {
        name: "audit_events",
        key: "id",
        columns: &[
            ("id", BigInt),
            ("kind", Text),
            ("user_id", Text),
            ("detail", Text),
            ("ip", Text),
            ("user_agent", Text),
            ("at", BigInt),
        ],
    },
];

/// The tables an export leaves out, and why (docs/operations.md says the same). Each holds
/// only what is in flight for minutes or ends by itself; moving loses nothing an admin or a
/// person would miss beyond restarting a sign-in that was under way.
pub const LEFT_OUT: &[(&str, &str)] = &[
    (
        "auth_requests",
        "authorization requests in flight (minutes): the app starts the sign-in again",
    ),
    (
        "authorization_codes",
        "codes live a minute and are used once; the tokens they were exchanged for are exported",
    ),
    (
        "upstream_logins",
        "upstream sign-ins in flight (minutes): the person clicks the provider again",
    ),
    (
        "mfa_ceremonies",
        "second-factor and passkey steps in flight (minutes): the person signs in again",
    ),
    (
        "throttles",
        "failed-sign-in counts and blocks, which end by themselves within the throttle window",
    ),
    (
        "_sqlx_migrations",
        "the target's own, from `tessera migrate`; the header carries the schema version",
    ),
];

/// Rows per table, in [`TABLES`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: Vec<(&'static str, u64)>,
}

impl Summary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }

    /// `{"rows": N, "tables": {"users": N, …}}`.
    pub fn to_json(&self) -> Value {
        let tables: BTreeMap<&str, u64> = self.tables.iter().copied().collect();
        json!({ "rows": self.rows(), "tables": tables })
    }

    fn add(&mut self, table: &'static str) {
        match self.tables.iter_mut().find(|(name, _)| *name == table) {
            Some((_, n)) => *n += 1,
            None => self.tables.push((table, 1)),
        }
    }

    /// Every exported table, with 0 for those without rows.
    fn complete(mut self) -> Self {
        self.tables = TABLES
            .iter()
            .map(|t| {
                (
                    t.name,
                    self.tables.iter().find(|(n, _)| *n == t.name).map_or(0, |(_, c)| *c),
                )
            })
            .collect();
        self
    }
}

/// Why an export or import stopped.
#[derive(Debug)]
pub enum TransferError {
    /// The file or the target database is not fit (what and how to fix it); nothing was
    /// imported.
    Refused(String),
    /// Reading or writing the file failed.
    Io(std::io::Error),
    Store(StoreError),
}

impl From<StoreError> for TransferError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn store_error(e: sqlx::Error) -> TransferError {
    TransferError::Store(map_sqlx(e))
}

type TransferResult<T> = Result<T, TransferError>;

/// PostgreSQL: one snapshot for every table, whatever commits meanwhile. SQLite in WAL mode
/// gives a read transaction one snapshot from its first read, without blocking writers.
const SNAPSHOT_POSTGRES: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
const SNAPSHOT_SQLITE: &str = "BEGIN";

impl SqlStore {
    /// Writes every exported table, read in one snapshot while other connections keep
    /// writing, as the JSON Lines of this module. Refuses a database with a table or column
    /// this release does not know (the file would silently lack it).
    pub async fn export(&self, out: &mut impl Write) -> TransferResult<Summary> {
        let unknown = self.unknown_columns().await?;
        if !unknown.is_empty() {
            return Err(TransferError::Refused(format!(
                "the database has tables or columns this tessera does not know, which the export would \
                 leave out: {}; export with the release that added them",
                unknown.join(", ")
            )));
        }
        let header = Header {
            format: FORMAT,
            format_version: FORMAT_VERSION,
            schema_version: self.schema_version(),
            backend: backend_name(self.backend()),
            exported_at: OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default(),
        };
        write_line(out, &header)?;
        let begin = match self.backend() {
            Backend::Sqlite => SNAPSHOT_SQLITE,
            Backend::Postgres => SNAPSHOT_POSTGRES,
        };
        let mut summary = Summary::default();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await.map_err(store_error)?;
            for table in TABLES {
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(select_sql(table))).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await.map_err(store_error)? {
                    let row = row_values(&row, table)?;
                    write_line(out, &RowLine { table: table.name, row: &row })?;
                    summary.add(table.name);
                }
            }
            tx.commit().await.map_err(store_error)?;
        });
        let summary = summary.complete();
        write_line(out, &json!({ "end": { "rows": summary.rows() } }))?;
        out.flush().map_err(TransferError::Io)?;
        Ok(summary)
    }

    /// Reads a file [`Self::export`] wrote into this database, which must be migrated to the
    /// file's schema version and empty, in one transaction: any bad line (named by its number)
    /// or refused row imports nothing. On PostgreSQL, identity sequences are set past the
    /// imported ids.
    pub async fn import(&self, input: impl BufRead) -> TransferResult<Summary> {
        let mut lines = input.lines();
        check_header(lines.next(), self.schema_version())?;
        let postgres = self.backend() == Backend::Postgres;
        let inserts: Vec<String> = TABLES.iter().map(|t| insert_sql(t, postgres)).collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(store_error)?;
            if postgres {
                // No node that starts meanwhile adds signing keys (or anything) between the
                // emptiness check and the commit.
                sqlx::query(sqlx::AssertSqlSafe(lock_sql())).execute(&mut *tx).await.map_err(store_error)?;
            }
            let mut occupied = Vec::new();
            for name in TABLES.iter().map(|t| t.name).chain(LEFT_OUT.iter().map(|(n, _)| *n)) {
                if name == "_sqlx_migrations" {
                    continue;
                }
                let sql = format!("SELECT COUNT(*) FROM {name}");
                let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *tx).await.map_err(store_error)?;
                if count > 0 {
                    occupied.push(format!("{name} ({count})"));
                }
            }
            if !occupied.is_empty() {
                return Err(TransferError::Refused(format!(
                    "the database is not empty (rows in {}); import only into a new database that \
                     `tessera migrate` created and no server has run on",
                    occupied.join(", ")
                )));
            }
            let mut summary = Summary::default();
            let mut number = 1;
            let declared = loop {
                number += 1;
                let line = read_line(lines.next(), number)?;
                match parse_line(&line).map_err(|why| refused_at(number, &why))? {
                    Line::End(rows) => break rows,
                    Line::Row(index, cells) => {
                        let table = &TABLES[index];
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(inserts[index].as_str()));
                        for cell in cells {
                            query = match cell {
                                Cell::Text(v) => query.bind(v),
                                Cell::BigInt(v) => query.bind(v),
                                Cell::Int(v) => query.bind(v),
                                Cell::Bool(v) => query.bind(v),
                            };
                        }
                        query.execute(&mut *tx).await.map_err(|e| row_refused(number, table.name, e))?;
                        summary.add(table.name);
                    }
                }
            };
            if lines.next().is_some() {
                return Err(refused_at(number + 1, "the file goes on after its end line; it is not one export"));
            }
            if declared != summary.rows() {
                return Err(refused_at(number, &format!(
                    "the end line counts {declared} rows but the file has {}; the file is damaged, export it again",
                    summary.rows()
                )));
            }
            tx.advance_sequences().await?;
            tx.commit().await.map_err(store_error)?;
            Ok(summary.complete())
        })
    }

    /// `table.column` for every column in the database that neither [`TABLES`] nor
    /// [`LEFT_OUT`] accounts for.
    async fn unknown_columns(&self) -> TransferResult<Vec<String>> {
        const SQLITE: &str = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid";
        const POSTGRES: &str = "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position";
        let columns: Vec<(String, String)> = match &self.pool {
            crate::Pool::Sqlite(pool) => sqlx::query_as(SQLITE).fetch_all(pool).await,
            crate::Pool::Postgres(pool) => sqlx::query_as(POSTGRES).fetch_all(pool).await,
        }
        .map_err(store_error)?;
        Ok(columns
            .into_iter()
            .filter(|(table, column)| !known_column(table, column))
            .map(|(table, column)| format!("{table}.{column}"))
            .collect())
    }
}

fn known_column(table: &str, column: &str) -> bool {
    LEFT_OUT.iter().any(|(name, _)| *name == table)
        || TABLES
            .iter()
            .any(|t| t.name == table && t.columns.iter().any(|(c, _)| *c == column))
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn column_list(table: &Table) -> String {
    table.columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
}

// SQL below is built only from the identifiers in TABLES (constants); every value is bound.
fn select_sql(table: &Table) -> String {
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        column_list(table),
        table.name,
        table.key
    )
}

/// PostgreSQL: OVERRIDING SYSTEM VALUE keeps the exported ids of identity columns
/// (audit_events.id), which refuse explicit values otherwise.
fn insert_sql(table: &Table, postgres: bool) -> String {
    let placeholders: Vec<String> = (1..=table.columns.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO {} ({}){} VALUES ({})",
        table.name,
        column_list(table),
        if postgres { " OVERRIDING SYSTEM VALUE" } else { "" },
        placeholders.join(", ")
    )
}

fn lock_sql() -> String {
    let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    format!("LOCK TABLE {} IN EXCLUSIVE MODE", names.join(", "))
}

/// After an import, before its commit: ids the database hands out next must not collide with
/// imported ones.
trait AdvanceSequences {
    async fn advance_sequences(&mut self) -> TransferResult<()>;
}

/// SQLite's AUTOINCREMENT already counts from the largest id inserted, explicit ones included.
impl AdvanceSequences for sqlx::Transaction<'static, sqlx::Sqlite> {
    async fn advance_sequences(&mut self) -> TransferResult<()> {
        Ok(())
    }
}

/// Sets each identity or serial sequence of an exported table past its largest imported id.
impl AdvanceSequences for sqlx::Transaction<'static, sqlx::Postgres> {
    async fn advance_sequences(&mut self) -> TransferResult<()> {
        advance_postgres_sequences(self).await
    }
}

async fn advance_postgres_sequences(tx: &mut sqlx::Transaction<'static, sqlx::Postgres>) -> TransferResult<()> {
    const SEQUENCED: &str = "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')";
    let columns: Vec<(String, String)> = sqlx::query_as(SEQUENCED)
        .fetch_all(&mut **tx)
        .await
        .map_err(store_error)?;
    for (table, column) in columns {
        // Only names from TABLES reach the SQL.
        let Some(known) = TABLES.iter().find(|t| t.name == table) else {
            continue;
        };
        let Some((column, _)) = known.columns.iter().find(|(c, _)| *c == column) else {
            continue;
        };
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{0}', '{column}'), MAX({column})) FROM {0} HAVING MAX({column}) IS NOT NULL",
            known.name
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **tx)
            .await
            .map_err(sequence_refused)?;
    }
    Ok(())
}

/// Moving a sequence needs UPDATE on it, which a role that only reads and writes rows lacks
/// (docs/operations.md, "PostgreSQL role and privileges").
fn sequence_refused(e: sqlx::Error) -> TransferError {
    match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some(INSUFFICIENT_PRIVILEGE) => {
            TransferError::Refused(format!(
                "{}: run `tessera import` as the role that owns the database (the one `tessera migrate` runs \
                 as); nothing was imported",
                db.message()
            ))
        }
        _ => store_error(e),
    }
}

/// SQLSTATE insufficient_privilege.
const INSUFFICIENT_PRIVILEGE: &str = "42501";

/// Line 1, fields in this order (so `head -1` reads naturally).
#[derive(serde::Serialize)]
struct Header {
    format: &'static str,
    format_version: u64,
    schema_version: i64,
    backend: &'static str,
    exported_at: String,
}

#[derive(serde::Serialize)]
struct RowLine<'a> {
    table: &'static str,
    row: &'a Map<String, Value>,
}

fn write_line(out: &mut impl Write, value: &impl serde::Serialize) -> TransferResult<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| TransferError::Io(e.into()))?;
    out.write_all(b"\n").map_err(TransferError::Io)
}

/// A row's columns as JSON values, by the kinds in `table`.
fn row_values<R>(row: &R, table: &Table) -> TransferResult<Map<String, Value>>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database>,
    for<'r> i32: sqlx::Decode<'r, R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database>,
    String: sqlx::Type<R::Database>,
    i64: sqlx::Type<R::Database>,
    i32: sqlx::Type<R::Database>,
    bool: sqlx::Type<R::Database>,
{
    let mut values = Map::new();
    for (i, (column, kind)) in table.columns.iter().enumerate() {
        let value = match kind {
            Text => row.try_get::<Option<String>, _>(i).map(Value::from),
            BigInt => row.try_get::<Option<i64>, _>(i).map(Value::from),
            Int => row.try_get::<Option<i32>, _>(i).map(Value::from),
            Bool => row.try_get::<Option<bool>, _>(i).map(Value::from),
        }
        .map_err(|e| {
            TransferError::Store(StoreError::Other(format!(
                "{}.{column} holds a value that is not {kind:?}: {e}",
                table.name
            )))
        })?;
        values.insert((*column).to_owned(), value);
    }
    Ok(values)
}

/// Line 1 must be this format's header at this binary's schema version.
fn check_header(first: Option<std::io::Result<String>>, schema_version: i64) -> TransferResult<()> {
    let Some(first) = first else {
        return Err(TransferError::Refused(
            "the file is empty: it has no header line (is it the output of `tessera export`?); nothing was imported"
                .to_owned(),
        ));
    };
    let line = read_line(Some(first), 1)?;
    let header: Value = serde_json::from_str(&line).map_err(|_| not_an_export())?;
    if header["format"] != FORMAT {
        return Err(not_an_export());
    }
    let Some(version) = header["format_version"].as_u64() else {
        return Err(refused_at(1, "the header has no format_version"));
    };
    if version != FORMAT_VERSION {
        return Err(refused_at(
            1,
            &format!(
                "format version {version} is not one this tessera reads (it reads {FORMAT_VERSION}); \
                 import with the release that wrote the file, or export again with this one"
            ),
        ));
    }
    let Some(exported) = header["schema_version"].as_i64() else {
        return Err(refused_at(1, "the header has no schema_version"));
    };
    if exported < schema_version {
        return Err(refused_at(
            1,
            &format!(
                "the file was exported at schema version {exported:04} and this tessera's is {schema_version:04}: \
                 run `tessera migrate` with this release on the source database, export again, and import that \
                 (or import with the release whose schema is {exported:04})"
            ),
        ));
    }
    if exported > schema_version {
        return Err(refused_at(
            1,
            &format!(
                "the file was exported at schema version {exported:04}, newer than this tessera's \
                 {schema_version:04}: import it with the release that exported it, after running that release's \
                 `tessera migrate` on the target database"
            ),
        ));
    }
    Ok(())
}

fn not_an_export() -> TransferError {
    refused_at(
        1,
        &format!("not a {FORMAT} header (is the file the output of `tessera export`?)"),
    )
}

fn refused_at(number: usize, why: &str) -> TransferError {
    TransferError::Refused(format!("line {number}: {why}; nothing was imported"))
}

/// The next line, or why there is none: a file that stops before its end line was cut short.
fn read_line(next: Option<std::io::Result<String>>, number: usize) -> TransferResult<String> {
    match next {
        Some(Ok(line)) => Ok(line),
        Some(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => Err(refused_at(number, "not UTF-8 text")),
        Some(Err(e)) => Err(TransferError::Io(e)),
        None => Err(refused_at(
            number,
            "the file ends here without its end line: it is truncated; export it again",
        )),
    }
}

/// A database refusal of a row (a duplicate, a missing reference, a NULL where none may be)
/// is the file's fault and names its line; anything else is the database's.
fn row_refused(number: usize, table: &str, e: sqlx::Error) -> TransferError {
    let refusal = match &e {
        sqlx::Error::Database(db) => Some(db.message().to_owned()),
        _ => None,
    };
    match (map_sqlx(e), refusal) {
        (unavailable @ StoreError::Unavailable(_), _) => TransferError::Store(unavailable),
        (_, Some(message)) => refused_at(
            number,
            &format!("table {table}: the database refused the row: {message}"),
        ),
        (other, None) => TransferError::Store(other),
    }
}

/// One value ready to bind.
enum Cell {
    Text(Option<String>),
    BigInt(Option<i64>),
    Int(Option<i32>),
    Bool(Option<bool>),
}

enum Line {
    /// The index in [`TABLES`] and the values in its column order.
    Row(usize, Vec<Cell>),
    End(u64),
}

fn parse_line(line: &str) -> Result<Line, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let Value::Object(mut object) = value else {
        return Err("not a JSON object".to_owned());
    };
    if let Some(end) = object.remove("end") {
        return end["rows"]
            .as_u64()
            .map(Line::End)
            .ok_or_else(|| "the end line has no row count".to_owned());
    }
    let Some(Value::String(name)) = object.remove("table") else {
        return Err("a row line needs \"table\" (a string) and \"row\" (an object)".to_owned());
    };
    let Some(index) = TABLES.iter().position(|t| t.name == name) else {
        return Err(format!("unknown table {name:?}"));
    };
    let Some(Value::Object(row)) = object.remove("row") else {
        return Err(format!("table {name}: no \"row\" object"));
    };
    cells(&TABLES[index], row).map(|cells| Line::Row(index, cells))
}

/// The row's values in column order; every column must be there and no other.
fn cells(table: &Table, mut row: Map<String, Value>) -> Result<Vec<Cell>, String> {
    let mut cells = Vec::with_capacity(table.columns.len());
    for (column, kind) in table.columns {
        let value = row
            .remove(*column)
            .ok_or_else(|| format!("table {}: column {column} is missing", table.name))?;
        cells.push(
            cell(*kind, value).map_err(|found| format!("table {}: column {column}: expected {found}", table.name))?,
        );
    }
    if let Some(extra) = row.keys().next() {
        return Err(format!("table {}: unknown column {extra:?}", table.name));
    }
    Ok(cells)
}

/// The value as `kind`, or what was expected and found instead.
fn cell(kind: Kind, value: Value) -> Result<Cell, String> {
    let found = |expected: &str, value: &Value| {
        let mut shown = value.to_string();
        if shown.len() > 40 {
            shown = format!("{}…", shown.chars().take(40).collect::<String>());
        }
        format!("{expected} or null, found {shown}")
    };
    Ok(match (kind, value) {
        (Text, Value::Null) => Cell::Text(None),
        (BigInt, Value::Null) => Cell::BigInt(None),
        (Int, Value::Null) => Cell::Int(None),
        (Bool, Value::Null) => Cell::Bool(None),
        (Text, Value::String(s)) => Cell::Text(Some(s)),
        (Bool, Value::Bool(b)) => Cell::Bool(Some(b)),
        (BigInt, Value::Number(n)) if n.is_i64() => Cell::BigInt(n.as_i64()),
        (Int, Value::Number(n)) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => {
            Cell::Int(n.as_i64().and_then(|v| i32::try_from(v).ok()))
        }
        (Text, other) => return Err(found("a string", &other)),
        (Bool, other) => return Err(found("true or false", &other)),
        (BigInt, other) => return Err(found("a whole number", &other)),
        (Int, other) => return Err(found("a whole number of 32 bits", &other)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_line_needs_every_column_of_its_kind_and_no_other() {
        let line = |row: &str| parse_line(&format!(r#"{{"table":"key_rotations","row":{row}}}"#));
        assert!(matches!(
            line(r#"{"alg":"RS256","last_rotated_at":5}"#),
            Ok(Line::Row(_, _))
        ));
        assert_eq!(
            line(r#"{"alg":"RS256"}"#).err().unwrap(),
            "table key_rotations: column last_rotated_at is missing"
        );
        assert_eq!(
            line(r#"{"alg":"RS256","last_rotated_at":"5"}"#).err().unwrap(),
            "table key_rotations: column last_rotated_at: expected a whole number or null, found \"5\""
        );
        assert_eq!(
            line(r#"{"alg":"RS256","last_rotated_at":5,"x":1}"#).err().unwrap(),
            "table key_rotations: unknown column \"x\""
        );
        assert_eq!(
            parse_line(r#"{"table":"throttles","row":{}}"#).err().unwrap(),
            "unknown table \"throttles\""
        );
    }

    #[test]
    fn booleans_and_32_bit_integers_are_checked() {
        assert!(
            cell(Bool, Value::from(1)).is_err(),
            "booleans are true/false, not SQLite's 0/1"
        );
        assert!(matches!(cell(Int, Value::from(7)), Ok(Cell::Int(Some(7)))));
        assert!(cell(Int, Value::from(i64::MAX)).is_err());
        assert!(matches!(
            cell(BigInt, Value::from(i64::MAX)),
            Ok(Cell::BigInt(Some(i64::MAX)))
        ));
        assert!(cell(BigInt, Value::from(1.5)).is_err());
    }

    #[test]
    fn a_header_from_another_version_names_what_to_run() {
        let header = |format_version: u64, schema: i64| {
            let line = json!({"format": FORMAT, "format_version": format_version, "schema_version": schema});
            match check_header(Some(Ok(line.to_string())), 9) {
                Ok(()) => String::new(),
                Err(TransferError::Refused(why)) => why,
                Err(other) => panic!("{other:?}"),
            }
        };
        assert_eq!(header(1, 9), "");
        assert!(header(2, 9).contains("format version 2 is not one this tessera reads"));
        assert!(header(1, 7).contains("run `tessera migrate` with this release on the source database"));
        assert!(header(1, 10).contains("newer than this tessera's 0009"));
        assert!(matches!(check_header(None, 9), Err(TransferError::Refused(why)) if why.contains("empty")));
    }

    #[test]
    fn every_exported_table_is_in_the_lock_and_no_table_is_both_exported_and_left_out() {
        for table in TABLES {
            assert!(lock_sql().contains(table.name));
            assert!(!LEFT_OUT.iter().any(|(name, _)| *name == table.name), "{}", table.name);
        }
    }
}
