//! The one rule for free text a person controls (first and last names, the address they type):
//! it may hold any letters, marks, digits, punctuation and spaces, but no character that
//! changes how the text around it is shown. Such text flows into ID tokens, helpdesk links,
//! mails, audit events and log lines, where
//!
//! - CR, LF and NUL split or cut headers and log lines (CWE-93, CWE-117), and other C0/C1
//!   controls (ESC, DEL, …) drive terminals;
//! - the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
//!   make a reader see the text in another order than it is stored ("Trojan Source",
//!   CVE-2021-42574; Unicode TR36 §2.2, UAX #9);
//! - U+2028 and U+2029 are line breaks to JavaScript and many viewers.
//!
//! Forms and the CLI refuse such text with [`check_person_text`]; text that arrives from
//! elsewhere (an upstream provider's profile), which the person cannot fix here, is cleaned
//! with [`clean_person_text`] instead.

/// Whether `c` may not appear in person-controlled text (see the module documentation).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_line_separator(c)
}

/// The explicit embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI,
/// FSI, PDI) of UAX #9.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}') || is_line_separator(c)
}

fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// A field holds a character [`is_unsafe_char`] refuses. The message names the field and the
/// character and says what to do, e.g. "the first name contains a line break (U+000A);
/// remove it and try again".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {field} contains {} (U+{:04X}); remove it and try again", kind_of(*.found), u32::from(*.found))]
pub struct UnsafeText {
    /// The field as a person calls it ("first name").
    pub field: &'static str,
    pub found: char,
}

fn kind_of(c: char) -> &'static str {
    if is_line_break(c) {
        "a line break"
    } else if c == '\0' {
        "a NUL character"
    } else if is_bidi_control(c) {
        "a text-direction control"
    } else {
        "a control character"
    }
}

/// Refuses `value` when it holds a character [`is_unsafe_char`] refuses.
pub fn check_person_text(field: &'static str, value: &str) -> Result<(), UnsafeText> {
    match value.chars().find(|&c| is_unsafe_char(c)) {
        Some(found) => Err(UnsafeText { field, found }),
        None => Ok(()),
    }
}

/// Every problem of several fields at once, in their order (for forms that list them all).
pub fn person_text_problems(fields: &[(&'static str, &str)]) -> Vec<UnsafeText> {
    fields
        .iter()
        .filter_map(|(field, value)| check_person_text(field, value).err())
        .collect()
}

/// `value` made safe without asking anyone: line breaks and tabs become spaces (so words stay
/// apart), every other refused character is dropped.
pub fn clean_person_text(value: &str) -> String {
    value
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if is_line_break(c) => Some(' '),
            c if is_unsafe_char(c) => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_in_any_script_pass() {
        for name in [
            "Zoë",
            "O'Brien",
            "Jean-Luc",
            "Дмитрий",
            "محمد",
            "李 小龍",
            "Nguyễn Văn A",
            "",
        ] {
            assert_eq!(check_person_text("first name", name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn line_breaks_nul_controls_and_bidi_controls_are_refused_with_the_character_named() {
        let cases = [
            ("Eve\r\nX-Forged: 1", '\r', "a line break"),
            ("Eve\nadmin", '\n', "a line break"),
            ("Eve\0", '\0', "a NUL character"),
            ("Eve\u{1b}[31m", '\u{1b}', "a control character"),
            ("Eve\u{7f}", '\u{7f}', "a control character"),
            ("Eve\u{85}", '\u{85}', "a line break"),
            ("Eve\u{2028}", '\u{2028}', "a line break"),
            ("\u{202E}evE", '\u{202E}', "a text-direction control"),
            ("\u{202A}Eve", '\u{202A}', "a text-direction control"),
            ("\u{2066}Eve\u{2069}", '\u{2066}', "a text-direction control"),
            ("Eve\u{2069}", '\u{2069}', "a text-direction control"),
            ("Eve\tX", '\t', "a control character"),
        ];
        for (value, found, kind) in cases {
            let error = check_person_text("last name", value).expect_err(value);
            assert_eq!(
                error,
                UnsafeText {
                    field: "last name",
                    found
                },
                "{value:?}"
            );
            let message = error.to_string();
            assert!(message.starts_with("the last name contains "), "{message}");
            assert!(message.contains(kind), "{value:?}: {message}");
            assert!(message.contains(&format!("U+{:04X}", u32::from(found))), "{message}");
            assert!(message.ends_with("remove it and try again"), "{message}");
        }
    }

    #[test]
    fn several_fields_report_every_problem_in_order() {
        let problems = person_text_problems(&[
            ("first name", "A\nB"),
            ("last name", "ok"),
            ("email address", "\u{202E}x"),
        ]);
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["first name", "email address"]);
    }

    #[test]
    fn cleaning_keeps_words_apart_and_drops_the_rest() {
        assert_eq!(clean_person_text("Eve\r\nAdmin"), "Eve  Admin");
        assert_eq!(clean_person_text("Eve\tAdmin"), "Eve Admin");
        assert_eq!(clean_person_text("\u{202E}nimda\u{202C} Eve\0"), "nimda Eve");
        assert_eq!(clean_person_text("Zoë O'Brien"), "Zoë O'Brien");
        let cleaned = clean_person_text("a\u{1b}[2J\u{2066}b\u{2029}c");
        assert!(check_person_text("name", &cleaned).is_ok(), "{cleaned:?}");
    }
}
