//! Constant-time comparison of hex digests.
//!
//! The helpdesk protocols exchange MD5 / HMAC-MD5 digests as hex (encoded with
//! [`tessera_core::secret_token::hex_lower`]). Comparing a digest with `==` leaks through
//! timing how many leading characters matched, so comparison decodes both sides without
//! branching on their characters and compares the bytes with
//! [`tessera_core::secret_token::constant_time_eq`]. The decoder stays here: accepting either
//! case is this protocol's rule, and `secret_token` has no hex decoder.

use tessera_core::secret_token::constant_time_eq;

/// Compares two hex digests in constant time (for a given length),
/// ignoring ASCII case. Returns `false` when either side is empty, is not
/// hex, or the lengths differ (lengths are public: digests have fixed sizes).
pub fn verify_hex_digest(expected_hex: &str, given_hex: &str) -> bool {
    let (Some(expected), Some(given)) = (decode(expected_hex), decode(given_hex)) else {
        return false;
    };
    if expected.is_empty() || expected.len() != given.len() {
        return false;
    }
    constant_time_eq(&expected, &given)
}

/// Decodes hex without branching on the characters' values, so the time
/// taken does not depend on which characters the digest contains.
fn decode(hex: &str) -> Option<Vec<u8>> {
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let mut valid = true;
    let mut out = Vec::with_capacity(bytes.len() / 2);
    for pair in bytes.chunks_exact(2) {
        let (high, high_ok) = nibble(pair[0]);
        let (low, low_ok) = nibble(pair[1]);
        valid &= high_ok & low_ok;
        out.push((high << 4) | low);
    }
    valid.then_some(out)
}

/// The value of one hex character and whether it was one.
fn nibble(c: u8) -> (u8, bool) {
    let digit = c.wrapping_sub(b'0');
    let is_digit = digit < 10;
    // Setting bit 5 maps 'A'..='F' onto 'a'..='f' and no other byte there.
    let letter = (c | 0x20).wrapping_sub(b'a');
    let is_letter = letter < 6;
    let value = (digit & 0x0f & 0u8.wrapping_sub(u8::from(is_digit)))
        | (letter.wrapping_add(10) & 0x0f & 0u8.wrapping_sub(u8::from(is_letter)));
    (value, is_digit | is_letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_hex_character() {
        let all = "0123456789abcdefABCDEF";
        let values: Vec<u8> = all.bytes().map(|c| nibble(c).0).collect();
        assert_eq!(
            values,
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 10, 11, 12, 13, 14, 15
            ]
        );
        for c in 0..=u8::MAX {
            assert_eq!(nibble(c).1, all.as_bytes().contains(&c), "byte {c:#04x}");
        }
    }

    #[test]
    fn equal_digests_match() {
        let digest = "3ec011c17ff8b69c842edfe97bff8998";
        assert!(verify_hex_digest(digest, digest));
    }

    #[test]
    fn different_digests_do_not_match() {
        assert!(!verify_hex_digest(
            "3ec011c17ff8b69c842edfe97bff8998",
            "3ec011c17ff8b69c842edfe97bff8999"
        ));
    }

    #[test]
    fn different_lengths_do_not_match() {
        assert!(!verify_hex_digest("3ec011c1", "3ec011c17ff8"));
        assert!(!verify_hex_digest("3ec011c17ff8", "3ec011c1"));
        assert!(!verify_hex_digest("3ec", "3ec"));
        assert!(!verify_hex_digest("", ""));
    }

    #[test]
    fn uppercase_matches_lowercase() {
        assert!(verify_hex_digest(
            "3ec011c17ff8b69c842edfe97bff8998",
            "3EC011C17FF8B69C842EDFE97BFF8998"
        ));
    }

    #[test]
    fn non_hex_never_matches() {
        assert!(!verify_hex_digest("zz", "zz"));
        assert!(!verify_hex_digest("0\u{10}", "00"));
        assert!(!verify_hex_digest("00", "0 "));
    }
}
