//! Password hashing and policy.
//!
//! New hashes are argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane)
//! unless the config says otherwise. Django `pbkdf2_sha256$…` hashes from imported accounts
//! verify too and report `needs_rehash`, so the caller upgrades them on the first good login.
//! These functions are CPU-heavy and synchronous on purpose: the web layer runs them on a
//! bounded pool of hashing threads so a burst of logins cannot stall the async runtime.
//!
//! argon2's working memory (19 MiB at the default cost) is an [`Argon2Memory`] the caller
//! may keep between hashes: a hashing thread that reuses one allocates nothing per login, so
//! a node's memory is (hashing threads × cost) for good. Allocating it per hash instead left
//! freed blocks in the allocator's per-thread arenas and grew a node from 19 MiB to hundreds
//! under bursts of logins.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use sha2::Sha256;

use crate::secret_token::constant_time_eq;

/// argon2id cost parameters (RFC 9106 §4; OWASP Password Storage Cheat Sheet defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Cost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Cost {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Upper bounds for argon2 costs, from config or from imported hashes: 1 GiB, 64 passes, 16 lanes.
pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
pub const MAX_ITERATIONS: u32 = 64;
pub const MAX_PARALLELISM: u32 = 16;

impl Argon2Cost {
    pub fn check(&self) -> Result<(), String> {
        if self.memory_kib > MAX_MEMORY_KIB || self.iterations > MAX_ITERATIONS || self.parallelism > MAX_PARALLELISM {
            return Err(format!(
                "at most {MAX_MEMORY_KIB} KiB of memory, {MAX_ITERATIONS} iterations and {MAX_PARALLELISM} lanes"
            ));
        }
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map(|_| ())
            .map_err(|e| format!("argon2 parameters are not usable: {e}"))
    }

    fn params(&self) -> Result<Params, PasswordError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| PasswordError::Hashing(e.to_string()))
    }
}

/// argon2's working memory, kept by a caller that hashes again and again (see the module
/// documentation). It holds what the configured cost needs; a verification of an imported
/// hash with a higher cost grows it for that one hash and it is given back afterwards.
#[derive(Default)]
pub struct Argon2Memory {
    blocks: Vec<Block>,
}

impl Argon2Memory {
    /// Runs `hash` with `needed` blocks, keeping at most `keep` blocks afterwards.
    fn lend<T>(&mut self, needed: usize, keep: usize, hash: impl FnOnce(&mut [Block]) -> T) -> T {
        if self.blocks.len() < needed {
            self.blocks.resize(needed, Block::default());
        }
        let result = hash(&mut self.blocks[..needed]);
        if self.blocks.len() > keep {
            self.blocks = Vec::new();
        }
        result
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Result of checking a candidate password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    Invalid,
    /// Correct; `needs_rehash` when the stored hash is legacy or uses other parameters.
    Valid {
        needs_rehash: bool,
    },
}

/// A new argon2id hash (PHC string) of `password`, with working memory of its own (for
/// commands that hash once; the server uses [`hash_password_in`]).
pub fn hash_password(cost: &Argon2Cost, password: &str) -> Result<String, PasswordError> {
    hash_password_in(&mut Argon2Memory::default(), cost, password)
}

/// [`hash_password`] in `memory`.
pub fn hash_password_in(memory: &mut Argon2Memory, cost: &Argon2Cost, password: &str) -> Result<String, PasswordError> {
    let failed = |e: &dyn std::fmt::Display| PasswordError::Hashing(e.to_string());
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let params = cost.params()?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let blocks = params.block_count();
    memory
        .lend(blocks, blocks, |m| {
            argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, m)
        })
        .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Checks `candidate` against a stored hash, with working memory of its own.
pub fn verify_password(cost: &Argon2Cost, stored: &str, candidate: &str) -> Verification {
    verify_password_in(&mut Argon2Memory::default(), cost, stored, candidate)
}

/// [`verify_password`] in `memory`.
pub fn verify_password_in(memory: &mut Argon2Memory, cost: &Argon2Cost, stored: &str, candidate: &str) -> Verification {
    if stored.starts_with("$argon2") {
        verify_argon2(memory, cost, stored, candidate)
    } else if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
        verify_django_pbkdf2(rest, candidate)
    } else {
        // Django's unusable passwords start with "!"; anything unknown never verifies.
        Verification::Invalid
    }
}

/// Spends the same work as a real verification, so "no such user" and "wrong password"
/// take the same time and usernames cannot be discovered by timing the login form.
pub fn burn_equivalent_time(cost: &Argon2Cost, candidate: &str) {
    burn_equivalent_time_in(&mut Argon2Memory::default(), cost, candidate);
}

