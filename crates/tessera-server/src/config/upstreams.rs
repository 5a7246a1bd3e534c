//! `upstreams:` (identity providers people sign in with), the login `pipeline:`, and the
//! development `sandbox:` that fakes the providers on loopback.

use std::net::SocketAddr;

use serde_saphyr::Spanned;
use tessera_upstream::UpstreamConfig;

use super::Checker;
use super::env;
use super::raw::RawSandbox;

#[derive(Clone, Debug)]
pub struct Upstream {
    pub id: String,
    /// What the login button says ("Sign in with {label}").
    pub label: String,
    /// Upstream profile field → account attribute, filled when the attribute is empty, so
    /// `clients[].claims` can release it (e.g. `biography: bio`). `picture` always maps.
    pub attributes: Vec<(String, String)>,
    /// The provider's login counts as both factors (`login_is_mfa`: it enforces its own second
    /// factor); by default it counts as one and Tessera asks for the person's second.
    pub login_is_mfa: bool,
    pub config: UpstreamConfig,
}

/// The django-social-auth steps. The config lists which run; they run in this order, which
/// the config must follow (a later step needs what an earlier one found).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    SocialUser,
    AssociateByEmail,
    GetUsername,
    CreateUser,
    AssociateUser,
    LoadExtraData,
    UpdateUserDetails,
}

pub const STEPS: &[(&str, Step)] = &[
    ("social_user", Step::SocialUser),
    ("associate_by_email", Step::AssociateByEmail),
    ("get_username", Step::GetUsername),
    ("create_user", Step::CreateUser),
    ("associate_user", Step::AssociateUser),
    ("load_extra_data", Step::LoadExtraData),
    ("update_user_details", Step::UpdateUserDetails),
];

/// The default leaves out `associate_by_email`: linking by address is opt-in.
pub fn default_pipeline() -> Vec<Step> {
    vec![
        Step::SocialUser,
        Step::GetUsername,
        Step::CreateUser,
        Step::AssociateUser,
        Step::LoadExtraData,
        Step::UpdateUserDetails,
    ]
}

/// Replaces `${VAR}` in every string of a YAML value.
fn substitute(value: &mut serde_json::Value, env: &dyn env::Env) -> Result<(), String> {
    match value {
        serde_json::Value::String(s) => *s = env::substitute(s, env)?,
        serde_json::Value::Array(items) => items.iter_mut().try_for_each(|v| substitute(v, env))?,
        serde_json::Value::Object(map) => map.values_mut().try_for_each(|v| substitute(v, env))?,
        _ => {}
    }
    Ok(())
}

pub(super) fn upstreams(raw: &[Spanned<serde_json::Value>], c: &mut Checker) -> Vec<Upstream> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, entry) in raw.iter().enumerate() {
        let mut value = entry.value.clone();
        if let Err(why) = substitute(&mut value, c.env) {
            c.problem(entry, format!("upstreams: {why}"));
            continue;
        }
        let label = value
            .as_object_mut()
            .and_then(|m| m.remove("label"))
            .and_then(|l| l.as_str().map(str::to_owned));
        let attributes: Vec<(String, String)> = match value.as_object_mut().and_then(|m| m.remove("attributes")) {
            None => Vec::new(),
            Some(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned())))
                .collect(),
            Some(_) => {
                c.problem(
                    entry,
                    "upstreams.attributes: write a mapping of upstream profile field to account attribute",
                );
                continue;
            }
        };
        let login_is_mfa = match value.as_object_mut().and_then(|m| m.remove("login_is_mfa")) {
            None => false,
            Some(serde_json::Value::Bool(b)) => b,
            Some(other) => {
                c.problem(
                    entry,
                    format!("upstreams.login_is_mfa: expected true or false, got {other}"),
                );
                continue;
            }
        };
        let config: UpstreamConfig = match serde_json::from_value(value.clone()) {
            Ok(config) => config,
            Err(e) => {
                c.problem(
                    entry,
                    super::structure::upstream_entry(&format!("upstreams[{i}]"), &value, &e),
                );
                continue;
            }
        };
        let problems = config.validate();
        for p in &problems {
            c.problem(entry, format!("upstreams.{}: {p}", config.id()));
        }
        if !seen.insert(config.id().to_owned()) {
            c.problem(entry, format!("upstreams: the id {:?} is used twice", config.id()));
            continue;
        }
        if problems.is_empty() {
            let id = config.id().to_owned();
            out.push(Upstream {
                label: label.unwrap_or_else(|| capitalized(&id)),
                attributes,
                login_is_mfa,
                id,
                config,
            });
        }
    }
    out
}

fn capitalized(id: &str) -> String {
    let mut chars = id.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(super) fn pipeline(raw: Option<&[super::S]>, c: &mut Checker) -> Vec<Step> {
    let Some(raw) = raw else { return default_pipeline() };
    let rank = |x: Step| STEPS.iter().position(|(_, y)| *y == x);
    let name = |x: Step| STEPS.iter().find(|(_, y)| *y == x).map_or("?", |(n, _)| *n);
    let mut steps: Vec<Step> = Vec::new();
    for s in raw {
        let Some(step) = c.choice("pipeline", s, STEPS) else {
            continue;
        };
        if let Some(last) = steps.last().copied()
            && rank(step) <= rank(last)
        {
            c.problem(
                s,
                format!(
                    "pipeline: {} must come before {} (steps run in the order social_user, associate_by_email, \
                     get_username, create_user, associate_user, load_extra_data, update_user_details)",
                    name(step),
                    name(last)
                ),
            );
            continue;
        }
        steps.push(step);
    }
    steps
}

/// What a build without the `sandbox` feature says about a `sandbox:` section.
const SANDBOX_NOT_BUILT: &str = "sandbox: this build of tessera has no sandbox (the fake upstream providers, for \
     development only): remove the sandbox section, or build with the sandbox feature, e.g. \
     cargo run --release --features sandbox -- serve --migrate --config FILE";

pub(super) fn sandbox(raw: Option<&Spanned<RawSandbox>>, c: &mut Checker) -> Option<SocketAddr> {
    let raw = raw?;
    // Production builds leave the sandbox out (see the `sandbox` feature in Cargo.toml).
    if !cfg!(feature = "sandbox") {
        c.problem(raw, SANDBOX_NOT_BUILT);
        return None;
    }
    c.parsed("sandbox.listen", &raw.value.listen, |t| {
        let addr: SocketAddr = t
            .parse()
            .map_err(|_| format!("{t:?} is not an address like 127.0.0.1:8091"))?;
        // Fake providers hand out identities to anyone who clicks: never beyond this machine.
        if addr.ip().is_loopback() {
            Ok(addr)
        } else {
            Err(format!("{t:?} must be a loopback address (127.0.0.1 or [::1])"))
        }
    })
}
