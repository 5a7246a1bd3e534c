//! The `tessera` binary as an admin uses it: real process, real config file, real database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::db::fresh_sqlite;
use crate::support::people::FAST_PASSWORDS;
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

    /// An admin on `db`, migrated as `tessera migrate` does before anything else.
    fn with_database(db: crate::support::db::TestDb) -> Self {
        let admin = Self::on(db);
        let migrated = admin.run(&["migrate"], None);
        assert!(migrated.status.success(), "migrate: {}", stderr(&migrated));
        admin
    }

    /// An admin on a database no one has migrated.
    fn unmigrated() -> Self {
        Self::on(fresh_sqlite())
    }

    fn on(db: crate::support::db::TestDb) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("tessera.yaml");
        let yaml = format!(
            "issuer: http://127.0.0.1:1\ndatabase:\n  url: {}\nsecrets:\n  master_key: ${{CLI_TEST_KEY}}\n{FAST_PASSWORDS}",
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

pub(crate) const DJANGO_DUMP: &str = r#"[
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

    // A conflict found by the database also rolls everything back (an address repeated in
    // the dump is not one: only proven addresses are unique; a username that is another
    // account's address is).
    let conflict = DJANGO_DUMP
        .replace("\"username\": \"jane\"", "\"username\": \"jane2\"")
        .replace("\"username\": \"bob\"", "\"username\": \"jane@example.com\"");
    std::fs::write(&dump, conflict).unwrap();
    let out = admin.run(&["user", "import", "--format", "django-json", dump_arg], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("entry #2: that username is already taken; nothing was imported"),
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
    let admin = Admin::on(db);
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
    // No metrics listener: the default port may be taken by another run on this machine.
    let yaml = std::fs::read_to_string(&admin.config).unwrap().replace(
        "issuer: http://127.0.0.1:1",
        &format!("issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}\nmetrics:\n  listen: off"),
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

#[test]
fn user_create_and_import_refuse_look_alike_usernames_and_unsafe_names() {
    let admin = Admin::new();
    let create = |username: &str, email: &str, name: &str| {
        let args = [
            "user",
            "create",
            "--username",
            username,
            "--email",
            email,
            "--name",
            name,
            "--password-stdin",
        ];
        admin.run(&args, Some("a long admin passphrase\n"))
    };
    let out = create("admin", "admin@example.com", "Ada Lovelace");
    assert!(out.status.success(), "{}", stderr(&out));

    let look_alike = create("аdmin", "cyrillic@example.com", "Eve");
    assert_eq!(look_alike.status.code(), Some(1), "Cyrillic а: {}", stderr(&look_alike));
    assert_eq!(stderr(&look_alike).trim(), "error: that username is already taken");
    let fullwidth = create("ａｄｍｉｎ", "fullwidth@example.com", "Eve");
    assert_eq!(fullwidth.status.code(), Some(1), "{}", stderr(&fullwidth));

    let forged = create("eve", "eve@example.com", "Eve\nAdmin");
    assert_eq!(forged.status.code(), Some(1));
    assert_eq!(
        stderr(&forged).trim(),
        "error: --name: the name contains a line break (U+000A); remove it and try again"
    );
    let reversed = create("eve", "eve\u{202E}@example.com", "Eve");
    assert_eq!(reversed.status.code(), Some(1));
    assert!(stderr(&reversed).contains("--email: the email address contains a text-direction control (U+202E)"));
    assert!(
        !stdout(&admin.run(&["user", "list"], None)).contains("eve"),
        "nothing was created"
    );

    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("users.json");
    let dump_arg = dump.to_str().unwrap();
    let import = |text: String| {
        std::fs::write(&dump, text).unwrap();
        admin.run(&["user", "import", "--format", "django-json", dump_arg], None)
    };
    let out = import(DJANGO_DUMP.replace("\"first_name\": \"Jane\"", "\"first_name\": \"Jane\\u202e\""));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "error: entry #1: the first name contains a text-direction control (U+202E); remove it and try again"
    );
    let out = import(DJANGO_DUMP.replace("\"username\": \"jane\"", "\"username\": \"аdmin\""));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "error: entry #1: that username is already taken; nothing was imported"
    );
    assert_eq!(
        stdout(&admin.run(&["user", "list"], None)).lines().count(),
        1,
        "only admin exists"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port() // closed again at once
}

/// A real `tessera serve` on a free loopback port, its standard error captured.
struct Served {
    base: String,
    child: tokio::process::Child,
    _admin: Admin,
}

/// Starts `tessera serve` with `extra` appended to the config and waits until it answers.
async fn serve_with(extra: &str) -> Served {
    let admin = Admin::new();
    let port = free_port();
    let yaml = std::fs::read_to_string(&admin.config).unwrap().replace(
        "issuer: http://127.0.0.1:1",
        &format!("issuer: http://127.0.0.1:{port}\nlisten: 127.0.0.1:{port}\n{extra}"),
    );
    std::fs::write(&admin.config, yaml).unwrap();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve"])
        .env("TESSERA_CONFIG", &admin.config)
        .env("CLI_TEST_KEY", TEST_MASTER_KEY)
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let served = Served {
        base: format!("http://127.0.0.1:{port}"),
        child,
        _admin: admin,
    };
    for _ in 0..200 {
        if reqwest::get(format!("{}/healthz", served.base)).await.is_ok() {
            return served;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("tessera serve did not start");
}

/// Stops the server with SIGTERM and returns what it logged.
async fn stop(served: Served) -> String {
    let pid = served.child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let output = tokio::time::timeout(std::time::Duration::from_secs(10), served.child.wait_with_output())
        .await
        .expect("exits promptly")
        .unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn serve_logs_a_forged_line_from_a_helpdesk_escaped_on_its_own_line() {
    let served = serve_with(
        "metrics:\n  listen: off\nremote_auth:\n  - { id: zendesk, kind: zendesk_md5, allow_legacy_md5: true, \
         url: 'https://example.zendesk.com', secret: s3cret }\n",
    )
    .await;
    // CWE-117: the helpdesk's error message is logged; its line break must not start a line.
    let forged = "2099-01-01T00:00:00.000000Z  INFO tessera: admin signed in as root";
    let attack = format!("x\n{forged}\r\u{1b}[2K");
    let url = format!(
        "{}/remote-auth/zendesk/logout?kind=error&message={}",
        served.base,
        urlencoding::encode(&attack)
    );
    let answer = reqwest::get(&url).await.unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::BAD_REQUEST);

    let log = stop(served).await;
    assert!(log.contains("helpdesk reported a sign-in error"), "{log}");
    assert!(
        !log.lines().any(|l| l.starts_with(forged)),
        "a forged line got into the log:\n{log}"
    );
    assert!(
        !log.contains('\u{1b}') && !log.contains('\r'),
        "raw controls in the log: {log:?}"
    );
    assert!(
        log.contains(&format!(r"x\n{forged}\r\u{{1b}}[2K")),
        "the message is shown escaped:\n{log}"
    );
}

#[tokio::test]
async fn serve_answers_metrics_on_their_own_port_only() {
    let metrics_port = free_port();
    let served = serve_with(&format!("metrics:\n  listen: 127.0.0.1:{metrics_port}\n")).await;
    let main = reqwest::get(format!("{}/metrics", served.base)).await.unwrap();
    assert_eq!(
        main.status(),
        reqwest::StatusCode::NOT_FOUND,
        "no /metrics on the main port"
    );
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .await
        .unwrap();
    assert_eq!(metrics.status(), reqwest::StatusCode::OK);
    assert!(metrics.text().await.unwrap().contains("# TYPE tessera_jobs gauge"));
    let log = stop(served).await;
    assert!(log.contains(&format!("address=127.0.0.1:{metrics_port}")), "{log}");
}

#[test]
fn check_config_refuses_legacy_md5_unless_allowed_and_then_warns() {
    let admin = Admin::new();
    let base = std::fs::read_to_string(&admin.config).unwrap();
    let target =
        "remote_auth:\n  - id: support\n    kind: zendesk_md5\n    url: https://example.zendesk.com\n    secret: s\n";

    std::fs::write(&admin.config, format!("{base}{target}")).unwrap();
    let refused = admin.run(&["check-config"], None);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("allow_legacy_md5: true"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("zendesk_jwt (recommended)"),
        "{}",
        stderr(&refused)
    );

    std::fs::write(&admin.config, format!("{base}{target}    allow_legacy_md5: true\n")).unwrap();
    let allowed = admin.run(&["check-config"], None);
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    assert!(stdout(&allowed).ends_with(": ok\n"), "{}", stdout(&allowed));
    let file = admin.config.display().to_string();
    let warning = stderr(&allowed);
    let line = base.lines().count() + 6;
    assert!(
        warning.starts_with(&format!("warning: {file}:{line}:")),
        "FILE:LINE:COL of the allow_legacy_md5 key: {warning}"
    );
    assert!(
        warning.contains("MD5 over fields joined without separators"),
        "{warning}"
    );
    assert!(warning.contains("switch it to zendesk_jwt"), "{warning}");
    assert_eq!(warning.lines().count(), 1, "{warning}");
}

/// `check-config` on `yaml` (after the minimal keys) in a file of its own: exit code, stderr.
fn check(yaml: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(
        &path,
        format!("issuer: http://127.0.0.1:8080\ndatabase:\n  url: sqlite://x.db\nsecrets:\n  master_key: ${{CLI_TEST_KEY}}\n{yaml}"),
    )
    .unwrap();
    let out = tessera(&path, &["check-config"], None);
    (out.status.code(), stderr(&out), path.display().to_string())
}

#[test]
fn check_config_names_the_key_path_of_a_structure_problem_at_file_line_col() {
    let (code, err, file) = check("email:\n  transport:\n    kind: smtp\n    host: mail.example\n    port: seventy\n");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err,
        format!("{file}:10:11: email.transport.port: expected a whole number, got \"seventy\"\n")
    );

    let (code, err, file) = check("registration:\n  mode: open\n  mode: closed\nissuer: http://127.0.0.1:8081\n");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err,
        format!(
            "{file}:8:3: the key \"registration.mode\" appears twice (first at line 7); keep one\n\
             {file}:9:1: the key \"issuer\" appears twice (first at line 1); keep one\n"
        )
    );

    let (code, err, file) = check("logging:\n  colour: true\n");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err,
        format!("{file}:7:3: logging.colour: unknown key; logging takes format, level\n")
    );
}

#[test]
fn check_config_refuses_keys_that_contradict_each_other_and_overlong_durations() {
    let (code, err, file) = check("sessions:\n  idle_timeout: 30d\n  absolute_timeout: 14d\n");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err,
        format!(
            "{file}:7:17: sessions.idle_timeout (30d) is longer than sessions.absolute_timeout (14d), so it can \
             never apply: make sessions.idle_timeout at most 14d, or raise sessions.absolute_timeout\n"
        )
    );
    let (code, err, file) = check("oidc:\n  key_rotation: 1h\n  key_publish_before: 1h\n");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with(&format!(
            "{file}:7:17: oidc.key_rotation (1h) is shorter than oidc.key_publish_before (1h)"
        )),
        "{err}"
    );
    for long in ["999999999999999999d", "18446744073709551615s"] {
        let (code, err, file) = check(&format!("links:\n  reset_password_ttl: {long}\n"));
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(
            err,
            format!(
                "{file}:7:23: links.reset_password_ttl: \"{long}\" is too long; the longest duration is 36525d (100 years)\n"
            )
        );
    }
    // A warning leaves the file valid.
    let (code, err, file) = check("oidc:\n  key_publish_before: 1m\n");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.starts_with(&format!(
            "warning: {file}:7:23: oidc.key_publish_before (1m) is shorter than 6m"
        )),
        "{err}"
    );
}

