//! The OpenID Connect provider's service layer: the key ring, the decision of what happens
//! next for a pending authorization, token issuance, and back-channel logout. Protocol
//! parsing and JWT mechanics are in `tessera-oidc`; HTTP is in `routes::oidc`.

pub mod access;
pub mod backchannel;
pub mod flow;
pub mod issue;
pub mod keyring;
pub mod subject;
