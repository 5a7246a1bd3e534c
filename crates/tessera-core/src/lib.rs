//! Tessera's domain: parse-once newtypes, the account model, the narrow store traits the
//! other crates implement or call, and password hashing. No HTTP, no SQL, no I/O here.

pub mod account;
pub mod email;
pub mod factors;
pub mod identity;
pub mod jobs;
pub mod password;
pub mod person_text;
pub mod seal;
pub mod secret;
pub mod secret_token;
pub mod store;
pub mod username;

pub use account::{Group, NewUser, ProfileUpdate, User, UserId};
pub use email::Email;
pub use username::Username;
