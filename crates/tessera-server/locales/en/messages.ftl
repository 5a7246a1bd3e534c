# messages
language-unknown = There is no "{ $lang }" translation; pick one of the languages in the list.

## Error pages
error-upstream-title = Sign-in did not work
error-upstream-cancelled = You cancelled signing in with { $provider }. Nothing was changed.
error-upstream-unavailable = { $provider } is not answering right now. Please try again in a moment.
error-upstream-refused = { $provider } did not let us sign you in ({ $reason }). Please start again.
error-bad-request-title = That did not work
error-back-to-login = Back to the login page
error-forbidden-title = Not allowed
error-csrf-title = This form has expired
error-csrf = The form was missing its security token or came from another site. Go back, reload the page and try again.
error-method-title = Not possible here
error-method = This address does not accept that kind of request.
error-not-found-title = Page not found
error-not-found = There is nothing at this address.
error-throttled-title = Too many attempts
error-unavailable-title = Temporarily unavailable
error-unavailable = The service cannot reach its database right now. Nothing was changed; please try again in a moment.
error-internal-title = Something went wrong
error-internal = An unexpected error happened on our side and was logged. Please try again.

## Problems with what was typed
problem-username-empty = Enter a username.
problem-username-too-long = Usernames are at most { $max } characters.
problem-username-characters = Usernames may contain only letters, digits and @ . + - _
problem-email-empty = Enter an email address.
problem-email-too-long = Email addresses are at most { $max } characters.
problem-email-invalid = Enter a valid email address, like name@example.com.
problem-password-too-short = Use at least { $min } characters for your password.
problem-password-too-long = Passwords are at most { $max } characters.
problem-password-is-username = Your password must not be your username.
problem-password-is-email = Your password must not be your email address.
problem-password-only-digits = Your password must not be only digits.
problem-password-common = That password is one of the most common ones; choose another.
problem-passwords-differ = The two passwords differ; type the same password twice.
problem-names-too-long = Names are at most { $max } characters.
problem-field-first-name = first name
problem-field-last-name = last name
problem-field-email = email address
# $kind is one of: line-break, nul, direction, control; $code is e.g. U+000A.
problem-unsafe-text = The { $field } contains { $kind ->
    [line-break] a line break
    [nul] a NUL character
    [direction] a text-direction control
   *[control] a control character
} ({ $code }); remove it and try again.

## Log in
login-too-long = That username or password is too long.
login-wrong = Wrong username or password.
login-disabled = This account is disabled. Contact an administrator.
login-unconfirmed = Please confirm your email address first: open the link we mailed you, or ask for a new one below.

## Registration
register-closed-social = New accounts are created by signing in with one of the providers on the login page.
register-closed-admin = New accounts are created by an administrator on this server.
register-closed-title = Registration is closed
link-log-in = Log in
register-check-mail-title = Check your mail
register-check-mail = We sent a mail to your email address. Open the link in it to confirm the address, then log in.
register-far-too-long = A field is far too long; shorten it and try again.

## Password reset
reset-sent-title = Check your mail
reset-sent = If an account with that username or email exists, we sent a link to its email address. It expires soon; check your mail.
reset-dead-link-title = This link does not work any more
reset-dead-link = Password reset links work once, expire, and stop working when the password changes. Ask for a new one.
reset-ask-again = Ask for a new link
password-far-too-long = That password is far too long.
reset-done = Your new password is set and every session was signed out. Log in with it now.
reset-done-title = Password changed

## Log out
logout-mismatched-app = The logout request names one app but carries another app's ID token. Your session is unchanged.
logout-done-title = Logged out
logout-not-signed-in = You are not signed in.
logout-done = You are logged out on this browser.
logout-log-in-again = Log in again

## App sign-in requests
authorize-unusable = The app's sign-in request cannot be used: { $description }. Nothing was sent back to the app; return to it and try again, or tell its developers.
authorize-already-completed = This sign-in request was already completed (in another tab or by a double click). Return to the app.

## App sign-in requests, continued
authorize-expired = This sign-in request has expired or was started in another browser. Return to the app and sign in again.

## Throttling
throttled = Too many attempts. Try again in { $wait }.
wait-seconds =
    { $count ->
        [one] 1 second
       *[other] { $count } seconds
    }
wait-minutes =
    { $count ->
        [one] 1 minute
       *[other] { $count } minutes
    }

## Email confirmation
confirm-done = Thank you: { $address } is confirmed as your address.
link-your-account = Your account
confirm-done-title = Email address confirmed
confirm-taken-title = This address belongs to another account
confirm-taken = Another account confirmed this address first, so it cannot be used for this one. Log in to the account that has it, or choose another address.
link-dead-title = This link does not work any more
confirm-dead-link = Confirmation links work once and expire, and only for the address they were sent to. Log in to ask for a new one.
link-reset-password = Reset your password
undo-cancelled-title = Change cancelled
undo-cancelled = The change of address is cancelled: your account keeps this address. If you did not ask for the change, change your password now.
undo-reverted-title = Change undone
undo-reverted = Your account has this address again, every browser was signed out and apps must ask again. Reset your password now: someone else may know it.
undo-taken-title = This address belongs to another account now
undo-taken = The change cannot be undone because another account has since confirmed this address. Contact an administrator.
undo-dead-link = Links like this work once and expire.
resend-done-title = Check your mail
resend-done = If that account is waiting for confirmation, a new link is on its way.

