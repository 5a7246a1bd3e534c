# messages
language-unknown = Es gibt keine Übersetzung für „{ $lang }“; wählen Sie eine der Sprachen aus der Liste.

## Fehlerseiten
error-upstream-title = Die Anmeldung hat nicht funktioniert
error-upstream-cancelled = Sie haben die Anmeldung mit { $provider } abgebrochen. Es wurde nichts geändert.
error-upstream-unavailable = { $provider } antwortet gerade nicht. Bitte versuchen Sie es gleich noch einmal.
error-upstream-refused = { $provider } hat Ihre Anmeldung nicht zugelassen ({ $reason }). Bitte beginnen Sie von vorn.
error-bad-request-title = Das hat nicht funktioniert
error-back-to-login = Zurück zur Anmeldeseite
error-forbidden-title = Nicht erlaubt
error-csrf-title = Dieses Formular ist abgelaufen
error-csrf = Dem Formular fehlte das Sicherheitstoken, oder es stammt von einer anderen Website. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-method-title = Hier nicht möglich
error-method = Diese Adresse nimmt diese Art von Anfrage nicht an.
error-not-found-title = Seite nicht gefunden
error-not-found = Unter dieser Adresse ist nichts zu finden.
error-throttled-title = Zu viele Versuche
error-unavailable-title = Vorübergehend nicht verfügbar
error-unavailable = Der Dienst kann seine Datenbank gerade nicht erreichen. Es wurde nichts geändert; bitte versuchen Sie es gleich noch einmal.
error-internal-title = Etwas ist schiefgelaufen
error-internal = Auf unserer Seite ist ein unerwarteter Fehler aufgetreten; er wurde protokolliert. Bitte versuchen Sie es erneut.

## Probleme mit der Eingabe
problem-username-empty = Geben Sie einen Benutzernamen ein.
problem-username-too-long = Benutzernamen dürfen höchstens { $max } Zeichen lang sein.
problem-username-characters = Benutzernamen dürfen nur Buchstaben, Ziffern und @ . + - _ enthalten.
problem-email-empty = Geben Sie eine E-Mail-Adresse ein.
problem-email-too-long = E-Mail-Adressen dürfen höchstens { $max } Zeichen lang sein.
problem-email-invalid = Geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.
problem-password-too-short = Verwenden Sie für Ihr Passwort mindestens { $min } Zeichen.
problem-password-too-long = Passwörter dürfen höchstens { $max } Zeichen lang sein.
problem-password-is-username = Ihr Passwort darf nicht Ihr Benutzername sein.
problem-password-is-email = Ihr Passwort darf nicht Ihre E-Mail-Adresse sein.
problem-password-only-digits = Ihr Passwort darf nicht nur aus Ziffern bestehen.
problem-password-common = Dieses Passwort gehört zu den am häufigsten verwendeten; wählen Sie ein anderes.
problem-passwords-differ = Die beiden Passwörter stimmen nicht überein; geben Sie zweimal dasselbe Passwort ein.
problem-names-too-long = Namen dürfen höchstens { $max } Zeichen lang sein.
problem-field-first-name = Vorname
problem-field-last-name = Nachname
problem-field-email = E-Mail-Adresse
# $kind is one of: line-break, nul, direction, control; $code is e.g. U+000A.
problem-unsafe-text = Das Feld „{ $field }“ enthält { $kind ->
    [line-break] einen Zeilenumbruch
    [nul] ein NUL-Zeichen
    [direction] ein Steuerzeichen für die Textrichtung
   *[control] ein Steuerzeichen
} ({ $code }); entfernen Sie dieses Zeichen und versuchen Sie es erneut.

## Anmelden
login-too-long = Benutzername oder Passwort ist zu lang.
login-wrong = Benutzername oder Passwort ist falsch.
login-disabled = Dieses Konto ist deaktiviert. Wenden Sie sich an einen Administrator.
login-unconfirmed = Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse: Öffnen Sie den Link, den wir Ihnen per E-Mail gesendet haben, oder fordern Sie unten einen neuen an.

## Registrierung
register-closed-social = Neue Konten entstehen, indem Sie sich mit einem der Anbieter auf der Anmeldeseite anmelden.
register-closed-admin = Neue Konten werden auf diesem Server von einem Administrator erstellt.
register-closed-title = Die Registrierung ist geschlossen
link-log-in = Anmelden
register-check-mail-title = Prüfen Sie Ihre E-Mails
register-check-mail = Wir haben eine E-Mail an Ihre Adresse gesendet. Öffnen Sie den darin enthaltenen Link, um die Adresse zu bestätigen, und melden Sie sich dann an.
register-far-too-long = Ein Feld ist viel zu lang; kürzen Sie es und versuchen Sie es erneut.

