//! `clients:` (downstream OpenID Connect relying parties) and `oidc:` (token lifetimes and
//! key rotation).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use tessera_oidc::client::{MIN_SECRET_LEN, SecretHash};
use tessera_oidc::{Client, ClientSecret, GrantType, SigningAlg};

use super::Checker;
use super::raw::{RawClient, RawOidc};

use tessera_oidc::provider::AccessTokenFormat;
/// `oidc:` token lifetimes and key schedule, as the provider takes them.
pub use tessera_oidc::provider::Lifetimes as OidcSettings;
/// A relying party as configured: the provider's own type (protocol registration plus
/// Tessera's per-client policy).
pub use tessera_oidc::provider::RegisteredClient as ClientConfig;

pub const KNOWN_SCOPES: &[&str] = &["openid", "profile", "email", "groups", "offline_access", "contacts"];

pub(super) fn oidc_settings(raw: Option<&RawOidc>, c: &mut Checker) -> OidcSettings {
    let before = c.problem_count();
    let d = |c: &mut Checker, key: &str, v: Option<&super::S>, default: u64| {
        c.duration(key, v, Duration::from_secs(default))
    };
    let at = |pick: fn(&RawOidc) -> Option<&super::S>| raw.and_then(pick);
    let settings = OidcSettings {
        authorization_ttl: d(
            c,
            "oidc.authorization_ttl",
            at(|r| r.authorization_ttl.as_ref()),
            30 * 60,
        ),
        code_ttl: d(c, "oidc.code_ttl", at(|r| r.code_ttl.as_ref()), 60),
        code_replay_window: d(
            c,
            "oidc.code_replay_window",
            at(|r| r.code_replay_window.as_ref()),
            86_400,
        ),
        access_token_ttl: d(c, "oidc.access_token_ttl", at(|r| r.access_token_ttl.as_ref()), 600),
        id_token_ttl: d(c, "oidc.id_token_ttl", at(|r| r.id_token_ttl.as_ref()), 3600),
        refresh_token_ttl: d(
            c,
            "oidc.refresh_token_ttl",
            at(|r| r.refresh_token_ttl.as_ref()),
            30 * 86_400,
        ),
        refresh_token_idle: d(
            c,
            "oidc.refresh_token_idle",
            at(|r| r.refresh_token_idle.as_ref()),
            7 * 86_400,
        ),
        key_rotation: d(c, "oidc.key_rotation", at(|r| r.key_rotation.as_ref()), 30 * 86_400),
        key_publish_before: d(
            c,
            "oidc.key_publish_before",
            at(|r| r.key_publish_before.as_ref()),
            3600,
        ),
    };
    if c.problem_count() == before {
        check_oidc(&settings, raw, c);
    }
    settings
}

/// How long a node may go on using a JWKS it fetched: `Cache-Control: max-age=300` on the
/// JWKS, and the 30 s each node caches the key table.
const JWKS_STALE: Duration = Duration::from_secs(330);

/// What the key schedule and the refresh tokens need of the lifetimes together.
fn check_oidc(s: &OidcSettings, raw: Option<&RawOidc>, c: &mut Checker) {
    use super::{format_duration as f, shown};
    let at = |pick: fn(&RawOidc) -> Option<&super::S>| raw.and_then(pick);
    let rotation = at(|r| r.key_rotation.as_ref());
    let publish = at(|r| r.key_publish_before.as_ref());
    let (longest_key, longest, longest_at) = if s.id_token_ttl >= s.access_token_ttl {
        ("oidc.id_token_ttl", s.id_token_ttl, at(|r| r.id_token_ttl.as_ref()))
    } else {
        (
            "oidc.access_token_ttl",
            s.access_token_ttl,
            at(|r| r.access_token_ttl.as_ref()),
        )
    };
    // A signing key is published `key_publish_before` ahead of signing and stays published
    // until the last token it signed has expired; a rotation shorter than both together
    // keeps more and more keys in the JWKS at once.
    let needed = s.key_publish_before.saturating_add(longest);
    if s.key_rotation < needed {
        c.problem_at_first(
            &[rotation, publish, longest_at],
            format!(
                "oidc.key_rotation ({}) is shorter than oidc.key_publish_before ({}) plus the longest token \
                 lifetime, {longest_key} ({}): a key must outlast its own publication and the tokens it signed, \
                 or the JWKS holds ever more keys; make oidc.key_rotation at least {}, or shorten the others",
                shown(s.key_rotation, rotation),
                shown(s.key_publish_before, publish),
                shown(longest, longest_at),
                f(needed),
            ),
        );
    }
    if s.key_publish_before < JWKS_STALE + Duration::from_secs(30) {
        c.warning_at_first(
            &[publish],
            format!(
                "oidc.key_publish_before ({}) is shorter than 6m: relying parties may use a JWKS fetched up to \
                 5m30s ago and refuse tokens signed by a key they have not seen yet; make it 6m or more",
                shown(s.key_publish_before, publish),
            ),
        );
    }
    let idle = at(|r| r.refresh_token_idle.as_ref());
    let ttl = at(|r| r.refresh_token_ttl.as_ref());
    let access = at(|r| r.access_token_ttl.as_ref());
    if s.refresh_token_idle > s.refresh_token_ttl {
        c.problem_at_first(
            &[idle, ttl],
            format!(
                "oidc.refresh_token_idle ({}) is longer than oidc.refresh_token_ttl ({}), so it can never apply: \
                 make oidc.refresh_token_idle at most {}, or raise oidc.refresh_token_ttl",
                shown(s.refresh_token_idle, idle),
                shown(s.refresh_token_ttl, ttl),
                f(s.refresh_token_ttl),
            ),
        );
    } else if s.refresh_token_idle <= s.access_token_ttl {
        c.problem_at_first(
            &[idle, access],
            format!(
                "oidc.refresh_token_idle ({}) is not longer than oidc.access_token_ttl ({}): an app refreshes when \
                 its access token expires, and by then its refresh token has died unused; make \
                 oidc.refresh_token_idle longer than {}, or shorten oidc.access_token_ttl",
                shown(s.refresh_token_idle, idle),
                shown(s.access_token_ttl, access),
                f(s.access_token_ttl),
            ),
        );
    }
}

