use crate::templates::ser;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use tessera_core::account::MAX_NAME_LEN;
use tessera_core::store::StoreError;
use tessera_core::{Email, ProfileUpdate, User};

use super::{Form, new_password_problem, page, rejected, too_long, too_many};
use crate::accounts::{PasswordCheck, Phrased, names_too_long, unsafe_text_errors};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::session::SignedIn;
use crate::state::AppState;
use crate::throttle;
use tessera_core::jobs::Effects;

#[derive(Deserialize, Serialize)]
pub struct ProfileForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    email: String,
    /// Needed to change the address (re-authentication); never echoed back.
    #[serde(default, skip_serializing)]
    current_password: String,
}

impl ProfileForm {
    fn of(user: &User) -> Self {
        Self {
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone().unwrap_or_default(),
            current_password: String::new(),
        }
    }

    fn names(&self) -> ProfileUpdate {
        ProfileUpdate {
            first_name: self.first_name.trim().to_owned(),
            last_name: self.last_name.trim().to_owned(),
        }
    }
}

/// How recent an upstream sign-in must be to stand in for a password (password-less accounts).
pub(super) const FRESH_SIGN_IN: time::Duration = time::Duration::minutes(5);

/// ASVS 4.0.3 V3.7.1 / V2.2.3: changing a credential-bearing field (the login and reset
/// address) needs proof that the person, not just their session, is there: the current
/// password, or for an account without one a sign-in within the last few minutes.
pub(super) async fn reauthenticated(
    state: &AppState,
    signed_in: &SignedIn,
    current_password: &str,
    actor: &Actor,
) -> Result<PasswordCheck, AppError> {
    let user = &signed_in.user;
    if user.password_hash.is_some() {
        return Ok(state.accounts.confirm_password(user, current_password, actor).await?);
    }
    let fresh = time::OffsetDateTime::now_utc() - signed_in.session.auth_time <= FRESH_SIGN_IN;
    Ok(if fresh {
        PasswordCheck::Right
    } else {
        PasswordCheck::Wrong
    })
}

fn reauthentication_error(user: &User) -> String {
    if user.password_hash.is_some() {
        tr!("email-change-needs-password")
    } else {
        tr!("email-change-needs-sign-in", minutes = FRESH_SIGN_IN.whole_minutes())
    }
}

async fn account_page(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
    status: StatusCode,
    form: &ProfileForm,
    errors: &[String],
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let apps = connected_apps(state, user).await?;
    let identities: Vec<(String, String, String, String, String)> = state
        .store
        .identities_of(user.id)
        .await?
        .into_iter()
        .map(|i| {
            let when = i.linked_at.date().to_string();
            (
                state.upstreams.label(&i.provider),
                i.username.unwrap_or_default(),
                when,
                i.provider,
                i.subject,
            )
        })
        .collect();
    let connectable: Vec<crate::upstream::Button> = state
        .upstreams
        .buttons()
        .into_iter()
        .filter(|b| !identities.iter().any(|i| i.3 == b.id))
        .collect();
    let people: Vec<String> = state
        .store
        .people_you_may_know(user.id)
        .await?
        .into_iter()
        .map(|u| u.display_name())
        .collect();
    let extra = context! {
        form => ser(form), errors => ser(errors), notice, apps => ser(&apps),
        has_password => user.password_hash.is_some(),
        identities => ser(&identities), connectable => ser(&connectable), people => ser(&people),
        self_service => super::self_service::account_context(state, signed_in).await?,
        ..second_factors(state, user).await?
    };
    rejected(status, page(state, csrf, Some(user), "account.html", extra))
}

/// An app on the account page: its name, what it may do in plain words, and whether it is
/// one of the organisation's own (first-party: used without a consent question).
#[derive(Serialize)]
struct ConnectedApp {
    client_id: String,
    name: String,
    permissions: Vec<String>,
    first_party: bool,
}