## Passwort zurücksetzen
reset-sent-title = Prüfen Sie Ihre E-Mails
reset-sent = Falls ein Konto mit diesem Benutzernamen oder dieser E-Mail-Adresse existiert, haben wir einen Link an dessen E-Mail-Adresse gesendet. Er ist nur kurz gültig; prüfen Sie Ihre E-Mails.
reset-dead-link-title = Dieser Link funktioniert nicht mehr
reset-dead-link = Links zum Zurücksetzen des Passworts funktionieren nur einmal, laufen ab und werden ungültig, sobald das Passwort geändert wird. Fordern Sie einen neuen an.
reset-ask-again = Neuen Link anfordern
password-far-too-long = Dieses Passwort ist viel zu lang.
reset-done = Ihr neues Passwort ist festgelegt, und alle Sitzungen wurden abgemeldet. Melden Sie sich jetzt damit an.
reset-done-title = Passwort geändert

## Abmelden
logout-mismatched-app = Die Abmeldeanfrage nennt eine App, enthält aber das ID-Token einer anderen App. Ihre Sitzung bleibt unverändert.
logout-done-title = Abgemeldet
logout-not-signed-in = Sie sind nicht angemeldet.
logout-done = Sie sind in diesem Browser abgemeldet.
logout-log-in-again = Erneut anmelden

## Anmeldeanfragen von Apps
authorize-unusable = Die Anmeldeanfrage der App kann nicht verwendet werden: { $description }. Es wurde nichts an die App zurückgesendet; kehren Sie zur App zurück und versuchen Sie es erneut, oder informieren Sie deren Entwickler.
authorize-already-completed = Diese Anmeldeanfrage wurde bereits abgeschlossen (in einem anderen Tab oder durch einen Doppelklick). Kehren Sie zur App zurück.

## Anmeldeanfragen von Apps, Fortsetzung
authorize-expired = Diese Anmeldeanfrage ist abgelaufen oder wurde in einem anderen Browser gestartet. Kehren Sie zur App zurück und melden Sie sich erneut an.

## Begrenzung von Versuchen
throttled = Zu viele Versuche. Versuchen Sie es in { $wait } erneut.
wait-seconds =
    { $count ->
        [one] 1 Sekunde
       *[other] { $count } Sekunden
    }
wait-minutes =
    { $count ->
        [one] 1 Minute
       *[other] { $count } Minuten
    }

## E-Mail-Bestätigung
confirm-done = Vielen Dank: { $address } ist jetzt als Ihre Adresse bestätigt.
link-your-account = Ihr Konto
confirm-done-title = E-Mail-Adresse bestätigt
confirm-taken-title = Diese Adresse gehört zu einem anderen Konto
confirm-taken = Ein anderes Konto hat diese Adresse zuerst bestätigt, daher kann sie für dieses Konto nicht verwendet werden. Melden Sie sich bei dem Konto an, zu dem sie gehört, oder wählen Sie eine andere Adresse.
link-dead-title = Dieser Link funktioniert nicht mehr
confirm-dead-link = Bestätigungslinks funktionieren nur einmal, laufen ab und gelten nur für die Adresse, an die sie gesendet wurden. Melden Sie sich an, um einen neuen anzufordern.
link-reset-password = Passwort zurücksetzen
undo-cancelled-title = Änderung abgebrochen
undo-cancelled = Die Adressänderung wurde abgebrochen: Ihr Konto behält diese Adresse. Falls Sie die Änderung nicht angefordert haben, ändern Sie jetzt Ihr Passwort.
undo-reverted-title = Änderung rückgängig gemacht
undo-reverted = Ihr Konto hat wieder diese Adresse, alle Browser wurden abgemeldet, und Apps müssen erneut um Zugriff bitten. Setzen Sie jetzt Ihr Passwort zurück: Möglicherweise kennt es jemand anderes.
undo-taken-title = Diese Adresse gehört jetzt zu einem anderen Konto
undo-taken = Die Änderung kann nicht rückgängig gemacht werden, da inzwischen ein anderes Konto diese Adresse bestätigt hat. Wenden Sie sich an einen Administrator.
undo-dead-link = Links wie dieser funktionieren nur einmal und laufen ab.
resend-done-title = Prüfen Sie Ihre E-Mails
resend-done = Falls dieses Konto auf eine Bestätigung wartet, ist ein neuer Link unterwegs.

