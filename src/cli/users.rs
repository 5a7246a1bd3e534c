//! `tessera user …`: create accounts, set passwords, list, import from Django.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use tessera_core::factors::SecondFactorStore;
use tessera_core::identity::IdentityStore;
use tessera_core::password::hash_password;
use tessera_core::person_text::check_person_text;
use tessera_core::store::{GroupStore, SessionStore, ThrottleStore, UserStore};
use tessera_core::{Email, NewUser, User, Username};
use tessera_server::admin;
use tessera_server::config::Config;
use tessera_store::SqlStore;

use super::{CliResult, ConfigArg, Failure, load_config, open_store, rfc3339};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account (its email counts as confirmed: the admin vouches for it). Without
    /// --email, for accounts that will only sign in through an upstream provider.
    Create(CreateArgs),
    /// Set an account's password (ends its sessions and reset links).
    SetPassword {
        #[command(flatten)]
        config: ConfigArg,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Lift the account's login lockout: clears its account-wide count and every
    /// account-and-IP count (not the counts of the IP addresses themselves).
    Unlock {
        #[command(flatten)]
        config: ConfigArg,
        /// The account's username (any case).
        username: String,
    },
    /// Everything about one account: profile, flags, groups, linked providers, sessions.
    Show(Account),
    /// Disable the account: refuse its logins and helpdesk redirects, end its sessions,
    /// revoke its tokens and tell its apps (back-channel logout).
    Disable(Account),
    /// Enable a disabled account again (its old sessions and tokens stay ended).
    Enable(Account),
    /// List the account's sessions (signed-in browsers).
    Sessions(Account),
    /// List the account's second factors: authenticator app, passkeys, recovery codes left.
    Mfa(Account),
    /// Remove every second factor and recovery code of the account, end its sessions (and
    /// tell its apps) and mail the person: for someone who lost their phone and codes.
    ResetMfa(Account),
    /// End every session of the account (and tell its apps); its app tokens stay.
    EndSessions(Account),
    /// Revoke every code, access token and refresh token of the account.
    RevokeTokens(Account),
    /// Delete the account and everything that refers to it (sign-ins, sessions, consents,
    /// tokens, mail links, its unsent mail) in one transaction, and tell its apps
    /// (back-channel logout). Its audit events stay.
    Delete {
        #[command(flatten)]
        account: Account,
        /// Do not ask; needed when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
    },
    /// Set the account's email address, as confirmed (the admin vouches for it).
    SetEmail {
        #[command(flatten)]
        account: Account,
        /// The new address.
        email: String,
    },
    /// Mark the account's current email address as confirmed.
    ConfirmEmail(Account),
    /// Remove the account's sign-in through an upstream provider (every link to it).
    Unlink {
        #[command(flatten)]
        account: Account,
        /// The provider's id in the configuration (`upstreams:`), e.g. twitter.
        provider: String,
    },
    /// Set the staff and superuser flags (a superuser is always staff).
    SetFlags {
        #[command(flatten)]
        account: Account,
        /// true or false; left out, the flag stays as it is.
        #[arg(long)]
        staff: Option<bool>,
        /// true or false; left out, the flag stays as it is.
        #[arg(long)]
        superuser: Option<bool>,
    },
    /// One line (or with --json one JSON object) per account.
    List {
        #[command(flatten)]
        config: ConfigArg,
        #[arg(long)]
        json: bool,
    },
    /// Import accounts from another system.
    Import {
        #[command(flatten)]
        config: ConfigArg,
        /// Input format; `django-json` is Django's `dumpdata auth.User auth.Group` output.
        #[arg(long)]
        format: String,
        /// The source had proven every address (e.g. django-allauth's verified emails):
        /// import them as confirmed, so no one must confirm again before signing in.
        #[arg(long)]
        emails_confirmed: bool,
        file: PathBuf,
    },
}

