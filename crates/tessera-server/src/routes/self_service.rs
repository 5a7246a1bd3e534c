//! Self-service on the account page: the account's sessions (and ending them), setting a
//! password on an account that has none, a copy of the account's data, and deleting the
//! account (docs/self-service.md).
//!
//! Every change is one store transaction with its audit event and jobs (back-channel logouts,
//! the confirmation mail), and every successful form post answers 303 to a page (post,
//! redirect, get); the account page then shows its notice once (`routes::to_account_with`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::json;
use tessera_core::User;
use tessera_core::secret::ExposeSecret;
use tessera_core::secret_token;
use tessera_core::store::{EventFilter, Session};
use tessera_core::username::fold_for_lookup;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::account::{FRESH_SIGN_IN, reauthenticated};
use super::{Form, NoFields, message, new_password_problem, page, rejected, see_other, too_long, too_many};
use crate::accounts::PasswordCheck;
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::{self, Actor};
use crate::session::{SessionCookie, SignedIn};
use crate::state::AppState;

pub const PASSWORD_SET_PATH: &str = "/password/set";
pub const DELETE_PATH: &str = "/account/delete";
pub const GOODBYE_PATH: &str = "/goodbye";
/// The `format` of a data export; the number changes when a reader of the old one would
/// misread the new.
pub const EXPORT_FORMAT: &str = "tessera-account-export/1";
/// How many of the account's audit events an export carries, newest first.
const EXPORTED_EVENTS: i64 = 100;

// ---------------------------------------------------------------------------------------
// Devices: a short, readable name for a session's User-Agent.

/// The browser and the system a `User-Agent` names, as far as they are known ("Firefox",
/// "Linux"). Product names, not words: they are the same in every language.
pub fn browser_and_platform(user_agent: &str) -> (Option<&'static str>, Option<&'static str>) {
    let has = |needle: &str| user_agent.contains(needle);
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", and every
    // iPhone and iPad browser says "like Mac OS X".
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") || has("Edge/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") && has("Version/") {
        Some("Safari")
    } else if user_agent.starts_with("curl/") {
        Some("curl")
    } else {
        None
    };
    let platform = if has("iPhone") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("Android") {
        Some("Android")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    (browser, platform)
}

/// "Firefox on Linux", "Chrome on Android", "Safari on iPhone"; the catalog's "Unknown
/// browser" for what cannot be told (or a session that recorded no `User-Agent`).
pub fn device(user_agent: Option<&str>) -> String {
    let (browser, platform) = user_agent.map_or((None, None), browser_and_platform);
    let browser = browser.map_or_else(|| tr!("device-unknown-browser"), str::to_owned);
    match platform {
        Some(platform) => tr!("device-on", browser = browser, platform = platform),
        None => browser,
    }
}

// ---------------------------------------------------------------------------------------
// Session handles: what the page names a session by.

/// The opaque name of a session on the account page: HMAC-SHA256 of its stored digest under
/// a key derived from the master key, first 128 bits in hex. The digest itself never reaches
/// a page (it is what `sid` and the session lookup are derived from); a handle cannot be
/// turned back into it, nor forged for a session without the key, and is only ever looked
/// up among the signed-in person's own sessions.
fn handle(state: &AppState, session: &Session) -> String {
    let key = crate::server::derive_key(state.config.master_key.expose_secret(), "tessera session handle v1");
    secret_token::hex_lower(&secret_token::hmac_sha256(&key, session.id_digest.as_bytes())[..16])
}

// ---------------------------------------------------------------------------------------
// The account page's part.

/// What the account page's self-service sections show (its context's `self_service`): the
/// account's sessions, newest first, each with its handle, device, address, dates and whether
/// it is this browser's, and how many others there are.
pub async fn account_context(state: &AppState, signed_in: &SignedIn) -> Result<Value, AppError> {
    let sessions = state.store.sessions_of(signed_in.user.id).await?;
    let current = &signed_in.session.id_digest;
    let listed: Vec<Value> = sessions
        .iter()
        .map(|s| {
            context! {
                handle => handle(state, s),
                device => device(s.user_agent.as_deref()),
                ip => s.ip.clone(),
                created => s.created_at.date().to_string(),
                last_seen => s.last_seen_at.date().to_string(),
                current => &s.id_digest == current,
            }
        })
        .collect();
    let others = sessions.iter().filter(|s| &s.id_digest != current).count();
    Ok(context! { sessions => listed, other_sessions => others })
}

