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
use std::sync::OnceLock;

use tracing::Level;
use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

use crate::config::{Config, LogFormat};
use tessera_core::person_text::is_unsafe_char;

/// The filter of the subscriber `init_tracing` installed, for [`set_level`]; unset when
/// `RUST_LOG` chose the filter (it keeps precedence over every reload) or nothing installed one.
static LEVEL: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

/// Logs to stderr with the configured format and level (`RUST_LOG` wins when set).
pub fn init_tracing(config: Option<&Config>) {
    let level = config.map_or("info", |c| c.log_level.as_str());
    let from_env = std::env::var("RUST_LOG").ok();
    let directives = from_env.as_deref().unwrap_or(level);
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let format = config.map_or(LogFormat::Text, |c| c.log_format);
    let (subscriber, handle) = reloadable_subscriber(format, directives, ansi, std::io::stderr);
    if subscriber.try_init().is_ok() && from_env.is_none() {
        let _ = LEVEL.set(handle);
    }
}

/// Applies `logging.level` from a reloaded configuration to the installed subscriber. Nothing
/// changes when `RUST_LOG` is set (it chose the filter) or no subscriber was installed here.
pub fn set_level(level: &str) {
    if let Some(handle) = LEVEL.get()
        && let Err(e) = handle.reload(parsed_filter(level))
    {
        tracing::warn!(error = %e, "cannot change the log level");
    }
}

/// A level or `RUST_LOG` syntax; one that does not parse logs at `info`, as `check-config` warns.
fn parsed_filter(directives: &str) -> EnvFilter {
    EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Libraries whose verbose levels write secrets, held at `info` whatever the level asks
/// (ASVS 4.0.3 V7.1.1, V7.1.2: no credentials or session tokens in logs). lettre's `debug`
/// lines are the raw SMTP conversation: `AUTH PLAIN` with the relay's password, and every
/// mail body with its single-use sign-in, reset and confirmation links.
const SECRET_BEARING_TARGETS: [&str; 1] = ["lettre"];

fn is_secret_bearing(target: &str) -> bool {
    SECRET_BEARING_TARGETS
        .iter()
        .any(|t| target == *t || target.strip_prefix(t).is_some_and(|rest| rest.starts_with("::")))
}

type BoxedSubscriber = Box<dyn tracing::Subscriber + Send + Sync>;

/// The subscriber `init_tracing` installs: `directives` (a level or `RUST_LOG` syntax; one
/// that does not parse logs at `info`, as `check-config` warns), never more than `info` from
/// [`SECRET_BEARING_TARGETS`] however specific a directive asks for it, written to `writer`.
/// Public so the integration tests capture the log of a whole run exactly as production
/// writes it, and check that no secret is in it.
pub fn subscriber<W>(format: LogFormat, directives: &str, ansi: bool, writer: W) -> BoxedSubscriber
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    reloadable_subscriber(format, directives, ansi, writer).0
}

/// [`subscriber`], with the handle that replaces its `directives` later (see [`set_level`]).
fn reloadable_subscriber<W>(
    format: LogFormat,
    directives: &str,
    ansi: bool,
    writer: W,
) -> (BoxedSubscriber, reload::Handle<EnvFilter, Registry>)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let (asked, handle) = reload::Layer::new(parsed_filter(directives));
    let held_down = filter_fn(|meta| !(is_secret_bearing(meta.target()) && *meta.level() > Level::INFO));
    // Global filters (layers under the formatter), not a per-layer `with_filter`: per-layer
    // filters pass their verdict to the event through a thread-local that a bare `enabled`
    // check leaves stale, and sqlx makes one after every query, so the next event on that
    // thread was dropped (tokio-rs/tracing#2519; on PostgreSQL, log lines after a query).
    let filtered = tracing_subscriber::registry().with(asked).with(held_down);
    let layer = tracing_subscriber::fmt::layer().with_ansi(ansi).with_writer(writer);
    let subscriber: BoxedSubscriber = match format {
        LogFormat::Json => Box::new(filtered.with(layer.json())),
        LogFormat::Text => Box::new(filtered.with(layer.fmt_fields(EscapedFields))),
    };
    (subscriber, handle)
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
        let subscriber = subscriber(format, "info", false, buffer.clone());
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
    fn smtp_conversations_stay_out_of_the_log_at_every_level() {
        for directives in ["trace", "debug,lettre=trace", "lettre::transport=trace"] {
            let buffer = Buffer::default();
            let subscriber = subscriber(LogFormat::Text, directives, false, buffer.clone());
            tracing::subscriber::with_default(subscriber, || {
                tracing::debug!(target: "lettre::transport::smtp", "Wrote: AUTH PLAIN AHJlbGF5AHMzY3JldA==");
                tracing::info!(target: "lettre::transport::smtp", "connected");
                tracing::debug!("our own debug line");
            });
            let log = buffer.text();
            assert!(!log.contains("AUTH PLAIN"), "{directives}: {log}");
            assert!(log.contains("connected"), "{directives}: info still shows: {log}");
            assert_eq!(
                log.contains("our own debug line"),
                directives != "lettre::transport=trace",
                "{log}"
            );
        }
    }

    #[test]
    fn a_reloaded_level_applies_to_the_next_event_and_still_holds_secrets_down() {
        let buffer = Buffer::default();
        let (subscriber, handle) = reloadable_subscriber(LogFormat::Text, "warn", false, buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("before the reload");
            handle.reload(parsed_filter("debug")).expect("reload");
            tracing::debug!("after the reload");
            tracing::debug!(target: "lettre::transport::smtp", "Wrote: AUTH PLAIN AHJlbGF5AHMzY3JldA==");
            handle.reload(parsed_filter("info")).expect("reload");
            tracing::debug!("below info again");
            tracing::info!("at info");
        });
        let log = buffer.text();
        assert!(!log.contains("before the reload"), "{log}");
        assert!(log.contains("after the reload"), "{log}");
        assert!(!log.contains("AUTH PLAIN"), "{log}");
        assert!(!log.contains("below info again") && log.contains("at info"), "{log}");
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
