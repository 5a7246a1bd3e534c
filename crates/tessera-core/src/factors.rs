//! Second factors: an authenticator app (RFC 6238 TOTP), single-use recovery codes and
//! passkeys (WebAuthn), what the store keeps of each, and the checks that need no I/O.
//!
//! The rules that make a code single-use live in the store's conditional updates (a time
//! step is accepted only if it is newer than the last one accepted; a recovery code only if
//! it is unused), so they hold across every node and every concurrent request.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::account::UserId;
use crate::jobs::Effects;
use crate::secret_token;
use crate::store::StoreResult;

/// Seconds per TOTP time step (RFC 6238 §5.2 recommends 30, and every app assumes it).
pub const TOTP_STEP_SECONDS: u64 = 30;
/// Digits per code: what authenticator apps show by default.
pub const TOTP_DIGITS: usize = 6;
/// 160-bit secrets (RFC 4226 §4 recommends 160, requires at least 128).
pub const TOTP_SECRET_BYTES: usize = 20;
/// How many recovery codes a set has.
pub const RECOVERY_CODES: usize = 10;

/// An authenticator app's shared secret, in memory only while it is used.
pub struct TotpSecret {
    totp: totp_rs::Totp,
}

impl TotpSecret {
    /// A new random secret (from the thread CSPRNG), labelled for the person's app.
    pub fn generate(issuer: &str, account: &str) -> Self {
        let bytes = secret_token::random_bytes(TOTP_SECRET_BYTES);
        Self::from_bytes(bytes, issuer, account)
    }

    /// A stored secret (after unsealing).
    pub fn from_bytes(bytes: Vec<u8>, issuer: &str, account: &str) -> Self {
        // The label's parts may not hold a colon (Key Uri Format); the app shows them only.
        let label = |s: &str| s.replace(':', "");
        let totp = totp_rs::Builder::new()
            .with_secret(bytes)
            .with_digits(TOTP_DIGITS as u8)
            .with_skew(1)
            .with_step_duration(TOTP_STEP_SECONDS)
            .with_issuer(Some(label(issuer)))
            .with_account_name(label(account))
            .build_noncompliant();
        Self { totp }
    }

    pub fn bytes(&self) -> &[u8] {
        self.totp.secret().as_ref()
    }

    /// The secret as people type it into an app that cannot scan (RFC 4648 base32, in
    /// groups of four).
    pub fn base32_grouped(&self) -> String {
        let plain = self.totp.secret().to_base32();
        let groups: Vec<String> = plain
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        groups.join(" ")
    }

    /// The `otpauth://totp/…` URI the QR code carries (Google Authenticator's Key Uri Format).
    pub fn uri(&self) -> String {
        self.totp.to_url().unwrap_or_default()
    }

    /// The time step `code` is valid for at `now`, allowing one step either side for clock
    /// drift (RFC 6238 §5.2). Spaces and dashes people type are ignored; anything else that
    /// is not six digits is no code. Which step matched is what makes the code single-use:
    /// the caller accepts it only if it is newer than the last step accepted.
    pub fn step_of(&self, code: &str, now: OffsetDateTime) -> Option<i64> {
        let digits: String = code.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != TOTP_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let at = u64::try_from(now.unix_timestamp()).ok()?;
        self.totp.check(&digits, at).and_then(|step| i64::try_from(step).ok())
    }

    /// The code an app would show at `at` (tests, and the CLI's self-check).
    pub fn code_at(&self, at: OffsetDateTime) -> String {
        let at = u64::try_from(at.unix_timestamp()).unwrap_or(0);
        self.totp.generate(at).to_string()
    }
}

/// A fresh set of recovery codes: what to show the person once, and the digests to store.
pub struct RecoveryCodeSet {
    pub codes: Vec<String>,
    pub digests: Vec<String>,
}

impl RecoveryCodeSet {
    /// Ten codes of 80 random bits each, as four groups of four lower-case base32 letters
    /// and digits ("abcd-efgh-ijkl-mnop"): long enough that their SHA-256 digests need no
    /// slow hash, short enough to type.
    pub fn generate() -> Self {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
        let digests = codes.iter().map(|c| recovery_code_digest(c)).collect();
        Self { codes, digests }
    }
}