/// `fx` with the back-channel logout jobs of `sessions` added.
async fn with_logouts(
    state: &AppState,
    user: &User,
    sessions: &[Session],
    mut fx: tessera_core::jobs::Effects,
) -> Result<tessera_core::jobs::Effects, AppError> {
    fx.jobs.extend(crate::admin::logouts_of(state, user, sessions).await?);
    Ok(fx)
}

/// What an audit event says of an ended session: where it was, never its id or digest.
fn ended_session_detail(session: &Session) -> serde_json::Value {
    json!({ "ip": session.ip, "user_agent": session.user_agent })
}

#[derive(Deserialize)]
pub struct EndSession {
    #[serde(default)]
    session: String,
}

/// "Sign out" next to another session (ASVS 4.0.3 V3.3.4): ends it, tells the apps that were
/// given tokens in it (OpenID Connect Back-Channel Logout 1.0 §2.5, as jobs) and writes
/// `session.ended`, in one transaction. Only the signed-in person's own sessions are found
/// by handle: anyone else's handle (or a made-up one) is 404 and ends nothing.
pub async fn end_session(
    State(state): State<AppState>,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<EndSession>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    if too_long(&[&form.session]) {
        return Err(AppError::NotFound);
    }
    let sessions = state.store.sessions_of(user.id).await?;
    let Some(target) = sessions
        .iter()
        .find(|s| secret_token::constant_time_eq(handle(&state, s).as_bytes(), form.session.as_bytes()))
    else {
        return Err(AppError::NotFound);
    };
    if target.id_digest == signed_in.session.id_digest {
        return Err(AppError::BadRequest(tr!("sessions-end-current")));
    }
    let event = effects::event(
        &state,
        "session.ended",
        Some(user.id),
        ended_session_detail(target),
        &actor,
    );
    let fx = with_logouts(&state, user, std::slice::from_ref(target), event).await?;
    // `false`: it ended meanwhile (another tab, its lifetime) and nothing was written; it is
    // signed out either way.
    if state.store.end_session_with(user.id, &target.id_digest, &fx).await? && !fx.jobs.is_empty() {
        state.jobs_wake.notify_waiters();
    }
    super::to_account_with(&state, &tr!("sessions-ended"))
}

/// "Sign out everywhere else": every session of the account but this browser's, their apps
/// told, `session.others_ended` written, in one transaction.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    signed_in: SignedIn,
    actor: Actor,
    Form(_): Form<NoFields>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let keep = &signed_in.session.id_digest;
    let others: Vec<Session> = state
        .store
        .sessions_of(user.id)
        .await?
        .into_iter()
        .filter(|s| &s.id_digest != keep)
        .collect();
    if others.is_empty() {
        return super::to_account_with(&state, &tr!("sessions-no-others"));
    }
    let event = effects::event(
        &state,
        "session.others_ended",
        Some(user.id),
        json!({ "sessions": others.len() }),
        &actor,
    );
    let fx = with_logouts(&state, user, &others, event).await?;
    let ended = state.store.end_other_sessions_with(user.id, keep, &fx).await?;
    if ended == 0 {
        return super::to_account_with(&state, &tr!("sessions-no-others"));
    }
    if !fx.jobs.is_empty() {
        state.jobs_wake.notify_waiters();
    }
    super::to_account_with(&state, &tr!("sessions-others-ended"))
}

// ---------------------------------------------------------------------------------------
// Re-authentication, as the pages here need it.

/// The refusal of a re-authentication, for a page: the message, and the field it is about.
struct Refusal {
    status: StatusCode,
    error: String,
    /// The form field to mark `aria-invalid` (`None`: the form is not shown at all).
    field: Option<&'static str>,
    retry_after_seconds: Option<u64>,
}

/// "Too many attempts. Try again in …" in the request's language.
fn too_many_text(seconds: u64) -> String {
    if seconds < 120 {
        tr!("reauth-too-many-seconds", count = seconds.max(1))
    } else {
        tr!("reauth-too-many-minutes", count = seconds.div_ceil(60))
    }
}

