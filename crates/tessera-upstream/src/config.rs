//! The `upstreams:` entries of the config file (see CONTRACT.md): one
//! [`UpstreamConfig`] per entry, tagged by `kind`, each kind's keys in its
//! module's `Config`. Unknown keys are errors (`deny_unknown_fields`).

use serde::Deserialize;
use tessera_core::secret::ExposeSecret;

use crate::CallbackConnector;

/// One `upstreams:` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UpstreamConfig {
    Twitter(crate::twitter::Config),
    XOauth2(crate::x_oauth2::Config),
    Facebook(crate::facebook::Config),
    Instagram(crate::instagram::Config),
    Oidc(crate::oidc::Config),
    Oauth2(crate::oauth2::Config),
}

impl UpstreamConfig {
    /// The upstream id (`upstreams[].id`).
    pub fn id(&self) -> &str {
        match self {
            UpstreamConfig::Twitter(c) => &c.id,
            UpstreamConfig::XOauth2(c) => &c.id,
            UpstreamConfig::Facebook(c) => &c.id,
            UpstreamConfig::Instagram(c) => &c.id,
            UpstreamConfig::Oidc(c) => &c.id,
            UpstreamConfig::Oauth2(c) => &c.id,
        }
    }

    /// Every problem that deserialization cannot see, at once.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let id = self.id();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            problems.push(format!(
                "upstream id {id:?} must be non-empty letters, digits, '-' or '_'"
            ));
        }
        let (client_id, secret) = match self {
            UpstreamConfig::Twitter(c) => (&c.client_id, Some(&c.client_secret)),
            UpstreamConfig::XOauth2(c) => (&c.client_id, c.client_secret.as_ref()),
            UpstreamConfig::Facebook(c) => (&c.client_id, Some(&c.client_secret)),
            UpstreamConfig::Instagram(c) => (&c.client_id, Some(&c.client_secret)),
            UpstreamConfig::Oidc(c) => (&c.client_id, c.client_secret.as_ref()),
            UpstreamConfig::Oauth2(c) => (&c.client_id, c.client_secret.as_ref()),
        };
        if client_id.is_empty() {
            problems.push(format!("upstream {id}: client_id is empty"));
        }
        if secret.is_some_and(|s| s.expose_secret().is_empty()) {
            problems.push(format!("upstream {id}: client_secret is empty"));
        }
        if let UpstreamConfig::Oidc(c) = self {
            match url::Url::parse(&c.issuer) {
                Ok(u) if matches!(u.scheme(), "https" | "http") && u.query().is_none() => {}
                _ => problems.push(format!("upstream {id}: issuer must be an http(s) URL without query")),
            }
        }
        problems
    }
}

/// Opens the connector an entry describes.
pub fn open(config: UpstreamConfig, client: reqwest::Client) -> Box<dyn CallbackConnector> {
    match config {
        UpstreamConfig::Twitter(c) => crate::twitter::open(c, client),
        UpstreamConfig::XOauth2(c) => crate::x_oauth2::open(c, client),
        UpstreamConfig::Facebook(c) => crate::facebook::open(c, client),
        UpstreamConfig::Instagram(c) => crate::instagram::open(c, client),
        UpstreamConfig::Oidc(c) => crate::oidc::open(c, client),
        UpstreamConfig::Oauth2(c) => crate::oauth2::open(c, client),
    }
}

/// A client secret from the config: the workspace's one secret type (zeroed on drop, `Debug`
/// prints `Secret(***)`), re-exported so connector configs name it here.
pub use tessera_core::secret::Secret;

/// Parses a default URL constant.
pub(crate) fn default_url(text: &str) -> url::Url {
    url::Url::parse(text).expect("built-in default URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_by_kind_and_refuse_unknown_keys() {
        let twitter: UpstreamConfig = serde_json::from_value(serde_json::json!({
            "id": "twitter", "kind": "twitter", "client_id": "ck", "client_secret": "cs",
            "fetch_friends": true, "post_api": "v1"
        }))
        .unwrap();
        assert_eq!(twitter.id(), "twitter");
        assert!(twitter.validate().is_empty());
        let UpstreamConfig::Twitter(c) = &twitter else { panic!() };
        assert_eq!(c.api_base_url.as_str(), "https://api.x.com/");
        assert!(!format!("{twitter:?}").contains("cs\""));
        assert!(
            format!("{twitter:?}").contains("client_secret: Secret(***)"),
            "{twitter:?}"
        );

        let err = serde_json::from_value::<UpstreamConfig>(serde_json::json!({
            "id": "fb", "kind": "facebook", "client_id": "a", "client_secret": "b", "colour": "blue"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        assert!(serde_json::from_value::<UpstreamConfig>(serde_json::json!({"id": "x", "kind": "myspace"})).is_err());

        let oidc: UpstreamConfig = serde_json::from_value(serde_json::json!({
            "id": "bad id", "kind": "oidc", "client_id": "", "issuer": "ftp://x"
        }))
        .unwrap();
        assert_eq!(oidc.validate().len(), 3, "{:?}", oidc.validate());
    }
}
