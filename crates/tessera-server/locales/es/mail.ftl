# Tessera's mail texts, English: the subjects and bodies of the account mails
# (templates/email/*.txt and *.html). A mail is written in the language of the page that
# caused it. Translators: keep { $placeholders } as they are; they are filled in when the
# mail is sent. Used by many mails:
#   $name       the person's name (first and last name, else the username)
#   $valid_for  how long a link keeps working: one of the durations below ("3 days")
#   $site       the address of the person's account page
# Subjects are one line, without a full stop.

## Durations, as $valid_for in "The link ... expires in 3 days."

duration-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
duration-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
duration-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}

## Lines every mail has

# The first line of every mail.
mail-greeting = Hello { $name },
# The last line of a mail's HTML part, in small print. $instance: the name of this sign-in
# service, as the operator configured it.
mail-footer = This mail was sent by { $instance }.
# The text of a link to the person's account page (HTML part).
mail-account-page = Your account page
# The same link in the plain-text part, where the address itself follows.
mail-account-page-at = Your account page: { $site }

## Confirming the address of a new account

mail-confirm-subject = Confirm your email address
# Followed by the link.
mail-confirm-open-link = Please confirm your email address by opening this link:
# The text of the link.
mail-confirm-action = Confirm my address
mail-confirm-expiry = The link works once and expires in { $valid_for }. If you did not create an account, ignore this mail.

## Confirming a new address for an existing account (sent to the new address)

mail-change-confirm-subject = Confirm your new email address
# $username: the account's login name; $address: the new address, which receives this mail.
# Followed by the link.
mail-change-confirm-asked = Someone signed in to the account "{ $username }" asked to use this address ({ $address }) for it. To confirm, open this link:
# The text of the link.
mail-change-confirm-action = Confirm this address
mail-change-confirm-expiry = Until you do, the account keeps its current address. The link works once and expires in { $valid_for }. If you did not ask for this, ignore this mail: nothing changes.

## Telling the old address that the account's address is being changed

mail-change-notice-subject = Your email address is being changed
# $username: the account's login name; $new_address: the address asked for.
mail-change-notice-asked = Someone signed in to your account "{ $username }" asked to change its email address to { $new_address }. This address stays the account's until the new one is confirmed.
# Followed by the link.
mail-change-notice-undo = If that was not you, open this link to cancel the change (or to undo it, if it was already confirmed; that also signs out every browser):
# The text of the link.
mail-change-notice-action = Cancel the change
mail-change-notice-expiry = The link works once and expires in { $valid_for }. After using it, change your password.

## Password reset link

mail-reset-subject = Reset your password
# Followed by the link.
mail-reset-asked = Someone asked to reset the password of your account. To choose a new one, open this link:
# The text of the link.
mail-reset-action = Choose a new password
mail-reset-expiry = The link works once, expires in { $valid_for }, and stops working if your password changes. If it was not you, ignore this mail: your password stays as it is.

## Welcome, once the account is ready

mail-welcome-subject = Welcome
# Followed by a link to the account page.
mail-welcome-ready = Welcome! Your account is ready. You can manage it on your account page.

## Follow-up, some days after joining

mail-followup-subject = How is it going?
# Followed by a link to the account page.
mail-followup-asking = You joined a few days ago: is everything working for you? Your account page is always there.

## Someone tried to register with an address that already has an account (sent to it)

mail-registration-attempt-subject = Someone tried to register with your address
mail-registration-attempt-what = Someone, perhaps you, tried to create a new account with this email address. You already have an account with it, so no new account was made.
# { login-forgot-password } is the login page's link ("Forgot your password?"), in the same
# language: keep the reference as it is.
mail-registration-attempt-if-you = If it was you, log in with your existing account. If you have forgotten your password, use "{ login-forgot-password }" on the login page.
mail-registration-attempt-not-you = If it was not you, you can ignore this mail: nothing was changed.

## Security notice: a recovery code was used to sign in

mail-recovery-code-used-subject = A recovery code was used to sign in
mail-recovery-code-used-what = One of your recovery codes was just used to sign in to your account. If that was you, nothing needs doing; each code works once.
# Followed by a link to the account page.
mail-recovery-code-used-not-you = If it was not you, someone has your password and a recovery code: change your password and make new recovery codes on your account page.

## Security notice: an administrator removed the account's second factors

mail-factors-reset-subject = Your second factors were removed
# Followed by a link to the account page.
mail-factors-reset-what = An administrator removed the second factors of your account (authenticator app, passkeys and recovery codes) and signed you out everywhere. Sign in with your password and set up a second factor again on your account page.
mail-factors-reset-not-you = If you did not ask for this, contact your administrator.

## Security notice: a second factor was added

mail-factor-added-subject = A second factor was added to your account
mail-factor-added-what = A second factor (an authenticator app or a passkey) was just added to your account. If that was you, nothing needs doing.
# Followed by a link to the account page.
mail-factor-added-not-you = If it was not you, someone can sign in as you: change your password and remove that factor on your account page, or ask your administrator for help.

## Security notice: a second factor was removed

mail-factor-removed-subject = A second factor was removed from your account
mail-factor-removed-what = A second factor (an authenticator app or a passkey) was just removed from your account. If that was you, nothing needs doing.
# Followed by a link to the account page.
mail-factor-removed-not-you = If it was not you, change your password and check your second factors on your account page.
