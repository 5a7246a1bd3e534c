//! Which remote-authentication protocol a helpdesk speaks.
//!
//! The configuration names the protocol with a short snake_case string; this
//! module is the single place that maps those strings to the signers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::RemoteAuthError;

/// A helpdesk remote-authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Zendesk legacy remote authentication, MD5 over the concatenated fields
    /// ([`crate::zendesk_md5`]).
    ZendeskMd5,
    /// Zendesk legacy remote authentication, MD5 over `|`-joined fields
    /// ([`crate::zendesk_md5_pipe`]).
    ZendeskMd5Pipe,
    /// Zendesk JWT single sign-on ([`crate::zendesk_jwt`]).
    ZendeskJwt,
    /// Freshdesk simple SSO, HMAC-MD5 ([`crate::freshdesk`]).
    Freshdesk,
}

impl TargetKind {
    /// Every kind, in the order they are documented.
    pub const ALL: [TargetKind; 4] = [
        TargetKind::ZendeskMd5,
        TargetKind::ZendeskMd5Pipe,
        TargetKind::ZendeskJwt,
        TargetKind::Freshdesk,
    ];

    /// Whether this is one of Zendesk's legacy MD5 schemes, whose unseparated
    /// fields can be re-split (see [`crate::zendesk_md5()`]); the configuration
    /// asks for an explicit opt-in to them.
    pub const fn is_legacy_md5(self) -> bool {
        matches!(self, TargetKind::ZendeskMd5 | TargetKind::ZendeskMd5Pipe)
    }

    /// The configuration name of this kind, e.g. `"zendesk_jwt"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TargetKind::ZendeskMd5 => "zendesk_md5",
            TargetKind::ZendeskMd5Pipe => "zendesk_md5_pipe",
            TargetKind::ZendeskJwt => "zendesk_jwt",
            TargetKind::Freshdesk => "freshdesk",
        }
    }
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TargetKind {
    type Err = RemoteAuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TargetKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| RemoteAuthError::UnknownKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_and_round_trips_display() {
        for kind in TargetKind::ALL {
            assert_eq!(kind.as_str().parse::<TargetKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
    }

    #[test]
    fn only_the_zendesk_md5_kinds_are_legacy() {
        let legacy: Vec<TargetKind> = TargetKind::ALL.into_iter().filter(|k| k.is_legacy_md5()).collect();
        assert_eq!(legacy, [TargetKind::ZendeskMd5, TargetKind::ZendeskMd5Pipe]);
    }

    #[test]
    fn unknown_kind_lists_the_valid_ones() {
        let err = "zendesk".parse::<TargetKind>().unwrap_err();
        assert_eq!(err, RemoteAuthError::UnknownKind("zendesk".into()));
        let msg = err.to_string();
        for kind in TargetKind::ALL {
            assert!(msg.contains(kind.as_str()), "{msg}");
        }
    }

    #[test]
    fn serde_names_match_from_str() {
        for kind in TargetKind::ALL {
            let json = format!("\"{}\"", kind.as_str());
            let parsed: TargetKind = serde_json::from_str(&json).unwrap();
            assert_eq!(parsed, kind);
            assert_eq!(serde_json::to_string(&kind).unwrap(), json);
        }
        assert!(serde_json::from_str::<TargetKind>("\"ZendeskMd5\"").is_err());
    }
}