/// The options of the commands that act on one account.
#[derive(Args)]
pub struct Account {
    #[command(flatten)]
    config: ConfigArg,
    /// The account's username (any case).
    username: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

// `user create`'s options in one struct, so they travel to `create` together. No doc
// comment: the subcommand's help is the one on `UserCommand::Create`.
#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    config: ConfigArg,
    #[arg(long)]
    username: String,
    #[arg(long)]
    email: Option<String>,
    /// Full name; the first word becomes the first name.
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    superuser: bool,
    #[arg(long)]
    staff: bool,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// No password: the account signs in only through upstream providers (or after a
    /// reset by mail).
    #[arg(long, conflicts_with = "password_stdin")]
    no_password: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// From stdin with --password-stdin, else a no-echo prompt on a terminal; never from argv
/// (other users could read it in the process list).
fn read_password(from_stdin: bool) -> CliResult<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::User(format!("cannot read the password from standard input: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::User(
            "no terminal to ask for the password; pass --password-stdin and pipe it in".into(),
        ));
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| Failure::User(e.to_string()))?;
    let again = rpassword::prompt_password("Password (again): ").map_err(|e| Failure::User(e.to_string()))?;
    if first != again {
        return Err(Failure::User("the two passwords differ; nothing was changed".into()));
    }
    Ok(first)
}

pub async fn run(command: UserCommand) -> CliResult {
    match command {
        UserCommand::Create(args) => create(args).await,
        UserCommand::SetPassword {
            config,
            username,
            password_stdin,
        } => set_password(&config, &username, password_stdin).await,
        UserCommand::Unlock { config, username } => unlock(&config, &username).await,
        UserCommand::List { config, json } => list(&config, json).await,
        UserCommand::Show(account) => show(&account).await,
        UserCommand::Sessions(account) => sessions(&account).await,
        UserCommand::Mfa(account) => factors(&account).await,
        UserCommand::ResetMfa(account) => admin_action(&account, Action::ResetMfa).await,
        UserCommand::Disable(account) => admin_action(&account, Action::Disable).await,
        UserCommand::Enable(account) => admin_action(&account, Action::Enable).await,
        UserCommand::EndSessions(account) => admin_action(&account, Action::EndSessions).await,
        UserCommand::RevokeTokens(account) => admin_action(&account, Action::RevokeTokens).await,
        UserCommand::Delete { account, yes } => {
            confirm_deletion(&account.username, yes)?;
            admin_action(&account, Action::Delete).await
        }
        UserCommand::SetEmail { account, email } => {
            let email = parsed_email(&email)?;
            admin_action(&account, Action::SetEmail(email)).await
        }
        UserCommand::ConfirmEmail(account) => admin_action(&account, Action::ConfirmEmail).await,
        UserCommand::Unlink { account, provider } => admin_action(&account, Action::Unlink(provider)).await,
        UserCommand::SetFlags {
            account,
            staff,
            superuser,
        } => admin_action(&account, Action::SetFlags { staff, superuser }).await,
        UserCommand::Import {
            config,
            format,
            emails_confirmed,
            file,
        } => import(&config, &format, emails_confirmed, &file).await,
    }
}

async fn create(args: CreateArgs) -> CliResult {
    let config = load_config(&args.config.config)?;
    let username = Username::parse(&args.username).map_err(|e| Failure::User(format!("--username: {e}")))?;
    let email = args.email.as_deref().map(parsed_email).transpose()?;
    let name = args.name.map(|n| n.trim().to_owned());
    if let Some(name) = &name {
        check_person_text("name", name).map_err(|e| Failure::User(format!("--name: {e}")))?;
    }
    let password = if args.no_password {
        None
    } else {
        let email = email.as_ref().map(Email::as_str);
        Some(acceptable_password(
            &config,
            args.password_stdin,
            username.as_str(),
            email,
        )?)
    };
    let store = open_store(&config).await?;
    let mut new = NewUser::new(username, email);
    if let Some(name) = name {
        let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
        new.first_name = first.to_owned();
        new.last_name = last.trim().to_owned();
    }
    new.email_verified = new.email.is_some();
    new.is_superuser = args.superuser;
    new.is_staff = args.staff || args.superuser;
    new.password_hash = password.map(|p| hashed(&config, &p)).transpose()?;
    let user = store.create_user(&new).await?;
    if args.json {
        println!("{}", json_line(&store, &user, Vec::new()).await?);
    } else {
        println!("created {} ({})", user.username, user.id);
    }
    Ok(())
}

