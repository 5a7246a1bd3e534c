//! Outgoing mail behind one small trait, so tests and the dev config never need a mail server.
//!
//! - [`OutboxTransport`] writes one `.eml` file per message into a folder (the dev default)
//!   and logs the path, so a newcomer can open the confirmation link by hand.
//! - [`SmtpTransport`] speaks SMTP through lettre (STARTTLS, implicit TLS or plain, with auth).

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// One message, already rendered.
#[derive(Clone, Debug)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the address {0:?} cannot receive mail: {1}")]
    BadAddress(String, String),
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("could not deliver the message: {0}")]
    Delivery(String),
}

#[async_trait]
pub trait MailTransport: Send + Sync {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}

fn build(from: &Mailbox, message: &Message) -> Result<lettre::Message, MailError> {
    let to: Mailbox = message
        .to
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::BadAddress(message.to.clone(), e.to_string()))?;
    let builder = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&message.subject);
    let built = match &message.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(message.text.clone(), html.clone())),
        None => builder.body(message.text.clone()),
    };
    built.map_err(|e| MailError::Build(e.to_string()))
}

pub fn parse_mailbox(from: &str) -> Result<Mailbox, String> {
    from.parse::<Mailbox>()
        .map_err(|e| format!("{from:?} is not a mail address like \"Name <user@example.com>\": {e}"))
}

/// Development transport: every message becomes `<dir>/<uuid>.eml`.
pub struct OutboxTransport {
    from: Mailbox,
    dir: PathBuf,
    inner: AsyncFileTransport<Tokio1Executor>,
}

impl OutboxTransport {
    pub fn new(from: Mailbox, dir: PathBuf) -> Result<Self, MailError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| MailError::Delivery(format!("cannot create the outbox folder {}: {e}", dir.display())))?;
        let inner = AsyncFileTransport::new(&dir);
        Ok(Self { from, dir, inner })
    }
}

#[async_trait]
impl MailTransport for OutboxTransport {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let email = build(&self.from, message)?;
        let id = self
            .inner
            .send(email)
            .await
            .map_err(|e| MailError::Delivery(e.to_string()))?;
        let path = self.dir.join(format!("{id}.eml"));
        tracing::info!(path = %path.display(), subject = %message.subject, "mail written to the outbox");
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (RFC 3207), which must succeed.
    StartTls,
    /// TLS from the first byte (RFC 8314 "implicit TLS", usually port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or in tests.
    None,
}

pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub security: SmtpSecurity,
    pub timeout: Duration,
}

pub struct SmtpTransport {
    from: Mailbox,
    inner: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpTransport {
    pub fn new(from: Mailbox, settings: SmtpSettings) -> Result<Self, MailError> {
        let tls = match settings.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls | SmtpSecurity::Tls => {
                let params = TlsParameters::new(settings.host.clone())
                    .map_err(|e| MailError::Build(format!("TLS setup for {} failed: {e}", settings.host)))?;
                if settings.security == SmtpSecurity::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout));
        if let (Some(user), Some(password)) = (settings.username, settings.password) {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Self {
            from,
            inner: builder.build(),
        })
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let email = build(&self.from, message)?;
        self.inner
            .send(email)
            .await
            .map_err(|e| MailError::Delivery(e.to_string()))?;
        tracing::info!(subject = %message.subject, "mail handed to the SMTP server");
        Ok(())
    }
}
