//! The routes of every fake provider. Browser pages (authorize, choose) and
//! API routes are separate so the failure switch only hits API calls.

use axum::Router;
use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::response::Html;
use axum::routing::{get, post};

use crate::pages::escape;
use crate::{Provider, SandboxState, facebook, failure, instagram, oidc, twitter_api, twitter_oauth1};

/// The whole sandbox as a router, for serving it yourself: `state` must
/// have been made with the base URL the router is reachable at.
pub fn router(state: SandboxState) -> Router {
    let fails = |provider: Provider| from_fn_with_state((state.clone(), provider), failure::inject);

    let twitter = Router::new()
        .route("/oauth/request_token", post(twitter_oauth1::request_token))
        .route("/oauth/access_token", post(twitter_oauth1::access_token))
        .route(
            "/1.1/account/verify_credentials.json",
            get(twitter_api::verify_credentials),
        )
        .route("/1.1/friends/ids.json", get(twitter_api::friend_ids))
        .route("/1.1/statuses/update.json", post(twitter_api::statuses_update))
        .route("/2/tweets", post(twitter_api::tweets))
        .route("/2/oauth2/token", post(twitter_api::x_token))
        .route("/2/users/me", get(twitter_api::x_users_me))
        .layer(fails(Provider::Twitter))
        .route("/oauth/authenticate", get(twitter_oauth1::authenticate))
        .route("/oauth/authorize", get(twitter_oauth1::authenticate))
        .route("/oauth/choose", get(twitter_oauth1::choose))
        .route("/i/oauth2/authorize", get(twitter_api::x_authorize))
        .route("/i/oauth2/choose", get(twitter_api::x_choose));

    let facebook = Router::new()
        .route("/graph/oauth/access_token", get(facebook::access_token))
        .route("/graph/me", get(facebook::me))
        .route("/graph/me/friends", get(facebook::friends))
        .layer(fails(Provider::Facebook))
        .route("/dialog/oauth", get(facebook::dialog))
        .route("/dialog/choose", get(facebook::choose));

    let instagram = Router::new()
        .route("/oauth/access_token", post(instagram::access_token))
        .route("/graph/access_token", get(instagram::exchange))
        .route("/graph/refresh_access_token", get(instagram::refresh))
        .route("/graph/me", get(instagram::me))
        .layer(fails(Provider::Instagram))
        .route("/oauth/authorize", get(instagram::authorize))
        .route("/oauth/choose", get(instagram::choose));

    let oidc = Router::new()
        .route("/.well-known/openid-configuration", get(oidc::discovery))
        .route("/jwks", get(oidc::jwks))
        .route("/token", post(oidc::token))
        .route("/userinfo", get(oidc::userinfo))
        .layer(fails(Provider::Oidc))
        .route("/authorize", get(oidc::authorize))
        .route("/choose", get(oidc::choose));

    Router::new()
        .route("/", get(index))
        .nest("/twitter", twitter)
        .nest("/facebook", facebook)
        .nest("/instagram", instagram)
        .nest("/oidc", oidc)
        .with_state(state)
}

/// A page listing the providers and their test people.
async fn index(State(state): State<SandboxState>) -> Html<String> {
    let mut body = String::from("<!doctype html><title>Tessera sandbox</title><h1>Tessera sandbox</h1>\n");
    for provider in Provider::ALL {
        body.push_str(&format!(
            "<h2>{}</h2><p>{}</p><ul>\n",
            provider.prefix(),
            escape(&state.provider_url(provider))
        ));
        for p in crate::people_of(provider) {
            body.push_str(&format!("<li>{} — {}</li>\n", escape(p.key), escape(p.note)));
        }
        body.push_str("</ul>\n");
    }
    Html(body)
}