fn recovery_code() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let bytes = secret_token::random_bytes(10);
    let mut bits: u128 = 0;
    for b in &bytes {
        bits = (bits << 8) | u128::from(*b);
    }
    let chars: Vec<char> = (0..16)
        .map(|i| char::from(ALPHABET[usize::try_from((bits >> (75 - 5 * i)) & 31).unwrap_or(0)]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The stored form of a recovery code as typed: case, spaces and dashes do not matter.
pub fn recovery_code_digest(typed: &str) -> String {
    let canonical: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    secret_token::digest(&canonical)
}

/// Whether `typed` has the shape of a recovery code (so the second-step form can tell a
/// recovery code from an authenticator code in one field).
pub fn looks_like_recovery_code(typed: &str) -> bool {
    typed.chars().filter(char::is_ascii_alphanumeric).count() == 16
}

/// An account's authenticator app.
#[derive(Clone, Debug)]
pub struct TotpFactor {
    pub user_id: UserId,
    /// Sealed under the master key (context [`totp_seal_context`]), base64.
    pub sealed_secret: String,
    /// Turned on by a valid code; until then it is an enrollment in progress.
    pub confirmed: bool,
    pub created_at: OffsetDateTime,
}

/// What binds a sealed TOTP secret to its account (see `seal::seal`).
pub fn totp_seal_context(user: impl std::fmt::Display) -> String {
    format!("totp:{user}")
}

/// A registered passkey.
#[derive(Clone, Debug)]
pub struct StoredPasskey {
    /// base64url (unpadded) of the credential id.
    pub credential_id: String,
    pub user_id: UserId,
    pub name: String,
    /// webauthn-rs's `Passkey` as JSON (public key, counter, flags).
    pub passkey: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// What a ceremony in flight is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CeremonyPurpose {
    /// A login whose first factor was right, waiting for the second.
    SecondStep,
    PasskeyRegister,
    PasskeySignIn,
}

impl CeremonyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecondStep => "second_step",
            Self::PasskeyRegister => "passkey_register",
            Self::PasskeySignIn => "passkey_sign_in",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::SecondStep, Self::PasskeyRegister, Self::PasskeySignIn]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// State kept server-side between the two requests of a ceremony, bound to one browser.
#[derive(Clone, Debug)]
pub struct Ceremony {
    /// SHA-256 of the id the browser holds.
    pub id_digest: String,
    pub browser: String,
    pub user_id: Option<UserId>,
    pub purpose: CeremonyPurpose,
    /// JSON.
    pub state: String,
    pub expires_at: OffsetDateTime,
}

/// What an account has enrolled, as the login and account pages need it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactorSummary {
    pub totp: bool,
    pub passkeys: usize,
    pub recovery_codes_left: usize,
}

impl FactorSummary {
    /// Whether the account has a second factor to ask for (recovery codes only back one up).
    pub fn any(&self) -> bool {
        self.totp || self.passkeys > 0
    }
}

/// What `reset_factors_with` removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactorsRemoved {
    pub totp: bool,
    pub passkeys: u64,
    pub recovery_codes: u64,
    pub sessions: u64,
}

