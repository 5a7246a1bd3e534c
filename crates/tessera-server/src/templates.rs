//! Server-rendered pages and mail bodies (minijinja). A template in the configured theme
//! folder replaces the built-in one of the same name, at runtime, with no rebuild.
//!
//! Every text comes from the message catalogs (`i18n`): `{{ t("login-title") }}`,
//! `{{ t("codes-left", count=n) }}`, in the language of the request or mail being rendered;
//! `{{ lang() }}` is its tag, `{{ date(d) }}` a date in its words, `branding` the
//! instance's name, logo and footer links.

use std::path::PathBuf;
use std::sync::Arc;

use axum::response::Html;
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, Value};

use crate::config::Config;
use crate::error::AppError;
use crate::i18n::{self, Arg, Catalogs};

macro_rules! builtin_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const BUILTIN: &[(&str, &str)] = builtin_templates!(
    "base.html",
    "marks.html",
    "message.html",
    "login.html",
    "register.html",
    "account.html",
    "account_self_service.html",
    "password_change.html",
    "password_reset_request.html",
    "password_reset_form.html",
    "logout.html",
    "admin_users.html",
    "remote_auth_post.html",
    "consent.html",
    "activate.html",
    "second_factor.html",
    "totp_setup.html",
    "recovery_codes.html",
    "account_self_service.html",
    "password_set.html",
    "account_delete.html",
    "email/confirm_email.txt",
    "email/confirm_email.html",
    "email/reset_password.txt",
    "email/reset_password.html",
    "email/confirm_email_change.txt",
    "email/confirm_email_change.html",
    "email/email_change_notice.txt",
    "email/email_change_notice.html",
    "email/welcome.txt",
    "email/welcome.html",
    "email/followup.txt",
    "email/followup.html",
    "email/registration_attempt.txt",
    "email/registration_attempt.html",
    "email/recovery_code_used.txt",
    "email/recovery_code_used.html",
    "email/factors_reset.txt",
    "email/factors_reset.html",
    "email/factor_added.txt",
    "email/factor_added.html",
    "email/factor_removed.txt",
    "email/factor_removed.html",
    "email/account_deleted.txt",
    "email/account_deleted.html",
);

tokio::task_local! {
    /// The path and query of the request whose page is being rendered (`here()`).
    static HERE: String;
}

/// Runs `f` (a request's handling) with `path` as the page's own address, for the language
/// picker to come back to.
pub async fn rendering_for<F: std::future::Future>(path: String, f: F) -> F::Output {
    HERE.scope(path, f).await
}

pub struct Templates {
    env: Environment<'static>,
    catalogs: Arc<Catalogs>,
}

impl Templates {
    /// The templates and catalogs for `config` (theme folder first), each compiled once, so a
    /// broken theme or catalog is reported at start, not mid-login.
    pub fn load(config: &Config) -> Result<Self, String> {
        let catalogs = Arc::new(Catalogs::load(
            config.theme_dir.as_deref(),
            &config.branding.default_language,
        )?);
        let templates = Self {
            env: environment(config.theme_dir.clone(), config, catalogs.clone()),
            catalogs,
        };
        templates.check_all()?;
        Ok(templates)
    }

    pub fn catalogs(&self) -> &Arc<Catalogs> {
        &self.catalogs
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, AppError> {
        Ok(self.env.get_template(name)?.render(context)?)
    }

    pub fn page(&self, name: &str, context: Value) -> Result<Html<String>, AppError> {
        self.render(name, context).map(Html)
    }

    fn check_all(&self) -> Result<(), String> {
        for (name, _) in BUILTIN {
            self.env
                .get_template(name)
                .map_err(|e| format!("template {name}: {e:#}"))?;
        }
        Ok(())
    }
}

fn environment(theme_dir: Option<PathBuf>, config: &Config, catalogs: Arc<Catalogs>) -> Environment<'static> {
    let mut env = Environment::new();
    // Autoescape by file extension: .html escaped, .txt (plain mail parts) left alone.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.set_loader(move |name| {
        if let Some(dir) = &theme_dir {
            // Only plain relative names: a template name never walks out of the theme folder.
            let safe = !name.contains("..") && !name.starts_with('/');
            let path = dir.join(name);
            if safe && path.is_file() {
                return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("cannot read {}: {e}", path.display()),
                    )
                });
            }
        }
        Ok(BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, body)| (*body).to_owned()))
    });
    env.add_function("t", translate);
    env.add_function("lang", || i18n::current().tag().to_owned());
    env.add_function("here", || {
        HERE.try_with(String::clone).unwrap_or_else(|_| "/account".to_owned())
    });
    env.add_function("date", |value: Value| -> Result<String, Error> {
        let text = value.to_string();
        let day = time::Date::parse(
            text.get(..10).unwrap_or(&text),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("date(): {text:?} is not a date")))?;
        Ok(i18n::date(day))
    });
    env.add_global("languages", ser(catalogs.languages()));
    let b = &config.branding;
    env.add_global(
        "branding",
        minijinja::context! {
            name => b.name.clone(),
            logo => b.logo.is_some(),
            colors => b.colors.is_some(),
            links => ser(&b.links),
        },
    );
    env
}

/// `t(id, name=value, …)`: the message in the current language; numbers stay numbers (plural
/// rules apply to them).
fn translate(id: &str, kwargs: Kwargs) -> Result<String, Error> {
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let arg = match value.as_i64() {
            Some(n) if value.is_number() => Arg::Number(n as f64),
            _ => Arg::Text(value.to_string()),
        };
        args.push((name.to_owned(), arg));
    }
    Ok(i18n::text_named(id, args))
}

/// Any serializable value as a template value.
pub fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}