/// ASVS 4.0.3 V3.7.1: the current password, or for an account without one a sign-in within
/// [`FRESH_SIGN_IN`] (`account::reauthenticated`, throttled like every password check:
/// ASVS V2.2.1). `None` when the person proved it is them.
async fn reauthentication_refused(
    state: &AppState,
    signed_in: &SignedIn,
    password: &str,
    actor: &Actor,
) -> Result<Option<Refusal>, AppError> {
    Ok(match reauthenticated(state, signed_in, password, actor).await? {
        PasswordCheck::Right => None,
        PasswordCheck::Wrong if signed_in.user.password_hash.is_some() => Some(Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: tr!("reauth-wrong-password"),
            field: Some("current_password"),
            retry_after_seconds: None,
        }),
        PasswordCheck::Wrong => Some(Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: sign_in_again_text(),
            field: None,
            retry_after_seconds: None,
        }),
        PasswordCheck::Throttled { retry_after_seconds } => Some(Refusal {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: too_many_text(retry_after_seconds),
            field: Some("current_password"),
            retry_after_seconds: Some(retry_after_seconds),
        }),
    })
}

fn sign_in_again_text() -> String {
    tr!("reauth-sign-in-again", minutes = FRESH_SIGN_IN.whole_minutes())
}

/// Whether the page must first send a password-less account to sign in again: its sign-in
/// is older than `account::reauthenticated` accepts. Never for an account with a password
/// (it re-authenticates with it, and no password is checked or counted here).
async fn needs_fresh_sign_in(state: &AppState, signed_in: &SignedIn, actor: &Actor) -> Result<bool, AppError> {
    if signed_in.user.password_hash.is_some() {
        return Ok(false);
    }
    Ok(!matches!(
        reauthenticated(state, signed_in, "", actor).await?,
        PasswordCheck::Right
    ))
}

/// Where a person signs in again and comes back to `path`.
fn sign_in_again_link(path: &str) -> String {
    format!("/login?reauth=1&next={}", urlencoding::encode(path))
}

/// A page shown again after a refusal: its status, and `Retry-After` when throttled.
fn refused_page(page: Result<axum::response::Html<String>, AppError>, refusal: &Refusal) -> Result<Response, AppError> {
    let response = rejected(refusal.status, page);
    match refusal.retry_after_seconds {
        Some(seconds) => too_many(response, seconds),
        None => response,
    }
}

// ---------------------------------------------------------------------------------------
// Set a password (accounts that have none, e.g. signed up with Twitter).

/// What a page with a form shows besides it: the refusal's message and the field it marks
/// invalid, or (`stale`) that the person must sign in again before the form can work.
#[derive(Default)]
struct Shown<'a> {
    error: Option<&'a str>,
    invalid: Option<&'a str>,
    stale: bool,
}

fn password_set_page(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
    shown: Shown<'_>,
) -> Result<axum::response::Html<String>, AppError> {
    let extra = context! {
        error => shown.error, invalid => shown.invalid,
        needs_fresh_sign_in => shown.stale,
        sign_in_again => sign_in_again_text(),
        sign_in_again_link => sign_in_again_link(PASSWORD_SET_PATH),
        min_length => state.config.password_policy.min_length,
    };
    page(state, csrf, Some(&signed_in.user), "password_set.html", extra)
}

pub async fn show_password_set(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
) -> Result<Response, AppError> {
    if signed_in.user.password_hash.is_some() {
        return Ok(see_other("/password/change"));
    }
    let shown = Shown {
        stale: needs_fresh_sign_in(&state, &signed_in, &actor).await?,
        ..Shown::default()
    };
    Ok(password_set_page(&state, &csrf, &signed_in, shown)?.into_response())
}

#[derive(Deserialize)]
pub struct PasswordSetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// Sets the first password of an account without one, after a recent sign-in (ASVS 4.0.3
/// V3.7.1; an account without a password has nothing else to re-authenticate with). Like a
/// password change it ends the account's other sessions (ASVS V3.3.3; their apps are told)
/// and revokes its app tokens, with `password.set`, in one transaction.
pub async fn set_password(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
    Form(form): Form<PasswordSetForm>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    if user.password_hash.is_some() {
        return Ok(see_other("/password/change"));
    }
    let refuse = |status, error: &str, invalid| {
        let shown = Shown {
            error: Some(error),
            invalid,
            stale: false,
        };
        rejected(status, password_set_page(&state, &csrf, &signed_in, shown))
    };
    if too_long(&[&form.password, &form.password2]) {
        return refuse(StatusCode::BAD_REQUEST, &tr!("field-too-long"), Some("password"));
    }
    if let Some(refusal) = reauthentication_refused(&state, &signed_in, "", &actor).await? {
        let shown = Shown {
            error: Some(&refusal.error),
            invalid: None,
            stale: true,
        };
        return refused_page(password_set_page(&state, &csrf, &signed_in, shown), &refusal);
    }
    if let Err(why) = new_password_problem(&state, user, &form.password, &form.password2) {
        return refuse(StatusCode::BAD_REQUEST, &why, Some("password"));
    }
    let hash = state.accounts.passwords().turn().await?.hash(form.password).await?;
    let keep = &signed_in.session.id_digest;
    let others: Vec<Session> = state
        .store
        .sessions_of(user.id)
        .await?
        .into_iter()
        .filter(|s| &s.id_digest != keep)
        .collect();
    let event = effects::event(&state, "password.set", Some(user.id), json!({}), &actor);
    let fx = with_logouts(&state, user, &others, event).await?;
    state.store.set_password_with(user.id, &hash, Some(keep), &fx).await?;
    if !fx.jobs.is_empty() {
        state.jobs_wake.notify_waiters();
    }
    tracing::info!(user = %user.id, "password set");
    super::to_account_with(&state, &tr!("password-set-done"))
}

