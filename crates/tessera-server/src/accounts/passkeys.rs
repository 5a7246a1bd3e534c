//! Passkeys (WebAuthn Level 2/3, through the Kanidm project's webauthn-rs): registering them
//! on the account page, and signing in with one, with no password (a discoverable credential
//! the browser offers) or as the second step after a password.
//!
//! The relying-party id and the one allowed origin come from the configured issuer, never
//! from the request (a Host header is the client's to choose). Each ceremony's state stays in
//! the database between its two requests, bound to the browser that started it, and is taken
//! by the request that finishes it: a challenge works once, and only until it expires.

use serde_json::json;
use tessera_core::factors::{Ceremony, CeremonyPurpose, StoredPasskey};
use tessera_core::secret_token;
use tessera_core::store::StoreError;
use tessera_core::{User, UserId};
use time::OffsetDateTime;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Url, Webauthn,
    WebauthnBuilder,
};

use super::{AccountError, Accounts, Notice};
use crate::jobs::effects::{self, Actor};

/// How long the browser has to answer a ceremony (the options also tell it, in ms).
const CEREMONY_TTL: time::Duration = time::Duration::minutes(5);
/// Passkey names people give, at most (in characters).
pub const MAX_PASSKEY_NAME: usize = 64;

/// The relying party, when the issuer allows one: WebAuthn needs a domain as its id
/// (WebAuthn §5.1.4.1: an IP address is no valid RP id), so an issuer like
/// `http://127.0.0.1:8080` has no passkeys, and the account page says so.
pub fn relying_party(issuer: &Url) -> Option<Webauthn> {
    let host = issuer.host()?;
    let url::Host::Domain(domain) = host else { return None };
    let origin = Url::parse(&issuer.origin().ascii_serialization()).ok()?;
    WebauthnBuilder::new(domain, &origin)
        .ok()?
        .rp_name(domain)
        .timeout(CEREMONY_TTL.unsigned_abs())
        .build()
        .ok()
}

/// A ceremony the browser is to carry out: the id it sends back, and the options for
/// `navigator.credentials.create` or `.get` (WebAuthn's JSON form).
pub struct Challenge {
    pub ceremony: String,
    pub options: serde_json::Value,
}

/// Why a ceremony's answer was refused; nothing was changed.
#[derive(Debug, PartialEq, Eq)]
pub enum PasskeyRefusal {
    /// Passkeys need a domain issuer (see [`relying_party`]).
    Unavailable,
    /// Unknown, already used, expired, or started by another browser.
    Expired,
    /// The browser's answer does not parse or does not verify (wrong challenge, origin,
    /// signature, or no user verification).
    Invalid(String),
    /// This credential is already registered (to this account or another).
    AlreadyRegistered,
    /// No account has this passkey (it was removed, or belongs to another Tessera).
    Unknown,
    /// The passkey is another account's than the one signing in.
    WrongAccount,
}

impl PasskeyRefusal {
    /// What the person is told.
    pub fn text(&self) -> String {
        match self {
            Self::Unavailable => tr!("passkey-unavailable"),
            Self::Expired => tr!("passkey-expired"),
            Self::Invalid(why) => tr!("passkey-invalid", reason = why.as_str()),
            Self::AlreadyRegistered => tr!("passkey-already-registered"),
            Self::Unknown => tr!("passkey-unknown"),
            Self::WrongAccount => tr!("passkey-wrong-account"),
        }
    }
}

/// The state of a passkey sign-in: for one account's passkeys (a second step), or for any
/// discoverable one.
enum SignInState {
    ForAccount(PasskeyAuthentication),
    Discoverable(DiscoverableAuthentication),
}

/// A verified passkey sign-in.
pub struct PasskeySignedIn {
    pub user: UserId,
    /// RFC 8176: `hwk` for a key that cannot leave its device, `swk` for a synced
    /// (backup-eligible) one; `user` for the presence test; `mfa` because user verification
    /// (a PIN or biometric on the device) makes it two factors by itself.
    pub amr: Vec<&'static str>,
    pub credential_name: String,
}

impl Accounts {
    pub fn passkeys_available(&self) -> bool {
        self.config.mfa.enabled() && self.webauthn.is_some()
    }