## Anmeldung über externe Anbieter
activation-expired = Dieser Aktivierungslink ist abgelaufen. Melden Sie sich an oder registrieren Sie sich erneut.
upstream-expired-title = Diese Anmeldung ist abgelaufen
upstream-expired = Diese Anmeldung wurde nicht in diesem Browser gestartet, wurde bereits verwendet oder hat zu lange gedauert. Bitte beginnen Sie von vorn.
upstream-stopped-title = Anmeldung abgebrochen
disconnect-only-way-title = Nicht getrennt
disconnect-only-way = Dies ist Ihre einzige Möglichkeit, sich anzumelden. Legen Sie zuerst ein Passwort fest (auf Ihrer Kontoseite) oder verbinden Sie einen anderen Anbieter.
link-back-to-account = Zurück zu Ihrem Konto

## Nachweis einer Adresse
removed-sign-ins = Diese Anmeldungen wurden verbunden, bevor jemand diese Adresse nachgewiesen hatte, und wurden daher entfernt: { $names }. Verbinden Sie sie auf Ihrer Kontoseite erneut, falls sie Ihnen gehören.
ended-sessions =
    { $count ->
        [one] 1 weiterer angemeldeter Browser wurde abgemeldet.
       *[other] { $count } weitere angemeldete Browser wurden abgemeldet.
    }

## Formulare
form-wrong-type = Senden Sie dieses Formular als application/x-www-form-urlencoded (ein normales HTML-Formular).
form-unreadable = Das Formular konnte nicht gelesen werden ({ $reason }). Laden Sie die Seite neu und versuchen Sie es erneut.

## Anmeldung beim Helpdesk
helpdesk-no-timestamp = Der Helpdesk hat keinen Zeitstempel gesendet. Starten Sie die Anmeldung über den Anmeldelink des Helpdesks.
helpdesk-not-seconds = Der Helpdesk hat einen Zeitstempel gesendet, der keine Anzahl von Sekunden ist. Starten Sie die Anmeldung erneut über den Helpdesk.
helpdesk-out-of-date = Der Anmeldelink des Helpdesks ist veraltet: { $reason }.
helpdesk-not-allowed = Ihr Konto darf sich nicht bei { $target } anmelden. Wenden Sie sich an einen Administrator, falls Sie Zugriff benötigen.
helpdesk-needs-email = Der Helpdesk benötigt eine bestätigte E-Mail-Adresse: Fügen Sie auf Ihrer Kontoseite eine hinzu oder bestätigen Sie sie, und versuchen Sie es dann erneut.
helpdesk-refused-title = Anmeldung beim Helpdesk nicht möglich
helpdesk-refused = Wir haben Sie nicht bei { $target } angemeldet: { $reason }.
helpdesk-no-reason = Der Helpdesk hat keinen Grund angegeben.
helpdesk-error-title = Der Helpdesk konnte Sie nicht anmelden
helpdesk-signed-out-both = Sie sind beim Helpdesk und bei diesem Dienst abgemeldet.
helpdesk-signed-out = Sie sind beim Helpdesk abgemeldet.
helpdesk-signed-out-title = Abgemeldet

## Kontoseite
email-change-needs-password = Um Ihre E-Mail-Adresse zu ändern, geben Sie Ihr aktuelles Passwort ein.
email-change-needs-sign-in = Um Ihre E-Mail-Adresse zu ändern, melden Sie sich zuerst erneut an (abmelden, dann über Ihren Anbieter anmelden) und ändern Sie sie innerhalb von { $minutes } Minuten.
email-taken = Diese E-Mail-Adresse wird bereits von einem anderen Konto verwendet.
saved = Gespeichert.
email-change-sent = Gespeichert. Wir haben einen Bestätigungslink an { $new } gesendet; bis Sie ihn öffnen, bleibt Ihre Adresse { $old }.
email-change-sent-first = Gespeichert. Wir haben einen Bestätigungslink an { $new } gesendet; die Adresse gehört Ihnen, sobald Sie ihn öffnen.
email-change-cancelled = Die Adressänderung wurde abgebrochen; der zugehörige Bestätigungslink funktioniert nicht mehr.
email-change-none = Es gab keine Adressänderung, die abgebrochen werden könnte.
password-wrong-current = Ihr aktuelles Passwort ist nicht korrekt.
password-changed = Ihr Passwort wurde geändert. Andere Sitzungen wurden abgemeldet.
app-access-removed = Zugriff entzogen: Die Tokens der App funktionieren nicht mehr, und sie muss erneut um Zugriff bitten.
app-no-access = Diese App hatte keinen Zugriff.
staff-only = Diese Seite ist nur für Mitarbeiterkonten.