/// The apps the person allowed (remembered consents), then the first-party apps, which
/// never ask; "remove access" revokes an app's tokens either way.
async fn connected_apps(state: &AppState, user: &User) -> Result<Vec<ConnectedApp>, AppError> {
    let describe = |scopes: &[String]| {
        scopes
            .iter()
            .map(|s| crate::routes::oidc::consent::describe(s))
            .collect()
    };
    let mut apps: Vec<ConnectedApp> = state
        .store
        .grants_of(user.id)
        .await?
        .into_iter()
        .map(|g| {
            let client = state.config.client(&g.client_id);
            ConnectedApp {
                name: client.map_or_else(|| g.client_id.clone(), |c| c.client.name.clone()),
                permissions: describe(&g.scopes),
                first_party: client.is_some_and(|c| c.client.first_party),
                client_id: g.client_id,
            }
        })
        .collect();
    for client in state.config.clients.iter().filter(|c| c.client.first_party) {
        if !apps.iter().any(|a| a.client_id == client.client.id) {
            apps.push(ConnectedApp {
                client_id: client.client.id.clone(),
                name: client.client.name.clone(),
                permissions: describe(&client.client.scopes),
                first_party: true,
            });
        }
    }
    Ok(apps)
}

/// The account page's second-factor section (nothing when `security.mfa: off`).
async fn second_factors(state: &AppState, user: &User) -> Result<minijinja::Value, AppError> {
    if !state.config.mfa.enabled() {
        return Ok(context! {});
    }
    let summary = state.accounts.factors_of(user.id).await?;
    let passkeys: Vec<minijinja::Value> = state
        .accounts
        .passkeys_of(user.id)
        .await?
        .into_iter()
        .map(|p| {
            context! {
                id => p.credential_id, name => p.name, created => p.created_at.date().to_string(),
                last_used => p.last_used_at.map(|t| t.date().to_string()),
            }
        })
        .collect();
    Ok(context! {
        mfa => context! { totp => summary.totp, recovery_codes_left => summary.recovery_codes_left },
        passkeys, passkeys_available => state.accounts.passkeys_available(),
    })
}

/// A form of the account page worked: back to the page (post/redirect/get), which says so.
fn account_notice(state: &AppState, notice: &str) -> Result<Response, AppError> {
    super::to_account_with(state, notice)
}

pub async fn show(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let notice = super::account_notice_of(&state, &headers);
    let page = account_page(
        &state,
        &csrf,
        &signed_in,
        StatusCode::OK,
        &ProfileForm::of(&signed_in.user),
        &[],
        notice.as_deref(),
    )
    .await?;
    Ok(match notice {
        Some(_) => super::forget_account_notice(&state, page),
        None => page,
    })
}

pub async fn update(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let email = match profile_email(&form) {
        Ok(email) => email,
        Err(errors) => {
            return account_page(&state, &csrf, &signed_in, StatusCode::BAD_REQUEST, &form, &errors, None).await;
        }
    };
    let email_changed = user.email.as_deref().map(str::to_lowercase) != Some(email.as_str().to_lowercase());
    let check = if too_long(&[&form.current_password]) {
        PasswordCheck::Wrong
    } else if email_changed {
        reauthenticated(&state, &signed_in, &form.current_password, &actor).await?
    } else {
        PasswordCheck::Right
    };
    match check {
        PasswordCheck::Right => {}
        PasswordCheck::Wrong => {
            let errors = [reauthentication_error(user)];
            return account_page(
                &state,
                &csrf,
                &signed_in,
                StatusCode::UNAUTHORIZED,
                &form,
                &errors,
                None,
            )
            .await;
        }
        PasswordCheck::Throttled { retry_after_seconds } => {
            let errors = [throttle::too_many_text(retry_after_seconds)];
            let page = account_page(&state, &csrf, &signed_in, StatusCode::OK, &form, &errors, None).await;
            return too_many(page, retry_after_seconds);
        }
    }
    // Refused before anything is written, so a taken address changes nothing at all.
    if email_changed && let Err(e) = request_email_change(&state, user, &email, &actor).await {
        let StoreError::Conflict { .. } = e else {
            return Err(e.into());
        };
        let errors = [tr!("email-taken")];
        return account_page(&state, &csrf, &signed_in, StatusCode::CONFLICT, &form, &errors, None).await;
    }
    state
        .store
        .update_profile_with(user.id, &form.names(), &Effects::none())
        .await?;
    let notice = if email_changed {
        state.jobs_wake.notify_waiters();
        pending_address_notice(user, &email)
    } else {
        tr!("saved")
    };
    account_notice(&state, &notice)
}

/// The address changes only once the new one is confirmed; until then the old one stays.
fn pending_address_notice(user: &User, email: &Email) -> String {
    match user.email.as_deref() {
        Some(old) => tr!("email-change-sent", new = email.as_str(), old = old),
        None => tr!("email-change-sent-first", new = email.as_str()),
    }
}