pub(super) fn clients(raw: &[RawClient], c: &mut Checker) -> Vec<ClientConfig> {
    let mut seen = HashSet::new();
    raw.iter().filter_map(|r| client(r, c, &mut seen)).collect()
}

/// Redirect URIs are compared as exact strings (OAuth 2.0 Security BCP §4.1.3), so they are
/// checked here once: absolute, no fragment (RFC 6749 §3.1.2), http only for loopback.
fn redirect_uri(c: &mut Checker, key: &str, v: &super::S) -> Option<String> {
    let url = c.url(key, v)?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.fragment().is_some() {
        c.problem(
            v,
            format!("{key}: a redirect URI must not have a #fragment (RFC 6749 §3.1.2)"),
        );
        return None;
    }
    if url.scheme() == "http" && !loopback {
        c.problem(
            v,
            format!("{key}: use https (plain http is only allowed for 127.0.0.1/localhost apps)"),
        );
        return None;
    }
    // Keep the admin's exact spelling: matching is by string.
    c.text(key, v)
}

fn client(r: &RawClient, c: &mut Checker, seen: &mut HashSet<String>) -> Option<ClientConfig> {
    let id = client_id(r, c, seen);
    let secret = client_secret(r, c);
    let redirect_uris = redirect_uris(r, c);
    let post_logout: Vec<String> = r
        .post_logout_redirect_uris
        .iter()
        .flatten()
        .filter_map(|u| redirect_uri(c, "clients.post_logout_redirect_uris", u))
        .collect();
    let grant_types = grant_types(r, c);
    let scopes = scopes(r, c);
    let id_token_alg = match &r.id_token_signed_response_alg {
        Some(a) => c.parsed("clients.id_token_signed_response_alg", a, |t| {
            t.parse::<SigningAlg>().map_err(|e| e.to_string())
        }),
        None => Some(SigningAlg::Rs256),
    };
    let access_token_format = match &r.access_token_format {
        Some(f) => c.parsed("clients.access_token_format", f, |t| match t {
            "jwt" => Ok(AccessTokenFormat::Jwt),
            "opaque" => Ok(AccessTokenFormat::Opaque),
            _ => Err("choose jwt (signed, RFC 9068) or opaque (a reference checked by introspection)".to_owned()),
        }),
        None => Some(AccessTokenFormat::Jwt),
    };
    let backchannel = r
        .backchannel_logout_uri
        .as_ref()
        // Same rules as redirect URIs: https, or plain http only to this machine.
        .map(|u| redirect_uri(c, "clients.backchannel_logout_uri", u).and_then(|text| url::Url::parse(&text).ok()));
    let claims = claims(r, c);
    let name = r.name.as_ref().and_then(|n| c.text("clients.name", n));
    let backchannel_logout_uri = match backchannel {
        Some(Some(url)) => Some(url),
        Some(None) => return None,
        None => None,
    };
    let (id, secret) = (id?, secret?);
    Some(ClientConfig {
        client: Client {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            secret,
            redirect_uris,
            post_logout_redirect_uris: post_logout,
            grant_types,
            scopes,
            first_party: r.first_party.as_ref().is_some_and(|b| b.value),
            require_pkce: r.require_pkce.as_ref().is_some_and(|b| b.value),
            id_token_alg: id_token_alg?,
            backchannel_logout_uri,
        },
        access_token_format: access_token_format?,
        refresh_without_offline_access: r.refresh_without_offline_access.as_ref().is_some_and(|b| b.value),
        claims,
        require_mfa: r.require_mfa.as_ref().is_some_and(|b| b.value),
    })
}

