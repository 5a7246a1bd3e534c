//! base64url without padding, the encoding JOSE uses everywhere
//! (RFC 7515 §2 "Base64url Encoding") and PKCE uses for challenges
//! (RFC 7636 §3).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Encodes bytes as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url. Padding, the standard alphabet and
/// non-canonical trailing bits are refused: RFC 7515 §2 forbids padding and
/// accepting two spellings of one value would make signatures malleable.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding() {
        assert_eq!(decode("AQAB"), Some(vec![1, 0, 1]));
        assert_eq!(decode("_-8"), Some(vec![0xff, 0xef]));
        assert_eq!(decode("AQ=="), None);
        assert_eq!(decode("+/8"), None);
        // "AR" has non-zero trailing bits; the canonical spelling of 0x01 is "AQ".
        assert_eq!(decode("AR"), None);
    }
}