/// Every duration at the longest the configuration accepts together.
const LONGEST_DURATIONS: &str = "sessions:\n  idle_timeout: 400d\n  absolute_timeout: 400d\n  upstream_login_ttl: 36525d\n\
server:\n  header_read_timeout: 5m\n  shutdown_deadline: 1h\n  cleanup_interval: 1d\n\
links:\n  confirm_email_ttl: 36525d\n  reset_password_ttl: 36525d\n\
jobs:\n  lease: 36525d\n  poll_interval: 36525d\n  retention: 36525d\n\
actions:\n  welcome_email: true\n  followup_email:\n    after: 36525d\n\
oidc:\n  authorization_ttl: 36525d\n  code_ttl: 36525d\n  code_replay_window: 36525d\n  access_token_ttl: 36524d\n  id_token_ttl: 36524d\n  refresh_token_ttl: 36525d\n  refresh_token_idle: 36525d\n  key_rotation: 36525d\n  key_publish_before: 1d\n\
security:\n  throttle:\n    login_window: 36525d\n    login_delay_base: 36525d\n    login_delay_max: 36525d\n    login_pair_lockout: 36525d\n    login_ip_lockout: 36525d\n    login_account_lockout: 36525d\n    client_lockout: 36525d\n    code_lockout: 36525d\n    mail_window: 36525d\n    helpdesk_window: 36525d\n\
clients:\n  - id: svc\n    secret: svc-secret-0123456789abcdef\n    redirect_uris: ['http://127.0.0.1:9/cb']\n    grant_types: [client_credentials]\n    scopes: [profile]\n";