    fn webauthn(&self) -> Result<&Webauthn, PasskeyRefusal> {
        match &self.webauthn {
            Some(w) if self.config.mfa.enabled() => Ok(w),
            _ => Err(PasskeyRefusal::Unavailable),
        }
    }

    pub async fn passkeys_of(&self, user: UserId) -> Result<Vec<StoredPasskey>, AccountError> {
        Ok(self.store.passkeys_of(user).await?)
    }

    /// Starts registering a passkey for `user` in this browser. The authenticator is asked
    /// for a discoverable credential (so it can sign in without a username) with user
    /// verification, and not to register one of the account's passkeys twice.
    pub async fn start_passkey_registration(
        &self,
        user: &User,
        browser: &str,
    ) -> Result<Result<Challenge, PasskeyRefusal>, AccountError> {
        let webauthn = match self.webauthn() {
            Ok(w) => w,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let existing: Vec<_> = self
            .store
            .passkeys_of(user.id)
            .await?
            .iter()
            .filter_map(|p| serde_json::from_str::<Passkey>(&p.passkey).ok())
            .map(|p| p.cred_id().clone())
            .collect();
        let (options, state): (CreationChallengeResponse, PasskeyRegistration) = webauthn
            .start_passkey_registration(user.id.0, &user.username, &user.display_name(), Some(existing))
            .map_err(|e| AccountError::internal(format!("passkey registration options: {e}")))?;
        let mut options = serde_json::to_value(options).map_err(|e| AccountError::internal(e.to_string()))?;
        // webauthn-rs leaves resident keys to the authenticator; a passkey that signs in
        // without a username must be discoverable (WebAuthn §5.4.6), so ask for one.
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
            selection["residentKey"] = json!("required");
            selection["requireResidentKey"] = json!(true);
        }
        let ceremony = self
            .begin_ceremony(CeremonyPurpose::PasskeyRegister, Some(user.id), browser, &state)
            .await?;
        Ok(Ok(Challenge { ceremony, options }))
    }

