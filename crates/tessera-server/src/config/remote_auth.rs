//! `remote_auth:` targets (helpdesks that sign people in through Tessera).

use std::time::Duration;

use tessera_remote_auth::{FreshTimestamp, Secret, TargetKind};
use url::Url;

use super::Checker;
use super::raw::RawRemoteAuth;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalIdSource {
    /// Chosen by the person; refused for `zendesk_md5`, where it can be re-split.
    Username,
    /// The account's UUID: nobody chooses it and it never changes (the default).
    UserId,
}

/// The widest `timestamp_window` accepted: beyond an hour a captured link stays usable
/// for longer than any sign-in needs.
const MAX_TIMESTAMP_WINDOW: Duration = Duration::from_secs(3600);

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
    /// How far the helpdesk's timestamp may be from now, either way.
    pub timestamp_window: Duration,
    /// Zendesk JWT only: deliver with an auto-submitting POST form (Zendesk's preference).
    pub post_form: bool,
    pub access: AccessRule,
    pub attributes: AttributeMap,
    pub logout_ends_session: bool,
    /// The admin's explicit acceptance of a legacy MD5 kind's risks.
    pub allow_legacy_md5: bool,
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
    let id = target_id(t, c, seen);
    let kind = c.parsed("remote_auth.kind", &t.kind, |k| {
        k.parse::<TargetKind>().map_err(|e| e.to_string())
    });
    let url = base_url(t, c);
    let secret = c.parsed("remote_auth.secret", &t.secret, |s| {
        if s.trim().is_empty() {
            Err("is empty; paste the shared secret from the helpdesk's admin settings".into())
        } else {
            Ok(Secret::new(s))
        }
    });
    let external_id = external_id_source(t, c);
    let timestamp = timestamp_source(t, c);
    let timestamp_window = timestamp_window(t, c);
    let allow_legacy_md5 = t.allow_legacy_md5.as_ref().is_some_and(|b| b.value);
    if let Some(kind) = kind {
        check_legacy_opt_in(t, kind, allow_legacy_md5, c);
        check_external_id_fits(t, kind, external_id, c);
    }
    let post_form = t
        .delivery
        .as_ref()
        .map(|v| c.choice("remote_auth.delivery", v, &[("post", true), ("get", false)]))
        .unwrap_or(Some(true));
    let access = access_rule(t, c);
    let attributes = attribute_map(t, c);
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
        allow_legacy_md5,
        timestamp_window,
    })
}

/// `id`: it appears in URLs, so a short plain word, and unique among the targets.
fn target_id(t: &RawRemoteAuth, c: &mut Checker, seen: &mut std::collections::HashSet<String>) -> Option<String> {
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
    id
}

/// `url`: the helpdesk's base URL, which `return_to` links are checked against.
fn base_url(t: &RawRemoteAuth, c: &mut Checker) -> Option<Url> {
    c.url("remote_auth.url", &t.url).and_then(|u| {
        if u.username().is_empty() && u.password().is_none() && u.query().is_none() && u.fragment().is_none() {
            Some(u)
        } else {
            c.problem(
                &t.url,
                "remote_auth.url: give the helpdesk's base URL only, without user name, password, query or fragment",
            );
            None
        }
    })
}

/// `external_id` (the account id unless said otherwise); `None` when invalid.
fn external_id_source(t: &RawRemoteAuth, c: &mut Checker) -> Option<ExternalIdSource> {
    t.external_id
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
        .unwrap_or(Some(ExternalIdSource::UserId))
}

/// `timestamp` (the helpdesk's unless said otherwise); `None` when invalid.
fn timestamp_source(t: &RawRemoteAuth, c: &mut Checker) -> Option<TimestampSource> {
    t.timestamp
        .as_ref()
        .map(|v| {
            c.choice(
                "remote_auth.timestamp",
                v,
                &[("request", TimestampSource::Request), ("now", TimestampSource::Now)],
            )
        })
        .unwrap_or(Some(TimestampSource::Request))
}

