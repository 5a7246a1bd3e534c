//! Helpdesk "remote authentication" signers for Tessera.
//!
//! A helpdesk (Zendesk, Freshdesk) that delegates sign-in to Tessera sends
//! the person to Tessera; once they are signed in, Tessera sends them back
//! with a link the helpdesk can verify with a secret both sides share. This
//! crate builds those links and nothing else.
//!
//! Everything here is a pure function: no I/O and no clock. Timestamps and
//! JWT ids come in as arguments, so results are reproducible and testable,
//! and the web layer decides how to deliver them (redirect or
//! auto-submitting form, see [`Delivery`]).
//!
//! | kind               | function             | vendor scheme                         |
//! |--------------------|----------------------|---------------------------------------|
//! | `zendesk_md5`      | [`zendesk_md5`]      | MD5, `/access/remote/`                |
//! | `zendesk_md5_pipe` | [`zendesk_md5_pipe`] | MD5 over `\|`-joined fields, `/access/remoteauth/` |
//! | `zendesk_jwt`      | [`zendesk_jwt`]      | HS256 JWT, `/access/jwt`              |
//! | `freshdesk`        | [`freshdesk`]        | HMAC-MD5, `/login/sso`                |
//!
//! Security notes: the shared [`Secret`] never appears in `Debug` output or
//! error messages; return addresses are only passed on when they point at
//! the helpdesk itself ([`return_to_allowed`]); digests are compared in
//! constant time ([`verify_hex_digest`]); every signer takes a
//! [`FreshTimestamp`], checked against the caller's clock; and the legacy
//! Zendesk signers refuse values that would let their unseparated fields be
//! re-split into another person's identity (see the module docs of
//! `src/zendesk_md5.rs`). Prefer [`zendesk_jwt()`]: its claims are JSON, so no field can
//! spill into another.

mod delivery;
mod endpoint;
mod error;
mod freshdesk;
mod hex;
mod jwt;
mod kind;
mod legacy_fields;
mod person;
mod return_to;
mod secret;
mod timestamp;
mod zendesk_jwt;
mod zendesk_md5;

#[cfg(test)]
mod resplit_tests;
#[cfg(test)]
mod test_support;

pub use delivery::Delivery;
pub use error::RemoteAuthError;
pub use freshdesk::freshdesk;
pub use hex::verify_hex_digest;
pub use jwt::sign_hs256_jwt;
pub use kind::TargetKind;
pub use legacy_fields::PersonField;
pub use person::Person;
pub use return_to::return_to_allowed;
pub use tessera_core::secret::Secret;
pub use timestamp::FreshTimestamp;
pub use zendesk_jwt::zendesk_jwt;
pub use zendesk_md5::{zendesk_md5, zendesk_md5_pipe};
