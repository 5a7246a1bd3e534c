//! Reads Django's `manage.py dumpdata auth.User auth.Group` JSON. Every entry is checked
//! before anything is written; problems are reported with the entry's 0-based index.

use serde::Deserialize;
use std::collections::HashMap;
use tessera_core::person_text::check_person_text;
use tessera_core::store::ImportedAccount;
use tessera_core::{Email, NewUser, UserId, Username};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};

#[derive(Deserialize)]
struct Entry {
    model: String,
    pk: Option<serde_json::Value>,
    fields: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct DjangoUser {
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default = "yes")]
    is_active: bool,
    #[serde(default)]
    is_staff: bool,
    #[serde(default)]
    is_superuser: bool,
    date_joined: Option<String>,
    last_login: Option<String>,
    #[serde(default)]
    groups: Vec<serde_json::Value>,
}

fn yes() -> bool {
    true
}

/// Django writes aware times as RFC 3339; with USE_TZ off it writes naive ones (taken as UTC).
fn django_time(raw: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(raw, &Rfc3339)
        .or_else(|_| {
            let naive = time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
            );
            PrimitiveDateTime::parse(raw, naive).map(|t| t.assume_utc())
        })
        .map_err(|_| format!("{raw:?} is not a date and time"))
}

/// Django's password field as Tessera stores it: pbkdf2 strings as they are (verified and
/// upgraded at the first login), Django's `argon2$argon2id$…` as its PHC string, unusable
/// passwords (`!…`, empty) as none.
fn password_hash(raw: &str) -> Result<Option<String>, String> {
    if raw.is_empty() || raw.starts_with('!') {
        Ok(None)
    } else if raw.starts_with("pbkdf2_sha256$") {
        Ok(Some(raw.to_owned()))
    } else if raw.starts_with("argon2$argon2") {
        // Django writes "argon2" + the PHC string ("$argon2id$v=19$…").
        Ok(Some(raw["argon2".len()..].to_owned()))
    } else {
        let algorithm = raw.split('$').next().unwrap_or_default();
        Err(format!(
            "password hashes of type {algorithm:?} cannot be imported (supported: pbkdf2_sha256, argon2)"
        ))
    }
}

fn account(
    fields: serde_json::Map<String, serde_json::Value>,
    group_names: &HashMap<String, String>,
) -> Result<ImportedAccount, String> {
    let d: DjangoUser = serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| e.to_string())?;
    let username = Username::parse(&d.username).map_err(|e| format!("username {:?}: {e}", d.username))?;
    let email = if d.email.trim().is_empty() {
        None
    } else {
        Some(Email::parse(&d.email).map_err(|e| format!("email {:?}: {e}", d.email))?)
    };
    for (field, value) in [
        ("first name", &d.first_name),
        ("last name", &d.last_name),
        ("email address", &d.email),
    ] {
        check_person_text(field, value).map_err(|e| e.to_string())?;
    }
    let mut user = NewUser::new(username, email);
    user.id = UserId::new();
    user.first_name = d.first_name;
    user.last_name = d.last_name;
    user.is_active = d.is_active;
    user.is_staff = d.is_staff;
    user.is_superuser = d.is_superuser;
    user.password_hash = password_hash(&d.password)?;
    if let Some(joined) = d.date_joined.as_deref() {
        user.date_joined = django_time(joined)?;
    }
    user.last_login = d.last_login.as_deref().map(django_time).transpose()?;
    let groups = d
        .groups
        .iter()
        .map(|g| match g {
            serde_json::Value::String(name) => Ok(name.clone()),
            // `dumpdata --natural-foreign` writes a group as its natural key: ["name"].
            serde_json::Value::Array(key) if key.len() == 1 && key[0].is_string() => {
                Ok(key[0].as_str().unwrap_or_default().to_owned())
            }
            other => group_names
                .get(&other.to_string())
                .cloned()
                .ok_or_else(|| format!("group {other} is not in the file; dump auth.Group too")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    for group in &groups {
        tessera_core::account::check_group_name(group).map_err(|why| format!("group {group:?}: {why}"))?;
    }
    Ok(ImportedAccount { user, groups })
}

/// The accounts, each with the 0-based index of its entry in the file (for messages).
pub fn parse(text: &str) -> Result<Vec<(usize, ImportedAccount)>, Vec<String>> {
    let entries: Vec<Entry> =
        serde_json::from_str(text).map_err(|e| vec![format!("the file is not Django dumpdata JSON: {e}")])?;
    let group_names: HashMap<String, String> = entries
        .iter()
        .filter(|e| e.model == "auth.group")
        .filter_map(|e| Some((e.pk.as_ref()?.to_string(), e.fields.get("name")?.as_str()?.to_owned())))
        .collect();
    let mut accounts = Vec::new();
    let mut problems = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        match entry.model.as_str() {
            "auth.user" => match account(entry.fields, &group_names) {
                Ok(a) => accounts.push((index, a)),
                Err(why) => problems.push(format!("entry #{index}: {why}")),
            },
            "auth.group" => {}
            other => problems.push(format!(
                "entry #{index}: model {other:?} is not supported; export with `dumpdata auth.User auth.Group`"
            )),
        }
    }
    if problems.is_empty() {
        Ok(accounts)
    } else {
        Err(problems)
    }
}
