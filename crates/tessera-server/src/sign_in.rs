//! Where every way in ends: a first factor (password, upstream provider) either starts the
//! session at once or, for a person with a second factor, starts the second step; the second
//! step, a passkey sign-in and a step-up all finish here. A session exists only once every
//! factor due was given, and a new session id is issued each time (no fixation).
//!
//! The second step is server-side state (a ceremony row, minutes long) whose id is an
//! HttpOnly cookie, bound to the browser's CSRF binding: a stolen cookie alone does not
//! finish someone's login, and code guesses are throttled per account.

use axum::Extension;
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tessera_core::User;
use tessera_core::factors::{Ceremony, CeremonyPurpose};
use tessera_core::secret_token;
use time::OffsetDateTime;

use crate::access_log::SignedInAs;
use crate::accounts::LoginMethod;
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::jobs::effects::Actor;
use crate::next_url::safe_next;
use crate::session::{self, SignedIn};
use crate::state::AppState;

/// The second step's cookie: `__Host-` on https, like the session's (RFC 6265bis §4.1.3.2).
fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-tessera_second_step"
    } else {
        "tessera_second_step"
    }
}
/// How long a person has for the second step once the first was right.
const SECOND_STEP_TTL: time::Duration = time::Duration::minutes(10);
/// Where people without a factor enroll one when they must have one.
pub const ENROLL_PATH: &str = "/account/totp";
pub const SECOND_STEP_PATH: &str = "/login/second-factor";

/// A first factor that was right, waiting for the second (the ceremony's JSON state).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct HalfLogin {
    /// RFC 8176 values so far (`pwd`, `fed`).
    pub amr: Vec<String>,
    pub next: Option<String>,
    /// The `user.login` event's detail for the first factor.
    pub detail: Value,
}

/// A sign-in that is complete: the session cookie and where the browser goes.
pub struct Completed {
    pub user: User,
    pub cookies: Vec<String>,
    pub target: String,
}

impl Completed {
    /// For form posts and redirects: 303 to the target.
    pub fn see_other(self) -> Response {
        let mut response = (
            StatusCode::SEE_OTHER,
            Extension(SignedInAs(self.user.id)),
            [(LOCATION, self.target)],
        )
            .into_response();
        append_cookies(&mut response, &self.cookies);
        response
    }

    /// For the passkey script: where to go, as JSON (with the cookies set).
    pub fn json(self) -> Response {
        let mut response = (
            Extension(SignedInAs(self.user.id)),
            axum::Json(json!({ "redirect": self.target })),
        )
            .into_response();
        append_cookies(&mut response, &self.cookies);
        response
    }
}

pub fn append_cookies(response: &mut Response, cookies: &[String]) {
    for c in cookies {
        if let Ok(v) = c.parse() {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
}

/// A first factor was right for `user`: the session, or the second step when the person has
/// a second factor (and Tessera asks for them: `security.mfa` is not `off`).
pub async fn first_factor(
    state: &AppState,
    csrf: &CsrfCookie,
    old_cookie: Option<&str>,
    actor: &Actor,
    user: &User,
    method: &LoginMethod<'_>,
    next: Option<String>,
) -> Result<Response, AppError> {
    let mut amr = vec![method.amr().to_owned()];
    if let LoginMethod::Upstream { provider, .. } = method
        && state
            .config
            .upstreams
            .iter()
            .any(|u| u.id == *provider && u.login_is_mfa)
    {
        amr.push("mfa".to_owned());
    }
    let detail = method.detail();
    let needs_second = state.config.mfa.enabled()
        && !amr.iter().any(|m| m == "mfa")
        && state.accounts.factors_of(user.id).await?.any();
    if !needs_second {
        let refs: Vec<&str> = amr.iter().map(String::as_str).collect();
        return Ok(complete(state, old_cookie, actor, user, &refs, detail, next)
            .await?
            .see_other());
    }
    let half = HalfLogin { amr, next, detail };
    begin_second_step(state, csrf, user, &half).await
}

/// Sends a signed-in person whose session has one factor to the second step (an app asked
/// for more: `acr_values`, `require_mfa`, policy), or to enroll one when they have none.
pub async fn step_up(
    state: &AppState,
    csrf: &CsrfCookie,
    signed_in: &SignedIn,
    next: &str,
) -> Result<Response, AppError> {
    if !state.config.mfa.enabled() {
        return Err(AppError::BadRequest(
            "This app needs a sign-in with a second factor, and second factors are turned off on this server \
             (security.mfa: off). Ask an administrator."
                .into(),
        ));
    }
    if !state.accounts.factors_of(signed_in.user.id).await?.any() {
        let to = format!("{ENROLL_PATH}?next={}", urlencoding::encode(next));
        return Ok(crate::routes::see_other(&to));
    }
    let half = HalfLogin {
        amr: signed_in.session.amr.split_whitespace().map(str::to_owned).collect(),
        next: Some(next.to_owned()),
        detail: json!({ "method": "step_up" }),
    };
    begin_second_step(state, csrf, &signed_in.user, &half).await
}

async fn begin_second_step(
    state: &AppState,
    csrf: &CsrfCookie,
    user: &User,
    half: &HalfLogin,
) -> Result<Response, AppError> {
    let token = secret_token::generate();
    let ceremony = Ceremony {
        id_digest: secret_token::digest(&token),
        browser: csrf.browser_binding(),
        user_id: Some(user.id),
        purpose: CeremonyPurpose::SecondStep,
        state: serde_json::to_string(half).map_err(|e| AppError::Internal(e.to_string()))?,
        expires_at: OffsetDateTime::now_utc() + SECOND_STEP_TTL,
    };
    state.store.create_ceremony(&ceremony).await?;
    let cookie = crate::cookies::set(state, cookie_name(state), &token, "/", Some(SECOND_STEP_TTL));
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, SECOND_STEP_PATH.to_owned()), (SET_COOKIE, cookie)],
    )
        .into_response())
}

