//! How problems with what a person typed are phrased back to them: the registration here,
//! and the account page's forms too.

use tessera_core::person_text::person_text_problems;

/// The person-text rule (no line breaks, controls or text-direction overrides) for the fields
/// of a profile, phrased for the form; shared with the account page.
pub fn unsafe_text_errors(first_name: &str, last_name: &str, email: &str) -> Vec<String> {
    let fields = [
        ("first name", first_name),
        ("last name", last_name),
        ("email address", email),
    ];
    person_text_problems(&fields)
        .iter()
        .map(|problem| capitalize(&problem.to_string()))
        .collect()
}

pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    let rest: String = chars.collect();
    if rest.ends_with('.') {
        format!("{first}{rest}")
    } else {
        format!("{first}{rest}.")
    }
}