/// An address given on the command line, checked as the pages check one.
fn parsed_email(text: &str) -> CliResult<Email> {
    let email = Email::parse(text).map_err(|e| Failure::User(format!("the email address {text:?}: {e}")))?;
    check_person_text("email address", email.as_str()).map_err(|e| Failure::User(format!("--email: {e}")))?;
    Ok(email)
}

/// Deleting cannot be undone: ask on a terminal, or insist on --yes.
fn confirm_deletion(username: &str, yes: bool) -> CliResult {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::User(format!(
            "deleting {username} cannot be undone; add --yes to delete without being asked"
        )));
    }
    eprint!("Delete {username} and everything that refers to it? Type the username to confirm: ");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::User(format!("cannot read the answer: {e}")))?;
    if line.trim() != username {
        return Err(Failure::User("not confirmed; nothing was deleted".into()));
    }
    Ok(())
}

async fn set_password(config: &ConfigArg, username: &str, password_stdin: bool) -> CliResult {
    let config = load_config(&config.config)?;
    let store = open_store(&config).await?;
    let user = find_user(&store, username).await?;
    let password = acceptable_password(&config, password_stdin, &user.username, user.email.as_deref())?;
    let hash = hashed(&config, &password)?;
    store.set_password(user.id, &hash, None).await?;
    println!("password set for {}; their sessions were ended", user.username);
    Ok(())
}

async fn unlock(config: &ConfigArg, username: &str) -> CliResult {
    let config = load_config(&config.config)?;
    let store = open_store(&config).await?;
    let user = find_user(&store, username).await?;
    let cleared = store.clear_account_throttles(user.id).await?;
    let noun = if cleared == 1 { "count" } else { "counts" };
    println!("unlocked {}; {cleared} failed-login {noun} cleared", user.username);
    Ok(())
}

/// The account `username`, or the error every command gives for an unknown one (exit 1).
async fn find_user(store: &SqlStore, username: &str) -> CliResult<User> {
    store.user_by_username(username).await?.ok_or_else(|| {
        Failure::User(format!(
            "no account with the username {username:?}; tessera user list shows them"
        ))
    })
}

/// The new password for the account `username`, once the config's policy accepts it.
fn acceptable_password(config: &Config, from_stdin: bool, username: &str, email: Option<&str>) -> CliResult<String> {
    let password = read_password(from_stdin)?;
    config
        .password_policy
        .check(&password, username, email)
        .map_err(|why| Failure::User(format!("password refused: {why}")))?;
    Ok(password)
}

fn hashed(config: &Config, password: &str) -> CliResult<String> {
    hash_password(&config.argon2, password).map_err(|e| Failure::Internal(e.to_string()))
}

async fn list(config: &ConfigArg, json: bool) -> CliResult {
    let config = load_config(&config.config)?;
    let store = open_store(&config).await?;
    for user in store.list_users().await? {
        let groups = store.groups_of(user.id).await?;
        if json {
            println!("{}", json_line(&store, &user, groups).await?);
        } else {
            println!("{}", text_line(&user, &groups));
        }
    }
    Ok(())
}

