//! Outgoing mail behind one small trait, so tests and the dev config never need a mail server.
//!
//! - [`OutboxTransport`] writes one `.eml` file per message into a folder (the dev default)
//!   and logs the path, so a newcomer can open the confirmation link by hand.
//! - [`SmtpTransport`] speaks SMTP through lettre (STARTTLS, implicit TLS or plain, with auth).
//!
//! Both send the same bytes: every message has a `Date` (RFC 5322 §3.6.1, the time it is
//! handed to the transport) and a `Message-ID` (§3.6.4) `<ID@DOMAIN>`, where `ID` is the
//! caller's [`Message::id`] and `DOMAIN` the sender address's domain, never the machine's
//! hostname (which lettre would use, and which says nothing the recipient should know).

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
    /// The left part of the `Message-ID`: unguessable and unique (the caller derives it from
    /// a secret or draws it from a CSPRNG; see [`is_valid_id`]), and the same for every
    /// attempt to deliver this one message, so a retried delivery is recognisably the same
    /// message. The transport adds `@` and the sender's domain.
    pub id: String,
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

/// Whether `id` can be the left part of a `Message-ID`: 16 to 64 ASCII letters and digits
/// (a subset of RFC 5322's `dot-atom-text` that needs no quoting anywhere).
pub fn is_valid_id(id: &str) -> bool {
    (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `<ID@DOMAIN>` with the sender address's domain.
fn message_id(from: &Mailbox, id: &str) -> Result<String, MailError> {
    if !is_valid_id(id) {
        return Err(MailError::Build(format!(
            "{id:?} cannot be a Message-ID: use 16 to 64 letters and digits"
        )));
    }
    Ok(format!("<{id}@{}>", from.email.domain()))
}

fn build(from: &Mailbox, message: &Message) -> Result<lettre::Message, MailError> {
    let to: Mailbox = message
        .to
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::BadAddress(message.to.clone(), e.to_string()))?;
    let builder = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&message.subject)
        .date_now()
        .message_id(Some(message_id(from, &message.id)?));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str) -> Message {
        Message {
            id: id.to_owned(),
            to: "jane@example.com".into(),
            subject: "Welcome".into(),
            text: "Hello".into(),
            html: Some("<p>Hello</p>".into()),
        }
    }

    fn headers(from: &str, id: &str) -> String {
        let from = parse_mailbox(from).unwrap();
        let raw = build(&from, &message(id)).unwrap().formatted();
        let raw = String::from_utf8(raw).unwrap();
        raw.split("\r\n\r\n").next().unwrap().to_owned()
    }

    #[test]
    fn the_message_id_is_the_callers_id_at_the_senders_domain_and_there_is_a_date() {
        let head = headers("Tessera <id@Mail.Example.org>", "0123456789abcdefABCDEF");
        assert!(
            head.lines()
                .any(|l| l == "Message-ID: <0123456789abcdefABCDEF@Mail.Example.org>"),
            "{head}"
        );
        let date = head
            .lines()
            .find_map(|l| l.strip_prefix("Date: "))
            .expect("a Date header");
        assert!(date.ends_with(" +0000"), "RFC 5322 zone, not the obsolete GMT: {date}");
    }

    #[test]
    fn an_id_that_would_need_quoting_or_is_too_short_is_refused() {
        let from = parse_mailbox("id@example.com").unwrap();
        for bad in [
            "",
            "short",
            "has space in it here",
            "a@b>cdefghijklmnopq",
            &"x".repeat(65),
        ] {
            assert!(
                matches!(build(&from, &message(bad)), Err(MailError::Build(_))),
                "{bad:?}"
            );
        }
        assert!(is_valid_id(&"a1".repeat(8)));
    }
}