## Zweiter Schritt
second-step-enter-code = Geben Sie den Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.
second-step-expired-title = Erneut anmelden
second-step-expired = Diese Anmeldung ist abgelaufen oder wurde in einem anderen Tab abgeschlossen. Melden Sie sich erneut an.
link-sign-in = Anmelden

## Abgelehnte Anmeldungen über externe Anbieter
stop-linked-elsewhere = Dieses { $provider }-Konto ist hier bereits mit einem anderen Konto verbunden. Melden Sie sich bei diesem Konto an, um es zu verwenden, oder trennen Sie es dort zuerst. Es wurde nichts geändert.
stop-log-in-first = Es gibt bereits ein Konto mit derselben E-Mail-Adresse. Zu Ihrer Sicherheit verknüpfen wir Konten nicht allein anhand der E-Mail-Adresse: Melden Sie sich mit dem Passwort bei diesem Konto an und verbinden Sie dann { $provider } auf Ihrer Kontoseite.
stop-registration-closed = Für diese Anmeldung gibt es kein Konto, und die Registrierung ist hier geschlossen.
stop-register-first = Für diese Anmeldung gibt es noch kein Konto: Erstellen Sie zuerst eines auf der Registrierungsseite und verbinden Sie dann diesen Anbieter, um es zu aktivieren.
stop-no-accounts-from-sign-ins = Dieser Server erstellt keine Konten aus Anmeldungen: Bitten Sie einen Administrator um ein Konto und verbinden Sie dann diesen Anbieter damit.
stop-username-taken = Ein anderes Konto hat bereits den Benutzernamen, den diese Anmeldung erhalten würde: Bitten Sie einen Administrator, diesen Anbieter mit Ihrem Konto zu verbinden.

## Passkeys
passkey-unavailable = Passkeys sind auf diesem Server nicht verfügbar (seine Adresse ist kein Domainname).
passkey-expired = Diese Passkey-Anfrage ist abgelaufen oder wurde bereits verwendet. Versuchen Sie es erneut.
passkey-invalid = Die Antwort des Passkeys wurde nicht akzeptiert ({ $reason }). Versuchen Sie es erneut.
passkey-already-registered = Dieser Passkey ist bereits registriert.
passkey-unknown = Dieser Passkey ist hier bei keinem Konto registriert. Melden Sie sich auf andere Weise an.
passkey-wrong-account = Dieser Passkey gehört zu einem anderen Konto. Verwenden Sie einen Ihrer eigenen Passkeys.

## Registrierung, Fortsetzung
register-email-taken = Es gibt bereits ein Konto mit dieser E-Mail-Adresse. Melden Sie sich an oder setzen Sie das Passwort zurück.
register-username-taken = Dieser Benutzername ist bereits vergeben oder einem vergebenen zu ähnlich; wählen Sie einen anderen.

## Zwei-Faktor-Authentifizierung
passkey-add-reauth = Bestätigen Sie zu Ihrer Sicherheit, dass Sie es sind, bevor Sie einen Passkey hinzufügen: Melden Sie sich erneut an und fügen Sie ihn dann hinzu.
mfa-turned-off = Die Zwei-Faktor-Authentifizierung ist auf diesem Server deaktiviert (security.mfa: off).
totp-already-title = Authenticator-App
totp-already = Für Ihr Konto ist bereits eine Authenticator-App eingerichtet. Um eine andere zu verwenden, entfernen Sie zuerst die bisherige.
totp-qr-label = QR-Code für Ihre Authenticator-App
code-too-long = Dieser Code ist zu lang.
codes-file-title = Wiederherstellungscodes für { $username } bei { $site }
codes-file-explain = Jeder Code funktioniert nur einmal. Bewahren Sie die Codes an einem sicheren Ort auf.
not-changed-title = Nicht geändert
factors-need-password = Um Ihre Einstellungen zur Zwei-Faktor-Authentifizierung zu ändern, geben Sie Ihr aktuelles Passwort ein.
factors-need-sign-in = Um Ihre Einstellungen zur Zwei-Faktor-Authentifizierung zu ändern, melden Sie sich zuerst erneut an und nehmen Sie die Änderungen dann innerhalb weniger Minuten vor.
totp-removed = Ihre Authenticator-App wird nicht mehr für die Anmeldung verwendet. Sie können hier erneut eine einrichten.
passkey-removed = Dieser Passkey wird nicht mehr für die Anmeldung verwendet.
passkey-not-yours = Dieser Passkey gehört nicht zu Ihren Passkeys (möglicherweise wurde er bereits entfernt).
