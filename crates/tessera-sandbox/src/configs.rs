//! Ready-made `tessera-upstream` connector configs pointing at this
//! sandbox, with the credentials it was started with.

use tessera_upstream::config::Secret;
use tessera_upstream::{facebook, instagram, oauth2, oidc, twitter, x_oauth2};
use url::Url;

use crate::options::ClientCredentials;
use crate::{Provider, SandboxState};

fn url(text: String) -> Url {
    Url::parse(&text).expect("sandbox URLs are built from a parsed base")
}

fn secret(c: &ClientCredentials) -> Secret {
    Secret::new(c.secret())
}

impl SandboxState {
    /// `kind: twitter`, following friends on, posting with v2.
    pub fn twitter_config(&self, id: &str) -> twitter::Config {
        let c = &self.options().twitter;
        twitter::Config {
            id: id.to_owned(),
            client_id: c.client_id.clone(),
            client_secret: secret(c),
            api_base_url: url(self.provider_url(Provider::Twitter)),
            fetch_friends: true,
            post_api: twitter::PostApi::V2,
        }
    }

    /// `kind: x_oauth2` with `tweet.write` so posting works.
    pub fn x_oauth2_config(&self, id: &str) -> x_oauth2::Config {
        let c = &self.options().x_oauth2;
        let base = self.provider_url(Provider::Twitter);
        x_oauth2::Config {
            id: id.to_owned(),
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.as_deref().map(Secret::new),
            authorize_url: url(format!("{base}/i/oauth2/authorize")),
            token_url: url(format!("{base}/2/oauth2/token")),
            api_base_url: url(base),
            scopes: ["tweet.read", "tweet.write", "users.read", "offline.access"]
                .map(String::from)
                .to_vec(),
        }
    }

    /// `kind: facebook` asking for `user_friends` too.
    pub fn facebook_config(&self, id: &str) -> facebook::Config {
        let c = &self.options().facebook;
        let base = self.provider_url(Provider::Facebook);
        facebook::Config {
            id: id.to_owned(),
            client_id: c.client_id.clone(),
            client_secret: secret(c),
            authorize_url: url(format!("{base}/dialog/oauth")),
            api_base_url: url(format!("{base}/graph")),
            scopes: ["email", "public_profile", "user_friends"].map(String::from).to_vec(),
            trust_email: false,
        }
    }

    pub fn instagram_config(&self, id: &str) -> instagram::Config {
        let c = &self.options().instagram;
        let base = self.provider_url(Provider::Instagram);
        instagram::Config {
            id: id.to_owned(),
            client_id: c.client_id.clone(),
            client_secret: secret(c),
            authorize_url: url(format!("{base}/oauth/authorize")),
            token_url: url(format!("{base}/oauth/access_token")),
            api_base_url: url(format!("{base}/graph")),
            scopes: vec!["instagram_business_basic".to_owned()],
        }
    }

    /// `kind: oidc` with the sandbox as issuer.
    pub fn oidc_config(&self, id: &str) -> oidc::Config {
        let c = &self.options().oidc;
        oidc::Config {
            id: id.to_owned(),
            issuer: self.provider_url(Provider::Oidc),
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.as_deref().map(Secret::new),
            scopes: ["openid", "profile", "email"].map(String::from).to_vec(),
        }
    }

    /// `kind: oauth2` against the OIDC provider's endpoints (no `openid`
    /// scope, so plain OAuth 2 + userinfo).
    pub fn oauth2_config(&self, id: &str) -> oauth2::Config {
        let c = &self.options().oidc;
        let base = self.provider_url(Provider::Oidc);
        oauth2::Config {
            id: id.to_owned(),
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.as_deref().map(Secret::new),
            authorize_url: url(format!("{base}/authorize")),
            token_url: url(format!("{base}/token")),
            userinfo_url: url(format!("{base}/userinfo")),
            scopes: ["profile", "email"].map(String::from).to_vec(),
            pkce: true,
            token_auth: oauth2::TokenAuth::Basic,
            claims: oauth2::ClaimMapping::default(),
        }
    }
}