/// The account with its groups and upstream identities, as one JSON object.
async fn json_line(store: &SqlStore, user: &User, groups: Vec<String>) -> CliResult<serde_json::Value> {
    let mut value = serde_json::to_value(user).map_err(|e| Failure::Internal(e.to_string()))?;
    value["groups"] = serde_json::json!(groups);
    let identities: Vec<serde_json::Value> = store
        .identities_of(user.id)
        .await?
        .into_iter()
        .map(|i| serde_json::json!({ "provider": i.provider, "subject": i.subject, "username": i.username }))
        .collect();
    value["identities"] = serde_json::json!(identities);
    Ok(value)
}

/// The address, `(unconfirmed)` after one not yet proven; `-` for none.
fn email_text(user: &User) -> String {
    let verified = if user.email.is_none() || user.email_verified {
        ""
    } else {
        " (unconfirmed)"
    };
    format!("{}{verified}", user.email.as_deref().unwrap_or("-"))
}

/// `USERNAME<TAB>EMAIL<TAB>FLAGS<TAB>groups: GROUPS`, `-` for what is missing.
fn text_line(user: &User, groups: &[String]) -> String {
    let flags: Vec<&str> = [
        (user.is_active, "active"),
        (!user.is_active, "inactive"),
        (user.is_staff, "staff"),
        (user.is_superuser, "superuser"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    format!(
        "{}\t{}\t{}\tgroups: {}",
        user.username,
        email_text(user),
        flags.join(","),
        if groups.is_empty() {
            "-".to_owned()
        } else {
            groups.join(",")
        }
    )
}

async fn import(config: &ConfigArg, format: &str, emails_confirmed: bool, file: &Path) -> CliResult {
    if format != "django-json" {
        return Err(Failure::User(format!(
            "--format {format:?} is not supported; use --format django-json"
        )));
    }
    let config = load_config(&config.config)?;
    let text =
        std::fs::read_to_string(file).map_err(|e| Failure::User(format!("cannot read {}: {e}", file.display())))?;
    let mut accounts = super::django_import::parse(&text).map_err(|problems| Failure::User(problems.join("\n")))?;
    for (_, account) in &mut accounts {
        account.user.email_verified = emails_confirmed && account.user.email.is_some();
    }
    let store = open_store(&config).await?;
    let (entries, accounts): (Vec<usize>, Vec<_>) = accounts.into_iter().unzip();
    let summary = store.import_users(&accounts).await.map_err(|e| {
        let place = e
            .index
            .and_then(|i| entries.get(i))
            .map(|entry| format!("entry #{entry}: "))
            .unwrap_or_default();
        Failure::User(format!("{place}{}; nothing was imported", e.error))
    })?;
    let noun = if accounts.len() == 1 { "account" } else { "accounts" };
    println!(
        "imported {} {noun}: {} created, {} updated",
        accounts.len(),
        summary.created,
        summary.updated
    );
    Ok(())
}

/// `tessera user show`.
async fn show(account: &Account) -> CliResult {
    let config = load_config(&account.config.config)?;
    let store = open_store(&config).await?;
    let user = find_user(&store, &account.username).await?;
    let groups = store.groups_of(user.id).await?;
    let sessions = store.sessions_of(user.id).await?;
    if account.json {
        let mut value = json_line(&store, &user, groups).await?;
        value["sessions"] = serde_json::json!(sessions.len());
        println!("{value}");
        return Ok(());
    }
    let when = |t: Option<time::OffsetDateTime>| t.map_or_else(|| "never".to_owned(), rfc3339);
    let identities = store.identities_of(user.id).await?;
    let linked: Vec<String> = identities
        .iter()
        .map(|i| format!("{} ({})", i.provider, i.subject))
        .collect();
    for (key, value) in [
        ("username", user.username.clone()),
        ("id", user.id.to_string()),
        ("email", email_text(&user)),
        ("name", user.display_name()),
        ("active", yes_no(user.is_active)),
        ("staff", yes_no(user.is_staff)),
        ("superuser", yes_no(user.is_superuser)),
        ("groups", list_or_dash(&groups)),
        ("providers", list_or_dash(&linked)),
        ("joined", rfc3339(user.date_joined)),
        ("last login", when(user.last_login)),
        ("sessions", sessions.len().to_string()),
    ] {
        println!("{key:<11} {value}");
    }
    Ok(())
}

/// `tessera user sessions`: one line (or JSON object) per session, newest first. The session
/// is named by its `sid` (what apps see in ID and logout tokens), never by its cookie.
async fn factors(account: &Account) -> CliResult {
    let config = load_config(&account.config.config)?;
    let store = open_store(&config).await?;
    let user = find_user(&store, &account.username).await?;
    let summary = store.factor_summary(user.id).await?;
    let totp = store.totp_factor(user.id).await?.filter(|t| t.confirmed);
    let passkeys = store.passkeys_of(user.id).await?;
    if account.json {
        let passkeys: Vec<_> = passkeys
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name, "credential_id": p.credential_id, "created_at": rfc3339(p.created_at),
                    "last_used_at": p.last_used_at.map(rfc3339),
                })
            })
            .collect();
        let line = serde_json::json!({
            "user": user.username,
            "totp": totp.as_ref().map(|t| serde_json::json!({ "created_at": rfc3339(t.created_at) })),
            "recovery_codes_left": summary.recovery_codes_left,
            "passkeys": passkeys,
        });
        println!("{line}");
        return Ok(());
    }
    match &totp {
        Some(t) => println!("authenticator app	since {}", rfc3339(t.created_at)),
        None => println!("authenticator app	none"),
    }
    println!("recovery codes	{} unused", summary.recovery_codes_left);
    for p in &passkeys {
        let used = p
            .last_used_at
            .map_or_else(|| "never used".to_owned(), |t| format!("last used {}", rfc3339(t)));
        println!(
            "passkey	{}	added {}	{used}	{}",
            p.name,
            rfc3339(p.created_at),
            p.credential_id
        );
    }
    if passkeys.is_empty() {
        println!("passkeys	none");
    }
    Ok(())
}

