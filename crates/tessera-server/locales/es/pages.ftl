# Tessera's page texts, English (the reference: every other language has exactly these ids).
# Translators: keep { $placeholders } as they are; text in {"…"} is literal.

language-name = English
date-format = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Every page
skip-to-content = Skip to content
nav-label = Account
nav-account = Account
nav-log-out = Log out
nav-log-in = Log in
nav-register = Register
footer-links-label = Links
footer-privacy = Privacy
footer-terms = Terms
footer-help = Help
language-label = Language
language-change = Change
cancel = Cancel
continue = Continue
save = Save
remove = Remove
yes = yes
no = no
back-to-login = Back to log in
field-email = Email
field-first-name = First name
field-last-name = Last name
field-current-password = Current password
field-new-password = New password
field-new-password-again = New password again
password-hint = At least { $min } characters.
connect-provider = Connect { $provider }

## Log in
login-title = Log in
login-resend-confirmation = Send the confirmation link again
login-username-or-email = Username or email
login-password = Password
login-submit = Log in
login-passkey = Sign in with a passkey
login-or = or
login-with = Sign in with { $provider }
login-forgot-password = Forgot your password?
login-create-account = Create an account

## Register
register-title = Create an account
register-username = Username
register-first-name = First name (optional)
register-last-name = Last name (optional)
register-submit = Create account
register-have-account = Already have an account? Log in

## Passwords
password-change-title = Change your password
password-change-submit = Change password
reset-title = Reset your password
reset-lead = Enter your username or email address and we will mail you a link to choose a new password.
reset-submit = Email me a link
reset-form-title = Choose a new password
reset-form-submit = Set password

## Log out
logout-title = Log out
logout-question = Log out of this browser? Apps you signed in to here are told too.
logout-submit = Log out

## Staff
admin-title = Accounts
admin-username = Username
admin-active = Active
admin-staff = Staff
admin-joined = Joined
admin-unconfirmed = (unconfirmed)

## Helpdesk redirect
remote-auth-title = Signing you in…
remote-auth-noscript = JavaScript is off: press the button to continue to { $target }.
remote-auth-continue = Continue to { $target }

## Consent
consent-title = Allow { $app }?
consent-lead = { $app } asks to use your account ({ $username }). It will be able to:
consent-allow = Allow
consent-deny = Deny
consent-withdraw = You can withdraw this later on your account page.
scope-openid = Know that it is you (a stable identifier, not your password)
scope-profile = Your name and username
scope-email = Your email address and whether it is confirmed
scope-groups = The groups you belong to
scope-offline_access = Stay connected while you are away
scope-contacts = See which people you know from connected accounts also use it
scope-other = Other access

## Activation (hybrid registration)
activate-title = One more step
activate-lead = Your account is created. To activate it, connect one of these accounts (it proves you are a person and lets you sign in with it later):
activate-mail-sent = We also sent a confirmation link to your email address.

## Second step
second-step-title = Second step
second-step-heading = One more step
second-step-totp-label = The code from your authenticator app
second-step-recovery-label = A recovery code
second-step-recovery-hint = No access to your app? Enter one of your recovery codes instead.
second-step-passkey = Use a passkey
second-step-someone-else = Sign in as someone else

## Authenticator app set-up
totp-title = Set up an authenticator app
totp-step-open = Open an authenticator app on your phone (for example Aegis, Google Authenticator, 1Password or Microsoft Authenticator) and add an account.
totp-step-scan = Scan this QR code with it:
totp-cannot-scan = Cannot scan? Type this instead
totp-secret-key = Secret key:
totp-open-link = Or open this link on the device with the app:
totp-kind = Time-based, 6 digits, every 30 seconds.
totp-step-enter = Enter the six-digit code the app shows now:
totp-code-label = Code from the app
totp-submit = Turn on
codes-title = Your recovery codes
codes-app-on = Your authenticator app is on: from now on you sign in with your password and a code from the app.
codes-explain = If you lose your phone, each of these codes signs you in once instead of a code from the app. Save them somewhere safe now:
codes-only-once = they are shown only this once.
codes-download = Download them as a text file
codes-saved = I have saved them, continue

## Account page
account-title = Your account
account-signed-in-as = Signed in as { $username }
account-not-confirmed = not confirmed yet
account-profile = Profile
account-pending-email = Waiting for confirmation: { $address } becomes your address once you open the link we mailed to it.
account-cancel-change = Cancel this change
account-password-for-email = Current password (needed only to change your email address)
account-reauth-for-email = To change your email address, sign in again first; the change must follow within a few minutes.
account-password = Password
account-change-password = Change your password
account-no-password = Your account has no password: you sign in with a connected account or a passkey.
account-set-password = Set a password
account-providers = Connected sign-in providers
account-provider-as = as { $name }
account-since = since { $date }
account-disconnect = Disconnect
account-no-providers = No other account is connected.
account-apps = Apps with access
account-remove-access = Remove access
account-first-party = Part of this service
account-no-apps = No app has access to your account.
account-people = People you may know
account-all-accounts = All accounts (staff)
mfa-title = Second factors
mfa-app = Authenticator app
mfa-app-on = On: signing in asks for a code from your app.
mfa-app-remove = Remove the authenticator app
mfa-app-off = Off.
mfa-app-set-up = Set up an authenticator app
mfa-codes = Recovery codes
mfa-codes-left = { $count ->
    [one] 1 unused recovery code left.
   *[other] { $count } unused recovery codes left.
}
mfa-codes-new = Make new recovery codes
mfa-passkeys = Passkeys
mfa-passkey-added = added { $date }
mfa-passkey-used = last used { $date }
mfa-no-passkey = No passkey yet. A passkey signs you in with your device's screen lock, without a password.
mfa-passkey-name = Name for the new passkey
mfa-passkey-name-example = My laptop
mfa-passkey-add = Add a passkey
mfa-passkeys-need-domain = Passkeys need this server to be reached at a domain name.
