//! Usernames follow Django's `auth.User` rules, so imported accounts keep working:
//! 1–150 characters of letters, digits and `@ . + - _`, after NFKC normalisation (Django's
//! `AbstractBaseUser.normalize_username`). Uniqueness is case-insensitive (the store keeps the
//! [`Username::folded`] key unique), but the spelling the person chose is kept. The store also
//! keeps the [`Username::skeleton`] unique, so a name that merely looks like a taken one
//! (Cyrillic `аdmin` next to `admin`) is refused too.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

pub const MAX_USERNAME_LEN: usize = 150;

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("enter a username")]
    Empty,
    #[error("usernames are at most {MAX_USERNAME_LEN} characters")]
    TooLong,
    #[error("usernames may contain only letters, digits and @ . + - _")]
    BadCharacter,
}

impl Username {
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        // NFKC before anything else: fullwidth `ｅｖｅ`, ligatures and other compatibility
        // forms become the letters they stand for, so they are checked, folded and compared
        // as those letters and cannot pose as a second `eve`.
        let normalized = nfkc(raw);
        let trimmed = normalized.trim();
        if trimmed.is_empty() {
            return Err(UsernameError::Empty);
        }
        if trimmed.chars().count() > MAX_USERNAME_LEN {
            return Err(UsernameError::TooLong);
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_');
        if !trimmed.chars().all(allowed) {
            return Err(UsernameError::BadCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key uniqueness and look-ups are decided on.
    pub fn folded(&self) -> String {
        fold_for_lookup(&self.0)
    }

    /// The key "looks the same as" is decided on: the Unicode TR39 §4 skeleton of the folded
    /// name, so `аdmin` (Cyrillic а) and `admin`, `paypa1` and `paypal`, `rnary` and `mary`
    /// share one. The store keeps skeletons unique.
    pub fn skeleton(&self) -> String {
        skeleton_of(&self.folded())
    }
}

fn nfkc(text: &str) -> String {
    text.nfkc().collect()
}

/// What a typed username (or address, for logins that accept either) is looked up by: NFKC,
/// trimmed, lower-cased, the same steps [`Username::folded`] takes.
pub fn fold_for_lookup(raw: &str) -> String {
    nfkc(raw).trim().to_lowercase()
}

/// The TR39 skeleton of an already folded name, lower-cased once more because some
/// prototypes are capitals (`0` → `O`), so `b0b` meets `bob` as `BOB` meets `bob`.
pub fn skeleton_of(folded: &str) -> String {
    unicode_security::skeleton(folded).collect::<String>().to_lowercase()
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_django_charset_and_keeps_case() {
        let u = Username::parse("  Jane.Doe+x@ex_1-2 ").unwrap();
        assert_eq!(u.as_str(), "Jane.Doe+x@ex_1-2");
        assert_eq!(u.folded(), "jane.doe+x@ex_1-2");
        assert!(Username::parse("Zoë").is_ok());
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert_eq!(Username::parse(" "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("a b"), Err(UsernameError::BadCharacter));
        assert_eq!(Username::parse("<script>"), Err(UsernameError::BadCharacter));
        assert_eq!(Username::parse(&"a".repeat(151)), Err(UsernameError::TooLong));
        assert!(Username::parse(&"a".repeat(150)).is_ok());
    }

    fn parsed(raw: &str) -> Username {
        Username::parse(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"))
    }

    #[test]
    fn nfkc_turns_fullwidth_and_compatibility_forms_into_plain_letters() {
        assert_eq!(parsed("ｅｖｅ").as_str(), "eve", "fullwidth");
        assert_eq!(parsed("ＥＶＥ").folded(), "eve", "fullwidth capitals fold like ASCII");
        assert_eq!(parsed("\u{FB01}ona").as_str(), "fiona", "the fi ligature");
        assert_eq!(parsed("eve\u{2075}").as_str(), "eve5", "superscript five");
        // Composed and decomposed ë are one name (NFKC composes).
        assert_eq!(parsed("zoe\u{308}").as_str(), "zoë");
        // An ideographic space becomes a space and is trimmed like one.
        assert_eq!(parsed("\u{3000}eve\u{3000}").as_str(), "eve");
        // Compatibility forms of refused characters are still refused after normalising.
        assert_eq!(Username::parse("ｅ ｖｅ"), Err(UsernameError::BadCharacter));
        assert_eq!(
            Username::parse("eve\u{FF1C}"),
            Err(UsernameError::BadCharacter),
            "fullwidth <"
        );
    }

    #[test]
    fn lookups_fold_the_way_usernames_do() {
        assert_eq!(fold_for_lookup("  ＥＶＥ "), "eve");
        assert_eq!(fold_for_lookup("Zoe\u{308}"), parsed("ZOË").folded());
    }

    #[test]
    fn look_alikes_share_a_skeleton() {
        let pairs = [
            ("аdmin", "admin", "Cyrillic а"),
            ("АDMIN", "admin", "Cyrillic А, and case"),
            ("ｅｖｅ", "eve", "fullwidth"),
            (
                "pаypal",
                "paypal",
                "one Cyrillic letter among Latin ones (mixed script)",
            ),
            ("ρaypal", "paypal", "Greek rho"),
            ("paypa1", "paypal", "digit one for l"),
            ("b0b", "bob", "digit zero for o"),
            ("rnary", "mary", "rn for m"),
        ];
        for (look_alike, original, why) in pairs {
            let (a, b) = (parsed(look_alike), parsed(original));
            assert_eq!(a.skeleton(), b.skeleton(), "{why}: {look_alike:?} and {original:?}");
        }
        assert_ne!(
            parsed("аdmin").folded(),
            parsed("admin").folded(),
            "folding alone misses it"
        );
    }

    #[test]
    fn different_names_keep_different_skeletons() {
        let distinct = [
            "eve",
            "eva",
            "zoë",
            "zoe",
            "admin",
            "admins",
            "дмитрий",
            "dmitry",
            "李小龍",
        ];
        for (i, a) in distinct.iter().enumerate() {
            for b in &distinct[i + 1..] {
                assert_ne!(parsed(a).skeleton(), parsed(b).skeleton(), "{a:?} and {b:?}");
            }
        }
    }
}
