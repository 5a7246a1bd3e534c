//! Registration with a password: every problem with the form at once, then the account with
//! its events and jobs (the confirmation mail among them) in one write.

use tessera_core::account::MAX_NAME_LEN;
use tessera_core::jobs::Effects;
use tessera_core::store::{StoreError, throttle_scope};
use tessera_core::{Email, NewUser, User, Username};

use super::phrasing::{Phrased, names_too_long, passwords_differ};
use super::{AccountError, Accounts, unsafe_text_errors};
use crate::config::{EmailConfirmation, RegistrationMode};
use crate::jobs::effects::{self, Actor};
use crate::throttle;

/// What the person typed into the registration form.
pub struct Registration<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password: &'a str,
    pub password2: &'a str,
}

pub enum RegisterOutcome {
    Registered {
        user: Box<User>,
        then: AfterRegistration,
    },
    /// Every problem with the form, phrased for the person filling it in.
    Invalid(Vec<String>),
    /// The store refused the account: why, by the field that clashed.
    Taken(String),
    /// Another account has proven this address, and registrations wait for confirmation: the
    /// owner is mailed instead ("someone tried to register with your address"), and the
    /// person is answered exactly as for [`AfterRegistration::ConfirmEmail`], so the form
    /// does not tell who has an account.
    AddressInUse,
    /// Too many registrations from this IP (`security.throttle.mail_per_ip`).
    Throttled {
        retry_after_seconds: u64,
    },
}

/// What follows a registration.
pub enum AfterRegistration {
    /// Hybrid: connecting a provider activates the account.
    Activate,
    /// The address is to be confirmed (the link is mailed) before the first login.
    ConfirmEmail,
    /// Straight in, with a new session.
    SignIn,
}

impl Accounts {
    /// Whether people may create an account with the registration form.
    pub fn accepts_registrations(&self) -> bool {
        matches!(
            self.config.registration,
            RegistrationMode::Open | RegistrationMode::Hybrid
        )
    }

    /// Creates the account the form describes, if it is valid and free. A valid form is
    /// charged to the IP's mail limit before its password is hashed (each one mails someone).
    pub async fn register(&self, form: &Registration<'_>, actor: &Actor) -> Result<RegisterOutcome, AccountError> {
        let (username, email) = match self.validate(form) {
            Ok(valid) => valid,
            Err(errors) => return Ok(RegisterOutcome::Invalid(errors)),
        };
        let limit = self.config.throttle.mail_per_ip;
        if let Some(retry_after_seconds) = throttle::take(self, throttle_scope::MAIL_IP, actor.ip_key(), limit).await? {
            return Ok(RegisterOutcome::Throttled { retry_after_seconds });
        }
        let new = self.new_account(form, username, email).await?;
        let effects = effects::registered(self, &new, actor);
        let user = match self.store.create_user_with(&new, &effects).await {
            Ok(user) => user,
            Err(StoreError::Conflict { field }) => return self.clash(field, &new).await,
            Err(e) => return Err(e.into()),
        };
        self.jobs_wake.notify_waiters();
        tracing::info!(user = %user.id, "account registered");
        Ok(RegisterOutcome::Registered {
            user: Box::new(user),
            then: self.after_registration(),
        })
    }

    /// Every problem with the form at once, phrased for the person filling it in.
    fn validate(&self, form: &Registration<'_>) -> Result<(Username, Email), Vec<String>> {
        let mut errors = Vec::new();
        let username = Username::parse(form.username)
            .map_err(|e| errors.push(e.phrased()))
            .ok();
        let email = Email::parse(form.email).map_err(|e| errors.push(e.phrased())).ok();
        if form.first_name.chars().count() > MAX_NAME_LEN || form.last_name.chars().count() > MAX_NAME_LEN {
            errors.push(names_too_long(MAX_NAME_LEN));
        }
        errors.extend(unsafe_text_errors(form.first_name, form.last_name, form.email));
        if let Err(why) =
            self.config
                .password_policy
                .check(form.password, form.username.trim(), Some(form.email.trim()))
        {
            errors.push(why.phrased());
        } else if form.password != form.password2 {
            errors.push(passwords_differ());
        }
        match (username, email) {
            (Some(u), Some(e)) if errors.is_empty() => Ok((u, e)),
            _ => Err(errors),
        }
    }

    /// The account to create from a valid form, with its password hashed.
    async fn new_account(
        &self,
        form: &Registration<'_>,
        username: Username,
        email: Email,
    ) -> Result<NewUser, AccountError> {
        let mut new = NewUser::new(username, Some(email));
        new.first_name = form.first_name.trim().to_owned();
        new.last_name = form.last_name.trim().to_owned();
        new.password_hash = Some(self.passwords.turn().await?.hash(form.password.to_owned()).await?);
        // Hybrid: the account waits, inactive, until the person connects an upstream account.
        let hybrid = self.config.registration == RegistrationMode::Hybrid;
        new.is_active = !hybrid;
        new.awaiting_activation = hybrid;
        Ok(new)
    }

    /// The store refused the account because `field` clashed. An address someone else has
    /// proven is not revealed when registrations wait for confirmation (ASVS 4.0.3 V2.2.x,
    /// OWASP "Authentication and Error Messages"): its owner is told instead. Usernames are
    /// public handles, so a taken one is said to be taken.
    async fn clash(&self, field: &str, new: &NewUser) -> Result<RegisterOutcome, AccountError> {
        let waits_for_confirmation = matches!(self.after_registration(), AfterRegistration::ConfirmEmail);
        match (&new.email, field) {
            (Some(address), "email") if waits_for_confirmation => {
                let job = effects::registration_attempt(self, address.as_str());
                effects::emit(self, Effects::job(job)).await?;
                Ok(RegisterOutcome::AddressInUse)
            }
            _ => Ok(RegisterOutcome::Taken(taken(field))),
        }
    }

    fn after_registration(&self) -> AfterRegistration {
        if self.config.registration == RegistrationMode::Hybrid {
            AfterRegistration::Activate
        } else if self.config.email_confirmation == EmailConfirmation::Required {
            AfterRegistration::ConfirmEmail
        } else {
            AfterRegistration::SignIn
        }
    }
}

/// Why the store refused the new account, by the field that clashed.
fn taken(field: &str) -> String {
    match field {
        "email" => tr!("register-email-taken"),
        _ => tr!("register-username-taken"),
    }
}