/// A server with every duration at its longest starts, makes and rotates its signing keys,
/// signs a person in, issues a token and counts failures without any of the arithmetic on
/// those durations panicking.
#[tokio::test]
async fn the_longest_durations_run_a_server_without_overflow() {
    use crate::support::people::{PASSWORD, person, signed_in};
    use crate::support::server::TestServer;
    let server = TestServer::start_configured(&format!("{FAST_PASSWORDS}{LONGEST_DURATIONS}")).await;
    let token = || {
        crate::oidc::token_request(
            &server,
            Some(("svc", "svc-secret-0123456789abcdef")),
            &[("grant_type", "client_credentials"), ("scope", "profile")],
        )
    };
    // The first key exists (a century-long rotation still makes it) and signs.
    let (status, answer, _) = token().await;
    assert_eq!(status, reqwest::StatusCode::OK, "{answer}");
    assert_eq!(answer["expires_in"], 36_524_u64 * 86_400);
    let policy = tessera_server::oidc::key_policy(&server.state.config);
    let rotated = server.state.provider.keys().maintain(&policy, true).await.unwrap();
    assert!(!rotated.is_empty(), "a forced rotation makes keys");
    person("ann")
        .email("ann@example.com")
        .confirmed()
        .password(PASSWORD)
        .create(&server)
        .await;
    let browser = signed_in(&server, "ann", PASSWORD).await;
    let account = browser.get(server.url("/account")).send().await.unwrap();
    assert!(account.status().is_success(), "{}", account.status());
    let (status, answer, _) = token().await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "the old key signs until the new one is due: {answer}"
    );
    // A wrong password delays by the (century-long) base delay: counted, never overflowed.
    let wrong = crate::support::people::log_in(&server, &crate::support::server::browser(), "ann", "wrong", None).await;
    assert!(
        wrong.status().is_client_error() || wrong.status().is_success(),
        "{}",
        wrong.status()
    );
    let jwks = reqwest::get(server.url("/jwks")).await.unwrap();
    assert!(jwks.status().is_success());
}

