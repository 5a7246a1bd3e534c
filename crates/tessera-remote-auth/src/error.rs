//! The one error type of the crate.
//!
//! Why a hand-written message per variant: these errors end up in front of
//! a person who just tried to open the helpdesk (or an operator reading a
//! log), so each message says what is wrong *and* how to fix it. No variant
//! carries the shared secret or anything derived from it, so `Display` and
//! `Debug` are always safe to log.

use crate::PersonField;

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

    /// A legacy Zendesk kind was asked to sign without an external id. Zendesk
    /// then identifies the person by email alone, and an empty field is the
    /// easiest one to re-split into (see the module docs of `src/zendesk_md5.rs`).
    #[error(
        "the helpdesk's legacy (MD5) sign-in needs an external_id, and this account has none; \
         set external_id: user_id on the helpdesk in the Tessera configuration"
    )]
    MissingExternalId,

    /// The concatenated Zendesk scheme was asked to sign an external id that
    /// is not an account id (a UUID). A value of another shape, such as a
    /// username, can be cut at its start into someone else's (`xvictim`
    /// becomes `victim`).
    #[error(
        "the helpdesk's legacy zendesk_md5 sign-in needs the account's id (a UUID) as external_id, \
         because any other value could be cut into someone else's; set external_id: user_id on the \
         helpdesk in the Tessera configuration"
    )]
    ExternalIdNotAnAccountId,

    /// A field holds text shaped like an account id, outside the external id,
    /// in the concatenated Zendesk scheme: a re-split could hand it to Zendesk
    /// as the external id. Names the field, never the value.
    #[error(
        "the {field} sent to the helpdesk contains text shaped like an account id, which its legacy \
         (MD5) sign-in cannot carry safely: the signed fields could be re-split into someone else's \
         identity; remove it from your account, or ask an administrator to switch this helpdesk \
         to zendesk_jwt"
    )]
    IdLikeText {
        /// The field where the id-shaped text starts.
        field: PersonField,
    },

    /// The email address does not contain exactly one `@`. The concatenated
    /// Zendesk hash relies on that single `@` to anchor the email field.
    #[error("the email address must contain exactly one @; correct it on your account page")]
    MalformedEmail,

    /// A field holds a character that could move a field boundary in a legacy
    /// Zendesk hash, so the signed link could be rewritten into another
    /// person's identity (CWE-140, improper neutralization of delimiters). Names the field
    /// and the character, never the value or the secret.
    #[error(
        "the {field} sent to the helpdesk contains {character:?}, which its legacy (MD5) sign-in \
         cannot carry safely: the signed fields could be re-split into someone else's identity; \
         remove the character from your account, or ask an administrator to switch this \
         helpdesk to zendesk_jwt"
    )]
    UnsafeCharacter {
        /// The field that holds the character.
        field: PersonField,
        /// The character that could move a field boundary.
        character: char,
    },

    /// The timestamp to sign is too far from the current time: a stale or
    /// far-future link would stay usable long after the sign-in (CWE-294,
    /// authentication bypass by capture-replay).
    #[error("{}", timestamp_message(*skew_seconds, *window_seconds))]
    TimestampOutsideWindow {
        /// `timestamp - now`: negative when the timestamp is in the past.
        skew_seconds: i64,
        /// The largest skew allowed either way.
        window_seconds: u64,
    },

    /// The JWT library refused to sign (it never should for a non-empty HS256 key and JSON
    /// claims). The payload is the library's message, which never contains the key.
    #[error("the helpdesk sign-in token could not be signed ({0}); this is a bug in Tessera, please report it")]
    Signing(String),

    /// A helpdesk kind name in the configuration is not known.
    #[error(
        "unknown helpdesk kind {0:?}; use one of zendesk_md5, zendesk_md5_pipe, \
         zendesk_jwt, freshdesk"
    )]
    UnknownKind(String),
}

fn timestamp_message(skew_seconds: i64, window_seconds: u64) -> String {
    let direction = if skew_seconds < 0 { "behind" } else { "ahead of" };
    format!(
        "the helpdesk's timestamp is {} seconds {direction} Tessera's clock, more than the {window_seconds} \
         seconds allowed; start the sign-in from the helpdesk again (if this keeps happening, a clock is wrong)",
        skew_seconds.unsigned_abs()
    )
}
