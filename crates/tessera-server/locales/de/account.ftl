# Self-service on the account page: sessions, setting a password, a copy of the account's
# data, deleting the account, and the mail that confirms a deletion. English is the reference.
# Translators: keep { $placeholders } as they are.

## Devices (a session's browser and system, read from its User-Agent)
device-on = { $browser } on { $platform }
device-unknown-browser = Unknown browser

## Active sessions
sessions-title = Where you are signed in
sessions-lead = These browsers and devices are signed in to your account. Sign out any you do not recognise; apps you used there are told you signed out.
sessions-signed-in = signed in { $date }
sessions-last-seen = last seen { $date }
sessions-address-unknown = address unknown
sessions-this-device = This device
sessions-sign-out = Sign out
sessions-sign-out-others = Sign out everywhere else
sessions-ended = That session is signed out. Apps used in it were told.
sessions-others-ended = Every other session is signed out. Apps used in them were told.
sessions-no-others = There was no other session to sign out.
sessions-end-current = This is the session you are using now. To end it, log out.

## Re-authentication (for setting a password and deleting the account)
reauth-wrong-password = Your current password is not right.
reauth-sign-in-again = For this, you need to have signed in within the last { $minutes } minutes. Sign in again, then come straight back.
reauth-sign-in-again-link = Sign in again
reauth-too-many-seconds = Too many attempts. Try again in { $count ->
    [one] 1 second
   *[other] { $count } seconds
}.
reauth-too-many-minutes = Too many attempts. Try again in { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}.
field-too-long = A field is far too long; shorten it and try again.

## Set a password
password-set-title = Set a password
password-set-lead = Your account has no password yet: you sign in with a connected account or a passkey. With a password you can also sign in with your username ({ $username }) and password.
password-set-submit = Set password
password-set-done = Your password is set: you can now also sign in with your username and password. Your other sessions were signed out.

## Download my data
export-title = Your data
export-lead = Download a copy of what this service keeps about you: your profile, connected sign-ins, the apps you allowed, your sessions, your second factors (their names and dates, never their secrets) and your recent account activity. The file is JSON.
export-download = Download my data

## Delete my account
delete-title = Delete your account
delete-lead = Deleting your account removes it and everything attached to it. This cannot be undone.
delete-start = Delete my account…
delete-intro = Deleting your account ({ $username }) removes, at once and for good:
delete-removes-profile = your profile: your username, names and email address, and your group memberships;
delete-removes-sign-ins = every way to sign in: your password, connected accounts, authenticator app, passkeys and recovery codes;
delete-removes-apps = the access you gave apps: they can no longer use your account, and their tokens stop working;
delete-removes-sessions = every session, on every device: apps you signed in to are told that you signed out.
delete-kept = A record that the account existed and was deleted stays in the security log.
delete-mail = We send a confirmation to { $address }.
delete-password = Your current password
delete-type-username = Type your username, { $username }, to confirm
delete-type-username-hint = This makes sure the right account is deleted.
delete-submit = Delete my account for good
delete-wrong-username = The username you typed is not { $username }. Nothing was deleted.
delete-not-deleted = Nothing was deleted.

## After the deletion
goodbye-title = Your account is deleted
goodbye-message = Your account and everything attached to it are gone, and you are signed out. Apps you used were told. If you had an email address with us, a confirmation is on its way.
goodbye-register = Create a new account

## Mail: the account was deleted
mail-account-deleted-subject = Your account was deleted
mail-account-deleted-hello = Hello { $name },
mail-account-deleted-done = Your account { $username } was deleted at your request.
mail-account-deleted-what = Your profile, every way to sign in, the access you gave apps and all your sessions were removed, and the apps you used were told that you signed out.
mail-account-deleted-not-you = If you did not delete it, someone who knew your password or could use your signed-in browser did. We cannot bring the account back, but contact the administrator of this service.
mail-account-deleted-again = To come back, create a new account at { $site }.
