//! Server-rendered pages and mail bodies (minijinja). A template in the configured theme
//! folder replaces the built-in one of the same name, at runtime, with no rebuild.

use std::path::PathBuf;

use axum::response::Html;
use minijinja::{Environment, Value};

use crate::error::AppError;

macro_rules! builtin_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const BUILTIN: &[(&str, &str)] = builtin_templates!(
    "base.html",
    "message.html",
    "login.html",
    "register.html",
    "account.html",
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
);

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new(theme_dir: Option<PathBuf>) -> Self {
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
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
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
        Self { env }
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, AppError> {
        Ok(self.env.get_template(name)?.render(context)?)
    }

    pub fn page(&self, name: &str, context: Value) -> Result<Html<String>, AppError> {
        self.render(name, context).map(Html)
    }

    /// Compiles every template once, so a broken theme is reported at start, not mid-login.
    pub fn check_all(&self) -> Result<(), String> {
        for (name, _) in BUILTIN {
            self.env
                .get_template(name)
                .map_err(|e| format!("template {name}: {e:#}"))?;
        }
        Ok(())
    }
}

/// Any serializable value as a template value.
pub fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}
