//! The local account: Django's `auth.User` fields plus free-form attributes for apps that
//! need more profile data, and named groups. The local account, not any upstream, is what
//! Tessera owns.

use std::fmt;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Email, Username};

/// Stable, never reused: it becomes the OIDC `sub`, so it is a random UUID, not a row number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl UserId {
    pub fn new() -> Self {
        // v4, not v7: the id is the OIDC `sub` and must not reveal when the account was made.
        Self(Uuid::new_v4())
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    /// A new address the person asked for, waiting for its confirmation link; until then
    /// `email` stays the login and reset address.
    pub pending_email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    /// Hybrid registration: inactive until the person connects an upstream account. Never
    /// set on an account an admin disabled, so activation cannot re-enable one.
    pub awaiting_activation: bool,
    #[serde(skip)]
    pub password_hash: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub date_joined: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login: Option<OffsetDateTime>,
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl User {
    /// "First Last", or the username when neither is set (what helpdesks and apps show).
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let full = full.trim();
        if full.is_empty() {
            self.username.clone()
        } else {
            full.to_owned()
        }
    }
}

/// Everything needed to insert an account; the types are the proof the fields were validated.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub id: UserId,
    pub username: Username,
    pub email: Option<Email>,
    pub email_verified: bool,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    /// See [`User::awaiting_activation`].
    pub awaiting_activation: bool,
    pub password_hash: Option<String>,
    pub date_joined: OffsetDateTime,
    pub last_login: Option<OffsetDateTime>,
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl NewUser {
    /// A plain, active, non-staff account joined now.
    pub fn new(username: Username, email: Option<Email>) -> Self {
        Self {
            id: UserId::new(),
            username,
            email,
            email_verified: false,
            first_name: String::new(),
            last_name: String::new(),
            is_active: true,
            is_staff: false,
            is_superuser: false,
            awaiting_activation: false,
            password_hash: None,
            date_joined: OffsetDateTime::now_utc(),
            last_login: None,
            attributes: serde_json::Map::new(),
        }
    }
}

/// The names a person may edit on their own account page. The address is not here: a new
/// address is only requested (`UserStore::request_email_change`) and takes effect once
/// its confirmation link is used.
#[derive(Clone, Debug)]
pub struct ProfileUpdate {
    pub first_name: String,
    pub last_name: String,
}

pub const MAX_NAME_LEN: usize = 150;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Group {
    pub name: String,
    pub members: Vec<String>,
}

/// Group names appear in the `groups` claim and in access rules, so keep them plain.
pub fn check_group_name(name: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
    if name.is_empty() || name.chars().count() > 80 {
        Err("group names are 1 to 80 characters".into())
    } else if !name.chars().all(ok_char) {
        Err("group names may contain only letters, digits and - _ . :".into())
    } else {
        Ok(())
    }
}
