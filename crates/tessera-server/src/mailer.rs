//! The account mails (confirmation, password reset), rendered from templates and sent
//! through the configured transport. Sending is inline for now; a failure is logged and the
//! person can ask for the link again, so it never undoes the change that caused the mail.

use minijinja::context;
use tessera_core::User;
use tessera_core::secret_token;
use tessera_core::store::{EmailToken, EmailTokenPurpose};
use tessera_mail::Message;
use time::OffsetDateTime;

use crate::error::AppError;
use crate::state::AppState;

/// Stores a single-use link for `purpose` and mails it to the account's address.
pub async fn send_link(
    state: &AppState,
    user: &User,
    purpose: EmailTokenPurpose,
) -> Result<(), AppError> {
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
        hours => ttl.as_secs().div_ceil(3600),
    };
    let message = Message {
        to: email,
        subject: subject.to_owned(),
        text: state
            .templates
            .render(&format!("{template}.txt"), ctx.clone())?,
        html: Some(state.templates.render(&format!("{template}.html"), ctx)?),
    };
    if let Err(e) = state.mail.send(&message).await {
        tracing::error!(error = %e, purpose = purpose.as_str(), "could not send account mail");
    }
    Ok(())
}
