//! The account mails (confirmation, password reset), rendered from templates and handed to
//! the configured transport in the background: the response never waits for the mail server
//! (so its timing says nothing about whether an account exists), and a failure is logged
//! without undoing the change that caused the mail. The durable job queue will replace this.

use minijinja::context;
use tessera_core::User;
use tessera_core::secret_token;
use tessera_core::store::{EmailToken, EmailTokenPurpose};
use tessera_mail::Message;
use time::OffsetDateTime;

use crate::error::AppError;
use crate::state::AppState;

/// Stores a single-use link for `purpose` and mails it to the account's address.
pub async fn send_link(state: &AppState, user: &User, purpose: EmailTokenPurpose) -> Result<(), AppError> {
    let Some(email) = user.email.clone() else {
        return Ok(());
    };
    let token = secret_token::generate();
    let (ttl, path, template, subject) = match purpose {
        EmailTokenPurpose::ConfirmEmail => (
            state.config.confirm_email_ttl,
            format!("/email/confirm/{token}"),
            "email/confirm_email",
            "Confirm your email address",
        ),
        EmailTokenPurpose::ResetPassword => (
            state.config.reset_password_ttl,
            format!("/password/reset/{token}"),
            "email/reset_password",
            "Reset your password",
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
        .await?;
    let ctx = context! {
        name => user.display_name(),
        link => state.config.public_url(&path),
        valid_for => human_duration(ttl),
    };
    let message = Message {
        to: email,
        subject: subject.to_owned(),
        text: state.templates.render(&format!("{template}.txt"), ctx.clone())?,
        html: Some(state.templates.render(&format!("{template}.html"), ctx)?),
    };
    let mail = state.mail.clone();
    tokio::spawn(async move {
        if let Err(e) = mail.send(&message).await {
            tracing::error!(error = %e, purpose = purpose.as_str(), "could not send account mail");
        }
    });
    Ok(())
}

/// "1 hour", "3 days", "90 minutes" for mail texts.
fn human_duration(d: std::time::Duration) -> String {
    let minutes = d.as_secs().div_ceil(60);
    let (n, unit) = if minutes.is_multiple_of(1440) {
        (minutes / 1440, "day")
    } else if minutes.is_multiple_of(60) {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}
