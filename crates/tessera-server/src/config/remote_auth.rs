//! `remote_auth:` targets (helpdesks that sign people in through Tessera).

use tessera_remote_auth::{Secret, TargetKind};
use url::Url;

use super::Checker;
use super::raw::RawRemoteAuth;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalIdSource {
    Username,
    UserId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampSource {
    /// Zendesk's legacy schemes sign the timestamp Zendesk sent; none sent is an error.
    Request,
    /// Use the current time when the helpdesk sent none (login started on our side).
    Now,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessRule {
    Everyone,
    Staff,
    /// Members of any of these groups (staff are not let in by default: agents are a group).
    Groups(Vec<String>),
}

/// Which user attributes feed the optional helpdesk fields.
#[derive(Clone, Debug, Default)]
pub struct AttributeMap {
    pub organization: Option<String>,
    pub tags: Option<String>,
    pub role: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug)]
pub struct RemoteAuthTarget {
    pub id: String,
    pub kind: TargetKind,
    pub url: Url,
    pub secret: Secret,
    pub external_id: ExternalIdSource,
    pub timestamp: TimestampSource,
    /// Zendesk JWT only: deliver with an auto-submitting POST form (Zendesk's preference).
    pub post_form: bool,
    pub access: AccessRule,
    pub attributes: AttributeMap,
    pub logout_ends_session: bool,
}

pub(super) fn targets(raw: &[RawRemoteAuth], c: &mut Checker) -> Vec<RemoteAuthTarget> {
    let mut seen = std::collections::HashSet::new();
    raw.iter().filter_map(|t| target(t, c, &mut seen)).collect()
}

fn target(
    t: &RawRemoteAuth,
    c: &mut Checker,
    seen: &mut std::collections::HashSet<String>,
) -> Option<RemoteAuthTarget> {
    let id = c.parsed("remote_auth.id", &t.id, |id| {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
        if ok {
            Ok(id.to_owned())
        } else {
            Err(format!(
                "{id:?} must be 1-64 letters, digits, - or _ (it appears in URLs)"
            ))
        }
    });
    if let Some(id) = &id
        && !seen.insert(id.clone())
    {
        c.problem(&t.id, format!("remote_auth.id: {id:?} is used twice"));
    }
    let kind = c.parsed("remote_auth.kind", &t.kind, |k| {
        k.parse::<TargetKind>().map_err(|e| e.to_string())
    });
    let url = c.url("remote_auth.url", &t.url).and_then(|u| {
        if u.username().is_empty() && u.password().is_none() && u.query().is_none() && u.fragment().is_none() {
            Some(u)
        } else {
            c.problem(
                &t.url,
                "remote_auth.url: give the helpdesk's base URL only, without user name, password, query or fragment",
            );
            None
        }
    });
    let secret = c.parsed("remote_auth.secret", &t.secret, |s| {
        if s.trim().is_empty() {
            Err("is empty; paste the shared secret from the helpdesk's admin settings".into())
        } else {
            Ok(Secret::new(s))
        }
    });
    let external_id = t
        .external_id
        .as_ref()
        .map(|v| {
            c.choice(
                "remote_auth.external_id",
                v,
                &[
                    ("username", ExternalIdSource::Username),
                    ("user_id", ExternalIdSource::UserId),
                ],
            )
        })
        .unwrap_or(Some(ExternalIdSource::Username));
    let timestamp = t
        .timestamp
        .as_ref()
        .map(|v| {
            c.choice(
                "remote_auth.timestamp",
                v,
                &[("request", TimestampSource::Request), ("now", TimestampSource::Now)],
            )
        })
        .unwrap_or(Some(TimestampSource::Request));
    let post_form = t
        .delivery
        .as_ref()
        .map(|v| c.choice("remote_auth.delivery", v, &[("post", true), ("get", false)]))
        .unwrap_or(Some(true));
    #[derive(Clone, Copy)]
    enum Allow {
        Everyone,
        Staff,
        Groups,
    }
    let allow = t
        .allow
        .as_ref()
        .map(|v| {
            c.choice(
                "remote_auth.allow",
                v,
                &[
                    ("everyone", Allow::Everyone),
                    ("staff", Allow::Staff),
                    ("groups", Allow::Groups),
                ],
            )
        })
        .unwrap_or(Some(Allow::Everyone));
    let groups: Vec<String> = t
        .groups
        .iter()
        .flatten()
        .filter_map(|g| c.text("remote_auth.groups", g))
        .collect();
    let access = match allow {
        Some(Allow::Everyone) => Some(AccessRule::Everyone),
        Some(Allow::Staff) => Some(AccessRule::Staff),
        Some(Allow::Groups) if groups.is_empty() => {
            c.problem(
                t.allow.as_ref().unwrap_or(&t.id),
                "remote_auth.groups: allow: groups needs a list of group names under groups:",
            );
            None
        }
        Some(Allow::Groups) => Some(AccessRule::Groups(groups)),
        None => None,
    };
    let attr = |c: &mut Checker, key: &str, v: Option<&super::S>| v.and_then(|v| c.text(key, v));
    let a = t.attributes.as_ref();
    let attributes = AttributeMap {
        organization: attr(
            c,
            "remote_auth.attributes.organization",
            a.and_then(|a| a.organization.as_ref()),
        ),
        tags: attr(c, "remote_auth.attributes.tags", a.and_then(|a| a.tags.as_ref())),
        role: attr(c, "remote_auth.attributes.role", a.and_then(|a| a.role.as_ref())),
        phone: attr(c, "remote_auth.attributes.phone", a.and_then(|a| a.phone.as_ref())),
    };
    Some(RemoteAuthTarget {
        id: id?,
        kind: kind?,
        url: url?,
        secret: secret?,
        external_id: external_id?,
        timestamp: timestamp?,
        post_form: post_form?,
        access: access?,
        attributes,
        logout_ends_session: t.logout_ends_session.as_ref().is_some_and(|b| b.value),
    })
}