/// The form's new address, or every problem with the form.
fn profile_email(form: &ProfileForm) -> Result<Email, Vec<String>> {
    let mut errors = Vec::new();
    if too_long(&[&form.first_name, &form.last_name, &form.email])
        || form.first_name.chars().count() > MAX_NAME_LEN
        || form.last_name.chars().count() > MAX_NAME_LEN
    {
        errors.push(names_too_long(MAX_NAME_LEN));
    }
    errors.extend(unsafe_text_errors(&form.first_name, &form.last_name, &form.email));
    let email = Email::parse(&form.email).map_err(|e| errors.push(e.phrased())).ok();
    email.filter(|_| errors.is_empty()).ok_or(errors)
}

/// Records the pending address with its confirmation mail and, to the current address, a
/// notice with a link that cancels (or reverts) the change.
async fn request_email_change(state: &AppState, user: &User, email: &Email, actor: &Actor) -> Result<(), StoreError> {
    let mut effects = effects::event(
        state,
        "email.change_requested",
        Some(user.id),
        serde_json::json!({ "had_address": user.email.is_some() }),
        actor,
    );
    effects.jobs.extend(effects::email_change_mails(
        state,
        user.id,
        user.email.as_deref(),
        email.as_str(),
    ));
    state
        .store
        .request_email_change(user.id, email, &effects)
        .await
        .map(|_| ())
}

/// "Cancel" next to a pending address on the account page.
pub async fn cancel_email_change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(_): Form<super::NoFields>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let notice = if state.store.cancel_email_change(user.id).await? {
        tr!("email-change-cancelled")
    } else {
        tr!("email-change-none")
    };
    account_notice(&state, &notice)
}

fn password_page(
    state: &AppState,
    csrf: &CsrfCookie,
    user: &User,
    status: StatusCode,
    errors: &[String],
) -> Result<Response, AppError> {
    let extra = context! { errors => ser(errors), min_length => state.config.password_policy.min_length };
    rejected(status, page(state, csrf, Some(user), "password_change.html", extra))
}

pub async fn show_password_change(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    password_page(&state, &csrf, &signed_in.user, StatusCode::OK, &[])
}

#[derive(Deserialize)]
pub struct PasswordChangeForm {
    current: String,
    password: String,
    password2: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<PasswordChangeForm>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let refuse = |status, error: &str| password_page(&state, &csrf, user, status, &[error.to_owned()]);
    if too_long(&[&form.current, &form.password, &form.password2]) {
        return refuse(StatusCode::BAD_REQUEST, &tr!("password-far-too-long"));
    }
    match state.accounts.confirm_password(user, &form.current, &actor).await? {
        PasswordCheck::Right => {}
        PasswordCheck::Wrong => return refuse(StatusCode::UNAUTHORIZED, &tr!("password-wrong-current")),
        PasswordCheck::Throttled { retry_after_seconds } => {
            let error = throttle::too_many_text(retry_after_seconds);
            return too_many(refuse(StatusCode::OK, &error), retry_after_seconds);
        }
    }
    if let Err(why) = new_password_problem(&state, user, &form.password, &form.password2) {
        return refuse(StatusCode::BAD_REQUEST, &why);
    }
    let hash = state.accounts.passwords().turn().await?.hash(form.password).await?;
    // Other browsers signed in to this account are signed out; this one stays.
    let effects = effects::event(&state, "password.changed", Some(user.id), serde_json::json!({}), &actor);
    state
        .store
        .set_password_with(user.id, &hash, Some(&signed_in.session.id_digest), &effects)
        .await?;
    tracing::info!(user = %user.id, "password changed");
    account_notice(&state, &tr!("password-changed"))
}

#[derive(Deserialize)]
pub struct RevokeApp {
    client_id: String,
}

/// "Apps with access": forgets the consent and revokes every token the app holds.
pub async fn revoke_app(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<RevokeApp>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let notice = if state.store.revoke_grant(user.id, &form.client_id).await? {
        tr!("app-access-removed")
    } else {
        tr!("app-no-access")
    };
    account_notice(&state, &notice)
}

/// Staff only: everyone else gets 403 (signed-out people are sent to log in first).
pub async fn admin_users(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    if !(signed_in.user.is_staff || signed_in.user.is_superuser) {
        return Err(AppError::Forbidden(tr!("staff-only")));
    }
    let users = state.store.list_users().await?;
    Ok(page(
        &state,
        &csrf,
        Some(&signed_in.user),
        "admin_users.html",
        context! { users => ser(&users) },
    )?
    .into_response())
}
