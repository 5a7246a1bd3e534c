//! Tokens of ours that come back: an access token at userinfo, introspection or revocation,
//! an ID token as `id_token_hint`. Each kind has its own rules on top of the signature
//! ([`crate::verify_jwt`]), decided here once instead of by each endpoint.

use crate::claims::{AccessTokenClaims, IdTokenHint};
use crate::error::JwtError;
use crate::jwt::{TYP_ACCESS_TOKEN, TYP_ID_TOKEN, verify_kind};
use crate::keys::SigningKey;

/// An access token we issued (RFC 9068 §4): signed by one of `keys`, `typ` `at+jwt` (so an
/// ID or logout token is refused, RFC 8725 §3.11), our issuer, and not expired at `now`
/// (Unix seconds). Whether it was revoked is the caller's question (its `jti` row).
pub fn access_token(token: &str, keys: &[&SigningKey], issuer: &str, now: i64) -> Result<AccessTokenClaims, JwtError> {
    let claims = of_kind::<AccessTokenClaims>(token, keys, TYP_ACCESS_TOKEN, |c| &c.iss, issuer)?;
    if claims.exp <= now {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

/// An ID token we issued, presented as `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated
/// Logout §2): signed by one of `keys`, `typ` `JWT`, our issuer. It may have expired.
pub fn id_token_hint(token: &str, keys: &[&SigningKey], issuer: &str) -> Result<IdTokenHint, JwtError> {
    of_kind::<IdTokenHint>(token, keys, TYP_ID_TOKEN, |c| &c.iss, issuer)
}

fn of_kind<C: serde::de::DeserializeOwned>(
    token: &str,
    keys: &[&SigningKey],
    typ: &str,
    iss: impl Fn(&C) -> &String,
    issuer: &str,
) -> Result<C, JwtError> {
    let claims = verify_kind::<C>(token, keys, Some(typ))?.claims;
    if iss(&claims) != issuer {
        return Err(JwtError::WrongIssuer);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{access_token_claims, logout_token_claims};
    use crate::jwt::TYP_LOGOUT_TOKEN;
    use crate::keys::SigningAlg;
    use serde_json::json;

    const ISS: &str = "https://id.example.com";

    fn access(key: &SigningKey, iss: &str, exp_in: i64) -> String {
        let c = access_token_claims(iss, "app", "u1", "app", &[], "j1", None, 1_000, exp_in);
        key.sign_jwt(TYP_ACCESS_TOKEN, &c).unwrap()
    }

    #[test]
    fn access_tokens_are_checked_for_kind_issuer_and_expiry() {
        let key = SigningKey::generate(SigningAlg::EdDsa).unwrap();
        let keys = [&key];
        let ok = access_token(&access(&key, ISS, 60), &keys, ISS, 1_059).unwrap();
        assert_eq!((ok.jti.as_str(), ok.exp), ("j1", 1_060));
        assert_eq!(
            access_token(&access(&key, ISS, 60), &keys, ISS, 1_060),
            Err(JwtError::Expired)
        );
        assert_eq!(
            access_token(&access(&key, "https://evil.example", 60), &keys, ISS, 1_000),
            Err(JwtError::WrongIssuer)
        );
        // An ID token or a logout token is not an access token, even when signed by us.
        let logout = key
            .sign_jwt(
                TYP_LOGOUT_TOKEN,
                &logout_token_claims(ISS, "app", "u1", "s", "j", 1_000),
            )
            .unwrap();
        assert_eq!(access_token(&logout, &keys, ISS, 1_000), Err(JwtError::WrongKind));
        let c = access_token_claims(ISS, "app", "u1", "app", &[], "j1", None, 1_000, 60);
        let as_id = key.sign_jwt(TYP_ID_TOKEN, &c).unwrap();
        assert_eq!(access_token(&as_id, &keys, ISS, 1_000), Err(JwtError::WrongKind));
    }

    #[test]
    fn id_token_hints_are_checked_for_kind_and_issuer_but_may_be_expired() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        let keys = [&key];
        let claims = json!({"iss": ISS, "sub": "u1", "aud": "app", "exp": 1, "iat": 0});
        let hint = id_token_hint(&key.sign_jwt(TYP_ID_TOKEN, &claims).unwrap(), &keys, ISS).unwrap();
        assert_eq!((hint.sub.as_str(), hint.aud.as_str()), ("u1", "app"));
        assert_eq!(
            id_token_hint(&access(&key, ISS, 60), &keys, ISS),
            Err(JwtError::WrongKind)
        );
        let other = json!({"iss": "https://other", "sub": "u1", "aud": "app"});
        let token = key.sign_jwt(TYP_ID_TOKEN, &other).unwrap();
        assert_eq!(id_token_hint(&token, &keys, ISS), Err(JwtError::WrongIssuer));
    }
}