/// `allow` with its `groups`: `allow: groups` needs at least one group name.
fn access_rule(t: &RawRemoteAuth, c: &mut Checker) -> Option<AccessRule> {
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
    match allow {
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
    }
}

/// `attributes`: the user attribute names behind the optional helpdesk fields.
fn attribute_map(t: &RawRemoteAuth, c: &mut Checker) -> AttributeMap {
    let attr = |c: &mut Checker, key: &str, v: Option<&super::S>| v.and_then(|v| c.text(key, v));
    let a = t.attributes.as_ref();
    AttributeMap {
        organization: attr(
            c,
            "remote_auth.attributes.organization",
            a.and_then(|a| a.organization.as_ref()),
        ),
        tags: attr(c, "remote_auth.attributes.tags", a.and_then(|a| a.tags.as_ref())),
        role: attr(c, "remote_auth.attributes.role", a.and_then(|a| a.role.as_ref())),
        phone: attr(c, "remote_auth.attributes.phone", a.and_then(|a| a.phone.as_ref())),
    }
}

/// `timestamp_window`: a duration above 0s and at most [`MAX_TIMESTAMP_WINDOW`].
fn timestamp_window(t: &RawRemoteAuth, c: &mut Checker) -> Duration {
    let key = "remote_auth.timestamp_window";
    let window = c.duration(key, t.timestamp_window.as_ref(), FreshTimestamp::DEFAULT_WINDOW);
    if let Some(at) = &t.timestamp_window
        && window > MAX_TIMESTAMP_WINDOW
    {
        c.problem(
            at,
            format!("{key}: choose at most 1h; a wider window keeps captured sign-in links usable for longer"),
        );
    }
    window
}

/// The legacy MD5 kinds sign fields that a person can re-split into someone else's
/// identity (docs/helpdesk.md); they need `allow_legacy_md5: true`, and then still warn.
fn check_legacy_opt_in(t: &RawRemoteAuth, kind: TargetKind, allowed: bool, c: &mut Checker) {
    if !kind.is_legacy_md5() {
        return;
    }
    match &t.allow_legacy_md5 {
        Some(at) if allowed => c.warning(
            at,
            format!(
                "remote_auth.allow_legacy_md5: helpdesk {:?} uses {kind}: {}; switch it to zendesk_jwt \
                 (see docs/helpdesk.md)",
                t.id.value,
                legacy_residual_risk(kind)
            ),
        ),
        _ => c.problem(
            &t.kind,
            format!(
                "remote_auth.kind: {kind} signs with MD5 over fields a person can re-split into someone \
                 else's identity; switch the helpdesk to zendesk_jwt (recommended), or add \
                 allow_legacy_md5: true to this entry to accept the risk (see docs/helpdesk.md)"
            ),
        ),
    }
}

/// What Tessera's refusals leave of a legacy kind's risk, for the warning.
fn legacy_residual_risk(kind: TargetKind) -> &'static str {
    if kind == TargetKind::ZendeskMd5 {
        "MD5 over fields joined without separators; Tessera refuses values that could be re-split \
         into another account's, but a signed link can still be re-split into a neighbour of the \
         person's own address (xvictim@… sent as victim@…), which Zendesk may match by email"
    } else {
        "MD5 over |-joined fields; Tessera refuses | in every field and , in tags, so the fields \
         cannot be re-split, but the link still rests on MD5 and carries the person's details in \
         its address (browser history, logs)"
    }
}

