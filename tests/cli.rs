//! The `tessera` binary as an admin uses it: real process, real config file, real database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::db::fresh_sqlite;
use crate::support::server::TEST_MASTER_KEY;

struct Admin {
    config: PathBuf,
    _dir: tempfile::TempDir,
    _db: crate::support::db::TestDb,
}

impl Admin {
    fn new() -> Self {
        Self::with_database(fresh_sqlite())
    }

    fn with_database(db: crate::support::db::TestDb) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("tessera.yaml");
        let yaml = format!(
            "issuer: http://127.0.0.1:1\ndatabase:\n  url: {}\nsecrets:\n  master_key: ${{CLI_TEST_KEY}}\n\
             passwords:\n  argon2: {{ memory_kib: 1024, iterations: 1, parallelism: 1 }}\n",
            db.url
        );
        std::fs::write(&config, yaml).unwrap();
        Self {
            config,
            _dir: dir,
            _db: db,
        }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        tessera(&self.config, args, stdin)
    }
}

fn tessera(config: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .env("TESSERA_CONFIG", config)
        .env("CLI_TEST_KEY", TEST_MASTER_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tessera");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_config_reports_every_problem_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "issuer: nope\ndatabase:\n  url: mysql://x\nsecrets:\n  master_key: ${NOT_SET_ANYWHERE}\n",
    )
    .unwrap();
    let out = tessera(&path, &["check-config"], None);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stderr(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let file = path.display().to_string();
    assert!(lines[0].starts_with(&format!("{file}:1:9: issuer:")), "{lines:#?}");
    assert!(
        lines[1].starts_with(&format!("{file}:3:8: database.url:")),
        "{lines:#?}"
    );
    assert!(lines[2].contains("NOT_SET_ANYWHERE is not set"), "{lines:#?}");

    std::fs::write(&path, "issuer: http://x\ndatabse:\n  url: sqlite://x\n").unwrap();
    let out = tessera(&path, &["check-config"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(&format!("{}:2:", path.display())),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("databse"));
    assert_eq!(
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .arg("frobnicate")
            .output()
            .unwrap()
            .status
            .code(),
        Some(2),
        "usage errors exit 2"
    );
}

#[test]
fn dev_config_is_valid() {
    let out = tessera(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/dev.yaml")),
        &["check-config"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn users_and_groups_from_the_command_line() {
    let admin = Admin::new();
    let out = admin.run(
        &[
            "user",
            "create",
            "--username",
            "Admin",
            "--email",
            "admin@example.com",
            "--name",
            "Ada Lovelace",
            "--superuser",
            "--password-stdin",
        ],
        Some("a long admin passphrase\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("created Admin"));

    let dup = admin.run(
        &[
            "user",
            "create",
            "--username",
            "admin",
            "--email",
            "x@example.com",
            "--password-stdin",
        ],
        Some("another long passphrase\n"),
    );
    assert_eq!(dup.status.code(), Some(1));
    assert_eq!(stderr(&dup).trim(), "error: that username is already taken");

    let weak = admin.run(
        &[
            "user",
            "create",
            "--username",
            "bob",
            "--email",
            "bob@example.com",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(stderr(&weak).contains("password refused: use at least 10 characters"));

    // No terminal and no --password-stdin: refused, never an empty password.
    let no_tty = admin.run(
        &["user", "create", "--username", "bob", "--email", "bob@example.com"],
        None,
    );
    assert_eq!(no_tty.status.code(), Some(1));
    assert!(stderr(&no_tty).contains("--password-stdin"));

    assert!(admin.run(&["group", "create", "agents"], None).status.success());
    assert_eq!(admin.run(&["group", "create", "agents"], None).status.code(), Some(1));
    assert_eq!(
        admin.run(&["group", "create", "bad name!"], None).status.code(),
        Some(1)
    );
    let missing = admin.run(&["group", "add", "nobody-group", "--username", "admin"], None);
    assert!(
        stderr(&missing).contains("tessera group create nobody-group"),
        "{}",
        stderr(&missing)
    );
    assert!(
        admin
            .run(&["group", "add", "agents", "--username", "ADMIN"], None)
            .status
            .success()
    );
    assert_eq!(stdout(&admin.run(&["group", "list"], None)).trim(), "agents\tAdmin");

    let list = admin.run(&["user", "list", "--json"], None);
    let rows: Vec<serde_json::Value> = stdout(&list)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["username"], "Admin");
    assert_eq!(rows[0]["first_name"], "Ada");
    assert_eq!(rows[0]["is_superuser"], true);
    assert_eq!(rows[0]["groups"], serde_json::json!(["agents"]));
    assert!(
        rows[0].get("password_hash").is_none(),
        "hashes never leave the database"
    );
    assert!(
        stdout(&admin.run(&["user", "list"], None))
            .starts_with("Admin\tadmin@example.com\tactive,staff,superuser\tgroups: agents")
    );

    assert!(
        admin
            .run(&["group", "remove", "agents", "--username", "admin"], None)
            .status
            .success()
    );
    assert_eq!(
        admin
            .run(&["group", "remove", "agents", "--username", "admin"], None)
            .status
            .code(),
        Some(1)
    );
    let set = admin.run(
        &["user", "set-password", "--username", "admin", "--password-stdin"],
        Some("a brand new passphrase\n"),
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let unknown = admin.run(
        &["user", "set-password", "--username", "ghost", "--password-stdin"],
        Some("a brand new passphrase\n"),
    );
    assert_eq!(unknown.status.code(), Some(1));
}

const DJANGO_DUMP: &str = r#"[
 {"model": "auth.group", "pk": 1, "fields": {"name": "agents", "permissions": []}},
 {"model": "auth.user", "pk": 1, "fields": {"password": "pbkdf2_sha256$36000$JuRTV4Vec59R$ueTUvEcLH/i/eESGTIiwk7O3iEZfW+BtpnhCmtpYK48=",
   "last_login": "2024-03-01T10:00:00.123Z", "is_superuser": false, "username": "jane", "first_name": "Jane", "last_name": "Doe",
   "email": "jane@example.com", "is_staff": true, "is_active": true, "date_joined": "2020-01-02T03:04:05Z", "groups": [1], "user_permissions": []}},
 {"model": "auth.user", "pk": 2, "fields": {"password": "!unusable", "last_login": null, "is_superuser": false, "username": "bob",
   "first_name": "", "last_name": "", "email": "", "is_staff": false, "is_active": false, "date_joined": "2021-05-06T07:08:09", "groups": [], "user_permissions": []}}
]"#;

#[test]
fn django_import_is_idempotent_and_all_or_nothing() {
    let admin = Admin::new();
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("users.json");
    std::fs::write(&dump, DJANGO_DUMP).unwrap();
    let dump_arg = dump.to_str().unwrap();

    let first = admin.run(&["user", "import", "--format", "django-json", dump_arg], None);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first).trim(), "imported 2 accounts: 2 created, 0 updated");
    let again = admin.run(&["user", "import", "--format", "django-json", dump_arg], None);
    assert_eq!(stdout(&again).trim(), "imported 2 accounts: 0 created, 2 updated");
    let list = stdout(&admin.run(&["user", "list"], None));
    assert!(
        list.contains("jane\tjane@example.com (unconfirmed)\tactive,staff\tgroups: agents"),
        "{list}"
    );
    assert!(list.contains("bob\t-\tinactive"), "{list}");

    // One bad entry: the whole file is refused, with the entry's index, and nothing changes.
    let bad = DJANGO_DUMP
        .replace("\"username\": \"bob\"", "\"username\": \"bad name\"")
        .replace("\"username\": \"jane\"", "\"username\": \"janet\"");
    std::fs::write(&dump, bad).unwrap();
    let out = admin.run(&["user", "import", "--format", "django-json", dump_arg], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("entry #2: username \"bad name\""),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&admin.run(&["user", "list"], None)).contains("janet"));

    // A conflict found by the database also rolls everything back.
    let conflict = DJANGO_DUMP
        .replace("\"username\": \"jane\"", "\"username\": \"jane2\"")
        .replace("\"email\": \"\"", "\"email\": \"jane@example.com\"");
    std::fs::write(&dump, conflict).unwrap();
    let out = admin.run(&["user", "import", "--format", "django-json", dump_arg], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("entry #1: that email is already taken; nothing was imported"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&admin.run(&["user", "list"], None)).contains("jane2"));

    assert_eq!(
        admin
            .run(&["user", "import", "--format", "csv", dump_arg], None)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn an_unreachable_database_is_one_clear_line() {
    let db = crate::support::db::TestDb::external("postgres://tessera:hunter2@127.0.0.1:9/tessera".into());
    let admin = Admin::with_database(db);
    let out = admin.run(&["migrate"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot open the database at postgres://tessera:***@127.0.0.1:9/tessera"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "the password never shows");
}

#[tokio::test]
async fn serve_stops_gracefully_on_sigterm() {
    let admin = Admin::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let yaml = std::fs::read_to_string(&admin.config).unwrap().replace(
        "issuer: http://127.0.0.1:1",
        &format!("issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}"),
    );
    std::fs::write(&admin.config, yaml).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve"])
        .env("TESSERA_CONFIG", &admin.config)
        .env("CLI_TEST_KEY", TEST_MASTER_KEY)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..200 {
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(up, "server started");
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits promptly")
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn a_broken_theme_template_is_a_config_error_and_jobs_can_be_listed() {
    let admin = Admin::new();
    let theme = tempfile::tempdir().unwrap();
    std::fs::write(theme.path().join("login.html"), "{% if %}broken").unwrap();
    let good = std::fs::read_to_string(&admin.config).unwrap();
    std::fs::write(
        &admin.config,
        format!("{good}theme:\n  dir: {}\n", theme.path().display()),
    )
    .unwrap();
    let out = admin.run(&["check-config"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("template login.html"), "{}", stderr(&out));
    std::fs::write(&admin.config, good).unwrap();

    let list = admin.run(&["jobs", "list", "--state", "dead"], None);
    assert!(list.status.success(), "{}", stderr(&list));
    let bad = admin.run(&["jobs", "list", "--state", "sleeping"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("use queued, running, done or dead"));
    let retry = admin.run(&["jobs", "retry", "no-such-job"], None);
    assert_eq!(retry.status.code(), Some(1));
    assert!(
        admin
            .run(&["jobs", "purge", "--older-than", "1d", "--dead"], None)
            .status
            .success()
    );
}