/// [`burn_equivalent_time`] in `memory`.
pub fn burn_equivalent_time_in(memory: &mut Argon2Memory, cost: &Argon2Cost, candidate: &str) {
    let _ = hash_password_in(memory, cost, candidate);
}

fn verify_argon2(memory: &mut Argon2Memory, cost: &Argon2Cost, stored: &str, candidate: &str) -> Verification {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verification::Invalid;
    };
    // The stored string carries its own parameters (an imported hash its own cost); refuse
    // ones that would take gigabytes or minutes.
    let params = match Params::try_from(&parsed) {
        Ok(p) if p.m_cost() <= MAX_MEMORY_KIB && p.t_cost() <= MAX_ITERATIONS && p.p_cost() <= MAX_PARALLELISM => p,
        _ => return Verification::Invalid,
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Verification::Invalid;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return Verification::Invalid;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::V0x13), Version::try_from) else {
        return Verification::Invalid;
    };
    let mut computed = [0u8; Output::MAX_LENGTH];
    let computed = &mut computed[..expected.len()];
    let keep = cost.params().map_or(0, |p| p.block_count());
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let hashed = memory.lend(params.block_count(), keep, |m| {
        argon2.hash_password_into_with_memory(candidate.as_bytes(), salt.as_ref(), computed, m)
    });
    if hashed.is_err() || !constant_time_eq(computed, expected.as_bytes()) {
        return Verification::Invalid;
    }
    let needs_rehash = algorithm != Algorithm::Argon2id
        || params.m_cost() != cost.memory_kib
        || params.t_cost() != cost.iterations
        || params.p_cost() != cost.parallelism;
    Verification::Valid { needs_rehash }
}

/// Django's format: `pbkdf2_sha256$<iterations>$<salt>$<base64(PBKDF2-HMAC-SHA256(pw, salt, it, 32))>`.
fn verify_django_pbkdf2(rest: &str, candidate: &str) -> Verification {
    // Refuse absurd iteration counts from a crafted import instead of burning minutes of CPU.
    const MAX_ITERATIONS: u32 = 10_000_000;
    let mut parts = rest.splitn(3, '$');
    let (Some(iterations), Some(salt), Some(expected_b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Verification::Invalid;
    };
    let Ok(iterations) = iterations.parse::<u32>() else {
        return Verification::Invalid;
    };
    let Ok(expected) = STANDARD.decode(expected_b64) else {
        return Verification::Invalid;
    };
    if iterations == 0 || iterations > MAX_ITERATIONS || expected.is_empty() || expected.len() > 64 {
        return Verification::Invalid;
    }
    let mut computed = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<Sha256>(candidate.as_bytes(), salt.as_bytes(), iterations, &mut computed);
    if constant_time_eq(&computed, &expected) {
        Verification::Valid { needs_rehash: true }
    } else {
        Verification::Invalid
    }
}

/// What a new password must satisfy. Length is the rule that matters (NIST SP 800-63B §3.1.1.2);
/// the rest refuses the guesses an attacker tries first.
#[derive(Clone, Debug)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 10,
            max_length: 1024,
        }
    }
}

const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "1q2w3e4r5t",
    "iloveyou",
    "letmein123",
    "welcome123",
    "administrator",
    "qwerty123",
    "abc1234567",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "trustno1",
    "changeme",
];

/// Why the policy refuses a password. The web layer words it in the reader's language;
/// `Display` is the English the CLI prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    #[error("use at least {0} characters for your password")]
    TooShort(usize),
    #[error("passwords are at most {0} characters")]
    TooLong(usize),
    #[error("your password must not be your username")]
    IsUsername,
    #[error("your password must not be your email address")]
    IsEmail,
    #[error("your password must not be only digits")]
    OnlyDigits,
    #[error("that password is one of the most common ones; choose another")]
    Common,
}