/// The second step in progress in this browser: its cookie token, account and state.
pub struct Pending {
    token: String,
    pub user: User,
    pub half: HalfLogin,
}

/// The browser's second step, if it has one that is unexpired, its own, and of an active
/// account.
pub async fn pending(
    state: &AppState,
    csrf: &CsrfCookie,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Pending>, AppError> {
    let Some(token) =
        session::read_cookie(headers.get_all(axum::http::header::COOKIE), cookie_name(state)).filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let Some(c) = state
        .store
        .ceremony(&secret_token::digest(&token), OffsetDateTime::now_utc())
        .await?
    else {
        return Ok(None);
    };
    let ours = c.purpose == CeremonyPurpose::SecondStep
        && secret_token::constant_time_eq(c.browser.as_bytes(), csrf.browser_binding().as_bytes());
    let Some(user_id) = c.user_id.filter(|_| ours) else {
        return Ok(None);
    };
    let Some(user) = state.store.user_by_id(user_id).await?.filter(|u| u.is_active) else {
        return Ok(None);
    };
    let half: HalfLogin = serde_json::from_str(&c.state).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some(Pending { token, user, half }))
}

/// Finishes the second step with the methods of the factor given (`otp`, or a passkey's):
/// the ceremony is taken (so it finishes once), then the session starts. `None` when another
/// request finished or it expired meanwhile.
pub async fn finish_second_step(
    state: &AppState,
    old_cookie: Option<&str>,
    actor: &Actor,
    pending: Pending,
    factor_amr: &[&str],
    factor: &str,
) -> Result<Option<Completed>, AppError> {
    let now = OffsetDateTime::now_utc();
    if state
        .store
        .take_ceremony(&secret_token::digest(&pending.token), now)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let mut amr: Vec<&str> = pending.half.amr.iter().map(String::as_str).collect();
    for m in factor_amr.iter().chain(&["mfa"]) {
        if !amr.contains(m) {
            amr.push(m);
        }
    }
    let mut detail = pending.half.detail.clone();
    detail["second_factor"] = json!(factor);
    let mut done = complete(
        state,
        old_cookie,
        actor,
        &pending.user,
        &amr,
        detail,
        pending.half.next.clone(),
    )
    .await?;
    done.cookies.push(crate::cookies::clear(state, cookie_name(state), "/"));
    Ok(Some(done))
}

/// Starts the session for a finished sign-in (ending any the browser had), records the login,
/// and says where to go: `next`, or, for a person the policy wants a second factor of and who
/// has none, the enrollment page first.
pub async fn complete(
    state: &AppState,
    old_cookie: Option<&str>,
    actor: &Actor,
    user: &User,
    amr: &[&str],
    detail: Value,
    next: Option<String>,
) -> Result<Completed, AppError> {
    let (cookie, _) = session::start(state, old_cookie, user, &amr.join(" "), actor).await?;
    state.accounts.record_login_detail(user, detail, actor).await?;
    Ok(Completed {
        user: user.clone(),
        cookies: vec![cookie],
        target: target_after(state, user, amr, next).await?,
    })
}

/// Where a person whose session just started goes: `next` (when it is a safe local path) or
/// their account page, but the enrollment page first when Tessera's policy wants a second
/// factor of them and they have none.
pub async fn target_after(
    state: &AppState,
    user: &User,
    amr: &[&str],
    next: Option<String>,
) -> Result<String, AppError> {
    let next = next
        .and_then(|n| safe_next(Some(&n)))
        .unwrap_or_else(|| "/account".to_owned());
    let must_enroll = !amr.contains(&"mfa")
        && state.accounts.policy_wants_mfa(user).await?
        && !state.accounts.factors_of(user.id).await?.any();
    Ok(if must_enroll {
        format!("{ENROLL_PATH}?next={}", urlencoding::encode(&next))
    } else {
        next
    })
}
