//! Account mail, rendered from templates (text and HTML parts) and sent by the job queue:
//! a mail server that is down delays the mail, never the person's request. Subjects and texts
//! are the `mail-*` messages of the catalogs (`locales/*/mail.ftl`), in the language of the
//! request that queued the job (`i18n`), looked up when the mail is sent.
//!
//! Every message carries a `Date` and a `Message-ID` at the sender address's domain (see
//! `tessera_mail`); [`job_message_id`] makes the `Message-ID` of a job's mail.

use minijinja::context;
use tessera_core::User;
use tessera_core::secret::ExposeSecret;
use tessera_core::secret_token;
use tessera_core::store::{EmailToken, EmailTokenPurpose};
use tessera_mail::Message;
use time::OffsetDateTime;

use crate::state::AppState;

/// The left part of the `Message-ID` of the one mail the job `job_id` sends:
/// HMAC-SHA256(key, job id), its first 128 bits in hex, where the key is derived from the
/// master key (a random secret per installation).
///
/// Stable per job, on purpose: a delivery is retried when the mail server's answer did not
/// arrive, although the message may have been taken (a reply lost, a node killed after the
/// hand-over), and then the recipient's mail system sees the same `Message-ID` twice and can
/// show one message rather than two (a retried link mail carries a fresh link; both work
/// until they expire). Unique, because job ids are random UUIDs and a keyed hash of distinct
/// ids collides with negligible probability (2^-64 after 2^32 mails); unguessable and
/// unlinkable to the job id without the key, so it reveals nothing about the queue.
pub fn job_message_id(state: &AppState, job_id: &str) -> String {
    let key = secret_token::hmac_sha256(state.config.master_key.expose_secret(), b"tessera message-id v1");
    secret_token::hex_lower(&secret_token::hmac_sha256(&key, job_id.as_bytes())[..16])
}

/// Where an email change's mails go, fixed when the change was asked for.
pub struct ChangeAddresses {
    /// The recipient: the new address (confirmation) or the old one (undo notice).
    pub to: String,
    pub new_address: String,
}

impl ChangeAddresses {
    pub fn from_payload(payload: &serde_json::Value) -> Option<Self> {
        Some(Self {
            to: payload["to"].as_str()?.to_owned(),
            new_address: payload["new_address"].as_str()?.to_owned(),
        })
    }
}

/// Creates a single-use link for `purpose` and mails it: confirmation and reset links to the
/// account's address; a change's confirmation to its new address while the account still
/// waits for it, and its undo notice to the old address in any case (it can revert a change
/// already confirmed). Each attempt makes a fresh link, so a retried job never needs the raw
/// token stored anywhere. `id` is the `Message-ID`'s left part ([`job_message_id`]).
pub async fn deliver_link(
    state: &AppState,
    id: &str,
    user: &User,
    purpose: EmailTokenPurpose,
    change: Option<ChangeAddresses>,
) -> Result<(), String> {
    let still_pending = |new: &str| {
        user.pending_email
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(new))
    };
    let (to, new_address) = match (purpose, change) {
        (EmailTokenPurpose::ConfirmEmailChange, Some(c)) => {
            (Some(c.to).filter(|to| still_pending(to)), Some(c.new_address))
        }
        (EmailTokenPurpose::UndoEmailChange, Some(c)) => (Some(c.to), Some(c.new_address)),
        (EmailTokenPurpose::ConfirmEmailChange | EmailTokenPurpose::UndoEmailChange, None) => {
            return Err("an email-change mail job without its addresses".into());
        }
        (EmailTokenPurpose::ConfirmEmail | EmailTokenPurpose::ResetPassword, _) => (user.email.clone(), None),
    };
    let Some(email) = to else { return Ok(()) };
    let token = secret_token::generate();
    let (ttl, path, template, subject) = match purpose {
        EmailTokenPurpose::ConfirmEmail => (
            state.config.confirm_email_ttl,
            format!("/email/confirm/{token}"),
            "email/confirm_email",
            tr!("mail-confirm-subject"),
        ),
        EmailTokenPurpose::ConfirmEmailChange => (
            state.config.confirm_email_ttl,
            format!("/email/confirm/{token}"),
            "email/confirm_email_change",
            tr!("mail-change-confirm-subject"),
        ),
        EmailTokenPurpose::UndoEmailChange => (
            state.config.confirm_email_ttl,
            format!("/email/undo/{token}"),
            "email/email_change_notice",
            tr!("mail-change-notice-subject"),
        ),
        EmailTokenPurpose::ResetPassword => (
            state.config.reset_password_ttl,
            format!("/password/reset/{token}"),
            "email/reset_password",
            tr!("mail-reset-subject"),
        ),
    };
    state
        .store
        .create_email_token(&EmailToken {
            digest: secret_token::digest(&token),
            user_id: user.id,
            purpose,
            email: email.clone(),
            expires_at: OffsetDateTime::now_utc() + ttl,
        })
        .await
        .map_err(|e| e.to_string())?;
    let ctx = context! {
        name => user.display_name(),
        username => user.username.clone(),
        address => email.clone(),
        new_address,
        link => state.config.public_url(&path),
        valid_for => human_duration(ttl),
    };
    send(state, id, email, &subject, template, ctx).await
}

