//! `security.mfa`, `security.mfa_required_groups` and `security.acr`: who must have a second
//! factor, and how apps are told which sign-in they got (`upstreams[].login_is_mfa` says
//! which providers' logins count as both factors).

use tessera_oidc::provider::AcrValues;

use super::Checker;
use super::raw::RawSecurity;

/// Whether people may, or must, use a second factor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MfaPolicy {
    /// No enrollment offered and no second step asked: passwords (and upstream logins) only.
    Off,
    /// Anyone may enroll; whoever has a factor is asked for it (the default).
    #[default]
    Optional,
    /// Everyone must: people without a factor are led to enroll one right after signing in.
    Required,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MfaSettings {
    pub policy: MfaPolicy,
    /// Members of these groups must have a second factor even under `optional`.
    pub required_groups: Vec<String>,
    pub acr: AcrValues,
}

impl MfaSettings {
    pub fn enabled(&self) -> bool {
        self.policy != MfaPolicy::Off
    }

    /// Whether the policy wants a second factor of a member of `groups`.
    pub fn required_for(&self, groups: &[String]) -> bool {
        match self.policy {
            MfaPolicy::Off => false,
            MfaPolicy::Required => true,
            MfaPolicy::Optional => groups.iter().any(|g| self.required_groups.contains(g)),
        }
    }
}

pub(super) fn mfa_settings(raw: Option<&RawSecurity>, c: &mut Checker) -> MfaSettings {
    let defaults = MfaSettings::default();
    let Some(raw) = raw else { return defaults };
    let policy = raw
        .mfa
        .as_ref()
        .and_then(|v| {
            c.choice(
                "security.mfa",
                v,
                &[
                    ("off", MfaPolicy::Off),
                    ("optional", MfaPolicy::Optional),
                    ("required", MfaPolicy::Required),
                ],
            )
        })
        .unwrap_or(defaults.policy);
    let required_groups = raw
        .mfa_required_groups
        .iter()
        .flatten()
        .filter_map(|g| c.text("security.mfa_required_groups", g))
        .collect();
    let acr = raw.acr.as_ref().map_or_else(AcrValues::default, |a| {
        let mut acr = AcrValues::default();
        if let Some(v) = a
            .single_factor
            .as_ref()
            .and_then(|v| c.text("security.acr.single_factor", v))
        {
            acr.single_factor = v;
        }
        if let Some(v) = a
            .multi_factor
            .as_ref()
            .and_then(|v| c.text("security.acr.multi_factor", v))
        {
            acr.multi_factor = v;
        }
        if acr.single_factor == acr.multi_factor
            && let Some(at) = a.multi_factor.as_ref().or(a.single_factor.as_ref())
        {
            c.problem(
                at,
                "security.acr: single_factor and multi_factor must differ, or apps cannot tell the two sign-ins apart",
            );
        }
        acr
    });
    MfaSettings {
        policy,
        required_groups,
        acr,
    }
}
