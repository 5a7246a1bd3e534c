//! The one error type of the crate.
//!
//! Why a hand-written message per variant: these errors end up in front of
//! a person who just tried to open the helpdesk (or an operator reading a
//! log), so each message says what is wrong *and* how to fix it. No variant
//! carries the shared secret or anything derived from it, so `Display` and
//! `Debug` are always safe to log.

/// Why a helpdesk sign-in link could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteAuthError {
    /// The person has no email address; every helpdesk identifies people by it.
    #[error("the helpdesk needs an email address; add one to your account")]
    MissingEmail,

    /// The person's display name is empty or only whitespace.
    #[error("the helpdesk needs a name; set a display name on your account")]
    EmptyName,

    /// The configured shared secret is empty.
    #[error(
        "the helpdesk shared secret is empty; copy the secret from the helpdesk's \
         single sign-on settings into the Tessera configuration"
    )]
    EmptySecret,

    /// The configured helpdesk base address cannot be used. The payload is a
    /// fixed description of the problem (never the address itself, which
    /// could contain credentials).
    #[error(
        "the helpdesk address is not usable: {0}; set it to the helpdesk's base \
         address, for example https://example.zendesk.com"
    )]
    InvalidBase(&'static str),

    /// The JWT id was empty; Zendesk uses it to refuse replayed tokens.
    #[error("the JWT id (jti) is empty; pass a fresh unique value (such as a UUID) for every sign-in")]
    EmptyJti,

    /// The Zendesk role is not one Zendesk knows.
    #[error("the Zendesk role {0:?} is not valid; use one of user, agent, admin (or leave it unset)")]
    InvalidRole(String),

    /// The address to return to after sign-in is not on the helpdesk itself.
    #[error(
        "the address to return to after sign-in is not on the helpdesk; only absolute \
         http(s) addresses on the helpdesk's own host are accepted, so start again \
         from the helpdesk"
    )]
    ReturnToNotAllowed,

    /// A helpdesk kind name in the configuration is not known.
    #[error(
        "unknown helpdesk kind {0:?}; use one of zendesk_md5, zendesk_md5_pipe, \
         zendesk_jwt, freshdesk"
    )]
    UnknownKind(String),
}