/// `secret` or `secret_hash`, at most one: `Some(None)` for a public client, `None` once the
/// problem is recorded. Either is the client password of RFC 6749 §2.3.1; `secret_hash` keeps
/// the secret itself out of the file (OWASP ASVS 4.0.3 V2.10.3). Messages never show a value.
fn client_secret(r: &RawClient, c: &mut Checker) -> Option<Option<ClientSecret>> {
    match (&r.secret, &r.secret_hash) {
        (None, None) => Some(None),
        (Some(plain), None) => c.parsed("clients.secret", plain, plain_secret).map(Some),
        (None, Some(hash)) => c.parsed("clients.secret_hash", hash, hashed_secret).map(Some),
        (Some(_), Some(hash)) => {
            c.problem(
                hash,
                format!(
                    "clients.secret_hash: client {:?} has both secret and secret_hash; keep only one \
                     (secret_hash, made with `tessera clients hash-secret`, keeps the secret out of the file)",
                    r.id.value
                ),
            );
            None
        }
    }
}

fn plain_secret(text: &str) -> Result<ClientSecret, String> {
    if text.len() < MIN_SECRET_LEN {
        return Err(format!(
            "is shorter than {MIN_SECRET_LEN} characters; generate one with `openssl rand -hex 32`"
        ));
    }
    Ok(ClientSecret::new(text))
}

/// Surrounding whitespace (a newline from an environment file, say) is no part of a PHC string.
fn hashed_secret(text: &str) -> Result<ClientSecret, String> {
    SecretHash::parse(text.trim())
        .map(ClientSecret::hashed)
        .map_err(|why| format!("{why}; generate one with `tessera clients hash-secret`"))
}

/// `id`: visible ASCII without ':' (it is the Basic-auth user name), unique among the clients.
fn client_id(r: &RawClient, c: &mut Checker, seen: &mut HashSet<String>) -> Option<String> {
    let id = c.parsed("clients.id", &r.id, |id| {
        let ok = !id.is_empty() && id.len() <= 128 && id.chars().all(|ch| ch.is_ascii_graphic() && ch != ':');
        if ok {
            Ok(id.to_owned())
        } else {
            Err(format!("{id:?} must be 1-128 visible ASCII characters without ':'"))
        }
    });
    if let Some(id) = &id
        && !seen.insert(id.clone())
    {
        c.problem(&r.id, format!("clients.id: {id:?} is used twice"));
    }
    id
}

/// `redirect_uris`: at least one, each valid.
fn redirect_uris(r: &RawClient, c: &mut Checker) -> Vec<String> {
    let uris = r
        .redirect_uris
        .iter()
        .filter_map(|u| redirect_uri(c, "clients.redirect_uris", u))
        .collect();
    if r.redirect_uris.is_empty() {
        c.problem(&r.id, "clients.redirect_uris: list at least one redirect URI");
    }
    uris
}

/// `grant_types` (code and refresh unless said otherwise); client credentials need a secret.
fn grant_types(r: &RawClient, c: &mut Checker) -> Vec<GrantType> {
    let grant_types: Vec<GrantType> = match &r.grant_types {
        Some(list) => list
            .iter()
            .filter_map(|g| {
                c.parsed("clients.grant_types", g, |t| {
                    t.parse::<GrantType>().map_err(|e| e.to_string())
                })
            })
            .collect(),
        None => vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
    };
    if grant_types.contains(&GrantType::ClientCredentials) && r.secret.is_none() && r.secret_hash.is_none() {
        c.problem(
            &r.id,
            "clients.grant_types: client_credentials needs a confidential client (add a secret or secret_hash)",
        );
    }
    grant_types
}

/// `scopes` the client may ask for, each one of [`KNOWN_SCOPES`].
fn scopes(r: &RawClient, c: &mut Checker) -> Vec<String> {
    match &r.scopes {
        Some(list) => list
            .iter()
            .filter_map(|s| {
                c.parsed("clients.scopes", s, |t| {
                    if KNOWN_SCOPES.contains(&t) {
                        Ok(t.to_owned())
                    } else {
                        Err(format!("unknown scope {t:?}; known: {}", KNOWN_SCOPES.join(", ")))
                    }
                })
            })
            .collect(),
        None => vec!["openid".into(), "profile".into(), "email".into()],
    }
}

/// `claims`: extra claim names, none of them one Tessera sets itself.
fn claims(r: &RawClient, c: &mut Checker) -> BTreeMap<String, String> {
    let mut claims = BTreeMap::new();
    for (attribute, claim) in r.claims.iter().flatten() {
        if let Some(name) = c.text("clients.claims", claim) {
            if tessera_oidc::RESERVED_CLAIMS.contains(&name.as_str()) {
                c.problem(
                    claim,
                    format!("clients.claims: {name:?} is a standard claim Tessera sets itself; pick another name"),
                );
            } else {
                claims.insert(attribute.clone(), name);
            }
        }
    }
    claims
}
