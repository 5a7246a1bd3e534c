//! The signed-in person as OpenID Connect claims see them.

use tessera_core::User;
use tessera_oidc::Subject;

use crate::config::ClientConfig;
use crate::error::AppError;
use crate::state::AppState;

/// Claims about `user` for `client`: standard ones by scope (filtered in `tessera-oidc`), the
/// `groups` claim, and the account attributes this client maps to claims of its own.
pub async fn subject(
    state: &AppState,
    user: &User,
    client: &ClientConfig,
    scopes: &[String],
) -> Result<Subject, AppError> {
    let groups = if scopes.iter().any(|s| s == "groups") {
        state.store.groups_of(user.id).await?
    } else {
        Vec::new()
    };
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let full = format!("{} {}", user.first_name.trim(), user.last_name.trim());
    let extra = client
        .claims
        .iter()
        .filter_map(|(attribute, claim)| user.attributes.get(attribute).map(|v| (claim.clone(), v.clone())))
        .collect();
    Ok(Subject {
        sub: user.id.to_string(),
        preferred_username: user.username.clone(),
        name: non_empty(&full),
        given_name: non_empty(&user.first_name),
        family_name: non_empty(&user.last_name),
        picture: user
            .attributes
            .get("picture")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        email: user.email.clone(),
        email_verified: user.email_verified,
        updated_at: None,
        groups,
        extra,
    })
}
