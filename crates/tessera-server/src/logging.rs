//! The process's log: one line per event on stderr, as text or JSON (`logging.format`).
//!
//! Log lines carry values from outside: a helpdesk's error message, a dropped `return_to`, a
//! client's request id. A value with a line break in it could forge a second, trusted-looking
//! line, and terminal escapes could rewrite the screen (CWE-117, improper output neutralisation
//! for logs). So the neutralisation happens in the formatter, for every field of every event
//! and span, and no call site can forget it:
//!
//! - text: [`EscapedFields`] writes each value with its control characters, line breaks and
//!   text-direction overrides shown as escapes (`\n`, `\r`, `\u{202e}`);
//! - JSON: serde_json already escapes control characters inside strings, so a value can never
//!   end its line; bidi controls stay (they cannot split a line, and JSON readers see them as
//!   data). The tests below check both formats.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{Config, LogFormat};
use tessera_core::person_text::is_unsafe_char;

/// Logs to stderr with the configured format and level (`RUST_LOG` wins when set).
pub fn init_tracing(config: Option<&Config>) {
    let level = config.map_or("info", |c| c.log_level.as_str());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let format = config.map_or(LogFormat::Text, |c| c.log_format);
    let _ = subscriber(format, filter, ansi, std::io::stderr).try_init();
}

type BoxedSubscriber = Box<dyn tracing::Subscriber + Send + Sync>;

/// The subscriber `init_tracing` installs, writing to `writer` (tests pass a buffer).
fn subscriber<W>(format: LogFormat, filter: EnvFilter, ansi: bool, writer: W) -> BoxedSubscriber
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    match format {
        LogFormat::Json => Box::new(builder.json().finish()),
        LogFormat::Text => Box::new(builder.fmt_fields(EscapedFields).finish()),
    }
}

/// Field formatting for the text format: like tracing-subscriber's default (the message, then
/// `name=value` pairs separated by spaces), with every value passed through [`escaped`].
pub struct EscapedFields;

impl<'w> MakeVisitor<Writer<'w>> for EscapedFields {
    type Visitor = EscapingVisitor<'w>;

    fn make_visitor(&self, writer: Writer<'w>) -> Self::Visitor {
        EscapingVisitor {
            writer,
            is_empty: true,
            result: Ok(()),
        }
    }
}

pub struct EscapingVisitor<'w> {
    writer: Writer<'w>,
    is_empty: bool,
    result: fmt::Result,
}

impl EscapingVisitor<'_> {
    /// Writes one field: the message bare, others as `name=value`.
    fn write_field(&mut self, field: &Field, value: &str) {
        let name = field.name();
        // Metadata of records that came through the `log` crate, printed elsewhere already.
        if self.result.is_err() || name.starts_with("log.") {
            return;
        }
        let separator = if self.is_empty { "" } else { " " };
        self.is_empty = false;
        self.result = match name {
            "message" => write!(self.writer, "{separator}{}", escaped(value)),
            name => {
                let name = name.strip_prefix("r#").unwrap_or(name);
                write!(self.writer, "{separator}{name}={}", escaped(value))
            }
        };
    }
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        // Like the default format: the message as it is, other strings quoted.
        if field.name() == "message" {
            self.write_field(field, value);
        } else {
            self.write_field(field, &format!("{value:?}"));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` fields arrive here too, as a Debug that prints their Display: raw text.
        self.write_field(field, &format!("{value:?}"));
    }
}

impl VisitOutput<fmt::Result> for EscapingVisitor<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for EscapingVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

/// `value` with every character `person_text` refuses (controls, line breaks, bidi
/// controls) written as its Rust escape (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`): still
/// readable, but unable to end the line or change how the rest of it is shown.
pub fn escaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A `MakeWriter` that collects everything written, for reading back.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;

        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().expect("buffer").clone()).expect("UTF-8 log")
        }
    }

    const ATTACK: &str = "x\nINFO tessera: admin signed in user=root\r\u{1b}[2J\u{202e}";

    /// Logs the attack the ways the server does (message field, `%` and `?` fields, a span)
    /// and returns what the subscriber wrote.
    fn log_attack(format: LogFormat) -> String {
        let buffer = Buffer::default();
        let subscriber = subscriber(format, EnvFilter::new("info"), false, buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", path = %ATTACK);
            let _entered = span.enter();
            tracing::warn!(message = %ATTACK, "helpdesk reported a sign-in error");
            tracing::warn!(return_to = %ATTACK, quoted = ATTACK, debug = ?ATTACK, "dropped a return_to");
            tracing::info!("{ATTACK}");
        });
        buffer.text()
    }

    #[test]
    fn text_logs_escape_line_breaks_and_controls_in_every_field() {
        let log = log_attack(LogFormat::Text);
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 3, "one line per event, nothing forged:\n{log}");
        assert!(
            lines.iter().all(|l| l.contains(" WARN ") || l.contains(" INFO ")),
            "every line is a real event:\n{log}"
        );
        assert!(!log.contains("\nINFO tessera: admin"), "{log}");
        assert!(
            !log.contains('\r') && !log.contains('\u{1b}') && !log.contains('\u{202e}'),
            "{log:?}"
        );
        let shown = r"x\nINFO tessera: admin signed in user=root\r\u{1b}[2J\u{202e}";
        assert!(
            lines[0].contains(&format!("request{{path={shown}}}")),
            "span field: {}",
            lines[0]
        );
        assert!(lines[0].contains(shown), "{}", lines[0]);
        assert!(lines[1].contains(&format!("return_to={shown}")), "{}", lines[1]);
        assert!(lines[2].ends_with(shown), "the message itself: {}", lines[2]);
    }

    #[test]
    fn json_logs_keep_each_event_on_one_line_with_the_value_intact() {
        let log = log_attack(LogFormat::Json);
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 3, "one line per event, nothing forged:\n{log}");
        for line in &lines {
            let event: serde_json::Value = serde_json::from_str(line).expect("each line is one JSON object");
            let fields = &event["fields"];
            let carried = [&fields["message"], &fields["return_to"], &event["span"]["path"]];
            assert!(carried.iter().any(|v| v.as_str() == Some(ATTACK)), "{line}");
        }
    }

    #[test]
    fn escaping_leaves_ordinary_text_alone() {
        assert_eq!(
            escaped("Zoë O'Brien /login?x=1 \"q\" \\"),
            "Zoë O'Brien /login?x=1 \"q\" \\"
        );
        assert_eq!(escaped("a\tb\0c\u{2028}"), r"a\tb\u{0}c\u{2028}");
    }
}
