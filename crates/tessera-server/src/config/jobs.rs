//! `jobs:` (the worker), `actions:` (what happens around an account) and `webhooks:`.

use std::time::Duration;

use tessera_core::secret::Secret;
use url::Url;

use super::Checker;
use super::raw::{RawActions, RawJobs, RawWebhook};

#[derive(Clone, Debug)]
pub struct JobSettings {
    /// Jobs one node runs at the same time.
    pub workers: usize,
    /// A claimed job not finished by then is taken over by another worker (its node died).
    pub lease: Duration,
    pub poll_interval: Duration,
    pub max_attempts: i32,
    /// Finished (done) jobs are removed this long after they finished; dead ones are kept.
    pub retention: Duration,
}

#[derive(Clone, Debug, Default)]
pub struct Actions {
    pub welcome_email: bool,
    pub followup_after: Option<Duration>,
    pub post_on_join: Option<PostOnJoin>,
}

/// A post on the person's timeline, through their own token, when they connect `upstream`.
#[derive(Clone, Debug)]
pub struct PostOnJoin {
    pub upstream: String,
    pub text: String,
}

/// Event kinds a webhook may subscribe to.
pub const WEBHOOK_EVENTS: &[&str] = &[
    "user.registered",
    "user.login",
    "user.login_failed",
    "user.lockout",
    "password.changed",
    "password.reset",
    "email.confirmed",
    "email.change_requested",
    "email.change_undone",
    "client.consent",
    "session.logout",
    "remote_auth.redirect",
    "remote_auth.refused",
    "identity.linked",
    "identity.unlinked",
    "admin.user_disabled",
    "admin.user_enabled",
    "admin.sessions_ended",
    "admin.tokens_revoked",
    "admin.flags_changed",
    "admin.user_deleted",
    "admin.email_set",
    "admin.email_confirmed",
];

#[derive(Clone)]
pub struct Webhook {
    pub url: Url,
    pub events: Vec<String>,
    pub secret: Secret,
    pub timeout: Duration,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url.as_str())
            .field("events", &self.events)
            .field("secret", &"***")
            .finish()
    }
}

pub(super) fn job_settings(raw: Option<&RawJobs>, c: &mut Checker) -> JobSettings {
    let mut workers = 2;
    if let Some(w) = raw.and_then(|r| r.workers.as_ref()) {
        if (1..=64).contains(&w.value) {
            workers = w.value;
        } else {
            c.problem(w, "jobs.workers: choose between 1 and 64");
        }
    }
    let mut max_attempts = 5;
    if let Some(m) = raw.and_then(|r| r.max_attempts.as_ref()) {
        if (1..=50).contains(&m.value) {
            max_attempts = m.value;
        } else {
            c.problem(m, "jobs.max_attempts: choose between 1 and 50");
        }
    }
    JobSettings {
        workers,
        lease: c.duration(
            "jobs.lease",
            raw.and_then(|r| r.lease.as_ref()),
            Duration::from_secs(60),
        ),
        poll_interval: c.duration(
            "jobs.poll_interval",
            raw.and_then(|r| r.poll_interval.as_ref()),
            Duration::from_secs(1),
        ),
        max_attempts,
        retention: c.duration(
            "jobs.retention",
            raw.and_then(|r| r.retention.as_ref()),
            Duration::from_secs(7 * 86_400),
        ),
    }
}

pub(super) fn actions(raw: Option<&RawActions>, c: &mut Checker) -> Actions {
    Actions {
        welcome_email: raw.and_then(|r| r.welcome_email.as_ref()).is_some_and(|b| b.value),
        followup_after: raw.and_then(|r| r.followup_email.as_ref()).map(|f| {
            c.duration(
                "actions.followup_email.after",
                Some(&f.after),
                Duration::from_secs(3 * 86_400),
            )
        }),
        post_on_join: raw.and_then(|r| r.post_on_join.as_ref()).and_then(|p| {
            let upstream = c.text("actions.post_on_join.upstream", &p.upstream)?;
            let text = c.parsed("actions.post_on_join.text", &p.text, |t| {
                if t.trim().is_empty() || t.chars().count() > 280 {
                    Err("write 1 to 280 characters".into())
                } else {
                    Ok(t.to_owned())
                }
            })?;
            Some(PostOnJoin { upstream, text })
        }),
    }
}

pub(super) fn webhooks(raw: &[RawWebhook], c: &mut Checker) -> Vec<Webhook> {
    raw.iter()
        .filter_map(|w| {
            let url = c.url("webhooks.url", &w.url);
            let events: Vec<String> = w
                .events
                .iter()
                .filter_map(|e| {
                    c.parsed("webhooks.events", e, |t| {
                        if WEBHOOK_EVENTS.contains(&t) {
                            Ok(t.to_owned())
                        } else {
                            Err(format!("unknown event {t:?}; known: {}", WEBHOOK_EVENTS.join(", ")))
                        }
                    })
                })
                .collect();
            let secret = c.parsed("webhooks.secret", &w.secret, |s| {
                if s.len() < 16 {
                    Err("is shorter than 16 characters; generate one with `openssl rand -hex 32`".into())
                } else {
                    Ok(Secret::new(s))
                }
            });
            let timeout = c.duration("webhooks.timeout", w.timeout.as_ref(), Duration::from_secs(10));
            Some(Webhook {
                url: url?,
                events,
                secret: secret?,
                timeout,
            })
        })
        .collect()
}