/// What a later release's `tessera migrate` leaves behind: a migration this one lacks.
const FUTURE_MIGRATION: &str = "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
     SELECT 9999, 'from the future', installed_on, TRUE, checksum, 0 FROM _sqlx_migrations WHERE version = 1";

#[tokio::test]
async fn only_migrate_changes_the_schema_and_every_other_command_refuses_a_mismatch() {
    let admin = Admin::unmigrated();
    // Older (here: empty) schema: commands and serve refuse with exit 4, saying what to run.
    for args in [&["user", "list"][..], &["keys", "list"], &["audit", "list"], &["serve"]] {
        let out = admin.run(args, None);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("the database schema is older than this tessera: migration 0001 (accounts)")
                && stderr(&out).contains("run `tessera migrate`"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let status = stdout(&admin.run(&["migrate", "--status"], None));
    assert!(status.lines().all(|l| l.contains("\tpending\t")), "{status}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&admin.run(&["migrate", "--status", "--json"], None))).unwrap();
    assert!(json["migrations"].as_array().unwrap().len() >= 9, "{json}");
    let dry = admin.run(&["migrate", "--dry-run"], None);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).starts_with("would apply 0001 accounts"),
        "{}",
        stdout(&dry)
    );
    assert_eq!(
        admin.run(&["user", "list"], None).status.code(),
        Some(4),
        "a dry run changes nothing"
    );

    let applied = admin.run(&["migrate"], None);
    assert!(
        stdout(&applied).ends_with("migrations applied\n"),
        "{}",
        stdout(&applied)
    );
    assert!(admin.run(&["user", "list"], None).status.success());
    assert_eq!(
        stdout(&admin.run(&["migrate"], None)).trim(),
        "the schema is up to date; nothing to apply"
    );
    let status = stdout(&admin.run(&["migrate", "--status"], None));
    assert!(status.lines().all(|l| l.contains("\tapplied\t")), "{status}");

    // Newer: a later release migrated the database. Everything refuses, migrate included.
    crate::support::db::execute(&admin._db.url, FUTURE_MIGRATION, &[]).await;
    for args in [&["user", "list"][..], &["migrate"], &["serve", "--migrate"]] {
        let out = admin.run(args, None);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("the database schema is newer than this tessera: it has migration 9999"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(stdout(&admin.run(&["migrate", "--status"], None)).contains("9999\tunknown to this release"));
}

#[tokio::test]
async fn readiness_is_503_on_a_schema_mismatch() {
    let server = crate::support::server::TestServer::start().await;
    let ready = reqwest::get(server.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), reqwest::StatusCode::OK);
    server.execute_sql(FUTURE_MIGRATION, &[]).await;
    let ready = reqwest::get(server.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.text().await.unwrap(), "database schema mismatch");
}