    /// Finishes a registration: the credential must answer this browser's challenge for this
    /// account, and its id must be new to Tessera.
    pub async fn finish_passkey_registration(
        &self,
        user: &User,
        browser: &str,
        ceremony: &str,
        name: &str,
        response: &str,
        actor: &Actor,
    ) -> Result<Result<StoredPasskey, PasskeyRefusal>, AccountError> {
        let webauthn = match self.webauthn() {
            Ok(w) => w,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let Some(state) = self
            .take_ceremony::<PasskeyRegistration>(CeremonyPurpose::PasskeyRegister, Some(user.id), browser, ceremony)
            .await?
        else {
            return Ok(Err(PasskeyRefusal::Expired));
        };
        let credential: RegisterPublicKeyCredential = match serde_json::from_str(response) {
            Ok(c) => c,
            Err(e) => return Ok(Err(PasskeyRefusal::Invalid(format!("unreadable response: {e}")))),
        };
        let passkey = match webauthn.finish_passkey_registration(&credential, &state) {
            Ok(p) => p,
            Err(e) => return Ok(Err(PasskeyRefusal::Invalid(e.to_string()))),
        };
        let stored = StoredPasskey {
            credential_id: secret_token::base64url(passkey.cred_id().as_ref()),
            user_id: user.id,
            name: passkey_name(name),
            passkey: serde_json::to_string(&passkey).map_err(|e| AccountError::internal(e.to_string()))?,
            created_at: OffsetDateTime::now_utc(),
            last_used_at: None,
        };
        let detail = json!({ "factor": "passkey", "name": stored.name, "credential_id": stored.credential_id });
        let mut event = effects::event(self, "user.mfa_enrolled", Some(user.id), detail, actor);
        event.jobs.push(super::notice(self, user.id, Notice::FactorAdded));
        match self.store.add_passkey_with(&stored, &event).await {
            Ok(()) => {
                self.jobs_wake.notify_waiters();
                Ok(Ok(stored))
            }
            Err(StoreError::Conflict { .. }) => Ok(Err(PasskeyRefusal::AlreadyRegistered)),
            Err(e) => Err(e.into()),
        }
    }

    /// Starts a passkey sign-in in this browser: for `user`'s passkeys (the second step
    /// after a password), or for any discoverable one (no username: the passkey says whose
    /// it is).
    pub async fn start_passkey_sign_in(
        &self,
        user: Option<&User>,
        browser: &str,
    ) -> Result<Result<Challenge, PasskeyRefusal>, AccountError> {
        let webauthn = match self.webauthn() {
            Ok(w) => w,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let internal =
            |e: webauthn_rs::prelude::WebauthnError| AccountError::internal(format!("passkey sign-in options: {e}"));
        let (options, ceremony): (RequestChallengeResponse, String) = match user {
            Some(user) => {
                let passkeys = self.parsed_passkeys(user.id).await?;
                if passkeys.is_empty() {
                    return Ok(Err(PasskeyRefusal::Unknown));
                }
                let (options, state): (_, PasskeyAuthentication) =
                    webauthn.start_passkey_authentication(&passkeys).map_err(internal)?;
                let id = self
                    .begin_ceremony(CeremonyPurpose::PasskeySignIn, Some(user.id), browser, &state)
                    .await?;
                (options, id)
            }
            None => {
                let (mut options, state): (_, DiscoverableAuthentication) =
                    webauthn.start_discoverable_authentication().map_err(internal)?;
                // The page decides: the sign-in button asks at once, the username field
                // offers passkeys in its autofill (conditional mediation).
                options.mediation = None;
                let id = self
                    .begin_ceremony(CeremonyPurpose::PasskeySignIn, None, browser, &state)
                    .await?;
                (options, id)
            }
        };
        Ok(Ok(Challenge {
            ceremony,
            options: serde_json::to_value(options).map_err(|e| AccountError::internal(e.to_string()))?,
        }))
    }

    /// Verifies a passkey sign-in. `expected` is the account of a second step: the passkey
    /// must be one of its own.
    pub async fn finish_passkey_sign_in(
        &self,
        expected: Option<UserId>,
        browser: &str,
        ceremony: &str,
        response: &str,
    ) -> Result<Result<PasskeySignedIn, PasskeyRefusal>, AccountError> {
        let webauthn = match self.webauthn() {
            Ok(w) => w,
            Err(refusal) => return Ok(Err(refusal)),
        };
        // The challenge first (this browser's, for this purpose and account): it is answered
        // once whatever the answer, and nothing about credentials is told without it.
        let state = match expected {
            Some(user) => self
                .take_ceremony(CeremonyPurpose::PasskeySignIn, Some(user), browser, ceremony)
                .await?
                .map(SignInState::ForAccount),
            None => self
                .take_ceremony(CeremonyPurpose::PasskeySignIn, None, browser, ceremony)
                .await?
                .map(SignInState::Discoverable),
        };
        let Some(state) = state else {
            return Ok(Err(PasskeyRefusal::Expired));
        };
        let credential: PublicKeyCredential = match serde_json::from_str(response) {
            Ok(c) => c,
            Err(e) => return Ok(Err(PasskeyRefusal::Invalid(format!("unreadable response: {e}")))),
        };
        let credential_id = secret_token::base64url(credential.get_credential_id());
        let Some(stored) = self.store.passkey(&credential_id).await? else {
            return Ok(Err(PasskeyRefusal::Unknown));
        };
        if expected.is_some_and(|u| u != stored.user_id) {
            return Ok(Err(PasskeyRefusal::WrongAccount));
        }
        let mut passkey: Passkey = serde_json::from_str(&stored.passkey)
            .map_err(|e| AccountError::internal(format!("stored passkey: {e}")))?;
        let verified = match state {
            SignInState::ForAccount(state) => webauthn.finish_passkey_authentication(&credential, &state),
            SignInState::Discoverable(state) => {
                // The user handle the authenticator returned must be the account the
                // credential is registered to (WebAuthn §7.2 step 6).
                match webauthn.identify_discoverable_authentication(&credential) {
                    Ok((handle, _)) if handle == stored.user_id.0 => {}
                    Ok(_) => return Ok(Err(PasskeyRefusal::WrongAccount)),
                    Err(e) => return Ok(Err(PasskeyRefusal::Invalid(e.to_string()))),
                }
                webauthn.finish_discoverable_authentication_v2(&credential, state, DiscoverableKey::from(&passkey))
            }
        };
        let result = match verified {
            Ok(r) => r,
            Err(e) => return Ok(Err(PasskeyRefusal::Invalid(e.to_string()))),
        };
        passkey.update_credential(&result);
        let updated = serde_json::to_string(&passkey).map_err(|e| AccountError::internal(e.to_string()))?;
        self.store
            .passkey_used(&credential_id, &updated, OffsetDateTime::now_utc())
            .await?;
        let key = if result.backup_eligible() { "swk" } else { "hwk" };
        Ok(Ok(PasskeySignedIn {
            user: stored.user_id,
            amr: vec![key, "user", "mfa"],
            credential_name: stored.name,
        }))
    }

    /// Removes one of the account's passkeys (the caller has re-authenticated the person).
    pub async fn remove_passkey(&self, user: &User, credential_id: &str, actor: &Actor) -> Result<bool, AccountError> {
        let detail = json!({ "factor": "passkey", "credential_id": credential_id });
        let mut event = effects::event(self, "user.mfa_removed", Some(user.id), detail, actor);
        event.jobs.push(super::notice(self, user.id, Notice::FactorRemoved));
        let removed = self.store.remove_passkey_with(user.id, credential_id, &event).await?;
        self.jobs_wake.notify_waiters();
        Ok(removed)
    }

    async fn parsed_passkeys(&self, user: UserId) -> Result<Vec<Passkey>, AccountError> {
        Ok(self
            .store
            .passkeys_of(user)
            .await?
            .iter()
            .filter_map(|p| serde_json::from_str(&p.passkey).ok())
            .collect())
    }

    async fn begin_ceremony(
        &self,
        purpose: CeremonyPurpose,
        user: Option<UserId>,
        browser: &str,
        state: &impl serde::Serialize,
    ) -> Result<String, AccountError> {
        let id = secret_token::generate();
        let ceremony = Ceremony {
            id_digest: secret_token::digest(&id),
            browser: browser.to_owned(),
            user_id: user,
            purpose,
            state: serde_json::to_string(state).map_err(|e| AccountError::internal(e.to_string()))?,
            expires_at: OffsetDateTime::now_utc() + CEREMONY_TTL,
        };
        self.store.create_ceremony(&ceremony).await?;
        Ok(id)
    }

    /// The state of ceremony `id` if it is this browser's, for this purpose and account,
    /// and unexpired; it is gone afterwards either way.
    async fn take_ceremony<T: serde::de::DeserializeOwned>(
        &self,
        purpose: CeremonyPurpose,
        user: Option<UserId>,
        browser: &str,
        id: &str,
    ) -> Result<Option<T>, AccountError> {
        let taken = self
            .store
            .take_ceremony(&secret_token::digest(id), OffsetDateTime::now_utc())
            .await?;
        let Some(c) = taken.filter(|c| {
            c.purpose == purpose
                && c.user_id == user
                && secret_token::constant_time_eq(c.browser.as_bytes(), browser.as_bytes())
        }) else {
            return Ok(None);
        };
        Ok(serde_json::from_str(&c.state).ok())
    }
}

/// The name as shown: trimmed, control characters dropped, bounded; "Passkey" when empty.
fn passkey_name(typed: &str) -> String {
    let name: String = typed
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_PASSKEY_NAME)
        .collect();
    if name.is_empty() { "Passkey".into() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_domain_issuer_has_a_relying_party() {
        let rp = |u: &str| relying_party(&Url::parse(u).unwrap());
        assert!(rp("https://id.example.com").is_some());
        assert!(rp("http://localhost:8080").is_some());
        assert!(rp("http://127.0.0.1:8080").is_none());
        assert!(rp("http://[::1]:8080").is_none());
    }

    #[test]
    fn names_are_trimmed_bounded_and_never_empty() {
        assert_eq!(passkey_name("  Lap\u{7}top "), "Laptop");
        assert_eq!(passkey_name(""), "Passkey");
        assert_eq!(passkey_name(&"x".repeat(100)).chars().count(), MAX_PASSKEY_NAME);
    }
}
