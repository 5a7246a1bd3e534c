//! How problems with what a person typed are phrased back to them, in their language: the
//! domain types (`tessera-core`) say what is wrong, this says it in words (the catalogs'
//! `problem-*` messages). Registration and the account page's forms share it.

use tessera_core::email::{EmailError, MAX_EMAIL_LEN};
use tessera_core::password::PolicyViolation;
use tessera_core::person_text::{UnsafeText, person_text_problems};
use tessera_core::username::{MAX_USERNAME_LEN, UsernameError};

/// A problem a person can fix, worded for them.
pub trait Phrased {
    fn phrased(&self) -> String;
}

impl Phrased for UsernameError {
    fn phrased(&self) -> String {
        match self {
            UsernameError::Empty => tr!("problem-username-empty"),
            UsernameError::TooLong => tr!("problem-username-too-long", max = MAX_USERNAME_LEN),
            UsernameError::BadCharacter => tr!("problem-username-characters"),
        }
    }
}

impl Phrased for EmailError {
    fn phrased(&self) -> String {
        match self {
            EmailError::Empty => tr!("problem-email-empty"),
            EmailError::TooLong => tr!("problem-email-too-long", max = MAX_EMAIL_LEN),
            EmailError::Invalid => tr!("problem-email-invalid"),
        }
    }
}

impl Phrased for PolicyViolation {
    fn phrased(&self) -> String {
        match *self {
            PolicyViolation::TooShort(min) => tr!("problem-password-too-short", min = min),
            PolicyViolation::TooLong(max) => tr!("problem-password-too-long", max = max),
            PolicyViolation::IsUsername => tr!("problem-password-is-username"),
            PolicyViolation::IsEmail => tr!("problem-password-is-email"),
            PolicyViolation::OnlyDigits => tr!("problem-password-only-digits"),
            PolicyViolation::Common => tr!("problem-password-common"),
        }
    }
}

impl Phrased for UnsafeText {
    fn phrased(&self) -> String {
        let field = match self.field {
            "first name" => tr!("problem-field-first-name"),
            "last name" => tr!("problem-field-last-name"),
            _ => tr!("problem-field-email"),
        };
        let code = format!("U+{:04X}", u32::from(self.found));
        let kind = match self.found {
            '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => "line-break",
            '\0' => "nul",
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "direction",
            _ => "control",
        };
        tr!("problem-unsafe-text", field = field, kind = kind, code = code)
    }
}

/// The person-text rule (no line breaks, controls or text-direction overrides) for the fields
/// of a profile, phrased for the form; shared with the account page.
pub fn unsafe_text_errors(first_name: &str, last_name: &str, email: &str) -> Vec<String> {
    let fields = [
        ("first name", first_name),
        ("last name", last_name),
        ("email address", email),
    ];
    person_text_problems(&fields).iter().map(Phrased::phrased).collect()
}

/// Both name fields' limit, phrased.
pub fn names_too_long(max: usize) -> String {
    tr!("problem-names-too-long", max = max)
}

/// The two new-password fields differ.
pub fn passwords_differ() -> String {
    tr!("problem-passwords-differ")
}