/// `zendesk_md5` needs the account id as external id: a username can be cut at its start
/// into someone else's (`xvictim` re-split as `victim`), and the signer refuses it anyway.
fn check_external_id_fits(t: &RawRemoteAuth, kind: TargetKind, source: Option<ExternalIdSource>, c: &mut Checker) {
    if kind == TargetKind::ZendeskMd5
        && source == Some(ExternalIdSource::Username)
        && let Some(at) = &t.external_id
    {
        c.problem(
            at,
            "remote_auth.external_id: zendesk_md5 needs user_id (the default): a username can be cut \
             into someone else's (xvictim re-split as victim)",
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::{Config, Problem, parse};

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    /// A minimal config with one helpdesk entry; `entry` is its YAML flow mapping body.
    fn with_target(entry: &str) -> Result<Config, Vec<Problem>> {
        let text = format!(
            "issuer: http://127.0.0.1:8080\ndatabase:\n  url: sqlite://data/t.db\nsecrets:\n  master_key: {KEY}\n\
             remote_auth:\n  - {{ id: support, url: 'https://example.zendesk.com', secret: s, {entry} }}\n"
        );
        parse(&text, &HashMap::<String, String>::new())
    }

    fn messages(problems: &[Problem]) -> String {
        problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn legacy_kinds_need_an_explicit_opt_in() {
        for kind in ["zendesk_md5", "zendesk_md5_pipe"] {
            let problems = with_target(&format!("kind: {kind}")).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            let message = &problems[0].message;
            assert!(
                message.starts_with(&format!("remote_auth.kind: {kind} signs with MD5")),
                "{message}"
            );
            assert!(message.contains("zendesk_jwt (recommended)"), "{message}");
            assert!(message.contains("allow_legacy_md5: true"), "{message}");
            assert_eq!(problems[0].line, 7);

            let refused = with_target(&format!("kind: {kind}, allow_legacy_md5: false")).unwrap_err();
            assert!(messages(&refused).contains("allow_legacy_md5: true"));
        }
    }

    #[test]
    fn an_allowed_legacy_kind_loads_with_a_warning_that_explains_the_risk() {
        let config = with_target("kind: zendesk_md5, allow_legacy_md5: true").unwrap();
        assert!(config.remote_auth[0].allow_legacy_md5);
        assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
        let warning = &config.warnings[0];
        assert_eq!(warning.line, 7);
        assert!(
            warning
                .message
                .starts_with("remote_auth.allow_legacy_md5: helpdesk \"support\" uses zendesk_md5: MD5")
        );
        assert!(
            warning.message.contains("neighbour of the person's own address"),
            "{warning:?}"
        );
        assert!(warning.message.contains("switch it to zendesk_jwt"), "{warning:?}");

        let pipe = with_target("kind: zendesk_md5_pipe, allow_legacy_md5: true").unwrap();
        assert!(
            pipe.warnings[0].message.contains("|-joined fields"),
            "{:?}",
            pipe.warnings
        );

        let jwt = with_target("kind: zendesk_jwt").unwrap();
        assert!(jwt.warnings.is_empty(), "{:?}", jwt.warnings);
    }

    #[test]
    fn external_id_defaults_to_the_account_id_and_zendesk_md5_refuses_usernames() {
        let config = with_target("kind: zendesk_jwt").unwrap();
        assert_eq!(config.remote_auth[0].external_id, ExternalIdSource::UserId);
        let pipe = with_target("kind: zendesk_md5_pipe, allow_legacy_md5: true, external_id: username").unwrap();
        assert_eq!(pipe.remote_auth[0].external_id, ExternalIdSource::Username);

        let problems = with_target("kind: zendesk_md5, allow_legacy_md5: true, external_id: username").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .message
                .starts_with("remote_auth.external_id: zendesk_md5 needs user_id"),
            "{problems:?}"
        );
    }

    #[test]
    fn the_timestamp_window_defaults_to_five_minutes_and_is_bounded() {
        let config = with_target("kind: zendesk_jwt").unwrap();
        assert_eq!(config.remote_auth[0].timestamp_window, Duration::from_secs(300));
        let wider = with_target("kind: zendesk_jwt, timestamp_window: 10m").unwrap();
        assert_eq!(wider.remote_auth[0].timestamp_window, Duration::from_secs(600));
        for (window, complaint) in [
            ("2h", "choose at most 1h"),
            ("0s", "longer than 0s"),
            ("5 minutes", "not a duration"),
        ] {
            let problems = with_target(&format!("kind: zendesk_jwt, timestamp_window: {window}")).unwrap_err();
            assert!(messages(&problems).contains(complaint), "{window}: {problems:?}");
            assert!(
                messages(&problems).starts_with("remote_auth.timestamp_window: "),
                "{problems:?}"
            );
        }
    }
}