async fn sessions(account: &Account) -> CliResult {
    let config = load_config(&account.config.config)?;
    let store = open_store(&config).await?;
    let user = find_user(&store, &account.username).await?;
    for s in store.sessions_of(user.id).await? {
        let sid = tessera_oidc::provider::sid_of(&s.id_digest);
        let (created, seen, expires) = (rfc3339(s.created_at), rfc3339(s.last_seen_at), rfc3339(s.expires_at));
        if account.json {
            let line = serde_json::json!({
                "sid": sid, "created_at": created, "last_seen_at": seen, "expires_at": expires,
                "auth_time": rfc3339(s.auth_time), "amr": s.amr,
            });
            println!("{line}");
        } else {
            println!(
                "{sid}\tcreated {created}\tlast seen {seen}\texpires {expires}\t{}",
                s.amr
            );
        }
    }
    Ok(())
}

/// The changes `admin_action` makes.
enum Action {
    Disable,
    Enable,
    EndSessions,
    RevokeTokens,
    SetFlags {
        staff: Option<bool>,
        superuser: Option<bool>,
    },
    Delete,
    SetEmail(Email),
    ConfirmEmail,
    Unlink(String),
    ResetMfa,
}

/// Runs one change through `tessera_server::admin` and prints what it did.
async fn admin_action(account: &Account, action: Action) -> CliResult {
    let config = load_config(&account.config.config)?;
    let store = open_store(&config).await?;
    let user = find_user(&store, &account.username).await?;
    let state = tessera_server::build_state(config, store).map_err(|e| Failure::Internal(format!("{e:#}")))?;
    let name = user.username.clone();
    let (text, value) = match action {
        Action::Disable => {
            let (_, ended) = admin::disable(&state, &user).await?;
            (
                format!("disabled {name}; {}", ended_text(&ended)),
                serde_json::json!({ "disabled": name, "ended": ended }),
            )
        }
        Action::Enable => {
            admin::enable(&state, &user).await?;
            (format!("enabled {name}"), serde_json::json!({ "enabled": name }))
        }
        Action::EndSessions => {
            let ended = admin::end_sessions(&state, &user).await?;
            (
                format!("{name}: {}", ended_text(&ended)),
                serde_json::json!({ "user": name, "ended": ended }),
            )
        }
        Action::ResetMfa => {
            let (removed, ended) = admin::reset_mfa(&state, &user).await?;
            let text = format!(
                "{name}: removed {} authenticator app{}, {} passkey{}, {} unused recovery code{}; {}",
                u8::from(removed.totp),
                if removed.totp { "" } else { "s" },
                removed.passkeys,
                if removed.passkeys == 1 { "" } else { "s" },
                removed.recovery_codes,
                if removed.recovery_codes == 1 { "" } else { "s" },
                ended_text(&ended)
            );
            let value = serde_json::json!({
                "user": name, "totp": removed.totp, "passkeys": removed.passkeys,
                "recovery_codes": removed.recovery_codes, "ended": ended,
            });
            (text, value)
        }
        Action::RevokeTokens => {
            admin::revoke_tokens(&state, &user).await?;
            (
                format!("revoked every code and token of {name}"),
                serde_json::json!({ "user": name, "tokens_revoked": true }),
            )
        }
        Action::SetFlags { staff, superuser } => {
            let user = admin::set_flags(&state, &user, staff, superuser).await?;
            let text = format!(
                "{name}: staff {}, superuser {}",
                yes_no(user.is_staff),
                yes_no(user.is_superuser)
            );
            (
                text,
                serde_json::json!({ "user": name, "is_staff": user.is_staff, "is_superuser": user.is_superuser }),
            )
        }
        Action::Delete => {
            let ended = admin::delete(&state, &user).await?;
            (
                format!("deleted {name}; {}", ended_text(&ended)),
                serde_json::json!({ "deleted": name, "id": user.id, "ended": ended }),
            )
        }
        Action::SetEmail(email) => {
            let user = admin::set_email(&state, &user, &email).await.map_err(taken_address)?;
            (
                format!("{name}: email {}", email_text(&user)),
                serde_json::json!({ "user": name, "email": user.email, "email_verified": user.email_verified }),
            )
        }
        Action::ConfirmEmail => {
            let user = admin::confirm_email(&state, &user).await.map_err(taken_address)?;
            (
                format!("{name}: email {} confirmed", email_text(&user)),
                serde_json::json!({ "user": name, "email": user.email, "email_verified": user.email_verified }),
            )
        }
        Action::Unlink(provider) => {
            let removed = admin::unlink(&state, &user, &provider).await?;
            if removed.is_empty() {
                return Err(Failure::User(format!(
                    "{name} has no sign-in through {provider:?}; tessera user show {name} lists their providers"
                )));
            }
            (
                format!("{name}: sign-in through {provider} removed ({})", removed.join(", ")),
                serde_json::json!({ "user": name, "provider": provider, "subjects": removed }),
            )
        }
    };
    println!("{}", if account.json { value.to_string() } else { text });
    Ok(())
}

/// Another account proved the address: say so in the person's terms.
fn taken_address(e: tessera_core::store::StoreError) -> Failure {
    match e {
        tessera_core::store::StoreError::Conflict { .. } => {
            Failure::User("another account has confirmed that email address; nothing was changed".into())
        }
        tessera_core::store::StoreError::NotFound(_) => Failure::User("the account has no email address".into()),
        other => other.into(),
    }
}

fn ended_text(ended: &admin::Ended) -> String {
    let sessions = if ended.sessions == 1 { "session" } else { "sessions" };
    let apps = if ended.backchannel_logouts == 1 {
        "logout"
    } else {
        "logouts"
    };
    format!(
        "{} {sessions} ended, {} back-channel {apps} queued",
        ended.sessions, ended.backchannel_logouts
    )
}

fn yes_no(on: bool) -> String {
    (if on { "yes" } else { "no" }).to_owned()
}

fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}