// ---------------------------------------------------------------------------------------
// Download my data.

/// An event's detail as exported: without the fields that identify a credential or join the
/// account to someone else (a passkey's credential id, a throttle's key with another's
/// address).
fn exported_detail(mut detail: serde_json::Value) -> serde_json::Value {
    if let Some(fields) = detail.as_object_mut() {
        for hidden in ["credential_id", "key"] {
            fields.remove(hidden);
        }
    }
    detail
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A data export, its parts in this order (a struct, so the file reads top-down).
#[derive(serde::Serialize)]
struct Export {
    format: &'static str,
    exported_at: String,
    issuer: String,
    profile: serde_json::Value,
    linked_identities: Vec<serde_json::Value>,
    consents: Vec<serde_json::Value>,
    sessions: Vec<serde_json::Value>,
    second_factors: serde_json::Value,
    recent_events: Vec<serde_json::Value>,
}

/// Everything Tessera keeps about the account that the person can use: profile, linked
/// identities, consents, sessions, second factors and recent audit events. Never a password
/// hash, a TOTP secret, a passkey's key material or credential id, an upstream token, an app
/// token or a digest (of a session, a mailed link or a recovery code): each field is chosen
/// here, none copied whole from a stored row.
async fn export(state: &AppState, signed_in: &SignedIn) -> Result<Export, AppError> {
    let user = &signed_in.user;
    let store = &state.store;
    let groups = store.groups_of(user.id).await?;
    let identities: Vec<serde_json::Value> = store
        .identities_of(user.id)
        .await?
        .into_iter()
        .map(|i| {
            json!({
                "provider": i.provider,
                "provider_name": state.upstreams.label(&i.provider),
                "username": i.username,
                "linked_at": rfc3339(i.linked_at),
            })
        })
        .collect();
    let consents: Vec<serde_json::Value> = store
        .grants_of(user.id)
        .await?
        .into_iter()
        .map(|g| {
            let app = state.config.client(&g.client_id).map(|c| c.client.name.clone());
            json!({
                "app": g.client_id,
                "app_name": app,
                "scopes": g.scopes,
                "granted_at": rfc3339(g.granted_at),
            })
        })
        .collect();
    let sessions: Vec<serde_json::Value> = store
        .sessions_of(user.id)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "device": device(s.user_agent.as_deref()),
                "user_agent": s.user_agent,
                "ip": s.ip,
                "created_at": rfc3339(s.created_at),
                "last_seen_at": rfc3339(s.last_seen_at),
                "this_device": s.id_digest == signed_in.session.id_digest,
            })
        })
        .collect();
    let totp = store.totp_factor(user.id).await?.filter(|t| t.confirmed);
    let summary = store.factor_summary(user.id).await?;
    let passkeys: Vec<serde_json::Value> = store
        .passkeys_of(user.id)
        .await?
        .into_iter()
        .map(|p| {
            json!({
                "name": p.name,
                "added_at": rfc3339(p.created_at),
                "last_used_at": p.last_used_at.map(rfc3339),
            })
        })
        .collect();
    let mut kinds = Vec::new();
    if totp.is_some() {
        kinds.push("authenticator_app");
    }
    if !passkeys.is_empty() {
        kinds.push("passkey");
    }
    if summary.recovery_codes_left > 0 {
        kinds.push("recovery_codes");
    }
    let filter = EventFilter {
        user: Some(user.id),
        since: None,
        limit: EXPORTED_EVENTS,
    };
    let events: Vec<serde_json::Value> = store
        .events(&filter)
        .await?
        .into_iter()
        .map(|e| {
            json!({
                "kind": e.kind,
                "at": rfc3339(e.at),
                "ip": e.ip,
                "user_agent": e.user_agent,
                "detail": exported_detail(e.detail),
            })
        })
        .collect();
    let now = OffsetDateTime::now_utc();
    Ok(Export {
        format: EXPORT_FORMAT,
        exported_at: rfc3339(now.replace_nanosecond(0).unwrap_or(now)),
        issuer: state.config.public_url(""),
        profile: json!({
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "email_verified": user.email_verified,
            "pending_email": user.pending_email,
            "has_password": user.password_hash.is_some(),
            "joined_at": rfc3339(user.date_joined),
            "last_login_at": user.last_login.map(rfc3339),
            "groups": groups,
        }),
        linked_identities: identities,
        consents,
        sessions,
        second_factors: json!({
            "kinds": kinds,
            "authenticator_app": totp.map(|t| json!({ "added_at": rfc3339(t.created_at) })),
            "passkeys": passkeys,
            "recovery_codes_left": summary.recovery_codes_left,
        }),
        recent_events: events,
    })
}