## Upstream sign-in
activation-expired = This activation link has expired. Log in or register again.
upstream-expired-title = This sign-in has expired
upstream-expired = This sign-in was not started in this browser, was already used, or took too long. Please start again.
upstream-stopped-title = Sign-in stopped
disconnect-only-way-title = Not disconnected
disconnect-only-way = This is your only way to log in. Set a password first (on your account page) or connect another provider.
link-back-to-account = Back to your account

## Proving an address
removed-sign-ins = These sign-ins were connected before anyone had proven this address, so they were removed: { $names }. Connect them again from your account page if they are yours.
ended-sessions =
    { $count ->
        [one] 1 other signed-in browser was signed out.
       *[other] { $count } other signed-in browsers were signed out.
    }

## Forms
form-wrong-type = Send this form as application/x-www-form-urlencoded (a normal HTML form).
form-unreadable = The form could not be read ({ $reason }). Reload the page and try again.

## Helpdesk sign-in
helpdesk-no-timestamp = The helpdesk did not send a timestamp. Start the login from the helpdesk's sign-in link.
helpdesk-not-seconds = The helpdesk sent a timestamp that is not a number of seconds. Start the login from the helpdesk again.
helpdesk-out-of-date = The sign-in link from the helpdesk is out of date: { $reason }.
helpdesk-not-allowed = Your account is not allowed to sign in to { $target }. Ask an administrator if you need access.
helpdesk-needs-email = The helpdesk needs a confirmed email address: add or confirm one on your account page, then try again.
helpdesk-refused-title = Cannot sign you in to the helpdesk
helpdesk-refused = We did not sign you in to { $target }: { $reason }.
helpdesk-no-reason = The helpdesk did not say why.
helpdesk-error-title = The helpdesk could not sign you in
helpdesk-signed-out-both = You are signed out of the helpdesk and of this service.
helpdesk-signed-out = You are signed out of the helpdesk.
helpdesk-signed-out-title = Signed out

## Account page
email-change-needs-password = To change your email address, enter your current password.
email-change-needs-sign-in = To change your email address, sign in again first (log out, then sign in with your provider) and change it within { $minutes } minutes.
email-taken = Another account already uses that email address.
saved = Saved.
email-change-sent = Saved. We sent a confirmation link to { $new }; until you open it, your address stays { $old }.
email-change-sent-first = Saved. We sent a confirmation link to { $new }; the address is yours once you open it.
email-change-cancelled = The change of address is cancelled; its confirmation link no longer works.
email-change-none = There was no change of address to cancel.
password-wrong-current = Your current password is not right.
password-changed = Your password was changed. Other sessions were signed out.
app-access-removed = Access withdrawn: the app's tokens no longer work, and it must ask again.
app-no-access = That app had no access.
staff-only = This page is for staff accounts only.

## Second step
second-step-enter-code = Enter the code from your authenticator app, or a recovery code.
second-step-expired-title = Sign in again
second-step-expired = This sign-in has expired or was finished in another tab. Sign in again.
link-sign-in = Sign in

## Upstream sign-in refusals
stop-linked-elsewhere = This { $provider } account is already connected to another account here. Log in to that account to use it, or disconnect it there first. Nothing was changed.
stop-log-in-first = An account with the same email address exists. For your safety this service does not join accounts by email alone: log in to that account with its password, then connect { $provider } from your account page.
stop-registration-closed = There is no account for this sign-in, and registration is closed here.
stop-register-first = There is no account for this sign-in yet: create one on the registration page first, then connect this provider to activate it.
stop-no-accounts-from-sign-ins = This server does not create accounts from sign-ins: ask an administrator for an account, then connect this provider to it.
stop-username-taken = Another account already has the username this sign-in would get: ask an administrator to connect this provider to your account.

## Passkeys
passkey-unavailable = Passkeys are not available on this server (its address is not a domain name).
passkey-expired = This passkey request has expired or was already used. Try again.
passkey-invalid = The passkey's answer was not accepted ({ $reason }). Try again.
passkey-already-registered = This passkey is already registered.
passkey-unknown = This passkey is not registered with any account here. Sign in another way.
passkey-wrong-account = This passkey belongs to another account. Use one of your own passkeys.

## Registration, continued
register-email-taken = An account with that email address already exists. Log in, or reset its password.
register-username-taken = That username is taken, or looks too much like one that is; choose another.

## Second factors
passkey-add-reauth = For your safety, confirm it is you before adding a passkey: sign in again, then add it.
mfa-turned-off = Second factors are turned off on this server (security.mfa: off).
totp-already-title = Authenticator app
totp-already = An authenticator app is already set up for your account. To use another one, remove it first.
totp-qr-label = QR code for your authenticator app
code-too-long = That code is too long.
codes-file-title = Recovery codes for { $username } at { $site }
codes-file-explain = Each code works once. Keep them somewhere safe.
not-changed-title = Not changed
factors-need-password = To change your second factors, enter your current password.
factors-need-sign-in = To change your second factors, sign in again first, then change them within a few minutes.
totp-removed = Your authenticator app no longer signs you in. You can set one up again here.
passkey-removed = That passkey no longer signs you in.
passkey-not-yours = That passkey is not one of yours (it may have been removed already).