impl PasswordPolicy {
    /// Returns the reason a password is refused.
    pub fn check(&self, password: &str, username: &str, email: Option<&str>) -> Result<(), PolicyViolation> {
        let length = password.chars().count();
        if length < self.min_length {
            return Err(PolicyViolation::TooShort(self.min_length));
        }
        if length > self.max_length {
            return Err(PolicyViolation::TooLong(self.max_length));
        }
        let lowered = password.to_lowercase();
        if lowered == username.to_lowercase() {
            return Err(PolicyViolation::IsUsername);
        }
        if let Some(email) = email {
            let email = email.to_lowercase();
            let local = email.split('@').next().unwrap_or_default();
            if lowered == email || lowered == local {
                return Err(PolicyViolation::IsEmail);
            }
        }
        if password.chars().all(|c| c.is_ascii_digit()) {
            return Err(PolicyViolation::OnlyDigits);
        }
        if COMMON_PASSWORDS.contains(&lowered.as_str()) {
            return Err(PolicyViolation::Common);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> Argon2Cost {
        Argon2Cost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn argon2id_round_trip() {
        let hash = hash_password(&fast(), "correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert_eq!(
            verify_password(&fast(), &hash, "correct horse"),
            Verification::Valid { needs_rehash: false }
        );
        assert_eq!(verify_password(&fast(), &hash, "wrong horse"), Verification::Invalid);
        let stronger = Argon2Cost {
            memory_kib: 2048,
            ..fast()
        };
        assert_eq!(
            verify_password(&stronger, &hash, "correct horse"),
            Verification::Valid { needs_rehash: true }
        );
    }

    /// Our PHC strings are the argon2 crate's, both ways, and one memory serves hashes of
    /// several costs (growing for a costlier imported hash, then given back).
    #[test]
    fn hashes_in_reused_memory_match_the_crates_own_both_ways() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let mut memory = Argon2Memory::default();
        let ours = hash_password_in(&mut memory, &fast(), "correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
        let params = Params::new(4096, 2, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_with_salt(b"correct horse", b"saltsaltsaltsalt")
            .unwrap()
            .to_string();
        assert_eq!(
            verify_password_in(&mut memory, &fast(), &theirs, "correct horse"),
            Verification::Valid { needs_rehash: true }
        );
        assert!(memory.blocks.is_empty(), "the costlier hash's memory is given back");
        assert_eq!(
            verify_password_in(&mut memory, &fast(), &theirs, "wrong"),
            Verification::Invalid
        );
        assert_eq!(
            verify_password_in(&mut memory, &fast(), &ours, "correct horse"),
            Verification::Valid { needs_rehash: false }
        );
        assert_eq!(memory.blocks.len(), 1024, "the configured cost's blocks are kept");
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        )
        .hash_password_with_salt(b"pw", b"saltsaltsaltsalt")
        .unwrap()
        .to_string();
        assert_eq!(
            verify_password_in(&mut memory, &fast(), &argon2i, "pw"),
            Verification::Valid { needs_rehash: true }
        );
    }

    #[test]
    fn django_vector_verifies_and_asks_for_rehash() {
        // ../shared/specs/PROTOCOLS.md §5
        let stored = "pbkdf2_sha256$36000$JuRTV4Vec59R$ueTUvEcLH/i/eESGTIiwk7O3iEZfW+BtpnhCmtpYK48=";
        assert_eq!(
            verify_password(&fast(), stored, "password"),
            Verification::Valid { needs_rehash: true }
        );
        assert_eq!(verify_password(&fast(), stored, "Password"), Verification::Invalid);
    }

    #[test]
    fn malformed_hashes_never_verify() {
        for stored in [
            "",
            "!unusable",
            "pbkdf2_sha256$x$salt$abc=",
            "pbkdf2_sha256$0$s$YQ==",
            "pbkdf2_sha256$99999999999$s$YQ==",
            "$argon2id$garbage",
            "md5$abc$def",
        ] {
            assert_eq!(
                verify_password(&fast(), stored, "password"),
                Verification::Invalid,
                "{stored}"
            );
        }
    }

    #[test]
    fn policy_explains_refusals() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("short", "jane", None), Err(PolicyViolation::TooShort(10)));
        assert!(
            p.check("short", "jane", None)
                .unwrap_err()
                .to_string()
                .contains("at least 10")
        );
        assert_eq!(
            p.check("JaneDoe123", "janedoe123", None),
            Err(PolicyViolation::IsUsername)
        );
        assert_eq!(
            p.check("jane.doe@example.com", "jd", Some("Jane.Doe@example.com")),
            Err(PolicyViolation::IsEmail)
        );
        assert_eq!(p.check("12345678901", "jd", None), Err(PolicyViolation::OnlyDigits));
        assert_eq!(p.check("Password123", "jd", None), Err(PolicyViolation::Common));
        assert!(p.check(&"x".repeat(1025), "jd", None).is_err());
        assert!(
            p.check("a sensible passphrase", "jane", Some("jane@example.com"))
                .is_ok()
        );
    }
}