/// `attachment; filename="tessera-data-<username>.json"`, with the RFC 8187 `filename*` as
/// well when the username is not plain ASCII (RFC 6266 §4.3: the quoted name is then an
/// ASCII stand-in).
fn attachment(username: &str) -> String {
    let plain: String = username
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut value = format!("attachment; filename=\"tessera-data-{plain}.json\"");
    if plain != username {
        value.push_str(&format!(
            "; filename*=UTF-8''tessera-data-{}.json",
            urlencoding::encode(username)
        ));
    }
    value
}

/// GET `/account/data`: the account's data as a JSON download, never cached. The download is
/// recorded (`account.exported`), so a copy taken with a stolen session shows in the log.
pub async fn download_data(
    State(state): State<AppState>,
    signed_in: SignedIn,
    actor: Actor,
) -> Result<Response, AppError> {
    let data = export(&state, &signed_in).await?;
    let body = serde_json::to_string_pretty(&data).map_err(|e| AppError::internal(e.to_string()))?;
    let event = effects::event(
        &state,
        "account.exported",
        Some(signed_in.user.id),
        json!({ "format": EXPORT_FORMAT }),
        &actor,
    );
    effects::emit(&state, event).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/json".to_owned()),
            (CONTENT_DISPOSITION, attachment(&signed_in.user.username)),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// Delete my account.

fn delete_page(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
    shown: Shown<'_>,
) -> Result<axum::response::Html<String>, AppError> {
    let user = &signed_in.user;
    let extra = context! {
        error => shown.error, invalid => shown.invalid,
        has_password => user.password_hash.is_some(),
        needs_fresh_sign_in => shown.stale,
        sign_in_again => sign_in_again_text(),
        sign_in_again_link => sign_in_again_link(DELETE_PATH),
    };
    page(state, csrf, Some(user), "account_delete.html", extra)
}

pub async fn show_delete(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    actor: Actor,
) -> Result<Response, AppError> {
    let shown = Shown {
        stale: needs_fresh_sign_in(&state, &signed_in, &actor).await?,
        ..Shown::default()
    };
    Ok(delete_page(&state, &csrf, &signed_in, shown)?.into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {
    /// Never echoed back.
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    confirm_username: String,
}

/// Deletes the signed-in person's own account: the typed username must be theirs (folded as
/// usernames are), then the re-authentication (ASVS 4.0.3 V3.7.1). Then, in one transaction
/// (`admin::delete_with`, as `tessera user delete`): the account and everything that refers
/// to it, the back-channel logouts of its sessions, the confirmation mail (addressed in its
/// payload: the row is gone when it is sent) and `account.deleted`. The browser's cookie is
/// cleared and it goes to the goodbye page. A refusal deletes nothing.
pub async fn delete(
    State(state): State<AppState>,
    csrf: CsrfCookie,
    signed_in: SignedIn,
    SessionCookie(cookie): SessionCookie,
    actor: Actor,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let user = &signed_in.user;
    let refuse = |status, error: &str, invalid| {
        let shown = Shown {
            error: Some(error),
            invalid,
            stale: false,
        };
        rejected(status, delete_page(&state, &csrf, &signed_in, shown))
    };
    if too_long(&[&form.current_password, &form.confirm_username]) {
        return refuse(StatusCode::BAD_REQUEST, &tr!("field-too-long"), None);
    }
    // Checked first: a slip of the keyboard costs no password check and counts no failure.
    if fold_for_lookup(&form.confirm_username) != fold_for_lookup(&user.username) {
        let error = tr!("delete-wrong-username", username = user.username.as_str());
        return refuse(StatusCode::BAD_REQUEST, &error, Some("confirm_username"));
    }
    if let Some(refusal) = reauthentication_refused(&state, &signed_in, &form.current_password, &actor).await? {
        let error = format!("{} {}", refusal.error, tr!("delete-not-deleted"));
        let shown = Shown {
            error: Some(&error),
            invalid: refusal.field,
            stale: refusal.field.is_none(),
        };
        return refused_page(delete_page(&state, &csrf, &signed_in, shown), &refusal);
    }
    let mut fx = effects::event(
        &state,
        "account.deleted",
        Some(user.id),
        json!({ "username": user.username.as_str() }),
        &actor,
    );
    fx.jobs.extend(crate::mailer::account_deleted_job(&state, user));
    let ended = crate::admin::delete_with(&state, user, fx).await?;
    state.jobs_wake.notify_waiters();
    tracing::info!(user = %user.id, sessions = ended.sessions, "account deleted by its owner");
    let clear = crate::session::end(&state, cookie.as_deref()).await?;
    let mut response = see_other(GOODBYE_PATH);
    if let Ok(value) = clear.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

/// Where a deleted account's browser lands.
pub async fn goodbye(State(state): State<AppState>) -> Result<Response, AppError> {
    let register = tr!("goodbye-register");
    message(
        &state,
        StatusCode::OK,
        &tr!("goodbye-title"),
        &tr!("goodbye-message"),
        Some(("/register", register.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::{attachment, browser_and_platform, device, exported_detail};
    use serde_json::json;

    #[test]
    fn the_export_leaves_out_credential_ids_and_throttle_keys() {
        let detail = json!({ "second_factor": "passkey", "credential_id": "AbC", "key": "ip:192.0.2.1" });
        assert_eq!(exported_detail(detail), json!({ "second_factor": "passkey" }));
        assert_eq!(exported_detail(json!(null)), json!(null));
    }

    const FIREFOX_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                                  Chrome/126.0.0.0 Mobile Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                                 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

    #[test]
    fn common_browsers_and_systems_are_named() {
        let cases = [
            (FIREFOX_LINUX, Some("Firefox"), Some("Linux")),
            (CHROME_ANDROID, Some("Chrome"), Some("Android")),
            (SAFARI_IPHONE, Some("Safari"), Some("iPhone")),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/17.5 Safari/605.1.15",
                Some("Safari"),
                Some("macOS"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
                Some("Edge"),
                Some("Windows"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
                Some("Opera"),
                Some("Windows"),
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 CriOS/126.0 Mobile/15E148 Safari/604.1",
                Some("Chrome"),
                Some("iPad"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 FxiOS/127.0 Mobile/15E148 Safari/605.1.15",
                Some("Firefox"),
                Some("iPhone"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) \
                 SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
                Some("Samsung Internet"),
                Some("Android"),
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/126.0.0.0 Safari/537.36",
                Some("Chrome"),
                Some("ChromeOS"),
            ),
            ("curl/8.5.0", Some("curl"), None),
            ("", None, None),
            ("SomeBot/1.0 (+https://example.com/bot)", None, None),
        ];
        for (user_agent, browser, platform) in cases {
            assert_eq!(browser_and_platform(user_agent), (browser, platform), "{user_agent}");
        }
    }

    #[test]
    fn devices_read_as_words_and_unknown_ones_say_so() {
        assert_eq!(device(Some(FIREFOX_LINUX)), "Firefox on Linux");
        assert_eq!(device(Some(CHROME_ANDROID)), "Chrome on Android");
        assert_eq!(device(Some(SAFARI_IPHONE)), "Safari on iPhone");
        assert_eq!(device(Some("curl/8.5.0")), "curl");
        assert_eq!(
            device(Some("Mozilla/5.0 (X11; Linux x86_64) Mystery/1")),
            "Unknown browser on Linux"
        );
        assert_eq!(device(Some("SomeBot/1.0")), "Unknown browser");
        assert_eq!(device(None), "Unknown browser");
    }

    #[test]
    fn the_download_is_named_after_the_username_with_an_ascii_stand_in() {
        assert_eq!(attachment("jane"), "attachment; filename=\"tessera-data-jane.json\"");
        assert_eq!(
            attachment("zoë"),
            "attachment; filename=\"tessera-data-zo_.json\"; filename*=UTF-8''tessera-data-zo%C3%AB.json"
        );
    }
}