#[async_trait]
pub trait SecondFactorStore: Send + Sync {
    async fn factor_summary(&self, user: UserId) -> StoreResult<FactorSummary>;
    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>>;
    /// Starts (or restarts) enrollment: an unconfirmed secret. Refused with
    /// `Conflict { field: "authenticator app" }` while a confirmed one exists.
    async fn begin_totp(&self, user: UserId, sealed_secret: &str, now: OffsetDateTime) -> StoreResult<()>;
    /// Confirms the pending secret with the step of a valid code and stores a new set of
    /// recovery codes, atomically; `false` when no unconfirmed secret was there.
    async fn confirm_totp_with(
        &self,
        user: UserId,
        step: i64,
        recovery_digests: &[String],
        now: OffsetDateTime,
        effects: &Effects,
    ) -> StoreResult<bool>;
    /// Accepts `step` for a confirmed app only if it is newer than every step accepted
    /// before (RFC 6238 §5.2: a code is accepted once): one conditional update.
    async fn accept_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool>;
    async fn remove_totp_with(&self, user: UserId, effects: &Effects) -> StoreResult<bool>;
    /// Replaces every recovery code of the account.
    async fn replace_recovery_codes_with(
        &self,
        user: UserId,
        digests: &[String],
        now: OffsetDateTime,
        effects: &Effects,
    ) -> StoreResult<()>;
    /// Marks one unused code used (one conditional update); `false`: no such unused code.
    async fn use_recovery_code_with(
        &self,
        user: UserId,
        digest: &str,
        now: OffsetDateTime,
        effects: &Effects,
    ) -> StoreResult<bool>;
    async fn passkeys_of(&self, user: UserId) -> StoreResult<Vec<StoredPasskey>>;
    async fn passkey(&self, credential_id: &str) -> StoreResult<Option<StoredPasskey>>;
    /// `Conflict { field: "passkey" }` when the credential id is registered already (to
    /// anyone: WebAuthn §7.1 step 22).
    async fn add_passkey_with(&self, passkey: &StoredPasskey, effects: &Effects) -> StoreResult<()>;
    /// After a sign-in: the updated counter and flags, and when.
    async fn passkey_used(&self, credential_id: &str, passkey: &str, at: OffsetDateTime) -> StoreResult<()>;
    async fn remove_passkey_with(&self, user: UserId, credential_id: &str, effects: &Effects) -> StoreResult<bool>;
    /// Every factor and recovery code of the account, and its sessions, in one transaction.
    async fn reset_factors_with(&self, user: UserId, effects: &Effects) -> StoreResult<FactorsRemoved>;
    async fn create_ceremony(&self, ceremony: &Ceremony) -> StoreResult<()>;
    /// The ceremony, if it is still there and unexpired (a second step shows its page and
    /// checks codes against it before one succeeds and takes it).
    async fn ceremony(&self, id_digest: &str, now: OffsetDateTime) -> StoreResult<Option<Ceremony>>;
    /// Removes and returns the ceremony if it is still there and unexpired: whoever takes it
    /// is the only one who can finish it.
    async fn take_ceremony(&self, id_digest: &str, now: OffsetDateTime) -> StoreResult<Option<Ceremony>>;
    async fn delete_stale_ceremonies(&self, now: OffsetDateTime) -> StoreResult<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 vectors (8 digits there; the last six here, which is
    /// what truncation to six digits gives per RFC 4226 §5.3).
    #[test]
    fn codes_follow_the_rfc_6238_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec(), "Tessera", "alice");
        let at = |t| OffsetDateTime::from_unix_timestamp(t).unwrap();
        assert_eq!(secret.code_at(at(59)), "287082");
        assert_eq!(secret.code_at(at(1_111_111_109)), "081804");
        assert_eq!(secret.code_at(at(1_234_567_890)), "005924");
        assert_eq!(secret.step_of("287 082", at(59)), Some(1));
        assert_eq!(secret.step_of("287082", at(89)), Some(1), "one step of drift");
        assert_eq!(secret.step_of("287082", at(120)), None, "two steps is too late");
        for bad in ["", "28708", "2870821", "28708a", "２８７０８２"] {
            assert_eq!(secret.step_of(bad, at(59)), None, "{bad:?}");
        }
    }

    #[test]
    fn the_uri_names_the_issuer_and_account_and_the_secret_reads_back() {
        let secret = TotpSecret::generate("Tessera: Example", "alice");
        let uri = secret.uri();
        assert!(uri.starts_with("otpauth://totp/Tessera%20Example:alice?"), "{uri}");
        let typed: String = secret.base32_grouped().split(' ').collect();
        assert!(uri.contains(&format!("secret={typed}")), "{uri}");
        assert_eq!(secret.bytes().len(), TOTP_SECRET_BYTES);
    }

    #[test]
    fn recovery_codes_are_distinct_and_match_however_typed() {
        let set = RecoveryCodeSet::generate();
        assert_eq!(set.codes.len(), RECOVERY_CODES);
        let mut unique = set.digests.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &set.codes[0];
        assert_eq!(code.len(), 19, "{code}");
        assert!(looks_like_recovery_code(code));
        assert!(!looks_like_recovery_code("123456"));
        let retyped = code.to_uppercase().replace('-', " ");
        assert_eq!(recovery_code_digest(&retyped), set.digests[0]);
    }
}