/// A mail with no link (welcome, follow-up, notices); `id` as for [`deliver_link`];
/// `subject_id` is its subject's catalog id, looked up now, in the mail's language.
pub async fn deliver(state: &AppState, id: &str, user: &User, template: &str, subject_id: &str) -> Result<(), String> {
    let Some(email) = user.email.clone() else { return Ok(()) };
    let subject = crate::i18n::text(subject_id, Vec::new());
    let ctx = context! { name => user.display_name(), site => state.config.public_url("/account") };
    send(state, id, email, &subject, template, ctx).await
}

/// The job kind of the mail that confirms a person deleted their own account.
pub const ACCOUNT_DELETED_JOB: &str = "mail.account_deleted";

/// The job that tells `user` at their address that their account is gone. The account row
/// is deleted in the transaction that queues it, so the address and names travel in the
/// payload (and no `user_id`: nothing about the account is looked up when it is sent).
/// `None` for an account without an address.
pub fn account_deleted_job(cx: &impl crate::jobs::effects::Context, user: &User) -> Option<tessera_core::jobs::NewJob> {
    let to = user.email.clone()?;
    Some(crate::jobs::effects::job(
        cx,
        ACCOUNT_DELETED_JOB,
        serde_json::json!({ "to": to, "name": user.display_name(), "username": user.username }),
    ))
}

/// Sends the job [`account_deleted_job`] queued; `id` as for [`deliver_link`].
pub async fn deliver_account_deleted(state: &AppState, id: &str, payload: &serde_json::Value) -> Result<(), String> {
    let field = |name: &str| {
        payload[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{ACCOUNT_DELETED_JOB} job is missing {name}"))
    };
    let (to, name, username) = (field("to")?, field("name")?, field("username")?);
    let ctx = context! { name, username, site => state.config.public_url("/register") };
    let subject = tr!("mail-account-deleted-subject");
    send(state, id, to, &subject, "email/account_deleted", ctx).await
}

async fn send(
    state: &AppState,
    id: &str,
    to: String,
    subject: &str,
    template: &str,
    ctx: minijinja::Value,
) -> Result<(), String> {
    let text = state
        .templates
        .render(&format!("{template}.txt"), ctx.clone())
        .map_err(|e| format!("{e:?}"))?;
    let html = state
        .templates
        .render(&format!("{template}.html"), ctx)
        .map_err(|e| format!("{e:?}"))?;
    let message = Message {
        id: id.to_owned(),
        to,
        subject: subject.to_owned(),
        text,
        html: Some(html),
    };
    state.mail.send(&message).await.map_err(|e| e.to_string())
}

/// "1 hour", "3 days", "90 minutes" for mail texts, in the mail's language (`duration-*`).
fn human_duration(d: std::time::Duration) -> String {
    let minutes = d.as_secs().div_ceil(60);
    if minutes.is_multiple_of(1440) {
        tr!("duration-days", count = minutes / 1440)
    } else if minutes.is_multiple_of(60) {
        tr!("duration-hours", count = minutes / 60)
    } else {
        tr!("duration-minutes", count = minutes)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn durations_are_whole_days_hours_or_minutes_with_plurals() {
        let words = |secs| super::human_duration(Duration::from_secs(secs));
        assert_eq!(words(3600), "1 hour");
        assert_eq!(words(3 * 86400), "3 days");
        assert_eq!(words(86400), "1 day");
        assert_eq!(words(90 * 60), "90 minutes");
        assert_eq!(words(59), "1 minute");
        assert_eq!(words(2 * 3600), "2 hours");
    }
}
